//! The search rows of an entity: what catalog filters, facets, sorting and
//! full-text matching look at.
//!
//! Backstage flattens every final entity into `(key, value)` rows
//! (`buildEntitySearch`), and its filter syntax is defined on those rows, so
//! Greenroom builds exactly the same ones:
//!
//! * every leaf gets a row keyed by its dotted path (`spec.type`);
//! * arrays give one row per element under the array's path, and each
//!   string element also an existence row `path.<element>` = `true`
//!   (`metadata.tags.java`);
//! * each relation gives `relations.<type>` = target ref;
//! * `metadata.name`, `metadata.namespace` (defaulting to `default`) and
//!   `metadata.uid` are always present; `metadata.etag`, `status` and
//!   `attachments` are not searchable;
//! * keys and values are lower-cased; keys longer than 200 characters are
//!   dropped and values longer than 200 characters are kept as "no value"
//!   (the key still exists).

use serde_json::Value;

/// Longest key (in characters) that gets a row.
const MAX_KEY_CHARS: usize = 200;
/// Longest value (in characters) that stays searchable.
const MAX_VALUE_CHARS: usize = 200;

/// Paths `buildEntitySearch` does not walk generically (also what the
/// duplicate-casing check skips).
pub(crate) const SPECIAL_PATHS: [&str; 7] = [
    "attachments",
    "relations",
    "status",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.etag",
];

/// One search row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchEntry {
    /// Lower-cased dotted path.
    pub key: String,
    /// Lower-cased value; `None` for a null or an over-long value.
    pub value: Option<String>,
    /// The value as written (for facets); `None` when `value` is.
    pub original: Option<String>,
}

/// The search rows of a final entity, in a stable order, without duplicates.
pub fn search_entries(entity: &Value) -> Vec<SearchEntry> {
    let mut raw: Vec<(String, Option<String>)> = Vec::new();
    visit(String::new(), entity, &mut raw);
    let metadata = entity.get("metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    raw.push(("metadata.name".to_owned(), meta_str("name")));
    raw.push((
        "metadata.namespace".to_owned(),
        Some(meta_str("namespace").unwrap_or_else(|| "default".to_owned())),
    ));
    raw.push(("metadata.uid".to_owned(), meta_str("uid")));
    if let Some(relations) = entity.get("relations").and_then(Value::as_array) {
        for relation in relations {
            let (Some(kind), Some(target)) = (
                relation.get("type").and_then(Value::as_str),
                relation.get("targetRef").and_then(Value::as_str),
            ) else {
                continue;
            };
            raw.push((format!("relations.{kind}"), Some(target.to_owned())));
        }
    }

    let mut seen = std::collections::HashSet::with_capacity(raw.len());
    let mut out = Vec::with_capacity(raw.len());
    for (key, original) in raw {
        let key = key.to_lowercase();
        if key.chars().count() > MAX_KEY_CHARS {
            continue;
        }
        let (value, original) = match original {
            Some(original) => {
                let value = original.to_lowercase();
                if value.chars().count() > MAX_VALUE_CHARS {
                    (None, None)
                } else {
                    (Some(value), Some(original))
                }
            }
            None => (None, None),
        };
        if seen.insert((key.clone(), value.clone())) {
            out.push(SearchEntry {
                key,
                value,
                original,
            });
        }
    }
    out
}

fn visit(path: String, current: &Value, out: &mut Vec<(String, Option<String>)>) {
    if SPECIAL_PATHS.contains(&path.as_str()) {
        return;
    }
    match current {
        Value::Null => out.push((path, None)),
        Value::Bool(b) => out.push((path, Some(b.to_string()))),
        Value::Number(n) => out.push((path, Some(n.to_string()))),
        Value::String(s) => out.push((path, Some(s.clone()))),
        Value::Array(items) => {
            for item in items {
                visit(path.clone(), item, out);
                if let Value::String(s) = item {
                    out.push((format!("{path}.{s}"), Some("true".to_owned())));
                }
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                visit(child, value, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(entity: Value) -> Vec<(String, Option<String>)> {
        search_entries(&entity)
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    fn has(rows: &[(String, Option<String>)], key: &str, value: Option<&str>) -> bool {
        rows.iter().any(|(k, v)| k == key && v.as_deref() == value)
    }

    #[test]
    fn leaves_arrays_and_relations_become_rows() {
        let r = rows(json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "Petstore", "uid": "u-1", "etag": "e",
                "tags": ["Java", "web"],
                "annotations": {"backstage.io/techdocs-ref": "dir:."}
            },
            "spec": {"type": "Service", "replicas": 3, "public": true, "nothing": null,
                     "ports": [{"port": 80}]},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/Team-A"}],
            "status": {"items": [{"level": "error"}]}
        }));
        assert!(has(&r, "kind", Some("component")));
        assert!(has(&r, "metadata.name", Some("petstore")));
        assert!(has(&r, "metadata.namespace", Some("default")));
        assert!(has(&r, "metadata.uid", Some("u-1")));
        assert!(has(&r, "metadata.tags", Some("java")));
        assert!(has(&r, "metadata.tags.java", Some("true")));
        assert!(has(&r, "metadata.tags.web", Some("true")));
        assert!(has(
            &r,
            "metadata.annotations.backstage.io/techdocs-ref",
            Some("dir:.")
        ));
        assert!(has(&r, "spec.type", Some("service")));
        assert!(has(&r, "spec.replicas", Some("3")));
        assert!(has(&r, "spec.public", Some("true")));
        assert!(has(&r, "spec.nothing", None));
        assert!(has(&r, "spec.ports.port", Some("80")));
        assert!(has(&r, "relations.ownedby", Some("group:default/team-a")));
        assert!(!r.iter().any(|(k, _)| k == "metadata.etag"));
        assert!(!r.iter().any(|(k, _)| k.starts_with("status")));
    }

    #[test]
    fn originals_keep_their_case_and_long_values_lose_theirs() {
        let long = "x".repeat(201);
        let entries = search_entries(&json!({
            "kind": "Component",
            "metadata": {"name": "a", "description": long, "title": "Nice Title"},
        }));
        let title = entries.iter().find(|e| e.key == "metadata.title").unwrap();
        assert_eq!(title.value.as_deref(), Some("nice title"));
        assert_eq!(title.original.as_deref(), Some("Nice Title"));
        let description = entries
            .iter()
            .find(|e| e.key == "metadata.description")
            .unwrap();
        assert_eq!(
            (description.value.as_ref(), description.original.as_ref()),
            (None, None)
        );
    }

    #[test]
    fn over_long_keys_are_dropped_and_duplicates_merged() {
        let long_key = "k".repeat(250);
        let r = rows(json!({
            "kind": "Component",
            "metadata": {"name": "a", "tags": ["x", "X"]},
            "spec": {long_key: "v"}
        }));
        assert!(!r.iter().any(|(k, _)| k.len() > 200));
        assert_eq!(
            r.iter().filter(|(k, _)| k == "metadata.tags").count(),
            1,
            "{r:?}"
        );
    }
}
