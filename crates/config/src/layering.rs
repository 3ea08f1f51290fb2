//! Layering of config sources and `APP_CONFIG_*` environment overrides.
//!
//! Later sources win: mappings are merged key by key, while lists and
//! scalars (including `null`) replace what was there, as in Backstage. The
//! environment layer comes last: `APP_CONFIG_backend_listen_port=8080` sets
//! `backend.listen.port`; its value is parsed as JSON when it can be
//! (`'"false"'` for the string), else taken as a string.

use serde_json::{Map, Value};

use crate::environment::Environment;
use crate::error::ConfigError;
use crate::file::Layer;
use crate::origin::{Source, escape_pointer};

/// Prefix of override variables.
const PREFIX: &str = "APP_CONFIG_";

/// Merges `top` over `base`.
pub(crate) fn merge(base: &mut Layer, top: Layer) {
    let mut replaced = Vec::new();
    merge_value(&mut base.value, top.value, String::new(), &mut replaced);
    for pointer in replaced {
        base.origins.remove_subtree(&pointer);
    }
    base.origins.extend(top.origins);
}

fn merge_value(base: &mut Value, top: Value, pointer: String, replaced: &mut Vec<String>) {
    match (base, top) {
        (Value::Object(base_map), Value::Object(top_map)) => {
            for (key, top_child) in top_map {
                let child_pointer = format!("{pointer}/{}", escape_pointer(&key));
                match base_map.get_mut(&key) {
                    Some(base_child) => merge_value(base_child, top_child, child_pointer, replaced),
                    None => {
                        base_map.insert(key, top_child);
                    }
                }
            }
        }
        (base, top) => {
            *base = top;
            replaced.push(pointer);
        }
    }
}

/// The layer made of every `APP_CONFIG_*` variable, if any is set (and not
/// empty).
pub(crate) fn environment_layer(env: &dyn Environment) -> Result<Option<Layer>, ConfigError> {
    let mut vars: Vec<(String, String)> = env
        .vars()
        .into_iter()
        .filter(|(name, value)| name.starts_with(PREFIX) && !value.is_empty())
        .collect();
    if vars.is_empty() {
        return Ok(None);
    }
    vars.sort();
    let mut layer = Layer {
        value: Value::Object(Map::new()),
        ..Layer::default()
    };
    for (var, raw) in vars {
        apply_override(&mut layer, &var, &raw)?;
    }
    Ok(Some(layer))
}

fn apply_override(layer: &mut Layer, var: &str, raw: &str) -> Result<(), ConfigError> {
    let fail = |message: String| ConfigError::Override {
        var: var.to_owned(),
        message,
    };
    let key = &var[PREFIX.len()..];
    let parts: Vec<&str> = key.split('_').collect();
    if let Some(bad) = parts.iter().find(|part| !is_key_part(part)) {
        return Err(fail(format!(
            "'{bad}' is not a valid config key part (letters and digits, starting with a letter)"
        )));
    }
    let value = match serde_json::from_str::<Value>(raw) {
        Ok(Value::Null) => return Err(fail("the value may not be null".to_owned())),
        Ok(value) => value,
        Err(_) => Value::String(raw.to_owned()),
    };
    let source = Source::Environment {
        var: var.to_owned(),
    };

    let mut node = &mut layer.value;
    let mut pointer = String::new();
    let (last, parents) = parts.split_last().unwrap_or((&"", &[]));
    for (depth, part) in parents.iter().enumerate() {
        pointer = format!("{pointer}/{}", escape_pointer(part));
        let Value::Object(map) = node else {
            return Err(fail(format!(
                "cannot nest config under '{}', which another variable sets to a value",
                parts[..depth].join("_")
            )));
        };
        if !map.contains_key(*part) {
            layer.origins.insert(pointer.clone(), source.clone());
        }
        node = map
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let Value::Object(map) = node else {
        return Err(fail(format!(
            "cannot nest config under '{}', which another variable sets to a value",
            parents.join("_")
        )));
    };
    if map.contains_key(*last) {
        return Err(fail(format!(
            "refusing to override '{key}', which other APP_CONFIG_ variables set below"
        )));
    }
    map.insert((*last).to_owned(), value);
    let pointer = format!("{pointer}/{}", escape_pointer(last));
    record_subtree(&mut layer.origins, &pointer, &map[*last], &source);
    Ok(())
}

/// Records `source` for `value` at `pointer` and everything below it.
fn record_subtree(
    origins: &mut crate::origin::Origins,
    pointer: &str,
    value: &Value,
    source: &Source,
) {
    origins.insert(pointer.to_owned(), source.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                record_subtree(
                    origins,
                    &format!("{pointer}/{}", escape_pointer(key)),
                    child,
                    source,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                record_subtree(origins, &format!("{pointer}/{index}"), child, source);
            }
        }
        _ => {}
    }
}

/// Backstage's pattern for one part of an override key: letters and digits
/// starting with a letter, optionally joined by dashes (`a-b`).
fn is_key_part(part: &str) -> bool {
    !part.is_empty()
        && part.split('-').all(|piece| {
            let mut chars = piece.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layer(value: Value) -> Layer {
        Layer {
            value,
            ..Layer::default()
        }
    }

    #[test]
    fn mappings_merge_and_everything_else_replaces() {
        let mut base = layer(json!({"a": {"x": 1, "list": [1, 2, 3]}, "b": "keep"}));
        merge(
            &mut base,
            layer(json!({"a": {"y": 2, "list": [9]}, "b": null})),
        );
        assert_eq!(
            base.value,
            json!({"a": {"x": 1, "list": [9], "y": 2}, "b": null})
        );
    }

    #[test]
    fn override_keys_are_validated() {
        assert!(is_key_part("title"));
        assert!(is_key_part("connect-src"));
        assert!(!is_key_part(""));
        assert!(!is_key_part("1abc"));
        assert!(!is_key_part("a.b"));
    }
}
