//! Where descriptors come from beyond one plain file: placeholders that pull
//! in other files, URL locations behind `backend.reading.allow`, glob
//! targets and folder discovery.

// Scenario helpers live outside #[test] functions; panicking is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use common::*;
use greenroom_catalog::OrphanStrategy;
use greenroom_catalog::location::TargetSpec;
use serde_json::json;

on_every_backend!(
    placeholders_are_resolved_relative_to_their_file_and_followed,
    url_locations_are_read_when_allowed,
    url_locations_need_the_allow_list,
    redirects_are_checked_against_the_allow_list,
    glob_targets_pick_up_added_and_removed_files,
    discovery_honours_gitignore_and_follows_the_folder,
);

const PETSTORE: &str = "\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: petstore
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $text: ./openapi.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: petstore-svc
spec:
  type: service
  lifecycle: production
  owner: team-a
  config:
    $json: ./config.json
  settings:
    $yaml: ../shared/settings.yaml
";

async fn placeholders_are_resolved_relative_to_their_file_and_followed(db: Db) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./apis/petstore.yaml"]),
    );
    files.write("catalog/apis/petstore.yaml", PETSTORE);
    let openapi = "openapi: 3.0.0\ninfo:\n  title: Petstore\n";
    files.write("catalog/apis/openapi.yaml", openapi);
    files.write(
        "catalog/apis/config.json",
        r#"{"replicas": 2, "regions": ["eu"]}"#,
    );
    files.write("catalog/shared/settings.yaml", "retries: 3\nmode: fast\n");
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);

    let api = must(store, "api:default/petstore").await;
    assert_eq!(api["spec"]["definition"], openapi);
    let svc = must(store, "component:default/petstore-svc").await;
    assert_eq!(
        svc["spec"]["config"],
        json!({"replicas": 2, "regions": ["eu"]})
    );
    assert_eq!(
        svc["spec"]["settings"],
        json!({"retries": 3, "mode": "fast"})
    );

    // Nothing changed: the file is read again but nothing is written.
    let report = refresh(&engine).await;
    assert_eq!(report.entities_written, 0);
    assert_eq!(report.stitched.written, 0);

    // The descriptor stays the same; the files it points at change.
    let openapi_v2 = "openapi: 3.1.0\ninfo:\n  title: Petstore v2\n";
    files.write("catalog/apis/openapi.yaml", openapi_v2);
    let report = refresh(&engine).await;
    assert_eq!(report.entities_written, 1);
    assert_eq!(
        must(store, "api:default/petstore").await["spec"]["definition"],
        openapi_v2
    );
    assert_eq!(must(store, "component:default/petstore-svc").await, svc);

    files.write("catalog/apis/config.json", r#"{"replicas": 3}"#);
    files.write("catalog/shared/settings.yaml", "retries: 5\n");
    refresh(&engine).await;
    let svc = must(store, "component:default/petstore-svc").await;
    assert_eq!(svc["spec"]["config"], json!({"replicas": 3}));
    assert_eq!(svc["spec"]["settings"], json!({"retries": 5}));

    // A referenced file that goes missing is an error until it is back.
    files.remove("catalog/apis/config.json");
    refresh(&engine).await;
    let broken = must(store, "component:default/petstore-svc").await;
    assert_eq!(broken["spec"], svc["spec"]);
    assert_status(
        &broken,
        &[
            &files.key("catalog/apis/petstore.yaml"),
            "Placeholder $json could not read location ./config.json",
        ],
    );
    files.write("catalog/apis/config.json", r#"{"replicas": 4}"#);
    refresh(&engine).await;
    let svc = must(store, "component:default/petstore-svc").await;
    assert_no_status(&svc);
    assert_eq!(svc["spec"]["config"], json!({"replicas": 4}));
}

/// What the test HTTP server answers for a path.
#[derive(Clone)]
enum Reply {
    Text(String),
    Redirect(String),
}

type Site = Arc<Mutex<HashMap<String, Reply>>>;

/// A tiny HTTP server on 127.0.0.1 serving `site`; returns its base URL
/// (`http://127.0.0.1:<port>`). It stops with the test's runtime.
async fn serve(site: Site) -> String {
    async fn answer(State(site): State<Site>, uri: Uri) -> Response {
        let reply = site.lock().unwrap().get(uri.path()).cloned();
        match reply {
            Some(Reply::Text(text)) => text.into_response(),
            Some(Reply::Redirect(to)) => Redirect::temporary(&to).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
    let app = axum::Router::new().fallback(answer).with_state(site);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// `/catalog/all.yaml` → `/catalog/svc/catalog-info.yaml` (component `web`
/// and API `web-api` whose definition is `/catalog/svc/openapi.yaml`).
async fn url_catalog() -> (Site, String) {
    let site: Site = Arc::default();
    let base = serve(site.clone()).await;
    {
        let mut pages = site.lock().unwrap();
        pages.insert(
            "/catalog/all.yaml".into(),
            Reply::Text(location("root", &["./svc/catalog-info.yaml"])),
        );
        pages.insert(
            "/catalog/svc/catalog-info.yaml".into(),
            Reply::Text(docs(&[
                &component("web", "team-a"),
                "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: web-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n",
            ])),
        );
        pages.insert(
            "/catalog/svc/openapi.yaml".into(),
            Reply::Text("openapi: 3.0.0\n".into()),
        );
    }
    (site, base)
}

fn url_root(url: &str) -> TargetSpec {
    TargetSpec::Url {
        url: url::Url::parse(url).unwrap(),
    }
}

async fn url_locations_are_read_when_allowed(db: Db) {
    let (site, base) = url_catalog().await;
    let root = format!("{base}/catalog/all.yaml");
    let engine = Setup::new(vec![url_root(&root)])
        .urls(LoopbackOnly)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);

    let location = must(store, "location:default/root").await;
    assert_eq!(
        annotation(&location, "backstage.io/managed-by-location"),
        Some(format!("url:{root}").as_str())
    );
    assert_eq!(
        annotation(&location, "backstage.io/view-url"),
        Some(root.as_str())
    );
    assert_eq!(
        annotation(&location, "backstage.io/source-location"),
        Some(format!("url:{base}/catalog/").as_str())
    );

    let file = format!("{base}/catalog/svc/catalog-info.yaml");
    let web = must(store, "component:default/web").await;
    assert_eq!(
        annotation(&web, "backstage.io/managed-by-location"),
        Some(format!("url:{file}").as_str())
    );
    assert_eq!(
        annotation(&web, "backstage.io/managed-by-origin-location"),
        Some(format!("url:{root}").as_str())
    );
    assert_eq!(
        annotation(&web, "backstage.io/view-url"),
        Some(file.as_str())
    );
    assert_eq!(
        annotation(&web, "backstage.io/source-location"),
        Some(format!("url:{base}/catalog/svc/").as_str())
    );
    assert_eq!(
        must(store, "api:default/web-api").await["spec"]["definition"],
        "openapi: 3.0.0\n"
    );

    // An edit on the server is picked up by the next pass.
    site.lock().unwrap().insert(
        "/catalog/svc/catalog-info.yaml".into(),
        Reply::Text(component("web", "team-b")),
    );
    refresh(&engine).await;
    assert_eq!(
        must(store, "component:default/web").await["spec"]["owner"],
        "team-b"
    );
    assert!(entity(store, "api:default/web-api").await.is_none());
}

async fn url_locations_need_the_allow_list(db: Db) {
    let (_site, base) = url_catalog().await;
    let root = format!("{base}/catalog/all.yaml");
    let engine = Setup::new(vec![url_root(&root)]).engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert!(all_refs(store).await.is_empty());
    assert_eq!(
        errors_of(store, &format!("url:{root}")).await,
        [format!(
            "NotAllowedError: URL not allowed by backend.reading.allow configuration: {root}"
        )]
    );
}

async fn redirects_are_checked_against_the_allow_list(db: Db) {
    let (site, base) = url_catalog().await;
    let port = base.rsplit(':').next().unwrap().to_owned();
    {
        let mut pages = site.lock().unwrap();
        pages.insert(
            "/catalog/all.yaml".into(),
            Reply::Text(location(
                "root",
                &["./svc/catalog-info.yaml", "./hop.yaml", "./away.yaml"],
            )),
        );
        pages.insert(
            "/catalog/hop.yaml".into(),
            Reply::Redirect(format!("{base}/elsewhere/hop.yaml")),
        );
        pages.insert(
            "/elsewhere/hop.yaml".into(),
            Reply::Text(component("hopped", "team-a")),
        );
        pages.insert(
            "/catalog/away.yaml".into(),
            Reply::Redirect(format!("http://localhost:{port}/elsewhere/away.yaml")),
        );
        pages.insert(
            "/elsewhere/away.yaml".into(),
            Reply::Text(component("away", "team-a")),
        );
    }
    let root = format!("{base}/catalog/all.yaml");
    let engine = Setup::new(vec![url_root(&root)])
        .urls(LoopbackOnly)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;

    // A redirect to an allowed URL is followed, one to another host is not.
    assert!(entity(store, "component:default/hopped").await.is_some());
    assert!(entity(store, "component:default/away").await.is_none());
    assert!(entity(store, "component:default/web").await.is_some());
    let away = format!("url:{base}/catalog/away.yaml");
    let refused = format!(
        "URL not allowed by backend.reading.allow configuration: http://localhost:{port}/elsewhere/away.yaml"
    );
    assert_eq!(
        errors_of(store, &away).await,
        [format!("NotAllowedError: {refused}")]
    );
    assert_status(
        &must(store, "location:default/root").await,
        &[&away, &refused],
    );
}

/// Component `name` in `catalog/services/<name>/catalog-info.yaml`.
fn service(files: &Files, name: &str) {
    files.write(
        &format!("catalog/services/{name}/catalog-info.yaml"),
        &component(name, "team-a"),
    );
}

async fn glob_targets_pick_up_added_and_removed_files(db: Db) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./services/*/catalog-info.yaml"]),
    );
    service(&files, "a");
    service(&files, "b");
    files.write(
        "catalog/services/b/other.yaml",
        &component("not-matched", "team-a"),
    );
    files.write(
        "catalog/services/deep/x/catalog-info.yaml",
        &component("too-deep", "team-a"),
    );
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .orphans(OrphanStrategy::Delete)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert_eq!(
        all_refs(store).await,
        [
            "component:default/a",
            "component:default/b",
            "location:default/root"
        ]
    );
    assert_eq!(
        annotation(
            &must(store, "component:default/b").await,
            "backstage.io/managed-by-location"
        ),
        Some(files.key("catalog/services/b/catalog-info.yaml").as_str())
    );

    service(&files, "c");
    let report = refresh(&engine).await;
    assert_eq!(report.sources_processed, 1);
    assert_eq!(report.entities_written, 1);
    assert!(entity(store, "component:default/c").await.is_some());

    files.remove("catalog/services/a/catalog-info.yaml");
    let report = refresh(&engine).await;
    assert_eq!(report.sources_removed, 1);
    assert_eq!(report.entities_deleted, 1);
    assert_eq!(
        all_refs(store).await,
        [
            "component:default/b",
            "component:default/c",
            "location:default/root"
        ]
    );
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);

    // A renamed file hands its entity to the new file in one pass.
    let c = must(store, "component:default/c").await;
    std::fs::rename(
        files.path("catalog/services/c"),
        files.path("catalog/services/c-renamed"),
    )
    .unwrap();
    let report = refresh(&engine).await;
    assert_eq!(report.entities_deleted, 0);
    assert_renamed(
        store,
        &c,
        &files.key("catalog/services/c-renamed/catalog-info.yaml"),
    )
    .await;
}

/// `before` now comes from `key`: same uid and spec, no orphan mark, no errors.
async fn assert_renamed(
    store: &Arc<dyn greenroom_store::CatalogStore>,
    before: &serde_json::Value,
    key: &str,
) {
    let entity_ref = format!(
        "component:default/{}",
        before["metadata"]["name"].as_str().unwrap()
    );
    let after = must(store, &entity_ref).await;
    assert_eq!(
        annotation(&after, "backstage.io/managed-by-location"),
        Some(key)
    );
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    assert_eq!(after["spec"], before["spec"]);
    assert_eq!(annotation(&after, "backstage.io/orphan"), None);
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
}

async fn discovery_honours_gitignore_and_follows_the_folder(db: Db) {
    let files = Files::new();
    files.write("catalog/catalog-info.yaml", &component("top", "team-a"));
    files.write("catalog/x/catalog-info.yml", &component("yml", "team-a"));
    files.write("catalog/x/other.yaml", &component("other-name", "team-a"));
    files.write("catalog/.gitignore", "vendor/\n");
    files.write(
        "catalog/vendor/catalog-info.yaml",
        &component("vendored", "team-a"),
    );
    files.write(
        "catalog/.hidden/catalog-info.yaml",
        &component("hidden", "team-a"),
    );
    let engine = Setup::new(vec![TargetSpec::Discover {
        dir: files.path("catalog"),
    }])
    .orphans(OrphanStrategy::Keep)
    .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert_eq!(
        all_refs(store).await,
        ["component:default/top", "component:default/yml"]
    );

    files.write("catalog/new/catalog-info.yaml", &component("new", "team-a"));
    files.remove("catalog/x/catalog-info.yml");
    let report = refresh(&engine).await;
    assert_eq!(report.sources_removed, 1);
    assert_eq!(report.entities_orphaned, 1);
    assert_eq!(
        all_refs(store).await,
        [
            "component:default/new",
            "component:default/top",
            "component:default/yml"
        ]
    );
    assert_eq!(
        annotation(
            &must(store, "component:default/yml").await,
            "backstage.io/orphan"
        ),
        Some("true")
    );
    assert_eq!(
        annotation(
            &must(store, "component:default/new").await,
            "backstage.io/orphan"
        ),
        None
    );

    let top = must(store, "component:default/top").await;
    std::fs::create_dir_all(files.path("catalog/moved")).unwrap();
    std::fs::rename(
        files.path("catalog/catalog-info.yaml"),
        files.path("catalog/moved/catalog-info.yaml"),
    )
    .unwrap();
    let report = refresh(&engine).await;
    assert_eq!(report.entities_orphaned, 0);
    assert_renamed(store, &top, &files.key("catalog/moved/catalog-info.yaml")).await;
}
