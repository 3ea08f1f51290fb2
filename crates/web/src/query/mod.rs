//! Request parsing for the catalog read API: query strings and JSON bodies
//! in Backstage's shapes, turned into the store's query language
//! ([`greenroom_store::query`]) or refused with a [`QueryError`] naming the
//! parameter and the reason (a 400 `InputError`).
//!
//! Pure code, no handlers and no SQL. The layers, bottom up:
//! - [`raw`]: the query string as ordered, repeatable pairs;
//! - [`keys`]: the rules every search key and value obeys;
//! - [`filter`], [`predicate`], [`fields`], [`order`], [`cursor`]: one
//!   parameter family each;
//! - [`request`]: one typed request per endpoint.
//!
//! Everything is bounded so hostile input costs little: the query string
//! (64 KiB, 1,000 parameters), filters (100 parameters, 500 conditions),
//! predicates (depth 16, size 2,000), keys (200 characters), values
//! (1,000), fields (100), sort fields (10), facets (100), refs (10,000) and
//! page sizes (10,000).

pub mod cursor;
pub mod error;
pub mod fields;
pub mod filter;
pub mod keys;
pub mod order;
pub mod predicate;
pub mod raw;
pub mod request;

pub use cursor::{AfterCursor, ItemPosition, QueryCursor, QuerySpec};
pub use error::QueryError;
pub use fields::FieldSelection;
pub use predicate::{parse_predicate, predicate_to_json};
pub use raw::RawQuery;
pub use request::{
    ByQueryPage, ByQueryRequest, ByRefsRequest, Facet, FacetsRequest, InitialPage, ListRequest,
    Paging,
};
