//! `POST /validate-entity`: ingestion's checks on one entity, nothing stored.

use serde_json::{Value, json};

use crate::support::{Database, Workspace, databases};

const LOCATION: &str = "url:https://h.example/svc/catalog-info.yaml";

fn entity(name: &str) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    })
}

#[test]
fn validate_entity_checks_like_ingestion() {
    for database in databases() {
        validate(&database);
    }
}

fn validate(database: &Database) {
    let ws = Workspace::new();
    let api = ws.serve(database, "catalog:\n  processingInterval: false\n");

    let valid = api.post(
        "/validate-entity",
        &json!({"entity": entity("fine"), "location": LOCATION}),
    );
    assert_eq!((valid.status, valid.body.as_str()), (200, ""));
    assert!(api.entity_refs().is_empty(), "nothing is stored");

    // Every problem, with the field it concerns.
    let mut invalid = entity("not valid!");
    invalid["metadata"]["tags"] = json!(["fine", "Not A Tag!"]);
    let reply = api.post(
        "/validate-entity",
        &json!({"entity": invalid, "location": LOCATION}),
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    let errors = reply.json()["errors"].as_array().unwrap().clone();
    let fields: Vec<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(
        fields.contains(&"metadata.name") && fields.iter().any(|f| f.starts_with("metadata.tags")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e["name"].is_string() && e["message"].is_string())
    );

    // catalog.rules are judged by the given location.
    let group = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
        "metadata": {"name": "team-a"}, "spec": {"type": "team", "children": []},
    });
    let reply = api.post(
        "/validate-entity",
        &json!({"entity": group, "location": LOCATION}),
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["name"], "NotAllowedError");

    // Only url: locations, as in Backstage; malformed bodies answer the
    // same {errors} shape.
    for (body, name, expected) in [
        (
            json!({"entity": entity("x"), "location": "file:/srv/catalog-info.yaml"}),
            "TypeError",
            "only 'url:<target>' is supported",
        ),
        (
            json!({"entity": entity("x"), "location": "no-colon"}),
            "TypeError",
            "Unable to parse location ref 'no-colon'",
        ),
        (
            json!({"entity": entity("x"), "location": "url:not a url"}),
            "TypeError",
            "the target is not a valid URL",
        ),
        (
            json!({"location": LOCATION}),
            "InputError",
            "entity must be a JSON object",
        ),
        (
            json!({"entity": entity("x")}),
            "InputError",
            "location must be a string",
        ),
        (
            json!({"entity": [], "location": LOCATION}),
            "InputError",
            "entity must be a JSON object",
        ),
    ] {
        let reply = api.post("/validate-entity", &body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        let error = &reply.json()["errors"][0];
        assert_eq!(error["name"], name, "{body}: {}", reply.body);
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{body}: {}",
            reply.body
        );
    }
    let reply = api.send("POST", "/validate-entity", "text/plain", b"{}".to_vec());
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Illegal Content-Type")
    );
}
