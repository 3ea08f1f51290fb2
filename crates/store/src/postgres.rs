//! PostgreSQL, for deployments that run several Greenroom replicas on one
//! shared database.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

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
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        run_migrations(&pool, MIGRATIONS).await?;
        Ok(PostgresStore { pool })
    }
}

async fn begin_write(pool: &sqlx::PgPool) -> StoreResult<sqlx::Transaction<'static, Db>> {
    Ok(pool.begin().await?)
}

include!("sql_common.rs");
