//! How fields and values are named in messages, so every message of the
//! crate reads the same way: fields as `metadata.tags[1]`, values as JSON
//! literals with their type when that helps.

use serde_json::Value;

/// Turns a pointer into the dotted field name people read in messages:
/// object keys joined by `.`, array indices as `[n]`. The root is `<root>`.
pub(crate) fn field_name(pointer: &str) -> String {
    if pointer.is_empty() {
        return "<root>".to_owned();
    }
    let mut out = String::with_capacity(pointer.len());
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && !out.is_empty() {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

/// A short description of a JSON value for messages: `a number (42)`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A string as a JSON literal, shortened when very long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX).collect();
        format!("{}…", Value::String(short))
    } else {
        Value::String(s.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_names_read_naturally() {
        assert_eq!(field_name(""), "<root>");
        assert_eq!(field_name("/metadata/tags/1"), "metadata.tags[1]");
        assert_eq!(
            field_name("/metadata/annotations/backstage.io~1view-url"),
            "metadata.annotations.backstage.io/view-url"
        );
    }

    #[test]
    fn values_are_described_with_their_type() {
        assert_eq!(describe(&json!(42)), "a number (42)");
        assert_eq!(describe(&json!("a\"b")), "the string \"a\\\"b\"");
        assert_eq!(describe(&json!({})), "an object");
        assert!(quote(&"x".repeat(100)).ends_with("…"));
    }
}
