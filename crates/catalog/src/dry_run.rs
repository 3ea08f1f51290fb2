//! What registering a location would do, worked out without storing
//! anything: the read check every registration gets, and the in-memory walk
//! of `POST /locations?dryRun=true`, which returns the entities the location
//! would bring into the catalog.
//!
//! Both block (they read files and URLs): call them from a worker thread.

use std::collections::{HashSet, VecDeque};

use serde_json::Value;

use crate::engine::child_specs;
use crate::location::expand;
use crate::process::{EntityOutcome, Processor, SourceSpec};
use crate::registered::{self, RegistrationError};

/// Most sources one dry run may read.
pub const MAX_DRY_RUN_SOURCES: usize = 10_000;

/// Why a location cannot be registered as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DryRunError {
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    /// The location's own target cannot be read (missing, not allowed, too
    /// large…).
    #[error("{0}")]
    Unreadable(String),
    /// Two sources below the location emit the same entity.
    #[error("Duplicate nested entity: {0}")]
    Duplicate(String),
    /// Processing found problems (each `Name: place: message`).
    #[error("{0}")]
    Problems(String),
    #[error("the location reaches more than {MAX_DRY_RUN_SOURCES} sources, too many for a dry run")]
    TooLarge,
}

/// Checks that a location's own target can be read: for a URL or a file,
/// its bytes; for a glob or folder, each file it names now (an empty folder
/// is fine).
pub fn check_readable(
    processor: &Processor,
    location_type: &str,
    target: &str,
) -> Result<(), DryRunError> {
    let root = registered::root_spec(location_type, target)?;
    let spec = registered::target_spec(location_type, target)?;
    let locations = expand(&spec).map_err(|e| DryRunError::Unreadable(e.to_string()))?;
    for location in locations {
        let source = SourceSpec {
            location,
            parent_ref: Some(registered::entity_ref(location_type, target)),
            parent_source: Some(root.key()),
            ..root.clone()
        };
        processor
            .read(&source)
            .map_err(|e| DryRunError::Unreadable(e.to_string()))?;
    }
    Ok(())
}

/// Processes the whole tree below a location in memory and returns the
/// processed entities it would emit (its generated Location entity first),
/// or the first reason it cannot be registered cleanly.
pub fn dry_run(
    processor: &Processor,
    location_type: &str,
    target: &str,
) -> Result<Vec<Value>, DryRunError> {
    let root = registered::root_spec(location_type, target)?;
    let mut queue = VecDeque::from([root]);
    let mut visited: HashSet<String> = HashSet::new();
    let mut refs: HashSet<String> = HashSet::new();
    let mut entities = Vec::new();
    while let Some(spec) = queue.pop_front() {
        if !visited.insert(spec.key()) {
            continue;
        }
        if visited.len() > MAX_DRY_RUN_SOURCES {
            return Err(DryRunError::TooLarge);
        }
        // Without a stored fingerprint every source is processed.
        let Some(outcome) = processor.process(&spec, None, false) else {
            continue;
        };
        let mut problems = outcome.problems;
        let mut targets = Vec::new();
        for entity in outcome.entities {
            match entity.outcome {
                EntityOutcome::Ok {
                    processed,
                    children,
                    ..
                } => {
                    let entity_ref = entity.entity_ref.canonical().to_owned();
                    if !refs.insert(entity_ref.clone()) {
                        return Err(DryRunError::Duplicate(entity_ref));
                    }
                    entities.push(serde_json::from_str(&processed).unwrap_or(Value::Null));
                    targets.extend(children);
                }
                EntityOutcome::Failed { problems: failed } => problems.extend(failed),
            }
        }
        let children = child_specs(&spec, &targets, &mut problems);
        if !problems.is_empty() {
            let described: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.name, p.describe()))
                .collect();
            return Err(DryRunError::Problems(described.join(", ")));
        }
        queue.extend(children);
    }
    Ok(entities)
}
