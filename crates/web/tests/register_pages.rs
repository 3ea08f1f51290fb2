//! The import and locations pages in process: the whole router on an
//! in-memory SQLite store, driven with `oneshot` form posts as a browser
//! without JavaScript sends them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use greenroom_catalog::{AllowAllKinds, DenyAllUrls, Engine, OrphanStrategy, Processor, Reader};
use greenroom_store::{CatalogStore, DatabaseTarget};
use greenroom_web::{AppState, WritePolicy};
use tokio::sync::mpsc;
use tower::ServiceExt;

struct App {
    router: Router,
    store: Arc<dyn CatalogStore>,
    wakes: mpsc::Receiver<()>,
    dir: tempfile::TempDir,
}

async fn app(readonly: bool) -> App {
    let store = greenroom_store::connect(&DatabaseTarget::SqliteMemory)
        .await
        .unwrap();
    let processor = Processor::new(
        Reader::new(1024 * 1024, Arc::new(DenyAllUrls)),
        Arc::new(AllowAllKinds),
        0,
    );
    let engine = Engine::new(store.clone(), processor, Vec::new(), OrphanStrategy::Keep);
    let (refresh, wakes) = mpsc::channel(1);
    let state = AppState {
        store: store.clone(),
        refresh,
        metrics: Arc::default(),
        engine: Arc::new(engine),
        writes: WritePolicy {
            readonly,
            refresh_on_conflict: false,
        },
        pages: Arc::default(),
    };
    App {
        router: greenroom_web::router(state),
        store,
        wakes,
        dir: tempfile::tempdir().unwrap(),
    }
}

struct Reply {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl App {
    /// Writes a file below the app's folder and returns its absolute path.
    fn write(&self, relative: &str, text: &str) -> String {
        let path: PathBuf = std::fs::canonicalize(self.dir.path())
            .unwrap()
            .join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            location,
            body: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A form post from a page of the portal (`fields` already encoded).
    async fn post(&self, path: &str, fields: &str) -> Reply {
        self.post_from(path, fields, "same-origin").await
    }

    async fn post_from(&self, path: &str, fields: &str, site: &str) -> Reply {
        self.send(
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", site)
                .body(Body::from(fields.to_owned()))
                .unwrap(),
        )
        .await
    }

    async fn location_ids(&self) -> Vec<String> {
        self.store
            .locations()
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.id)
            .collect()
    }
}

fn encode(value: &str) -> String {
    greenroom_ui::links::encode_component(value)
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  title: The {name} service\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

#[tokio::test]
async fn a_previewed_file_is_imported_and_shows_up() {
    let app = app(false).await;
    let file = app.write("payments/catalog-info.yaml", &component("payments"));

    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&file)),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("<strong>payments</strong>"));
    assert!(preview.body.contains("The payments service"));
    assert!(preview.body.contains("1 entity would be imported."));
    assert!(
        preview
            .body
            .contains(r#"action="/catalog-import/register""#)
    );
    assert!(
        app.location_ids().await.is_empty(),
        "a preview stores nothing"
    );
    assert_eq!(
        app.get("/catalog/default/component/payments").await.status,
        StatusCode::NOT_FOUND
    );

    let imported = app
        .post(
            "/catalog-import/register",
            &format!("type=file&target={}", encode(&file)),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    assert!(
        imported
            .body
            .contains(r#"href="/catalog/default/component/payments""#)
    );
    assert_eq!(app.location_ids().await.len(), 1);
    let page = app.get("/catalog/default/component/payments").await;
    assert_eq!(page.status, StatusCode::OK);

    let locations = app.get("/locations").await;
    assert!(locations.body.contains(&file));
    assert!(locations.body.contains("/unregister"));

    // Previewed again, it says so and importing again only refreshes.
    let again = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&file)),
        )
        .await;
    assert!(again.body.contains("Already registered"));
    assert!(again.body.contains("Already imported"));
    let refreshed = app
        .post(
            "/catalog-import/register",
            &format!("type=file&target={}", encode(&file)),
        )
        .await;
    assert!(refreshed.body.contains("registered already"));
    assert_eq!(app.location_ids().await.len(), 1);
}

#[tokio::test]
async fn a_folder_is_analyzed_and_broken_yaml_is_shown_with_its_line() {
    let app = app(false).await;
    app.write("repo/a/catalog-info.yaml", &component("alpha"));
    let folder = app.write("repo/b/catalog-info.yaml", &component("beta"));
    let folder = folder.trim_end_matches("/b/catalog-info.yaml").to_owned();
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&folder)),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Catalog files found"));
    assert!(preview.body.contains("<strong>alpha</strong>"));
    assert!(preview.body.contains("<strong>beta</strong>"));
    assert_eq!(
        preview.body.matches(r#"name="target" value="#).count(),
        3,
        "the field and one hidden target per file"
    );

    let broken = app.write(
        "broken/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: broken\n   title: oops\n",
    );
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&broken)),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("YAMLError"), "{}", preview.body);
    assert!(preview.body.contains("line 5"), "{}", preview.body);
    // The same file reached through its folder.
    let folder = broken.trim_end_matches("/catalog-info.yaml");
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(folder)),
        )
        .await;
    assert!(preview.body.contains("line 5"), "{}", preview.body);
}

#[tokio::test]
async fn what_cannot_be_imported_is_explained() {
    let app = app(false).await;
    let missing = app.write("x/other.txt", "");
    let missing = missing.replace("other.txt", "catalog-info.yaml");
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&missing)),
        )
        .await;
    assert!(preview.body.contains("does not exist"), "{}", preview.body);
    assert!(preview.body.contains("Nothing can be imported"));

    let empty = missing.trim_end_matches("/catalog-info.yaml");
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(empty)),
        )
        .await;
    assert!(preview.body.contains("No catalog-info.yaml here"));
    assert!(preview.body.contains("spec.owner"));

    let url = app
        .post(
            "/catalog-import/analyze",
            "target=https%3A%2F%2Fgit.example%2Fcatalog-info.yaml",
        )
        .await;
    assert!(url.body.contains("backend.reading.allow"), "{}", url.body);

    let relative = app
        .post("/catalog-import/analyze", "target=catalog-info.yaml")
        .await;
    assert_eq!(relative.status, StatusCode::BAD_REQUEST);
    assert!(relative.body.contains("neither an absolute path nor a URL"));
    assert!(relative.body.contains(r#"value="catalog-info.yaml""#));
}

#[tokio::test]
async fn unregistering_removes_the_entities_and_refresh_wakes_the_loop() {
    let mut app = app(false).await;
    let file = app.write("svc/catalog-info.yaml", &component("svc"));
    app.post(
        "/catalog-import/register",
        &format!("type=file&target={}", encode(&file)),
    )
    .await;
    let id = app.location_ids().await.remove(0);

    let refreshed = app.post(&format!("/locations/{id}/refresh"), "").await;
    assert_eq!(refreshed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        refreshed.location.as_deref(),
        Some("/locations?refreshed=1")
    );
    assert!(app.wakes.try_recv().is_ok(), "the refresh loop is woken");

    let removed = app.post(&format!("/locations/{id}/unregister"), "").await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        removed.location.as_deref(),
        Some("/locations?unregistered=1")
    );
    assert!(app.location_ids().await.is_empty());
    assert_eq!(
        app.get("/catalog/default/component/svc").await.status,
        StatusCode::NOT_FOUND
    );
    let page = app.get("/locations?unregistered=1").await;
    assert!(page.body.contains("was unregistered"));
    assert!(page.body.contains("No location has been registered yet."));

    let again = app.post(&format!("/locations/{id}/unregister"), "").await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains("Found no location"));
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = app(false).await;
    let file = app.write("svc/catalog-info.yaml", &component("svc"));
    let fields = format!("type=file&target={}", encode(&file));
    let refused = app
        .post_from("/catalog-import/register", &fields, "cross-site")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.location_ids().await.is_empty());

    app.post("/catalog-import/register", &fields).await;
    let id = app.location_ids().await.remove(0);
    for action in ["unregister", "refresh"] {
        let refused = app
            .post_from(&format!("/locations/{id}/{action}"), "", "cross-site")
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(app.location_ids().await, vec![id]);
}

#[tokio::test]
async fn a_readonly_catalog_previews_but_does_not_import() {
    let app = app(true).await;
    let file = app.write("svc/catalog-info.yaml", &component("svc"));
    let preview = app
        .post(
            "/catalog-import/analyze",
            &format!("target={}", encode(&file)),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<strong>svc</strong>"));
    assert!(preview.body.contains("catalog.readonly"));
    assert!(
        !preview
            .body
            .contains(r#"action="/catalog-import/register""#)
    );
    let refused = app
        .post(
            "/catalog-import/register",
            &format!("type=file&target={}", encode(&file)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.location_ids().await.is_empty());
}

#[tokio::test]
async fn forms_are_bounded_and_checked() {
    let app = app(false).await;
    let huge = format!("target=/{}", "a".repeat(64 * 1024));
    let refused = app.post("/catalog-import/analyze", &huge).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.body
    );
    let odd = app
        .post("/catalog-import/register", "type=file&colour=red")
        .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert!(odd.body.contains("unknown fields"));
    let opened = app.get("/catalog-import/register").await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location.as_deref(), Some("/catalog-import"));
}
