//! The storage conformance suite: every behaviour the catalog relies on,
//! written once against `Arc<dyn CatalogStore>` and run on each backend (a
//! temporary SQLite file, in-memory SQLite, and PostgreSQL when
//! `GREENROOM_TEST_POSTGRES_URL` is set, each test in its own schema).
//!
//! Run: `GREENROOM_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
//! cargo test -p greenroom-store`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use greenroom_store::{
    BatchState, CatalogStore, CommitBatch, DatabaseTarget, EntityStateRow, EntityUpsert, ErrorRow,
    FinalEntityRow, RelationRow, SourceRow, StitchInput, StoreError, connect,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqliteConnection};
use support::{Backend, Fixture, with_store};

conformance! {
    stores: [
        recent_entities_are_newest_first,
        upserted_entities_appear_with_their_id,
        existing_ref_keeps_its_entity_id,
        owned_lists_entities_by_source,
        failed_processing_keeps_last_processed_json,
        relations_none_keeps_rows_and_some_replaces_them,
        new_relation_source_is_marked_until_stitched,
        replacing_relations_marks_the_old_source,
        deleting_an_entity_marks_its_relation_sources,
        relations_reach_a_source_entity_created_later,
        orphaning_marks_and_disowns,
        reupserting_an_orphan_adopts_it,
        mark_for_stitch_and_queue_limits,
        stitch_inputs_distinct_relations_and_source_errors,
        write_stitched_writes_updates_and_removes_finals,
        final_entities_page_in_byte_order,
        count_by_kind_counts_finals,
        processing_errors_lists_entities_and_sources,
        delete_entities_removes_entity_relations_and_final,
        delete_sources_removes_sources,
        sources_round_trip_every_field,
        failed_commit_changes_nothing,
        failed_write_stitched_changes_nothing,
        large_batches_are_chunked,
        hostile_strings_round_trip,
        nul_bytes_are_refused_without_panic,
        concurrent_writers_and_readers,
        empty_commit_is_accepted,
        a_ref_listed_twice_ends_as_its_last_upsert,
        bulk_load_only_on_an_empty_catalog_and_stitching_still_sees_relations,
    ],
    persistent: [
        reconnecting_migrates_once_and_keeps_data,
        replicas_starting_together_share_one_database,
        newer_schema_is_refused,
    ],
}

// ---------------------------------------------------------------------------
// Backend-specific extras.

/// The ordering and paging contract must not depend on the server's locale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_linguistic_database_pages_in_byte_order() {
    with_store(
        Backend::PostgresLinguistic,
        final_entities_page_in_byte_order,
    )
    .await;
}

/// Hostile strings sort the same way on a linguistic-collation server too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_linguistic_database_hostile_strings_round_trip() {
    with_store(Backend::PostgresLinguistic, hostile_strings_round_trip).await;
}

/// Each in-memory database is private to its store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_memory_databases_are_private() {
    let first = connect(&DatabaseTarget::SqliteMemory).await.unwrap();
    let second = connect(&DatabaseTarget::SqliteMemory).await.unwrap();
    commit(
        &*first,
        batch_with(
            vec![source("file:/a.yaml")],
            vec![entity("component:default/a", "id-a", "file:/a.yaml")],
        ),
    )
    .await;
    assert_eq!(first.sources().await.unwrap().len(), 1);
    assert!(second.sources().await.unwrap().is_empty());
    assert!(state(&*second, "component:default/a").await.is_none());
}

// ---------------------------------------------------------------------------
// Fixtures.

const SRC: &str = "file:/catalog/catalog-info.yaml";
const A: &str = "component:default/a";
const B: &str = "system:default/b";
const C: &str = "component:default/c";
const TEAM: &str = "group:default/team";

fn refs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn source(key: &str) -> SourceRow {
    SourceRow {
        key: key.to_owned(),
        parent_source: None,
        parent_ref: None,
        root: key.to_owned(),
        origin: key.to_owned(),
        content_hash: Some("content-1".to_owned()),
        children: "[]".to_owned(),
        errors: "[]".to_owned(),
        last_read_at: Some(1_700_000_000_000),
    }
}

/// A source reached through the Location entity `parent_ref`.
fn child_source(key: &str, parent_ref: &str, errors: &str) -> SourceRow {
    SourceRow {
        parent_source: Some(SRC.to_owned()),
        parent_ref: Some(parent_ref.to_owned()),
        root: SRC.to_owned(),
        origin: SRC.to_owned(),
        errors: errors.to_owned(),
        ..source(key)
    }
}

/// Splits `kind:namespace/name` (anything else is a `component` name).
fn ref_parts(entity_ref: &str) -> (String, String, String) {
    match entity_ref
        .split_once(':')
        .and_then(|(kind, rest)| rest.split_once('/').map(|(ns, name)| (kind, ns, name)))
    {
        Some((kind, namespace, name)) => (kind.to_owned(), namespace.to_owned(), name.to_owned()),
        None => (
            "component".to_owned(),
            "default".to_owned(),
            entity_ref.to_owned(),
        ),
    }
}

fn processed_json(entity_ref: &str, version: u32) -> String {
    let (kind, namespace, name) = ref_parts(entity_ref);
    serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": { "name": name, "namespace": namespace, "version": version },
    })
    .to_string()
}

/// A successfully processed entity with no relations.
fn entity(entity_ref: &str, entity_id: &str, source_key: &str) -> EntityUpsert {
    let (kind, namespace, name) = ref_parts(entity_ref);
    EntityUpsert {
        entity_ref: entity_ref.to_owned(),
        entity_id: entity_id.to_owned(),
        kind,
        namespace,
        name,
        source_key: source_key.to_owned(),
        processed: Some(processed_json(entity_ref, 1)),
        result_hash: "result-1".to_owned(),
        errors: "[]".to_owned(),
        relations: Some(Vec::new()),
    }
}

fn with_relations(mut upsert: EntityUpsert, relations: Vec<RelationRow>) -> EntityUpsert {
    upsert.relations = Some(relations);
    upsert
}

fn rel(source_ref: &str, relation_type: &str, target_ref: &str) -> RelationRow {
    RelationRow {
        source_ref: source_ref.to_owned(),
        relation_type: relation_type.to_owned(),
        target_ref: target_ref.to_owned(),
    }
}

/// What component A emits when it is part of system B.
fn a_part_of_b() -> Vec<RelationRow> {
    vec![rel(A, "partOf", B), rel(B, "hasPart", A)]
}

/// `write_stitched` for rows without search rows (these tests read bodies;
/// search rows have their own suite in `queries.rs`).
trait WriteFinals {
    async fn write_finals(
        &self,
        finals: Vec<FinalEntityRow>,
        removed: Vec<String>,
        done: Vec<String>,
    ) -> greenroom_store::StoreResult<()>;
}

impl WriteFinals for dyn CatalogStore {
    async fn write_finals(
        &self,
        finals: Vec<FinalEntityRow>,
        removed: Vec<String>,
        done: Vec<String>,
    ) -> greenroom_store::StoreResult<()> {
        self.write_stitched(finals.into_iter().map(Into::into).collect(), removed, done)
            .await
    }
}

fn final_row(entity_ref: &str, entity_id: &str, body: &str) -> FinalEntityRow {
    let (kind, namespace, name) = ref_parts(entity_ref);
    FinalEntityRow {
        entity_ref: entity_ref.to_owned(),
        entity_id: entity_id.to_owned(),
        kind,
        namespace,
        name,
        body: body.to_owned(),
        hash: format!("hash-of-{body}"),
        stitched_at: 1_700_000_000_123,
    }
}

fn batch_with(sources: Vec<SourceRow>, entities: Vec<EntityUpsert>) -> CommitBatch {
    CommitBatch {
        upsert_sources: sources,
        upsert_entities: entities,
        ..CommitBatch::default()
    }
}

fn upserts(entities: Vec<EntityUpsert>) -> CommitBatch {
    batch_with(Vec::new(), entities)
}

async fn commit(store: &dyn CatalogStore, batch: CommitBatch) {
    store.commit(batch).await.expect("commit");
}

/// Source `SRC` owning A, B and C (no relations), with every mark cleared.
async fn seed_abc(store: &dyn CatalogStore) {
    commit(
        store,
        batch_with(
            vec![source(SRC)],
            vec![
                entity(A, "id-a", SRC),
                entity(B, "id-b", SRC),
                entity(C, "id-c", SRC),
            ],
        ),
    )
    .await;
    clear_queue(store).await;
}

async fn state(store: &dyn CatalogStore, entity_ref: &str) -> Option<EntityStateRow> {
    let state = store.batch_state(&refs(&[entity_ref]), &[]).await.unwrap();
    assert!(state.entities.len() <= 1, "one row per ref: {state:?}");
    state.entities.into_iter().next()
}

async fn input(store: &dyn CatalogStore, entity_ref: &str) -> StitchInput {
    let mut inputs = store.stitch_inputs(&refs(&[entity_ref])).await.unwrap();
    assert_eq!(inputs.len(), 1, "stitch input of {entity_ref}: {inputs:?}");
    inputs.remove(0)
}

async fn queue(store: &dyn CatalogStore) -> BTreeSet<String> {
    let queue = store.stitch_queue(usize::MAX).await.unwrap();
    let len = store.stitch_queue_len().await.unwrap();
    assert_eq!(
        usize::try_from(len).unwrap(),
        queue.len(),
        "stitch_queue_len agrees with stitch_queue"
    );
    queue.into_iter().collect()
}

async fn is_marked(store: &dyn CatalogStore, entity_ref: &str) -> bool {
    queue(store).await.contains(entity_ref)
}

/// Clears every stitch mark without writing finals.
async fn clear_queue(store: &dyn CatalogStore) {
    let done = store.stitch_queue(usize::MAX).await.unwrap();
    store
        .write_finals(Vec::new(), Vec::new(), done)
        .await
        .unwrap();
    assert!(queue(store).await.is_empty());
}

fn sorted_relations(input: &StitchInput) -> Vec<(String, String)> {
    let mut relations = input.relations.clone();
    relations.sort();
    relations
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// Everything observable through the trait about the given refs and sources.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    sources: Vec<SourceRow>,
    entities: Vec<EntityStateRow>,
    owned: Vec<EntityStateRow>,
    queue: Vec<String>,
    inputs: Vec<StitchInput>,
    finals: Vec<FinalEntityRow>,
    kinds: Vec<(String, u64)>,
    errors: Vec<ErrorRow>,
}

async fn snapshot(
    store: &dyn CatalogStore,
    entity_refs: &[String],
    source_keys: &[String],
) -> Snapshot {
    let BatchState {
        mut entities,
        mut owned,
    } = store.batch_state(entity_refs, source_keys).await.unwrap();
    entities.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    owned.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    let mut inputs = store.stitch_inputs(entity_refs).await.unwrap();
    inputs.sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    for input in &mut inputs {
        input.relations.sort();
        input.source_errors.sort();
    }
    Snapshot {
        sources: store.sources().await.unwrap(),
        entities,
        owned,
        queue: store.stitch_queue(usize::MAX).await.unwrap(),
        inputs,
        finals: store.final_entities(None, usize::MAX).await.unwrap(),
        kinds: store.count_by_kind().await.unwrap(),
        errors: store.processing_errors(usize::MAX).await.unwrap(),
    }
}

// ---------------------------------------------------------------------------
// Migrations and restarts.

async fn reconnecting_migrates_once_and_keeps_data(fixture: Arc<Fixture>) {
    let store = fixture.connect().await;
    commit(
        &*store,
        batch_with(
            vec![source(SRC)],
            vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())],
        ),
    )
    .await;
    store
        .write_finals(
            vec![final_row(A, "id-a", "{\"a\":1}")],
            Vec::new(),
            refs(&[A]),
        )
        .await
        .unwrap();
    drop(store);

    // A restart: the same database again. Migrations already ran, so running
    // them again must be a no-op that keeps every row.
    for _ in 0..2 {
        let store = fixture.connect().await;
        assert_eq!(store.sources().await.unwrap(), vec![source(SRC)]);
        let a = state(&*store, A).await.expect("A survives a restart");
        assert_eq!(
            (a.entity_id.as_str(), a.source_key.as_deref()),
            ("id-a", Some(SRC))
        );
        assert_eq!(
            sorted_relations(&input(&*store, A).await),
            pairs(&[("partOf", B)])
        );
        assert_eq!(
            store.final_entity(A).await.unwrap(),
            Some(final_row(A, "id-a", "{\"a\":1}"))
        );
        assert!(queue(&*store).await.is_empty(), "stitch marks survive too");
    }
}

/// Replicas starting together on a fresh database (each migrating it) end up
/// sharing one catalog.
async fn replicas_starting_together_share_one_database(fixture: Arc<Fixture>) {
    let (first, second, _third) =
        tokio::join!(fixture.connect(), fixture.connect(), fixture.connect());
    commit(
        &*first,
        batch_with(vec![source(SRC)], vec![entity(A, "id-a", SRC)]),
    )
    .await;
    assert_eq!(
        state(&*second, A).await.map(|s| s.entity_id),
        Some("id-a".to_owned())
    );
    second
        .write_finals(vec![final_row(A, "id-a", "{}")], Vec::new(), refs(&[A]))
        .await
        .unwrap();
    assert!(first.final_entity(A).await.unwrap().is_some());
    assert!(queue(&*first).await.is_empty());
}

/// A database migrated by a newer build is left alone.
async fn newer_schema_is_refused(fixture: Arc<Fixture>) {
    drop(fixture.connect().await);
    let future =
        "INSERT INTO greenroom_migrations (version, name, applied_at) VALUES (9999, 'future', 0)";
    match &fixture.target {
        DatabaseTarget::SqliteFile(path) => {
            let options = SqliteConnectOptions::new().filename(path);
            let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
            sqlx::query(future).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        DatabaseTarget::Postgres(url) => {
            let mut conn = PgConnection::connect(url).await.unwrap();
            sqlx::query(future).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        }
        DatabaseTarget::SqliteMemory => unreachable!("not a persistent backend"),
    }
    match connect(&fixture.target).await {
        Err(StoreError::SchemaTooNew { found: 9999, known }) => assert!(known < 9999),
        Err(other) => panic!("expected SchemaTooNew, got {other:?}"),
        Ok(_) => panic!("a database from a newer build was opened"),
    }
}

// ---------------------------------------------------------------------------
// Commit and batch_state.

async fn recent_entities_are_newest_first(store: Arc<dyn CatalogStore>) {
    let at = |entity_ref: &str, id: &str, stitched_at: i64| FinalEntityRow {
        stitched_at,
        ..final_row(entity_ref, id, "{}")
    };
    store
        .write_finals(
            vec![
                at(A, "id-a", 1_000),
                at(B, "id-b", 3_000),
                at(C, "id-c", 2_000),
            ],
            Vec::new(),
            Vec::new(),
        )
        .await
        .unwrap();
    let recent: Vec<String> = (store.recent_entities(2).await.unwrap())
        .into_iter()
        .map(|row| row.entity_ref)
        .collect();
    assert_eq!(recent, refs(&[B, C]));
    assert_eq!(store.recent_entities(10).await.unwrap().len(), 3);
}

async fn upserted_entities_appear_with_their_id(store: Arc<dyn CatalogStore>) {
    let mut failing = entity(C, "id-c", SRC);
    failing.processed = None;
    failing.errors = r#"[{"message":"bad"}]"#.to_owned();
    commit(
        &*store,
        batch_with(
            vec![source(SRC)],
            vec![entity(A, "id-a", SRC), entity(B, "id-b", SRC), failing],
        ),
    )
    .await;

    let mut state = store
        .batch_state(&refs(&[A, C, "component:default/missing"]), &[])
        .await
        .unwrap();
    state
        .entities
        .sort_by(|a, b| a.entity_ref.cmp(&b.entity_ref));
    let expected = |entity_ref: &str, id: &str, has_processed| EntityStateRow {
        entity_ref: entity_ref.to_owned(),
        entity_id: id.to_owned(),
        source_key: Some(SRC.to_owned()),
        result_hash: "result-1".to_owned(),
        has_processed,
        orphan: false,
    };
    assert_eq!(
        state.entities,
        vec![expected(A, "id-a", true), expected(C, "id-c", false)]
    );
    assert!(state.owned.is_empty(), "no sources asked");
    assert_eq!(
        queue(&*store).await,
        refs(&[A, B, C]).into_iter().collect(),
        "new entities need a stitch"
    );
}

async fn existing_ref_keeps_its_entity_id(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    let mut again = entity(A, "a-new-id", "file:/other.yaml");
    again.result_hash = "result-2".to_owned();
    commit(&*store, upserts(vec![again])).await;

    let a = state(&*store, A).await.unwrap();
    assert_eq!(a.entity_id, "id-a");
    assert_eq!(a.result_hash, "result-2");
    assert_eq!(a.source_key.as_deref(), Some("file:/other.yaml"));
    assert_eq!(input(&*store, A).await.entity_id, "id-a");
    assert!(
        is_marked(&*store, A).await,
        "a re-upserted entity needs a stitch"
    );
}

async fn owned_lists_entities_by_source(store: Arc<dyn CatalogStore>) {
    let (s1, s2) = ("file:/one.yaml", "file:/two.yaml");
    commit(
        &*store,
        batch_with(
            vec![source(s1), source(s2)],
            vec![
                entity(A, "id-a", s1),
                entity(B, "id-b", s1),
                entity(C, "id-c", s2),
            ],
        ),
    )
    .await;
    let owned = |state: BatchState| -> BTreeSet<String> {
        state.owned.into_iter().map(|e| e.entity_ref).collect()
    };

    let state = store.batch_state(&[], &refs(&[s1])).await.unwrap();
    assert!(state.entities.is_empty());
    assert_eq!(owned(state), refs(&[A, B]).into_iter().collect());
    assert_eq!(
        owned(
            store
                .batch_state(&[], &refs(&[s1, s2, "file:/none"]))
                .await
                .unwrap()
        ),
        refs(&[A, B, C]).into_iter().collect()
    );
    assert!(
        store
            .batch_state(&[], &refs(&["file:/none"]))
            .await
            .unwrap()
            .owned
            .is_empty()
    );

    // An entity moving to another source changes owner.
    commit(&*store, upserts(vec![entity(B, "id-b", s2)])).await;
    assert_eq!(
        owned(store.batch_state(&[], &refs(&[s1])).await.unwrap()),
        refs(&[A]).into_iter().collect()
    );
    assert_eq!(
        owned(store.batch_state(&[], &refs(&[s2])).await.unwrap()),
        refs(&[B, C]).into_iter().collect()
    );
}

async fn failed_processing_keeps_last_processed_json(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    let mut failed = entity(A, "id-a", SRC);
    failed.processed = None;
    failed.result_hash = "result-failed".to_owned();
    failed.errors = r#"[{"name":"InputError","message":"broken yaml"}]"#.to_owned();
    commit(&*store, upserts(vec![failed.clone()])).await;

    let a = input(&*store, A).await;
    assert_eq!(
        a.processed,
        Some(processed_json(A, 1)),
        "the last good version is kept"
    );
    assert_eq!(a.errors, failed.errors);
    let a_state = state(&*store, A).await.unwrap();
    assert!(a_state.has_processed);
    assert_eq!(a_state.result_hash, "result-failed");
    assert!(is_marked(&*store, A).await);

    // The next good result replaces both.
    let mut fixed = entity(A, "id-a", SRC);
    fixed.processed = Some(processed_json(A, 2));
    commit(&*store, upserts(vec![fixed])).await;
    let a = input(&*store, A).await;
    assert_eq!(a.processed, Some(processed_json(A, 2)));
    assert_eq!(a.errors, "[]");
}

async fn relations_none_keeps_rows_and_some_replaces_them(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![
                rel(A, "partOf", B),
                rel(A, "ownedBy", TEAM),
                rel(B, "hasPart", A),
            ],
        )]),
    )
    .await;
    assert_eq!(
        sorted_relations(&input(&*store, A).await),
        pairs(&[("ownedBy", TEAM), ("partOf", B)])
    );

    let mut kept = entity(A, "id-a", SRC);
    kept.relations = None;
    commit(&*store, upserts(vec![kept])).await;
    assert_eq!(
        sorted_relations(&input(&*store, A).await),
        pairs(&[("ownedBy", TEAM), ("partOf", B)])
    );
    assert_eq!(
        sorted_relations(&input(&*store, B).await),
        pairs(&[("hasPart", A)])
    );

    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(A, "dependsOn", C)],
        )]),
    )
    .await;
    assert_eq!(
        sorted_relations(&input(&*store, A).await),
        pairs(&[("dependsOn", C)])
    );
    assert!(input(&*store, B).await.relations.is_empty());

    commit(&*store, upserts(vec![entity(A, "id-a", SRC)])).await;
    assert!(
        input(&*store, A).await.relations.is_empty(),
        "Some(empty) removes every row"
    );
}

// ---------------------------------------------------------------------------
// The stitch-marking invariant.

async fn new_relation_source_is_marked_until_stitched(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())]),
    )
    .await;
    assert!(
        is_marked(&*store, B).await,
        "B gained a relation row emitted by A"
    );
    assert!(is_marked(&*store, A).await);
    assert!(!is_marked(&*store, C).await, "C is untouched");

    store
        .write_finals(Vec::new(), Vec::new(), refs(&[B]))
        .await
        .unwrap();
    assert_eq!(queue(&*store).await, refs(&[A]).into_iter().collect());
}

async fn replacing_relations_marks_the_old_source(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())]),
    )
    .await;
    clear_queue(&*store).await;

    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(A, "ownedBy", TEAM)],
        )]),
    )
    .await;
    assert!(is_marked(&*store, B).await, "B lost its hasPart row");
    assert!(input(&*store, B).await.relations.is_empty());

    // Moving the row to another entity marks the new one as well.
    clear_queue(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(C, "dependencyOf", A)],
        )]),
    )
    .await;
    assert!(is_marked(&*store, C).await);
}

async fn deleting_an_entity_marks_its_relation_sources(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())]),
    )
    .await;
    clear_queue(&*store).await;

    commit(
        &*store,
        CommitBatch {
            delete_entities: refs(&[A]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert_eq!(queue(&*store).await, refs(&[B]).into_iter().collect());
    assert!(input(&*store, B).await.relations.is_empty());
}

async fn relations_reach_a_source_entity_created_later(store: Arc<dyn CatalogStore>) {
    commit(
        &*store,
        batch_with(
            vec![source(SRC)],
            vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())],
        ),
    )
    .await;
    clear_queue(&*store).await;
    commit(&*store, upserts(vec![entity(B, "id-b", SRC)])).await;
    assert!(is_marked(&*store, B).await);
    assert_eq!(
        sorted_relations(&input(&*store, B).await),
        pairs(&[("hasPart", A)])
    );
}

async fn orphaning_marks_and_disowns(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())]),
    )
    .await;
    clear_queue(&*store).await;

    commit(
        &*store,
        CommitBatch {
            orphan_entities: refs(&[A]),
            ..CommitBatch::default()
        },
    )
    .await;
    let a = state(&*store, A).await.expect("orphans are kept");
    assert!(a.orphan);
    assert_eq!(a.source_key, None);
    assert!(is_marked(&*store, A).await);
    assert!(input(&*store, A).await.orphan);
    let owned = store.batch_state(&[], &refs(&[SRC])).await.unwrap().owned;
    assert!(
        owned.iter().all(|e| e.entity_ref != A),
        "an orphan has no owner: {owned:?}"
    );
}

async fn reupserting_an_orphan_adopts_it(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        CommitBatch {
            orphan_entities: refs(&[A]),
            ..CommitBatch::default()
        },
    )
    .await;
    clear_queue(&*store).await;

    commit(
        &*store,
        upserts(vec![entity(A, "another-id", "file:/new-home.yaml")]),
    )
    .await;
    let a = state(&*store, A).await.unwrap();
    assert!(!a.orphan);
    assert_eq!(a.source_key.as_deref(), Some("file:/new-home.yaml"));
    assert_eq!(a.entity_id, "id-a");
    assert!(!input(&*store, A).await.orphan);
    assert!(is_marked(&*store, A).await);
}

async fn mark_for_stitch_and_queue_limits(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    store
        .mark_for_stitch(&refs(&[C, A, A, "component:default/unknown"]))
        .await
        .unwrap();
    assert_eq!(
        queue(&*store).await,
        refs(&[A, C]).into_iter().collect(),
        "only existing refs are marked"
    );
    assert_eq!(store.stitch_queue(1).await.unwrap().len(), 1);
    assert!(store.stitch_queue(0).await.unwrap().is_empty());

    // The `stitch` list of a commit marks too.
    clear_queue(&*store).await;
    commit(
        &*store,
        CommitBatch {
            stitch: refs(&[B]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert_eq!(queue(&*store).await, refs(&[B]).into_iter().collect());
}

// ---------------------------------------------------------------------------
// Stitch inputs and finals.

async fn stitch_inputs_distinct_relations_and_source_errors(store: Arc<dyn CatalogStore>) {
    let location = "location:default/root";
    let errors = r#"[{"name":"NotFoundError","message":"no such file"}]"#;
    commit(
        &*store,
        batch_with(
            vec![
                source(SRC),
                child_source("file:/catalog/missing.yaml", location, errors),
                child_source("file:/catalog/fine.yaml", location, "[]"),
                child_source(
                    "file:/catalog/elsewhere.yaml",
                    "location:default/other",
                    errors,
                ),
            ],
            vec![
                // A and C both emit `B hasPart X`, A twice: one row per distinct triple.
                with_relations(
                    entity(A, "id-a", SRC),
                    vec![
                        rel(B, "hasPart", A),
                        rel(B, "hasPart", A),
                        rel(B, "hasPart", C),
                    ],
                ),
                with_relations(
                    entity(C, "id-c", SRC),
                    vec![rel(B, "hasPart", A), rel(C, "partOf", B)],
                ),
                entity(B, "id-b", SRC),
                entity(location, "id-location", SRC),
            ],
        ),
    )
    .await;

    let inputs = store
        .stitch_inputs(&refs(&[B, location, "component:default/missing"]))
        .await
        .unwrap();
    assert_eq!(inputs.len(), 2, "missing refs are absent: {inputs:?}");
    let b = inputs.iter().find(|i| i.entity_ref == B).unwrap();
    assert_eq!(
        sorted_relations(b),
        pairs(&[("hasPart", A), ("hasPart", C)])
    );
    assert!(b.source_errors.is_empty());
    assert_eq!(
        (
            b.entity_id.as_str(),
            b.processed.clone(),
            b.errors.as_str(),
            b.orphan
        ),
        ("id-b", Some(processed_json(B, 1)), "[]", false)
    );

    let loc = inputs.iter().find(|i| i.entity_ref == location).unwrap();
    assert_eq!(
        loc.source_errors,
        pairs(&[("file:/catalog/missing.yaml", errors)])
    );
    assert!(loc.relations.is_empty());
}

async fn write_stitched_writes_updates_and_removes_finals(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    store.mark_for_stitch(&refs(&[A, B, C])).await.unwrap();
    store
        .write_finals(
            vec![
                final_row(A, "id-a", "{\"v\":1}"),
                final_row(B, "id-b", "{\"v\":1}"),
            ],
            Vec::new(),
            refs(&[A, B]),
        )
        .await
        .unwrap();
    assert_eq!(
        store.final_entity(A).await.unwrap(),
        Some(final_row(A, "id-a", "{\"v\":1}"))
    );
    assert_eq!(store.final_entity(C).await.unwrap(), None);
    assert_eq!(
        queue(&*store).await,
        refs(&[C]).into_iter().collect(),
        "only `done` refs are cleared"
    );

    let mut updated = final_row(A, "id-a", "{\"v\":2}");
    updated.stitched_at += 1;
    store
        .write_finals(vec![updated.clone()], refs(&[B]), Vec::new())
        .await
        .unwrap();
    assert_eq!(store.final_entity(A).await.unwrap(), Some(updated.clone()));
    assert_eq!(store.final_entity(B).await.unwrap(), None, "removed");
    assert_eq!(store.final_entities(None, 10).await.unwrap(), vec![updated]);
    // Removing what is not there is fine.
    store
        .write_finals(
            Vec::new(),
            refs(&[B, "component:default/never"]),
            refs(&[C]),
        )
        .await
        .unwrap();
    assert!(queue(&*store).await.is_empty());
}

async fn final_entities_page_in_byte_order(store: Arc<dyn CatalogStore>) {
    // Punctuation, digits and non-ASCII letters order differently under
    // linguistic collations; readers page by ref in byte (Rust `str`) order.
    let names = [
        "component:default/a-b",
        "component:default/a_b",
        "component:default/a.b",
        "component:default/a1",
        "component:default/ab",
        "component:default/b",
        "component:default/é",
        "component:default/f",
        "api:default/z",
        "component:default/a",
        "component:default/A",
        "component:default/~",
    ];
    let finals: Vec<FinalEntityRow> = names
        .iter()
        .enumerate()
        .map(|(i, r)| final_row(r, &format!("id-{i}"), "{}"))
        .collect();
    store
        .write_finals(finals, Vec::new(), Vec::new())
        .await
        .unwrap();
    let mut expected: Vec<String> = refs(&names);
    expected.sort();

    let all: Vec<String> = store
        .final_entities(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.entity_ref)
        .collect();
    assert_eq!(all, expected);

    let mut paged = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.final_entities(after.as_deref(), 5).await.unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.entity_ref.clone());
        paged.extend(page.into_iter().map(|f| f.entity_ref));
    }
    assert_eq!(paged, expected);
    assert!(
        store
            .final_entities(Some("~~"), 5)
            .await
            .unwrap()
            .is_empty()
    );
    let after_ab: Vec<String> = store
        .final_entities(Some("component:default/ab"), 2)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.entity_ref)
        .collect();
    let position = expected
        .iter()
        .position(|r| r == "component:default/ab")
        .unwrap();
    assert_eq!(after_ab, expected[position + 1..position + 3].to_vec());
}

async fn count_by_kind_counts_finals(store: Arc<dyn CatalogStore>) {
    assert!(store.count_by_kind().await.unwrap().is_empty());
    store
        .write_finals(
            vec![
                final_row(A, "id-a", "{}"),
                final_row(C, "id-c", "{}"),
                final_row(B, "id-b", "{}"),
                final_row(TEAM, "id-t", "{}"),
            ],
            Vec::new(),
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.count_by_kind().await.unwrap(),
        vec![
            ("component".to_owned(), 2),
            ("group".to_owned(), 1),
            ("system".to_owned(), 1)
        ]
    );
    store
        .write_finals(Vec::new(), refs(&[A]), Vec::new())
        .await
        .unwrap();
    assert_eq!(
        store.count_by_kind().await.unwrap()[0],
        ("component".to_owned(), 1)
    );
}

async fn processing_errors_lists_entities_and_sources(store: Arc<dyn CatalogStore>) {
    let entity_errors = r#"[{"message":"invalid spec"}]"#;
    let source_errors = r#"[{"message":"unreadable"}]"#;
    let mut broken = entity(C, "id-c", SRC);
    broken.errors = entity_errors.to_owned();
    let mut bad_source = source("file:/bad.yaml");
    bad_source.errors = source_errors.to_owned();
    commit(
        &*store,
        batch_with(
            vec![source(SRC), bad_source],
            vec![entity(A, "id-a", SRC), broken],
        ),
    )
    .await;

    let expected = vec![
        ErrorRow {
            subject: C.to_owned(),
            is_source: false,
            errors: entity_errors.to_owned(),
        },
        ErrorRow {
            subject: "file:/bad.yaml".to_owned(),
            is_source: true,
            errors: source_errors.to_owned(),
        },
    ];
    assert_eq!(store.processing_errors(10).await.unwrap(), expected);
    assert_eq!(
        store.processing_errors(1).await.unwrap(),
        expected[..1].to_vec()
    );

    commit(&*store, upserts(vec![entity(C, "id-c", SRC)])).await;
    assert_eq!(
        store.processing_errors(10).await.unwrap(),
        expected[1..].to_vec(),
        "fixed entities drop out"
    );
}

// ---------------------------------------------------------------------------
// Deletions.

async fn delete_entities_removes_entity_relations_and_final(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(A, "partOf", B), rel(B, "hasPart", A)],
        )]),
    )
    .await;
    store
        .write_finals(
            vec![final_row(A, "id-a", "{}"), final_row(B, "id-b", "{}")],
            Vec::new(),
            refs(&[A, B]),
        )
        .await
        .unwrap();

    commit(
        &*store,
        CommitBatch {
            delete_entities: refs(&[A, "component:default/unknown"]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert!(state(&*store, A).await.is_none());
    assert!(store.stitch_inputs(&refs(&[A])).await.unwrap().is_empty());
    assert!(store.final_entity(A).await.unwrap().is_none());
    assert!(
        input(&*store, B).await.relations.is_empty(),
        "A's rows are gone"
    );
    assert!(
        store.final_entity(B).await.unwrap().is_some(),
        "other finals stay"
    );

    // The ref can come back as a new entity with a new id.
    commit(&*store, upserts(vec![entity(A, "id-a-2", SRC)])).await;
    assert_eq!(state(&*store, A).await.unwrap().entity_id, "id-a-2");
    assert!(input(&*store, A).await.relations.is_empty());
}

async fn delete_sources_removes_sources(store: Arc<dyn CatalogStore>) {
    let child = child_source("file:/catalog/child.yaml", "location:default/root", "[]");
    commit(
        &*store,
        batch_with(
            vec![source(SRC), child.clone(), source("file:/z.yaml")],
            vec![entity(A, "id-a", SRC)],
        ),
    )
    .await;
    commit(
        &*store,
        CommitBatch {
            delete_sources: refs(&[SRC, "file:/z.yaml", "file:/unknown"]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert_eq!(store.sources().await.unwrap(), vec![child]);
    assert!(
        state(&*store, A).await.is_some(),
        "entities are removed by the engine, not with their source"
    );
}

async fn sources_round_trip_every_field(store: Arc<dyn CatalogStore>) {
    let root = SourceRow {
        content_hash: None,
        last_read_at: None,
        children: r#"[{"type":"url","target":"https://example.com/x.yaml"}]"#.to_owned(),
        ..source("url:https://example.com/catalog.yaml")
    };
    let child = child_source(
        "file:/catalog/child.yaml",
        "location:default/root",
        r#"[{"m":1}]"#,
    );
    commit(
        &*store,
        batch_with(vec![root.clone(), child.clone()], Vec::new()),
    )
    .await;
    assert_eq!(
        store.sources().await.unwrap(),
        vec![child.clone(), root.clone()],
        "ordered by key"
    );

    let reread = SourceRow {
        content_hash: Some("content-2".to_owned()),
        errors: "[]".to_owned(),
        last_read_at: Some(5),
        ..child
    };
    commit(&*store, batch_with(vec![reread.clone()], Vec::new())).await;
    assert_eq!(store.sources().await.unwrap(), vec![reread, root]);
}

// ---------------------------------------------------------------------------
// Atomicity.

async fn failed_commit_changes_nothing(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    commit(
        &*store,
        batch_with(
            vec![source("file:/other.yaml")],
            vec![with_relations(entity(A, "id-a", SRC), a_part_of_b())],
        ),
    )
    .await;
    store
        .write_finals(vec![final_row(A, "id-a", "{}")], Vec::new(), refs(&[A]))
        .await
        .unwrap();

    // Enough entities for several insert statements: the first ones succeed
    // inside the transaction before the last one violates UNIQUE(entity_id).
    let mut entities: Vec<EntityUpsert> = (0..6_000)
        .map(|i| {
            with_relations(
                entity(
                    &format!("component:default/new-{i:05}"),
                    &format!("new-id-{i}"),
                    SRC,
                ),
                vec![rel(B, "hasPart", A)],
            )
        })
        .collect();
    let mut changed_a = with_relations(
        entity(A, "id-a", "file:/other.yaml"),
        vec![rel(C, "dependencyOf", A)],
    );
    changed_a.processed = None;
    changed_a.errors = r#"[{"m":"x"}]"#.to_owned();
    entities.insert(0, changed_a);
    entities.push(entity("component:default/dup-1", "same-id", SRC));
    entities.push(entity("component:default/dup-2", "same-id", SRC));

    let mut watched = refs(&[
        A,
        B,
        C,
        "component:default/dup-1",
        "component:default/dup-2",
    ]);
    watched.extend(entities.iter().map(|e| e.entity_ref.clone()));
    let sources = refs(&[SRC, "file:/other.yaml", "file:/new.yaml"]);
    let before = snapshot(&*store, &watched, &sources).await;

    let failing = CommitBatch {
        upsert_sources: vec![
            source("file:/new.yaml"),
            child_source("file:/other.yaml", A, "[1]"),
        ],
        delete_sources: refs(&[SRC]),
        upsert_entities: entities,
        delete_entities: refs(&[C]),
        orphan_entities: refs(&[B]),
        stitch: refs(&[C]),
    };
    let error = store
        .commit(failing)
        .await
        .expect_err("UNIQUE(entity_id) is violated");
    assert!(matches!(error, StoreError::Database(_)), "{error:?}");
    assert_eq!(snapshot(&*store, &watched, &sources).await, before);

    // The store stays usable (in memory: its single connection was rolled back).
    commit(
        &*store,
        upserts(vec![entity("component:default/dup-1", "same-id", SRC)]),
    )
    .await;
    assert!(state(&*store, "component:default/dup-1").await.is_some());
}

async fn failed_write_stitched_changes_nothing(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    store
        .write_finals(
            vec![final_row(A, "id-a", "{\"v\":1}")],
            Vec::new(),
            Vec::new(),
        )
        .await
        .unwrap();
    store.mark_for_stitch(&refs(&[A, B, C])).await.unwrap();
    let watched = refs(&[A, B, C]);
    let before = snapshot(&*store, &watched, &[]).await;

    // Two finals with one entity_id violate UNIQUE(entity_id).
    let result = store
        .write_finals(
            vec![
                final_row(A, "id-a", "{\"v\":2}"),
                final_row(B, "id-b", "{}"),
                final_row(C, "id-b", "{}"),
            ],
            refs(&[A]),
            refs(&[A, B, C]),
        )
        .await;
    assert!(result.is_err());
    assert_eq!(snapshot(&*store, &watched, &[]).await, before);
}

// ---------------------------------------------------------------------------
// Volume.

async fn large_batches_are_chunked(store: Arc<dyn CatalogStore>) {
    const ENTITIES: usize = 20_000;
    let backend = store.backend_name();
    let name = |i: usize| format!("component:default/service-{i:05}");
    let source_of = |i: usize| format!("file:/repo/{:03}/catalog-info.yaml", i / 100);
    let sources: Vec<SourceRow> = (0..ENTITIES / 100)
        .map(|s| source(&source_of(s * 100)))
        .collect();
    let make_entities = |generation: usize| -> Vec<EntityUpsert> {
        (0..ENTITIES)
            .map(|i| {
                let me = name(i);
                let next = name((i + 1 + generation) % ENTITIES);
                let team = format!("group:default/team-{}", i % 50);
                let relations = vec![
                    rel(&me, "dependsOn", &next),
                    rel(&next, "dependencyOf", &me),
                    rel(&me, "ownedBy", &team),
                    rel(&team, "ownerOf", &me),
                    rel(&me, "partOf", "system:default/platform"),
                ];
                with_relations(entity(&me, &format!("id-{i}"), &source_of(i)), relations)
            })
            .collect()
    };

    let started = Instant::now();
    commit(&*store, batch_with(sources, make_entities(0))).await;
    let first = started.elapsed();

    let asked: Vec<String> = (0..5_000).map(|i| name(i * 4)).collect();
    let started = Instant::now();
    let state = store
        .batch_state(&asked, &refs(&[&source_of(0), &source_of(19_999)]))
        .await
        .unwrap();
    let state_time = started.elapsed();
    assert_eq!(state.entities.len(), 5_000);
    assert_eq!(
        state
            .entities
            .iter()
            .map(|e| e.entity_ref.clone())
            .collect::<BTreeSet<_>>(),
        asked.iter().cloned().collect()
    );
    assert_eq!(state.owned.len(), 200);
    assert_eq!(store.stitch_queue_len().await.unwrap(), 20_000);

    let started = Instant::now();
    let inputs = store.stitch_inputs(&asked).await.unwrap();
    let inputs_time = started.elapsed();
    assert_eq!(inputs.len(), 5_000);
    assert!(
        inputs.iter().all(|i| i.relations.len() == 4),
        "dependsOn, dependencyOf, ownedBy, partOf"
    );

    // Replacing every entity's relations deletes and re-inserts 100,000 rows.
    clear_queue(&*store).await;
    let started = Instant::now();
    commit(&*store, upserts(make_entities(1))).await;
    let second = started.elapsed();
    assert_eq!(store.stitch_queue_len().await.unwrap(), 20_000);
    let i = input(&*store, &name(7)).await;
    assert!(
        i.relations.contains(&("dependsOn".to_owned(), name(9))),
        "{:?}",
        i.relations
    );

    eprintln!(
        "[{backend}] commit 20,000 entities + 100,000 relations: {first:?}; batch_state(5,000 refs): {state_time:?}; \
         stitch_inputs(5,000 refs): {inputs_time:?}; re-commit replacing all relations: {second:?}"
    );
}

// ---------------------------------------------------------------------------
// Hostile input.

const HOSTILE: &[&str] = &[
    "component:default/it's",
    "component:default/\"quoted\"",
    "component:default/'; DROP TABLE entities; --",
    "component:default/\"); DELETE FROM sources; --",
    "component:default/back\\slash\\",
    "component:default/100%_like",
    "component:default/ünïcødé-名前-🚀",
    "component:default/line\nbreak\ttab\r",
    "component:default/\u{202e}rtl\u{200b}zw",
    "component:default/$1 ?1 :name @p",
];

async fn hostile_strings_round_trip(store: Arc<dyn CatalogStore>) {
    let key = "file:/tmp/it's \"here\"/'; DROP TABLE sources; --/ü.yaml";
    let hostile_json = serde_json::json!({ "text": HOSTILE, "nested": { "'": "\"" } }).to_string();
    let errors =
        serde_json::json!([{ "message": "'; DROP TABLE entities; --", "raw": "\u{1F680}\\" }])
            .to_string();
    let mut hostile_source = source(key);
    hostile_source.errors = errors.clone();
    hostile_source.children = hostile_json.clone();
    hostile_source.parent_ref = Some(HOSTILE[2].to_owned());

    let entities: Vec<EntityUpsert> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut e = with_relations(
                entity(r, &format!("id-'{i}'"), key),
                vec![rel(HOSTILE[0], "it's", r), rel(r, "\"type\"", HOSTILE[2])],
            );
            e.processed = Some(hostile_json.clone());
            e.errors = errors.clone();
            e
        })
        .collect();
    commit(&*store, batch_with(vec![hostile_source.clone()], entities)).await;

    assert_eq!(store.sources().await.unwrap(), vec![hostile_source]);
    let state = store
        .batch_state(&refs(HOSTILE), &refs(&[key]))
        .await
        .unwrap();
    assert_eq!(state.entities.len(), HOSTILE.len());
    assert_eq!(state.owned.len(), HOSTILE.len());
    let mut owned: Vec<String> = state.owned.into_iter().map(|e| e.entity_ref).collect();
    owned.sort();
    let mut expected = refs(HOSTILE);
    expected.sort();
    assert_eq!(owned, expected);

    let first = input(&*store, HOSTILE[0]).await;
    assert_eq!(
        first.relations.len(),
        HOSTILE.len() + 1,
        "{:?}",
        first.relations
    );
    assert_eq!(first.processed.as_deref(), Some(hostile_json.as_str()));
    assert_eq!(first.errors, errors);
    let target = input(&*store, HOSTILE[2]).await;
    assert_eq!(target.source_errors, vec![(key.to_owned(), errors.clone())]);
    assert!(
        store
            .stitch_inputs(&refs(&["component:default/it''s"]))
            .await
            .unwrap()
            .is_empty(),
        "no quote unescaping"
    );

    let finals: Vec<FinalEntityRow> = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, r)| final_row(r, &format!("id-'{i}'"), &hostile_json))
        .collect();
    store
        .write_finals(finals.clone(), Vec::new(), refs(HOSTILE))
        .await
        .unwrap();
    for row in &finals {
        assert_eq!(
            store.final_entity(&row.entity_ref).await.unwrap().as_ref(),
            Some(row)
        );
    }
    let listed: Vec<String> = store
        .final_entities(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.entity_ref)
        .collect();
    assert_eq!(listed, expected, "byte order");
    assert_eq!(
        store.processing_errors(100).await.unwrap().len(),
        HOSTILE.len() + 1
    );
    assert!(queue(&*store).await.is_empty());

    // Every table is still there and still works.
    commit(
        &*store,
        CommitBatch {
            delete_entities: refs(HOSTILE),
            delete_sources: refs(&[key]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert!(store.sources().await.unwrap().is_empty());
    assert!(store.final_entities(None, 100).await.unwrap().is_empty());
}

/// PostgreSQL `TEXT` cannot hold U+0000, so no backend stores it: writes
/// carrying one fail with an error (never a panic) and change nothing, and
/// lookups simply find nothing under such a ref.
async fn nul_bytes_are_refused_without_panic(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    let nul_ref = "component:default/nul\0byte";
    let watched = refs(&[A, B, C, nul_ref]);
    let before = snapshot(&*store, &watched, &refs(&[SRC])).await;

    let mut in_json = entity(A, "id-a", SRC);
    in_json.processed = Some("{\"name\":\"a\0b\"}".to_owned());
    let mut in_errors = entity(A, "id-a", SRC);
    in_errors.errors = "[\"\0\"]".to_owned();
    let mut in_source = source("file:/nul\0.yaml");
    in_source.errors = "[]".to_owned();
    let mut in_source_errors = source(SRC);
    in_source_errors.errors = "[\"\0\"]".to_owned();
    let failing_batches = vec![
        upserts(vec![entity(nul_ref, "id-nul", SRC)]),
        upserts(vec![entity(B, "id-b", "file:/\0")]),
        upserts(vec![in_json]),
        upserts(vec![in_errors]),
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(B, "has\0Part", A)],
        )]),
        batch_with(vec![in_source], Vec::new()),
        batch_with(vec![in_source_errors], Vec::new()),
    ];
    for batch in failing_batches {
        let error = store
            .commit(batch.clone())
            .await
            .expect_err("a NUL byte is refused");
        assert!(
            matches!(error, StoreError::NulByte { .. }),
            "{error:?} for {batch:?}"
        );
    }
    let error = store
        .write_finals(
            vec![final_row(A, "id-a", "{\"x\":\"\0\"}")],
            Vec::new(),
            refs(&[A]),
        )
        .await
        .expect_err("a NUL byte is refused");
    assert!(matches!(error, StoreError::NulByte { .. }), "{error:?}");
    assert_eq!(snapshot(&*store, &watched, &refs(&[SRC])).await, before);

    // Lookups: such a ref names nothing, so they find (and change) nothing.
    commit(
        &*store,
        CommitBatch {
            delete_entities: refs(&[nul_ref]),
            orphan_entities: refs(&["component:default/a\0"]),
            delete_sources: refs(&["file:/catalog/catalog-info.yaml\0"]),
            stitch: refs(&[nul_ref]),
            ..CommitBatch::default()
        },
    )
    .await;
    assert_eq!(snapshot(&*store, &watched, &refs(&[SRC])).await, before);
    let state = store
        .batch_state(&refs(&[nul_ref, A]), &refs(&["file:/\0"]))
        .await
        .unwrap();
    assert_eq!(state.entities.len(), 1);
    assert_eq!(state.entities[0].entity_ref, A);
    assert!(state.owned.is_empty());
    assert!(
        store
            .stitch_inputs(&refs(&[nul_ref]))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.final_entity(nul_ref).await.unwrap(), None);
    store.mark_for_stitch(&refs(&[nul_ref])).await.unwrap();
    store
        .write_finals(
            vec![final_row(A, "id-a", "{}"), final_row(C, "id-c", "{}")],
            Vec::new(),
            Vec::new(),
        )
        .await
        .unwrap();
    let after_nul: Vec<String> = store
        .final_entities(Some("component:default/a\0zzz"), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.entity_ref)
        .collect();
    assert_eq!(
        after_nul,
        refs(&[C]),
        "a cursor with a NUL pages as the text before it would"
    );
}

// ---------------------------------------------------------------------------
// Concurrency and edge cases.

async fn concurrent_writers_and_readers(store: Arc<dyn CatalogStore>) {
    commit(
        &*store,
        batch_with(vec![source(SRC)], vec![entity(B, "id-b", SRC)]),
    )
    .await;
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10 {
                let me = format!("component:default/w{worker}-r{round}");
                commit(
                    &*store,
                    upserts(vec![with_relations(
                        entity(&me, &format!("id-{worker}-{round}"), SRC),
                        vec![rel(B, "hasPart", &me)],
                    )]),
                )
                .await;
                assert!(state(&*store, &me).await.is_some());
                let inputs = store.stitch_inputs(&refs(&[&me, B])).await.unwrap();
                assert_eq!(inputs.len(), 2);
                store
                    .write_finals(
                        vec![final_row(&me, &format!("id-{worker}-{round}"), "{}")],
                        Vec::new(),
                        vec![me.clone()],
                    )
                    .await
                    .unwrap();
                store.final_entities(None, 1000).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(input(&*store, B).await.relations.len(), 60);
    assert_eq!(store.final_entities(None, 1000).await.unwrap().len(), 60);
    assert_eq!(queue(&*store).await, refs(&[B]).into_iter().collect());
}

async fn empty_commit_is_accepted(store: Arc<dyn CatalogStore>) {
    commit(&*store, CommitBatch::default()).await;
    assert!(store.sources().await.unwrap().is_empty());
    assert_eq!(
        store.batch_state(&[], &[]).await.unwrap(),
        BatchState::default()
    );
    assert!(store.stitch_inputs(&[]).await.unwrap().is_empty());
    store
        .write_finals(Vec::new(), Vec::new(), Vec::new())
        .await
        .unwrap();
    store.mark_for_stitch(&[]).await.unwrap();
    assert!(queue(&*store).await.is_empty());
    assert!(store.final_entities(None, 10).await.unwrap().is_empty());
    assert!(store.count_by_kind().await.unwrap().is_empty());
    assert!(store.processing_errors(10).await.unwrap().is_empty());
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
}

/// Upserts apply in order, on every backend and whatever the batch size.
async fn a_ref_listed_twice_ends_as_its_last_upsert(store: Arc<dyn CatalogStore>) {
    seed_abc(&*store).await;
    let mut moved = source(SRC);
    moved.content_hash = Some("content-2".to_owned());
    let mut last = with_relations(
        entity("component:default/twice", "id-last", "file:/two.yaml"),
        vec![rel(B, "hasPart", "component:default/twice")],
    );
    last.result_hash = "result-last".to_owned();
    let first = with_relations(
        entity("component:default/twice", "id-first", SRC),
        vec![rel(C, "hasPart", "component:default/twice")],
    );
    // Far enough apart to land in different insert statements too.
    let mut entities = vec![first];
    entities.extend((0..3_000).map(|i| {
        entity(
            &format!("component:default/filler-{i:04}"),
            &format!("filler-{i}"),
            SRC,
        )
    }));
    entities.push(last);
    commit(
        &*store,
        batch_with(vec![source(SRC), moved.clone()], entities),
    )
    .await;

    assert_eq!(store.sources().await.unwrap(), vec![moved]);
    let twice = state(&*store, "component:default/twice").await.unwrap();
    assert_eq!(twice.entity_id, "id-first");
    assert_eq!(twice.result_hash, "result-last");
    assert_eq!(twice.source_key.as_deref(), Some("file:/two.yaml"));
    assert_eq!(
        sorted_relations(&input(&*store, B).await),
        pairs(&[("hasPart", "component:default/twice")])
    );
    assert!(
        input(&*store, C).await.relations.is_empty(),
        "the first upsert's relations were replaced"
    );

    // Within one statement as well.
    let again = |hash: &str| {
        let mut e = entity(A, "id-ignored", SRC);
        e.result_hash = hash.to_owned();
        e
    };
    commit(&*store, upserts(vec![again("one"), again("two")])).await;
    let a = state(&*store, A).await.unwrap();
    assert_eq!(
        (a.entity_id.as_str(), a.result_hash.as_str()),
        ("id-a", "two")
    );
}

/// A bulk load defers the stitch index only while the catalog is empty, and
/// the relations written meanwhile are found once it ends.
async fn bulk_load_only_on_an_empty_catalog_and_stitching_still_sees_relations(
    store: Arc<dyn CatalogStore>,
) {
    assert!(store.begin_bulk_load().await.unwrap());
    seed_abc(&*store).await;
    commit(
        &*store,
        upserts(vec![with_relations(
            entity(A, "id-a", SRC),
            vec![rel(A, "partOf", B), rel(B, "hasPart", A)],
        )]),
    )
    .await;
    store.end_bulk_load().await.unwrap();
    assert_eq!(
        sorted_relations(&input(&*store, A).await),
        pairs(&[("partOf", B)])
    );
    assert_eq!(
        sorted_relations(&input(&*store, B).await),
        pairs(&[("hasPart", A)])
    );
    assert!(
        !store.begin_bulk_load().await.unwrap(),
        "a catalog with relations is not bulk-loaded"
    );
    store.end_bulk_load().await.unwrap();
    store.end_bulk_stitch().await.unwrap();
}

// ---------------------------------------------------------------------------
// Registered locations (`/api/catalog/locations`) and targeted refresh.

mod locations {
    use greenroom_store::{LocationRow, LocationWrite};

    use super::*;

    conformance! {
        stores: [
            locations_are_added_listed_and_found,
            adding_an_existing_location_shows_it,
            racing_adds_of_one_location_leave_one_row,
            updating_a_location_keeps_its_id_and_refuses_duplicates,
            deleting_a_location_returns_it_once,
            location_strings_round_trip_and_nul_bytes_are_refused,
            sources_of_root_lists_what_a_root_reached,
            root_statuses_summarise_every_root,
            schedule_refresh_forgets_fingerprints_up_the_tree,
        ],
        persistent: [
            registered_locations_survive_a_restart,
            a_replica_may_start_while_another_ends_a_bulk_load,
        ],
    }

    const X: &str = "https://h.example/x/catalog-info.yaml";
    const Y: &str = "https://h.example/y/catalog-info.yaml";

    async fn add(store: &dyn CatalogStore, id: &str, kind: &str, target: &str) -> LocationRow {
        match store.add_location(id, kind, target).await.unwrap() {
            LocationWrite::Written(row) => row,
            other => panic!("expected {id} to be written, got {other:?}"),
        }
    }

    fn ids(rows: &[LocationRow]) -> BTreeSet<String> {
        rows.iter().map(|r| r.id.clone()).collect()
    }

    async fn locations_are_added_listed_and_found(store: Arc<dyn CatalogStore>) {
        assert!(store.locations().await.unwrap().is_empty());
        let a = add(&*store, "id-a", "url", X).await;
        assert_eq!(
            (a.id.as_str(), a.location_type.as_str(), a.target.as_str()),
            ("id-a", "url", X)
        );
        assert!(a.created_at > 1_700_000_000_000, "{}", a.created_at);
        let b = add(&*store, "id-b", "file", "/srv/repo").await;
        let listed = store.locations().await.unwrap();
        assert_eq!(ids(&listed), ids(&[a.clone(), b.clone()]));
        assert!(listed[0].created_at <= listed[1].created_at, "oldest first");
        assert_eq!(store.location("id-a").await.unwrap(), Some(a.clone()));
        assert_eq!(store.location("id-zz").await.unwrap(), None);
        assert_eq!(store.location_by_target("url", X).await.unwrap(), Some(a));
        assert_eq!(
            store.location_by_target("file", "/srv/repo").await.unwrap(),
            Some(b)
        );
        // Type and target are compared exactly.
        assert_eq!(store.location_by_target("file", X).await.unwrap(), None);
        assert_eq!(
            store
                .location_by_target("url", &X.to_uppercase())
                .await
                .unwrap(),
            None
        );
    }

    async fn adding_an_existing_location_shows_it(store: Arc<dyn CatalogStore>) {
        let first = add(&*store, "id-1", "url", X).await;
        assert_eq!(
            store.add_location("id-2", "url", X).await.unwrap(),
            LocationWrite::Exists(first.clone())
        );
        // The same target under another type is another location.
        add(&*store, "id-3", "file", X).await;
        assert_eq!(store.locations().await.unwrap().len(), 2);
        assert_eq!(store.location("id-2").await.unwrap(), None);
    }

    async fn racing_adds_of_one_location_leave_one_row(store: Arc<dyn CatalogStore>) {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move { store.add_location(&format!("id-{i}"), "url", X).await })
            })
            .collect();
        let mut written = Vec::new();
        let mut shown = Vec::new();
        for task in tasks {
            match task.await.unwrap().unwrap() {
                LocationWrite::Written(row) => written.push(row),
                LocationWrite::Exists(row) => shown.push(row),
                LocationWrite::NotFound => panic!("an add answered NotFound"),
            }
        }
        assert_eq!(written.len(), 1, "{written:?}");
        assert!(shown.iter().all(|row| *row == written[0]), "{shown:?}");
        assert_eq!(store.locations().await.unwrap(), written);
    }

    async fn updating_a_location_keeps_its_id_and_refuses_duplicates(store: Arc<dyn CatalogStore>) {
        let a = add(&*store, "id-a", "url", X).await;
        let b = add(&*store, "id-b", "url", Y).await;
        let moved = match store
            .update_location("id-a", "file", "/srv/a")
            .await
            .unwrap()
        {
            LocationWrite::Written(row) => row,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            moved,
            LocationRow {
                location_type: "file".to_owned(),
                target: "/srv/a".to_owned(),
                ..a.clone()
            }
        );
        assert_eq!(store.location_by_target("url", X).await.unwrap(), None);
        assert_eq!(
            store.update_location("id-a", "url", Y).await.unwrap(),
            LocationWrite::Exists(b)
        );
        // Writing a location's own type and target again is no conflict.
        assert_eq!(
            store
                .update_location("id-a", "file", "/srv/a")
                .await
                .unwrap(),
            LocationWrite::Written(moved.clone())
        );
        assert_eq!(
            store.update_location("id-missing", "url", X).await.unwrap(),
            LocationWrite::NotFound
        );
        assert_eq!(store.location("id-a").await.unwrap(), Some(moved));
    }

    async fn deleting_a_location_returns_it_once(store: Arc<dyn CatalogStore>) {
        let a = add(&*store, "id-a", "url", X).await;
        let b = add(&*store, "id-b", "url", Y).await;
        assert_eq!(store.delete_location("id-a").await.unwrap(), Some(a));
        assert_eq!(store.delete_location("id-a").await.unwrap(), None);
        assert_eq!(store.locations().await.unwrap(), vec![b]);
        // The target is free again.
        add(&*store, "id-c", "url", X).await;
    }

    async fn location_strings_round_trip_and_nul_bytes_are_refused(store: Arc<dyn CatalogStore>) {
        let hostile = "/srv/ünïcödé 'quoted' \"double\" %_ \\ ; DROP TABLE locations; --/💥";
        let row = add(&*store, "id-hostile", "file", hostile).await;
        assert_eq!(row.target, hostile);
        assert_eq!(
            store.location_by_target("file", hostile).await.unwrap(),
            Some(row.clone())
        );
        assert!(matches!(
            store
                .add_location("id-nul", "url", "https://h.example/\0")
                .await,
            Err(StoreError::NulByte { .. })
        ));
        assert!(matches!(
            store.update_location("id-hostile", "url", "a\0b").await,
            Err(StoreError::NulByte { .. })
        ));
        // Lookups with a NUL byte find nothing rather than failing.
        assert_eq!(store.location("id\0").await.unwrap(), None);
        assert_eq!(store.location_by_target("url", "\0").await.unwrap(), None);
        assert_eq!(store.delete_location("id\0").await.unwrap(), None);
        assert_eq!(
            store.update_location("id\0", "url", X).await.unwrap(),
            LocationWrite::NotFound
        );
        assert!(store.sources_of_root("\0").await.unwrap().is_empty());
        assert!(store.source("\0").await.unwrap().is_none());
        assert!(
            !store
                .schedule_refresh("component:default/\0")
                .await
                .unwrap()
        );
        assert_eq!(store.locations().await.unwrap(), vec![row]);
    }

    /// Sources under root `root`: `root` itself and `child` below it.
    fn tree(root: &str, child: &str) -> Vec<SourceRow> {
        vec![
            SourceRow {
                root: root.to_owned(),
                origin: root.to_owned(),
                ..source(root)
            },
            SourceRow {
                parent_source: Some(root.to_owned()),
                parent_ref: Some("location:default/generated-x".to_owned()),
                root: root.to_owned(),
                origin: root.to_owned(),
                ..source(child)
            },
        ]
    }

    async fn sources_of_root_lists_what_a_root_reached(store: Arc<dyn CatalogStore>) {
        let root = "registered:url:https://h.example/x";
        let mut sources = tree(root, "url:https://h.example/x");
        sources.push(source(SRC));
        commit(&*store, batch_with(sources, Vec::new())).await;
        let keys = |rows: Vec<SourceRow>| rows.into_iter().map(|s| s.key).collect::<Vec<_>>();
        let reached = store.sources_of_root(root).await.unwrap();
        assert_eq!(
            keys(reached.clone()),
            refs(&[root, "url:https://h.example/x"])
        );
        assert_eq!(reached[1].parent_source.as_deref(), Some(root));
        assert_eq!(
            keys(store.sources_of_root(SRC).await.unwrap()),
            refs(&[SRC])
        );
        assert!(
            store
                .sources_of_root("registered:url:other")
                .await
                .unwrap()
                .is_empty()
        );
        let one = store.source("url:https://h.example/x").await.unwrap();
        assert_eq!(one.map(|s| s.root), Some(root.to_owned()));
        assert!(
            store
                .source("url:https://h.example/missing")
                .await
                .unwrap()
                .is_none()
        );
    }

    async fn root_statuses_summarise_every_root(store: Arc<dyn CatalogStore>) {
        assert!(store.root_statuses(10).await.unwrap().is_empty());
        let root = "registered:url:https://h.example/x";
        let broken = r#"[{"name":"YAMLError","message":"bad","place":{"source":"s"}}]"#;
        let mut sources = tree(root, "url:https://h.example/x");
        sources[0].last_read_at = Some(1_700_000_000_500);
        for key in ["url:https://h.example/x/a", "url:https://h.example/x/b"] {
            sources.push(SourceRow {
                root: root.to_owned(),
                errors: broken.to_owned(),
                last_read_at: None,
                ..source(key)
            });
        }
        sources.push(source(SRC));
        commit(&*store, batch_with(sources, Vec::new())).await;

        let statuses = store.root_statuses(1).await.unwrap();
        let roots: Vec<&str> = statuses.iter().map(|s| s.root.as_str()).collect();
        assert_eq!(roots, vec![SRC, root]);
        let registered = &statuses[1];
        assert_eq!(registered.sources, 4);
        assert_eq!(registered.last_read_at, Some(1_700_000_000_500));
        assert_eq!(registered.oldest_read_at, Some(1_700_000_000_000));
        assert_eq!(registered.sources_with_errors, 2);
        assert_eq!(
            registered.errors,
            vec![("url:https://h.example/x/a".to_owned(), broken.to_owned())],
            "only the first source with errors, by key"
        );
        assert_eq!(statuses[0].sources, 1);
        assert_eq!(statuses[0].sources_with_errors, 0);
        assert!(statuses[0].errors.is_empty());

        let counts_only = store.root_statuses(0).await.unwrap();
        assert!(counts_only.iter().all(|s| s.errors.is_empty()));
        assert_eq!(counts_only[1].sources_with_errors, 2);
    }

    async fn schedule_refresh_forgets_fingerprints_up_the_tree(store: Arc<dyn CatalogStore>) {
        let root = "registered:url:https://h.example/x";
        let child = "url:https://h.example/x";
        let mut sources = tree(root, child);
        sources.push(source(SRC));
        commit(
            &*store,
            batch_with(
                sources,
                vec![
                    entity(A, "id-a", child),
                    entity("location:default/generated-x", "id-l", root),
                    entity(B, "id-b", SRC),
                ],
            ),
        )
        .await;
        let hash_of = |rows: &[SourceRow], key: &str| {
            rows.iter()
                .find(|r| r.key == key)
                .and_then(|r| r.content_hash.clone())
        };
        assert!(store.schedule_refresh(A).await.unwrap());
        let rows = store.sources().await.unwrap();
        assert_eq!(hash_of(&rows, child), None);
        assert_eq!(hash_of(&rows, root), None);
        assert_eq!(
            hash_of(&rows, SRC),
            Some("content-1".to_owned()),
            "untouched"
        );
        assert!(
            !store
                .schedule_refresh("component:default/nobody")
                .await
                .unwrap()
        );

        // An orphan (no source) is known; nothing else changes.
        commit(
            &*store,
            CommitBatch {
                orphan_entities: refs(&[B]),
                ..CommitBatch::default()
            },
        )
        .await;
        assert!(store.schedule_refresh(B).await.unwrap());
        let rows = store.sources().await.unwrap();
        assert_eq!(hash_of(&rows, SRC), Some("content-1".to_owned()));
    }

    async fn registered_locations_survive_a_restart(fixture: Arc<Fixture>) {
        let store = fixture.connect().await;
        let a = add(&*store, "id-a", "url", X).await;
        drop(store);
        let store = fixture.connect().await;
        assert_eq!(store.locations().await.unwrap(), vec![a]);
    }

    /// A replica starting (and recreating indexes a crash may have dropped)
    /// while another rebuilds the stitch index after a bulk load: both
    /// create the same index at once, which must not fail either.
    async fn a_replica_may_start_while_another_ends_a_bulk_load(fixture: Arc<Fixture>) {
        let store = fixture.connect().await;
        for _ in 0..10 {
            assert!(store.begin_bulk_load().await.unwrap());
            let (ended, started) = tokio::join!(store.end_bulk_load(), fixture.connect());
            ended.unwrap();
            drop(started);
        }
    }
}
