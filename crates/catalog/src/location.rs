//! Where descriptors come from: location keys, target resolution relative to
//! the file that names them, the sandbox a file location may not escape, and
//! glob and discovery expansion.
//!
//! Invariant: every file path this module hands out for reading is inside
//! the sandbox of the root it was reached from, lexically; the reader checks
//! the same again after resolving symlinks.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::registered::{RegisteredLocation, RegistrationError};

/// A concrete thing to read: one file or one URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "target", rename_all = "lowercase")]
pub enum SourceLocation {
    File(PathBuf),
    Url(Url),
    /// A location registered through the API: its only content is the
    /// Location entity generated for it (see [`crate::registered`]).
    Registered(RegisteredLocation),
}

impl SourceLocation {
    /// The location key (`file:/abs/path`, `url:https://…`), as used in
    /// `backstage.io/managed-by-location`.
    pub fn key(&self) -> String {
        match self {
            SourceLocation::File(path) => format!("file:{}", path.display()),
            SourceLocation::Url(url) => format!("url:{url}"),
            SourceLocation::Registered(r) => {
                crate::registered::source_key(&r.location_type, &r.target)
            }
        }
    }

    /// `file`, `url` or `registered`.
    pub fn type_name(&self) -> &'static str {
        match self {
            SourceLocation::File(_) => "file",
            SourceLocation::Url(_) => "url",
            SourceLocation::Registered(_) => "registered",
        }
    }

    /// The target part of the key.
    pub fn target(&self) -> String {
        match self {
            SourceLocation::File(path) => path.display().to_string(),
            SourceLocation::Url(url) => url.to_string(),
            SourceLocation::Registered(r) => {
                crate::registered::location_ref(&r.location_type, &r.target)
            }
        }
    }
}

/// What a Location entity (or a configured location) points at, before glob
/// expansion.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TargetSpec {
    /// An absolute path, possibly with glob characters.
    File { pattern: PathBuf },
    /// An absolute URL.
    Url { url: Url },
    /// Every `catalog-info.yaml`/`.yml` below a folder, honouring `.gitignore`.
    Discover { dir: PathBuf },
}

impl TargetSpec {
    /// The location key of the target itself (for origins and messages).
    pub fn key(&self) -> String {
        match self {
            TargetSpec::File { pattern } => format!("file:{}", pattern.display()),
            TargetSpec::Url { url } => format!("url:{url}"),
            TargetSpec::Discover { dir } => {
                format!("file:{}/**/catalog-info.yaml", dir.display())
            }
        }
    }
}

/// Whether a missing target is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    #[default]
    Required,
    Optional,
}

/// Why a target could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("target {target:?} escapes the location's root folder {root}")]
    EscapesRoot { target: String, root: String },
    #[error("target {target:?} is not a valid URL: {reason}")]
    BadUrl { target: String, reason: String },
    #[error("a file target ending with a path separator is not allowed: {target:?}")]
    TrailingSeparator { target: String },
    #[error("a {kind} target cannot be read from a {from} location: {target:?}")]
    TypeMismatch {
        kind: String,
        from: &'static str,
        target: String,
    },
    #[error("no processor was able to handle reading of {kind}:{target}")]
    UnknownType { kind: String, target: String },
    #[error("glob pattern {pattern:?} is not valid: {reason}")]
    BadGlob { pattern: String, reason: String },
    #[error(transparent)]
    Registration(#[from] RegistrationError),
}

/// Resolves `target` of the given `kind` relative to the source `base`,
/// keeping file targets inside `sandbox`.
pub fn resolve_target(
    base: &SourceLocation,
    sandbox: Option<&Path>,
    kind: &str,
    target: &str,
) -> Result<TargetSpec, TargetError> {
    match (kind, base) {
        ("file", SourceLocation::File(base_path)) => {
            if target.ends_with('/') || target.ends_with(std::path::MAIN_SEPARATOR) {
                return Err(TargetError::TrailingSeparator {
                    target: target.to_owned(),
                });
            }
            let dir = base_path.parent().unwrap_or(Path::new("/"));
            let joined = normalize(&dir.join(target));
            if let Some(root) = sandbox
                && !joined.starts_with(root)
            {
                return Err(TargetError::EscapesRoot {
                    target: target.to_owned(),
                    root: root.display().to_string(),
                });
            }
            Ok(TargetSpec::File { pattern: joined })
        }
        ("url", SourceLocation::Url(base_url)) => {
            let url = base_url.join(target).map_err(|e| TargetError::BadUrl {
                target: target.to_owned(),
                reason: e.to_string(),
            })?;
            Ok(TargetSpec::Url { url })
        }
        ("url", SourceLocation::File(_)) => {
            let url = Url::parse(target).map_err(|e| TargetError::BadUrl {
                target: target.to_owned(),
                reason: e.to_string(),
            })?;
            Ok(TargetSpec::Url { url })
        }
        ("file" | "url", SourceLocation::Registered(_)) => {
            // The target of a registered location's own Location entity:
            // absolute, checked like at registration.
            let spec = crate::registered::target_spec(kind, target)?;
            if let (Some(root), Some(base)) = (sandbox, sandbox_of(&spec))
                && !base.starts_with(root)
            {
                return Err(TargetError::EscapesRoot {
                    target: target.to_owned(),
                    root: root.display().to_string(),
                });
            }
            Ok(spec)
        }
        ("file", SourceLocation::Url(_)) => Err(TargetError::TypeMismatch {
            kind: kind.to_owned(),
            from: "url",
            target: target.to_owned(),
        }),
        _ => Err(TargetError::UnknownType {
            kind: kind.to_owned(),
            target: target.to_owned(),
        }),
    }
}

/// Resolves `..` and `.` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether a path or URL contains glob characters.
pub fn has_glob(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

/// The longest leading part of a glob pattern without glob characters.
pub fn glob_base(pattern: &Path) -> PathBuf {
    let mut base = PathBuf::new();
    for component in pattern.components() {
        if has_glob(&component.as_os_str().to_string_lossy()) {
            break;
        }
        base.push(component.as_os_str());
    }
    base
}

/// Expands a target to the concrete sources it names, in a stable order.
pub fn expand(spec: &TargetSpec) -> Result<Vec<SourceLocation>, TargetError> {
    match spec {
        TargetSpec::Url { url } => Ok(vec![SourceLocation::Url(url.clone())]),
        TargetSpec::File { pattern } => {
            let text = pattern.to_string_lossy();
            if !has_glob(&text) {
                return Ok(vec![SourceLocation::File(pattern.clone())]);
            }
            let matcher = globset::GlobBuilder::new(&text)
                .literal_separator(true)
                .build()
                .map_err(|e| TargetError::BadGlob {
                    pattern: text.to_string(),
                    reason: e.to_string(),
                })?
                .compile_matcher();
            let base = glob_base(pattern);
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&base)
                .standard_filters(false)
                .hidden(true)
                .build()
                .filter_map(Result::ok)
                .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
                .map(ignore::DirEntry::into_path)
                .filter(|path| matcher.is_match(path))
                .collect();
            found.sort();
            Ok(found.into_iter().map(SourceLocation::File).collect())
        }
        TargetSpec::Discover { dir } => Ok(discover(dir)
            .into_iter()
            .map(SourceLocation::File)
            .collect()),
    }
}

/// Every `catalog-info.yaml` / `catalog-info.yml` below `dir`, skipping what
/// `.gitignore` files exclude and hidden folders, sorted.
pub fn discover(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(false)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .filter(|entry| {
            let name = entry.file_name();
            name == "catalog-info.yaml" || name == "catalog-info.yml"
        })
        .map(ignore::DirEntry::into_path)
        .collect();
    found.sort();
    found
}

/// The folder file reads below a root may not leave.
pub fn sandbox_of(spec: &TargetSpec) -> Option<PathBuf> {
    match spec {
        TargetSpec::File { pattern } => {
            let base = glob_base(pattern);
            if has_glob(&pattern.to_string_lossy()) {
                Some(base)
            } else {
                base.parent().map(Path::to_path_buf)
            }
        }
        TargetSpec::Discover { dir } => Some(dir.clone()),
        TargetSpec::Url { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> SourceLocation {
        SourceLocation::File(PathBuf::from(path))
    }

    #[test]
    fn relative_file_targets_resolve_next_to_their_file() {
        let spec = resolve_target(
            &file("/repo/catalog-info.yaml"),
            Some(Path::new("/repo")),
            "file",
            "./services/a/catalog-info.yaml",
        )
        .unwrap();
        assert_eq!(
            spec,
            TargetSpec::File {
                pattern: PathBuf::from("/repo/services/a/catalog-info.yaml")
            }
        );
    }

    #[test]
    fn targets_may_not_escape_the_root() {
        for target in ["../outside.yaml", "/etc/passwd", "a/../../x.yaml"] {
            let err = resolve_target(
                &file("/repo/catalog-info.yaml"),
                Some(Path::new("/repo")),
                "file",
                target,
            )
            .unwrap_err();
            assert!(
                matches!(err, TargetError::EscapesRoot { .. }),
                "{target}: {err}"
            );
        }
    }

    #[test]
    fn url_targets_join_relative_to_url_sources() {
        let base = SourceLocation::Url(Url::parse("https://h.example/org/all.yaml").unwrap());
        let spec = resolve_target(&base, None, "url", "./a/catalog-info.yaml").unwrap();
        assert_eq!(spec.key(), "url:https://h.example/org/a/catalog-info.yaml");
        assert!(matches!(
            resolve_target(&base, None, "file", "/etc/passwd"),
            Err(TargetError::TypeMismatch { .. })
        ));
        assert!(matches!(
            resolve_target(&base, None, "github-discovery", "x"),
            Err(TargetError::UnknownType { .. })
        ));
    }

    #[test]
    fn globs_and_discovery_find_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for path in [
            "a/catalog-info.yaml",
            "b/c/catalog-info.yml",
            "ignored/catalog-info.yaml",
            "a/other.yaml",
        ] {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "x").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        let found = discover(root);
        let rel: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            rel,
            vec![
                PathBuf::from("a/catalog-info.yaml"),
                PathBuf::from("b/c/catalog-info.yml")
            ]
        );

        let spec = TargetSpec::File {
            pattern: root.join("*/*.yaml"),
        };
        let sources = expand(&spec).unwrap();
        assert_eq!(sources.len(), 3, "{sources:?}");
        assert_eq!(sandbox_of(&spec), Some(root.to_path_buf()));
    }
}
