//! The portal under test: the real `greenroom serve` on a small fixture
//! catalog, on SQLite (and PostgreSQL when `GREENROOM_TEST_POSTGRES_URL`
//! is set), started and waited for until the whole fixture is in.

use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;

use crate::browser::DEADLINE;
use crate::common::{PgSchema, Server, get, write};

/// Users generated beside `alice`, so that the users fill more than one
/// page of the catalog table (50 rows).
pub const GENERATED_USERS: usize = 60;

/// Entities the fixture yields (the owner-less component yields none).
pub const FIXTURE_ENTITIES: u64 = 2 + 1 + 1 + 1 + 1 + GENERATED_USERS as u64;

/// The fixture's file with a processing error, as the home page names it.
pub const BROKEN_FILE: &str = "broken/catalog-info.yaml";

/// A folder of catalog-info.yaml files:
///
/// - `org/`: group `team-payments` (title "Payments Team") and user
///   `alice`, a member;
/// - `payments/`: system `payments`; components `checkout` (service,
///   production, tags rust and payments, depends on `ledger`, provides
///   `checkout-api`) and `ledger` (library, experimental, consumes
///   `checkout-api`); API `checkout-api` (openapi, with a definition), all
///   owned by `team-payments` and part of `payments`;
/// - `people/`: users `person-001` … `person-060` in one multi-document
///   file;
/// - `broken/`: component `ownerless`, which has no `spec.owner` and so is
///   a processing error and no entity.
pub fn fixture_catalog() -> TempDir {
    let dir = tempfile::tempdir().expect("fixture folder");
    let root = dir.path();
    write(
        &root.join("org/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-payments
  title: Payments Team
  description: Owns checkout and the ledger.
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  profile:
    displayName: Alice Example
    email: alice@example.com
  memberOf: [team-payments]
",
    );
    write(
        &root.join("payments/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
  description: Taking money.
spec:
  owner: team-payments
",
    );
    write(
        &root.join("payments/checkout/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: Checkout service that takes orders.
  tags: [rust, payments]
spec:
  type: service
  lifecycle: production
  owner: team-payments
  system: payments
  dependsOn: [component:ledger]
  providesApis: [checkout-api]
",
    );
    write(
        &root.join("payments/ledger/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  description: Double-entry bookkeeping library.
spec:
  type: library
  lifecycle: experimental
  owner: team-payments
  system: payments
  consumesApis: [checkout-api]
",
    );
    write(
        &root.join("payments/api/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api
  description: Place and query orders.
spec:
  type: openapi
  lifecycle: production
  owner: team-payments
  system: payments
  definition: |
    openapi: 3.0.0
    info:
      title: Checkout
      version: 1.0.0
    paths:
      /orders:
        get:
          summary: List orders
          responses:
            '200':
              description: The orders
",
    );
    write(
        &root.join(BROKEN_FILE),
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ownerless
spec:
  type: service
  lifecycle: production
",
    );
    let people: Vec<String> = (1..=GENERATED_USERS)
        .map(|i| {
            format!(
                "apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: person-{i:03}
spec:
  memberOf: []
"
            )
        })
        .collect();
    write(
        &root.join("people/catalog-info.yaml"),
        &people.join("---\n"),
    );
    dir
}

/// A running portal, stopped on drop (before its database goes).
pub struct Portal {
    server: Server,
    _data: TempDir,
    _postgres: Option<PgSchema>,
    /// `sqlite` or `postgres`, for messages.
    pub database: &'static str,
}

impl Portal {
    /// `greenroom serve --catalog <catalog>` on SQLite, once the whole
    /// fixture has been ingested.
    pub fn start(catalog: &Path) -> Portal {
        Self::start_on(catalog, None)
    }

    /// The portal on SQLite, then on PostgreSQL when configured (else a
    /// notice), for tests that should hold on both.
    pub fn on_each_database(catalog: &Path) -> impl Iterator<Item = Portal> + '_ {
        let sqlite = std::iter::once_with(move || Self::start_on(catalog, None));
        let postgres = std::iter::once_with(PgSchema::create)
            .flatten()
            .map(move |schema| Self::start_on(catalog, Some(schema)));
        sqlite.chain(postgres)
    }

    fn start_on(catalog: &Path, postgres: Option<PgSchema>) -> Portal {
        let data = tempfile::tempdir().expect("data folder");
        let mut args = vec![
            "--catalog".to_owned(),
            catalog.display().to_string(),
            "--data-dir".to_owned(),
            data.path().display().to_string(),
        ];
        if let Some(schema) = &postgres {
            args.extend(["--database-url".to_owned(), schema.url.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Server::start(&args);
        let portal = Portal {
            server,
            _data: data,
            database: if postgres.is_some() {
                "postgres"
            } else {
                "sqlite"
            },
            _postgres: postgres,
        };
        portal.wait_for_fixture();
        portal
    }

    /// Waits until every fixture entity and the processing error are
    /// stored, so pages show the whole fixture from the first look.
    fn wait_for_fixture(&self) {
        self.server.wait_for(
            "/api/catalog/entities/by-query?limit=1",
            DEADLINE,
            |status, body| {
                status == 200
                    && serde_json::from_str::<serde_json::Value>(body)
                        .is_ok_and(|v| v["totalItems"] == FIXTURE_ENTITIES)
            },
        );
        self.server.wait_for("/", DEADLINE, |status, body| {
            status == 200 && body.contains(BROKEN_FILE)
        });
    }

    /// The absolute URL of `path` (`/catalog?…`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    /// `GET path` outside the browser: status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        get(&self.url(path))
    }

    /// `GET path` outside the browser: status and the named header.
    pub fn header(&self, path: &str, name: &str) -> (u16, Option<String>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let response = agent
            .get(&self.url(path))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let value = response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (response.status().as_u16(), value)
    }
}
