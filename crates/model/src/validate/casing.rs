//! Backstage's stitch-time check that no two flattened keys of an entity
//! differ only in case (`spec.foo` and `spec.Foo`): the search table stores
//! keys lower-cased, so such an entity cannot be indexed. We run it at
//! ingestion so the author hears about it with the other problems.
//!
//! Keys are flattened the way `buildEntitySearch` does: object keys joined
//! by `.`, array items under their array's key (no index), and for each
//! string item an extra `<array key>.<item>` key unless one differing only in
//! case exists already.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::Issue;
use crate::pointer::{push_index, push_token};
use crate::search::SPECIAL_PATHS;

/// Keys `buildEntitySearch` always adds (with the entity's pointer for them).
const ALWAYS_PRESENT: &[(&str, &str)] = &[
    ("metadata.name", "/metadata/name"),
    ("metadata.namespace", "/metadata/namespace"),
    ("metadata.uid", "/metadata/uid"),
];

struct Flattened {
    /// Each distinct key with the pointer of its first occurrence, in order.
    keys: Vec<(String, String)>,
    seen: HashSet<String>,
    lower_seen: HashSet<String>,
}

impl Flattened {
    fn add(&mut self, key: &str, pointer: &str) {
        if self.seen.insert(key.to_owned()) {
            self.lower_seen.insert(key.to_lowercase());
            self.keys.push((key.to_owned(), pointer.to_owned()));
        }
    }

    fn visit(&mut self, path: &str, pointer: &str, value: &Value) {
        if SPECIAL_PATHS.contains(&path) {
            return;
        }
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_pointer = push_index(pointer, i);
                    self.visit(path, &item_pointer, item);
                    if let Value::String(s) = item {
                        let key = format!("{path}.{s}");
                        if !self.lower_seen.contains(&key.to_lowercase()) {
                            self.add(&key, &item_pointer);
                        }
                    }
                }
            }
            Value::Object(map) => {
                for (key, child) in map {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    self.visit(&child_path, &push_token(pointer, key), child);
                }
            }
            _ => self.add(path, pointer),
        }
    }
}

/// Reports every flattened key that differs only in case from an earlier one.
pub(crate) fn check_duplicate_casing(entity: &Value) -> Vec<Issue> {
    let mut flat = Flattened {
        keys: Vec::new(),
        seen: HashSet::new(),
        lower_seen: HashSet::new(),
    };
    flat.visit("", "", entity);
    for (key, pointer) in ALWAYS_PRESENT {
        flat.add(key, pointer);
    }
    if flat.keys.len() == flat.lower_seen.len() {
        return Vec::new();
    }
    let mut first_by_lower: HashMap<String, &str> = HashMap::new();
    let mut issues = Vec::new();
    for (key, pointer) in &flat.keys {
        let lower = key.to_lowercase();
        match first_by_lower.get(&lower) {
            None => {
                first_by_lower.insert(lower, key);
            }
            Some(first) => issues.push(Issue::new(
                pointer.as_str(),
                format!(
                    "Entity has duplicate keys that vary only in casing, '{lower}' (\"{first}\" and \"{key}\")"
                ),
            )),
        }
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_differing_in_case_are_reported_once_each() {
        let issues = check_duplicate_casing(&json!({
            "metadata": {"name": "a"},
            "spec": {"foo": 1, "Foo": 2, "list": [{"x": 1}, {"X": 2}]}
        }));
        assert_eq!(
            issues,
            vec![
                Issue::new(
                    "/spec/Foo",
                    "Entity has duplicate keys that vary only in casing, 'spec.foo' (\"spec.foo\" and \"spec.Foo\")"
                ),
                Issue::new(
                    "/spec/list/1/X",
                    "Entity has duplicate keys that vary only in casing, 'spec.list.x' (\"spec.list.x\" and \"spec.list.X\")"
                ),
            ]
        );
    }

    #[test]
    fn string_items_differing_in_case_are_fine() {
        let e = json!({"metadata": {"name": "a", "tags": ["java"]}, "spec": {"dependsOn": ["resource:A", "resource:a"]}});
        assert_eq!(check_duplicate_casing(&e), vec![]);
    }

    #[test]
    fn metadata_name_clashes_with_a_capitalised_copy() {
        let e = json!({"metadata": {"name": "a", "Name": "b"}});
        assert_eq!(check_duplicate_casing(&e).len(), 1);
    }
}
