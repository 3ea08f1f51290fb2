//! Well-known names (kinds, annotation keys) and small read-only accessors
//! over an entity's JSON, so callers do not repeat `get("metadata")` chains.
//!
//! Entities stay `serde_json::Value`s throughout Greenroom: unknown metadata
//! and spec keys must survive untouched, and the API returns entities as
//! stored.

use serde_json::Value;

use crate::entity_ref::DEFAULT_NAMESPACE;

/// The kinds this crate knows how to validate, as written in `kind`.
pub const KNOWN_KINDS: &[&str] = &[
    "API",
    "AiResource",
    "Component",
    "Domain",
    "Group",
    "Location",
    "Resource",
    "System",
    "Template",
    "User",
];

/// Well-known annotation keys.
pub mod annotations {
    /// `<type>:<target>` of the file the entity was read from.
    pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";
    /// The location whose registration started the chain that produced the entity.
    pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";
    /// `url:<directory of the file>/`, base for relative references.
    pub const SOURCE_LOCATION: &str = "backstage.io/source-location";
    /// Where a person can view the entity's source file.
    pub const VIEW_URL: &str = "backstage.io/view-url";
    /// Where a person can edit the entity's source file.
    pub const EDIT_URL: &str = "backstage.io/edit-url";
    /// `"true"` on entities that nothing emits any more.
    pub const ORPHAN: &str = "backstage.io/orphan";
    /// Where the entity's TechDocs source lives (`dir:.` or `url:…`).
    pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
}

/// The entity's `kind`, if it is a string.
pub fn kind(entity: &Value) -> Option<&str> {
    entity.get("kind").and_then(Value::as_str)
}

/// The entity's `apiVersion`, if it is a string.
pub fn api_version(entity: &Value) -> Option<&str> {
    entity.get("apiVersion").and_then(Value::as_str)
}

/// The entity's `metadata.name`, if it is a string.
pub fn name(entity: &Value) -> Option<&str> {
    metadata_str(entity, "name")
}

/// The entity's `metadata.namespace`, `default` when absent or not a string.
pub fn namespace(entity: &Value) -> &str {
    metadata_str(entity, "namespace")
        .filter(|ns| !ns.is_empty())
        .unwrap_or(DEFAULT_NAMESPACE)
}

/// The entity's `spec.type`, if it is a string.
pub fn spec_type(entity: &Value) -> Option<&str> {
    entity
        .get("spec")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
}

/// One annotation value, if present and a string.
pub fn annotation<'a>(entity: &'a Value, key: &str) -> Option<&'a str> {
    entity
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

fn metadata_str<'a>(entity: &'a Value, key: &str) -> Option<&'a str> {
    entity
        .get("metadata")
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors_read_the_usual_fields() {
        let e = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "svc", "annotations": {annotations::TECHDOCS_REF: "dir:."}},
            "spec": {"type": "service"}
        });
        assert_eq!(kind(&e), Some("Component"));
        assert_eq!(api_version(&e), Some("backstage.io/v1alpha1"));
        assert_eq!(name(&e), Some("svc"));
        assert_eq!(namespace(&e), "default");
        assert_eq!(spec_type(&e), Some("service"));
        assert_eq!(annotation(&e, annotations::TECHDOCS_REF), Some("dir:."));
        assert_eq!(annotation(&e, annotations::ORPHAN), None);
    }
}
