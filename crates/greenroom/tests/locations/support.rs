//! What the location tests share: the databases to run on (SQLite always,
//! PostgreSQL in a private schema when `GREENROOM_TEST_POSTGRES_URL` is
//! set), a `greenroom serve` started on one of them with a given
//! app-config, a JSON client for every method, a static file server for
//! `url` locations, and small catalog fixtures.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sqlx::Connection;

use crate::common::{Server, write};

pub const POSTGRES_URL_VAR: &str = "GREENROOM_TEST_POSTGRES_URL";

/// One database a test runs on.
pub enum Database {
    Sqlite,
    /// A private schema in the database `GREENROOM_TEST_POSTGRES_URL` names,
    /// dropped with the value.
    Postgres {
        admin_url: String,
        schema: String,
    },
}

impl Database {
    pub fn name(&self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    /// The `greenroom serve` arguments selecting this database.
    fn args(&self, data: &Path) -> Vec<String> {
        let mut args = vec!["--data-dir".to_owned(), data.display().to_string()];
        if let Database::Postgres { admin_url, schema } = self {
            let separator = if admin_url.contains('?') { '&' } else { '?' };
            args.push("--database-url".to_owned());
            args.push(format!(
                "{admin_url}{separator}options=-c%20search_path%3D{schema}"
            ));
        }
        args
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres { admin_url, schema } = self {
            postgres_execute(
                admin_url,
                &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
            );
        }
    }
}

fn postgres_execute(url: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut connection = sqlx::PgConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_VAR}: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut connection)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        connection.close().await.ok();
    });
}

/// SQLite, plus PostgreSQL when configured (else a notice on stderr).
pub fn databases() -> Vec<Database> {
    let mut databases = vec![Database::Sqlite];
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.is_empty() => {
            let schema = format!("gr_e2e_{}", uuid::Uuid::new_v4().simple());
            postgres_execute(&url, &format!("CREATE SCHEMA {schema}"));
            databases.push(Database::Postgres {
                admin_url: url,
                schema,
            });
        }
        _ => {
            let test = std::thread::current().name().unwrap_or("?").to_owned();
            let _ = std::io::stderr().lock().write_all(
                format!(
                    "skipping the PostgreSQL variant: {POSTGRES_URL_VAR} is not set ({test})\n"
                )
                .as_bytes(),
            );
        }
    }
    databases
}

/// A test's folder: repositories to register, the config, the data folder.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// An absolute path inside the workspace (symlinks of the temporary
    /// folder resolved, so targets compare equal to what the server sees).
    pub fn path(&self, relative: &str) -> PathBuf {
        std::fs::canonicalize(self.dir.path())
            .unwrap()
            .join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path(relative);
        write(&path, text);
        path
    }

    /// Starts `greenroom serve` on `database` with this app-config.
    pub fn serve(&self, database: &Database, config: &str) -> Api {
        let config_path = self.write("app-config.yaml", config);
        let data = self.path(&format!("data-{}", database.name()));
        let mut args = vec!["--config".to_owned(), config_path.display().to_string()];
        args.extend(database.args(&data));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Api {
            server: Server::start(&args),
        }
    }
}

/// A response: status and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The message of a Backstage error envelope.
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error envelope: {} {}", self.status, self.body))
            .to_owned()
    }

    /// Asserts the status and the envelope's error name.
    pub fn expect_error(&self, status: u16, name: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        let json = self.json();
        assert_eq!(json["error"]["name"], name, "{}", self.body);
        assert_eq!(json["response"]["statusCode"], status, "{}", self.body);
        self.error_message()
    }
}

/// A running server and a client for `/api/catalog`.
pub struct Api {
    pub server: Server,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    match result {
        Ok(mut response) => Reply {
            status: response.status().as_u16(),
            body: response
                .body_mut()
                .with_config()
                .limit(64 * 1024 * 1024)
                .read_to_string()
                .unwrap_or_default(),
        },
        Err(e) => panic!("request failed: {e}"),
    }
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}/api/catalog{path}", self.server.url)
    }

    pub fn get(&self, path: &str) -> Reply {
        reply(agent().get(&self.url(path)).call())
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(
            "POST",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(
            "PUT",
            path,
            "application/json",
            body.to_string().into_bytes(),
        )
    }

    pub fn delete(&self, path: &str) -> Reply {
        reply(agent().delete(&self.url(path)).call())
    }

    /// Any body with any content type (empty: none).
    pub fn send(&self, method: &str, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let url = self.url(path);
        let agent = agent();
        let request = match method {
            "POST" => agent.post(&url),
            "PUT" => agent.put(&url),
            other => panic!("unsupported method {other}"),
        };
        let request = if content_type.is_empty() {
            request
        } else {
            request.header("content-type", content_type)
        };
        reply(request.send(body))
    }

    /// Every stitched entity's `kind:namespace/name`, sorted.
    pub fn entity_refs(&self) -> Vec<String> {
        let reply = self.get("/entities");
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut refs: Vec<String> = reply
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(entity_ref)
            .collect();
        refs.sort();
        refs
    }

    /// Whether the server still answers its readiness probe.
    pub fn is_healthy(&self) -> bool {
        self.server.get("/.backstage/health/v1/readiness").0 == 200
    }
}

/// `kind:namespace/name` of an entity, lower-cased.
pub fn entity_ref(entity: &Value) -> String {
    format!(
        "{}:{}/{}",
        entity["kind"].as_str().unwrap_or_default(),
        entity["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default"),
        entity["metadata"]["name"].as_str().unwrap_or_default()
    )
    .to_lowercase()
}

/// The refs of a list of entities, sorted.
pub fn refs_of(entities: &Value) -> Vec<String> {
    let mut refs: Vec<String> = entities
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {entities}"))
        .iter()
        .map(entity_ref)
        .collect();
    refs.sort();
    refs
}

/// A component descriptor.
pub fn component(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// Serves the files below a folder over plain HTTP on 127.0.0.1 (`GET`
/// only, one thread per connection), for `url` locations.
pub struct FileServer {
    pub port: u16,
}

impl FileServer {
    pub fn start(root: PathBuf) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).is_err() {
                        return;
                    }
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                    let file = root.join(path.trim_start_matches('/'));
                    let (status, body) = match std::fs::read(&file) {
                        Ok(bytes) if file.starts_with(&root) => ("200 OK", bytes),
                        _ => ("404 Not Found", b"not found".to_vec()),
                    };
                    let mut stream = &stream;
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                });
            }
        });
        FileServer { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}
