//! Every built-in default of the typed configuration, in one place.
//!
//! Backstage's defaults are kept except where noted: Greenroom binds to the
//! loopback interface unless told otherwise, and adds its own descriptor
//! size limit.

use std::time::Duration;

use crate::catalog::{LocationConflictStrategy, OrphanStrategy};

/// `backend.listen.host`. Backstage binds to every interface by default;
/// Greenroom only to the loopback interface, so a fresh install is not
/// reachable from the network by accident.
pub const LISTEN_HOST: &str = "127.0.0.1";

/// Host used when the config asks for every interface with an empty host
/// (`listen: ':7007'` or `host: ''`), as Backstage does.
pub const ALL_INTERFACES: &str = "0.0.0.0";

/// `backend.listen.port`.
pub const LISTEN_PORT: u16 = 7007;

/// `backend.baseUrl`, given the listen port.
pub fn base_url(port: u16) -> String {
    format!("http://localhost:{port}")
}

/// File name of the SQLite database inside `connection.directory`.
pub const SQLITE_FILE_NAME: &str = "greenroom.sqlite";

/// Kinds allowed from any location when `catalog.rules` is absent.
pub const RULE_KINDS: [&str; 3] = ["Component", "API", "Location"];

/// `catalog.processingInterval`: a random pause between these two.
pub const PROCESSING_INTERVAL_MIN: Duration = Duration::from_secs(100);
/// See [`PROCESSING_INTERVAL_MIN`].
pub const PROCESSING_INTERVAL_MAX: Duration = Duration::from_secs(150);

/// `catalog.orphanStrategy` (Backstage's default in 2026; older releases
/// kept orphans).
pub const ORPHAN_STRATEGY: OrphanStrategy = OrphanStrategy::Delete;

/// `catalog.defaultLocationConflictStrategy`.
pub const LOCATION_CONFLICT_STRATEGY: LocationConflictStrategy = LocationConflictStrategy::Reject;

/// `catalog.readonly`.
pub const READONLY: bool = false;

/// `catalog.limits.maxFileBytes` (Greenroom's own): the largest catalog
/// descriptor file accepted, 4 MiB.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
