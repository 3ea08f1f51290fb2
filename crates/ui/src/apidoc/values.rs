//! Small readers for the loosely typed JSON of an API definition: every
//! field may be missing or of the wrong type, and none of that is an error
//! worth more than leaving the field out.

use serde_json::{Map, Value};

/// Longest text shown for one scalar (an enum value, a default, an
/// example); longer ones are cut with an ellipsis.
const MAX_SCALAR_CHARS: usize = 200;

/// `value[key]` when it is a string.
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// `value[key]` when it is a non-blank string.
pub(crate) fn text_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    str_field(value, key).filter(|text| !text.trim().is_empty())
}

/// `value[key]` when it is an object.
pub(crate) fn object_field<'a>(value: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    value.get(key).and_then(Value::as_object)
}

/// `value[key]` when it is an array; empty otherwise.
pub(crate) fn array_field<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Whether `value[key]` is `true`.
pub(crate) fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A scalar as a reader would write it: strings bare, everything else as
/// compact JSON, cut at [`MAX_SCALAR_CHARS`].
pub(crate) fn scalar_text(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Array(_) | Value::Object(_) => compact_json(value),
        other => other.to_string(),
    };
    shorten(&text, MAX_SCALAR_CHARS)
}

fn compact_json(value: &Value) -> String {
    // Bounded: render at most a little more than we keep.
    let mut out = String::new();
    write_bounded(value, &mut out, MAX_SCALAR_CHARS * 4);
    out
}

fn write_bounded(value: &Value, out: &mut String, limit: usize) {
    if out.len() > limit {
        return;
    }
    match value {
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if out.len() > limit {
                    break;
                }
                if index > 0 {
                    out.push_str(", ");
                }
                write_bounded(item, out, limit);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (index, (key, item)) in fields.iter().enumerate() {
                if out.len() > limit {
                    break;
                }
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push_str(": ");
                write_bounded(item, out, limit);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `text` cut to `max` characters, with `…` when something was cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_read_as_written() {
        assert_eq!(scalar_text(&json!("on")), "on");
        assert_eq!(scalar_text(&json!(1.5)), "1.5");
        assert_eq!(scalar_text(&json!(null)), "null");
        assert_eq!(scalar_text(&json!({"a": [1, "b"]})), r#"{"a": [1, "b"]}"#);
    }

    #[test]
    fn long_scalars_are_cut_on_a_character() {
        let long = "é".repeat(MAX_SCALAR_CHARS + 5);
        let text = scalar_text(&json!(long));
        assert_eq!(text.chars().count(), MAX_SCALAR_CHARS + 1);
        assert!(text.ends_with('…'));
        let row = Value::Array(vec![json!("x"); 100]);
        let nested = Value::Array(vec![Value::Array(vec![row; 100]); 100]);
        assert!(scalar_text(&nested).chars().count() <= MAX_SCALAR_CHARS + 1);
    }
}
