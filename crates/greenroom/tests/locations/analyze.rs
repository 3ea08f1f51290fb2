//! `POST /analyze-location` on folders and on git repositories (real ones,
//! made with `git init`, analyzed through `file://` URLs).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Api, Database, Workspace, component, databases};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

/// A repository with one commit of the files already written in `dir`.
fn commit_all(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "initial"]);
}

fn analyze(api: &Api, body: Value) -> Value {
    let reply = api.post("/analyze-location", &body);
    assert_eq!(reply.status, 200, "{body}: {}", reply.body);
    reply.json()
}

#[test]
fn folders_and_git_repositories_are_analyzed() {
    for database in databases() {
        analyze_all(&database);
    }
}

fn analyze_all(database: &Database) {
    let ws = Workspace::new();
    let api = ws.serve(database, "catalog:\n  processingInterval: false\n");

    // A folder with a catalog file: its entities, where to register them.
    let file = ws.write(
        "described/svc/catalog-info.yaml",
        &component("described", "d"),
    );
    let folder = ws.path("described").display().to_string();
    let found = analyze(
        &api,
        json!({"location": {"type": "file", "target": folder}}),
    );
    assert_eq!(found["generateEntities"], json!([]));
    let existing = found["existingEntityFiles"].as_array().unwrap();
    assert_eq!(existing.len(), 1, "{found}");
    assert_eq!(existing[0]["entity"]["metadata"]["name"], "described");
    assert_eq!(
        existing[0]["location"],
        json!({"type": "file", "target": file.display().to_string()})
    );
    assert_eq!(existing[0]["isRegistered"], false);
    let registered = api.post(
        "/locations",
        &json!({"type": "file", "target": file.display().to_string()}),
    );
    assert_eq!(registered.status, 201, "{}", registered.body);
    let found = analyze(
        &api,
        json!({"location": {"type": "file", "target": folder}}),
    );
    assert_eq!(found["existingEntityFiles"][0]["isRegistered"], true);

    // A folder without one: a proposal, its owner left to the user.
    std::fs::create_dir_all(ws.path("bare-folder")).unwrap();
    let proposed = analyze(
        &api,
        json!({"location": {"type": "file", "target": ws.path("bare-folder")}}),
    );
    assert_eq!(proposed["existingEntityFiles"], json!([]));
    let generated = &proposed["generateEntities"][0];
    assert_eq!(
        generated["entity"],
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "bare-folder"},
            "spec": {"type": "other", "lifecycle": "unknown"},
        })
    );
    let owner = generated["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "spec.owner")
        .unwrap();
    assert_eq!(owner["state"], "needsUserInput");
    assert_eq!(owner["value"], Value::Null);

    // catalogFilename names the file to look for.
    ws.write("custom/backstage.yaml", &component("custom", "c"));
    let custom = ws.path("custom");
    let default_name = analyze(
        &api,
        json!({"location": {"type": "file", "target": custom}}),
    );
    assert_eq!(default_name["existingEntityFiles"], json!([]));
    let named = analyze(
        &api,
        json!({"location": {"type": "file", "target": custom}, "catalogFilename": "backstage.yaml"}),
    );
    assert_eq!(
        named["existingEntityFiles"][0]["entity"]["metadata"]["name"],
        "custom"
    );

    // A git repository with a catalog file, cloned through file://.
    ws.write("repo/catalog-info.yaml", &component("from-git", "g"));
    ws.write("repo/README.md", "hello\n");
    let repo = ws.path("repo");
    commit_all(&repo);
    let url = format!("file://{}", repo.display());
    let found = analyze(&api, json!({"location": {"type": "url", "target": url}}));
    let existing = &found["existingEntityFiles"][0];
    assert_eq!(existing["entity"]["metadata"]["name"], "from-git");
    assert_eq!(
        existing["location"],
        json!({"type": "file", "target": repo.join("catalog-info.yaml").display().to_string()}),
        "a local repository with a working tree is registered as files"
    );
    // A bare repository has no working tree: the file's URL on the host.
    let bare = ws.path("bare.git");
    git(
        &ws.path(""),
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    let found = analyze(
        &api,
        json!({"location": {"type": "url", "target": format!("file://{}", bare.display())}}),
    );
    let existing = &found["existingEntityFiles"][0];
    assert_eq!(existing["location"]["type"], "url");
    assert!(
        existing["location"]["target"]
            .as_str()
            .unwrap()
            .ends_with("/blob/main/catalog-info.yaml"),
        "{existing}"
    );
    assert_eq!(existing["entity"]["metadata"]["name"], "from-git");

    // A git repository without one: a proposal named after it.
    ws.write("plain-repo/README.md", "nothing here\n");
    let plain = ws.path("plain-repo");
    commit_all(&plain);
    let proposed = analyze(
        &api,
        json!({"location": {"type": "url", "target": format!("file://{}", plain.display())}}),
    );
    assert_eq!(proposed["existingEntityFiles"], json!([]));
    assert_eq!(
        proposed["generateEntities"][0]["entity"]["metadata"]["name"],
        "plain-repo"
    );

    // Refusals name the reason.
    ws.write(
        "broken/catalog-info.yaml",
        "kind: Component\nmetadata: {name: [\n",
    );
    for (body, expected) in [
        (
            json!({"location": {"type": "url", "target": "/not/a/url"}}),
            "The given location.target is not a URL",
        ),
        (
            json!({"location": {"type": "url", "target": format!("file://{}", ws.path("missing").display())}}),
            "does not exist",
        ),
        (
            json!({"location": {"type": "url", "target": "https://github.com/backstage/backstage"}}),
            "URL not allowed by backend.reading.allow configuration",
        ),
        (
            json!({"location": {"type": "url", "target": "ext::sh -c touch% /tmp/greenroom-pwned"}}),
            "not ext",
        ),
        (
            json!({"location": {"type": "file", "target": "relative/folder"}}),
            "absolute paths",
        ),
        (
            json!({"location": {"type": "file", "target": format!("{}/../etc", ws.path("repo").display())}}),
            "'..'",
        ),
        (
            json!({"location": {"type": "file", "target": ws.path("broken")}}),
            "broken/catalog-info.yaml",
        ),
        (
            json!({"location": {"type": "file", "target": folder}, "catalogFilename": "../x.yaml"}),
            "catalogFilename must be a plain file name",
        ),
        (
            json!({"catalogFilename": "x.yaml"}),
            "Malformed request: missing field `location`",
        ),
    ] {
        let message = api
            .post("/analyze-location", &body)
            .expect_error(400, "InputError");
        assert!(message.contains(expected), "{body}: {message}");
    }
    assert!(!Path::new("/tmp/greenroom-pwned").exists());
}
