//! Backstage's JSON schemas, embedded and compiled once, and the mapping of
//! schema failures to [`Issue`]s with ajv-like wording plus what was found.
//!
//! The schema files use relative ids (`"$id": "Entity"`, `"$ref":
//! "common#relation"`); each top-level `$id` is made absolute under
//! [`BASE_URI`] before registration so that references resolve offline.

use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Registry, ValidationError, Validator};
use serde_json::Value;

use crate::Issue;
use crate::display::{describe, quote};
use crate::pointer::push_token;

/// Base the relative schema ids are resolved against. Never fetched.
const BASE_URI: &str = "https://schemas.greenroom.invalid/backstage/";

/// Schemas other schemas `$ref`: registered, not validated against directly
/// (except `Entity`, the envelope).
const SHARED: &[(&str, &str)] = &[
    ("Entity", include_str!("../../schemas/Entity.schema.json")),
    (
        "EntityMeta",
        include_str!("../../schemas/EntityMeta.schema.json"),
    ),
    ("common", include_str!("../../schemas/common.schema.json")),
];

/// The per-kind schemas an entity can be checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KindSchema {
    Component,
    Api,
    ApiMcpServer,
    Resource,
    System,
    Domain,
    Group,
    User,
    Location,
    Template,
    AiResource,
    AiSkill,
    AiRule,
    AiPlugin,
    AiMarketplace,
}

impl KindSchema {
    const ALL: [KindSchema; 15] = [
        KindSchema::Component,
        KindSchema::Api,
        KindSchema::ApiMcpServer,
        KindSchema::Resource,
        KindSchema::System,
        KindSchema::Domain,
        KindSchema::Group,
        KindSchema::User,
        KindSchema::Location,
        KindSchema::Template,
        KindSchema::AiResource,
        KindSchema::AiSkill,
        KindSchema::AiRule,
        KindSchema::AiPlugin,
        KindSchema::AiMarketplace,
    ];

    fn source(self) -> &'static str {
        match self {
            KindSchema::Component => include_str!("../../schemas/Component.v1alpha1.schema.json"),
            KindSchema::Api => include_str!("../../schemas/API.v1alpha1.schema.json"),
            KindSchema::ApiMcpServer => {
                include_str!("../../schemas/API.v1alpha1.mcp-server.schema.json")
            }
            KindSchema::Resource => include_str!("../../schemas/Resource.v1alpha1.schema.json"),
            KindSchema::System => include_str!("../../schemas/System.v1alpha1.schema.json"),
            KindSchema::Domain => include_str!("../../schemas/Domain.v1alpha1.schema.json"),
            KindSchema::Group => include_str!("../../schemas/Group.v1alpha1.schema.json"),
            KindSchema::User => include_str!("../../schemas/User.v1alpha1.schema.json"),
            KindSchema::Location => include_str!("../../schemas/Location.v1alpha1.schema.json"),
            KindSchema::Template => include_str!("../../schemas/Template.v1beta3.schema.json"),
            KindSchema::AiResource => include_str!("../../schemas/AiResource.v1alpha1.schema.json"),
            KindSchema::AiSkill => {
                include_str!("../../schemas/AiResource.v1alpha1.skill.schema.json")
            }
            KindSchema::AiRule => {
                include_str!("../../schemas/AiResource.v1alpha1.rule.schema.json")
            }
            KindSchema::AiPlugin => {
                include_str!("../../schemas/AiResource.v1alpha1.plugin.schema.json")
            }
            KindSchema::AiMarketplace => {
                include_str!("../../schemas/AiResource.v1alpha1.marketplace.schema.json")
            }
        }
    }
}

struct Compiled {
    envelope: Validator,
    /// Indexed by `KindSchema as usize` (the order of [`KindSchema::ALL`]).
    kinds: Vec<Validator>,
}

/// Compiled once on first use. The inputs are constants of this crate, so a
/// failure is a build defect; it is kept as a message (turned into an issue)
/// rather than a panic on the ingestion path. A unit test proves it compiles.
static COMPILED: LazyLock<Result<Compiled, String>> = LazyLock::new(compile);

fn parse_with_absolute_id(name: &str, source: &str) -> Result<Value, String> {
    let mut value: Value =
        serde_json::from_str(source).map_err(|e| format!("schema {name} is not JSON: {e}"))?;
    let id = value
        .get("$id")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("schema {name} has no $id"))?;
    let absolute = format!("{BASE_URI}{id}");
    if let Some(obj) = value.as_object_mut() {
        obj.insert("$id".to_owned(), Value::String(absolute));
    }
    Ok(value)
}

fn compile() -> Result<Compiled, String> {
    let mut shared = Vec::with_capacity(SHARED.len());
    for (name, source) in SHARED {
        shared.push((
            format!("{BASE_URI}{name}"),
            parse_with_absolute_id(name, source)?,
        ));
    }
    let registry = Registry::new()
        .extend(shared.iter().map(|(uri, value)| (uri.as_str(), value)))
        .and_then(|b| b.prepare())
        .map_err(|e| format!("schema registry: {e}"))?;
    let build = |name: &str, schema: &Value| {
        jsonschema::options()
            .with_registry(&registry)
            .should_validate_formats(false)
            .build(schema)
            .map_err(|e| format!("schema {name} does not compile: {e}"))
    };
    let envelope_schema = &shared[0].1;
    let envelope = build("Entity", envelope_schema)?;
    let mut kinds = Vec::with_capacity(KindSchema::ALL.len());
    for kind in KindSchema::ALL {
        let name = format!("{kind:?}");
        let mut schema = parse_with_absolute_id(&name, kind.source())?;
        skip_envelope_part(&mut schema);
        kinds.push(build(&name, &schema)?);
    }
    Ok(Compiled { envelope, kinds })
}

/// Every kind schema is `allOf: [{$ref: Entity}, {…kind rules…}]`. The kind
/// stage only runs after the envelope stage passed the same `Entity` schema,
/// so the first part is replaced by `true` instead of being checked twice
/// (it would otherwise cost as much as the kind rules themselves).
fn skip_envelope_part(schema: &mut Value) {
    if let Some(first) = schema.pointer_mut("/allOf/0")
        && first.get("$ref").and_then(Value::as_str) == Some("Entity")
    {
        *first = Value::Bool(true);
    }
}

fn compiled() -> Result<&'static Compiled, Issue> {
    COMPILED
        .as_ref()
        .map_err(|e| Issue::new("", format!("Internal error: {e}")))
}

/// Checks the entity against Backstage's `Entity` schema (with `EntityMeta`
/// and `common`). Root fields the schema does not allow are left to the
/// foreign-root-field check, which words them better.
pub(crate) fn check_envelope(entity: &Value) -> Vec<Issue> {
    let compiled = match compiled() {
        Ok(c) => c,
        Err(issue) => return vec![issue],
    };
    let mut issues = Vec::new();
    for error in compiled.envelope.iter_errors(entity) {
        if error.instance_path().as_str().is_empty()
            && matches!(
                error.kind(),
                ValidationErrorKind::AdditionalProperties { .. }
            )
        {
            continue;
        }
        push_issues(&error, "Malformed envelope, ", &mut issues);
    }
    issues
}

/// Checks the entity against one kind schema.
pub(crate) fn check_kind(entity: &Value, kind: KindSchema, prefix: &str) -> Vec<Issue> {
    let compiled = match compiled() {
        Ok(c) => c,
        Err(issue) => return vec![issue],
    };
    let Some(validator) = compiled.kinds.get(kind as usize) else {
        return vec![Issue::new("", "Internal error: kind schema missing")];
    };
    let mut issues = Vec::new();
    for error in validator.iter_errors(entity) {
        push_issues(&error, prefix, &mut issues);
    }
    issues
}

fn push_issues(error: &ValidationError<'_>, prefix: &str, out: &mut Vec<Issue>) {
    let path = error.instance_path().as_str();
    let shown = if path.is_empty() { "<root>" } else { path };
    let found = describe(error.instance());
    let (pointer, text) = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            (
                push_token(path, name),
                format!("must have required property '{name}'"),
            )
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            };
            (
                path.to_owned(),
                format!("must be {expected}, but found {found}"),
            )
        }
        ValidationErrorKind::MinLength { limit } => (
            path.to_owned(),
            format!("must NOT have fewer than {limit} characters, but found {found}"),
        ),
        ValidationErrorKind::MaxLength { limit } => (
            path.to_owned(),
            format!("must NOT have more than {limit} characters"),
        ),
        ValidationErrorKind::MinItems { limit } => (
            path.to_owned(),
            format!("must NOT have fewer than {limit} items"),
        ),
        ValidationErrorKind::Enum { options } => (
            path.to_owned(),
            format!(
                "must be equal to one of the allowed values {}, but found {found}",
                allowed(options)
            ),
        ),
        ValidationErrorKind::Constant { expected_value } => (
            path.to_owned(),
            format!("must be equal to constant {expected_value}, but found {found}"),
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => (
            path.to_owned(),
            format!(
                "must NOT have additional properties, but found {}",
                unexpected
                    .iter()
                    .map(|k| quote(k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // Prefer the reasons of the alternatives whose type matched
            // (`parameters` is an object or an array of objects: a bad page
            // is reported inside the array, not as "matches no schema").
            let same_type: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch.iter().any(|e| {
                        e.instance_path().as_str() == path
                            && matches!(e.kind(), ValidationErrorKind::Type { .. })
                    })
                })
                .collect();
            if let [branch] = same_type.as_slice() {
                for e in branch.iter() {
                    push_issues(e, prefix, out);
                }
                return;
            }
            let expected: Vec<String> = context
                .iter()
                .flatten()
                .filter(|e| e.instance_path().as_str() == path)
                .filter_map(|e| match e.kind() {
                    ValidationErrorKind::Type {
                        kind: TypeKind::Single(t),
                    } => Some(t.to_string()),
                    _ => None,
                })
                .collect();
            let text = if same_type.is_empty() && !expected.is_empty() {
                format!("must be {}, but found {found}", expected.join(" or "))
            } else {
                format!("must match exactly one of the allowed shapes, but found {found}")
            };
            (path.to_owned(), text)
        }
        _ => (path.to_owned(), format!("{error}")),
    };
    let issue = Issue::new(pointer, format!("{prefix}{shown} {text}"));
    if !out.contains(&issue) {
        out.push(issue);
    }
}

fn allowed(options: &Value) -> String {
    match options.as_array() {
        Some(values) => values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        None => options.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_embedded_schemas_compile() {
        let compiled = COMPILED.as_ref().unwrap();
        assert_eq!(compiled.kinds.len(), KindSchema::ALL.len());
        for (i, kind) in KindSchema::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?} is out of order in ALL");
        }
    }

    #[test]
    fn envelope_reports_missing_name_and_wrong_types() {
        let issues = check_envelope(&json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": 5,
            "metadata": {"annotations": {"a": 1}}
        }));
        let pairs: Vec<(&str, &str)> = issues
            .iter()
            .map(|i| (i.pointer.as_str(), i.message.as_str()))
            .collect();
        assert!(pairs.contains(&(
            "/metadata/name",
            "Malformed envelope, /metadata must have required property 'name'"
        )));
        assert!(pairs.contains(&(
            "/kind",
            "Malformed envelope, /kind must be string, but found a number (5)"
        )));
        assert!(pairs.contains(&(
            "/metadata/annotations/a",
            "Malformed envelope, /metadata/annotations/a must be string, but found a number (1)"
        )));
    }

    #[test]
    fn template_parameters_report_inside_the_array() {
        let issues = check_kind(
            &json!({
                "apiVersion": "scaffolder.backstage.io/v1beta3",
                "kind": "Template",
                "metadata": {"name": "t"},
                "spec": {"type": "x", "steps": [], "parameters": [{}, "oops"]}
            }),
            KindSchema::Template,
            "",
        );
        assert_eq!(
            issues,
            vec![Issue::new(
                "/spec/parameters/1",
                "/spec/parameters/1 must be object, but found the string \"oops\""
            )]
        );
    }
}
