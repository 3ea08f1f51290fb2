//! Stitching: turning a processed entity plus every relation that points
//! from it, its orphan state and its processing errors into the final entity
//! readers see.
//!
//! Only entities the store marked (their own result or one of their
//! relations changed) are stitched, in batches, each written in one
//! transaction together with clearing the marks.

use std::collections::BTreeSet;

use greenroom_model::annotations;
use greenroom_model::search::search_entries;
use greenroom_store::{CatalogStore, FinalEntityRow, SearchRow, StitchInput, StitchedEntity};
use serde_json::{Map, Value, json};

use crate::CatalogError;
use crate::hash::Fingerprint;
use crate::problem::{Problem, problems_from_json};

/// Entities stitched per transaction.
const BATCH: usize = 2_000;

/// What a stitch run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StitchStats {
    pub written: usize,
    pub removed: usize,
}

/// Stitches every marked entity, building final entities on all cores.
pub async fn stitch_pending(store: &dyn CatalogStore) -> Result<StitchStats, CatalogError> {
    let workers = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(2)
        .max(1);
    let mut stats = StitchStats::default();
    loop {
        let refs = store.stitch_queue(BATCH).await?;
        if refs.is_empty() {
            return Ok(stats);
        }
        let inputs = store.stitch_inputs(&refs).await?;
        let now = now_millis();
        let chunk = inputs.len().div_ceil(workers).max(1);
        let mut handles = Vec::with_capacity(workers);
        let mut inputs = inputs.into_iter();
        loop {
            let part: Vec<StitchInput> = inputs.by_ref().take(chunk).collect();
            if part.is_empty() {
                break;
            }
            handles.push(tokio::task::spawn_blocking(move || {
                let mut finals = Vec::with_capacity(part.len());
                let mut removed = Vec::new();
                for input in part {
                    match stitch_one(&input, now) {
                        Some(row) => finals.push(row),
                        None => removed.push(input.entity_ref),
                    }
                }
                (finals, removed)
            }));
        }
        let mut finals = Vec::with_capacity(refs.len());
        let mut removed = Vec::new();
        for handle in handles {
            let (f, r) = handle
                .await
                .map_err(|e| CatalogError::Internal(format!("a stitching worker failed: {e}")))?;
            finals.extend(f);
            removed.extend(r);
        }
        stats.written += finals.len();
        stats.removed += removed.len();
        store.write_stitched(finals, removed, refs).await?;
    }
}

/// Builds the final entity and its search rows, or `None` when the entity
/// never processed successfully (it then does not appear to readers).
pub fn stitch_one(input: &StitchInput, now: i64) -> Option<StitchedEntity> {
    let processed = input.processed.as_deref()?;
    let mut entity: Value = serde_json::from_str(processed).ok()?;
    let object = entity.as_object_mut()?;

    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("uid".to_owned(), Value::String(input.entity_id.clone()));
        let annotations_map = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(map) = annotations_map.as_object_mut() {
            if input.orphan {
                map.insert(
                    annotations::ORPHAN.to_owned(),
                    Value::String("true".to_owned()),
                );
            }
            for key in [annotations::VIEW_URL, annotations::EDIT_URL] {
                if map
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(is_javascript_url)
                {
                    map.insert(
                        key.to_owned(),
                        Value::String(
                            "https://backstage.io/annotation-rejected-for-security-reasons"
                                .to_owned(),
                        ),
                    );
                }
            }
        }
    }

    let relations_sorted: BTreeSet<(&str, &str)> = input
        .relations
        .iter()
        .map(|(t, target)| (t.as_str(), target.as_str()))
        .collect();
    object.insert(
        "relations".to_owned(),
        Value::Array(
            relations_sorted
                .iter()
                .map(|(t, target)| json!({"type": t, "targetRef": target}))
                .collect(),
        ),
    );

    let mut problems: Vec<Problem> = problems_from_json(&input.errors);
    for (_, errors) in &input.source_errors {
        problems.extend(problems_from_json(errors));
    }
    if !problems.is_empty() {
        let items: Vec<Value> = problems
            .iter()
            .map(|p| {
                json!({
                    "type": "backstage.io/catalog-processing",
                    "level": "error",
                    "message": format!("{}: {}", p.name, p.describe()),
                    "error": {"name": p.name, "message": p.message, "place": p.place},
                })
            })
            .collect();
        object.insert("status".to_owned(), json!({ "items": items }));
    }

    // The etag fingerprints everything the final entity is built from, so
    // the body is serialized once.
    let hash = {
        let mut fp = Fingerprint::new();
        fp.add(processed.as_bytes());
        fp.add(input.entity_id.as_bytes());
        fp.add(&[u8::from(input.orphan)]);
        for (t, target) in &relations_sorted {
            fp.add(t.as_bytes());
            fp.add(target.as_bytes());
        }
        fp.add(input.errors.as_bytes());
        for (key, errors) in &input.source_errors {
            fp.add(key.as_bytes());
            fp.add(errors.as_bytes());
        }
        fp.finish()
    };
    let metadata = entity.get_mut("metadata").and_then(Value::as_object_mut)?;
    if !metadata.contains_key("etag") {
        metadata.insert("etag".to_owned(), Value::String(hash.clone()));
    }
    let body = serde_json::to_string(&entity).ok()?;
    let search = search_entries(&entity)
        .into_iter()
        .map(|e| SearchRow {
            key: e.key,
            value: e.value,
            original: e.original,
        })
        .collect();
    let (kind, rest) = input.entity_ref.split_once(':')?;
    let (namespace, name) = rest.split_once('/')?;
    Some(StitchedEntity {
        row: FinalEntityRow {
            entity_ref: input.entity_ref.clone(),
            entity_id: input.entity_id.clone(),
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            body,
            hash,
            stitched_at: now,
        },
        search,
    })
}

/// Lenient `javascript:` detection (ignores case, whitespace and control
/// characters the way browsers do).
fn is_javascript_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    cleaned.starts_with("javascript:")
}

pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(processed: Option<&str>) -> StitchInput {
        StitchInput {
            entity_ref: "component:default/a".into(),
            entity_id: "uid-1".into(),
            processed: processed.map(str::to_owned),
            errors: "[]".into(),
            orphan: false,
            relations: vec![
                ("ownedBy".into(), "group:default/team".into()),
                ("dependsOn".into(), "resource:default/db".into()),
            ],
            source_errors: vec![],
        }
    }

    #[test]
    fn final_entities_carry_uid_etag_sorted_relations() {
        let stitched = stitch_one(
            &input(Some(r#"{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"a","namespace":"default"},"spec":{}}"#)),
            1,
        )
        .unwrap();
        assert!(
            stitched.search.iter().any(|r| r.key == "relations.ownedby"
                && r.value.as_deref() == Some("group:default/team"))
        );
        let row = stitched.row;
        let body: Value = serde_json::from_str(&row.body).unwrap();
        assert_eq!(body["metadata"]["uid"], "uid-1");
        assert_eq!(body["metadata"]["etag"], row.hash.as_str());
        assert_eq!(body["relations"][0]["type"], "dependsOn");
        assert_eq!(body["relations"][1]["targetRef"], "group:default/team");
        assert!(body.get("status").is_none());
        assert_eq!(
            (row.kind.as_str(), row.namespace.as_str(), row.name.as_str()),
            ("component", "default", "a")
        );
    }

    #[test]
    fn orphans_errors_and_unsafe_urls_are_marked() {
        let mut i = input(Some(
            r#"{"kind":"Component","metadata":{"name":"a","annotations":{"backstage.io/view-url":" JavaScript:alert(1)"}}}"#,
        ));
        i.orphan = true;
        i.errors = r#"[{"name":"InputError","message":"bad","place":{"source":"file:/x"}}]"#.into();
        let body: Value = serde_json::from_str(&stitch_one(&i, 1).unwrap().row.body).unwrap();
        assert_eq!(
            body["metadata"]["annotations"]["backstage.io/orphan"],
            "true"
        );
        assert_eq!(
            body["metadata"]["annotations"]["backstage.io/view-url"],
            "https://backstage.io/annotation-rejected-for-security-reasons"
        );
        assert_eq!(body["status"]["items"][0]["level"], "error");
        assert_eq!(
            body["status"]["items"][0]["message"],
            "InputError: file:/x: bad"
        );
    }

    #[test]
    fn never_processed_entities_have_no_final_form() {
        assert!(stitch_one(&input(None), 1).is_none());
    }
}
