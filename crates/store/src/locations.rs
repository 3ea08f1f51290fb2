//! Locations registered through the API (`POST /api/catalog/locations`).
//!
//! The store keeps only the rows; what a location means (its generated
//! Location entity, its sources) is the catalog engine's business, and
//! filtering for `POST /locations/by-query` happens above the store so that
//! case-insensitive matching is the same on every backend.

/// One registered location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    /// Opaque identifier (a UUID) chosen by the caller.
    pub id: String,
    /// `url` or `file`.
    pub location_type: String,
    pub target: String,
    /// Milliseconds since the Unix epoch, set by the store.
    pub created_at: i64,
}

/// The outcome of adding or changing a registered location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationWrite {
    /// Written; the row as stored.
    Written(LocationRow),
    /// Another location already has this type and target (the row shown).
    Exists(LocationRow),
    /// No location has the given id (updates only).
    NotFound,
}
