//! The ingestion engine: one refresh pass walks the location tree from the
//! roots, reprocesses only sources whose bytes changed, writes only entities
//! whose result changed, handles conflicts and orphans, and then stitches
//! what the writes touched.
//!
//! A pass works in batches of sources: read and process a batch on worker
//! threads, diff it against the stored state, commit it in one transaction,
//! queue the sources its Location entities target. Memory stays bounded by
//! the batch size, not the catalog size.
//!
//! The roots of a pass are the configured ones, then the locations
//! registered through the API as stored when the pass starts (so every
//! replica sees every registration). One registered location can also be
//! refreshed on its own (a partial walk that removes nothing) or removed at
//! once with everything it brought in.
//!
//! Invariants:
//! * An entity belongs to the first source that emitted it; another source
//!   emitting the same ref gets a conflict error until the owner lets go.
//! * A source that cannot be read or parsed keeps its entities (last good
//!   version, now carrying the error) and its child sources.
//! * Sources not reached by a complete pass are removed, and their entities
//!   orphaned (`keep`) or deleted (`delete`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use greenroom_store::{
    BatchState, CatalogStore, CommitBatch, EntityStateRow, EntityUpsert, SourceRow,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::CatalogError;
use crate::hash::fingerprint;
use crate::location::{Presence, SourceLocation, TargetSpec, expand, sandbox_of};
use crate::problem::{Problem, ProblemPlace, problems_to_json};
use crate::process::{ChildTarget, EntityOutcome, Processor, SourceOutcome, SourceSpec};
use crate::registered;
use crate::stitch::{StitchStats, now_millis, stitch_pending};

/// Sources processed and committed together.
const BATCH_SOURCES: usize = 1024;

/// What happens to entities nothing emits any more (`catalog.orphanStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrphanStrategy {
    /// Keep them, annotated `backstage.io/orphan: "true"`.
    Keep,
    /// Remove them (Backstage's default since 2026).
    #[default]
    Delete,
}

/// A location the catalog starts its walk from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    pub target: TargetSpec,
    /// Whether every kind is allowed from this root regardless of `catalog.rules`.
    pub all_kinds: bool,
}

/// What one refresh pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshReport {
    pub sources_seen: usize,
    pub sources_processed: usize,
    pub entities_written: usize,
    pub entities_orphaned: usize,
    pub entities_deleted: usize,
    pub sources_removed: usize,
    pub stitched: StitchStats,
    pub duration: Duration,
    pub timings: PhaseTimings,
}

/// Where a pass spent its wall time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhaseTimings {
    /// Waiting for worker threads to read and process sources (time not
    /// hidden behind committing the previous batch).
    pub processing_wait: Duration,
    /// Reading stored state and committing batches.
    pub commit: Duration,
    /// Stitching what the pass changed.
    pub stitch: Duration,
}

/// Stored in `sources.children`: what is needed to walk below a source
/// without reprocessing it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SourceMemo {
    #[serde(default)]
    volatile: bool,
    #[serde(default)]
    targets: Vec<ChildTarget>,
}

/// Runs refresh passes against a store.
pub struct Engine {
    store: Arc<dyn CatalogStore>,
    processor: Processor,
    roots: Vec<Root>,
    orphans: OrphanStrategy,
    /// One pass at a time.
    running: Mutex<()>,
}

impl Engine {
    pub fn new(
        store: Arc<dyn CatalogStore>,
        processor: Processor,
        roots: Vec<Root>,
        orphans: OrphanStrategy,
    ) -> Self {
        Engine {
            store,
            processor,
            roots,
            orphans,
            running: Mutex::new(()),
        }
    }

    /// The store this engine writes to.
    pub fn store(&self) -> &Arc<dyn CatalogStore> {
        &self.store
    }

    /// The locations from configuration (`catalog.locations`, `--catalog`,
    /// `--demo`) this engine walks on every pass, besides registered ones.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// The processor this engine reads and checks sources with.
    pub fn processor(&self) -> &Processor {
        &self.processor
    }

    /// Refreshes one registered location now (waiting for a pass in
    /// progress): walks its tree, stitches, and returns the refs of the
    /// entities its sources emit, in walk order. Sources other roots reach
    /// are left alone; the next full pass settles everything else.
    pub async fn refresh_registered(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<Vec<String>, CatalogError> {
        let spec = registered::root_spec(location_type, target)?;
        let _guard = self.running.lock().await;
        let mut report = RefreshReport::default();
        let visited = self.walk_from(vec![spec], false, &mut report).await?;
        stitch_pending(self.store.as_ref()).await?;
        let mut refs = Vec::new();
        for chunk in visited.chunks(BATCH_SOURCES) {
            let state = self.store.batch_state(&[], chunk).await?;
            let mut owned: HashMap<String, Vec<String>> = HashMap::new();
            for entity in state.owned {
                if let Some(source) = entity.source_key {
                    owned.entry(source).or_default().push(entity.entity_ref);
                }
            }
            for key in chunk {
                let mut emitted = owned.remove(key).unwrap_or_default();
                emitted.sort();
                refs.extend(emitted);
            }
        }
        Ok(refs)
    }

    /// Removes at once what an unregistered location brought into the
    /// catalog: every source last reached from it and the entities they
    /// emit, deleted whatever `catalog.orphanStrategy` says (as Backstage
    /// does when a location is deleted). An entity another source also
    /// emits comes back from that source on the next pass.
    pub async fn remove_registered(
        &self,
        location_type: &str,
        target: &str,
    ) -> Result<RefreshReport, CatalogError> {
        let root = registered::source_key(location_type, target);
        let _guard = self.running.lock().await;
        let started = Instant::now();
        let mut report = RefreshReport::default();
        let keys: Vec<String> = (self.store.sources_of_root(&root).await?)
            .into_iter()
            .map(|source| source.key)
            .collect();
        if !keys.is_empty() {
            let stored = self.stored_sources().await?;
            self.remove_sources(&keys, &stored, OrphanStrategy::Delete, &mut report)
                .await?;
        }
        report.stitched = stitch_pending(self.store.as_ref()).await?;
        report.duration = started.elapsed();
        Ok(report)
    }

    /// One complete pass over every root, followed by stitching.
    pub async fn refresh(&self) -> Result<RefreshReport, CatalogError> {
        let _guard = self.running.lock().await;
        let started = Instant::now();
        let mut report = RefreshReport::default();
        // Loading into an empty catalog defers the stitch index until the
        // walk ends and the search index until stitching ends (and then
        // refreshes planner statistics); both are restored even when a step
        // fails, and at every connect after a crash.
        let bulk = self.store.begin_bulk_load().await?;
        let walked = self.walk(&mut report).await;
        if bulk {
            self.store.end_bulk_load().await?;
        }
        walked?;
        let stitching = Instant::now();
        let stitched = stitch_pending(self.store.as_ref()).await;
        if bulk {
            self.store.end_bulk_stitch().await?;
        }
        report.stitched = stitched?;
        report.timings.stitch = stitching.elapsed();
        report.duration = started.elapsed();
        Ok(report)
    }

    /// Every stored source by key.
    async fn stored_sources(&self) -> Result<HashMap<String, SourceRow>, CatalogError> {
        Ok(self
            .store
            .sources()
            .await?
            .into_iter()
            .map(|row| (row.key.clone(), row))
            .collect())
    }

    /// Walks the location tree from every root (configured ones first, then
    /// the registered locations as stored now), committing batch by batch,
    /// then removes sources the walk no longer reached.
    async fn walk(&self, report: &mut RefreshReport) -> Result<(), CatalogError> {
        let mut starts = Vec::new();
        for root in &self.roots {
            starts.extend(self.root_specs(root));
        }
        starts.extend(self.registered_specs().await?);
        self.walk_from(starts, true, report).await?;
        Ok(())
    }

    /// The root sources of the locations registered through the API.
    async fn registered_specs(&self) -> Result<Vec<SourceSpec>, CatalogError> {
        let mut specs = Vec::new();
        for location in self.store.locations().await? {
            match registered::root_spec(&location.location_type, &location.target) {
                Ok(spec) => specs.push(spec),
                Err(e) => tracing::error!(
                    location = %location.id,
                    error = %e,
                    "skipping a registered location that cannot be read"
                ),
            }
        }
        Ok(specs)
    }

    /// Walks the tree below `starts`, committing batch by batch, and returns
    /// the keys of the sources reached, in walk order. A `complete` walk
    /// (from every root) then removes the stored sources it did not reach; a
    /// partial one leaves them alone.
    async fn walk_from(
        &self,
        starts: Vec<SourceSpec>,
        complete: bool,
        report: &mut RefreshReport,
    ) -> Result<Vec<String>, CatalogError> {
        let stored = self.stored_sources().await?;
        let mut visited: HashSet<String> = HashSet::new();
        let mut order: Vec<String> = Vec::new();
        // In a partial walk: sources a full pass last reached from another
        // root, walked through but left to that root.
        let mut foreign: HashSet<String> = HashSet::new();
        // Sources that lost a conflict in this pass.
        let mut conflicted: Vec<SourceSpec> = Vec::new();
        let mut queue: VecDeque<SourceSpec> = starts.into();
        // Pipeline: the next batch is read and processed on worker threads
        // while the previous one is diffed and committed.
        let mut pending: Option<(Vec<SourceSpec>, ProcessingJob)> = None;
        loop {
            let mut next = Vec::with_capacity(BATCH_SOURCES);
            while next.len() < BATCH_SOURCES {
                let Some(spec) = queue.pop_front() else { break };
                if visited.insert(spec.key()) {
                    if !complete && belongs_elsewhere(&spec, &stored) {
                        foreign.insert(spec.key());
                    }
                    order.push(spec.key());
                    next.push(spec);
                }
            }
            let next_job = if next.is_empty() {
                None
            } else {
                report.sources_seen += next.len();
                let job = self.start_processing(&next, &stored, &foreign);
                Some((next, job))
            };
            let Some((batch, job)) = pending.take() else {
                if next_job.is_none() {
                    break;
                }
                pending = next_job;
                continue;
            };
            let waited = Instant::now();
            let outcomes = job.finish().await;
            report.timings.processing_wait += waited.elapsed();
            let children = self
                .commit_batch(
                    batch,
                    outcomes,
                    &stored,
                    &HashSet::new(),
                    &mut conflicted,
                    report,
                )
                .await?;
            queue.extend(children);
            pending = next_job;
        }
        if !complete {
            return Ok(order);
        }
        let removed: Vec<String> = stored
            .keys()
            .filter(|k| !visited.contains(*k))
            .cloned()
            .collect();
        if !removed.is_empty() && !conflicted.is_empty() {
            // An entity may have lost a conflict to a source that turned out
            // to be gone (a renamed file): let its new source take it over,
            // keeping its uid, before the old source's entities are removed.
            let gone: HashSet<String> = removed.iter().cloned().collect();
            let fresh = self.stored_sources().await?;
            let processed = report.sources_processed;
            for chunk in conflicted.chunks(BATCH_SOURCES) {
                let outcomes = self.process_batch(chunk, &fresh).await;
                // Their children were walked already in this pass.
                self.commit_batch(
                    chunk.to_vec(),
                    outcomes,
                    &fresh,
                    &gone,
                    &mut Vec::new(),
                    report,
                )
                .await?;
            }
            report.sources_processed = processed;
        }
        if !removed.is_empty() {
            self.remove_sources(&removed, &stored, self.orphans, report)
                .await?;
        }
        Ok(order)
    }

    /// Expands a root into its sources.
    fn root_specs(&self, root: &Root) -> Vec<SourceSpec> {
        let origin = root.target.key();
        let sandbox = sandbox_of(&root.target);
        let locations = match expand(&root.target) {
            Ok(locations) => locations,
            Err(e) => {
                tracing::error!(location = %origin, error = %e, "cannot expand catalog location");
                Vec::new()
            }
        };
        locations
            .into_iter()
            .map(|location| SourceSpec {
                location,
                sandbox: sandbox.clone(),
                origin: origin.clone(),
                root: origin.clone(),
                parent_ref: None,
                parent_source: None,
                presence: Presence::Required,
                all_kinds: root.all_kinds,
            })
            .collect()
    }

    /// Reads and processes a batch on worker threads; `None` = unchanged.
    async fn process_batch(
        &self,
        batch: &[SourceSpec],
        stored: &HashMap<String, SourceRow>,
    ) -> Vec<Option<SourceOutcome>> {
        self.start_processing(batch, stored, &HashSet::new())
            .finish()
            .await
    }

    /// Starts reading and processing a batch on worker threads, so the
    /// caller can commit the previous batch meanwhile.
    ///
    /// Sources in `skip` are treated as unchanged (not read).
    fn start_processing(
        &self,
        batch: &[SourceSpec],
        stored: &HashMap<String, SourceRow>,
        skip: &HashSet<String>,
    ) -> ProcessingJob {
        let workers = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(2)
            .max(1);
        let chunk = batch.len().div_ceil(workers).max(1);
        let mut handles = Vec::new();
        for part in batch.chunks(chunk) {
            let part: Vec<(SourceSpec, Option<String>, bool, bool)> = part
                .iter()
                .map(|spec| {
                    let key = spec.key();
                    let row = stored.get(&key);
                    let memo = row.map(memo_of).unwrap_or_default();
                    (
                        spec.clone(),
                        row.and_then(|r| r.content_hash.clone()),
                        memo.volatile,
                        skip.contains(&key),
                    )
                })
                .collect();
            let processor = self.processor.clone();
            handles.push(tokio::task::spawn_blocking(move || {
                part.iter()
                    .map(|(spec, hash, volatile, skip)| {
                        if *skip {
                            None
                        } else {
                            processor.process(spec, hash.as_deref(), *volatile)
                        }
                    })
                    .collect::<Vec<_>>()
            }));
        }
        ProcessingJob {
            handles,
            keys: batch.iter().map(SourceSpec::key).collect(),
        }
    }

    /// Diffs a processed batch against the store, commits it, and returns
    /// the child sources to walk next.
    ///
    /// Entities owned by a source in `gone` are free to take over; sources
    /// that lose a conflict are added to `conflicted`.
    async fn commit_batch(
        &self,
        batch: Vec<SourceSpec>,
        outcomes: Vec<Option<SourceOutcome>>,
        stored: &HashMap<String, SourceRow>,
        gone: &HashSet<String>,
        conflicted: &mut Vec<SourceSpec>,
        report: &mut RefreshReport,
    ) -> Result<Vec<SourceSpec>, CatalogError> {
        let changed_keys: Vec<String> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| o.is_some())
            .map(|(s, _)| s.key())
            .collect();
        let refs: Vec<String> = outcomes
            .iter()
            .flatten()
            .flat_map(|o| {
                o.entities
                    .iter()
                    .map(|e| e.entity_ref.canonical().to_owned())
            })
            .collect();
        let state = if changed_keys.is_empty() {
            BatchState::default()
        } else {
            let reading = Instant::now();
            let state = self.store.batch_state(&refs, &changed_keys).await?;
            report.timings.commit += reading.elapsed();
            state
        };
        let entity_state: HashMap<&str, &EntityStateRow> = state
            .entities
            .iter()
            .map(|e| (e.entity_ref.as_str(), e))
            .collect();
        let mut owned: HashMap<&str, Vec<&EntityStateRow>> = HashMap::new();
        for entity in &state.owned {
            if let Some(source) = entity.source_key.as_deref() {
                owned.entry(source).or_default().push(entity);
            }
        }
        // Refs a source of this batch owned and no longer emits (read in
        // full): another source of the batch may take them over, as when an
        // entity moves from one file to another in one edit.
        let mut released: HashSet<String> = HashSet::new();
        for (spec, outcome) in batch.iter().zip(&outcomes) {
            let Some(outcome) = outcome.as_ref().filter(|o| !o.partial) else {
                continue;
            };
            let emits: HashSet<&str> = outcome
                .entities
                .iter()
                .map(|e| e.entity_ref.canonical())
                .collect();
            for before in owned.get(spec.key().as_str()).into_iter().flatten() {
                if !emits.contains(before.entity_ref.as_str()) {
                    released.insert(before.entity_ref.clone());
                }
            }
        }
        // Claims made earlier in this batch: ref -> source key.
        let mut claimed: HashMap<String, String> = HashMap::new();
        // Refs their source let go of; orphaned or deleted after the loop
        // unless another source claimed them.
        let mut dropped: Vec<String> = Vec::new();
        let mut commit = CommitBatch::default();
        let mut children = Vec::new();

        for (spec, outcome) in batch.iter().zip(outcomes) {
            let key = spec.key();
            let row = stored.get(&key);
            let Some(outcome) = outcome else {
                // Unchanged: walk below it from the stored targets.
                let memo = row.map(memo_of).unwrap_or_default();
                children.extend(child_specs(spec, &memo.targets, &mut Vec::new()));
                continue;
            };
            report.sources_processed += 1;
            let mut problems = outcome.problems.clone();
            let mut targets: Vec<ChildTarget> = Vec::new();
            let mut ok_refs: HashSet<String> = HashSet::new();
            let mut emitted: HashSet<String> = HashSet::new();
            // Lost a conflict: reprocess on every pass until the owner lets
            // go, even if the bytes stay the same.
            let mut lost_conflict = false;
            for entity in &outcome.entities {
                let entity_ref = entity.entity_ref.canonical().to_owned();
                if !emitted.insert(entity_ref.clone()) {
                    problems.push(Problem::new(
                        "ConflictError",
                        format!("Duplicate entity {entity_ref} in the same source"),
                        ProblemPlace {
                            source: key.clone(),
                            ..Default::default()
                        },
                    ));
                    continue;
                }
                let before = entity_state.get(entity_ref.as_str()).copied();
                let owner = claimed.get(&entity_ref).cloned().or_else(|| {
                    before
                        .and_then(|b| b.source_key.clone())
                        .filter(|o| !released.contains(&entity_ref) && !gone.contains(o))
                });
                if let Some(owner) = owner.filter(|o| *o != key) {
                    lost_conflict = true;
                    problems.push(Problem::new(
                        "ConflictError",
                        format!(
                            "Detected conflicting entityRef {entity_ref} already referenced by {owner} and now also {key}"
                        ),
                        ProblemPlace { source: key.clone(), ..Default::default() },
                    ));
                    continue;
                }
                claimed.insert(entity_ref.clone(), key.clone());
                if let EntityOutcome::Ok { children: c, .. } = &entity.outcome {
                    ok_refs.insert(entity_ref.clone());
                    targets.extend(c.iter().cloned());
                }
                if let EntityOutcome::Failed { problems: p } = &entity.outcome {
                    problems.extend(p.iter().cloned());
                }
                let unchanged = before.is_some_and(|b| {
                    b.result_hash == entity.result_hash
                        && b.source_key.as_deref() == Some(key.as_str())
                        && !b.orphan
                });
                if unchanged {
                    continue;
                }
                let (processed, relations, errors) = match &entity.outcome {
                    EntityOutcome::Ok {
                        processed,
                        relations,
                        ..
                    } => (
                        Some(processed.clone()),
                        Some(relations.clone()),
                        "[]".to_owned(),
                    ),
                    EntityOutcome::Failed { problems } => (None, None, problems_to_json(problems)),
                };
                commit.upsert_entities.push(EntityUpsert {
                    entity_ref: entity_ref.clone(),
                    entity_id: before
                        .map(|b| b.entity_id.clone())
                        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
                    kind: entity.entity_ref.kind().to_owned(),
                    namespace: entity.entity_ref.namespace().to_owned(),
                    name: entity.entity_ref.name().to_owned(),
                    source_key: key.clone(),
                    processed,
                    result_hash: entity.result_hash.clone(),
                    errors,
                    relations,
                });
            }

            // Entities this source owned but did not emit now.
            let previous = owned.remove(key.as_str()).unwrap_or_default();
            let memo_before = row.map(memo_of).unwrap_or_default();
            let source_errors = problems_to_json(&problems);
            for before in previous {
                let entity_ref = before.entity_ref.as_str();
                if emitted.contains(entity_ref) {
                    continue;
                }
                if outcome.partial {
                    // Maybe still in the part we could not read: keep the
                    // last good version and say why it is stale.
                    let hash = fingerprint(format!("stale:{source_errors}").as_bytes());
                    // Its Location targets stay walked.
                    targets.extend(
                        memo_before
                            .targets
                            .iter()
                            .filter(|t| t.parent_ref == entity_ref)
                            .cloned(),
                    );
                    if before.result_hash != hash {
                        let (kind, namespace, name) = split_ref(entity_ref);
                        commit.upsert_entities.push(EntityUpsert {
                            entity_ref: entity_ref.to_owned(),
                            entity_id: before.entity_id.clone(),
                            kind: kind.to_owned(),
                            namespace: namespace.to_owned(),
                            name: name.to_owned(),
                            source_key: key.clone(),
                            processed: None,
                            result_hash: hash,
                            errors: source_errors.clone(),
                            relations: None,
                        });
                    }
                } else {
                    dropped.push(entity_ref.to_owned());
                }
            }
            // Entities that failed keep walking their previous targets too.
            for entity in &outcome.entities {
                let entity_ref = entity.entity_ref.canonical();
                if !ok_refs.contains(entity_ref) {
                    targets.extend(
                        memo_before
                            .targets
                            .iter()
                            .filter(|t| t.parent_ref == entity_ref)
                            .cloned(),
                    );
                }
            }
            if outcome.content_hash.is_none() {
                // Unreadable: keep walking everything below it.
                targets = memo_before.targets.clone();
            }
            targets.dedup();
            children.extend(child_specs(spec, &targets, &mut problems));

            let errors = problems_to_json(&problems);
            if let Some(parent) = &spec.parent_ref
                && row.is_none_or(|r| r.errors != errors)
            {
                commit.stitch.push(parent.clone());
            }
            if !problems.is_empty() {
                tracing::warn!(source = %key, problems = problems.len(), first = %problems[0].describe(), "processing errors");
            }
            if lost_conflict {
                conflicted.push(spec.clone());
            }
            let memo = SourceMemo {
                volatile: outcome.volatile || lost_conflict,
                targets,
            };
            commit.upsert_sources.push(SourceRow {
                key: key.clone(),
                parent_source: spec.parent_source.clone(),
                parent_ref: spec.parent_ref.clone(),
                root: spec.root.clone(),
                origin: spec.origin.clone(),
                content_hash: outcome.content_hash.clone(),
                children: serde_json::to_string(&memo).unwrap_or_else(|_| "{}".to_owned()),
                errors,
                last_read_at: Some(now_millis()),
            });
        }
        for entity_ref in dropped {
            if claimed.contains_key(&entity_ref) {
                // Taken over by another source of this batch.
                continue;
            }
            let_go(self.orphans, entity_ref, &mut commit, report);
        }
        report.entities_written += commit.upsert_entities.len();
        let committing = Instant::now();
        self.store.commit(commit).await?;
        report.timings.commit += committing.elapsed();
        Ok(children)
    }

    /// Removes sources no longer reachable, orphaning or deleting what they owned.
    async fn remove_sources(
        &self,
        removed: &[String],
        stored: &HashMap<String, SourceRow>,
        strategy: OrphanStrategy,
        report: &mut RefreshReport,
    ) -> Result<(), CatalogError> {
        for chunk in removed.chunks(BATCH_SOURCES) {
            let state = self.store.batch_state(&[], chunk).await?;
            let mut commit = CommitBatch {
                delete_sources: chunk.to_vec(),
                ..CommitBatch::default()
            };
            for EntityStateRow { entity_ref, .. } in state.owned {
                let_go(strategy, entity_ref, &mut commit, report);
            }
            for key in chunk {
                if let Some(parent) = stored.get(key).and_then(|r| r.parent_ref.clone()) {
                    commit.stitch.push(parent);
                }
            }
            report.sources_removed += chunk.len();
            self.store.commit(commit).await?;
        }
        Ok(())
    }
}

/// A batch being processed on worker threads.
struct ProcessingJob {
    handles: Vec<tokio::task::JoinHandle<Vec<Option<SourceOutcome>>>>,
    /// Keys of the batch's sources, in order.
    keys: Vec<String>,
}

impl ProcessingJob {
    /// Waits for every worker; outcomes come back in batch order.
    async fn finish(self) -> Vec<Option<SourceOutcome>> {
        let mut outcomes = Vec::with_capacity(self.keys.len());
        for handle in self.handles {
            match handle.await {
                Ok(part) => outcomes.extend(part),
                Err(e) => {
                    // A panic in processing is a bug: report it and treat
                    // the batch as unreadable rather than unchanged.
                    tracing::error!(error = %e, "a processing worker failed");
                    return self
                        .keys
                        .iter()
                        .map(|key| Some(SourceOutcome::failed_worker(key, e.to_string())))
                        .collect();
                }
            }
        }
        outcomes
    }
}

/// An entity nothing emits any more: orphaned or deleted per `strategy`
/// (`catalog.orphanStrategy`, or delete when a location is unregistered).
fn let_go(
    strategy: OrphanStrategy,
    entity_ref: String,
    commit: &mut CommitBatch,
    report: &mut RefreshReport,
) {
    match strategy {
        OrphanStrategy::Keep => {
            report.entities_orphaned += 1;
            commit.orphan_entities.push(entity_ref);
        }
        OrphanStrategy::Delete => {
            report.entities_deleted += 1;
            commit.delete_entities.push(entity_ref);
        }
    }
}

/// The sources a set of child targets names, inheriting from `parent`.
///
/// Below a registered location's own source, `catalog.rules` apply again:
/// only its generated Location entity is exempt.
pub(crate) fn child_specs(
    parent: &SourceSpec,
    targets: &[ChildTarget],
    problems: &mut Vec<Problem>,
) -> Vec<SourceSpec> {
    let all_kinds = parent.all_kinds && !matches!(parent.location, SourceLocation::Registered(_));
    let mut specs = Vec::new();
    for child in targets {
        match expand(&child.target) {
            Ok(locations) => {
                for location in locations {
                    if let (SourceLocation::File(path), Some(root)) = (&location, &parent.sandbox)
                        && !path.starts_with(root)
                    {
                        continue;
                    }
                    specs.push(SourceSpec {
                        location,
                        sandbox: parent.sandbox.clone(),
                        origin: parent.origin.clone(),
                        root: parent.root.clone(),
                        parent_ref: Some(child.parent_ref.clone()),
                        parent_source: Some(parent.key()),
                        presence: child.presence,
                        all_kinds,
                    });
                }
            }
            Err(e) => problems.push(Problem::new(
                "InputError",
                e.to_string(),
                ProblemPlace {
                    source: parent.key(),
                    ..Default::default()
                },
            )),
        }
    }
    specs
}

/// Whether a full pass last reached this source from another root (full
/// passes walk configured roots first). Refreshing one registered location
/// walks through such a source without reprocessing it, so it neither takes
/// the source over (its root, origin and rules) nor flips its entities'
/// origin annotation back and forth.
fn belongs_elsewhere(spec: &SourceSpec, stored: &HashMap<String, SourceRow>) -> bool {
    stored
        .get(&spec.key())
        .is_some_and(|row| row.root != spec.root)
}

fn memo_of(row: &SourceRow) -> SourceMemo {
    serde_json::from_str(&row.children).unwrap_or_default()
}

fn split_ref(entity_ref: &str) -> (&str, &str, &str) {
    let (kind, rest) = entity_ref.split_once(':').unwrap_or(("", entity_ref));
    let (namespace, name) = rest.split_once('/').unwrap_or(("default", rest));
    (kind, namespace, name)
}
