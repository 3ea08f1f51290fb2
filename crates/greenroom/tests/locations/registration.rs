//! Registering, listing, querying, replacing and deleting locations, and
//! refreshing what they bring in.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Database, FileServer, Workspace, component, databases, refs_of};

/// No periodic passes: only the API and start-up refresh.
const QUIET: &str = "catalog:\n  processingInterval: false\n";

/// A folder whose `catalog-info.yaml` holds a component and a Location
/// pointing at a file discovery would not find on its own.
fn write_repo(ws: &Workspace, name: &str) -> String {
    ws.write(
        &format!("{name}/catalog-info.yaml"),
        &format!(
            "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}-more\nspec:\n  type: file\n  target: ./more/billing.yaml\n",
            component(&format!("{name}-checkout"), "first")
        ),
    );
    ws.write(
        &format!("{name}/more/billing.yaml"),
        &component(&format!("{name}-billing"), "first"),
    );
    ws.path(name).display().to_string()
}

fn expected_refs(name: &str, location_ref: &str) -> Vec<String> {
    let mut refs = vec![
        format!("component:default/{name}-billing"),
        format!("component:default/{name}-checkout"),
        format!("location:default/{name}-more"),
        location_ref.to_owned(),
    ];
    refs.sort();
    refs
}

#[test]
fn a_registered_folder_is_processed_at_once_and_removed_at_once() {
    for database in databases() {
        registered_folder(&database);
    }
}

fn registered_folder(database: &Database) {
    let ws = Workspace::new();
    let repo = write_repo(&ws, "shop");
    let api = ws.serve(database, QUIET);
    assert_eq!(api.get("/locations").json(), json!([]));
    let input = json!({"type": "file", "target": repo});

    // A dry run processes the tree in memory and stores nothing.
    let dry = api.post("/locations?dryRun=true", &input);
    assert_eq!(dry.status, 201, "{}", dry.body);
    let dry = dry.json();
    let location_ref = dry["location"]["entityRef"].as_str().unwrap().to_owned();
    assert!(
        location_ref.starts_with("location:default/generated-") && location_ref.len() == 67,
        "{location_ref}"
    );
    assert_eq!(dry["location"]["id"], format!("file:{repo}"));
    assert_eq!(dry["exists"], false);
    assert_eq!(
        refs_of(&dry["entities"]),
        expected_refs("shop", &location_ref)
    );
    assert!(api.entity_refs().is_empty(), "a dry run stores nothing");
    assert_eq!(api.get("/locations").json(), json!([]));

    // Registering stores it and answers with the entities, stitched.
    let created = api.post("/locations", &input);
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let location = created["location"].clone();
    let id = location["id"].as_str().unwrap().to_owned();
    assert_eq!(location["type"], "file");
    assert_eq!(location["target"], repo.as_str());
    assert_eq!(location["entityRef"], location_ref.as_str());
    assert!(created.get("exists").is_none(), "{created}");
    assert_eq!(
        refs_of(&created["entities"]),
        expected_refs("shop", &location_ref)
    );
    assert!(
        created["entities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["metadata"]["uid"].is_string()),
        "{created}"
    );
    assert_eq!(api.entity_refs(), expected_refs("shop", &location_ref));
    assert_eq!(api.get("/locations").json(), json!([{"data": location}]));
    assert_eq!(api.get(&format!("/locations/{id}")).json(), location);

    // Annotations and ancestry: everything originates at the registration.
    let billing = api
        .get("/entities/by-name/component/default/shop-billing")
        .json();
    let annotations = &billing["metadata"]["annotations"];
    assert_eq!(
        annotations["backstage.io/managed-by-origin-location"],
        format!("file:{repo}")
    );
    assert_eq!(
        annotations["backstage.io/managed-by-location"],
        format!("file:{repo}/more/billing.yaml")
    );
    let generated = api
        .get(&format!(
            "/entities/by-name/location/default/{}",
            location_ref.trim_start_matches("location:default/")
        ))
        .json();
    assert_eq!(generated["spec"], json!({"type": "file", "target": repo}));
    assert_eq!(
        api.get("/locations/by-entity/component/default/shop-billing")
            .json(),
        location
    );
    assert_eq!(
        api.get("/locations/by-entity/Component/default/shop-billing")
            .json(),
        location,
        "kind and name ignore case"
    );
    let message = api
        .get("/locations/by-entity/component/default/nope")
        .expect_error(404, "NotFoundError");
    assert_eq!(message, "found no entity for ref component:default/nope");

    // Registering it again: a conflict, or a refresh when asked.
    let again = api.post("/locations", &input);
    let message = again.expect_error(409, "ConflictError");
    assert_eq!(message, format!("Location file:{repo} already exists"));
    let refreshed = api.post("/locations?onConflict=refresh", &input);
    assert_eq!(refreshed.status, 201, "{}", refreshed.body);
    let refreshed = refreshed.json();
    assert_eq!(refreshed["exists"], true);
    assert_eq!(refreshed["location"], location);
    assert_eq!(
        refs_of(&refreshed["entities"]),
        expected_refs("shop", &location_ref)
    );
    assert_eq!(
        api.post("/locations?dryRun=true", &input).json()["exists"],
        true
    );

    // POST /refresh reprocesses the entity on the next pass.
    ws.write(
        "shop/more/billing.yaml",
        &component("shop-billing", "second"),
    );
    let reply = api.post(
        "/refresh",
        &json!({"entityRef": "component:default/shop-billing"}),
    );
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    api.server.wait_for(
        "/api/catalog/entities/by-name/component/default/shop-billing",
        Duration::from_secs(20),
        |status, body| status == 200 && body.contains("second"),
    );

    // Deleting removes the location and its entities at once.
    let deleted = api.delete(&format!("/locations/{id}"));
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert!(api.entity_refs().is_empty(), "{:?}", api.entity_refs());
    assert_eq!(api.get("/locations").json(), json!([]));
    let message = api
        .get(&format!("/locations/{id}"))
        .expect_error(404, "NotFoundError");
    assert_eq!(message, format!("Found no location with ID {id}"));
    api.delete(&format!("/locations/{id}"))
        .expect_error(404, "NotFoundError");
    let message = api
        .get("/locations/by-entity/component/default/shop-billing")
        .expect_error(404, "NotFoundError");
    assert!(message.contains("found no entity"), "{message}");
}

#[test]
fn registered_locations_survive_a_restart_and_config_locations_are_not_listed() {
    for database in databases() {
        restart(&database);
    }
}

fn restart(database: &Database) {
    let ws = Workspace::new();
    let repo = write_repo(&ws, "kept");
    let configured = ws.write(
        "configured/catalog-info.yaml",
        &component("configured", "c"),
    );
    let config = format!(
        "{QUIET}  locations:\n    - type: file\n      target: {}\n",
        configured.display()
    );
    let api = ws.serve(database, &config);
    let created = api.post("/locations", &json!({"type": "file", "target": repo}));
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.json()["location"].clone();
    api.server.wait_for(
        "/api/catalog/entities/by-name/component/default/configured",
        Duration::from_secs(20),
        |status, _| status == 200,
    );
    // As in Backstage, only registered locations are listed, and entities
    // from configured locations have no registered location.
    assert_eq!(api.get("/locations").json(), json!([{"data": location}]));
    let message = api
        .get("/locations/by-entity/component/default/configured")
        .expect_error(404, "NotFoundError");
    assert_eq!(
        message,
        format!(
            "Found no location with type file and target {}",
            configured.display()
        )
    );
    let before = api.entity_refs();
    drop(api);

    // After a restart nothing registered is lost, and the start-up pass
    // walks the registered location too (it sees this edit).
    ws.write(
        "kept/more/billing.yaml",
        &component("kept-billing", "after the restart"),
    );
    let api = ws.serve(database, &config);
    assert_eq!(api.get("/locations").json(), json!([{"data": location}]));
    api.server.wait_for(
        "/api/catalog/entities/by-name/component/default/kept-billing",
        Duration::from_secs(20),
        |status, body| status == 200 && body.contains("after the restart"),
    );
    assert_eq!(api.entity_refs(), before);
}

#[test]
fn url_locations_follow_the_reading_allow_list_and_the_rules() {
    for database in databases() {
        url_locations(&database);
    }
}

fn url_locations(database: &Database) {
    let ws = Workspace::new();
    ws.write(
        "site/catalog-info.yaml",
        &format!(
            "{}---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
            component("web", "served")
        ),
    );
    let files = FileServer::start(ws.path("site"));
    let config = format!(
        "{QUIET}backend:\n  reading:\n    allow:\n      - host: 127.0.0.1:{}\n",
        files.port
    );
    let api = ws.serve(database, &config);
    let target = files.url("catalog-info.yaml");

    // Default rules allow Component, API and Location: a dry run says why
    // the Group cannot come in…
    let dry = api.post(
        "/locations?dryRun=true",
        &json!({"type": "url", "target": target}),
    );
    let message = dry.expect_error(400, "InputError");
    assert!(
        message.contains("NotAllowedError")
            && message.contains("group:default/team-a")
            && message.contains("not of an allowed kind"),
        "{message}"
    );
    // …and registering brings in what is allowed.
    let created = api.post("/locations", &json!({"type": "url", "target": target}));
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let location_ref = created["location"]["entityRef"].as_str().unwrap();
    assert_eq!(
        refs_of(&created["entities"]),
        vec!["component:default/web".to_owned(), location_ref.to_owned()]
    );
    let web = api.get("/entities/by-name/component/default/web").json();
    assert_eq!(
        web["metadata"]["annotations"]["backstage.io/managed-by-location"],
        format!("url:{target}")
    );
    assert_eq!(
        api.get("/entities/by-name/group/default/team-a").status,
        404
    );
    let generated = created["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "Location")
        .unwrap()
        .clone();
    assert_eq!(
        generated["metadata"]["annotations"]["backstage.io/view-url"],
        target.as_str(),
        "{generated}"
    );

    for (body, expected) in [
        (
            json!({"type": "url", "target": files.url("missing.yaml")}),
            "does not exist".to_owned(),
        ),
        (
            json!({"type": "url", "target": format!("http://localhost:{}/catalog-info.yaml", files.port)}),
            "URL not allowed by backend.reading.allow configuration".to_owned(),
        ),
        (
            json!({"type": "url", "target": "ftp://127.0.0.1/catalog-info.yaml"}),
            "must be http or https URLs".to_owned(),
        ),
        (
            json!({"type": "url", "target": "catalog-info.yaml"}),
            "is not a valid URL".to_owned(),
        ),
        (
            json!({"type": "github-discovery", "target": target}),
            "Registered locations must be of an allowed type [\"url\",\"file\"]".to_owned(),
        ),
    ] {
        for path in ["/locations", "/locations?dryRun=true"] {
            let message = api.post(path, &body).expect_error(400, "InputError");
            assert!(message.contains(&expected), "{body} {path}: {message}");
        }
    }
    assert_eq!(api.get("/locations").json().as_array().unwrap().len(), 1);
}

#[test]
fn put_replaces_a_location_and_what_it_brought_in() {
    for database in databases() {
        put(&database);
    }
}

fn put(database: &Database) {
    let ws = Workspace::new();
    let first = write_repo(&ws, "one");
    let second = write_repo(&ws, "two");
    let third = write_repo(&ws, "three");
    let api = ws.serve(database, QUIET);
    let created = api.post("/locations", &json!({"type": "file", "target": first}));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["location"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = api.post("/locations", &json!({"type": "file", "target": third}));
    assert_eq!(other.status, 201, "{}", other.body);

    let replaced = api.put(
        &format!("/locations/{id}"),
        &json!({"type": "file", "target": second}),
    );
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let replaced = replaced.json();
    assert_eq!(replaced["id"], id.as_str());
    assert_eq!(replaced["target"], second.as_str());
    let refs = api.entity_refs();
    assert!(
        refs.contains(&"component:default/two-billing".to_owned())
            && !refs.iter().any(|r| r.contains("one-")),
        "{refs:?}"
    );
    assert!(refs.contains(&replaced["entityRef"].as_str().unwrap().to_owned()));

    let message = api
        .put(
            &format!("/locations/{id}"),
            &json!({"type": "file", "target": third}),
        )
        .expect_error(409, "ConflictError");
    assert_eq!(message, format!("Location file:{third} already exists"));
    api.put(
        "/locations/no-such-id",
        &json!({"type": "file", "target": first}),
    )
    .expect_error(404, "NotFoundError");
    let message = api
        .put(
            &format!("/locations/{id}"),
            &json!({"type": "file", "target": "relative/path"}),
        )
        .expect_error(400, "InputError");
    assert!(message.contains("absolute"), "{message}");
    assert_eq!(api.get(&format!("/locations/{id}")).json(), replaced);
}

#[test]
fn by_query_filters_and_pages_registered_locations() {
    for database in databases() {
        by_query(&database);
    }
}

fn by_query(database: &Database) {
    let ws = Workspace::new();
    let api = ws.serve(database, QUIET);
    let mut targets = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        std::fs::create_dir_all(ws.path(name)).unwrap();
        let target = ws.path(name).display().to_string();
        let reply = api.post("/locations", &json!({"type": "file", "target": target}));
        assert_eq!(reply.status, 201, "{}", reply.body);
        targets.push(target);
    }
    let targets_of = |page: &Value| -> Vec<String> {
        let mut found: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["target"].as_str().unwrap().to_owned())
            .collect();
        found.sort();
        found
    };

    let all = api.post("/locations/by-query", &json!({}));
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.json()["totalItems"], 3);
    let empty_body = api.send("POST", "/locations/by-query", "", Vec::new());
    assert_eq!(empty_body.json()["totalItems"], 3, "the body is optional");

    // Pages of two, ordered by id, the cursor carrying the query.
    let first = api
        .post(
            "/locations/by-query",
            &json!({"query": {"TYPE": "FILE"}, "limit": 2}),
        )
        .json();
    assert_eq!(first["totalItems"], 3);
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["pageInfo"]["nextCursor"].as_str().unwrap();
    let second = api
        .post("/locations/by-query", &json!({"cursor": cursor}))
        .json();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["pageInfo"].get("nextCursor").is_none(), "{second}");
    let mut seen = targets_of(&first);
    seen.extend(targets_of(&second));
    seen.sort();
    assert_eq!(seen, targets);
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let beta_prefix = ws.path("BETA").display().to_string();
    for (query, expected) in [
        (
            json!({"target": {"$hasPrefix": beta_prefix}}),
            vec![targets[1].clone()],
        ),
        (
            json!({"target": {"$in": [targets[0], targets[2]]}}),
            vec![targets[0].clone(), targets[2].clone()],
        ),
        (
            json!({"$not": {"target": targets[0]}}),
            vec![targets[1].clone(), targets[2].clone()],
        ),
        (
            json!({"$any": [{"target": targets[0]}, {"type": "url"}]}),
            vec![targets[0].clone()],
        ),
        (
            json!({"$all": [{"type": "file"}, {"target": targets[2]}]}),
            vec![targets[2].clone()],
        ),
        (
            json!({"type": {"$exists": true}, "id": {"$in": []}}),
            vec![],
        ),
    ] {
        let page = api.post("/locations/by-query", &json!({ "query": query }));
        assert_eq!(page.status, 200, "{query}: {}", page.body);
        let page = page.json();
        assert_eq!(targets_of(&page), expected, "{query}");
        assert_eq!(page["totalItems"], expected.len(), "{query}");
    }

    for (body, expected) in [
        (
            json!({"query": {"kind": "x"}}),
            "expected key to be 'id', 'type', or 'target', got 'kind'",
        ),
        (
            json!({"query": {"$or": []}}),
            "unknown logic operator '$or'",
        ),
        (
            json!({"query": {"type": {"$regex": "x"}}}),
            "unknown matcher object",
        ),
        (json!({"query": "type=url"}), "Query must be an object"),
        (json!({"limit": 0}), "Limit must be a positive integer >= 1"),
        (json!({"cursor": ""}), "Cursor cannot be empty"),
        (
            json!({"cursor": "not base64!"}),
            "Malformed cursor, unknown encoding",
        ),
    ] {
        let message = api
            .post("/locations/by-query", &body)
            .expect_error(400, "InputError");
        assert!(message.contains(expected), "{body}: {message}");
    }
}

#[test]
fn a_registration_overlapping_a_configured_location_leaves_its_entities_alone() {
    for database in databases() {
        overlapping(&database);
    }
}

/// A configured location `all.yaml` lists `shared.yaml`, which is then
/// registered on its own (URLs: no file watcher wakes a pass meanwhile).
fn overlapping(database: &Database) {
    let ws = Workspace::new();
    ws.write(
        "site/all.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  type: url\n  target: ./shared.yaml\n",
    );
    ws.write("site/shared.yaml", &component("shared", "first"));
    let files = FileServer::start(ws.path("site"));
    let config = format!(
        "{QUIET}  locations:\n    - type: url\n      target: {}\nbackend:\n  reading:\n    allow:\n      - host: 127.0.0.1:{}\n",
        files.url("all.yaml"),
        files.port
    );
    let api = ws.serve(database, &config);
    let path = "/api/catalog/entities/by-name/component/default/shared";
    let (_, body) = api
        .server
        .wait_for(path, Duration::from_secs(20), |status, _| status == 200);
    let before: Value = serde_json::from_str(&body).unwrap();
    let origin = format!("url:{}", files.url("all.yaml"));
    assert_eq!(
        before["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
        origin.as_str()
    );

    // The file changes, then is registered on its own: the registration
    // lists its entity but leaves it to the configured root, which reached
    // it first (the next full pass reads the change).
    ws.write("site/shared.yaml", &component("shared", "second"));
    let created = api.post(
        "/locations",
        &json!({"type": "url", "target": files.url("shared.yaml")}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    assert!(
        refs_of(&created["entities"]).contains(&"component:default/shared".to_owned()),
        "{created}"
    );
    let shared = api.get("/entities/by-name/component/default/shared").json();
    assert_eq!(
        shared["metadata"]["annotations"]["backstage.io/managed-by-origin-location"],
        origin.as_str()
    );

    // Unregistering removes only what the registration brought in.
    let id = created["location"]["id"].as_str().unwrap();
    assert_eq!(api.delete(&format!("/locations/{id}")).status, 204);
    let after = api.get("/entities/by-name/component/default/shared");
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.json()["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(
        api.entity_refs(),
        vec![
            "component:default/shared".to_owned(),
            "location:default/all".to_owned()
        ]
    );
}

#[test]
fn every_replica_walks_the_registered_locations() {
    for database in databases() {
        replicas(&database);
    }
}

/// Two servers on one database: what one registers, the other's passes
/// walk (a pass that ignored it would remove its sources as unreached).
fn replicas(database: &Database) {
    let ws = Workspace::new();
    let repo = write_repo(&ws, "both");
    let first = ws.serve(database, QUIET);
    let second = ws.serve(database, QUIET);
    let created = first.post("/locations", &json!({"type": "file", "target": repo}));
    assert_eq!(created.status, 201, "{}", created.body);
    let expected = first.entity_refs();
    assert_eq!(
        second.get("/locations").json()[0]["data"],
        created.json()["location"]
    );

    ws.write(
        "both/more/billing.yaml",
        &component("both-billing", "seen by the second"),
    );
    let reply = second.post(
        "/refresh",
        &json!({"entityRef": "component:default/both-billing"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    second.server.wait_for(
        "/api/catalog/entities/by-name/component/default/both-billing",
        Duration::from_secs(20),
        |status, body| status == 200 && body.contains("seen by the second"),
    );
    assert_eq!(second.entity_refs(), expected);
    assert_eq!(first.entity_refs(), expected);
}
