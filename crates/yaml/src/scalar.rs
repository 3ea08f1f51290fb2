//! Turns one YAML scalar into a JSON value, following the YAML 1.2 core schema
//! the way the JavaScript `yaml` library (which Backstage uses) resolves it.
//!
//! Numbers follow JavaScript semantics because Backstage's JSON is produced by
//! JavaScript: `1.0` and `1e3` are the integers `1` and `1000`. Values JSON
//! cannot hold (`.inf`, `.nan`, overflowing floats) stay strings.

use std::borrow::Cow;

use saphyr_parser::{ScalarStyle, Tag};
use serde_json::{Number, Value};

/// The core-schema tags a document may force on a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CoreTag {
    Str,
    Int,
    Float,
    Bool,
    Null,
}

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// Which core tag, if any, `tag` names (`!!int` and `!<tag:yaml.org,2002:int>`).
/// `Some(Str)` also for the non-specific `!`, which forces a string.
fn core_tag(tag: &Tag) -> Option<CoreTag> {
    let suffix = if tag.handle == CORE_PREFIX {
        tag.suffix.as_str()
    } else if tag.handle.is_empty() {
        if tag.suffix == "!" {
            return Some(CoreTag::Str);
        }
        tag.suffix.strip_prefix(CORE_PREFIX)?
    } else {
        return None;
    };
    match suffix {
        "str" => Some(CoreTag::Str),
        "int" => Some(CoreTag::Int),
        "float" => Some(CoreTag::Float),
        "bool" => Some(CoreTag::Bool),
        "null" => Some(CoreTag::Null),
        _ => None,
    }
}

/// Resolves a scalar's text to a JSON value.
///
/// Quoted and block scalars are strings unless a core tag says otherwise;
/// plain scalars go through core-schema resolution. Other tags (`!Ref`) leave
/// the value as it would be untagged. An error message is returned when an
/// explicit core tag does not fit the text (`!!int abc`).
pub(crate) fn resolve(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, String> {
    let text_ref: &str = &text;
    match tag.and_then(core_tag) {
        Some(CoreTag::Str) => Ok(Value::String(text.into_owned())),
        Some(CoreTag::Null) => {
            if is_null(text_ref) {
                Ok(Value::Null)
            } else {
                Err(invalid(text_ref, "!!null"))
            }
        }
        Some(CoreTag::Bool) => parse_bool(text_ref)
            .map(Value::Bool)
            .ok_or_else(|| invalid(text_ref, "!!bool")),
        Some(CoreTag::Int) => parse_int(text_ref).ok_or_else(|| invalid(text_ref, "!!int")),
        Some(CoreTag::Float) => parse_int(text_ref)
            .or_else(|| parse_float(text_ref))
            .ok_or_else(|| invalid(text_ref, "!!float")),
        None if style == ScalarStyle::Plain => Ok(resolve_plain(text)),
        None => Ok(Value::String(text.into_owned())),
    }
}

fn invalid(text: &str, tag: &str) -> String {
    format!("value {text:?} is not a valid {tag}")
}

/// Core-schema resolution of an untagged plain scalar.
pub(crate) fn resolve_plain(text: Cow<'_, str>) -> Value {
    // Fast path: most scalars are words that cannot be anything but strings.
    let Some(&first) = text.as_bytes().first() else {
        return Value::Null;
    };
    let maybe_special = matches!(
        first,
        b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'0'..=b'9' | b'+' | b'-' | b'.'
    );
    if maybe_special {
        if is_null(&text) {
            return Value::Null;
        }
        if let Some(b) = parse_bool(&text) {
            return Value::Bool(b);
        }
        if let Some(n) = parse_int(&text).or_else(|| parse_float(&text)) {
            return n;
        }
    }
    Value::String(text.into_owned())
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`.
fn parse_int(text: &str) -> Option<Value> {
    if let Some(hex) = text.strip_prefix("0x") {
        return parse_radix(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return parse_radix(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = digits.parse::<u64>()
        && !text.starts_with('-')
    {
        return Some(Value::from(u));
    }
    // Too large for 64 bits: JavaScript keeps it as an (imprecise) double.
    text.parse::<f64>().ok().and_then(js_number)
}

fn parse_radix(digits: &str, radix: u32) -> Option<Value> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if let Ok(u) = u64::from_str_radix(digits, radix) {
        return Some(Value::from(u));
    }
    let mut f = 0.0_f64;
    for c in digits.chars() {
        f = f * f64::from(radix) + f64::from(c.to_digit(radix)?);
    }
    js_number(f)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` and the special
/// `.inf`/`.nan` forms, which JSON cannot hold and so stay strings.
fn parse_float(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Value::String(text.to_owned()));
    }
    if !is_float_syntax(unsigned) {
        return None;
    }
    let f = text.parse::<f64>().ok()?;
    // An overflow to infinity is not representable either: keep the text.
    Some(js_number(f).unwrap_or_else(|| Value::String(text.to_owned())))
}

fn is_float_syntax(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    let int_digits = count_digits(&bytes[i..]);
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = count_digits(&bytes[i..]);
        i += frac_digits;
    } else if int_digits == 0 {
        return false;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_digits = count_digits(&bytes[i..]);
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == bytes.len()
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// A double as JavaScript would put it in JSON: integral values become
/// integers, non-finite values are not representable (`None`).
fn js_number(f: f64) -> Option<Value> {
    const MAX_SAFE: f64 = 9_007_199_254_740_992.0; // 2^53
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() <= MAX_SAFE {
        // Exact: an integral double within ±2^53 converts without loss.
        #[allow(clippy::cast_possible_truncation)]
        return Some(Value::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number)
}

/// The string a resolved key becomes in a JSON object, as JavaScript's
/// `String(key)` would give (`null` becomes the empty string).
pub(crate) fn key_string(value: Value) -> String {
    match value {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(s: &str) -> Value {
        resolve_plain(s.into())
    }

    #[test]
    fn nulls_and_bools() {
        for s in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(plain(s), Value::Null, "{s}");
        }
        for s in ["nULL", "nil", "None"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
        for s in ["true", "True", "TRUE"] {
            assert_eq!(plain(s), json!(true), "{s}");
        }
        for s in ["false", "False", "FALSE"] {
            assert_eq!(plain(s), json!(false), "{s}");
        }
        // YAML 1.1 booleans are plain strings in 1.2.
        for s in ["yes", "no", "on", "off", "y", "tRUE"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(plain("0"), json!(0));
        assert_eq!(plain("-17"), json!(-17));
        assert_eq!(plain("+17"), json!(17));
        assert_eq!(plain("007"), json!(7));
        assert_eq!(plain("0x1F"), json!(31));
        assert_eq!(plain("0o17"), json!(15));
        assert_eq!(plain("18446744073709551615"), json!(u64::MAX));
        assert_eq!(plain("100000000000000000000"), json!(1e20));
        for s in [
            "0x", "0o", "0o8", "0xG", "-0x1", "1_000", "0b101", "1,000", "12abc",
        ] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
    }

    #[test]
    fn floats_follow_javascript_numbers() {
        assert_eq!(plain("1.5"), json!(1.5));
        assert_eq!(plain("-.5"), json!(-0.5));
        assert_eq!(plain("1.0"), json!(1));
        assert_eq!(plain("1."), json!(1));
        assert_eq!(plain("1e3"), json!(1000));
        assert_eq!(plain("2.5E-1"), json!(0.25));
        for s in [".inf", "-.inf", "+.INF", ".nan", ".NaN", "1e999"] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
        for s in [".", "1e", "e3", "1.2.3", "inf", "nan", "1.5x", "."] {
            assert_eq!(plain(s), json!(s), "{s}");
        }
    }

    #[test]
    fn explicit_core_tags() {
        let tag = |suffix: &str| Tag {
            handle: CORE_PREFIX.to_owned(),
            suffix: suffix.to_owned(),
        };
        let quoted = ScalarStyle::DoubleQuoted;
        let plain = ScalarStyle::Plain;
        assert_eq!(
            resolve("12".into(), plain, Some(&tag("str"))),
            Ok(json!("12"))
        );
        assert_eq!(
            resolve("12".into(), quoted, Some(&tag("int"))),
            Ok(json!(12))
        );
        assert_eq!(
            resolve("1".into(), plain, Some(&tag("float"))),
            Ok(json!(1))
        );
        assert_eq!(
            resolve("0.5".into(), quoted, Some(&tag("float"))),
            Ok(json!(0.5))
        );
        assert_eq!(
            resolve("TRUE".into(), quoted, Some(&tag("bool"))),
            Ok(json!(true))
        );
        assert_eq!(
            resolve("~".into(), quoted, Some(&tag("null"))),
            Ok(Value::Null)
        );
        assert!(resolve("abc".into(), plain, Some(&tag("int"))).is_err());
        assert!(resolve("yes".into(), plain, Some(&tag("bool"))).is_err());
        assert!(resolve("x".into(), plain, Some(&tag("null"))).is_err());
        // Other tags keep the value as it would be without them.
        let custom = Tag {
            handle: "!".to_owned(),
            suffix: "Ref".to_owned(),
        };
        assert_eq!(resolve("12".into(), plain, Some(&custom)), Ok(json!(12)));
        assert_eq!(resolve("12".into(), quoted, Some(&custom)), Ok(json!("12")));
    }

    #[test]
    fn keys_become_strings() {
        assert_eq!(key_string(json!(null)), "");
        assert_eq!(key_string(json!(true)), "true");
        assert_eq!(key_string(json!(12)), "12");
        assert_eq!(key_string(json!(["a", 1])), r#"["a",1]"#);
    }
}
