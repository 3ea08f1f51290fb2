//! `greenroom serve` end to end: start-up, health, ingestion from
//! `--catalog` and `--demo`, live file changes, restart.

mod common;

use std::time::{Duration, Instant};

use common::{Server, write};

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: first version
spec:
  type: service
  lifecycle: production
  owner: team-a
";

const GROUP: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

#[test]
fn serve_answers_health_and_ingests_a_catalog_folder() {
    let repos = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write(&repos.path().join("checkout/catalog-info.yaml"), COMPONENT);
    write(&repos.path().join("org/catalog-info.yaml"), GROUP);
    write(
        &repos.path().join("ignored/catalog-info.yaml"),
        &COMPONENT.replace("checkout", "ignored"),
    );
    write(&repos.path().join(".gitignore"), "ignored/\n");

    let server = Server::start(&[
        "--catalog",
        repos.path().to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);
    let (status, body) = server.get("/.backstage/health/v1/liveness");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, _) = server.get("/.backstage/health/v1/readiness");
    assert_eq!(status, 200);

    let (_, body) = server.wait_for(
        "/api/catalog/entities/by-name/component/default/checkout",
        Duration::from_secs(20),
        |s, _| s == 200,
    );
    let entity: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(entity["metadata"]["description"], "first version");
    let relations = entity["relations"].as_array().unwrap();
    assert!(
        relations
            .iter()
            .any(|r| r["type"] == "ownedBy" && r["targetRef"] == "group:default/team-a")
    );
    let (_, group) = server.wait_for(
        "/api/catalog/entities/by-name/group/default/team-a",
        Duration::from_secs(20),
        |s, _| s == 200,
    );
    assert!(
        group.contains(r#""type":"ownerOf","targetRef":"component:default/checkout""#),
        "{group}"
    );
    let (status, _) = server.get("/api/catalog/entities/by-name/component/default/ignored");
    assert_eq!(status, 404, ".gitignore'd folders are not ingested");

    // An edit shows without a restart, through the file watcher.
    let edited = Instant::now();
    write(
        &repos.path().join("checkout/catalog-info.yaml"),
        &COMPONENT.replace("first version", "second version"),
    );
    server.wait_for(
        "/api/catalog/entities/by-name/component/default/checkout",
        Duration::from_secs(10),
        |_, b| b.contains("second version"),
    );
    eprintln!("file change visible after {:?}", edited.elapsed());

    // A new file appears, a deleted one goes (orphanStrategy delete).
    write(
        &repos.path().join("billing/catalog-info.yaml"),
        &COMPONENT.replace("checkout", "billing"),
    );
    server.wait_for(
        "/api/catalog/entities/by-name/component/default/billing",
        Duration::from_secs(10),
        |s, _| s == 200,
    );
    std::fs::remove_file(repos.path().join("billing/catalog-info.yaml")).unwrap();
    server.wait_for(
        "/api/catalog/entities/by-name/component/default/billing",
        Duration::from_secs(10),
        |s, _| s == 404,
    );

    // A broken edit keeps the last good version and says why.
    write(
        &repos.path().join("checkout/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout\n",
    );
    let (_, body) = server.wait_for(
        "/api/catalog/entities/by-name/component/default/checkout",
        Duration::from_secs(10),
        |_, b| b.contains("\"status\""),
    );
    let entity: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(entity["metadata"]["description"], "second version");
    let message = entity["status"]["items"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("checkout/catalog-info.yaml") && message.contains("YAML"),
        "{message}"
    );

    // Unknown routes answer Backstage's error envelope.
    let (status, body) = server.get("/api/catalog/nope");
    assert_eq!(status, 404);
    assert!(body.contains(r#""statusCode":404"#), "{body}");
    let (status, body) = server.get("/api/catalog/entities/by-name/component/default/missing");
    assert_eq!(status, 404);
    assert!(
        body.contains(
            "No entity named 'missing' found, with kind 'component' in namespace 'default'"
        ),
        "{body}"
    );
}

#[test]
fn the_catalog_survives_a_restart() {
    let repos = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    write(&repos.path().join("checkout/catalog-info.yaml"), COMPONENT);
    let args = [
        "--catalog",
        repos.path().to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ];
    let server = Server::start(&args);
    let (_, before) = server.wait_for(
        "/api/catalog/entities/by-name/component/default/checkout",
        Duration::from_secs(20),
        |s, _| s == 200,
    );
    server.stop();
    assert!(data.path().join("greenroom.sqlite").exists());

    let server = Server::start(&args);
    // Served from the database straight away, before any refresh completes.
    let (status, after) = server.get("/api/catalog/entities/by-name/component/default/checkout");
    assert_eq!(status, 200);
    let uid = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["metadata"]["uid"].clone()
    };
    assert_eq!(
        uid(&before),
        uid(&after),
        "entity ids are stable across restarts"
    );
}

#[test]
fn serve_demo_shows_the_demo_organisation() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(&["--demo", "--data-dir", data.path().to_str().unwrap()]);
    let (_, body) = server.wait_for("/api/catalog/entities", Duration::from_secs(30), |s, b| {
        s == 200 && serde_json::from_str::<Vec<serde_json::Value>>(b).is_ok_and(|v| v.len() >= 60)
    });
    let entities: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    for kind in [
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "Template",
    ] {
        assert!(
            entities.iter().any(|e| e["kind"] == kind),
            "demo has no {kind}"
        );
    }
    let with_errors: Vec<_> = entities
        .iter()
        .filter(|e| e.get("status").is_some())
        .map(|e| e["metadata"]["name"].clone())
        .collect();
    assert!(
        with_errors.is_empty(),
        "demo entities with processing errors: {with_errors:?}"
    );
    // Placeholders resolved: the API definition is the real document.
    let api = entities
        .iter()
        .find(|e| e["kind"] == "API" && e["spec"]["type"] == "openapi")
        .unwrap();
    assert!(
        api["spec"]["definition"]
            .as_str()
            .unwrap()
            .contains("openapi"),
        "{api}"
    );
}
