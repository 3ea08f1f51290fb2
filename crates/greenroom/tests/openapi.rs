//! `GET /api/openapi.json` end to end: the real `greenroom serve` serves
//! the committed OpenAPI document, and routes every operation it lists.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

mod common;

use common::{Server, send};
use serde_json::Value;

#[test]
fn serve_answers_its_openapi_document_and_routes_every_operation_in_it() {
    let catalog = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(&[
        "--catalog",
        catalog.path().to_str().unwrap(),
        "--data-dir",
        data.path().to_str().unwrap(),
    ]);

    let answer = send("GET", &format!("{}/api/openapi.json", server.url), None);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let document = answer.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], "Greenroom");

    // What is served is what was reviewed.
    let snapshot = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../web/openapi/openapi.json"
    ))
    .unwrap();
    let snapshot: Value = serde_json::from_str(&snapshot).unwrap();
    assert!(
        document == snapshot,
        "the served document is not crates/web/openapi/openapi.json"
    );

    // Every documented operation reaches a handler: no fallback 404 and no
    // 405 (whatever the handler makes of a request with placeholder values).
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let url = format!("{}{concrete}", server.url);
        for method in item.as_object().unwrap().keys() {
            let answer = match method.as_str() {
                "get" => send("GET", &url, None),
                "delete" => send("DELETE", &url, None),
                "post" => send("POST", &url, None),
                "put" => send("PUT", &url, Some(("application/json", "{}"))),
                _ => continue,
            };
            assert!(
                answer.status != 405 && !answer.body.contains("No route for"),
                "{method} {path} is documented but not routed: {} {}",
                answer.status,
                answer.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 16, "only {checked} operations checked");
}
