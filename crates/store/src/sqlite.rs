//! The embedded default: SQLite in a file under the data folder (or in
//! memory), in WAL mode so readers never wait for the ingestion writer.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::migrate;

type Db = sqlx::Sqlite;
type Store = SqliteStore;
const BACKEND: &str = "sqlite";
const MIGRATIONS: &[migrate::Migration] = migrate::SQLITE;

/// Catalog storage in SQLite.
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    /// Search key ids seen by this process.
    keys: crate::keys::KeyCache,
    /// When planner statistics are due (see `crate::stats`).
    statistics: crate::stats::StatsSchedule,
}

impl SqliteStore {
    /// Opens (creating when missing) the database file at `path`.
    pub async fn open_file(path: &Path) -> StoreResult<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::DataDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            // Tuned on the 100,000-entity benchmarks: larger pages cut the
            // random index I/O of bulk loads; an 8 MiB cache per connection
            // (four connections) loads as fast as 32 MiB did once bulk loads
            // defer their big indexes, and keeps the server under 300 MB;
            // checkpointing every 64 MiB of WAL (instead of 4 MiB) cuts the
            // fsyncs; the WAL file is trimmed back to 64 MiB afterwards.
            .pragma("page_size", "8192")
            .pragma("cache_size", "-8192")
            .pragma("wal_autocheckpoint", "8192")
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Self::migrated(pool).await
    }

    /// Opens a private in-memory database (one connection, so every query
    /// sees the same database).
    pub async fn open_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::migrated(pool).await
    }

    async fn migrated(pool: sqlx::SqlitePool) -> StoreResult<Self> {
        run_migrations(&pool, MIGRATIONS).await?;
        ensure_indexes(&pool).await?;
        refresh_statistics(&pool).await?;
        Ok(SqliteStore {
            pool,
            keys: crate::keys::KeyCache::default(),
            statistics: crate::stats::StatsSchedule::default(),
        })
    }
}

/// Starts a write transaction that takes the write lock up front, so two
/// writers never deadlock upgrading a read lock.
async fn begin_write(pool: &sqlx::SqlitePool) -> StoreResult<sqlx::Transaction<'static, Db>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Migrations run in a [`begin_write`] transaction, whose write lock already
/// keeps two processes from migrating at once.
async fn lock_for_migrations(_tx: &mut sqlx::Transaction<'static, Db>) -> StoreResult<()> {
    Ok(())
}

/// `IN (?, ?, …)`: SQLite has no arrays, and plans a bound list well.
fn push_membership(qb: &mut sqlx::QueryBuilder<Db>, keys: &[String]) {
    qb.push(" IN (");
    let mut list = qb.separated(", ");
    for key in keys {
        list.push_bind(key.clone());
    }
    qb.push(")");
}

/// Without statistics SQLite assumes any index equality is selective and
/// probes `search` by key and value range rather than by entity, which
/// turns a correlated probe into a scan. A sampled `ANALYZE` (a few hundred
/// rows per index, milliseconds even at a million entities) gives it the
/// real shape. Run at open, after a bulk load, and as the catalog doubles.
async fn refresh_statistics(pool: &sqlx::SqlitePool) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    sqlx::query("PRAGMA analysis_limit = 1000")
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok(())
}

/// Inserts search rows with one statement and one parameter: the rows as a
/// JSON array unpacked by `json_each` (binding five parameters per row
/// costs more than the insert itself).
async fn insert_search_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[SearchInsert],
) -> StoreResult<()> {
    let json = serde_json::to_string(rows)
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
    sqlx::query(
        "INSERT INTO search (entity_row, key_id, seq, value, original) \
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 \
         FROM json_each($1)",
    )
    .bind(json)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// SQLite keeps no per-value statistics, so the query layer measures
/// how many rows a condition matches (a bounded count) to pick what drives
/// a query.
const ESTIMATES_SELECTIVITY: bool = true;

include!("sql_common.rs");
include!("query_sql.rs");
