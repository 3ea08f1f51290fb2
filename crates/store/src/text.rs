//! Which strings the store can keep, the same on every backend.
//!
//! PostgreSQL `TEXT` cannot hold U+0000 (the server answers "invalid byte
//! sequence for encoding UTF8: 0x00") while SQLite can. So that both backends
//! behave alike, the store refuses to *write* a string with a NUL byte
//! ([`StoreError::NulByte`], before any SQL runs), and a key with one used
//! only to *find* rows simply matches nothing.

use std::collections::BTreeSet;

use crate::{CommitBatch, EntityUpsert, SourceRow, StitchedEntity, StoreError, StoreResult};

/// Whether `value` can be stored (has no NUL byte).
pub(crate) fn storable(value: &str) -> bool {
    !value.contains('\0')
}

/// The distinct keys that can name stored rows, sorted (the others match
/// nothing).
pub(crate) fn lookup_keys(keys: &[String]) -> Vec<String> {
    let unique: BTreeSet<&String> = keys.iter().filter(|key| storable(key)).collect();
    unique.into_iter().cloned().collect()
}

/// A paging cursor with the same meaning: no stored key contains a NUL, so
/// every key after `a\0…` is also after `a`, and vice versa.
pub(crate) fn lookup_cursor(cursor: &str) -> &str {
    cursor.split('\0').next().unwrap_or_default()
}

fn check(field: &'static str, subject: &str, value: &str) -> StoreResult<()> {
    if storable(value) {
        Ok(())
    } else {
        Err(StoreError::NulByte {
            field,
            subject: subject.to_owned(),
        })
    }
}

fn check_opt(field: &'static str, subject: &str, value: Option<&String>) -> StoreResult<()> {
    value.map_or(Ok(()), |value| check(field, subject, value))
}

fn check_source(source: &SourceRow) -> StoreResult<()> {
    let subject = &source.key;
    check("source key", subject, &source.key)?;
    check_opt("parent source", subject, source.parent_source.as_ref())?;
    check_opt("parent ref", subject, source.parent_ref.as_ref())?;
    check("root", subject, &source.root)?;
    check("origin", subject, &source.origin)?;
    check_opt("content hash", subject, source.content_hash.as_ref())?;
    check("children", subject, &source.children)?;
    check("errors", subject, &source.errors)
}

fn check_entity(entity: &EntityUpsert) -> StoreResult<()> {
    let subject = &entity.entity_ref;
    check("entity ref", subject, &entity.entity_ref)?;
    check("entity id", subject, &entity.entity_id)?;
    check("kind", subject, &entity.kind)?;
    check("namespace", subject, &entity.namespace)?;
    check("name", subject, &entity.name)?;
    check("source key", subject, &entity.source_key)?;
    check_opt("processed entity", subject, entity.processed.as_ref())?;
    check("result hash", subject, &entity.result_hash)?;
    check("errors", subject, &entity.errors)?;
    for relation in entity.relations.iter().flatten() {
        check("relation source", subject, &relation.source_ref)?;
        check("relation type", subject, &relation.relation_type)?;
        check("relation target", subject, &relation.target_ref)?;
    }
    Ok(())
}

/// Refuses a batch that would store a NUL byte (its lists of refs to
/// delete, orphan or stitch are only lookups).
pub(crate) fn check_batch(batch: &CommitBatch) -> StoreResult<()> {
    batch.upsert_sources.iter().try_for_each(check_source)?;
    batch.upsert_entities.iter().try_for_each(check_entity)
}

/// Refuses stitched entities that would store a NUL byte.
pub(crate) fn check_stitched(finals: &[StitchedEntity]) -> StoreResult<()> {
    finals.iter().try_for_each(|f| {
        let row = &f.row;
        let subject = &row.entity_ref;
        check("entity ref", subject, &row.entity_ref)?;
        check("entity id", subject, &row.entity_id)?;
        check("kind", subject, &row.kind)?;
        check("namespace", subject, &row.namespace)?;
        check("name", subject, &row.name)?;
        check("final entity", subject, &row.body)?;
        check("hash", subject, &row.hash)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_stops_at_the_first_nul() {
        assert_eq!(
            lookup_cursor("component:default/a\0b\0c"),
            "component:default/a"
        );
        assert_eq!(lookup_cursor("plain"), "plain");
        assert_eq!(lookup_cursor(""), "");
    }

    #[test]
    fn lookup_keys_drop_unstorable_keys() {
        let keys = vec![
            "c".to_owned(),
            "b\0".to_owned(),
            "a".to_owned(),
            "c".to_owned(),
        ];
        assert_eq!(lookup_keys(&keys), vec!["a".to_owned(), "c".to_owned()]);
    }
}
