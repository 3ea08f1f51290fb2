//! `catalog.readonly`: with it, the catalog's API refuses every change a
//! client could make (registering, changing or deleting locations, deleting
//! entities); dry runs, validation and analysis stay available.

use crate::AppState;
use crate::error::ApiError;

/// Refuses a change when the catalog is read-only, with Backstage's
/// `NotAllowedError` (403).
pub fn ensure_writable(state: &AppState) -> Result<(), ApiError> {
    if state.writes.readonly {
        Err(ApiError::NotAllowed(
            "This operation not allowed in readonly mode".to_owned(),
        ))
    } else {
        Ok(())
    }
}
