//! Shared harness of the ingestion tests: a catalog of real files in a temp
//! folder, a database per test (an SQLite file, or a private PostgreSQL
//! schema when `GREENROOM_TEST_POSTGRES_URL` is set), an engine wired like
//! the binary wires it, and readers for the stitched entities.
//!
//! Every scenario is an `async fn(Db)`; [`on_every_backend!`] turns a list of
//! them into one `#[tokio::test]` per scenario and backend.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use greenroom_catalog::location::TargetSpec;
use greenroom_catalog::{
    AllowAllKinds, DenyAllUrls, Engine, KindPolicy, OrphanStrategy, Processor, Reader,
    RefreshReport, Root, UrlPolicy,
};
use greenroom_store::{CatalogStore, DatabaseTarget};
use serde_json::Value;

/// The environment variable naming the PostgreSQL server tests may use.
pub const POSTGRES_ENV: &str = "GREENROOM_TEST_POSTGRES_URL";

/// Generates one test per scenario and backend:
/// `sqlite::<scenario>` and `postgres::<scenario>`.
#[macro_export]
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::common::Db::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    if let Some(db) = super::common::Db::postgres().await {
                        super::$scenario(db).await;
                    }
                }
            )*
        }
    };
}

/// A database private to one test, removed when dropped.
pub struct Db {
    pub store: Arc<dyn CatalogStore>,
    target: DatabaseTarget,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<PgSchema>,
}

impl Db {
    /// A fresh SQLite file in a temp folder.
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let target = DatabaseTarget::SqliteFile(dir.path().join("greenroom.db"));
        let store = greenroom_store::connect(&target).await.unwrap();
        Db {
            store,
            target,
            _dir: Some(dir),
            _schema: None,
        }
    }

    /// A fresh schema on the PostgreSQL server named by
    /// `GREENROOM_TEST_POSTGRES_URL`, or `None` (with a note) when unset.
    pub async fn postgres() -> Option<Db> {
        let Ok(base) = std::env::var(POSTGRES_ENV) else {
            eprintln!("skipping PostgreSQL: {POSTGRES_ENV} is not set");
            return None;
        };
        let schema = PgSchema::create(&base).await;
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!(
            "{base}{separator}options=-c%20search_path%3D{}",
            schema.name
        );
        let target = DatabaseTarget::Postgres(url);
        let store = greenroom_store::connect(&target).await.unwrap();
        Some(Db {
            store,
            target,
            _dir: None,
            _schema: Some(schema),
        })
    }

    /// A new connection to the same database (as after a restart).
    pub async fn reopen(&self) -> Arc<dyn CatalogStore> {
        greenroom_store::connect(&self.target).await.unwrap()
    }
}

/// A PostgreSQL schema `gr_test_<random>`, dropped (with everything in it)
/// when this value is dropped, also when the test panics.
struct PgSchema {
    base: String,
    name: String,
}

impl PgSchema {
    async fn create(base: &str) -> PgSchema {
        use sqlx::Connection;
        let name = format!("gr_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(base).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        PgSchema {
            base: base.to_owned(),
            name,
        }
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let base = self.base.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async work on a thread
        // with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(&base).await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {name} CASCADE"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}", self.name);
        }
    }
}

/// A folder of descriptor files, deleted at the end of the test.
pub struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    pub fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The temp folder itself (catalog roots usually live in a subfolder so
    /// that tests can put files "outside the root" next to it).
    pub fn base(&self) -> &Path {
        self.dir.path()
    }

    /// The absolute path of `relative`.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// The location key of a file (`file:/abs/path`).
    pub fn key(&self, relative: &str) -> String {
        format!("file:{}", self.path(relative).display())
    }

    /// Writes `text` (creating folders).
    pub fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).unwrap();
    }

    /// A `type: file` root at one file.
    pub fn root(&self, relative: &str) -> TargetSpec {
        TargetSpec::File {
            pattern: self.path(relative),
        }
    }
}

/// A Location entity named `name` with the given targets.
pub fn location(name: &str, targets: &[&str]) -> String {
    let mut yaml = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  targets:\n"
    );
    for target in targets {
        yaml.push_str(&format!("    - {target}\n"));
    }
    yaml
}

/// A Component named `name` owned by `owner`.
pub fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

/// A Group named `name`.
pub fn group(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n"
    )
}

/// Joins documents into one multi-document stream.
pub fn docs(documents: &[&str]) -> String {
    documents.join("---\n")
}

/// URL policy allowing only `http://127.0.0.1:*`.
pub struct LoopbackOnly;

impl UrlPolicy for LoopbackOnly {
    fn allows(&self, url: &url::Url) -> bool {
        url.host_str() == Some("127.0.0.1")
    }
}

/// How a test engine is set up; `Setup::new(roots)` is the common case.
pub struct Setup {
    pub roots: Vec<Root>,
    pub orphans: OrphanStrategy,
    pub max_bytes: usize,
    pub urls: Arc<dyn UrlPolicy>,
    pub kinds: Arc<dyn KindPolicy>,
}

impl Setup {
    /// Every kind allowed, files up to 64 KiB, no URLs, orphans deleted.
    pub fn new(roots: Vec<TargetSpec>) -> Setup {
        Setup {
            roots: roots
                .into_iter()
                .map(|target| Root {
                    target,
                    all_kinds: true,
                })
                .collect(),
            orphans: OrphanStrategy::Delete,
            max_bytes: 64 * 1024,
            urls: Arc::new(DenyAllUrls),
            kinds: Arc::new(AllowAllKinds),
        }
    }

    pub fn orphans(mut self, orphans: OrphanStrategy) -> Setup {
        self.orphans = orphans;
        self
    }

    pub fn max_bytes(mut self, max_bytes: usize) -> Setup {
        self.max_bytes = max_bytes;
        self
    }

    pub fn urls(mut self, urls: impl UrlPolicy + 'static) -> Setup {
        self.urls = Arc::new(urls);
        self
    }

    /// Applies `kinds` (roots no longer allow every kind).
    pub fn kinds(mut self, kinds: impl KindPolicy + 'static) -> Setup {
        self.kinds = Arc::new(kinds);
        for root in &mut self.roots {
            root.all_kinds = false;
        }
        self
    }

    pub fn engine(self, store: Arc<dyn CatalogStore>) -> Engine {
        let reader = Reader::new(self.max_bytes, self.urls);
        Engine::new(
            store,
            Processor::new(reader, self.kinds, 0),
            self.roots,
            self.orphans,
        )
    }
}

/// Runs one refresh pass.
pub async fn refresh(engine: &Engine) -> RefreshReport {
    engine.refresh().await.unwrap()
}

/// The stitched entity `entity_ref`, parsed, if there is one.
pub async fn entity(store: &Arc<dyn CatalogStore>, entity_ref: &str) -> Option<Value> {
    let row = store.final_entity(entity_ref).await.unwrap()?;
    Some(serde_json::from_str(&row.body).unwrap())
}

/// The stitched entity `entity_ref`, which must exist.
pub async fn must(store: &Arc<dyn CatalogStore>, entity_ref: &str) -> Value {
    match entity(store, entity_ref).await {
        Some(entity) => entity,
        None => panic!("{entity_ref} is not in the catalog"),
    }
}

/// Every stitched entity ref, sorted.
pub async fn all_refs(store: &Arc<dyn CatalogStore>) -> Vec<String> {
    store
        .final_entities(None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.entity_ref)
        .collect()
}

/// `(type, targetRef)` of every relation of a stitched entity, in order.
pub fn relations(entity: &Value) -> Vec<(String, String)> {
    entity["relations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["type"].as_str().unwrap().to_owned(),
                r["targetRef"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Builds an expected relation list from `(type, target)` pairs.
pub fn rels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(t, r)| ((*t).to_owned(), (*r).to_owned()))
        .collect()
}

/// An annotation of a stitched entity.
pub fn annotation<'a>(entity: &'a Value, key: &str) -> Option<&'a str> {
    entity["metadata"]["annotations"][key].as_str()
}

/// The messages of `status.items` of a stitched entity.
pub fn status_messages(entity: &Value) -> Vec<String> {
    match entity.get("status").and_then(|s| s["items"].as_array()) {
        Some(items) => items
            .iter()
            .map(|item| item["message"].as_str().unwrap().to_owned())
            .collect(),
        None => Vec::new(),
    }
}

/// Asserts that some `status.items` message contains every one of `parts`.
pub fn assert_status(entity: &Value, parts: &[&str]) {
    let messages = status_messages(entity);
    assert!(
        messages
            .iter()
            .any(|m| parts.iter().all(|part| m.contains(part))),
        "no status item of {} contains {parts:?}; items: {messages:#?}",
        entity["metadata"]["name"]
    );
}

/// Asserts a stitched entity carries no processing errors.
pub fn assert_no_status(entity: &Value) {
    assert!(
        entity.get("status").is_none(),
        "{} still has status {:#}",
        entity["metadata"]["name"],
        entity["status"]
    );
}

/// `(subject, errors JSON)` of everything that has processing errors.
pub async fn errors(store: &Arc<dyn CatalogStore>) -> Vec<(String, String)> {
    store
        .processing_errors(1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.subject, row.errors))
        .collect()
}

/// The messages of the processing errors recorded on `subject` (an entity
/// ref or a source key).
pub async fn errors_of(store: &Arc<dyn CatalogStore>, subject: &str) -> Vec<String> {
    errors(store)
        .await
        .into_iter()
        .filter(|(s, _)| s == subject)
        .flat_map(|(_, json)| {
            let parsed: Vec<Value> = serde_json::from_str(&json).unwrap();
            parsed
                .into_iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e["name"].as_str().unwrap(),
                        e["message"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
