// The SQL shared by both backends, included into `sqlite.rs` and
// `postgres.rs` (each defines `Db`, `Store` with a `pool` field, `BACKEND`
// and `MIGRATIONS` before including it). The schema and every statement
// here are portable between SQLite and PostgreSQL, so the two
// implementations cannot drift apart; backend-specific tuning lives in the
// including modules.

use std::collections::{BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};

use crate::migrate::{CREATE_TABLE, Migration, now_millis};
use crate::{dedupe, text};
use crate::{
    BatchState, CatalogStore, CommitBatch, EntityStateRow, EntityUpsert, ErrorRow, RootStatus,
    FinalEntityRow, RelationRow, SourceRow, StitchInput, StitchedEntity, StoreError, StoreResult,
};

/// Most bind parameters one statement may carry (below both backends' limits).
const MAX_BINDS: usize = 30_000;
/// Keys per `IN (…)` list.
const IN_CHUNK: usize = 900;

type Tx<'a> = sqlx::Transaction<'a, Db>;

/// The index stitching reads relations through; dropped during a bulk load
/// into an empty catalog (see `begin_bulk_load`) and recreated after it and
/// at every connect.
const STITCH_INDEX: &str = "CREATE INDEX IF NOT EXISTS relations_by_source \
     ON relations (source_ref, relation_type, target_ref)";

/// The index filters, facets and sorting read search rows through; dropped
/// like [`STITCH_INDEX`] during a bulk load into an empty catalog.
const SEARCH_INDEX: &str = "CREATE INDEX IF NOT EXISTS search_by_value \
     ON search (key_id, value, entity_row, original)";

/// Recreates indexes a bulk load may have dropped.
async fn ensure_indexes(pool: &sqlx::Pool<Db>) -> StoreResult<()> {
    // A write transaction from the start: replicas starting together must
    // queue for the write lock rather than fail upgrading a read. On
    // PostgreSQL two `CREATE INDEX IF NOT EXISTS` at once (a replica
    // starting while another ends a bulk load) collide in the catalog, so
    // they queue for the migration lock too.
    let mut tx = begin_write(pool).await?;
    lock_for_migrations(&mut tx).await?;
    sqlx::query(STITCH_INDEX).execute(&mut *tx).await?;
    sqlx::query(SEARCH_INDEX).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// Refreshes planner statistics when this commit makes them due.
    async fn after_commit(&self, written: usize) -> StoreResult<()> {
        if self.statistics.record(written) {
            refresh_statistics(&self.pool).await?;
        }
        Ok(())
    }

    /// A bulk load rebuilt indexes over rows no statistics have seen.
    async fn after_bulk_load(&self) -> StoreResult<()> {
        refresh_statistics(&self.pool).await
    }
}

/// Recreates one index a bulk load dropped (queued behind migrations, like
/// [`ensure_indexes`]).
async fn restore_index(pool: &sqlx::Pool<Db>, sql: &'static str) -> StoreResult<()> {
    let mut tx = begin_write(pool).await?;
    lock_for_migrations(&mut tx).await?;
    sqlx::query(sql).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Runs the migrations this build knows and the database lacks, each in its
/// own transaction. Every step first takes the backend's migration lock and
/// then re-reads what is applied, so replicas starting together on one
/// database apply each migration exactly once.
async fn run_migrations(pool: &sqlx::Pool<Db>, migrations: &[Migration]) -> StoreResult<()> {
    let known = migrations.last().map(|m| m.version).unwrap_or(0);
    loop {
        let mut tx = begin_write(pool).await?;
        lock_for_migrations(&mut tx).await?;
        sqlx::query(CREATE_TABLE).execute(&mut *tx).await?;
        let applied: Vec<i64> = sqlx::query("SELECT version FROM greenroom_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        if let Some(&found) = applied.last()
            && found > known
        {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        let Some(migration) = migrations.iter().find(|m| !applied.contains(&m.version)) else {
            tx.commit().await?;
            return Ok(());
        };
        let wrap = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(wrap)?;
        sqlx::query("INSERT INTO greenroom_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(now_millis())
            .execute(&mut *tx)
            .await
            .map_err(wrap)?;
        tx.commit().await.map_err(wrap)?;
    }
}

/// Appends a membership test of the preceding column in `keys`, in the
/// form each backend plans best (see `push_membership` in its module).
fn push_in_list(qb: &mut QueryBuilder<Db>, keys: &[String]) {
    push_membership(qb, keys);
}

/// Marks the given refs (existing ones) as needing a stitch.
async fn mark_stitch(tx: &mut Tx<'_>, refs: &[String]) -> StoreResult<()> {
    let unique: BTreeSet<&String> = refs.iter().collect();
    let unique: Vec<String> = unique.into_iter().cloned().collect();
    for chunk in unique.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO stitch_queue (entity_ref) SELECT entity_ref FROM entities \
             WHERE entity_ref ",
        );
        push_in_list(&mut qb, chunk);
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// The `source_ref`s of relation rows emitted by `originating`.
async fn relation_sources_of(tx: &mut Tx<'_>, originating: &[String]) -> StoreResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in originating.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT DISTINCT source_ref FROM relations WHERE originating_ref ",
        );
        push_in_list(&mut qb, chunk);
        for row in qb.build().persistent(false).fetch_all(&mut **tx).await? {
            out.push(row.try_get::<String, _>(0)?);
        }
    }
    Ok(out)
}

/// Deletes the relation rows emitted by `originating`, marking every entity
/// whose relation set loses rows.
async fn drop_relations(tx: &mut Tx<'_>, originating: &[String]) -> StoreResult<()> {
    if originating.is_empty() {
        return Ok(());
    }
    let affected = relation_sources_of(tx, originating).await?;
    mark_stitch(tx, &affected).await?;
    for chunk in originating.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM relations WHERE originating_ref ");
        push_in_list(&mut qb, chunk);
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_sources(tx: &mut Tx<'_>, sources: &[SourceRow]) -> StoreResult<()> {
    for chunk in sources.chunks(MAX_BINDS / 9) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO sources (source_key, parent_source, parent_ref, root_key, origin_key, \
             content_hash, children, errors, last_read_at) ",
        );
        qb.push_values(chunk, |mut row, s| {
            row.push_bind(s.key.clone())
                .push_bind(s.parent_source.clone())
                .push_bind(s.parent_ref.clone())
                .push_bind(s.root.clone())
                .push_bind(s.origin.clone())
                .push_bind(s.content_hash.clone())
                .push_bind(s.children.clone())
                .push_bind(s.errors.clone())
                .push_bind(s.last_read_at);
        });
        qb.push(
            " ON CONFLICT (source_key) DO UPDATE SET parent_source = excluded.parent_source, \
             parent_ref = excluded.parent_ref, root_key = excluded.root_key, \
             origin_key = excluded.origin_key, content_hash = excluded.content_hash, \
             children = excluded.children, errors = excluded.errors, \
             last_read_at = excluded.last_read_at",
        );
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_entities(tx: &mut Tx<'_>, entities: &[EntityUpsert]) -> StoreResult<()> {
    let now = now_millis();
    // Relations are compared with the stored ones before anything is
    // overwritten: only entities whose rows changed are rewritten, and only
    // entities whose relation set gained or lost a row are marked.
    let replacing: Vec<String> = entities
        .iter()
        .filter(|e| e.relations.is_some())
        .map(|e| e.entity_ref.clone())
        .collect();
    let mut old_rows: HashMap<String, BTreeSet<RelationRow>> = HashMap::new();
    for (origin, row) in relation_rows_of(tx, &replacing).await? {
        old_rows.entry(origin).or_default().insert(row);
    }

    for chunk in entities.chunks(MAX_BINDS / 12) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO entities (entity_ref, entity_id, kind, namespace, name, source_key, \
             processed, result_hash, errors, own_relations, orphan, updated_at) ",
        );
        qb.push_values(chunk, |mut row, e| {
            row.push_bind(e.entity_ref.clone())
                .push_bind(e.entity_id.clone())
                .push_bind(e.kind.clone())
                .push_bind(e.namespace.clone())
                .push_bind(e.name.clone())
                .push_bind(e.source_key.clone())
                .push_bind(e.processed.clone())
                .push_bind(e.result_hash.clone())
                .push_bind(e.errors.clone())
                .push_bind(e.relations.as_ref().map(|r| own_relations_json(&e.entity_ref, r)))
                .push("FALSE")
                .push_bind(now);
        });
        qb.push(
            " ON CONFLICT (entity_ref) DO UPDATE SET kind = excluded.kind, \
             namespace = excluded.namespace, name = excluded.name, \
             source_key = excluded.source_key, \
             processed = COALESCE(excluded.processed, entities.processed), \
             result_hash = excluded.result_hash, errors = excluded.errors, \
             own_relations = COALESCE(excluded.own_relations, entities.own_relations), \
             orphan = FALSE, updated_at = excluded.updated_at",
        );
        qb.build().persistent(false).execute(&mut **tx).await?;
    }

    let refs: Vec<String> = entities.iter().map(|e| e.entity_ref.clone()).collect();
    mark_stitch(tx, &refs).await?;
    let upserted: HashSet<&str> = entities.iter().map(|e| e.entity_ref.as_str()).collect();
    let mut changed_origins: Vec<String> = Vec::new();
    let mut inserts: Vec<(&String, &RelationRow)> = Vec::new();
    let mut affected: BTreeSet<String> = BTreeSet::new();
    for entity in entities {
        let Some(new) = &entity.relations else { continue };
        let new: BTreeSet<&RelationRow> = new.iter().collect();
        let old = old_rows.remove(&entity.entity_ref).unwrap_or_default();
        let old_refs: BTreeSet<&RelationRow> = old.iter().collect();
        if new == old_refs {
            continue;
        }
        for row in new.symmetric_difference(&old_refs) {
            if !upserted.contains(row.source_ref.as_str()) {
                affected.insert(row.source_ref.clone());
            }
        }
        if !old.is_empty() {
            changed_origins.push(entity.entity_ref.clone());
        }
        // Rows whose source is the entity itself live in its own row
        // (`own_relations`); the table holds the rest, by originator.
        inserts.extend(
            new.into_iter()
                .filter(|row| row.source_ref != entity.entity_ref)
                .map(|row| (&entity.entity_ref, row)),
        );
    }
    for chunk in changed_origins.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM relations WHERE originating_ref ");
        push_in_list(&mut qb, chunk);
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    inserts.sort_unstable();
    for chunk in inserts.chunks(MAX_BINDS / 4) {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO relations (originating_ref, source_ref, relation_type, target_ref) ",
        );
        qb.push_values(chunk, |mut row, (origin, rel)| {
            row.push_bind((*origin).clone())
                .push_bind(rel.source_ref.clone())
                .push_bind(rel.relation_type.clone())
                .push_bind(rel.target_ref.clone());
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    let affected: Vec<String> = affected.into_iter().collect();
    mark_stitch(tx, &affected).await?;
    Ok(())
}

/// Every stored relation row emitted by `originating`, with its originator:
/// the rows kept in the entities' own column and those in the table.
async fn relation_rows_of(
    tx: &mut Tx<'_>,
    originating: &[String],
) -> StoreResult<Vec<(String, RelationRow)>> {
    let mut out = Vec::new();
    for chunk in originating.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT entity_ref, own_relations FROM entities WHERE own_relations IS NOT NULL \
             AND entity_ref ",
        );
        push_in_list(&mut qb, chunk);
        for row in qb.build().persistent(false).fetch_all(&mut **tx).await? {
            let origin: String = row.try_get(0)?;
            let own: String = row.try_get(1)?;
            for (relation_type, target_ref) in parse_own_relations(&own) {
                out.push((
                    origin.clone(),
                    RelationRow {
                        source_ref: origin.clone(),
                        relation_type,
                        target_ref,
                    },
                ));
            }
        }
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT originating_ref, source_ref, relation_type, target_ref FROM relations \
             WHERE originating_ref ",
        );
        push_in_list(&mut qb, chunk);
        for row in qb.build().persistent(false).fetch_all(&mut **tx).await? {
            out.push((
                row.try_get(0)?,
                RelationRow {
                    source_ref: row.try_get(1)?,
                    relation_type: row.try_get(2)?,
                    target_ref: row.try_get(3)?,
                },
            ));
        }
    }
    Ok(out)
}

/// `[[type, target], …]` of the rows whose source is `entity_ref`.
fn own_relations_json(entity_ref: &str, rows: &[RelationRow]) -> String {
    let own: BTreeSet<(&str, &str)> = rows
        .iter()
        .filter(|r| r.source_ref == entity_ref)
        .map(|r| (r.relation_type.as_str(), r.target_ref.as_str()))
        .collect();
    serde_json::to_string(&own).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads an `own_relations` column (unreadable JSON reads as none).
fn parse_own_relations(json: &str) -> Vec<(String, String)> {
    serde_json::from_str(json).unwrap_or_default()
}

async fn delete_entities(tx: &mut Tx<'_>, refs: &[String]) -> StoreResult<()> {
    if refs.is_empty() {
        return Ok(());
    }
    drop_relations(tx, refs).await?;
    for chunk in refs.chunks(IN_CHUNK) {
        delete_search_rows_of_refs(tx, chunk).await?;
        for table in ["entities", "final_entities", "stitch_queue"] {
            let mut qb = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE entity_ref "));
            push_in_list(&mut qb, chunk);
            qb.build().persistent(false).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

async fn orphan_entities(tx: &mut Tx<'_>, refs: &[String]) -> StoreResult<()> {
    for chunk in refs.chunks(IN_CHUNK) {
        let mut qb = QueryBuilder::<Db>::new(
            "UPDATE entities SET source_key = NULL, orphan = TRUE \
             WHERE entity_ref ",
        );
        push_in_list(&mut qb, chunk);
        qb.build().persistent(false).execute(&mut **tx).await?;
    }
    mark_stitch(tx, refs).await
}

fn final_from_row(row: &<Db as sqlx::Database>::Row) -> StoreResult<FinalEntityRow> {
    Ok(FinalEntityRow {
        entity_ref: row.try_get("entity_ref")?,
        entity_id: row.try_get("entity_id")?,
        kind: row.try_get("kind")?,
        namespace: row.try_get("namespace")?,
        name: row.try_get("name")?,
        body: row.try_get("body")?,
        hash: row.try_get("hash")?,
        stitched_at: row.try_get("stitched_at")?,
    })
}

fn state_from_row(row: &<Db as sqlx::Database>::Row) -> StoreResult<EntityStateRow> {
    Ok(EntityStateRow {
        entity_ref: row.try_get(0)?,
        entity_id: row.try_get(1)?,
        source_key: row.try_get(2)?,
        result_hash: row.try_get(3)?,
        has_processed: row.try_get(4)?,
        orphan: row.try_get(5)?,
    })
}

const SOURCE_COLUMNS: &str = "source_key, parent_source, parent_ref, root_key, origin_key, \
     content_hash, children, errors, last_read_at";

fn source_from_row(row: &<Db as sqlx::Database>::Row) -> StoreResult<SourceRow> {
    Ok(SourceRow {
        key: row.try_get(0)?,
        parent_source: row.try_get(1)?,
        parent_ref: row.try_get(2)?,
        root: row.try_get(3)?,
        origin: row.try_get(4)?,
        content_hash: row.try_get(5)?,
        children: row.try_get(6)?,
        errors: row.try_get(7)?,
        last_read_at: row.try_get(8)?,
    })
}

const FINAL_COLUMNS: &str = "entity_ref, entity_id, kind, namespace, name, body, hash, stitched_at";

#[async_trait]
impl CatalogStore for Store {
    fn backend_name(&self) -> &'static str {
        BACKEND
    }

    async fn sources(&self) -> StoreResult<Vec<SourceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources ORDER BY source_key"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    async fn source(&self, key: &str) -> StoreResult<Option<SourceRow>> {
        if !text::storable(key) {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources WHERE source_key = $1"
        )))
        .bind(key.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(source_from_row).transpose()
    }

    async fn sources_of_root(&self, root: &str) -> StoreResult<Vec<SourceRow>> {
        if !text::storable(root) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources WHERE root_key = $1 ORDER BY source_key"
        )))
        .bind(root.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    async fn root_statuses(&self, error_limit: usize) -> StoreResult<Vec<RootStatus>> {
        let rows = sqlx::query(
            "SELECT root_key, COUNT(*), MAX(last_read_at), MIN(last_read_at), \
             COUNT(CASE WHEN errors <> '[]' THEN 1 END) \
             FROM sources GROUP BY root_key ORDER BY root_key",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut statuses: Vec<RootStatus> = rows
            .iter()
            .map(|row| {
                let sources: i64 = row.try_get(1)?;
                let with_errors: i64 = row.try_get(4)?;
                Ok(RootStatus {
                    root: row.try_get(0)?,
                    sources: u64::try_from(sources).unwrap_or(0),
                    last_read_at: row.try_get(2)?,
                    oldest_read_at: row.try_get(3)?,
                    sources_with_errors: u64::try_from(with_errors).unwrap_or(0),
                    errors: Vec::new(),
                })
            })
            .collect::<StoreResult<_>>()?;
        if error_limit == 0 {
            return Ok(statuses);
        }
        let rows = sqlx::query(
            "SELECT root_key, source_key, errors FROM (\
               SELECT root_key, source_key, errors, \
               ROW_NUMBER() OVER (PARTITION BY root_key ORDER BY source_key) AS n \
               FROM sources WHERE errors <> '[]') ranked \
             WHERE n <= $1 ORDER BY root_key, source_key",
        )
        .bind(i64::try_from(error_limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let index: HashMap<String, usize> = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| (status.root.clone(), i))
            .collect();
        for row in &rows {
            let root: String = row.try_get(0)?;
            let Some(&i) = index.get(&root) else {
                continue;
            };
            statuses[i].errors.push((row.try_get(1)?, row.try_get(2)?));
        }
        Ok(statuses)
    }

    async fn recent_entities(&self, limit: usize) -> StoreResult<Vec<FinalEntityRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FINAL_COLUMNS} FROM final_entities ORDER BY stitched_at DESC, id DESC LIMIT $1"
        )))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(final_from_row).collect()
    }

    async fn batch_state(&self, refs: &[String], source_keys: &[String]) -> StoreResult<BatchState> {
        let (refs, source_keys) = (text::lookup_keys(refs), text::lookup_keys(source_keys));
        let mut conn = self.pool.acquire().await?;
        let mut state = BatchState::default();
        for chunk in refs.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT entity_ref, entity_id, source_key, result_hash, processed IS NOT NULL, \
                 orphan FROM entities WHERE entity_ref ",
            );
            push_in_list(&mut qb, chunk);
            for row in qb.build().persistent(false).fetch_all(&mut *conn).await? {
                state.entities.push(state_from_row(&row)?);
            }
        }
        for chunk in source_keys.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT entity_ref, entity_id, source_key, result_hash, processed IS NOT NULL, \
                 orphan FROM entities WHERE source_key ",
            );
            push_in_list(&mut qb, chunk);
            for row in qb.build().persistent(false).fetch_all(&mut *conn).await? {
                state.owned.push(state_from_row(&row)?);
            }
        }
        Ok(state)
    }

    async fn commit(&self, batch: CommitBatch) -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        text::check_batch(&batch)?;
        let sources = dedupe::sources(batch.upsert_sources);
        let entities = dedupe::entities(batch.upsert_entities);
        let written = entities.len();
        let mut tx = begin_write(&self.pool).await?;
        upsert_sources(&mut tx, &sources).await?;
        for chunk in text::lookup_keys(&batch.delete_sources).chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new("DELETE FROM sources WHERE source_key ");
            push_in_list(&mut qb, chunk);
            qb.build().persistent(false).execute(&mut *tx).await?;
        }
        upsert_entities(&mut tx, &entities).await?;
        delete_entities(&mut tx, &text::lookup_keys(&batch.delete_entities)).await?;
        orphan_entities(&mut tx, &text::lookup_keys(&batch.orphan_entities)).await?;
        mark_stitch(&mut tx, &text::lookup_keys(&batch.stitch)).await?;
        tx.commit().await?;
        self.after_commit(written).await
    }

    async fn stitch_queue(&self, limit: usize) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT entity_ref FROM stitch_queue ORDER BY entity_ref LIMIT $1",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<String, _>(0)?))
            .collect()
    }

    async fn stitch_queue_len(&self) -> StoreResult<u64> {
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM stitch_queue")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn stitch_inputs(&self, refs: &[String]) -> StoreResult<Vec<StitchInput>> {
        let refs = text::lookup_keys(refs);
        let mut conn = self.pool.acquire().await?;
        let mut inputs: Vec<StitchInput> = Vec::with_capacity(refs.len());
        let mut index = std::collections::HashMap::new();
        for chunk in refs.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT entity_ref, entity_id, processed, errors, orphan, own_relations \
                 FROM entities WHERE entity_ref ",
            );
            push_in_list(&mut qb, chunk);
            for row in qb.build().persistent(false).fetch_all(&mut *conn).await? {
                let entity_ref: String = row.try_get(0)?;
                index.insert(entity_ref.clone(), inputs.len());
                inputs.push(StitchInput {
                    entity_ref,
                    entity_id: row.try_get(1)?,
                    processed: row.try_get(2)?,
                    errors: row.try_get(3)?,
                    orphan: row.try_get(4)?,
                    relations: row
                        .try_get::<Option<String>, _>(5)?
                        .map(|own| parse_own_relations(&own))
                        .unwrap_or_default(),
                    source_errors: Vec::new(),
                });
            }
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT source_ref, relation_type, target_ref FROM relations \
                 WHERE source_ref ",
            );
            push_in_list(&mut qb, chunk);
            for row in qb.build().persistent(false).fetch_all(&mut *conn).await? {
                let source: String = row.try_get(0)?;
                if let Some(&i) = index.get(&source) {
                    inputs[i].relations.push((row.try_get(1)?, row.try_get(2)?));
                }
            }
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT parent_ref, source_key, errors FROM sources \
                 WHERE errors <> '[]' AND parent_ref ",
            );
            push_in_list(&mut qb, chunk);
            qb.push(" ORDER BY source_key");
            for row in qb.build().persistent(false).fetch_all(&mut *conn).await? {
                let parent: String = row.try_get(0)?;
                if let Some(&i) = index.get(&parent) {
                    inputs[i].source_errors.push((row.try_get(1)?, row.try_get(2)?));
                }
            }
        }
        for input in &mut inputs {
            input.relations.sort_unstable();
            input.relations.dedup();
        }
        Ok(inputs)
    }

    async fn write_stitched(
        &self,
        finals: Vec<StitchedEntity>,
        removed: Vec<String>,
        done: Vec<String>,
    ) -> StoreResult<()> {
        text::check_stitched(&finals)?;
        let (removed, done) = (text::lookup_keys(&removed), text::lookup_keys(&done));
        let mut tx = begin_write(&self.pool).await?;
        // Only new entities and changed ones come back from the upsert; their
        // search rows are replaced.
        let mut written: Vec<(i64, usize)> = Vec::with_capacity(finals.len());
        let position: HashMap<&str, usize> = finals
            .iter()
            .enumerate()
            .map(|(i, f)| (f.row.entity_ref.as_str(), i))
            .collect();
        for chunk in finals.chunks(MAX_BINDS / 8) {
            let mut qb = QueryBuilder::<Db>::new(format!("INSERT INTO final_entities ({FINAL_COLUMNS}) "));
            qb.push_values(chunk, |mut row, f| {
                let f = &f.row;
                row.push_bind(f.entity_ref.clone())
                    .push_bind(f.entity_id.clone())
                    .push_bind(f.kind.clone())
                    .push_bind(f.namespace.clone())
                    .push_bind(f.name.clone())
                    .push_bind(f.body.clone())
                    .push_bind(f.hash.clone())
                    .push_bind(f.stitched_at);
            });
            qb.push(
                " ON CONFLICT (entity_ref) DO UPDATE SET entity_id = excluded.entity_id, \
                 kind = excluded.kind, namespace = excluded.namespace, name = excluded.name, \
                 body = excluded.body, hash = excluded.hash, stitched_at = excluded.stitched_at \
                 WHERE final_entities.hash <> excluded.hash \
                 RETURNING id, entity_ref",
            );
            for row in qb.build().persistent(false).fetch_all(&mut *tx).await? {
                let entity_ref: String = row.try_get(1)?;
                if let Some(&i) = position.get(entity_ref.as_str()) {
                    written.push((row.try_get(0)?, i));
                }
            }
        }
        let new_keys = write_search_rows(&mut tx, &self.keys, &finals, &written).await?;
        for chunk in removed.chunks(IN_CHUNK) {
            delete_search_rows_of_refs(&mut tx, chunk).await?;
            let mut qb = QueryBuilder::<Db>::new("DELETE FROM final_entities WHERE entity_ref ");
            push_in_list(&mut qb, chunk);
            qb.build().persistent(false).execute(&mut *tx).await?;
        }
        for chunk in done.chunks(IN_CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "DELETE FROM stitch_queue WHERE entity_ref ",
            );
            push_in_list(&mut qb, chunk);
            qb.build().persistent(false).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.keys.remember(new_keys);
        self.after_commit(written.len()).await
    }

    async fn begin_bulk_load(&self) -> StoreResult<bool> {
        let any = sqlx::query("SELECT source_ref FROM relations LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if any.is_some() {
            return Ok(false);
        }
        sqlx::query("DROP INDEX IF EXISTS relations_by_source")
            .execute(&self.pool)
            .await?;
        let any_search = sqlx::query("SELECT entity_row FROM search LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if any_search.is_none() {
            sqlx::query("DROP INDEX IF EXISTS search_by_value")
                .execute(&self.pool)
                .await?;
        }
        Ok(true)
    }

    async fn end_bulk_load(&self) -> StoreResult<()> {
        restore_index(&self.pool, STITCH_INDEX).await
    }

    async fn end_bulk_stitch(&self) -> StoreResult<()> {
        restore_index(&self.pool, SEARCH_INDEX).await?;
        self.after_bulk_load().await
    }

    async fn mark_for_stitch(&self, refs: &[String]) -> StoreResult<()> {
        let mut tx = begin_write(&self.pool).await?;
        mark_stitch(&mut tx, &text::lookup_keys(refs)).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn final_entity(&self, entity_ref: &str) -> StoreResult<Option<FinalEntityRow>> {
        if !text::storable(entity_ref) {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FINAL_COLUMNS} FROM final_entities WHERE entity_ref = $1"
        )))
        .bind(entity_ref.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(final_from_row).transpose()
    }

    async fn final_entities(&self, after: Option<&str>, limit: usize) -> StoreResult<Vec<FinalEntityRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FINAL_COLUMNS} FROM final_entities WHERE entity_ref > $1 \
             ORDER BY entity_ref LIMIT $2"
        )))
        .bind(text::lookup_cursor(after.unwrap_or("")).to_owned())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(final_from_row).collect()
    }

    async fn count_by_kind(&self) -> StoreResult<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) FROM final_entities GROUP BY kind ORDER BY kind",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let count: i64 = row.try_get(1)?;
                Ok((row.try_get(0)?, u64::try_from(count).unwrap_or(0)))
            })
            .collect()
    }

    async fn processing_errors(&self, limit: usize) -> StoreResult<Vec<ErrorRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(
            "SELECT entity_ref, FALSE, errors FROM entities WHERE errors <> '[]' \
             UNION ALL SELECT source_key, TRUE, errors FROM sources WHERE errors <> '[]' \
             ORDER BY 1 LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ErrorRow {
                    subject: row.try_get(0)?,
                    is_source: row.try_get(1)?,
                    errors: row.try_get(2)?,
                })
            })
            .collect()
    }

    async fn query_entities(&self, query: &crate::EntityQuery) -> StoreResult<Vec<crate::QueriedEntity>> {
        Ok(self.run_page(query, None).await?.0)
    }

    async fn query_page(
        &self,
        query: &crate::EntityQuery,
        count: Option<u64>,
    ) -> StoreResult<(Vec<crate::QueriedEntity>, Option<u64>)> {
        self.run_page(query, count).await
    }

    async fn facets(
        &self,
        keys: &[String],
        filter: Option<&crate::Predicate>,
    ) -> StoreResult<Vec<crate::FacetCounts>> {
        self.run_facets(keys, filter).await
    }

    async fn final_entities_by_refs(
        &self,
        refs: &[String],
        filter: Option<&crate::Predicate>,
    ) -> StoreResult<Vec<FinalEntityRow>> {
        self.run_by_refs(refs, filter).await
    }

    async fn final_entity_by_uid(&self, uid: &str) -> StoreResult<Option<FinalEntityRow>> {
        if !text::storable(uid) {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {FINAL_COLUMNS} FROM final_entities WHERE entity_id = $1"
        )))
        .bind(uid.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(final_from_row).transpose()
    }

    async fn delete_entity_by_uid(&self, uid: &str) -> StoreResult<bool> {
        if !text::storable(uid) {
            return Ok(false);
        }
        let mut tx = begin_write(&self.pool).await?;
        let found = sqlx::query("SELECT entity_ref, source_key FROM entities WHERE entity_id = $1")
            .bind(uid.to_owned())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(found) = found else {
            tx.commit().await?;
            return Ok(false);
        };
        let entity_ref: String = found.try_get(0)?;
        let source_key: Option<String> = found.try_get(1)?;
        delete_entities(&mut tx, std::slice::from_ref(&entity_ref)).await?;
        // The source is read again at the next pass, so an entity that is
        // still described comes back (as in Backstage: deleting a registered
        // entity is not permanent).
        if let Some(source_key) = source_key {
            sqlx::query("UPDATE sources SET content_hash = NULL WHERE source_key = $1")
                .bind(source_key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn entity_parent(&self, entity_ref: &str) -> StoreResult<Option<Option<String>>> {
        if !text::storable(entity_ref) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT s.parent_ref FROM entities e LEFT JOIN sources s ON s.source_key = e.source_key \
             WHERE e.entity_ref = $1",
        )
        .bind(entity_ref.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok(row.try_get::<Option<String>, _>(0)?)).transpose()
    }

    async fn count_processing_errors(&self) -> StoreResult<(u64, u64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM entities WHERE errors <> '[]'), \
             (SELECT COUNT(*) FROM sources WHERE errors <> '[]')",
        )
        .fetch_one(&self.pool)
        .await?;
        let (entities, sources): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        Ok((
            u64::try_from(entities).unwrap_or(0),
            u64::try_from(sources).unwrap_or(0),
        ))
    }

    // --- Registered locations and targeted refresh.

    async fn locations(&self) -> StoreResult<Vec<crate::LocationRow>> {
        let rows = sqlx::query(
            "SELECT id, type, target, created_at FROM locations ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(location_from_row).collect()
    }

    async fn location(&self, id: &str) -> StoreResult<Option<crate::LocationRow>> {
        if !text::storable(id) {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        location_by_id(&mut conn, id).await
    }

    async fn location_by_target(
        &self,
        location_type: &str,
        target: &str,
    ) -> StoreResult<Option<crate::LocationRow>> {
        if !text::storable(location_type) || !text::storable(target) {
            return Ok(None);
        }
        let mut conn = self.pool.acquire().await?;
        location_with_target(&mut conn, location_type, target, None).await
    }

    async fn add_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> StoreResult<crate::LocationWrite> {
        check_location_text(id, location_type, target)?;
        let mut tx = begin_write(&self.pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO locations (id, type, target, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (type, target) DO NOTHING",
        )
        .bind(id.to_owned())
        .bind(location_type.to_owned())
        .bind(target.to_owned())
        .bind(now_millis())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let outcome = if inserted == 0 {
            // The conflicting row is committed (PostgreSQL waits for it
            // before skipping), so this statement sees it.
            match location_with_target(&mut tx, location_type, target, None).await? {
                Some(existing) => crate::LocationWrite::Exists(existing),
                None => crate::LocationWrite::NotFound,
            }
        } else {
            match location_by_id(&mut tx, id).await? {
                Some(row) => crate::LocationWrite::Written(row),
                None => crate::LocationWrite::NotFound,
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn update_location(
        &self,
        id: &str,
        location_type: &str,
        target: &str,
    ) -> StoreResult<crate::LocationWrite> {
        if !text::storable(id) {
            return Ok(crate::LocationWrite::NotFound);
        }
        check_location_text(id, location_type, target)?;
        let mut tx = begin_write(&self.pool).await?;
        if location_by_id(&mut tx, id).await?.is_none() {
            return Ok(crate::LocationWrite::NotFound);
        }
        if let Some(other) = location_with_target(&mut tx, location_type, target, Some(id)).await? {
            return Ok(crate::LocationWrite::Exists(other));
        }
        let updated = sqlx::query("UPDATE locations SET type = $1, target = $2 WHERE id = $3")
            .bind(location_type.to_owned())
            .bind(target.to_owned())
            .bind(id.to_owned())
            .execute(&mut *tx)
            .await;
        match updated {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                // Another replica registered the same location meanwhile.
                drop(tx);
                let mut conn = self.pool.acquire().await?;
                return Ok(
                    match location_with_target(&mut conn, location_type, target, Some(id)).await? {
                        Some(other) => crate::LocationWrite::Exists(other),
                        None => crate::LocationWrite::NotFound,
                    },
                );
            }
            Err(e) => return Err(e.into()),
        }
        let row = location_by_id(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row.map_or(crate::LocationWrite::NotFound, crate::LocationWrite::Written))
    }

    async fn delete_location(&self, id: &str) -> StoreResult<Option<crate::LocationRow>> {
        if !text::storable(id) {
            return Ok(None);
        }
        let row = sqlx::query(
            "DELETE FROM locations WHERE id = $1 RETURNING id, type, target, created_at",
        )
        .bind(id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(location_from_row).transpose()
    }

    async fn schedule_refresh(&self, entity_ref: &str) -> StoreResult<bool> {
        if !text::storable(entity_ref) {
            return Ok(false);
        }
        let mut tx = begin_write(&self.pool).await?;
        let Some(owner) = sqlx::query("SELECT source_key FROM entities WHERE entity_ref = $1")
            .bind(entity_ref.to_owned())
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(false);
        };
        let mut next: Option<String> = owner.try_get(0)?;
        let mut seen = HashSet::new();
        // The chain is as deep as the location tree; the bound only guards
        // against a cycle a bug could leave in stored parents.
        while let Some(key) = next.take() {
            if !seen.insert(key.clone()) || seen.len() > 1000 {
                break;
            }
            let parent = sqlx::query(
                "UPDATE sources SET content_hash = NULL WHERE source_key = $1 RETURNING parent_source",
            )
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(parent) = parent {
                next = parent.try_get(0)?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}

// --- Registered locations: helpers.

const LOCATION_COLUMNS: &str = "id, type, target, created_at";

fn location_from_row(row: &<Db as sqlx::Database>::Row) -> StoreResult<crate::LocationRow> {
    Ok(crate::LocationRow {
        id: row.try_get(0)?,
        location_type: row.try_get(1)?,
        target: row.try_get(2)?,
        created_at: row.try_get(3)?,
    })
}

async fn location_by_id(
    conn: &mut <Db as sqlx::Database>::Connection,
    id: &str,
) -> StoreResult<Option<crate::LocationRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LOCATION_COLUMNS} FROM locations WHERE id = $1"
    )))
    .bind(id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(location_from_row).transpose()
}

/// The location with this type and target, other than `except` if given
/// (ids are never empty, so no `except` compares against `''`).
async fn location_with_target(
    conn: &mut <Db as sqlx::Database>::Connection,
    location_type: &str,
    target: &str,
    except: Option<&str>,
) -> StoreResult<Option<crate::LocationRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {LOCATION_COLUMNS} FROM locations WHERE type = $1 AND target = $2 AND id <> $3"
    )))
    .bind(location_type.to_owned())
    .bind(target.to_owned())
    .bind(except.unwrap_or("").to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(location_from_row).transpose()
}

/// Refuses a location that would store a NUL byte.
fn check_location_text(id: &str, location_type: &str, target: &str) -> StoreResult<()> {
    let fields = [
        ("location id", id),
        ("location type", location_type),
        ("location target", target),
    ];
    match fields.into_iter().find(|(_, value)| !text::storable(value)) {
        Some((field, _)) => Err(StoreError::NulByte {
            field,
            subject: format!("{location_type}:{target}"),
        }),
        None => Ok(()),
    }
}
