//! Drives the real `greenroom` binary: spawn it, find its URL, poll with
//! deadlines (never fixed sleeps), stop it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn greenroom() -> Command {
    Command::new(env!("CARGO_BIN_EXE_greenroom"))
}

/// A running `greenroom serve`, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `greenroom serve --listen 127.0.0.1:0 ARGS...` and waits for
    /// the line announcing its URL.
    pub fn start(args: &[&str]) -> Server {
        let mut child = greenroom()
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn greenroom");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("greenroom exited before announcing its URL")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("Greenroom is listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        get(&format!("{}{path}", self.url))
    }

    /// Polls `path` until `check` accepts the response, or panics at the deadline.
    pub fn wait_for(
        &self,
        path: &str,
        deadline: Duration,
        check: impl Fn(u16, &str) -> bool,
    ) -> (u16, String) {
        let start = Instant::now();
        loop {
            let (status, body) = self.get(path);
            if check(status, &body) {
                return (status, body);
            }
            assert!(
                start.elapsed() < deadline,
                "timed out waiting for {path}: last answer {status} {body}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `greenroom serve` on a catalog folder that `write_catalog` fills, with
/// its data in the same temporary folder: on SQLite, or (`postgres`) on a
/// private PostgreSQL schema, `None` with a notice when none is
/// configured. Fields drop in order: the server stops before its folder
/// and schema go.
pub struct ServedCatalog {
    pub server: Server,
    pub dir: tempfile::TempDir,
    pub schema: Option<PgSchema>,
}

impl ServedCatalog {
    pub fn start(postgres: bool, write_catalog: impl FnOnce(&Path)) -> Option<ServedCatalog> {
        let schema = if postgres {
            Some(PgSchema::create()?)
        } else {
            None
        };
        let dir = tempfile::tempdir().unwrap();
        let catalog = dir.path().join("catalog");
        write_catalog(&catalog);
        let data = dir.path().join("data");
        let mut args = vec![
            "--catalog".to_owned(),
            catalog.display().to_string(),
            "--data-dir".to_owned(),
            data.display().to_string(),
        ];
        if let Some(schema) = &schema {
            args.push("--database-url".to_owned());
            args.push(schema.url.clone());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Some(ServedCatalog {
            server: Server::start(&args),
            dir,
            schema,
        })
    }
}

pub fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    match agent.get(url).call() {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string().unwrap_or_default();
            (status, body)
        }
        Err(e) => (0, e.to_string()),
    }
}

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

pub fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("reference/backstage").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: shared/ reference folder not found at {}",
            dir.display()
        );
        None
    }
}

/// One HTTP answer, with the headers the API tests look at.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub link: Option<String>,
    pub content_type: Option<String>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

/// Sends `method url` with an optional `(content type, body)`.
pub fn send(method: &str, url: &str, body: Option<(&str, &str)>) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let result = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", Some((content_type, body))) => agent
            .post(url)
            .header("Content-Type", content_type)
            .send(body),
        ("POST", None) => agent.post(url).send_empty(),
        ("PUT", Some((content_type, body))) => agent
            .put(url)
            .header("Content-Type", content_type)
            .send(body),
        _ => panic!("unsupported request {method}"),
    };
    let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let link = header("link");
    let content_type = header("content-type");
    Answer {
        status: response.status().as_u16(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
        link,
        content_type,
    }
}

pub const POSTGRES_URL_VAR: &str = "GREENROOM_TEST_POSTGRES_URL";

/// A private PostgreSQL schema for one test (dropped at the end), or
/// `None` with a printed notice when no test database is configured.
pub struct PgSchema {
    admin_url: String,
    schema: String,
    /// The URL that makes Greenroom use the schema.
    pub url: String,
}

impl PgSchema {
    pub fn create() -> Option<PgSchema> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            eprintln!("skipping the PostgreSQL variant: {POSTGRES_URL_VAR} is not set");
            return None;
        };
        let schema = format!("gr_e2e_{}", uuid::Uuid::new_v4().simple());
        pg_execute(&admin_url, &format!("CREATE SCHEMA {schema}"));
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
        Some(PgSchema {
            admin_url,
            schema,
            url,
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        pg_execute(
            &self.admin_url,
            &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema),
        );
    }
}

fn pg_execute(url: &str, sql: &str) {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap();
    });
}
