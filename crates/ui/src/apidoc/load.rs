//! Reading a definition's text into JSON: JSON through `serde_json` when it
//! looks like JSON, otherwise (and for the error message when JSON fails)
//! YAML through `greenroom-yaml`, whose limits bound size, nesting and alias
//! expansion.

use greenroom_yaml::{Limits, SingleError};
use serde_json::Value;

/// Tighter than the defaults on nodes: a page is rendered per request, and
/// a definition at the size limit holds far fewer nodes than this.
const LIMITS: Limits = Limits {
    max_bytes: 4 * 1024 * 1024,
    max_nodes: 400_000,
    max_depth: 128,
};

/// Why a definition could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    #[error("the definition is empty")]
    Empty,
    #[error("the definition is not valid YAML or JSON: {0}")]
    Syntax(#[from] SingleError),
    #[error("the definition is not {kind} document: {reason}")]
    NotThisKind { kind: &'static str, reason: String },
}

/// The definition as JSON.
pub(crate) fn load(definition: &str) -> Result<Value, LoadError> {
    if definition.trim().is_empty() {
        return Err(LoadError::Empty);
    }
    if definition.len() <= LIMITS.max_bytes
        && definition.trim_start().starts_with('{')
        && let Ok(value) = serde_json::from_str(definition)
    {
        return Ok(value);
    }
    Ok(greenroom_yaml::parse_single(definition.as_bytes(), &LIMITS)?.value)
}

/// The definition as JSON, checked to be an object with one of
/// `version_keys` (`openapi`/`swagger`, `asyncapi`); `kind` names the
/// document with its article ("an OpenAPI").
pub(crate) fn load_kind(
    definition: &str,
    kind: &'static str,
    version_keys: &[&str],
) -> Result<Value, LoadError> {
    let value = load(definition)?;
    if !value.is_object() {
        return Err(LoadError::NotThisKind {
            kind,
            reason: "its top level is not a mapping".to_owned(),
        });
    }
    if !version_keys.iter().any(|key| value.get(key).is_some()) {
        let fields: Vec<String> = version_keys.iter().map(|key| format!("`{key}`")).collect();
        return Err(LoadError::NotThisKind {
            kind,
            reason: format!("it has no {} field", fields.join(" or ")),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_yaml_and_json() {
        assert_eq!(load("a: 1").ok(), Some(serde_json::json!({"a": 1})));
        assert_eq!(
            load(" {\"a\": [1]}").ok(),
            Some(serde_json::json!({"a": [1]}))
        );
    }

    #[test]
    fn errors_name_line_and_reason() {
        let error = load("a: 1\nb: [\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("the definition is not valid YAML or JSON: document 1 at line"),
            "{error}"
        );
        let duplicate = load("a: 1\na: 2\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(duplicate.contains("line 2"), "{duplicate}");
        let error = load_kind("- 1", "an OpenAPI", &["openapi", "swagger"])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("the definition is not an OpenAPI document: its top level is not a mapping")
        );
        let error = load_kind("a: 1", "an OpenAPI", &["openapi", "swagger"])
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "the definition is not an OpenAPI document: it has no `openapi` or `swagger` field"
            )
        );
        assert!(matches!(load("  \n"), Err(LoadError::Empty)));
    }
}
