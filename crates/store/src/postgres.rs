//! PostgreSQL, for deployments that run several Greenroom replicas on one
//! shared database.

use std::time::Duration;

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::migrate;

type Db = sqlx::Postgres;
type Store = PostgresStore;
const BACKEND: &str = "postgres";
const MIGRATIONS: &[migrate::Migration] = migrate::POSTGRES;

/// Catalog storage in PostgreSQL.
pub struct PostgresStore {
    pool: sqlx::PgPool,
    /// Search key ids seen by this process.
    keys: crate::keys::KeyCache,
    /// When planner statistics are due (see `crate::stats`).
    statistics: crate::stats::StatsSchedule,
}

impl PostgresStore {
    /// Connects to `url` and runs pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // Everything in the catalog can be rebuilt from its sources, so a
        // commit need not wait for its WAL flush: a crash may lose the last
        // fraction of a second of writes, never consistency.
        let options = PgConnectOptions::from_str(url)?.options([
            ("synchronous_commit", "off"),
            // Catalog lookups probe indexes with lists of keys; the default
            // (spinning-disk) cost makes the planner prefer full scans.
            ("random_page_cost", "1.1"),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        run_migrations(&pool, MIGRATIONS).await?;
        ensure_indexes(&pool).await?;
        Ok(PostgresStore {
            pool,
            keys: crate::keys::KeyCache::default(),
            statistics: crate::stats::StatsSchedule::default(),
        })
    }
}

async fn begin_write(pool: &sqlx::PgPool) -> StoreResult<sqlx::Transaction<'static, Db>> {
    Ok(pool.begin().await?)
}

/// Key of the advisory lock that serialises migrations ("grnroom" in ASCII).
const MIGRATION_LOCK: i64 = 0x0067_726e_726f_6f6d;

/// Serialises migrations between replicas starting together: without it two
/// of them both see version N missing and both try to create its tables. The
/// lock is scoped to the transaction (released at commit or rollback).
async fn lock_for_migrations(tx: &mut sqlx::Transaction<'static, Db>) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `= ANY($1)` with one array parameter: a long `IN` list of separate
/// parameters costs PostgreSQL milliseconds of planning per statement.
fn push_membership(qb: &mut sqlx::QueryBuilder<Db>, keys: &[String]) {
    qb.push(" = ANY(");
    qb.push_bind(keys.to_vec());
    qb.push(")");
}

/// Inserts search rows with one statement of five array parameters
/// (`UNNEST`), instead of five parameters per row.
async fn insert_search_rows(
    tx: &mut sqlx::Transaction<'_, Db>,
    rows: &[SearchInsert],
) -> StoreResult<()> {
    let entity_rows: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let key_ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let seqs: Vec<i32> = rows.iter().map(|r| r.2).collect();
    let values: Vec<Option<String>> = rows.iter().map(|r| r.3.clone()).collect();
    let originals: Vec<Option<String>> = rows.iter().map(|r| r.4.clone()).collect();
    sqlx::query(
        "INSERT INTO search (entity_row, key_id, seq, value, original) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::int4[], $4::text[], $5::text[])",
    )
    .bind(entity_rows)
    .bind(key_ids)
    .bind(seqs)
    .bind(values)
    .bind(originals)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After a bulk load the planner knows nothing about the new rows and would
/// scan whole tables; `ANALYZE` samples them. `VACUUM` sets the visibility
/// map, without which facet and full-text scans of the search index visit
/// the table page by page instead of reading the index alone (0.2 s at
/// 100,000 entities, against 15x slower queries until autovacuum runs).
async fn refresh_statistics(pool: &sqlx::PgPool) -> StoreResult<()> {
    sqlx::query(
        "VACUUM (ANALYZE) entities, relations, stitch_queue, sources, final_entities, \
         search, search_keys",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// PostgreSQL plans from its own per-value statistics.
const ESTIMATES_SELECTIVITY: bool = false;

include!("sql_common.rs");
include!("query_sql.rs");
