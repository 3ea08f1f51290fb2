//! The `fields` selection: which subtrees of each entity a response keeps
//! (`fields=kind,metadata.name,metadata.namespace`).
//!
//! Fields come comma-separated and/or repeated; blanks are skipped and `[`
//! is refused ("array type fields are not supported"), as in Backstage.
//! Paths are case-sensitive entity keys, not search keys. A key that itself
//! contains dots (an annotation such as `backstage.io/techdocs-ref`) is
//! found by greedy joining: at each object the shortest run of the
//! remaining segments that names a key is taken. Paths that do not resolve
//! keep nothing, and arrays are not indexed into.
//!
//! The selection is parsed once per request and applied per entity, so
//! [`FieldSelection::apply`] only walks the selected paths and clones the
//! selected subtrees.

use serde_json::{Map, Value};

use super::error::{QueryError, excerpt};

/// Most fields in one selection.
pub const MAX_FIELDS: usize = 100;
/// Longest field path, in characters.
pub const MAX_FIELD_CHARS: usize = 200;

/// A parsed `fields` selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSelection {
    /// Each field split on `.`, in the order given.
    paths: Vec<Vec<String>>,
}

/// Parses the `fields` values of a request (query parameters or the items
/// of a body's `fields` array, which may be chained); `None` when nothing
/// is selected, meaning whole entities.
pub fn parse_fields<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Option<FieldSelection>, QueryError> {
    let mut paths: Vec<Vec<String>> = Vec::new();
    for value in values {
        for field in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if field.contains('[') {
                return Err(QueryError::param(
                    "fields",
                    "array type fields are not supported",
                ));
            }
            if field.chars().nth(MAX_FIELD_CHARS).is_some() {
                return Err(QueryError::param(
                    "fields",
                    format!(
                        "the field '{}' is longer than {MAX_FIELD_CHARS} characters",
                        excerpt(field)
                    ),
                ));
            }
            let path: Vec<String> = field.split('.').map(str::to_owned).collect();
            if !paths.contains(&path) {
                paths.push(path);
            }
            if paths.len() > MAX_FIELDS {
                return Err(QueryError::param(
                    "fields",
                    format!("at most {MAX_FIELDS} fields are accepted"),
                ));
            }
        }
    }
    Ok((!paths.is_empty()).then_some(FieldSelection { paths }))
}

impl FieldSelection {
    /// The selected parts of `entity`, in the order the fields were given.
    pub fn apply(&self, entity: &Value) -> Value {
        let mut output = Map::new();
        let mut keys: Vec<String> = Vec::new();
        for path in &self.paths {
            keys.clear();
            if let Some(value) = resolve(entity, path, &mut keys) {
                insert(&mut output, &keys, value.clone());
            }
        }
        Value::Object(output)
    }
}

/// Walks `segments` down `entity`, joining segments greedily into keys;
/// pushes the keys used onto `keys`.
fn resolve<'v>(
    entity: &'v Value,
    segments: &[String],
    keys: &mut Vec<String>,
) -> Option<&'v Value> {
    let mut current = entity;
    let mut start = 0;
    let mut candidate = String::new();
    while start < segments.len() {
        let object = current.as_object()?;
        candidate.clear();
        let mut found = None;
        for (end, segment) in segments.iter().enumerate().skip(start) {
            if end > start {
                candidate.push('.');
            }
            candidate.push_str(segment);
            if let Some(value) = object.get(candidate.as_str()) {
                found = Some((end, value));
                break;
            }
        }
        let (end, value) = found?;
        keys.push(candidate.clone());
        current = value;
        start = end + 1;
    }
    Some(current)
}

/// Sets `value` at `keys` in `output`, creating objects on the way (a
/// later, deeper field merges into an earlier subtree; a later, shallower
/// one replaces it, like lodash's `set`).
fn insert(output: &mut Map<String, Value>, keys: &[String], value: Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut node = output;
    for key in parents {
        let child = node
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        let Value::Object(next) = child else {
            return;
        };
        node = next;
    }
    node.insert(last.clone(), value);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entity() -> Value {
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "tags": ["t1", "t2"],
                "annotations": {
                    "backstage.io/techdocs-ref": "dir:.",
                    "github.com/project-slug": "org/web"
                }
            },
            "spec": {"type": "website", "owner": "team-a"},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
        })
    }

    fn select(values: &[&str]) -> Value {
        parse_fields(values.iter().copied())
            .unwrap()
            .unwrap()
            .apply(&entity())
    }

    #[test]
    fn nothing_selected_is_none() {
        for values in [&[][..], &[""], &[","], &[" , ", ""]] {
            assert_eq!(parse_fields(values.iter().copied()).unwrap(), None);
        }
    }

    #[test]
    fn comma_separated_and_repeated() {
        assert_eq!(
            select(&["kind,metadata.name", "metadata.namespace"]),
            json!({"kind": "Component", "metadata": {"name": "web", "namespace": "default"}})
        );
        assert_eq!(
            select(&[" kind , apiVersion "]),
            json!({"kind": "Component", "apiVersion": "backstage.io/v1alpha1"})
        );
    }

    #[test]
    fn whole_subtrees() {
        assert_eq!(
            select(&["metadata.tags", "relations"]),
            json!({
                "metadata": {"tags": ["t1", "t2"]},
                "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
            })
        );
        // A subtree and a field inside it keep the subtree.
        assert_eq!(
            select(&["spec", "spec.type"]),
            json!({"spec": entity()["spec"]})
        );
        assert_eq!(
            select(&["spec.type", "spec"]),
            json!({"spec": entity()["spec"]})
        );
    }

    #[test]
    fn dotted_keys_are_found_by_greedy_joining() {
        assert_eq!(
            select(&["metadata.annotations.backstage.io/techdocs-ref"]),
            json!({"metadata": {"annotations": {"backstage.io/techdocs-ref": "dir:."}}})
        );
        assert_eq!(
            select(&["metadata.annotations.github.com/project-slug,metadata.name"]),
            json!({"metadata": {
                "annotations": {"github.com/project-slug": "org/web"},
                "name": "web"
            }})
        );
    }

    #[test]
    fn unresolved_paths_keep_nothing() {
        assert_eq!(select(&["metadata.nothing"]), json!({}));
        assert_eq!(select(&["spec.type.deeper"]), json!({}));
        assert_eq!(select(&["relations.type"]), json!({}));
        assert_eq!(select(&["metadata.tags.0"]), json!({}));
        assert_eq!(select(&["Kind"]), json!({}));
        assert_eq!(select(&["nothing", "kind"]), json!({"kind": "Component"}));
    }

    #[test]
    fn applies_to_any_json() {
        let selection = parse_fields(["a.b"]).unwrap().unwrap();
        assert_eq!(selection.apply(&json!(null)), json!({}));
        assert_eq!(selection.apply(&json!({"a": 1})), json!({}));
        assert_eq!(
            selection.apply(&json!({"a": {"b": null}})),
            json!({"a": {"b": null}})
        );
    }

    #[test]
    fn array_fields_are_refused() {
        let err = parse_fields(["kind,metadata.tags[0]"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid fields, array type fields are not supported"
        );
    }

    #[test]
    fn limits() {
        let many: Vec<String> = (0..=MAX_FIELDS).map(|i| format!("f{i}")).collect();
        let joined = many.join(",");
        assert!(
            parse_fields([joined.as_str()])
                .unwrap_err()
                .to_string()
                .contains("at most 100 fields")
        );
        // Duplicates count once.
        let same = vec!["kind"; 5_000].join(",");
        assert!(parse_fields([same.as_str()]).is_ok());
        let long = "a.".repeat(150);
        assert!(
            parse_fields([long.as_str()])
                .unwrap_err()
                .to_string()
                .contains("longer than 200")
        );
    }
}
