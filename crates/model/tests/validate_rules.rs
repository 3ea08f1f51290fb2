//! One bad value per validation rule, checked through `validate_entity`:
//! the issue must point at the field and say what is wrong.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use greenroom_model::{Issue, validate_entity};
use serde_json::{Value, json};

/// A valid Component; tests break one field at a time.
fn component() -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {
            "name": "artist-web",
            "labels": {"tier": "frontend"},
            "annotations": {"backstage.io/techdocs-ref": "dir:."},
            "tags": ["java", "c++"],
            "links": [{"url": "https://example.com/dashboard", "title": "Dashboard"}]
        },
        "spec": {
            "type": "website",
            "lifecycle": "production",
            "owner": "team-a",
            "dependsOn": ["resource:artists-db"]
        }
    })
}

fn with(pointer: &str, value: Value) -> Value {
    let mut entity = component();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    entity
        .pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(key.to_owned(), value);
    entity
}

/// Asserts exactly one issue, at `pointer`, whose message contains every fragment.
fn assert_single(issues: &[Issue], pointer: &str, fragments: &[&str]) {
    assert_eq!(issues.len(), 1, "expected one issue, got {issues:#?}");
    assert_eq!(issues[0].pointer, pointer, "{issues:#?}");
    for fragment in fragments {
        assert!(
            issues[0].message.contains(fragment),
            "message {:?} lacks {fragment:?}",
            issues[0].message
        );
    }
}

#[test]
fn the_baseline_component_is_valid() {
    assert_eq!(validate_entity(&component()), vec![]);
}

#[test]
fn name_with_a_space() {
    let issues = validate_entity(&with("/metadata/name", json!("invalid component")));
    assert_single(
        &issues,
        "/metadata/name",
        &[
            "\"metadata.name\" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found \"invalid component\"",
        ],
    );
}

#[test]
fn upper_case_namespace() {
    let issues = validate_entity(&with("/metadata/namespace", json!("Prod")));
    assert_single(
        &issues,
        "/metadata/namespace",
        &[
            "\"metadata.namespace\" is not valid",
            "[a-z0-9]",
            "found \"Prod\"",
        ],
    );
}

#[test]
fn tag_with_upper_case() {
    let issues = validate_entity(&with("/metadata/tags", json!(["java", "Python"])));
    assert_single(
        &issues,
        "/metadata/tags/1",
        &["\"metadata.tags[1]\" is not valid", "found \"Python\""],
    );
}

#[test]
fn label_value_with_a_space() {
    let issues = validate_entity(&with("/metadata/labels", json!({"category": "pop music"})));
    assert_single(
        &issues,
        "/metadata/labels/category",
        &[
            "\"metadata.labels.category\" is not valid",
            "found \"pop music\"",
        ],
    );
}

#[test]
fn annotation_value_that_is_a_number() {
    let issues = validate_entity(&with(
        "/metadata/annotations",
        json!({"example.com/port": 8080}),
    ));
    assert_single(
        &issues,
        "/metadata/annotations/example.com~1port",
        &[
            "Malformed envelope",
            "must be string",
            "found a number (8080)",
        ],
    );
}

#[test]
fn annotation_key_with_two_slashes() {
    let issues = validate_entity(&with("/metadata/annotations", json!({"a/b/c": "x"})));
    assert_single(
        &issues,
        "/metadata/annotations/a~1b~1c",
        &[
            "\"metadata.annotations.a/b/c\" is not valid",
            "found \"a/b/c\"",
        ],
    );
}

#[test]
fn javascript_link_url() {
    let issues = validate_entity(&with(
        "/metadata/links",
        json!([{"url": "javascript:alert(1)", "title": "Click"}]),
    ));
    assert_single(
        &issues,
        "/metadata/links/0/url",
        &[
            "\"metadata.links[0].url\" is not allowed",
            "\"javascript:\" scheme",
        ],
    );
}

#[test]
fn relative_link_url() {
    let issues = validate_entity(&with("/metadata/links", json!([{"url": "/docs"}])));
    assert_single(
        &issues,
        "/metadata/links/0/url",
        &["valid absolute url", "found \"/docs\""],
    );
}

#[test]
fn missing_spec_owner() {
    let mut entity = component();
    entity["spec"].as_object_mut().unwrap().remove("owner");
    let issues = validate_entity(&entity);
    assert_single(
        &issues,
        "/spec/owner",
        &["Invalid Component entity, /spec must have required property 'owner'"],
    );
}

#[test]
fn wrong_spec_field_type() {
    let issues = validate_entity(&with("/spec/providesApis", json!("petstore")));
    assert_single(
        &issues,
        "/spec/providesApis",
        &["/spec/providesApis must be array, but found the string \"petstore\""],
    );
}

#[test]
fn unknown_root_field() {
    let issues = validate_entity(&with("/dependsOn", json!(["resource:x"])));
    assert_single(&issues, "/dependsOn", &["Unknown field dependsOn"]);
}

#[test]
fn submitted_relations_are_a_foreign_root_field() {
    let issues = validate_entity(&with("/relations", json!([])));
    assert_single(&issues, "/relations", &["Unknown field relations"]);
}

#[test]
fn depends_on_without_a_kind() {
    let issues = validate_entity(&with("/spec/dependsOn", json!(["foo"])));
    assert_single(
        &issues,
        "/spec/dependsOn/0",
        &[
            "\"spec.dependsOn[0]\" is not a valid entity reference",
            "Entity reference \"foo\" had missing or empty kind",
        ],
    );
}

#[test]
fn malformed_owner_reference() {
    let issues = validate_entity(&with("/spec/owner", json!("group:/team-a")));
    assert_single(
        &issues,
        "/spec/owner",
        &["Entity reference \"group:/team-a\" was not on the form [<kind>:][<namespace>/]<name>"],
    );
}

#[test]
fn template_with_a_builtin_api_version_is_not_recognized() {
    let template = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Template",
        "metadata": {"name": "react-app"},
        "spec": {"type": "website", "steps": [{"action": "fetch:template"}]}
    });
    let issues = validate_entity(&template);
    assert_single(
        &issues,
        "",
        &[
            "No processor recognized the entity template:default/react-app as valid, possibly caused by a foreign kind or apiVersion",
            "found apiVersion \"backstage.io/v1alpha1\"",
        ],
    );
    let mut fixed = template;
    fixed["apiVersion"] = json!("scaffolder.backstage.io/v1beta3");
    assert_eq!(validate_entity(&fixed), vec![]);
}

#[test]
fn unknown_kind() {
    let issues = validate_entity(&with("/kind", json!("Service")));
    assert_single(
        &issues,
        "",
        &["No processor recognized the entity service:default/artist-web as valid"],
    );
}

#[test]
fn kind_is_case_sensitive() {
    let issues = validate_entity(&with("/kind", json!("component")));
    assert_single(
        &issues,
        "",
        &["No processor recognized the entity component:default/artist-web"],
    );
}

#[test]
fn keys_that_differ_only_in_case() {
    let issues = validate_entity(&with("/spec/Type", json!("service")));
    assert_single(
        &issues,
        "/spec/Type",
        &["Entity has duplicate keys that vary only in casing, 'spec.type'"],
    );
}

#[test]
fn missing_metadata_is_a_malformed_envelope() {
    let issues =
        validate_entity(&json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component"}));
    assert_single(
        &issues,
        "/metadata",
        &["Malformed envelope, <root> must have required property 'metadata'"],
    );
}

#[test]
fn mcp_server_api_needs_remotes_not_definition() {
    let api = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "mcp"},
        "spec": {"type": "mcp-server", "lifecycle": "experimental", "owner": "team-a",
                 "remotes": [{"type": "streamable-http", "url": "http://localhost:7007/api/mcp/v1"}]}
    });
    assert_eq!(validate_entity(&api), vec![]);
    let mut empty = api.clone();
    empty["spec"]["remotes"] = json!([]);
    assert_single(
        &validate_entity(&empty),
        "/spec/remotes",
        &["Invalid API entity, /spec/remotes must NOT have fewer than 1 items"],
    );
    let mut openapi = api;
    openapi["spec"]["type"] = json!("openapi");
    assert_single(
        &validate_entity(&openapi),
        "/spec/definition",
        &["must have required property 'definition'"],
    );
}

#[test]
fn ai_resource_rule_requires_its_subtype_fields() {
    let rule = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "AiResource",
        "metadata": {"name": "r"},
        "spec": {"type": "rule", "lifecycle": "production", "owner": "team-a", "category": "architecture"}
    });
    assert_single(
        &validate_entity(&rule),
        "/spec/rationale",
        &["Invalid AiResource entity, /spec must have required property 'rationale'"],
    );
}

#[test]
fn location_presence_enum() {
    let location = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": "l"},
        "spec": {"targets": ["./a.yaml"], "presence": "maybe"}
    });
    assert_single(
        &validate_entity(&location),
        "/spec/presence",
        &[
            "must be equal to one of the allowed values \"required\", \"optional\", but found the string \"maybe\"",
        ],
    );
}

#[test]
fn every_problem_of_a_stage_is_reported() {
    let mut entity = with("/metadata/name", json!("bad name"));
    entity["metadata"]["tags"] = json!(["Bad"]);
    let issues = validate_entity(&entity);
    let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
    assert_eq!(pointers, vec!["/metadata/name", "/metadata/tags/0"]);
}
