//! `greenroom validate`: the checks ingestion runs, applied to files on disk
//! without storing anything, with every problem located by file, document,
//! line, column and field.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::problem::Problem;
use crate::process::{EntityOutcome, Processor, validation_spec};

/// The verdict on one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    /// Entity refs that passed every check.
    pub valid_entities: Vec<String>,
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// Whether the file would be ingested without errors.
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Which files a path stands for: a file itself, or for a folder every
/// `catalog-info.yaml`/`.yml` below it plus every other YAML file that looks
/// like a descriptor (has top-level `apiVersion:` and `kind:` lines), all
/// honouring `.gitignore`.
pub fn files_for(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(path)
        .hidden(true)
        .require_git(false)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|file| {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name == "catalog-info.yaml" || name == "catalog-info.yml" {
                return true;
            }
            (name.ends_with(".yaml") || name.ends_with(".yml")) && looks_like_descriptor(file)
        })
        .collect();
    files.sort();
    files
}

/// A cheap check for YAML files that hold entity descriptors.
fn looks_like_descriptor(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    let has = |key: &str| text.lines().any(|line| line.starts_with(key));
    has("apiVersion:") && has("kind:")
}

/// Validates one file.
pub fn validate_file(processor: &Processor, path: &Path) -> FileReport {
    let spec = validation_spec(path);
    let mut report = FileReport {
        path: path.to_path_buf(),
        valid_entities: Vec::new(),
        problems: Vec::new(),
    };
    let bytes = match processor.read(&spec) {
        Ok(bytes) => bytes,
        Err(e) => {
            report.problems.push(Problem::new(
                e.error_name(),
                e.to_string(),
                crate::problem::ProblemPlace {
                    source: spec.key(),
                    ..Default::default()
                },
            ));
            return report;
        }
    };
    let outcome = processor.process_bytes(&spec, &bytes);
    report.problems.extend(outcome.problems);
    for entity in outcome.entities {
        match entity.outcome {
            EntityOutcome::Ok { .. } => report
                .valid_entities
                .push(entity.entity_ref.canonical().to_owned()),
            EntityOutcome::Failed { problems } => report.problems.extend(problems),
        }
    }
    report
}
