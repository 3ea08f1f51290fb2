//! The typed `backend` section: listen, baseUrl, database, reading.allow.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

mod common;

use common::{Fixture, error_of, load_str};
use greenroom_config::{DatabaseConfig, SqliteLocation, load};
use url::Url;

#[test]
fn defaults_apply_without_any_file() {
    let config = load(&[], &common::env(&[])).unwrap();
    let backend = config.backend();
    assert_eq!(backend.listen.host, "127.0.0.1");
    assert_eq!(backend.listen.port, 7007);
    assert_eq!(backend.base_url.as_str(), "http://localhost:7007/");
    assert_eq!(
        backend.database,
        DatabaseConfig::Sqlite(SqliteLocation::Default)
    );
    assert!(backend.reading.is_empty());
    assert!(config.warnings().is_empty());
}

#[test]
fn listen_accepts_backstage_shapes() {
    let listen = |yaml: &str| {
        let listen = load_str(yaml).unwrap().backend().listen.clone();
        (listen.host, listen.port)
    };
    assert_eq!(
        listen("backend:\n  listen: 8080\n"),
        ("127.0.0.1".into(), 8080)
    );
    assert_eq!(
        listen("backend:\n  listen: '8080'\n"),
        ("127.0.0.1".into(), 8080)
    );
    assert_eq!(
        listen("backend:\n  listen: ':7007'\n"),
        ("0.0.0.0".into(), 7007)
    );
    assert_eq!(
        listen("backend:\n  listen: 10.1.2.3:9000\n"),
        ("10.1.2.3".into(), 9000)
    );
    assert_eq!(
        listen("backend:\n  listen: '[::1]:9000'\n"),
        ("::1".into(), 9000)
    );
    assert_eq!(
        listen("backend:\n  listen:\n    port: '7008'\n"),
        ("127.0.0.1".into(), 7008)
    );
    assert_eq!(
        listen("backend:\n  listen:\n    host: ''\n    port: 1\n"),
        ("0.0.0.0".into(), 1)
    );
}

#[test]
fn base_url_defaults_to_the_listen_port() {
    let config = load_str("backend:\n  listen: 9000\n").unwrap();
    assert_eq!(config.backend().base_url.as_str(), "http://localhost:9000/");
    let config = load_str("backend:\n  baseUrl: https://portal.example.com\n").unwrap();
    assert_eq!(
        config.backend().base_url.as_str(),
        "https://portal.example.com/"
    );
    assert!(
        error_of("backend:\n  baseUrl: portal\n")
            .starts_with("backend.baseUrl: expected an absolute http(s) URL")
    );
}

#[test]
fn wrong_types_name_key_file_line_and_expected_shape() {
    let fixture = Fixture::new();
    let path = fixture.write("app-config.yaml", "backend:\n  listen:\n    port: abc\n");
    let error = fixture.load(&["app-config.yaml"], &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "backend.listen.port: expected a port number (0-65535), found \"abc\" ({} line 3)",
            path.display()
        )
    );
    assert!(error_of("backend:\n  listen:\n    port: 70000\n").contains("found 70000"));
    assert!(error_of("backend:\n  listen: [1]\n").starts_with("backend.listen: expected a port,"));
    assert!(error_of("backend: 5\n").starts_with("backend: expected a mapping, found 5"));
}

#[test]
fn sqlite_locations() {
    let fixture = Fixture::new();
    let db = |connection: &str| {
        fixture.write(
            "conf/app-config.yaml",
            &format!(
                "backend:\n  database:\n    client: better-sqlite3\n    connection: {connection}\n"
            ),
        );
        fixture
            .load(&["conf/app-config.yaml"], &[])
            .unwrap()
            .backend()
            .database
            .clone()
    };
    let conf = fixture.dir().join("conf");
    assert_eq!(
        db("':memory:'"),
        DatabaseConfig::Sqlite(SqliteLocation::Memory)
    );
    assert_eq!(
        db("./data/portal.db"),
        DatabaseConfig::Sqlite(SqliteLocation::File(conf.join("data/portal.db")))
    );
    assert_eq!(
        db("/var/lib/greenroom/db.sqlite"),
        DatabaseConfig::Sqlite(SqliteLocation::File("/var/lib/greenroom/db.sqlite".into()))
    );
    assert_eq!(
        db("{directory: ../state}"),
        DatabaseConfig::Sqlite(SqliteLocation::File(
            fixture.dir().join("state/greenroom.sqlite")
        ))
    );
    assert_eq!(
        db("{filename: x.db}"),
        DatabaseConfig::Sqlite(SqliteLocation::File(conf.join("x.db")))
    );
    assert_eq!(
        db("{filename: ':memory:'}"),
        DatabaseConfig::Sqlite(SqliteLocation::Memory)
    );

    let config = load_str("backend:\n  database:\n    client: sqlite3\n").unwrap();
    assert_eq!(
        config.backend().database,
        DatabaseConfig::Sqlite(SqliteLocation::Default)
    );
}

fn postgres_url(yaml: &str) -> String {
    match load_str(yaml).unwrap().backend().database.clone() {
        DatabaseConfig::Postgres { url, .. } => url.expose().clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn postgres_connection_string() {
    assert_eq!(
        postgres_url(
            "backend:\n  database:\n    client: pg\n    connection: postgresql://u:p@db:5432/portal\n"
        ),
        "postgresql://u:p@db:5432/portal"
    );
    assert!(
        error_of("backend:\n  database:\n    client: pg\n    connection: mysql://u@db/x\n")
            .starts_with(
                "backend.database.connection: expected a postgres:// or postgresql:// URL"
            )
    );
}

#[test]
fn postgres_object_form_builds_an_encoded_url() {
    let url = postgres_url(
        "backend:\n  database:\n    client: pg\n    connection:\n      host: db.internal\n      port: '5433'\n      user: back@stage\n      password: 'p@ss:w/rd #1'\n      database: my db\n",
    );
    assert_eq!(
        url,
        "postgres://back%40stage:p%40ss%3Aw%2Frd%20%231@db.internal:5433/my%20db"
    );
    let parsed = Url::parse(&url).unwrap();
    assert_eq!(parsed.host_str(), Some("db.internal"));

    let url = postgres_url(
        "backend:\n  database:\n    client: pg\n    connection:\n      host: ${POSTGRES_HOST:-localhost}\n      ssl: {rejectUnauthorized: false}\n",
    );
    assert_eq!(url, "postgres://localhost?sslmode=require");

    let config = load_str(
        "backend:\n  database:\n    client: pg\n    connection:\n      host: db\n      user: u\n      ssl:\n        ca: PEM\n",
    )
    .unwrap();
    match &config.backend().database {
        DatabaseConfig::Postgres {
            url,
            ca_certificate,
        } => {
            assert_eq!(url.expose(), "postgres://u@db?sslmode=verify-full");
            assert_eq!(ca_certificate.as_deref(), Some("PEM"));
            assert_eq!(format!("{url:?}"), "<redacted>");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn database_errors() {
    let error = error_of("backend:\n  database:\n    client: mysql2\n");
    assert!(
        error.starts_with("backend.database.client: expected one of better-sqlite3, sqlite3, pg"),
        "{error}"
    );
    assert!(error.contains("found \"mysql2\""), "{error}");
    let error =
        error_of("backend:\n  database:\n    client: pg\n    connection:\n      port: 5432\n");
    assert!(
        error.starts_with("backend.database.connection.host: is required"),
        "{error}"
    );
    let error = error_of("backend:\n  database:\n    connection: ':memory:'\n");
    assert!(
        error.starts_with("backend.database.client: is required"),
        "{error}"
    );
    let error = error_of(
        "backend:\n  database:\n    client: pg\n    connection:\n      type: cloudsql\n      instance: a:b:c\n",
    );
    assert!(
        error.starts_with("backend.database.connection.type: expected 'default'"),
        "{error}"
    );
    // Secret values are described, never quoted.
    let error = error_of(
        "backend:\n  database:\n    client: pg\n    connection:\n      host: db\n      user: u\n      password: 123456\n",
    );
    assert!(
        error.contains("expected a string, found a number"),
        "{error}"
    );
    assert!(!error.contains("123456"), "{error}");
}

fn allow_list(yaml: &str) -> greenroom_config::ReadingAllowList {
    load_str(&format!("backend:\n  reading:\n    allow:\n{yaml}"))
        .unwrap()
        .backend()
        .reading
        .clone()
}

fn allowed(list: &greenroom_config::ReadingAllowList, url: &str) -> bool {
    list.is_allowed(&Url::parse(url).unwrap())
}

#[test]
fn reading_allow_exact_hosts_and_default_ports() {
    let list = allow_list("      - host: example.com\n");
    assert!(allowed(&list, "https://example.com/a/b.yaml"));
    assert!(allowed(&list, "http://EXAMPLE.com/"));
    assert!(allowed(&list, "https://example.com:443/x"));
    assert!(!allowed(&list, "https://example.com:8443/x"));
    assert!(!allowed(&list, "https://sub.example.com/x"));
    assert!(!allowed(&list, "https://example.com.evil.io/x"));
    assert!(!allowed(&list, "ftp://example.com/x"));
}

#[test]
fn reading_allow_wildcards_match_subdomains_only() {
    let list = allow_list("      - host: '*.example.com'\n");
    assert!(allowed(&list, "https://a.example.com/x"));
    assert!(allowed(&list, "https://a.b.example.com/x"));
    assert!(!allowed(&list, "https://example.com/x"));
    assert!(!allowed(&list, "https://badexample.com/x"));
}

#[test]
fn reading_allow_ports_and_ranges() {
    let list = allow_list(
        "      - host: localhost:3000-3005\n      - host: example.com:8080\n      - host: plain.com:443\n",
    );
    assert!(allowed(&list, "http://localhost:3000/x"));
    assert!(allowed(&list, "http://localhost:3005/x"));
    assert!(!allowed(&list, "http://localhost:3006/x"));
    assert!(!allowed(&list, "http://localhost/x"));
    assert!(allowed(&list, "http://example.com:8080/"));
    assert!(!allowed(&list, "http://example.com/"));
    // An explicit port also admits URLs whose default port it is.
    assert!(allowed(&list, "https://plain.com/x"));
    assert!(!allowed(&list, "http://plain.com/x"));
}

#[test]
fn reading_allow_paths_match_at_segment_boundaries() {
    let list = allow_list("      - host: example.com\n        paths: [/docs, /api/]\n");
    assert!(allowed(&list, "https://example.com/docs"));
    assert!(allowed(&list, "https://example.com/docs/a/b"));
    assert!(!allowed(&list, "https://example.com/docs2"));
    assert!(!allowed(&list, "https://example.com/api"));
    assert!(allowed(&list, "https://example.com/api/"));
    assert!(allowed(&list, "https://example.com/api/v1"));
    assert!(!allowed(&list, "https://example.com/other"));
    // `..` is resolved before matching, in both spellings.
    assert!(!allowed(&list, "https://example.com/docs/../secret"));
    assert!(!allowed(&list, "https://example.com/docs/%2e%2e/secret"));
    assert!(allowed(&list, "https://example.com/other/../docs/x"));
    assert!(allowed(&list, "https://example.com//docs//x"));
}

#[test]
fn reading_allow_absent_or_empty_allows_nothing() {
    let config = load_str("backend:\n  baseUrl: http://localhost:7007\n").unwrap();
    assert!(
        !config
            .backend()
            .reading
            .is_allowed(&Url::parse("https://example.com/").unwrap())
    );
    let list = load_str("backend:\n  reading:\n    allow: []\n")
        .unwrap()
        .backend()
        .reading
        .clone();
    assert!(list.is_empty());
    assert!(!allowed(&list, "https://example.com/"));
}

#[test]
fn reading_allow_errors() {
    let error = error_of("backend:\n  reading:\n    allow:\n      - host: prod.*.example.com\n");
    assert!(
        error.starts_with("backend.reading.allow[0].host: expected a host name or '*.domain'"),
        "{error}"
    );
    let error = error_of("backend:\n  reading:\n    allow:\n      - host: a.com:9-3\n");
    assert!(error.contains("found \"a.com:9-3\""), "{error}");
    let error = error_of("backend:\n  reading:\n    allow:\n      - paths: [/x]\n");
    assert!(
        error.starts_with("backend.reading.allow[0].host: is required"),
        "{error}"
    );
    let error =
        error_of("backend:\n  reading:\n    allow:\n      - host: a.com\n        paths: [docs]\n");
    assert!(
        error.starts_with("backend.reading.allow[0].paths: expected a list of absolute paths"),
        "{error}"
    );
}
