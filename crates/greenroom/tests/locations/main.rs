//! `greenroom serve` end to end: registered locations and the write side of
//! the catalog API (`/locations`, `/analyze-location`, `/validate-entity`,
//! `/refresh`, `catalog.readonly`), over HTTP, on SQLite and on PostgreSQL
//! when `GREENROOM_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
mod support;

mod analyze;
mod hostile;
mod readonly;
mod registration;
mod validate;
