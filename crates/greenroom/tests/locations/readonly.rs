//! `catalog.readonly: true` refuses every change and allows every read.

use serde_json::json;

use crate::support::{Database, Workspace, component, databases};

#[test]
fn readonly_mode_refuses_changes() {
    for database in databases() {
        readonly(&database);
    }
}

fn readonly(database: &Database) {
    let ws = Workspace::new();
    ws.write("repo/catalog-info.yaml", &component("ro", "x"));
    let target = ws.path("repo").display().to_string();
    let api = ws.serve(
        database,
        "catalog:\n  readonly: true\n  processingInterval: false\n",
    );
    let input = json!({"type": "file", "target": target});
    const REFUSED: &str = "This operation not allowed in readonly mode";

    let message = api
        .post("/locations", &input)
        .expect_error(403, "NotAllowedError");
    assert_eq!(message, REFUSED);
    let message = api
        .put("/locations/some-id", &input)
        .expect_error(403, "NotAllowedError");
    assert_eq!(message, REFUSED);
    let message = api
        .delete("/locations/some-id")
        .expect_error(403, "NotAllowedError");
    assert_eq!(message, REFUSED);

    // Reads, dry runs, analysis and validation still work.
    let dry = api.post("/locations?dryRun=true", &input);
    assert_eq!(dry.status, 201, "{}", dry.body);
    assert_eq!(api.get("/locations").json(), json!([]));
    assert!(api.entity_refs().is_empty());
    let analyzed = api.post("/analyze-location", &json!({"location": input}));
    assert_eq!(analyzed.status, 200, "{}", analyzed.body);
    let valid = api.post(
        "/validate-entity",
        &json!({"location": "url:https://h.example/catalog-info.yaml", "entity": {
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "ro"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}}),
    );
    assert_eq!(valid.status, 200, "{}", valid.body);
}
