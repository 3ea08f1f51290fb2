//! Entity validation as Backstage's ingestion runs it, stage by stage:
//!
//! 1. envelope schema (`Entity` + `EntityMeta` + `common`): `Malformed envelope, …`
//! 2. namespace default (`metadata.namespace` absent ⇒ `default`)
//! 3. no foreign root fields: only `apiVersion`, `kind`, `metadata`, `spec`
//! 4. field formats (names, namespaces, kind, apiVersion, labels,
//!    annotations, tags, link URLs)
//! 5. the kind schema chosen by (`apiVersion`, `kind`), or "No processor
//!    recognized the entity …" when there is none
//! 6. entity references in spec fields (what relation emission parses)
//! 7. no flattened keys that differ only in case (Backstage checks this when
//!    stitching; reported here so authors see it at once)
//!
//! Like Backstage, a stage that finds problems stops the later stages (they
//! assume the earlier ones passed); within a stage every problem is reported.
//! Placeholders (`$text`, …) must be substituted before validation, as
//! Backstage does.

mod casing;
mod format;
mod schema;

use serde_json::Value;

use crate::display::quote;
use crate::entity_ref::EntityRef;
use crate::{Issue, entity, relations};
use schema::KindSchema;

/// Root fields an ingested entity may have.
const ROOT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// The apiVersions the built-in kinds accept.
const BUILTIN_API_VERSIONS: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];

/// Named in the "No processor recognized" message.
const KNOWN_COMBINATIONS: &str = "known are API, Component, Domain, Group, Location, Resource, System and User with apiVersion backstage.io/v1alpha1 or backstage.io/v1beta1, AiResource with backstage.io/v1alpha1, and Template with scaffolder.backstage.io/v1beta3";

/// The only apiVersion of Template entities.
pub const TEMPLATE_API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

/// Validates one entity (with placeholders already substituted) and returns
/// every problem found by the first failing stage; empty means accepted.
pub fn validate_entity(entity: &Value) -> Vec<Issue> {
    let issues = schema::check_envelope(entity);
    if !issues.is_empty() {
        return issues;
    }
    let mut issues: Vec<Issue> = foreign_root_fields(entity);
    issues.extend(format::check_formats(entity));
    if !issues.is_empty() {
        return issues;
    }
    let issues = check_kind(entity);
    if !issues.is_empty() {
        return issues;
    }
    if let Err(issues) = relations::relations_of(entity) {
        return issues;
    }
    casing::check_duplicate_casing(entity)
}

fn foreign_root_fields(entity: &Value) -> Vec<Issue> {
    let Some(root) = entity.as_object() else {
        return Vec::new();
    };
    root.keys()
        .filter(|key| !ROOT_FIELDS.contains(&key.as_str()))
        .map(|key| {
            Issue::new(
                crate::pointer::push_token("", key),
                format!(
                    "Unknown field {key}; an entity may only have the root fields apiVersion, kind, metadata and spec"
                ),
            )
        })
        .collect()
}

/// Which kind schema applies, by exact `apiVersion` and `kind` (Backstage's
/// kind validators compare both case-sensitively).
fn select_kind_schema(entity: &Value) -> Option<KindSchema> {
    let api_version = entity::api_version(entity)?;
    let kind = entity::kind(entity)?;
    let builtin = BUILTIN_API_VERSIONS.contains(&api_version);
    let spec_type = entity::spec_type(entity);
    Some(match kind {
        "Component" if builtin => KindSchema::Component,
        "API" if builtin && spec_type == Some("mcp-server") => KindSchema::ApiMcpServer,
        "API" if builtin => KindSchema::Api,
        "Resource" if builtin => KindSchema::Resource,
        "System" if builtin => KindSchema::System,
        "Domain" if builtin => KindSchema::Domain,
        "Group" if builtin => KindSchema::Group,
        "User" if builtin => KindSchema::User,
        "Location" if builtin => KindSchema::Location,
        "Template" if api_version == TEMPLATE_API_VERSION => KindSchema::Template,
        "AiResource" if api_version == "backstage.io/v1alpha1" => match spec_type {
            Some("skill") => KindSchema::AiSkill,
            Some("rule") => KindSchema::AiRule,
            Some("plugin") => KindSchema::AiPlugin,
            Some("marketplace") => KindSchema::AiMarketplace,
            _ => KindSchema::AiResource,
        },
        _ => return None,
    })
}

fn check_kind(entity: &Value) -> Vec<Issue> {
    match select_kind_schema(entity) {
        Some(schema) => {
            let kind = entity::kind(entity).unwrap_or_default();
            schema::check_kind(entity, schema, &format!("Invalid {kind} entity, "))
        }
        None => {
            // The envelope stage guarantees a kind and a name.
            let reference =
                EntityRef::of_entity(entity).map_or_else(|e| format!("<{e}>"), |r| r.to_string());
            let found = format!(
                "apiVersion {} and kind {}",
                quote(entity::api_version(entity).unwrap_or_default()),
                quote(entity::kind(entity).unwrap_or_default())
            );
            vec![Issue::new(
                "",
                format!(
                    "No processor recognized the entity {reference} as valid, possibly caused by a foreign kind or apiVersion (found {found}; {KNOWN_COMBINATIONS})"
                ),
            )]
        }
    }
}
