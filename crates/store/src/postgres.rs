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
}

impl PostgresStore {
    /// Connects to `url` and runs pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // Everything in the catalog can be rebuilt from its sources, so a
        // commit need not wait for its WAL flush: a crash may lose the last
        // fraction of a second of writes, never consistency.
        let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        run_migrations(&pool, MIGRATIONS).await?;
        ensure_indexes(&pool).await?;
        Ok(PostgresStore { pool })
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

include!("sql_common.rs");
