//! Turning the bytes of one source into processed entities: parse every YAML
//! document, resolve placeholders, add the location annotations, validate,
//! apply the catalog rules, emit relations, and collect the targets of
//! Location entities.
//!
//! This is the pure middle of ingestion: it reads files and URLs through the
//! [`Reader`] but never touches storage, so `greenroom validate` runs exactly
//! the checks ingestion runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use greenroom_model::{EntityRef, Issue, PlaceholderKind, annotations};
use greenroom_store::RelationRow;
use greenroom_yaml::{Document, Limits, SourceMap};
use serde_json::{Map, Value};
use url::Url;

use crate::hash::Fingerprint;
use crate::location::{Presence, SourceLocation, TargetSpec, resolve_target};
use crate::problem::{Problem, ProblemPlace, pointer_to_field};
use crate::reader::{ReadError, Reader};

/// Decides which kinds a location may bring into the catalog (`catalog.rules`).
pub trait KindPolicy: Send + Sync {
    /// Whether an entity of `kind` (and `spec_type`) may come from a source
    /// whose origin location is `origin_type:origin_target`.
    fn allows(
        &self,
        kind: &str,
        spec_type: Option<&str>,
        origin_type: &str,
        origin_target: &str,
    ) -> bool;
}

/// Allows every kind (used by `--catalog`, `--demo` and `validate`).
pub struct AllowAllKinds;

impl KindPolicy for AllowAllKinds {
    fn allows(&self, _: &str, _: Option<&str>, _: &str, _: &str) -> bool {
        true
    }
}

/// One source to process, with what it inherits from the tree above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub location: SourceLocation,
    /// Folder file reads (targets, placeholders) must stay inside.
    pub sandbox: Option<PathBuf>,
    /// Origin location key (`managed-by-origin-location`).
    pub origin: String,
    pub root: String,
    pub parent_ref: Option<String>,
    pub parent_source: Option<String>,
    pub presence: Presence,
    /// Whether every kind is allowed regardless of `catalog.rules`.
    pub all_kinds: bool,
}

impl SourceSpec {
    /// The location key of the source.
    pub fn key(&self) -> String {
        self.location.key()
    }
}

/// A target named by a Location entity of a source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ChildTarget {
    pub parent_ref: String,
    pub target: TargetSpec,
    pub presence: Presence,
}

/// The result of processing one entity document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityOutcome {
    Ok {
        /// The processed entity as JSON.
        processed: String,
        relations: Vec<RelationRow>,
        children: Vec<ChildTarget>,
    },
    Failed {
        problems: Vec<Problem>,
    },
}

/// One entity found in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedEntity {
    pub entity_ref: EntityRef,
    pub outcome: EntityOutcome,
    /// Fingerprint of the outcome: unchanged fingerprints are not written.
    pub result_hash: String,
}

/// What reading and processing one source produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceOutcome {
    /// Fingerprint of the bytes read (and the settings that shape processing);
    /// `None` when the source could not be read.
    pub content_hash: Option<String>,
    /// Problems that belong to the source itself (unreadable, YAML syntax,
    /// a document that names no entity, a conflict).
    pub problems: Vec<Problem>,
    /// Whether some document could not be parsed, so entities missing from
    /// `entities` may still be in the file and must not be orphaned.
    pub partial: bool,
    pub entities: Vec<ProcessedEntity>,
    /// Whether the output depends on more than the source's own bytes
    /// (placeholders), so an unchanged content hash does not prove an
    /// unchanged result.
    pub volatile: bool,
}

impl SourceOutcome {
    /// A source whose processing worker crashed (a bug): recorded as an
    /// error so nothing is taken as unchanged or removed.
    pub(crate) fn failed_worker(key: &str, reason: String) -> Self {
        SourceOutcome::unreadable(Problem::new(
            "Error",
            format!("internal error while processing: {reason}"),
            ProblemPlace {
                source: key.to_owned(),
                ..Default::default()
            },
        ))
    }

    /// An unreadable source.
    fn unreadable(problem: Problem) -> Self {
        SourceOutcome {
            content_hash: None,
            problems: vec![problem],
            partial: true,
            entities: Vec::new(),
            volatile: false,
        }
    }
}

/// Processes sources with shared readers and policies.
#[derive(Clone)]
pub struct Processor {
    reader: Reader,
    kinds: Arc<dyn KindPolicy>,
    /// Mixed into content hashes so that a settings change reprocesses.
    settings_fingerprint: u128,
    /// Whether URL placeholders are fetched (`validate` runs offline and
    /// only checks that they are URLs).
    fetch_urls: bool,
}

impl Processor {
    /// A processor reading through `reader` and checking kinds with `kinds`.
    pub fn new(reader: Reader, kinds: Arc<dyn KindPolicy>, settings_fingerprint: u128) -> Self {
        Processor {
            reader,
            kinds,
            settings_fingerprint,
            fetch_urls: true,
        }
    }

    /// A processor that does not fetch URL placeholders: it substitutes the
    /// URL itself (`$text`) or an empty object (`$json`, `$yaml`). Local
    /// placeholder files are still read, so missing ones are reported.
    pub fn offline(mut self) -> Self {
        self.fetch_urls = false;
        self
    }

    /// The reader this processor uses.
    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    /// Reads the source's bytes.
    pub fn read(&self, spec: &SourceSpec) -> Result<Vec<u8>, ReadError> {
        match &spec.location {
            SourceLocation::File(path) => self.reader.read_file(path, spec.sandbox.as_deref()),
            SourceLocation::Url(url) => self.reader.read_url(url),
            SourceLocation::Registered(r) => Ok(serde_json::to_vec(
                &crate::registered::location_entity(&r.location_type, &r.target),
            )
            .unwrap_or_default()),
        }
    }

    /// Fingerprint of a source's bytes under the current settings.
    pub fn content_hash(&self, bytes: &[u8]) -> String {
        let mut fp = Fingerprint::new();
        fp.add_u128(self.settings_fingerprint);
        fp.add(bytes);
        fp.finish()
    }

    /// Reads and processes one source. `unchanged_hash` is the stored content
    /// hash: when the bytes still hash to it and the source is not volatile,
    /// `Ok(None)` is returned and nothing is parsed.
    pub fn process(
        &self,
        spec: &SourceSpec,
        unchanged_hash: Option<&str>,
        volatile: bool,
    ) -> Option<SourceOutcome> {
        let key = spec.key();
        let bytes = match self.read(spec) {
            Ok(bytes) => bytes,
            Err(ReadError::NotFound(_)) if spec.presence == Presence::Optional => Vec::new(),
            Err(e) => {
                return Some(SourceOutcome::unreadable(Problem::new(
                    e.error_name(),
                    e.to_string(),
                    ProblemPlace {
                        source: key,
                        ..Default::default()
                    },
                )));
            }
        };
        let content_hash = self.content_hash(&bytes);
        if !volatile && unchanged_hash == Some(content_hash.as_str()) {
            return None;
        }
        let mut outcome = self.process_bytes(spec, &bytes);
        outcome.content_hash = Some(content_hash);
        Some(outcome)
    }

    /// Processes already-read bytes of a source.
    pub fn process_bytes(&self, spec: &SourceSpec, bytes: &[u8]) -> SourceOutcome {
        let key = spec.key();
        let mut outcome = SourceOutcome {
            content_hash: None,
            problems: Vec::new(),
            partial: false,
            entities: Vec::new(),
            volatile: false,
        };
        let limits = Limits {
            max_bytes: usize::try_from(self.reader.max_bytes()).unwrap_or(usize::MAX),
            ..Limits::default()
        };
        let documents = match greenroom_yaml::parse_documents(bytes, &limits) {
            Ok(documents) => documents,
            Err(e) => {
                outcome.partial = true;
                outcome.problems.push(Problem::new(
                    "InputError",
                    e.to_string(),
                    ProblemPlace {
                        source: key,
                        ..Default::default()
                    },
                ));
                return outcome;
            }
        };
        for document in documents {
            match document {
                Ok(document) => self.process_document(spec, &key, document, &mut outcome),
                Err(e) => {
                    outcome.partial = true;
                    outcome.problems.push(Problem::new(
                        "YAMLError",
                        format!("YAML error: {}", e.message),
                        ProblemPlace {
                            source: key.clone(),
                            document: Some(e.index),
                            line: e.position.map(|p| p.line),
                            column: e.position.map(|p| p.column),
                            field: None,
                        },
                    ));
                }
            }
        }
        outcome
    }

    /// Processes one entity given as a JSON value (`POST /validate-entity`):
    /// the checks a document of `spec` gets. Problems carry the field they
    /// concern but no line or column (there is no YAML text).
    pub fn process_entity(&self, spec: &SourceSpec, value: Value) -> SourceOutcome {
        let mut outcome = SourceOutcome {
            content_hash: None,
            problems: Vec::new(),
            partial: false,
            entities: Vec::new(),
            volatile: false,
        };
        let document = Document {
            index: 1,
            value,
            source_map: SourceMap::default(),
        };
        self.process_document(spec, &spec.key(), document, &mut outcome);
        outcome
    }

    fn process_document(
        &self,
        spec: &SourceSpec,
        key: &str,
        document: Document,
        outcome: &mut SourceOutcome,
    ) {
        let Document {
            index,
            mut value,
            source_map,
        } = document;
        let place = |pointer: &str| place_of(key, index, &source_map, pointer);
        let Some(object) = value.as_object_mut() else {
            outcome.partial = true;
            outcome.problems.push(Problem::new(
                "InputError",
                format!("Expected object at root, got {}", json_type(&value)),
                place(""),
            ));
            return;
        };
        ensure_namespace(object);
        let entity_ref = match EntityRef::of_entity(&value) {
            Ok(entity_ref) => entity_ref,
            Err(e) => {
                // Without a kind and name there is no entity to attach the
                // problems to: report every issue on the source.
                outcome.partial = true;
                let mut problems = vec![Problem::new("InputError", e.to_string(), place(""))];
                problems.extend(
                    greenroom_model::validate_entity(&value)
                        .into_iter()
                        .map(|issue| issue_problem(&issue, &place)),
                );
                dedup_problems(&mut problems);
                outcome.problems.extend(problems);
                return;
            }
        };
        let mut problems = Vec::new();
        match greenroom_model::find_placeholders(&value) {
            Ok(found) => {
                if !found.is_empty() {
                    outcome.volatile = true;
                }
                for placeholder in found {
                    match self.resolve_placeholder(spec, placeholder.kind, &placeholder.target) {
                        Ok(resolved) => {
                            greenroom_model::substitute(&mut value, &placeholder.pointer, resolved);
                        }
                        Err(message) => {
                            problems.push(Problem::new(
                                "InputError",
                                format!(
                                    "Placeholder {} could not read location {}, {message}",
                                    placeholder.kind.key(),
                                    placeholder.target
                                ),
                                place(&placeholder.pointer),
                            ));
                            // Stand in the target text so the rest of the
                            // entity is still checked and every problem of
                            // the file is reported at once.
                            greenroom_model::substitute(
                                &mut value,
                                &placeholder.pointer,
                                Value::String(placeholder.target.clone()),
                            );
                        }
                    }
                }
            }
            Err(issues) => problems.extend(issues.iter().map(|issue| issue_problem(issue, &place))),
        }
        add_location_annotations(&mut value, spec);
        problems.extend(
            greenroom_model::validate_entity(&value)
                .iter()
                .map(|issue| issue_problem(issue, &place)),
        );
        let kind = greenroom_model::entity::kind(&value)
            .unwrap_or_default()
            .to_owned();
        if problems.is_empty() && !spec.all_kinds {
            let (origin_type, origin_target) = spec
                .origin
                .split_once(':')
                .unwrap_or(("", spec.origin.as_str()));
            let spec_type = greenroom_model::entity::spec_type(&value);
            if !self
                .kinds
                .allows(&kind, spec_type, origin_type, origin_target)
            {
                problems.push(Problem::new(
                    "NotAllowedError",
                    format!(
                        "Entity {} at {key}, originated at {}, is not of an allowed kind for that location (see catalog.rules)",
                        entity_ref.canonical(),
                        spec.origin
                    ),
                    place("/kind"),
                ));
            }
        }
        let mut relations = Vec::new();
        if problems.is_empty() {
            match greenroom_model::relations_of(&value) {
                Ok(found) => {
                    relations = found
                        .into_iter()
                        .map(|r| RelationRow {
                            source_ref: r.source.canonical().to_owned(),
                            relation_type: r.type_.to_owned(),
                            target_ref: r.target.canonical().to_owned(),
                        })
                        .collect()
                }
                Err(issues) => {
                    problems.extend(issues.iter().map(|issue| issue_problem(issue, &place)))
                }
            }
        }
        let mut children = Vec::new();
        if problems.is_empty() && kind.eq_ignore_ascii_case("location") {
            children =
                location_targets(spec, &value, entity_ref.canonical(), &place, &mut problems);
        }
        dedup_problems(&mut problems);
        let mut fp = Fingerprint::new();
        let outcome_entity = if problems.is_empty() {
            let processed = serde_json::to_string(&value).unwrap_or_default();
            fp.add(processed.as_bytes());
            for relation in &relations {
                fp.add(relation.relation_type.as_bytes());
                fp.add(relation.target_ref.as_bytes());
            }
            for child in &children {
                fp.add(child.target.key().as_bytes());
            }
            EntityOutcome::Ok {
                processed,
                relations,
                children,
            }
        } else {
            fp.add(b"failed");
            fp.add(crate::problem::problems_to_json(&problems).as_bytes());
            EntityOutcome::Failed { problems }
        };
        outcome.entities.push(ProcessedEntity {
            entity_ref,
            outcome: outcome_entity,
            result_hash: fp.finish(),
        });
    }

    /// Reads a placeholder's target relative to the source.
    fn resolve_placeholder(
        &self,
        spec: &SourceSpec,
        kind: PlaceholderKind,
        target: &str,
    ) -> Result<Value, String> {
        let remote = match (&spec.location, Url::parse(target)) {
            (_, Ok(url)) => Some(url),
            (SourceLocation::Url(base), Err(_)) => {
                Some(base.join(target).map_err(|e| e.to_string())?)
            }
            (SourceLocation::File(_) | SourceLocation::Registered(_), Err(_)) => None,
        };
        if let (Some(url), false) = (&remote, self.fetch_urls) {
            return Ok(match kind {
                PlaceholderKind::Text => Value::String(url.to_string()),
                PlaceholderKind::Json | PlaceholderKind::Yaml => Value::Object(Map::new()),
            });
        }
        let bytes = match (&spec.location, remote) {
            (_, Some(url)) => self.reader.read_url(&url).map_err(|e| e.to_string())?,
            (SourceLocation::Url(_), None) => return Err("not a URL".to_owned()),
            (SourceLocation::Registered(_), None) => {
                return Err("not an absolute URL".to_owned());
            }
            (SourceLocation::File(_), None) => {
                let resolved =
                    resolve_target(&spec.location, spec.sandbox.as_deref(), "file", target)
                        .map_err(|e| e.to_string())?;
                let TargetSpec::File { pattern } = resolved else {
                    return Err("not a file".to_owned());
                };
                self.reader
                    .read_file(&pattern, spec.sandbox.as_deref())
                    .map_err(|e| e.to_string())?
            }
        };
        match kind {
            PlaceholderKind::Text => String::from_utf8(bytes)
                .map(Value::String)
                .map_err(|_| "the file is not valid UTF-8 text".to_owned()),
            PlaceholderKind::Json => serde_json::from_slice(&bytes)
                .map_err(|e| format!("failed to parse JSON data, {e}")),
            PlaceholderKind::Yaml => {
                let limits = Limits {
                    max_bytes: usize::try_from(self.reader.max_bytes()).unwrap_or(usize::MAX),
                    ..Limits::default()
                };
                greenroom_yaml::parse_single(&bytes, &limits)
                    .map(|document| document.value)
                    .map_err(|e| format!("failed to parse YAML data, {e}"))
            }
        }
    }
}

/// `metadata.namespace: default` when absent (Backstage's DefaultNamespaceEntityPolicy).
fn ensure_namespace(object: &mut Map<String, Value>) {
    if let Some(Value::Object(metadata)) = object.get_mut("metadata")
        && !metadata.contains_key("namespace")
    {
        metadata.insert("namespace".to_owned(), Value::String("default".to_owned()));
    }
}

/// Adds the catalog-managed annotations; values written in the file win.
fn add_location_annotations(value: &mut Value, spec: &SourceSpec) {
    let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations_value = metadata
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(map) = annotations_value.as_object_mut() else {
        return;
    };
    let mut defaults = vec![
        (annotations::MANAGED_BY_LOCATION, spec.key()),
        (annotations::MANAGED_BY_ORIGIN_LOCATION, spec.origin.clone()),
    ];
    // A registered URL location's own Location entity is annotated like an
    // entity read from that URL (as Backstage annotates it).
    let url = match &spec.location {
        SourceLocation::Url(url) => Some(url.clone()),
        SourceLocation::Registered(r) if r.location_type == "url" => Url::parse(&r.target).ok(),
        SourceLocation::Registered(_) | SourceLocation::File(_) => None,
    };
    if let Some(url) = &url {
        defaults.push((annotations::VIEW_URL, url.to_string()));
        if let Ok(dir) = url.join("./") {
            defaults.push((annotations::SOURCE_LOCATION, format!("url:{dir}")));
        }
        if let Some(edit) = edit_url(url) {
            defaults.push((annotations::EDIT_URL, edit));
        }
    }
    for (key, default) in defaults {
        if !map.contains_key(key) {
            map.insert(key.to_owned(), Value::String(default));
        }
    }
}

/// Where a person edits the file behind a URL, for the SCM URL shapes we
/// know (GitHub `/blob/` and GitLab `/-/blob/`); `None` for other URLs and
/// for URLs pinned to a commit (editing a commit is impossible), as
/// Backstage does.
fn edit_url(url: &url::Url) -> Option<String> {
    let path = url.path();
    let pinned = path
        .split('/')
        .any(|segment| segment.len() >= 40 && segment.bytes().all(|b| b.is_ascii_hexdigit()));
    if pinned {
        return None;
    }
    let edited = if path.contains("/-/blob/") {
        path.replacen("/-/blob/", "/-/edit/", 1)
    } else if url
        .host_str()
        .is_some_and(|h| h == "github.com" || h.starts_with("github."))
        && path.contains("/blob/")
    {
        path.replacen("/blob/", "/edit/", 1)
    } else {
        return None;
    };
    let mut edit = url.clone();
    edit.set_path(&edited);
    Some(edit.to_string())
}

/// The targets of a Location entity, resolved relative to its source.
fn location_targets(
    spec: &SourceSpec,
    value: &Value,
    location_ref: &str,
    place: &dyn Fn(&str) -> ProblemPlace,
    problems: &mut Vec<Problem>,
) -> Vec<ChildTarget> {
    let location_spec = value.get("spec");
    let kind = location_spec
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .unwrap_or(spec.location.type_name());
    let presence = match location_spec
        .and_then(|s| s.get("presence"))
        .and_then(Value::as_str)
    {
        Some("optional") => Presence::Optional,
        _ => Presence::Required,
    };
    let mut targets: Vec<(String, &str)> = Vec::new();
    if let Some(target) = location_spec
        .and_then(|s| s.get("target"))
        .and_then(Value::as_str)
    {
        targets.push(("/spec/target".to_owned(), target));
    }
    if let Some(list) = location_spec
        .and_then(|s| s.get("targets"))
        .and_then(Value::as_array)
    {
        for (i, target) in list.iter().enumerate() {
            if let Some(target) = target.as_str() {
                targets.push((format!("/spec/targets/{i}"), target));
            }
        }
    }
    let mut children = Vec::with_capacity(targets.len());
    for (pointer, target) in targets {
        match resolve_target(&spec.location, spec.sandbox.as_deref(), kind, target) {
            Ok(target) => children.push(ChildTarget {
                parent_ref: location_ref.to_owned(),
                target,
                presence,
            }),
            Err(e) => problems.push(Problem::new("InputError", e.to_string(), place(&pointer))),
        }
    }
    children
}

fn place_of(source: &str, document: usize, source_map: &SourceMap, pointer: &str) -> ProblemPlace {
    let position = source_map.locate(pointer);
    ProblemPlace {
        source: source.to_owned(),
        document: Some(document),
        line: position.map(|p| p.line),
        column: position.map(|p| p.column),
        field: Some(pointer_to_field(pointer)).filter(|f| !f.is_empty()),
    }
}

fn issue_problem(issue: &Issue, place: &dyn Fn(&str) -> ProblemPlace) -> Problem {
    Problem::new("InputError", issue.message.clone(), place(&issue.pointer))
}

fn dedup_problems(problems: &mut Vec<Problem>) {
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert((p.message.clone(), p.place.field.clone())));
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The sandbox and location of a single file checked by `greenroom validate`.
pub fn validation_spec(path: &Path) -> SourceSpec {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let location = SourceLocation::File(crate::location::normalize(&absolute));
    let sandbox = match &location {
        SourceLocation::File(p) => p.parent().map(Path::to_path_buf),
        SourceLocation::Url(_) | SourceLocation::Registered(_) => None,
    };
    SourceSpec {
        origin: location.key(),
        root: location.key(),
        location,
        sandbox,
        parent_ref: None,
        parent_source: None,
        presence: Presence::Required,
        all_kinds: true,
    }
}

#[cfg(test)]
mod tests {
    use super::edit_url;

    fn edit(url: &str) -> Option<String> {
        edit_url(&url::Url::parse(url).unwrap())
    }

    #[test]
    fn github_and_gitlab_blob_urls_get_edit_urls() {
        assert_eq!(
            edit("https://github.com/acme/svc/blob/main/catalog-info.yaml").as_deref(),
            Some("https://github.com/acme/svc/edit/main/catalog-info.yaml")
        );
        assert_eq!(
            edit("https://gitlab.example.com/g/svc/-/blob/main/catalog-info.yaml").as_deref(),
            Some("https://gitlab.example.com/g/svc/-/edit/main/catalog-info.yaml")
        );
    }

    #[test]
    fn pinned_and_unknown_urls_get_none() {
        assert_eq!(
            edit(
                "https://github.com/acme/svc/blob/dab6854d4d599aafb0eb36e6c7ae1fe0c37509b7/catalog-info.yaml"
            ),
            None
        );
        assert_eq!(edit("https://files.example.com/catalog-info.yaml"), None);
    }
}
