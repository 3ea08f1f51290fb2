//! Greenroom's entity model: Backstage's catalog entity format as pure
//! functions over `serde_json::Value`.
//!
//! An entity is the JSON form of one YAML document of a `catalog-info.yaml`
//! (`apiVersion`, `kind`, `metadata`, `spec`). Entities stay `Value`s so that
//! unknown metadata and spec keys survive untouched; this crate gives them
//! meaning:
//!
//! - [`EntityRef`]: `kind:namespace/name` references, parsed with Backstage's
//!   rules and compared case-insensitively.
//! - [`validate_entity`]: the checks Backstage's ingestion runs (envelope
//!   schema, root fields, field formats, per-kind schema, spec references,
//!   key casing), returning every [`Issue`] with a JSON pointer and a message
//!   for a person.
//! - [`relations_of`]: the relations (both directions) an entity's spec implies.
//! - [`find_placeholders`] / [`substitute`]: `$text`/`$json`/`$yaml` markers;
//!   the catalog reads their targets and puts the values in.
//! - Well-known names: [`KNOWN_KINDS`], [`annotations`], relation type
//!   constants in [`relations`], and small accessors in [`entity`].
//!
//! The crate is pure: no I/O, no async, no files read at run time (the
//! Backstage JSON schemas are embedded at build time and compiled once).
//!
//! ```
//! use greenroom_model::{EntityRef, relations_of, validate_entity};
//! use serde_json::json;
//!
//! let entity = json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": {"name": "artist-web"},
//!     "spec": {"type": "website", "lifecycle": "production", "owner": "team-a"}
//! });
//! assert!(validate_entity(&entity).is_empty());
//! assert_eq!(EntityRef::of_entity(&entity)?.to_string(), "component:default/artist-web");
//! let owner = &relations_of(&entity).map_err(|_| "invalid refs")?[0];
//! assert_eq!((owner.type_, owner.target.to_string().as_str()), ("ownedBy", "group:default/team-a"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod display;
pub mod entity;
mod entity_ref;
mod error;
mod issue;
mod placeholders;
mod pointer;
pub mod relations;
pub mod search;
mod validate;

pub use entity::{KNOWN_KINDS, annotations};
pub use entity_ref::{DEFAULT_NAMESPACE, EntityRef};
pub use error::ModelError;
pub use issue::Issue;
pub use placeholders::{Placeholder, PlaceholderKind, find_placeholders, substitute};
pub use relations::{Relation, relations_of};
pub use validate::{TEMPLATE_API_VERSION, validate_entity};
