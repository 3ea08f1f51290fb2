//! Reading an entity's JSON for display: names, refs, links to entity
//! pages, and Backstage's way of shortening refs for people.
//!
//! Views never index into entity JSON themselves; they ask [`EntityView`],
//! which tolerates any shape (a missing or mistyped field reads as absent).

use greenroom_model::{DEFAULT_NAMESPACE, EntityRef};
use maud::{Markup, html};
use serde_json::Value;

use crate::links::encode_component;

/// The page of an entity: `/catalog/{namespace}/{kind}/{name}` (kind lower
/// case, as Backstage's routes have it).
pub fn entity_href(reference: &EntityRef) -> String {
    format!(
        "/catalog/{}/{}/{}",
        encode_component(reference.namespace()),
        encode_component(&reference.kind().to_lowercase()),
        encode_component(reference.name())
    )
}

/// A ref as people read it (Backstage's `humanizeEntityRef`): the default
/// namespace is left out, and so is the kind when it is the one expected
/// in that place.
pub fn humanize(reference: &EntityRef, expected_kind: Option<&str>) -> String {
    let kind = match expected_kind {
        Some(expected) if expected.eq_ignore_ascii_case(reference.kind()) => None,
        _ => Some(reference.kind().to_lowercase()),
    };
    let namespace = (!reference
        .namespace()
        .eq_ignore_ascii_case(DEFAULT_NAMESPACE))
    .then(|| reference.namespace());
    let mut out = String::new();
    if let Some(kind) = kind {
        out.push_str(&kind);
        out.push(':');
    }
    if let Some(namespace) = namespace {
        out.push_str(namespace);
        out.push('/');
    }
    out.push_str(reference.name());
    out
}

/// A link to an entity's page, labelled with its humanized ref.
pub fn ref_link(reference: &EntityRef, expected_kind: Option<&str>) -> Markup {
    html! {
        a.entity-link href=(entity_href(reference)) { (humanize(reference, expected_kind)) }
    }
}

/// Parses a ref found in entity data (a relation target, `spec.owner`),
/// with the kind and namespace to assume when it leaves them out.
pub fn parse_ref(value: &str, default_kind: Option<&str>, namespace: &str) -> Option<EntityRef> {
    EntityRef::parse(value, default_kind, namespace).ok()
}

/// A link in `metadata.links`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityLink {
    pub url: String,
    pub title: Option<String>,
}

/// Read access to one entity's JSON.
#[derive(Debug, Clone, Copy)]
pub struct EntityView<'a> {
    pub value: &'a Value,
}

impl<'a> EntityView<'a> {
    pub fn new(value: &'a Value) -> Self {
        Self { value }
    }

    /// Its ref, if the entity has a kind and a name.
    pub fn reference(&self) -> Option<EntityRef> {
        EntityRef::of_entity(self.value).ok()
    }

    pub fn kind(&self) -> &'a str {
        self.str_at(&["kind"]).unwrap_or("")
    }

    pub fn name(&self) -> &'a str {
        self.str_at(&["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> &'a str {
        self.str_at(&["metadata", "namespace"])
            .unwrap_or(DEFAULT_NAMESPACE)
    }

    pub fn title(&self) -> Option<&'a str> {
        self.str_at(&["metadata", "title"])
            .filter(|t| !t.is_empty())
    }

    /// The title, or the name when there is none.
    pub fn display_name(&self) -> &'a str {
        self.title().unwrap_or_else(|| self.name())
    }

    pub fn description(&self) -> Option<&'a str> {
        self.str_at(&["metadata", "description"])
            .filter(|d| !d.trim().is_empty())
    }

    /// A string field of `spec`.
    pub fn spec_str(&self, key: &str) -> Option<&'a str> {
        self.str_at(&["spec", key]).filter(|v| !v.is_empty())
    }

    /// A `spec` field that may be a string or a list of strings.
    pub fn spec_strings(&self, key: &str) -> Vec<&'a str> {
        match self.value.get("spec").and_then(|s| s.get(key)) {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.value
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// `metadata.annotations` as (key, value) pairs, in written order.
    pub fn annotations(&self) -> Vec<(&'a str, &'a str)> {
        self.object_strings(&["metadata", "annotations"])
    }

    /// `metadata.labels` as (key, value) pairs.
    pub fn labels(&self) -> Vec<(&'a str, &'a str)> {
        self.object_strings(&["metadata", "labels"])
    }

    pub fn tags(&self) -> Vec<&'a str> {
        self.value
            .get("metadata")
            .and_then(|m| m.get("tags"))
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    pub fn links(&self) -> Vec<EntityLink> {
        let Some(links) = self
            .value
            .get("metadata")
            .and_then(|m| m.get("links"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        links
            .iter()
            .filter_map(|link| {
                Some(EntityLink {
                    url: link.get("url")?.as_str()?.to_owned(),
                    title: link
                        .get("title")
                        .and_then(Value::as_str)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                })
            })
            .collect()
    }

    /// `(type, target)` of every relation, in stored order (sorted by type
    /// and target).
    pub fn relations(&self) -> Vec<(&'a str, EntityRef)> {
        let Some(relations) = self.value.get("relations").and_then(Value::as_array) else {
            return Vec::new();
        };
        relations
            .iter()
            .filter_map(|relation| {
                let kind = relation.get("type")?.as_str()?;
                let target = relation.get("targetRef")?.as_str()?;
                Some((
                    kind,
                    EntityRef::parse(target, None, DEFAULT_NAMESPACE).ok()?,
                ))
            })
            .collect()
    }

    /// Targets of the relations of one type.
    pub fn related(&self, relation_type: &str) -> Vec<EntityRef> {
        self.relations()
            .into_iter()
            .filter(|(kind, _)| *kind == relation_type)
            .map(|(_, target)| target)
            .collect()
    }

    /// Processing problems in `status.items` (Backstage's
    /// `backstage.io/catalog-processing` entries): `(name, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let Some(items) = self
            .value
            .get("status")
            .and_then(|s| s.get("items"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        items
            .iter()
            .filter(|item| item.get("level").and_then(Value::as_str) != Some("info"))
            .map(|item| {
                let error = item.get("error");
                let name = error
                    .and_then(|e| e.get("name"))
                    .and_then(Value::as_str)
                    .unwrap_or("Error")
                    .to_owned();
                // `message` is "Name: place: what" (the place says which
                // file and line); `error.message` only says what.
                let message = item
                    .get("message")
                    .and_then(Value::as_str)
                    .map(|m| m.strip_prefix(&format!("{name}: ")).unwrap_or(m))
                    .or_else(|| error.and_then(|e| e.get("message")).and_then(Value::as_str))
                    .unwrap_or("unknown problem")
                    .to_owned();
                (name, message)
            })
            .collect()
    }

    pub fn is_orphan(&self) -> bool {
        self.annotation(greenroom_model::annotations::ORPHAN) == Some("true")
    }

    fn str_at(&self, path: &[&str]) -> Option<&'a str> {
        let mut value = self.value;
        for key in path {
            value = value.get(key)?;
        }
        value.as_str()
    }

    fn object_strings(&self, path: &[&str]) -> Vec<(&'a str, &'a str)> {
        let mut value = self.value;
        for key in path {
            match value.get(key) {
                Some(next) => value = next,
                None => return Vec::new(),
            }
        }
        value
            .as_object()
            .map(|object| {
                object
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refs_are_humanized_like_backstage() {
        let group = EntityRef::new("Group", "default", "team-a");
        assert_eq!(humanize(&group, Some("group")), "team-a");
        assert_eq!(humanize(&group, None), "group:team-a");
        let other = EntityRef::new("Component", "payments", "api");
        assert_eq!(humanize(&other, Some("Component")), "payments/api");
        assert_eq!(humanize(&other, Some("group")), "component:payments/api");
    }

    #[test]
    fn entity_pages_use_backstage_routes() {
        let reference = EntityRef::new("Component", "default", "my service");
        assert_eq!(
            entity_href(&reference),
            "/catalog/default/component/my%20service"
        );
    }

    #[test]
    fn odd_shapes_read_as_absent() {
        let entity = json!({
            "kind": "Component",
            "metadata": {"name": "svc", "tags": ["a", 3], "links": [{"url": 1}, {"url": "https://x.example"}],
                         "annotations": {"a": "b", "n": 1}},
            "spec": {"owner": ["not", "a", "string"], "type": "service"},
            "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}, {"type": 1}],
            "status": {"items": [
                {"level": "error", "error": {"name": "InputError", "message": "bad"}},
                {"level": "error", "message": "NotFoundError: file:/x.yaml, line 3: gone",
                 "error": {"name": "NotFoundError", "message": "gone"}}
            ]}
        });
        let view = EntityView::new(&entity);
        assert_eq!(view.spec_str("owner"), None);
        assert_eq!(view.spec_str("type"), Some("service"));
        assert_eq!(view.tags(), vec!["a"]);
        assert_eq!(view.links().len(), 1);
        assert_eq!(view.annotations(), vec![("a", "b")]);
        assert_eq!(view.related("ownedBy").len(), 1);
        assert_eq!(
            view.problems(),
            vec![
                ("InputError".to_owned(), "bad".to_owned()),
                (
                    "NotFoundError".to_owned(),
                    "file:/x.yaml, line 3: gone".to_owned()
                )
            ]
        );
        assert_eq!(view.namespace(), "default");
        assert_eq!(view.display_name(), "svc");
    }
}
