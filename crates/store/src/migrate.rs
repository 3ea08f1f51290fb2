//! Embedded, append-only schema migrations.
//!
//! Each backend has its own ordered list; a migration, once released, is
//! never edited: changes go into a new file with the next version. Applied
//! versions are recorded in `greenroom_migrations` so every start runs only
//! what is new, each migration in its own transaction.

/// One schema step.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "catalog",
        sql: include_str!("../migrations/sqlite/0001_catalog.sql"),
    },
    Migration {
        version: 2,
        name: "search",
        sql: include_str!("../migrations/sqlite/0002_search.sql"),
    },
    Migration {
        version: 3,
        name: "pages",
        sql: include_str!("../migrations/sqlite/0003_pages.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "catalog",
        sql: include_str!("../migrations/postgres/0001_catalog.sql"),
    },
    Migration {
        version: 2,
        name: "search",
        sql: include_str!("../migrations/postgres/0002_search.sql"),
    },
    Migration {
        version: 3,
        name: "search_statistics",
        sql: include_str!("../migrations/postgres/0003_search_statistics.sql"),
    },
    Migration {
        version: 4,
        name: "pages",
        sql: include_str!("../migrations/postgres/0004_pages.sql"),
    },
];

pub(crate) const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS greenroom_migrations (\
     version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
