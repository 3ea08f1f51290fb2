//! `$text` / `$json` / `$yaml` placeholders: finding them in an entity and
//! putting the read value in their place. Reading the target is I/O and is
//! done by the catalog; this module only knows the shape rules.
//!
//! As in Backstage, an object is a placeholder only when it has exactly one
//! key and that key is `$text`, `$json` or `$yaml`. Objects with several keys
//! of which some start with `$`, or with one unknown `$key` (JSON Schema's
//! `$ref`, say), are left alone and not searched further.

use serde::Serialize;
use serde_json::Value;

use crate::Issue;
use crate::display::describe;
use crate::pointer::{push_index, push_token};

/// Which resolver a placeholder names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceholderKind {
    /// `$text`: the file content as a string.
    Text,
    /// `$json`: the file parsed as JSON.
    Json,
    /// `$yaml`: the file parsed as exactly one YAML document.
    Yaml,
}

impl PlaceholderKind {
    fn from_key(key: &str) -> Option<Self> {
        match key {
            "$text" => Some(PlaceholderKind::Text),
            "$json" => Some(PlaceholderKind::Json),
            "$yaml" => Some(PlaceholderKind::Yaml),
            _ => None,
        }
    }

    /// The key as written in the entity (`$text`).
    pub fn key(self) -> &'static str {
        match self {
            PlaceholderKind::Text => "$text",
            PlaceholderKind::Json => "$json",
            PlaceholderKind::Yaml => "$yaml",
        }
    }
}

/// One placeholder found in an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placeholder {
    /// JSON pointer of the placeholder object (what [`substitute`] replaces).
    pub pointer: String,
    /// The resolver it names.
    pub kind: PlaceholderKind,
    /// The URL or relative path to read, as written.
    pub target: String,
}

/// Every placeholder of the entity, in document order, or one issue per
/// placeholder whose value is not a string.
pub fn find_placeholders(entity: &Value) -> Result<Vec<Placeholder>, Vec<Issue>> {
    let mut found = Vec::new();
    let mut issues = Vec::new();
    visit(entity, String::new(), &mut found, &mut issues);
    if issues.is_empty() {
        Ok(found)
    } else {
        Err(issues)
    }
}

fn visit(value: &Value, pointer: String, found: &mut Vec<Placeholder>, issues: &mut Vec<Issue>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                visit(item, push_index(&pointer, i), found, issues);
            }
        }
        Value::Object(map) => {
            if !map.keys().any(|k| k.starts_with('$')) {
                for (key, child) in map {
                    visit(child, push_token(&pointer, key), found, issues);
                }
                return;
            }
            let mut entries = map.iter();
            let (Some((key, param)), None) = (entries.next(), entries.next()) else {
                return;
            };
            let Some(kind) = PlaceholderKind::from_key(key) else {
                return;
            };
            match param {
                Value::String(target) => found.push(Placeholder {
                    pointer,
                    kind,
                    target: target.clone(),
                }),
                other => issues.push(Issue::new(
                    push_token(&pointer, key),
                    format!(
                        "Placeholder {key} expected a string value parameter, in the form of an absolute URL or a relative path, but found {}",
                        describe(other)
                    ),
                )),
            }
        }
        _ => {}
    }
}

/// Replaces the value at `pointer` (as returned in [`Placeholder::pointer`])
/// with `value`. Returns `false`, leaving the entity unchanged, when nothing
/// exists at that pointer.
pub fn substitute(entity: &mut Value, pointer: &str, value: Value) -> bool {
    match entity.pointer_mut(pointer) {
        Some(slot) => {
            *slot = value;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_single_key_placeholders_in_document_order() {
        let e = json!({
            "metadata": {"name": "x"},
            "spec": {
                "definition": {"$text": "./api.yaml"},
                "list": [{"$json": "https://example.com/a.json"}, "plain"],
                "a/b": {"$yaml": "b.yaml"}
            }
        });
        let found = find_placeholders(&e).unwrap();
        assert_eq!(
            found,
            vec![
                Placeholder {
                    pointer: "/spec/definition".into(),
                    kind: PlaceholderKind::Text,
                    target: "./api.yaml".into()
                },
                Placeholder {
                    pointer: "/spec/list/0".into(),
                    kind: PlaceholderKind::Json,
                    target: "https://example.com/a.json".into()
                },
                Placeholder {
                    pointer: "/spec/a~1b".into(),
                    kind: PlaceholderKind::Yaml,
                    target: "b.yaml".into()
                },
            ]
        );
    }

    #[test]
    fn unknown_or_multi_key_dollar_objects_are_left_alone() {
        let e = json!({
            "spec": {
                "schema": {"$ref": "#/definitions/x"},
                "file": {"$file": "x.yaml"},
                "mixed": {"$text": "a", "other": {"$text": "hidden"}}
            }
        });
        assert_eq!(find_placeholders(&e).unwrap(), vec![]);
    }

    #[test]
    fn non_string_parameter_is_an_issue() {
        let e = json!({"spec": {"definition": {"$text": 42}}});
        let issues = find_placeholders(&e).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/spec/definition/$text");
        assert!(
            issues[0]
                .message
                .starts_with("Placeholder $text expected a string value parameter"),
            "{}",
            issues[0].message
        );
        assert!(issues[0].message.ends_with("but found a number (42)"));
    }

    #[test]
    fn substitute_replaces_the_placeholder_object() {
        let mut e = json!({"spec": {"definition": {"$text": "./api.yaml"}}});
        let pointer = find_placeholders(&e).unwrap()[0].pointer.clone();
        assert!(substitute(&mut e, &pointer, json!("openapi: 3.0.0")));
        assert_eq!(e, json!({"spec": {"definition": "openapi: 3.0.0"}}));
        assert!(!substitute(&mut e, "/spec/missing/x", json!(1)));
    }
}
