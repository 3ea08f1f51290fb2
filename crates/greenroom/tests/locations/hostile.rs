//! Hostile and malformed requests get a 4xx naming the problem, never a
//! 500, and the server stays healthy and unchanged.

use serde_json::json;

use crate::support::{Database, Workspace, databases};

#[test]
fn hostile_requests_are_refused_and_the_server_stays_healthy() {
    for database in databases() {
        hostile(&database);
    }
}

fn hostile(database: &Database) {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.path("repo")).unwrap();
    let repo = ws.path("repo").display().to_string();
    let api = ws.serve(database, "catalog:\n  processingInterval: false\n");

    // Targets that would escape, or are not what they claim to be.
    for (target, expected) in [
        (
            format!("{repo}/../../etc/passwd"),
            "may not contain '..' segments",
        ),
        ("etc/passwd".to_owned(), "must be absolute paths"),
        (format!("{repo}/missing/"), "must be an existing folder"),
        (format!("{repo}/a\nb.yaml"), "control characters"),
        (String::new(), "must not be empty"),
        (format!("/{}", "a".repeat(9000)), "longer than 8192 bytes"),
        (format!("{repo}/missing.yaml"), "does not exist"),
    ] {
        for path in ["/locations", "/locations?dryRun=true"] {
            let message = api
                .post(path, &json!({"type": "file", "target": target}))
                .expect_error(400, "InputError");
            assert!(message.contains(expected), "{target:?} {path}: {message}");
        }
    }

    // Bodies that are not what the API reads.
    let send = |content_type: &str, body: &[u8]| {
        api.send("POST", "/locations", content_type, body.to_vec())
    };
    let huge = format!(
        "{{\"type\":\"file\",\"target\":\"{}\"}}",
        "a".repeat(5 * 1024 * 1024)
    );
    let message =
        send("application/json", huge.as_bytes()).expect_error(413, "PayloadTooLargeError");
    assert!(message.contains("too large"), "{message}");
    for (content_type, body, expected) in [
        (
            "text/plain",
            &b"{\"type\":\"file\"}"[..],
            "Illegal Content-Type",
        ),
        ("", &b"{\"type\":\"file\"}"[..], "Content-Type missing"),
        (
            "application/json",
            &b"{\"type\": \"file\","[..],
            "Malformed request: invalid JSON",
        ),
        (
            "application/json",
            &b"[\"file\"]"[..],
            "Expected body to be a JSON object",
        ),
        ("application/json", &b""[..], "Missing request body"),
        ("application/json", &b"{}"[..], "Empty request body"),
        (
            "application/json",
            &b"{\"type\": 1, \"target\": \"x\"}"[..],
            "Malformed request: invalid type: integer `1`",
        ),
        (
            "application/json",
            &b"{\"type\": \"url\"}"[..],
            "missing field `target`",
        ),
        (
            "application/json; charset=utf-8",
            &b"{\"type\": \"file\", \"target\": \"rel\"}"[..],
            "must be absolute",
        ),
    ] {
        let message = send(content_type, body).expect_error(400, "InputError");
        assert!(
            message.contains(expected),
            "{content_type:?} {:?}: {message}",
            String::from_utf8_lossy(body)
        );
    }
    for (path, expected) in [
        ("/locations?dryRun=maybe", "dryRun must be true or false"),
        (
            "/locations?onConflict=sometimes",
            "onConflict must be refresh or reject",
        ),
    ] {
        let message = api
            .post(path, &json!({"type": "file", "target": repo}))
            .expect_error(400, "InputError");
        assert!(message.contains(expected), "{path}: {message}");
    }

    // POST /refresh wants a known, well-formed entity ref.
    for (body, status, name, expected) in [
        (
            json!({"authorizationToken": "t"}),
            400,
            "InputError",
            "missing field `entityRef`",
        ),
        (
            json!({"entityRef": "checkout"}),
            400,
            "InputError",
            "Invalid entityRef",
        ),
        (json!({"entityRef": 7}), 400, "InputError", "invalid type"),
        (
            json!({"entityRef": "component:default/nope"}),
            404,
            "NotFoundError",
            "Entity component:default/nope not found",
        ),
        (
            json!({"entityRef": "component:default/a\u{0}b"}),
            404,
            "NotFoundError",
            "not found",
        ),
    ] {
        let message = api.post("/refresh", &body).expect_error(status, name);
        assert!(message.contains(expected), "{body}: {message}");
    }

    // Strange ids and refs are simply not found.
    for path in [
        "/locations/%00",
        "/locations/..%2F..%2Fetc",
        "/locations/by-entity/component/default/%00",
    ] {
        let reply = api.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
    }
    api.delete("/locations/%00")
        .expect_error(404, "NotFoundError");
    // A known path with another method is not found either (as in
    // Backstage), in the error envelope.
    api.get("/locations/by-query")
        .expect_error(404, "NotFoundError");

    assert!(api.is_healthy());
    assert_eq!(api.get("/locations").json(), json!([]));
    assert!(api.entity_refs().is_empty());
}
