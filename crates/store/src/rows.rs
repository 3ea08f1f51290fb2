//! Plain row types exchanged between the catalog engine and the store.
//!
//! JSON documents (entities, errors) travel as serialized strings: the store
//! never interprets them, and the engine serializes each once.

/// A place the catalog reads descriptors from (a file or a URL), and what the
/// engine learned the last time it read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// `file:/abs/path` or `url:https://…`: also the value of the
    /// `backstage.io/managed-by-location` annotation of its entities.
    pub key: String,
    /// The source holding the Location entity that targets this one; `None`
    /// for a root (a configured or registered location).
    pub parent_source: Option<String>,
    /// The Location entity that targets this source; `None` for a root.
    pub parent_ref: Option<String>,
    /// The root this source was reached from.
    pub root: String,
    /// `backstage.io/managed-by-origin-location` for its entities.
    pub origin: String,
    /// Fingerprint of the bytes (and settings) last processed, if read OK.
    pub content_hash: Option<String>,
    /// Engine-defined JSON: the targets its Location entities point at.
    pub children: String,
    /// JSON array of processing errors of the source itself.
    pub errors: String,
    /// Milliseconds since the Unix epoch of the last read attempt.
    pub last_read_at: Option<i64>,
}

/// What the store knows about one entity ref before a batch is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityStateRow {
    pub entity_ref: String,
    pub entity_id: String,
    /// The source that owns (emits) the entity; `None` for an orphan.
    pub source_key: Option<String>,
    pub result_hash: String,
    /// Whether the entity ever processed successfully.
    pub has_processed: bool,
    pub orphan: bool,
}

/// Answer to [`crate::CatalogStore::batch_state`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchState {
    pub entities: Vec<EntityStateRow>,
    /// Every entity the asked sources own (their `source_key` is set).
    pub owned: Vec<EntityStateRow>,
}

/// One relation row, emitted by (and stored under) an originating entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationRow {
    pub source_ref: String,
    pub relation_type: String,
    pub target_ref: String,
}

/// The new processing result of one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityUpsert {
    pub entity_ref: String,
    /// Used only when the ref is new; an existing entity keeps its id.
    pub entity_id: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub source_key: String,
    /// Processed entity JSON; `None` keeps the last good version (the
    /// processing failed and `errors` says why).
    pub processed: Option<String>,
    pub result_hash: String,
    /// JSON array of processing errors (`[]` when none).
    pub errors: String,
    /// Relations this entity emits; `None` keeps the previous ones.
    pub relations: Option<Vec<RelationRow>>,
}

/// One atomic change to the catalog's ingestion state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitBatch {
    /// Sources to insert or replace; a key listed twice ends as its last row.
    pub upsert_sources: Vec<SourceRow>,
    pub delete_sources: Vec<String>,
    /// Entities to insert or update, in order: a ref listed twice ends as its
    /// last upsert (relations included), keeping the id of the first.
    pub upsert_entities: Vec<EntityUpsert>,
    /// Entities removed for good (with their relations and final entity).
    pub delete_entities: Vec<String>,
    /// Entities nobody emits any more, kept and marked as orphans.
    pub orphan_entities: Vec<String>,
    /// Extra refs to stitch (e.g. a Location whose sources' errors changed).
    pub stitch: Vec<String>,
}

impl CommitBatch {
    /// Whether applying the batch would change nothing.
    pub fn is_empty(&self) -> bool {
        self.upsert_sources.is_empty()
            && self.delete_sources.is_empty()
            && self.upsert_entities.is_empty()
            && self.delete_entities.is_empty()
            && self.orphan_entities.is_empty()
            && self.stitch.is_empty()
    }
}

/// What stitching needs to know about one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StitchInput {
    pub entity_ref: String,
    pub entity_id: String,
    pub processed: Option<String>,
    pub errors: String,
    pub orphan: bool,
    /// `(type, target_ref)` of every relation whose source is this entity.
    pub relations: Vec<(String, String)>,
    /// `(source_key, errors JSON)` of sources this (Location) entity targets
    /// that currently have errors.
    pub source_errors: Vec<(String, String)>,
}

/// A stitched entity as served to readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalEntityRow {
    pub entity_ref: String,
    pub entity_id: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The complete entity JSON (with relations and status).
    pub body: String,
    pub hash: String,
    /// Milliseconds since the Unix epoch.
    pub stitched_at: i64,
}

/// The sources one root (a configured or registered location) reached.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RootStatus {
    /// The root's key (`registered:type:target`, or a configured target's).
    pub root: String,
    pub sources: u64,
    /// Milliseconds since the Unix epoch of the most recent read attempt
    /// of any of its sources.
    pub last_read_at: Option<i64>,
    /// And of the least recent one.
    pub oldest_read_at: Option<i64>,
    pub sources_with_errors: u64,
    /// `(source key, JSON array of errors)` of the first sources with
    /// errors, by key.
    pub errors: Vec<(String, String)>,
}

/// Something that currently has processing errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// An entity ref, or a source key for errors of a source.
    pub subject: String,
    pub is_source: bool,
    /// JSON array of errors.
    pub errors: String,
}

/// One search row of a final entity (see `greenroom_model::search`): what
/// filters, facets, sorting and full-text matching read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRow {
    /// Lower-cased dotted path.
    pub key: String,
    /// Lower-cased value (`None`: null or too long to search).
    pub value: Option<String>,
    /// The value as written, when it differs from `value`.
    pub original: Option<String>,
}

/// A stitched entity with its search rows, as stitching writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StitchedEntity {
    pub row: FinalEntityRow,
    pub search: Vec<SearchRow>,
}

impl From<FinalEntityRow> for StitchedEntity {
    /// An entity with no search rows (tests and tools that only read bodies).
    fn from(row: FinalEntityRow) -> Self {
        StitchedEntity {
            row,
            search: Vec::new(),
        }
    }
}
