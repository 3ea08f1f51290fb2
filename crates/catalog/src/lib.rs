//! The catalog: reading Backstage descriptor files from files and URLs,
//! processing them into entities, keeping them current, and stitching the
//! final entities readers see.
//!
//! Data flows `location` (what to read) → `reader` (bytes, within limits and
//! allow-lists) → `process` (YAML documents → validated entities, relations,
//! child locations) → `engine` (diff against the store, conflicts, orphans,
//! one transaction per batch) → `stitch` (final entities). `validate` runs the
//! same processing without storage for `greenroom validate`; `watch` turns
//! file changes into refresh passes.
//!
//! Locations registered through the API are roots too (`registered`: their
//! generated Location entities and sandboxes), read from the store at the
//! start of every pass; `dry_run` works out what registering one would do
//! without storing anything, and `analyze` looks into a folder or git
//! repository for `POST /analyze-location`.

pub mod analyze;
pub mod dry_run;
mod engine;
pub mod git;
mod hash;
pub mod location;
pub mod problem;
mod process;
mod reader;
pub mod registered;
mod stitch;
pub mod validate;
pub mod watch;

pub use engine::{Engine, OrphanStrategy, PhaseTimings, RefreshReport, Root};
pub use process::{
    AllowAllKinds, EntityOutcome, KindPolicy, ProcessedEntity, Processor, SourceOutcome, SourceSpec,
};
pub use reader::{DenyAllUrls, ReadError, Reader, UrlPolicy};
pub use stitch::{StitchStats, stitch_pending};

/// Errors that stop a refresh pass (processing problems do not: they are
/// recorded on sources and entities).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Store(#[from] greenroom_store::StoreError),
    #[error("file watching failed: {0}")]
    Watch(String),
    #[error(transparent)]
    Registration(#[from] registered::RegistrationError),
    #[error("internal error: {0}")]
    Internal(String),
}
