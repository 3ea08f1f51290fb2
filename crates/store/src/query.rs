//! The catalog's query language, independent of how a query arrives (query
//! string filters, JSON predicates, the web UI) and of the database that
//! answers it.
//!
//! Queries match an entity's *search rows* (see `greenroom_model::search`):
//! lower-cased flattened paths such as `spec.type`, `metadata.tags.java` or
//! `relations.ownedby`, each with a lower-cased value. Everything here is
//! already normalised: keys and values are lower case, so the store compares
//! bytes.

/// A condition on entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// Every part holds (an empty list always holds).
    All(Vec<Predicate>),
    /// At least one part holds (an empty list never holds).
    Any(Vec<Predicate>),
    /// The part does not hold.
    Not(Box<Predicate>),
    /// A condition on the values of one search key.
    Field { key: String, matcher: Matcher },
}

/// What a [`Predicate::Field`] asks of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The key is present, whatever its value.
    Exists,
    /// Some value of the key equals one of these.
    AnyOf(Vec<String>),
    /// Some value of the key starts with this.
    HasPrefix(String),
}

impl Predicate {
    /// `key` has the value `value`.
    pub fn equals(key: impl Into<String>, value: impl Into<String>) -> Self {
        Predicate::Field {
            key: key.into(),
            matcher: Matcher::AnyOf(vec![value.into()]),
        }
    }

    /// `key` is present.
    pub fn exists(key: impl Into<String>) -> Self {
        Predicate::Field {
            key: key.into(),
            matcher: Matcher::Exists,
        }
    }

    /// Nesting depth (a field is 1), to bound the work a query can ask for.
    pub fn depth(&self) -> usize {
        match self {
            Predicate::All(parts) | Predicate::Any(parts) => {
                1 + parts.iter().map(Predicate::depth).max().unwrap_or(0)
            }
            Predicate::Not(inner) => 1 + inner.depth(),
            Predicate::Field { .. } => 1,
        }
    }

    /// Number of field conditions and listed values, the other bound.
    pub fn size(&self) -> usize {
        match self {
            Predicate::All(parts) | Predicate::Any(parts) => {
                1 + parts.iter().map(Predicate::size).sum::<usize>()
            }
            Predicate::Not(inner) => 1 + inner.size(),
            Predicate::Field { matcher, .. } => match matcher {
                Matcher::AnyOf(values) => values.len().max(1),
                Matcher::Exists | Matcher::HasPrefix(_) => 1,
            },
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

/// Sorting by the (lower-cased) value of one search key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub key: String,
    pub direction: Direction,
}

/// What breaks ties after the sort keys (and orders results when there are
/// none): Backstage's legacy `GET /entities` orders by entity ref; its
/// cursor queries order by an internal id (Backstage: the uid, here the
/// entity's row id, which is as stable and cheaper to seek).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tiebreak {
    #[default]
    EntityRef,
    Row,
}

/// A case-insensitive substring match on some search keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullText {
    /// Lower-cased term.
    pub term: String,
    /// Keys whose values are searched (lower-cased); an entity matches when
    /// any of them contains the term.
    pub keys: Vec<String>,
}

/// Where a keyset page starts: strictly after (or, going backwards, before)
/// the entity with these sort values and tiebreak value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// One value per sort key (keysets need every sort key present).
    pub sort_values: Vec<Option<String>>,
    /// The tiebreak value ([`QueriedEntity::tiebreak`] of the last row).
    pub tiebreak: String,
    /// Whether the page runs backwards from the position (a "previous"
    /// page); its rows are still returned in the query's order.
    pub backwards: bool,
}

/// A query for final entities.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityQuery {
    pub filter: Option<Predicate>,
    pub full_text: Option<FullText>,
    pub sort: Vec<SortKey>,
    /// When set, entities lacking a sort key are left out (Backstage's
    /// cursor queries); otherwise they sort after those that have it.
    pub require_sort_keys: bool,
    pub tiebreak: Tiebreak,
    pub keyset: Option<Keyset>,
    pub offset: u64,
    /// At most this many rows (`None`: all of them).
    pub limit: Option<u64>,
}

/// One entity a query found, with what it sorted by (for cursors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueriedEntity {
    pub row: crate::FinalEntityRow,
    pub sort_values: Vec<Option<String>>,
    /// The value of the query's tiebreak (entity ref or row id) as text.
    pub tiebreak: String,
}

/// Counts of each distinct value of one facet key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    pub key: String,
    /// `(original value, count)`, most frequent first, then by value.
    pub values: Vec<(String, u64)>,
}
