//! Persistent state of the catalog, behind one trait with two implementations:
//! embedded SQLite (the default) and PostgreSQL (for several replicas).
//!
//! The catalog engine never writes SQL; it hands this crate whole batches
//! (one transaction each) and asks for the rows it needs to diff against.
//! Both implementations keep the same invariants, checked by one conformance
//! suite (`tests/conformance.rs`) that runs against each database:
//!
//! * A [`CommitBatch`] is applied atomically: a crash leaves either the state
//!   before it or the state after it.
//! * Whenever the set of relation rows whose `source_ref` is some entity
//!   changes (entity upserted with new relations, or deleted), that entity is
//!   marked as needing a stitch. The engine never has to work out who is
//!   affected by a relation change: the store does, in the same transaction.
//! * Final entities are only written by stitching; readers see the last
//!   stitched state.
//! * Refs and keys are ordered byte by byte (as Rust `str`), whatever the
//!   database's locale.
//! * No stored string contains a NUL byte (PostgreSQL text cannot): writes
//!   carrying one fail with [`StoreError::NulByte`], lookups find nothing.
//!
//! Migrations are embedded, append-only, and run at [`connect`], one process
//! at a time (replicas may start together on one database).

mod dedupe;
mod keys;
mod locations;
mod migrate;
mod postgres;
pub mod query;
mod rows;
mod sqlite;
mod stats;
mod text;

use std::path::PathBuf;

use async_trait::async_trait;

pub use locations::{LocationRow, LocationWrite};
pub use query::{EntityQuery, FacetCounts, Predicate, QueriedEntity};
pub use rows::*;

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not prepare the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    /// A string to store contains U+0000, which PostgreSQL text cannot hold
    /// (refused on every backend, before anything is written).
    #[error("cannot store the {field} of {subject:?}: it contains a NUL byte")]
    NulByte {
        field: &'static str,
        subject: String,
    },
    /// A query the store cannot answer as asked (e.g. a forged keyset).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error(
        "the database was migrated by a newer Greenroom (schema version {found}, this build knows up to {known})"
    )]
    SchemaTooNew { found: i64, known: i64 },
}

/// Result alias for storage calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// An SQLite file (created when missing).
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database, gone when the process ends.
    SqliteMemory,
    /// A PostgreSQL connection URL.
    Postgres(String),
}

/// Opens (and migrates) the database named by `target`.
pub async fn connect(target: &DatabaseTarget) -> StoreResult<std::sync::Arc<dyn CatalogStore>> {
    match target {
        DatabaseTarget::SqliteFile(path) => Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open_file(path).await?,
        )),
        DatabaseTarget::SqliteMemory => Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open_memory().await?,
        )),
        DatabaseTarget::Postgres(url) => Ok(std::sync::Arc::new(
            postgres::PostgresStore::connect(url).await?,
        )),
    }
}

/// Everything the catalog engine and the readers need from storage.
#[async_trait]
pub trait CatalogStore: Send + Sync + 'static {
    /// A short name for logs and benchmarks (`sqlite`, `postgres`).
    fn backend_name(&self) -> &'static str;

    /// Every known source, for the engine's walk of the location tree.
    async fn sources(&self) -> StoreResult<Vec<SourceRow>>;

    /// Current state of the given entity refs (missing refs are absent) and
    /// the refs each given source currently owns.
    async fn batch_state(&self, refs: &[String], source_keys: &[String])
    -> StoreResult<BatchState>;

    /// Applies one batch atomically (see the crate docs for the invariants).
    async fn commit(&self, batch: CommitBatch) -> StoreResult<()>;

    /// Up to `limit` refs marked as needing a stitch.
    async fn stitch_queue(&self, limit: usize) -> StoreResult<Vec<String>>;

    /// Number of refs waiting for a stitch.
    async fn stitch_queue_len(&self) -> StoreResult<u64>;

    /// What stitching needs for each ref (missing refs are absent).
    async fn stitch_inputs(&self, refs: &[String]) -> StoreResult<Vec<StitchInput>>;

    /// Writes stitched entities (with their search rows; an entity whose
    /// hash is unchanged is left as it is), deletes finals of refs that have
    /// none any more, and clears the stitch mark of `done` — all in one
    /// transaction.
    async fn write_stitched(
        &self,
        finals: Vec<StitchedEntity>,
        removed: Vec<String>,
        done: Vec<String>,
    ) -> StoreResult<()>;

    /// Prepares to load many entities into an empty catalog. When the store
    /// holds no relations yet, the index that serves stitching is dropped so
    /// that the load does not scatter writes over it, and `true` is
    /// returned; [`CatalogStore::end_bulk_load`] rebuilds it in one sorted
    /// pass; the search index likewise, when there are no search rows yet
    /// ([`CatalogStore::end_bulk_stitch`]). A process that dies in between
    /// gets them back at the next [`connect`]. Otherwise nothing changes and
    /// `false` is returned.
    async fn begin_bulk_load(&self) -> StoreResult<bool>;

    /// Ends the loading half of a bulk load: rebuilds the index stitching
    /// needs (a no-op when nothing was dropped).
    async fn end_bulk_load(&self) -> StoreResult<()>;

    /// Ends a bulk load once its entities are stitched: rebuilds the search
    /// index in one sorted pass (stitching writes the search rows, so it
    /// comes back after them) and refreshes planner statistics.
    async fn end_bulk_stitch(&self) -> StoreResult<()>;

    /// Marks refs for stitching (used after external changes).
    async fn mark_for_stitch(&self, refs: &[String]) -> StoreResult<()>;

    /// One stitched entity, by canonical ref (`kind:namespace/name`, lower case).
    async fn final_entity(&self, entity_ref: &str) -> StoreResult<Option<FinalEntityRow>>;

    /// Stitched entities ordered by ref, after `after` (exclusive), at most `limit`.
    async fn final_entities(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<FinalEntityRow>>;

    /// The `limit` most recently changed final entities, newest first.
    async fn recent_entities(&self, limit: usize) -> StoreResult<Vec<FinalEntityRow>>;

    /// One source by key (`file:/abs/path`, `url:https://…`; the
    /// `backstage.io/managed-by-location` of its entities).
    async fn source(&self, key: &str) -> StoreResult<Option<SourceRow>>;

    /// The sources last reached from one root (a configured or registered
    /// location), by key.
    async fn sources_of_root(&self, root: &str) -> StoreResult<Vec<SourceRow>>;

    /// For every root that reached sources: how many, when they were read,
    /// and the first `error_limit` of them (by key) that have errors. Two
    /// passes over the sources whatever the number of roots (the locations
    /// page summarises every location at once).
    async fn root_statuses(&self, error_limit: usize) -> StoreResult<Vec<RootStatus>>;

    /// Number of stitched entities per kind (lower-case kind).
    async fn count_by_kind(&self) -> StoreResult<Vec<(String, u64)>>;

    /// Entities and sources that currently carry processing errors.
    async fn processing_errors(&self, limit: usize) -> StoreResult<Vec<ErrorRow>>;

    /// Final entities matching `query`, in its order, with their sort values.
    async fn query_entities(&self, query: &EntityQuery) -> StoreResult<Vec<QueriedEntity>>;

    /// [`CatalogStore::query_entities`] and, when `count` is `Some(cap)`,
    /// how many final entities match `query` (its filter, full-text
    /// condition and required sort keys; paging ignored), counting at most
    /// `cap` (`u64::MAX`: all). Work they share, such as a full-text scan,
    /// is done once; a bounded count stops at `cap` matches, so it costs
    /// little however many match.
    async fn query_page(
        &self,
        query: &EntityQuery,
        count: Option<u64>,
    ) -> StoreResult<(Vec<QueriedEntity>, Option<u64>)>;

    /// Value counts of each facet key (lower-cased) over the entities
    /// matching `filter`, in the order of `keys`.
    async fn facets(
        &self,
        keys: &[String],
        filter: Option<&Predicate>,
    ) -> StoreResult<Vec<FacetCounts>>;

    /// The final entities with these refs that match `filter` (any order;
    /// missing refs are absent).
    async fn final_entities_by_refs(
        &self,
        refs: &[String],
        filter: Option<&Predicate>,
    ) -> StoreResult<Vec<FinalEntityRow>>;

    /// One final entity by `metadata.uid`.
    async fn final_entity_by_uid(&self, uid: &str) -> StoreResult<Option<FinalEntityRow>>;

    /// Deletes the entity with this uid (its processed and final forms and
    /// the relations it emitted), and makes its source be read again at the
    /// next pass, so an entity that is still described comes back. Returns
    /// whether it existed.
    async fn delete_entity_by_uid(&self, uid: &str) -> StoreResult<bool>;

    /// The Location entity whose target emits `entity_ref`: `None` when the
    /// entity is unknown, `Some(None)` for an entity of a root source.
    async fn entity_parent(&self, entity_ref: &str) -> StoreResult<Option<Option<String>>>;

    /// How many entities and how many sources currently have processing
    /// errors.
    async fn count_processing_errors(&self) -> StoreResult<(u64, u64)>;
    // --- Registered locations (`/api/catalog/locations`) and targeted refresh.

    /// Every registered location, oldest first (ties by id).
    async fn locations(&self) -> StoreResult<Vec<LocationRow>>;

    /// One registered location by id.
    async fn location(&self, id: &str) -> StoreResult<Option<LocationRow>>;

    /// The registered location with exactly this type and target.
    async fn location_by_target(
        &self,
        location_type: &str,
        target: &str,
    ) -> StoreResult<Option<LocationRow>>;

    /// Registers a location under `id`, unless one with the same type and
    /// target exists ([`LocationWrite::Exists`] then shows it). Replicas
    /// racing to add the same location end with one row.
    async fn add_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> StoreResult<LocationWrite>;

    /// Replaces the type and target of location `id` (keeping its id and
    /// creation time); refused with [`LocationWrite::Exists`] when another
    /// location already has them.
    async fn update_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> StoreResult<LocationWrite>;

    /// Removes location `id`, returning what was removed.
    async fn delete_location(&self, id: &str) -> StoreResult<Option<LocationRow>>;

    /// Makes the next refresh pass reprocess the source that emits
    /// `entity_ref` and every source above it (their content fingerprints
    /// are forgotten). `false` when no such entity exists.
    async fn schedule_refresh(&self, entity_ref: &str) -> StoreResult<bool>;
}
