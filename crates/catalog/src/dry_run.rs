//! What registering a location would do, worked out without storing
//! anything: the read check every registration gets, and the in-memory walk
//! of `POST /locations?dryRun=true`, which returns the entities the location
//! would bring into the catalog.
//!
//! Both block (they read files and URLs): call them from a worker thread.

use std::collections::{HashSet, VecDeque};
use std::ops::ControlFlow;

use serde_json::Value;

use crate::engine::child_specs;
use crate::location::expand;
use crate::problem::{Problem, ProblemPlace};
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
    let mut refs: HashSet<String> = HashSet::new();
    let mut entities = Vec::new();
    walk(processor, location_type, target, |source, problems| {
        for entity in source.entities {
            let Some(processed) = entity.entity else {
                continue;
            };
            if !refs.insert(entity.entity_ref.clone()) {
                return ControlFlow::Break(DryRunError::Duplicate(entity.entity_ref));
            }
            entities.push(processed);
        }
        if problems.is_empty() {
            ControlFlow::Continue(())
        } else {
            let described: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.name, p.describe()))
                .collect();
            ControlFlow::Break(DryRunError::Problems(described.join(", ")))
        }
    })?;
    Ok(entities)
}

/// What registering a location would bring in, source by source, with
/// every problem next to what it concerns (for people deciding whether to
/// register; [`dry_run`] stops at the first problem instead).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preview {
    /// The sources the location reaches, in walk order (its own generated
    /// Location first).
    pub sources: Vec<PreviewSource>,
}

/// One file or URL the location reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewSource {
    /// Location key (`file:/abs/catalog-info.yaml`, `url:https://…`).
    pub key: String,
    pub entities: Vec<PreviewEntity>,
    /// Problems of the source itself: unreadable, not YAML, a document
    /// without an entity, a Location target that cannot be expanded.
    pub problems: Vec<Problem>,
}

/// One entity a source would emit.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewEntity {
    /// Canonical ref (`kind:namespace/name`, lower case).
    pub entity_ref: String,
    /// The processed entity; `None` when processing refused it.
    pub entity: Option<Value>,
    /// Why it was refused (validation, `catalog.rules`, a duplicate).
    pub problems: Vec<Problem>,
}

/// Processes the whole tree below a location in memory, like [`dry_run`],
/// but walks on past problems and reports them where they occur.
pub fn preview(
    processor: &Processor,
    location_type: &str,
    target: &str,
) -> Result<Preview, DryRunError> {
    let mut refs: HashSet<String> = HashSet::new();
    let mut preview = Preview::default();
    walk(processor, location_type, target, |mut source, _| {
        for entity in &mut source.entities {
            if !refs.insert(entity.entity_ref.clone()) {
                entity.problems.push(Problem::new(
                    "ConflictError",
                    format!(
                        "Duplicate nested entity: {} is also emitted by an earlier file of this location; the first one keeps it",
                        entity.entity_ref
                    ),
                    ProblemPlace {
                        source: source.key.clone(),
                        ..Default::default()
                    },
                ));
            }
        }
        preview.sources.push(source);
        ControlFlow::<DryRunError>::Continue(())
    })?;
    Ok(preview)
}

/// Walks the tree below a location breadth first, handing each processed
/// source to `visit` with all its problems in the order they arose (the
/// source's own, its refused entities', its targets'); a source's targets
/// are walked only after `visit` lets the walk continue.
fn walk(
    processor: &Processor,
    location_type: &str,
    target: &str,
    mut visit: impl FnMut(PreviewSource, Vec<Problem>) -> ControlFlow<DryRunError>,
) -> Result<(), DryRunError> {
    let root = registered::root_spec(location_type, target)?;
    let mut queue = VecDeque::from([root]);
    let mut visited: HashSet<String> = HashSet::new();
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
        let own_problems = problems.len();
        let mut targets = Vec::new();
        let mut entities = Vec::with_capacity(outcome.entities.len());
        for entity in outcome.entities {
            let entity_ref = entity.entity_ref.canonical().to_owned();
            match entity.outcome {
                EntityOutcome::Ok {
                    processed,
                    children,
                    ..
                } => {
                    entities.push(PreviewEntity {
                        entity_ref,
                        entity: Some(serde_json::from_str(&processed).unwrap_or(Value::Null)),
                        problems: Vec::new(),
                    });
                    targets.extend(children);
                }
                EntityOutcome::Failed { problems: failed } => {
                    problems.extend(failed.iter().cloned());
                    entities.push(PreviewEntity {
                        entity_ref,
                        entity: None,
                        problems: failed,
                    });
                }
            }
        }
        let entity_problems = problems.len();
        let children = child_specs(&spec, &targets, &mut problems);
        let mut source_problems: Vec<Problem> = problems[..own_problems].to_vec();
        source_problems.extend_from_slice(&problems[entity_problems..]);
        let source = PreviewSource {
            key: spec.key(),
            entities,
            problems: source_problems,
        };
        if let ControlFlow::Break(error) = visit(source, problems) {
            return Err(error);
        }
        queue.extend(children);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{AllowAllKinds, DenyAllUrls, Reader};

    fn processor() -> Processor {
        Processor::new(
            Reader::new(1024 * 1024, Arc::new(DenyAllUrls)),
            Arc::new(AllowAllKinds),
            0,
        )
    }

    const GOOD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: good\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";
    /// `spec.owner` is missing.
    const INVALID: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: invalid\nspec:\n  type: service\n  lifecycle: production\n";

    /// A folder with a file holding a valid and an invalid entity, and a
    /// file that is not YAML.
    fn folder() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::write(
            root.join("a/catalog-info.yaml"),
            format!("{GOOD}---\n{INVALID}"),
        )
        .unwrap();
        std::fs::write(
            root.join("b/catalog-info.yaml"),
            "kind: Component\nmetadata:\n  name: x\n   title: y\n",
        )
        .unwrap();
        let target = root.display().to_string();
        (dir, target)
    }

    #[test]
    fn previews_walk_past_problems_and_keep_them_in_place() {
        let (_dir, target) = folder();
        let preview = preview(&processor(), "file", &target).unwrap();
        let keys: Vec<&str> = preview.sources.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                format!("registered:file:{target}"),
                format!("file:{target}/a/catalog-info.yaml"),
                format!("file:{target}/b/catalog-info.yaml"),
            ]
        );
        let a = &preview.sources[1];
        assert!(a.problems.is_empty());
        let refs: Vec<(&str, bool, usize)> = a
            .entities
            .iter()
            .map(|e| (e.entity_ref.as_str(), e.entity.is_some(), e.problems.len()))
            .collect();
        assert_eq!(
            refs,
            vec![
                ("component:default/good", true, 0),
                ("component:default/invalid", false, 1)
            ]
        );
        assert_eq!(
            a.entities[1].problems[0].place.field.as_deref(),
            Some("spec.owner")
        );
        let b = &preview.sources[2];
        assert!(b.entities.is_empty());
        assert_eq!(b.problems[0].name, "YAMLError");
        assert_eq!(b.problems[0].place.line, Some(4));
    }

    #[test]
    fn dry_runs_still_stop_at_the_first_problem() {
        let (_dir, target) = folder();
        let error = dry_run(&processor(), "file", &target).unwrap_err();
        let DryRunError::Problems(message) = error else {
            panic!("expected problems, got {error:?}");
        };
        assert!(message.starts_with("InputError: "), "{message}");
        assert!(message.contains("spec.owner"), "{message}");
        assert!(!message.contains("YAMLError"), "{message}");
    }

    #[test]
    fn duplicates_are_refused_by_dry_runs_and_marked_by_previews() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for folder in ["a", "b"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
            std::fs::write(root.join(folder).join("catalog-info.yaml"), GOOD).unwrap();
        }
        let target = root.display().to_string();
        assert_eq!(
            dry_run(&processor(), "file", &target).unwrap_err(),
            DryRunError::Duplicate("component:default/good".to_owned())
        );
        let preview = preview(&processor(), "file", &target).unwrap();
        assert!(preview.sources[1].entities[0].problems.is_empty());
        assert_eq!(
            preview.sources[2].entities[0].problems[0].name,
            "ConflictError"
        );
    }
}
