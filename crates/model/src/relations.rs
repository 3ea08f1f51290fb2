//! Relations implied by an entity's spec fields (`spec.owner` ⇒ `ownedBy` and
//! the reverse `ownerOf`, …), following Backstage's built-in processors.
//! Targets need not exist: dangling relations are emitted like Backstage does.

use serde::Serialize;
use serde_json::Value;

use crate::display::{describe, field_name};
use crate::entity_ref::EntityRef;
use crate::pointer::{push_index, push_token};
use crate::{Issue, entity};

/// `spec.owner`: the entity is owned by the target.
pub const OWNED_BY: &str = "ownedBy";
/// Reverse of [`OWNED_BY`].
pub const OWNER_OF: &str = "ownerOf";
/// `spec.system`, `spec.domain`, `spec.subcomponentOf`, `spec.subdomainOf`.
pub const PART_OF: &str = "partOf";
/// Reverse of [`PART_OF`].
pub const HAS_PART: &str = "hasPart";
/// Component `spec.providesApis[]`.
pub const PROVIDES_API: &str = "providesApi";
/// Reverse of [`PROVIDES_API`].
pub const API_PROVIDED_BY: &str = "apiProvidedBy";
/// Component `spec.consumesApis[]`.
pub const CONSUMES_API: &str = "consumesApi";
/// Reverse of [`CONSUMES_API`].
pub const API_CONSUMED_BY: &str = "apiConsumedBy";
/// `spec.dependsOn[]`.
pub const DEPENDS_ON: &str = "dependsOn";
/// Reverse of [`DEPENDS_ON`] (and the forward relation of `spec.dependencyOf[]`).
pub const DEPENDENCY_OF: &str = "dependencyOf";
/// User `spec.memberOf[]`.
pub const MEMBER_OF: &str = "memberOf";
/// Reverse of [`MEMBER_OF`] (and the forward relation of Group `spec.members[]`).
pub const HAS_MEMBER: &str = "hasMember";
/// Group `spec.parent`.
pub const CHILD_OF: &str = "childOf";
/// Reverse of [`CHILD_OF`] (and the forward relation of Group `spec.children[]`).
pub const PARENT_OF: &str = "parentOf";

/// One directed relation between two entities.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Relation {
    /// The entity the relation is stored on.
    pub source: EntityRef,
    /// One of the relation type constants of this module.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// The entity the relation points at (may not exist).
    pub target: EntityRef,
}

/// A spec field that names other entities.
struct Rule {
    field: &'static str,
    /// Kind used when the reference has none; `None` makes the kind mandatory.
    default_kind: Option<&'static str>,
    /// Relation stored on the referencing entity.
    forward: &'static str,
    /// Relation stored on the referenced entity.
    reverse: &'static str,
}

const fn rule(
    field: &'static str,
    default_kind: Option<&'static str>,
    forward: &'static str,
    reverse: &'static str,
) -> Rule {
    Rule {
        field,
        default_kind,
        forward,
        reverse,
    }
}

const OWNER: Rule = rule("owner", Some("Group"), OWNED_BY, OWNER_OF);
const SYSTEM: Rule = rule("system", Some("System"), PART_OF, HAS_PART);
const DEPENDS: Rule = rule("dependsOn", None, DEPENDS_ON, DEPENDENCY_OF);
const DEPENDENCY: Rule = rule("dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON);

const COMPONENT: &[Rule] = &[
    OWNER,
    SYSTEM,
    rule("subcomponentOf", Some("Component"), PART_OF, HAS_PART),
    rule("providesApis", Some("API"), PROVIDES_API, API_PROVIDED_BY),
    rule("consumesApis", Some("API"), CONSUMES_API, API_CONSUMED_BY),
    DEPENDS,
    DEPENDENCY,
];
const API: &[Rule] = &[OWNER, SYSTEM];
const RESOURCE: &[Rule] = &[OWNER, DEPENDS, DEPENDENCY, SYSTEM];
const SYSTEM_KIND: &[Rule] = &[OWNER, rule("domain", Some("Domain"), PART_OF, HAS_PART)];
const DOMAIN: &[Rule] = &[
    OWNER,
    rule("subdomainOf", Some("Domain"), PART_OF, HAS_PART),
];
const USER: &[Rule] = &[rule("memberOf", Some("Group"), MEMBER_OF, HAS_MEMBER)];
const GROUP: &[Rule] = &[
    rule("parent", Some("Group"), CHILD_OF, PARENT_OF),
    rule("children", Some("Group"), PARENT_OF, CHILD_OF),
    rule("members", Some("User"), HAS_MEMBER, MEMBER_OF),
];
const TEMPLATE: &[Rule] = &[OWNER];
const AI_RESOURCE: &[Rule] = &[OWNER, SYSTEM];
const AI_PLUGIN: &[Rule] = &[
    OWNER,
    SYSTEM,
    rule("skills", Some("AiResource"), HAS_PART, PART_OF),
];
const AI_MARKETPLACE: &[Rule] = &[
    OWNER,
    SYSTEM,
    rule("plugins", Some("AiResource"), HAS_PART, PART_OF),
];

/// The spec fields that produce relations for this entity's kind.
fn rules_for(entity: &Value) -> &'static [Rule] {
    match entity::kind(entity).unwrap_or_default() {
        "Component" => COMPONENT,
        "API" => API,
        "Resource" => RESOURCE,
        "System" => SYSTEM_KIND,
        "Domain" => DOMAIN,
        "User" => USER,
        "Group" => GROUP,
        "Template" if entity::api_version(entity) == Some(crate::TEMPLATE_API_VERSION) => TEMPLATE,
        "AiResource" => match entity::spec_type(entity) {
            Some("plugin") => AI_PLUGIN,
            Some("marketplace") => AI_MARKETPLACE,
            _ => AI_RESOURCE,
        },
        _ => &[],
    }
}

/// Every relation implied by the entity's spec, in both directions, sorted
/// by (source, type, target) and deduplicated.
///
/// References without a namespace take the entity's own namespace; without
/// a kind they take the field's default kind (`owner` ⇒ Group, …), except
/// `dependsOn`/`dependencyOf`, which must name their kind. Every reference
/// that cannot be parsed is reported; then no relations are returned.
pub fn relations_of(entity: &Value) -> Result<Vec<Relation>, Vec<Issue>> {
    let this = EntityRef::of_entity(entity)
        .map_err(|e| vec![Issue::new("", format!("Cannot compute relations: {e}"))])?;
    let Some(spec) = entity.get("spec") else {
        return Ok(Vec::new());
    };
    let mut relations = Vec::new();
    let mut issues = Vec::new();
    for rule in rules_for(entity) {
        let pointer = push_token("/spec", rule.field);
        let targets: Vec<(String, &Value)> = match spec.get(rule.field) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (push_index(&pointer, i), item))
                .collect(),
            Some(single) => vec![(pointer, single)],
        };
        for (pointer, value) in targets {
            let Some(text) = value.as_str() else {
                issues.push(Issue::new(
                    &pointer,
                    format!(
                        "\"{}\" is not a valid entity reference; expected a string but found {}",
                        field_name(&pointer),
                        describe(value)
                    ),
                ));
                continue;
            };
            if text.is_empty() {
                // Backstage skips falsy values (`owner: ""`); the schemas
                // already reject empty strings for the fields they declare.
                continue;
            }
            match EntityRef::parse(text, rule.default_kind, this.namespace()) {
                Ok(target) => {
                    relations.push(Relation {
                        source: this.clone(),
                        type_: rule.forward,
                        target: target.clone(),
                    });
                    relations.push(Relation {
                        source: target,
                        type_: rule.reverse,
                        target: this.clone(),
                    });
                }
                Err(e) => issues.push(Issue::new(
                    &pointer,
                    format!(
                        "\"{}\" is not a valid entity reference; {e}",
                        field_name(&pointer)
                    ),
                )),
            }
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    relations.sort();
    relations.dedup();
    Ok(relations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn triples(relations: &[Relation]) -> Vec<(String, &'static str, String)> {
        relations
            .iter()
            .map(|r| (r.source.to_string(), r.type_, r.target.to_string()))
            .collect()
    }

    fn t(s: &str, ty: &'static str, d: &str) -> (String, &'static str, String) {
        (s.to_owned(), ty, d.to_owned())
    }

    #[test]
    fn component_fields_emit_both_directions_in_own_namespace() {
        let e = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "Svc", "namespace": "prod"},
            "spec": {
                "type": "service", "lifecycle": "production",
                "owner": "team-a",
                "system": "default/audio",
                "providesApis": ["petstore"],
                "dependsOn": ["resource:db"],
                "dependencyOf": ["component:other"]
            }
        });
        let rels = relations_of(&e).unwrap();
        assert_eq!(
            triples(&rels),
            vec![
                t("api:prod/petstore", API_PROVIDED_BY, "component:prod/svc"),
                t("component:prod/other", DEPENDS_ON, "component:prod/svc"),
                t("component:prod/svc", DEPENDENCY_OF, "component:prod/other"),
                t("component:prod/svc", DEPENDS_ON, "resource:prod/db"),
                t("component:prod/svc", OWNED_BY, "group:prod/team-a"),
                t("component:prod/svc", PART_OF, "system:default/audio"),
                t("component:prod/svc", PROVIDES_API, "api:prod/petstore"),
                t("group:prod/team-a", OWNER_OF, "component:prod/svc"),
                t("resource:prod/db", DEPENDENCY_OF, "component:prod/svc"),
                t("system:default/audio", HAS_PART, "component:prod/svc"),
            ]
        );
    }

    #[test]
    fn group_children_members_and_parent() {
        let e = json!({
            "kind": "Group",
            "metadata": {"name": "infra"},
            "spec": {"type": "team", "parent": "org", "children": ["sre"], "members": ["jdoe"]}
        });
        let rels = triples(&relations_of(&e).unwrap());
        assert!(rels.contains(&t("group:default/infra", CHILD_OF, "group:default/org")));
        assert!(rels.contains(&t("group:default/org", PARENT_OF, "group:default/infra")));
        assert!(rels.contains(&t("group:default/infra", PARENT_OF, "group:default/sre")));
        assert!(rels.contains(&t("group:default/sre", CHILD_OF, "group:default/infra")));
        assert!(rels.contains(&t("group:default/infra", HAS_MEMBER, "user:default/jdoe")));
        assert!(rels.contains(&t("user:default/jdoe", MEMBER_OF, "group:default/infra")));
        assert_eq!(rels.len(), 6);
    }

    #[test]
    fn duplicates_are_removed() {
        let e = json!({
            "kind": "User",
            "metadata": {"name": "jdoe"},
            "spec": {"memberOf": ["team-a", "group:default/Team-A"]}
        });
        assert_eq!(relations_of(&e).unwrap().len(), 2);
    }

    #[test]
    fn template_owner_and_ai_plugin_skills() {
        let tpl = json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3",
            "kind": "Template",
            "metadata": {"name": "t"},
            "spec": {"type": "service", "owner": "user:jdoe", "steps": []}
        });
        assert_eq!(
            triples(&relations_of(&tpl).unwrap()),
            vec![
                t("template:default/t", OWNED_BY, "user:default/jdoe"),
                t("user:default/jdoe", OWNER_OF, "template:default/t"),
            ]
        );
        let plugin = json!({
            "kind": "AiResource",
            "metadata": {"name": "p"},
            "spec": {"type": "plugin", "owner": "team-a", "skills": ["s1"]}
        });
        let rels = triples(&relations_of(&plugin).unwrap());
        assert!(rels.contains(&t(
            "airesource:default/p",
            HAS_PART,
            "airesource:default/s1"
        )));
        assert!(rels.contains(&t("airesource:default/s1", PART_OF, "airesource:default/p")));
    }

    #[test]
    fn depends_on_without_kind_is_reported_with_its_field() {
        let e = json!({
            "kind": "Resource",
            "metadata": {"name": "r"},
            "spec": {"type": "db", "owner": "x", "dependsOn": ["resource:ok", "foo"]}
        });
        let issues = relations_of(&e).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/spec/dependsOn/1");
        assert_eq!(
            issues[0].message,
            "\"spec.dependsOn[1]\" is not a valid entity reference; Entity reference \"foo\" had missing or empty kind (e.g. did not start with \"component:\" or similar)"
        );
    }

    #[test]
    fn relation_serializes_type_field() {
        let r = Relation {
            source: EntityRef::new("Component", "default", "a"),
            type_: OWNED_BY,
            target: EntityRef::new("Group", "default", "b"),
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"source": "component:default/a", "type": "ownedBy", "target": "group:default/b"})
        );
    }
}
