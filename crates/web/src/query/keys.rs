//! The rules every search key and compared value obeys, wherever it comes
//! from (filter strings, JSON predicates, sort fields, facets, full-text
//! fields), so hostile input is refused the same way everywhere.
//!
//! Keys are lower-cased dot paths (`spec.type`, `relations.ownedby`);
//! values are lower-cased strings. Both are bounded in length, may not
//! carry a NUL (PostgreSQL cannot compare one), and a key may not use the
//! path segments `__proto__`, `constructor` or `prototype`, nor start with
//! `$` (which JSON predicates reserve for operators, so such a key could
//! not round-trip through a cursor).
//!
//! The functions return the bare reason; callers wrap it in a
//! [`QueryError`](super::QueryError) naming the parameter or JSON path.

use super::error::excerpt;

/// Longest search key, in characters.
pub const MAX_KEY_CHARS: usize = 200;
/// Longest compared value, in characters.
pub const MAX_VALUE_CHARS: usize = 1_000;
/// Path segments refused in keys.
pub const RESERVED_SEGMENTS: [&str; 3] = ["__proto__", "constructor", "prototype"];

fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().nth(max).is_some()
}

/// Lower-cases `raw` into a search key, or says why it cannot be one.
pub(crate) fn normalize_key(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("the key is empty".to_owned());
    }
    if longer_than(raw, MAX_KEY_CHARS) {
        return Err(format!(
            "the key '{}' is longer than {MAX_KEY_CHARS} characters",
            excerpt(raw)
        ));
    }
    if raw.contains('\0') {
        return Err("the key contains a NUL character".to_owned());
    }
    let key = raw.to_lowercase();
    if key.starts_with('$') {
        return Err(format!("the key '{}' must not start with $", excerpt(raw)));
    }
    if let Some(segment) = key
        .split('.')
        .find(|segment| RESERVED_SEGMENTS.contains(segment))
    {
        return Err(format!(
            "the key '{}' uses the reserved path segment '{segment}'",
            excerpt(raw)
        ));
    }
    Ok(key)
}

/// Lower-cases `raw` into a compared value, or says why it cannot be one.
pub(crate) fn normalize_value(raw: &str) -> Result<String, String> {
    if longer_than(raw, MAX_VALUE_CHARS) {
        return Err(format!(
            "the value '{}' is longer than {MAX_VALUE_CHARS} characters",
            excerpt(raw)
        ));
    }
    if raw.contains('\0') {
        return Err("the value contains a NUL character".to_owned());
    }
    Ok(raw.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lower_cased() {
        assert_eq!(normalize_key("Spec.Type").unwrap(), "spec.type");
        assert_eq!(
            normalize_key("metadata.annotations.backstage.io/techdocs-ref").unwrap(),
            "metadata.annotations.backstage.io/techdocs-ref"
        );
    }

    #[test]
    fn reserved_segments_are_refused_in_any_case() {
        for key in [
            "__proto__",
            "metadata.__proto__.x",
            "spec.constructor",
            "a.Prototype",
            "A.__PROTO__",
        ] {
            let err = normalize_key(key).unwrap_err();
            assert!(err.contains("reserved path segment"), "{key}: {err}");
        }
        // Only whole segments are reserved.
        assert!(normalize_key("spec.constructors").is_ok());
        assert!(normalize_key("metadata.annotations.my__proto__x").is_ok());
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(normalize_key("").is_err());
        assert!(
            normalize_key("$all")
                .unwrap_err()
                .contains("must not start with $")
        );
        assert!(normalize_key("a\0b").unwrap_err().contains("NUL"));
        assert!(normalize_key(&"k".repeat(MAX_KEY_CHARS)).is_ok());
        let err = normalize_key(&"k".repeat(MAX_KEY_CHARS + 1)).unwrap_err();
        assert!(err.contains("longer than 200"), "{err}");
        // Characters, not bytes.
        assert!(normalize_key(&"é".repeat(MAX_KEY_CHARS)).is_ok());
    }

    #[test]
    fn values_are_lower_cased_and_bounded() {
        assert_eq!(normalize_value("Service").unwrap(), "service");
        assert_eq!(normalize_value("").unwrap(), "");
        assert!(normalize_value(&"v".repeat(MAX_VALUE_CHARS)).is_ok());
        assert!(normalize_value(&"v".repeat(MAX_VALUE_CHARS + 1)).is_err());
        assert!(normalize_value("a\0").is_err());
    }
}
