//! Entity references (`kind:namespace/name`): parsing with Backstage's exact
//! rules and error texts, and the case-insensitive identity used everywhere
//! an entity is looked up, stored or compared.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::ModelError;

/// The namespace an entity lives in when `metadata.namespace` is absent.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A reference to an entity.
///
/// The parts keep the case they were written with (for display in the
/// entity's own words); equality, hashing, ordering and [`fmt::Display`] use
/// the canonical lower-cased `kind:namespace/name`, as Backstage does.
#[derive(Debug, Clone)]
pub struct EntityRef {
    kind: String,
    namespace: String,
    name: String,
    canonical: String,
}

impl EntityRef {
    /// Builds a reference from its three parts (kept as given).
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        let (kind, namespace, name) = (kind.into(), namespace.into(), name.into());
        let canonical = format!("{kind}:{namespace}/{name}").to_lowercase();
        EntityRef {
            kind,
            namespace,
            name,
            canonical,
        }
    }

    /// Parses `[<kind>:][<namespace>/]<name>`.
    ///
    /// The first `:` ends the kind and the first `/` ends the namespace, but a
    /// `:` after the first `/` belongs to the name (`ns/a:b` is the name `a:b`
    /// in `ns`). A missing kind takes `default_kind` (error if `None`); a
    /// missing namespace takes `default_namespace` (or `default` when that is
    /// empty).
    pub fn parse(
        reference: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<Self, ModelError> {
        if reference.is_empty() {
            return Err(ModelError::EmptyRef);
        }
        let slash = reference.find('/');
        let colon = reference.find(':').filter(|&c| slash.is_none_or(|s| c < s));
        let kind = colon.map(|c| &reference[..c]);
        let namespace = slash.map(|s| &reference[colon.map_or(0, |c| c + 1)..s]);
        let name_start = match (colon, slash) {
            (_, Some(s)) => s + 1,
            (Some(c), None) => c + 1,
            (None, None) => 0,
        };
        let name = &reference[name_start..];
        if kind == Some("") || namespace == Some("") || name.is_empty() {
            return Err(ModelError::MalformedRef(reference.to_owned()));
        }
        let kind = match kind.or(default_kind).filter(|k| !k.is_empty()) {
            Some(kind) => kind,
            None => {
                let literal =
                    serde_json::to_string(reference).unwrap_or_else(|_| format!("\"{reference}\""));
                return Err(ModelError::MissingKind(literal));
            }
        };
        let namespace = match namespace {
            Some(ns) => ns,
            None if default_namespace.is_empty() => DEFAULT_NAMESPACE,
            None => default_namespace,
        };
        Ok(EntityRef::new(kind, namespace, name))
    }

    /// The reference of an entity itself: its `kind`, `metadata.namespace`
    /// (default `default`) and `metadata.name`.
    pub fn of_entity(entity: &Value) -> Result<Self, ModelError> {
        let kind = entity
            .get("kind")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .ok_or(ModelError::MissingIdentity("kind"))?;
        let metadata = entity.get("metadata");
        let name = metadata
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or(ModelError::MissingIdentity("metadata.name"))?;
        let namespace = match metadata.and_then(|m| m.get("namespace")) {
            None | Some(Value::Null) => DEFAULT_NAMESPACE,
            Some(Value::String(ns)) if !ns.is_empty() => ns,
            Some(_) => return Err(ModelError::MissingIdentity("metadata.namespace")),
        };
        Ok(EntityRef::new(kind, namespace, name))
    }

    /// The kind as written (`Component`).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The namespace as written.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name as written (`metadata.name` keeps its case).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The canonical lower-cased `kind:namespace/name` (same as `to_string()`).
    pub fn canonical(&self) -> &str {
        &self.canonical
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl PartialEq for EntityRef {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for EntityRef {}

impl Hash for EntityRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical.hash(state);
    }
}

impl PartialOrd for EntityRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EntityRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.canonical.cmp(&other.canonical)
    }
}

/// Parses a full reference; the kind is required and the namespace defaults
/// to `default`.
impl std::str::FromStr for EntityRef {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntityRef::parse(s, None, DEFAULT_NAMESPACE)
    }
}

/// Serialized as the canonical string, like Backstage's `targetRef`.
impl Serialize for EntityRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.canonical)
    }
}

impl<'de> Deserialize<'de> for EntityRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Result<EntityRef, ModelError> {
        EntityRef::parse(s, Some("Group"), "team-ns")
    }

    fn parts(r: &EntityRef) -> (&str, &str, &str) {
        (r.kind(), r.namespace(), r.name())
    }

    #[test]
    fn full_and_short_forms_take_defaults_for_missing_parts() {
        let full = parse("Component:prod/My-Svc").unwrap();
        assert_eq!(parts(&full), ("Component", "prod", "My-Svc"));
        assert_eq!(full.to_string(), "component:prod/my-svc");
        assert_eq!(
            parts(&parse("user:jdoe").unwrap()),
            ("user", "team-ns", "jdoe")
        );
        assert_eq!(
            parts(&parse("default/team-a").unwrap()),
            ("Group", "default", "team-a")
        );
        assert_eq!(
            parts(&parse("team-a").unwrap()),
            ("Group", "team-ns", "team-a")
        );
    }

    #[test]
    fn slash_before_colon_makes_the_colon_part_of_the_name() {
        assert_eq!(parts(&parse("ns/a:b").unwrap()), ("Group", "ns", "a:b"));
        assert_eq!(parts(&parse("k:ns/a/b:c").unwrap()), ("k", "ns", "a/b:c"));
    }

    #[test]
    fn empty_parts_use_backstage_message() {
        for bad in [":x", "k:/x", "/x", "k:", "ns/", "k:ns/"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "Entity reference \"{bad}\" was not on the form [<kind>:][<namespace>/]<name>"
                ),
            );
        }
        assert_eq!(parse("").unwrap_err(), ModelError::EmptyRef);
    }

    #[test]
    fn missing_kind_without_default_is_an_error() {
        let err = EntityRef::parse("artists-db", None, "default").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Entity reference \"artists-db\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        );
    }

    #[test]
    fn empty_default_namespace_means_default() {
        let r = EntityRef::parse("group:x", None, "").unwrap();
        assert_eq!(r.namespace(), "default");
    }

    #[test]
    fn comparison_ignores_case_but_parts_keep_it() {
        let a = EntityRef::new("Component", "Default", "Svc");
        let b: EntityRef = "component:default/svc".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.name(), "Svc");
        let set: std::collections::HashSet<_> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn ordering_follows_canonical_strings() {
        // `-` sorts before `:` in the canonical string, unlike a part-wise tuple order.
        let mut refs = [
            EntityRef::new("a", "x", "y"),
            EntityRef::new("a-b", "x", "y"),
        ];
        refs.sort();
        assert_eq!(refs[0].kind(), "a-b");
    }

    #[test]
    fn serializes_as_canonical_string() {
        let r = EntityRef::new("API", "default", "Petstore");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!("api:default/petstore")
        );
        let back: EntityRef = serde_json::from_value(json!("api:default/petstore")).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn own_ref_of_an_entity_defaults_namespace() {
        let e = json!({"kind": "Component", "metadata": {"name": "Svc"}});
        assert_eq!(
            EntityRef::of_entity(&e).unwrap().to_string(),
            "component:default/svc"
        );
        let e = json!({"kind": "Group", "metadata": {"name": "a", "namespace": "ops"}});
        assert_eq!(EntityRef::of_entity(&e).unwrap().to_string(), "group:ops/a");
        let e = json!({"kind": "Group", "metadata": {}});
        assert_eq!(
            EntityRef::of_entity(&e).unwrap_err(),
            ModelError::MissingIdentity("metadata.name")
        );
    }
}
