//! `POST /analyze-location`: what a folder or a git repository already holds
//! for the catalog, or, when it holds nothing, the entity Backstage's
//! `RepoLocationAnalyzer` would propose for it.
//!
//! A `file` location is an absolute path to a folder (or one file) on the
//! server. A `url` location is a git repository: `http`/`https` URLs allowed
//! by `backend.reading.allow`, or a local `file://` repository. It is cloned
//! shallowly, without a working tree, into a temporary folder by the `git`
//! command, under a deadline, with only those protocols enabled, no
//! redirects, no prompts and no user or system git configuration; catalog
//! files are read from the commit itself, size-checked first.
//!
//! Everything here blocks (file reads, `git`): call it from a worker thread.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use url::Url;

use crate::location::{Presence, SourceLocation};
use crate::problem::Problem;
use crate::process::{EntityOutcome, Processor, SourceSpec};

/// Catalog files looked for when the request names none.
pub const DEFAULT_CATALOG_FILENAMES: [&str; 2] = ["catalog-info.yaml", "catalog-info.yml"];

/// Most catalog files one analysis reads.
pub const MAX_CATALOG_FILES: usize = 100;

/// Most bytes of `git` output kept (file listings of huge repositories).
const MAX_GIT_OUTPUT: usize = 64 * 1024 * 1024;

/// What to analyze.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzeRequest {
    pub location_type: String,
    pub target: String,
    /// Only files with exactly this name count as catalog files.
    pub catalog_filename: Option<String>,
}

/// An entity found in an existing catalog file, and where to register it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingEntity {
    pub entity: Value,
    pub location_type: String,
    pub target: String,
}

/// One field of a proposed entity and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedField {
    /// Dotted path (`spec.owner`).
    pub field: String,
    /// `analysisSuggestedValue`, `analysisSuggestedNoValue` or `needsUserInput`.
    pub state: &'static str,
    pub value: Option<String>,
    pub description: String,
}

/// A proposed (possibly incomplete) entity.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedEntity {
    pub entity: Value,
    pub fields: Vec<ProposedField>,
}

/// The answer: existing entities, or else a proposal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    pub existing: Vec<ExistingEntity>,
    pub generate: Vec<ProposedEntity>,
}

/// Why a location cannot be analyzed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    #[error("The given location.target is not a URL")]
    NotAUrl,
    #[error("{0}")]
    BadRequest(String),
    #[error("URL not allowed by backend.reading.allow configuration: {0}")]
    NotAllowed(String),
    #[error("{0}")]
    Git(String),
    #[error("git did not finish within {} seconds", .0.as_secs())]
    Timeout(Duration),
    /// A catalog file is too large to read.
    #[error("{0}")]
    TooLarge(String),
    /// A catalog file has problems (shown as `Name: place: message`,
    /// comma-separated).
    #[error("{}", describe_all(.0))]
    InvalidFile(Vec<Problem>),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Analyzes a folder or repository.
pub fn analyze(
    processor: &Processor,
    request: &AnalyzeRequest,
    timeout: Duration,
) -> Result<Analysis, AnalyzeError> {
    let names = catalog_filenames(request.catalog_filename.as_deref())?;
    match request.location_type.as_str() {
        "file" => analyze_folder(processor, &request.target, &names),
        "url" => {
            let url = Url::parse(&request.target).map_err(|_| AnalyzeError::NotAUrl)?;
            analyze_repository(processor, &url, &names, timeout)
        }
        other => Err(AnalyzeError::BadRequest(format!(
            "location.type must be url (a git repository) or file (a folder), got {other:?}"
        ))),
    }
}

/// The file names that count as catalog files.
fn catalog_filenames(requested: Option<&str>) -> Result<Vec<String>, AnalyzeError> {
    let Some(name) = requested else {
        return Ok(DEFAULT_CATALOG_FILENAMES.map(str::to_owned).to_vec());
    };
    let plain = !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control);
    if plain {
        Ok(vec![name.to_owned()])
    } else {
        Err(AnalyzeError::BadRequest(format!(
            "catalogFilename must be a plain file name, got {name:?}"
        )))
    }
}

fn analyze_folder(
    processor: &Processor,
    target: &str,
    names: &[String],
) -> Result<Analysis, AnalyzeError> {
    let path = Path::new(target);
    if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return Err(AnalyzeError::BadRequest(format!(
            "file locations must be absolute paths without '..' segments, got {target:?}"
        )));
    }
    let path = crate::location::normalize(path);
    let (root, files) = if path.is_dir() {
        (path.clone(), find_catalog_files(&path, names))
    } else if path.is_file() {
        let parent = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        (parent, vec![path.clone()])
    } else {
        return Err(AnalyzeError::BadRequest(format!(
            "{} does not exist",
            path.display()
        )));
    };
    let mut analysis = Analysis::default();
    for file in files.iter().take(MAX_CATALOG_FILES) {
        let location = SourceLocation::File(file.clone());
        let spec = source_spec(location, Some(root.clone()));
        let outcome = processor.process(&spec, None, false);
        let entities = accepted_entities(outcome)?;
        analysis
            .existing
            .extend(entities.into_iter().map(|entity| ExistingEntity {
                entity,
                location_type: "file".to_owned(),
                target: file.display().to_string(),
            }));
    }
    if files.is_empty() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".to_owned());
        analysis.generate.push(propose("file", target, &name, None));
    }
    Ok(analysis)
}

/// Catalog files below `dir`, skipping hidden and `.gitignore`d paths, sorted.
fn find_catalog_files(dir: &Path, names: &[String]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .parents(false)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy();
            names.iter().any(|n| *n == name)
        })
        .map(ignore::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

fn analyze_repository(
    processor: &Processor,
    url: &Url,
    names: &[String],
    timeout: Duration,
) -> Result<Analysis, AnalyzeError> {
    let local = match url.scheme() {
        "http" | "https" => {
            if !processor.reader().allows_url(url) {
                return Err(AnalyzeError::NotAllowed(url.to_string()));
            }
            None
        }
        "file" => {
            let path = url.to_file_path().map_err(|()| {
                AnalyzeError::BadRequest(format!("{url} does not name a local folder"))
            })?;
            if !path.exists() {
                return Err(AnalyzeError::BadRequest(format!(
                    "{} does not exist",
                    path.display()
                )));
            }
            Some(path)
        }
        other => {
            return Err(AnalyzeError::BadRequest(format!(
                "git repositories are cloned from http, https or file URLs, not {other}"
            )));
        }
    };
    let deadline = Instant::now() + timeout;
    let checkout = tempfile::Builder::new()
        .prefix("greenroom-analyze-")
        .tempdir()
        .map_err(|e| AnalyzeError::Internal(format!("no temporary folder: {e}")))?;
    let dir = checkout.path().join("repo");
    git(
        &[
            OsStr::new("clone"),
            OsStr::new("--depth=1"),
            OsStr::new("--single-branch"),
            OsStr::new("--no-checkout"),
            OsStr::new("--no-tags"),
            OsStr::new("--filter=blob:none"),
            OsStr::new("--quiet"),
            OsStr::new("--"),
            OsStr::new(url.as_str()),
            dir.as_os_str(),
        ],
        None,
        deadline,
        timeout,
    )
    .map_err(|e| match e {
        AnalyzeError::Git(message) => {
            AnalyzeError::Git(format!("could not clone {url}: {message}"))
        }
        other => other,
    })?;
    let branch = git(
        &[
            OsStr::new("symbolic-ref"),
            OsStr::new("--short"),
            OsStr::new("HEAD"),
        ],
        Some(&dir),
        deadline,
        timeout,
    )
    .map(|out| String::from_utf8_lossy(&out).trim().to_owned())
    .unwrap_or_else(|_| "HEAD".to_owned());
    let has_commit = git(
        &[
            OsStr::new("rev-parse"),
            OsStr::new("--verify"),
            OsStr::new("--quiet"),
            OsStr::new("HEAD"),
        ],
        Some(&dir),
        deadline,
        timeout,
    )
    .is_ok();
    let files = if has_commit {
        let listing = git(
            &[
                OsStr::new("ls-tree"),
                OsStr::new("-r"),
                OsStr::new("-z"),
                OsStr::new("--name-only"),
                OsStr::new("HEAD"),
            ],
            Some(&dir),
            deadline,
            timeout,
        )?;
        listing
            .split(|b| *b == 0)
            .filter_map(|path| std::str::from_utf8(path).ok())
            .filter(|path| {
                let name = path.rsplit('/').next().unwrap_or(path);
                names.iter().any(|n| n == name)
            })
            .map(str::to_owned)
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };

    let mut analysis = Analysis::default();
    let offline = processor.clone().offline();
    for path in files.iter().take(MAX_CATALOG_FILES) {
        let object = format!("HEAD:{path}");
        let size: u64 = git(
            &[
                OsStr::new("cat-file"),
                OsStr::new("-s"),
                OsStr::new(&object),
            ],
            Some(&dir),
            deadline,
            timeout,
        )
        .map(|out| {
            String::from_utf8_lossy(&out)
                .trim()
                .parse()
                .unwrap_or(u64::MAX)
        })?;
        if size > processor.reader().max_bytes() {
            return Err(AnalyzeError::TooLarge(format!(
                "InputError: {path} is {size} bytes, over the limit of {} bytes",
                processor.reader().max_bytes()
            )));
        }
        let bytes = git(
            &[
                OsStr::new("cat-file"),
                OsStr::new("blob"),
                OsStr::new(&object),
            ],
            Some(&dir),
            deadline,
            timeout,
        )?;
        // A local repository with a working tree is registered as files;
        // anything else by the URL its host shows the file at.
        let working_copy = local
            .as_ref()
            .map(|root| root.join(path))
            .filter(|file| file.is_file());
        let (spec, kind, target, used) = match working_copy {
            Some(file) => {
                let root = local.clone();
                let target = file.display().to_string();
                (
                    source_spec(SourceLocation::File(file), root),
                    "file",
                    target,
                    processor,
                )
            }
            None => {
                let blob = blob_url(url, &branch, path)?;
                let target = blob.to_string();
                (
                    source_spec(SourceLocation::Url(blob), None),
                    "url",
                    target,
                    &offline,
                )
            }
        };
        let entities = accepted_entities(Some(used.process_bytes(&spec, &bytes)))?;
        analysis
            .existing
            .extend(entities.into_iter().map(|entity| ExistingEntity {
                entity,
                location_type: kind.to_owned(),
                target: target.clone(),
            }));
    }
    if files.is_empty() {
        let name = repository_name(url);
        analysis
            .generate
            .push(propose("url", url.as_str(), &name, Some(url)));
    }
    Ok(analysis)
}

/// A catalog file processed as if registered on its own.
fn source_spec(location: SourceLocation, sandbox: Option<PathBuf>) -> SourceSpec {
    let key = location.key();
    SourceSpec {
        location,
        sandbox,
        origin: key.clone(),
        root: key,
        parent_ref: None,
        parent_source: None,
        presence: Presence::Required,
        all_kinds: false,
    }
}

/// The processed entities of a catalog file, or its problems.
fn accepted_entities(
    outcome: Option<crate::process::SourceOutcome>,
) -> Result<Vec<Value>, AnalyzeError> {
    let Some(outcome) = outcome else {
        return Ok(Vec::new());
    };
    let mut problems = outcome.problems;
    let mut entities = Vec::new();
    for entity in outcome.entities {
        match entity.outcome {
            EntityOutcome::Ok { processed, .. } => {
                entities.push(serde_json::from_str(&processed).unwrap_or(Value::Null));
            }
            EntityOutcome::Failed { problems: failed } => problems.extend(failed),
        }
    }
    if problems.is_empty() {
        Ok(entities)
    } else {
        Err(AnalyzeError::InvalidFile(problems))
    }
}

/// Problems as one line each `Name: place: message`, comma-separated.
fn describe_all(problems: &[Problem]) -> String {
    let described: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.name, p.describe()))
        .collect();
    described.join(", ")
}

/// Where the repository's host shows a file of the default branch.
fn blob_url(repository: &Url, branch: &str, path: &str) -> Result<Url, AnalyzeError> {
    let mut base = repository.clone();
    base.set_query(None);
    base.set_fragment(None);
    let text = base.as_str().trim_end_matches('/');
    let text = text.strip_suffix(".git").unwrap_or(text);
    let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
    let view = if host.contains("gitlab") {
        "-/blob"
    } else if host == "bitbucket.org" {
        "src"
    } else {
        "blob"
    };
    Url::parse(&format!("{text}/{view}/{branch}/{path}"))
        .map_err(|e| AnalyzeError::Internal(format!("cannot build the URL of {path}: {e}")))
}

/// The repository's name: the last path segment, without `.git`.
fn repository_name(url: &Url) -> String {
    let last = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .unwrap_or_default();
    let decoded = percent_decode(last);
    let name = decoded.strip_suffix(".git").unwrap_or(&decoded);
    if name.is_empty() {
        url.host_str().unwrap_or("repository").to_owned()
    } else {
        name.to_owned()
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| text.to_owned())
}

/// The entity Backstage's `RepoLocationAnalyzer` proposes: a Component
/// named after the repository (or folder), of type `other` and lifecycle
/// `unknown`, with the SCM project slug annotation for known hosts; its
/// owner is left for the user.
fn propose(location_type: &str, target: &str, name: &str, url: Option<&Url>) -> ProposedEntity {
    let metadata_name = metadata_name(name, location_type, target);
    let mut entity = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": metadata_name},
        "spec": {"type": "other", "lifecycle": "unknown"},
    });
    if let Some((key, slug)) = url.and_then(project_slug)
        && let Some(metadata) = entity.get_mut("metadata").and_then(Value::as_object_mut)
    {
        metadata.insert("annotations".to_owned(), json!({ key: slug }));
    }
    let fields = vec![
        ProposedField {
            field: "metadata.name".to_owned(),
            state: "analysisSuggestedValue",
            value: Some(metadata_name),
            description: format!(
                "Named after the {}",
                if url.is_some() {
                    "repository"
                } else {
                    "folder"
                }
            ),
        },
        ProposedField {
            field: "spec.owner".to_owned(),
            state: "needsUserInput",
            value: None,
            description: "The group or user that owns the component".to_owned(),
        },
    ];
    ProposedEntity { entity, fields }
}

/// `<host>/project-slug: owner/name` for the hosts Backstage integrates.
fn project_slug(url: &Url) -> Option<(String, String)> {
    let prefix = match url.host_str()?.to_ascii_lowercase().as_str() {
        "github.com" => "github.com",
        "gitlab.com" => "gitlab.com",
        "bitbucket.org" => "bitbucket.org",
        "dev.azure.com" => "dev.azure.com",
        _ => return None,
    };
    let segments: Vec<String> = url
        .path_segments()?
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let (name, owner) = segments.split_last()?;
    if owner.is_empty() {
        return None;
    }
    let name = name.strip_suffix(".git").unwrap_or(name);
    Some((
        format!("{prefix}/project-slug"),
        format!("{}/{name}", owner.join("/")),
    ))
}

/// A valid `metadata.name` from a repository or folder name: kept when
/// valid; otherwise invalid characters become `-`, the ends are trimmed,
/// and a short hash of `type:target` keeps it unique (as Backstage's
/// `repoNameToMetadataName`).
fn metadata_name(name: &str, location_type: &str, target: &str) -> String {
    if is_valid_name(name) {
        return name.to_owned();
    }
    let replaced: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = replaced.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let short: String = trimmed.chars().take(54).collect();
    let short = short.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    let digest = Sha1::digest(format!("{location_type}:{target}").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    if short.is_empty() {
        format!("component-{hash}")
    } else {
        format!("{short}-{hash}")
    }
}

/// Backstage's object name rule: 1–63 characters `[A-Za-z0-9-_.]`, starting
/// and ending with a letter or digit.
fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Runs `git` for analysis: `http(s)` and `file` remotes only.
fn git(
    args: &[&OsStr],
    cwd: Option<&Path>,
    deadline: Instant,
    timeout: Duration,
) -> Result<Vec<u8>, AnalyzeError> {
    crate::git::run(
        args,
        cwd,
        &crate::git::GitOptions {
            protocols: "http:https:file",
            deadline,
            max_output: MAX_GIT_OUTPUT,
            env: &[],
        },
    )
    .map_err(|e| match e {
        crate::git::GitError::Timeout => AnalyzeError::Timeout(timeout),
        crate::git::GitError::Spawn(message) => AnalyzeError::Internal(message),
        crate::git::GitError::Failed(message) => AnalyzeError::Git(message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_valid() {
        assert_eq!(metadata_name("checkout", "url", "x"), "checkout");
        let made = metadata_name("My Service!", "url", "https://h.example/My%20Service!");
        assert!(made.starts_with("My-Service-"), "{made}");
        assert!(is_valid_name(&made), "{made}");
        assert!(is_valid_name(&metadata_name("---", "url", "x")));
        assert!(is_valid_name(&metadata_name(&"a".repeat(80), "url", "x")));
    }

    #[test]
    fn repository_urls_give_names_slugs_and_blob_urls() {
        let url = Url::parse("https://github.com/acme/checkout.git").unwrap();
        assert_eq!(repository_name(&url), "checkout");
        assert_eq!(
            project_slug(&url),
            Some((
                "github.com/project-slug".to_owned(),
                "acme/checkout".to_owned()
            ))
        );
        assert_eq!(
            blob_url(&url, "main", "svc/catalog-info.yaml")
                .unwrap()
                .as_str(),
            "https://github.com/acme/checkout/blob/main/svc/catalog-info.yaml"
        );
        let gitlab = Url::parse("https://gitlab.example.com/g/sub/repo").unwrap();
        assert_eq!(
            blob_url(&gitlab, "trunk", "catalog-info.yaml")
                .unwrap()
                .as_str(),
            "https://gitlab.example.com/g/sub/repo/-/blob/trunk/catalog-info.yaml"
        );
        assert_eq!(project_slug(&gitlab), None);
    }

    #[test]
    fn catalog_filenames_must_be_plain_names() {
        assert!(catalog_filenames(Some("backstage.yaml")).is_ok());
        for bad in ["", "..", "a/b.yaml", "..\\x", "a\nb"] {
            assert!(catalog_filenames(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
