//! The Scaffolder API end to end (issue 5, in progress): the real
//! `greenroom serve --demo` answers a template's parameter schema from the
//! catalog, and refuses what is not a template.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

mod common;

use std::time::Duration;

use common::{Server, send};

#[test]
fn the_demo_template_has_a_parameter_schema() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(&["--demo", "--data-dir", data.path().to_str().unwrap()]);
    let base = format!("{}/api/scaffolder/v2/templates", server.url);
    let path = "/api/scaffolder/v2/templates/default/template/create-rust-service/parameter-schema";
    let (status, body) = server.wait_for(path, Duration::from_secs(30), |status, _| status == 200);
    assert_eq!(status, 200);
    let schema: serde_json::Value = serde_json::from_str(&body).unwrap();
    let steps = schema["steps"].as_array().expect("steps");
    assert!(!steps.is_empty(), "{schema}");
    assert!(
        schema["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{schema}"
    );
    for step in steps {
        assert!(step["title"].is_string(), "{step}");
        assert!(step["schema"]["properties"].is_object(), "{step}");
    }

    // A component is not a template; a missing template is not found.
    let component = send(
        "GET",
        &format!("{base}/default/component/parcel-tracker/parameter-schema"),
        None,
    );
    assert_eq!(component.status, 400, "{}", component.body);
    assert!(
        component.body.contains("is not a template"),
        "{}",
        component.body
    );
    let missing = send(
        "GET",
        &format!("{base}/default/template/nope/parameter-schema"),
        None,
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert!(missing.body.contains("NotFoundError"));
}
