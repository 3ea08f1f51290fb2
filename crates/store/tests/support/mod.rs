//! Runs one behaviour against one backend: opens a fresh, private database
//! (a temporary SQLite file, an in-memory SQLite database, or a throwaway
//! PostgreSQL schema), hands it to the test, and removes it afterwards even
//! when the test panics.
//!
//! PostgreSQL is used only when `GREENROOM_TEST_POSTGRES_URL` is set; without
//! it the PostgreSQL variants say so on stderr and return.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;

use greenroom_store::{CatalogStore, DatabaseTarget, connect};
use sqlx::{Connection, PgConnection};

/// The environment variable naming the PostgreSQL server to test against.
pub const POSTGRES_URL_VAR: &str = "GREENROOM_TEST_POSTGRES_URL";

/// Which database a test variant runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    SqliteFile,
    SqliteMemory,
    /// A private schema in the database named by the URL.
    Postgres,
    /// A private database whose default collation is linguistic (ICU
    /// `en-US`), as on many production servers, to show that results do not
    /// depend on the server's locale.
    PostgresLinguistic,
}

/// The throwaway PostgreSQL object behind a fixture.
enum Scratch {
    Schema { admin_url: String, schema: String },
    Database { admin_url: String, database: String },
}

/// A private database that exists until [`Fixture::cleanup`].
pub struct Fixture {
    pub target: DatabaseTarget,
    /// Keeps the temporary folder of an SQLite file alive.
    _dir: Option<tempfile::TempDir>,
    postgres: Option<Scratch>,
}

impl Fixture {
    /// Creates the database, or `None` (after a notice) when the backend is
    /// not available.
    pub async fn create(backend: Backend) -> Option<Fixture> {
        match backend {
            Backend::SqliteFile => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let target = DatabaseTarget::SqliteFile(dir.path().join("data").join("catalog.db"));
                Some(Fixture {
                    target,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::SqliteMemory => Some(Fixture {
                target: DatabaseTarget::SqliteMemory,
                _dir: None,
                postgres: None,
            }),
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let schema = scratch_name();
                admin_execute(&admin_url, &format!("CREATE SCHEMA {schema}")).await;
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let scoped = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
                Some(Fixture {
                    target: DatabaseTarget::Postgres(scoped),
                    _dir: None,
                    postgres: Some(Scratch::Schema { admin_url, schema }),
                })
            }
            Backend::PostgresLinguistic => {
                let admin_url = postgres_url()?;
                let database = scratch_name();
                admin_execute(
                    &admin_url,
                    &format!(
                        "CREATE DATABASE {database} TEMPLATE template0 ENCODING 'UTF8' \
                         LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
                    ),
                )
                .await;
                let mut url = url::Url::parse(&admin_url).expect("a PostgreSQL URL");
                url.set_path(&format!("/{database}"));
                Some(Fixture {
                    target: DatabaseTarget::Postgres(url.to_string()),
                    _dir: None,
                    postgres: Some(Scratch::Database {
                        admin_url,
                        database,
                    }),
                })
            }
        }
    }

    /// Opens the store on this fixture's database (running migrations).
    pub async fn connect(&self) -> Arc<dyn CatalogStore> {
        let store = connect(&self.target)
            .await
            .expect("connect to the test database");
        if let Some(Scratch::Schema { admin_url, schema }) = &self.postgres {
            // The store must have created its tables in the private schema,
            // i.e. the `options` URL parameter reached the server.
            let mut admin = PgConnection::connect(admin_url)
                .await
                .expect("admin connection");
            let found: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(format!("{schema}.entities"))
                .fetch_one(&mut admin)
                .await
                .expect("look up the entities table");
            assert!(
                found,
                "the store did not create its tables in schema {schema}"
            );
        }
        store
    }

    /// Removes the database (the PostgreSQL schema; temp folders go on drop).
    pub async fn cleanup(self) {
        match &self.postgres {
            Some(Scratch::Schema { admin_url, schema }) => {
                admin_execute(admin_url, &format!("DROP SCHEMA {schema} CASCADE")).await;
            }
            Some(Scratch::Database {
                admin_url,
                database,
            }) => {
                admin_execute(admin_url, &format!("DROP DATABASE {database} WITH (FORCE)")).await;
            }
            None => {}
        }
    }
}

/// The server to test against, or `None` after a notice.
fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            // Straight to stderr: the test harness captures `eprintln!` of
            // passing tests, and a skip must never look like a silent pass.
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            let notice = format!(
                "skipping PostgreSQL conformance: {POSTGRES_URL_VAR} is not set ({test})\n"
            );
            let _ = std::io::stderr().lock().write_all(notice.as_bytes());
            None
        }
    }
}

/// A fresh lower-case identifier, unique across parallel tests and runs.
fn scratch_name() -> String {
    format!("gr_test_{}", uuid::Uuid::new_v4().simple())
}

async fn admin_execute(url: &str, sql: &str) {
    let mut admin = PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_VAR}: {e}"));
    // Never wait forever behind a connection a failed test left open.
    sqlx::raw_sql("SET lock_timeout = '20s'")
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("SET lock_timeout: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    admin.close().await.ok();
}

/// Runs `test` against a fresh fixture of `backend`, cleaning up afterwards;
/// a panic in the test is re-raised after the cleanup.
pub async fn with_fixture<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Arc<Fixture>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(fixture) = Fixture::create(backend).await else {
        return;
    };
    let fixture = Arc::new(fixture);
    let outcome = tokio::spawn(test(fixture.clone())).await;
    let fixture = Arc::into_inner(fixture).expect("the test released its fixture");
    fixture.cleanup().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Runs `test` against a freshly connected store on `backend`.
pub async fn with_store<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Arc<dyn CatalogStore>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_fixture(backend, |fixture| async move {
        let store = fixture.connect().await;
        drop(fixture);
        test(store).await;
    })
    .await;
}

/// Instantiates each behaviour as one `#[tokio::test]` per backend.
///
/// `stores: [a, b]` take an `Arc<dyn CatalogStore>` and run on the SQLite
/// file, in-memory SQLite and PostgreSQL; `persistent: [c]` take the
/// `Arc<Fixture>` (to reconnect) and run where a database outlives a
/// connection (SQLite file, PostgreSQL).
macro_rules! conformance {
    (stores: [$($store_test:ident),* $(,)?], persistent: [$($fixture_test:ident),* $(,)?] $(,)?) => {
        mod sqlite_file {
            #[allow(unused_imports, reason = "suites without persistent tests")]
            use $crate::support::{Backend, with_fixture, with_store};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $store_test() { with_store(Backend::SqliteFile, super::$store_test).await }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $fixture_test() { with_fixture(Backend::SqliteFile, super::$fixture_test).await }
            )*
        }
        mod sqlite_memory {
            use $crate::support::{Backend, with_store};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $store_test() { with_store(Backend::SqliteMemory, super::$store_test).await }
            )*
        }
        mod postgres {
            #[allow(unused_imports, reason = "suites without persistent tests")]
            use $crate::support::{Backend, with_fixture, with_store};
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $store_test() { with_store(Backend::Postgres, super::$store_test).await }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $fixture_test() { with_fixture(Backend::Postgres, super::$fixture_test).await }
            )*
        }
    };
}
