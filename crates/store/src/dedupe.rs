//! A batch listing the same entity ref (or source key) twice.
//!
//! Upserts apply in order, so such a ref ends as its *last* upsert while
//! keeping the id of the first (an existing entity keeps its id). Collapsing
//! the duplicates before any SQL runs gives that result on every backend:
//! otherwise PostgreSQL refuses a statement touching one row twice ("ON
//! CONFLICT DO UPDATE command cannot affect row a second time") and SQLite
//! keeps the relation rows of both upserts.

use std::collections::HashMap;

use crate::{EntityUpsert, SourceRow};

/// The sources with each key once, as its last upsert.
pub(crate) fn sources(sources: Vec<SourceRow>) -> Vec<SourceRow> {
    let mut out: Vec<SourceRow> = Vec::with_capacity(sources.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(sources.len());
    for source in sources {
        match index.get(&source.key) {
            Some(&i) => out[i] = source,
            None => {
                index.insert(source.key.clone(), out.len());
                out.push(source);
            }
        }
    }
    out
}

/// The entities with each ref once, as its last upsert with its first id.
pub(crate) fn entities(entities: Vec<EntityUpsert>) -> Vec<EntityUpsert> {
    let mut out: Vec<EntityUpsert> = Vec::with_capacity(entities.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(entities.len());
    for entity in entities {
        match index.get(&entity.entity_ref) {
            Some(&i) => {
                let first_id = std::mem::take(&mut out[i].entity_id);
                out[i] = EntityUpsert {
                    entity_id: first_id,
                    ..entity
                };
            }
            None => {
                index.insert(entity.entity_ref.clone(), out.len());
                out.push(entity);
            }
        }
    }
    out
}
