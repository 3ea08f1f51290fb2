//! Locations registered through the API (`POST /api/catalog/locations`) as
//! roots of the catalog.
//!
//! As in Backstage's `DefaultLocationStore`, each registered `{type, target}`
//! stands for a Location entity named `generated-<sha1 hex of "type:target">`,
//! managed by (and originating at) `type:target`, whose spec targets the
//! location. Greenroom emits that entity from a source of its own
//! (`registered:type:target`), so everything below it — the sandbox, rules
//! judged by origin, conflicts, orphans, errors shown on the parent Location
//! — works as for any other location.
//!
//! Backstage accepts only `url` locations by default. Greenroom also accepts
//! `file` locations (an absolute path to a file, a glob, or a folder whose
//! `catalog-info.yaml` files are discovered) because it is often run on local
//! folders. A `file` location's reads stay inside its own folder: the file's
//! folder, the glob's fixed prefix, or the folder itself; `..` segments are
//! refused outright.

use std::path::{Component, Path, PathBuf};

use greenroom_model::annotations;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use url::Url;

use crate::location::{Presence, SourceLocation, TargetSpec, has_glob, normalize, sandbox_of};
use crate::process::SourceSpec;

/// Location types that may be registered.
pub const ALLOWED_TYPES: [&str; 2] = ["url", "file"];

/// Longest accepted target, in bytes.
pub const MAX_TARGET_BYTES: usize = 8192;

/// A registered location as a source: its only content is the generated
/// Location entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegisteredLocation {
    pub location_type: String,
    pub target: String,
}

/// Why a `{type, target}` cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    #[error("Registered locations must be of an allowed type [\"url\",\"file\"], got {0:?}")]
    TypeNotAllowed(String),
    #[error("the location target must not be empty")]
    EmptyTarget,
    #[error("the location target is longer than {MAX_TARGET_BYTES} bytes")]
    TooLong,
    #[error("the location target may not contain control characters")]
    ControlCharacters,
    #[error("file location targets must be absolute paths, got {0:?}")]
    NotAbsolute(String),
    #[error("file location targets may not contain '..' segments, got {0:?}")]
    ParentSegment(String),
    #[error(
        "a file location target ending with a path separator must be an existing folder, got {0:?}"
    )]
    TrailingSeparator(String),
    #[error("url location target {target:?} is not a valid URL: {reason}")]
    BadUrl { target: String, reason: String },
    #[error("url location targets must be http or https URLs, got {0:?}")]
    UnsupportedScheme(String),
}

/// `type:target`, Backstage's location reference (and the origin of
/// everything below the location).
pub fn location_ref(location_type: &str, target: &str) -> String {
    format!("{location_type}:{target}")
}

/// `generated-<sha1 hex of "type:target">`, Backstage's name for the
/// Location entity of a registered location.
pub fn entity_name(location_type: &str, target: &str) -> String {
    let digest = Sha1::digest(location_ref(location_type, target).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("generated-{hex}")
}

/// `location:default/generated-…`, the ref of that entity.
pub fn entity_ref(location_type: &str, target: &str) -> String {
    format!("location:default/{}", entity_name(location_type, target))
}

/// Key of the source that emits the Location entity; also the root key of
/// every source reached from the location.
pub fn source_key(location_type: &str, target: &str) -> String {
    format!("registered:{}", location_ref(location_type, target))
}

/// Checks the shape of a location without touching the file system.
pub fn check(location_type: &str, target: &str) -> Result<(), RegistrationError> {
    if !ALLOWED_TYPES.contains(&location_type) {
        return Err(RegistrationError::TypeNotAllowed(location_type.to_owned()));
    }
    if target.is_empty() {
        return Err(RegistrationError::EmptyTarget);
    }
    if target.len() > MAX_TARGET_BYTES {
        return Err(RegistrationError::TooLong);
    }
    if target.chars().any(char::is_control) {
        return Err(RegistrationError::ControlCharacters);
    }
    if location_type == "file" {
        let path = Path::new(target);
        if !path.is_absolute() {
            return Err(RegistrationError::NotAbsolute(target.to_owned()));
        }
        if path.components().any(|c| c == Component::ParentDir) {
            return Err(RegistrationError::ParentSegment(target.to_owned()));
        }
    } else {
        let url = Url::parse(target).map_err(|e| RegistrationError::BadUrl {
            target: target.to_owned(),
            reason: e.to_string(),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(RegistrationError::UnsupportedScheme(target.to_owned()));
        }
    }
    Ok(())
}

/// What the location targets: a URL, a file or glob, or (for an existing
/// folder) every `catalog-info.yaml` below it.
pub fn target_spec(location_type: &str, target: &str) -> Result<TargetSpec, RegistrationError> {
    check(location_type, target)?;
    if location_type == "url" {
        let url = Url::parse(target).map_err(|e| RegistrationError::BadUrl {
            target: target.to_owned(),
            reason: e.to_string(),
        })?;
        return Ok(TargetSpec::Url { url });
    }
    let path = normalize(Path::new(target));
    if !has_glob(target) && path.is_dir() {
        return Ok(TargetSpec::Discover { dir: path });
    }
    if target.ends_with('/') || target.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(RegistrationError::TrailingSeparator(target.to_owned()));
    }
    Ok(TargetSpec::File { pattern: path })
}

/// The folder reads below a `file` location may not leave (`None` for URLs).
pub fn sandbox(location_type: &str, target: &str) -> Result<Option<PathBuf>, RegistrationError> {
    Ok(sandbox_of(&target_spec(location_type, target)?))
}

/// The Location entity Backstage generates for a registered location.
pub fn location_entity(location_type: &str, target: &str) -> Value {
    let reference = location_ref(location_type, target);
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": entity_name(location_type, target),
            "namespace": "default",
            "annotations": {
                (annotations::MANAGED_BY_LOCATION): reference,
                (annotations::MANAGED_BY_ORIGIN_LOCATION): reference,
            },
        },
        "spec": {"type": location_type, "target": target},
    })
}

/// The root source of a registered location, for a refresh pass.
///
/// The generated Location entity itself is not subject to `catalog.rules`
/// (in Backstage it comes from an entity provider); what it reaches is,
/// judged by the origin `type:target` (see `engine::child_specs`).
pub fn root_spec(location_type: &str, target: &str) -> Result<SourceSpec, RegistrationError> {
    let sandbox = sandbox(location_type, target)?;
    let key = source_key(location_type, target);
    Ok(SourceSpec {
        location: SourceLocation::Registered(RegisteredLocation {
            location_type: location_type.to_owned(),
            target: target.to_owned(),
        }),
        sandbox,
        origin: location_ref(location_type, target),
        root: key,
        parent_ref: None,
        parent_source: None,
        presence: Presence::Required,
        all_kinds: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_match_backstage() {
        // Backstage's own example (computeLocationEntityRef).
        assert_eq!(
            entity_ref(
                "url",
                "https://github.com/backstage/demo/blob/master/catalog-info.yml"
            ),
            "location:default/generated-fa35d9c166e43ab7f4a7c59a00e88e4e8b5aba34"
        );
    }

    #[test]
    fn shapes_are_checked() {
        assert!(check("url", "https://h.example/catalog-info.yaml").is_ok());
        assert!(check("file", "/srv/repo/catalog-info.yaml").is_ok());
        for (kind, target) in [
            ("github", "https://h.example/x"),
            ("url", ""),
            ("url", "not a url"),
            ("url", "ftp://h.example/x"),
            ("url", "file:///etc/passwd"),
            ("file", "relative/catalog-info.yaml"),
            ("file", "/srv/repo/../etc/passwd"),
            ("file", "/srv/repo/\ncatalog-info.yaml"),
        ] {
            assert!(check(kind, target).is_err(), "{kind}:{target}");
        }
        let long = format!("https://h.example/{}", "a".repeat(MAX_TARGET_BYTES));
        assert_eq!(check("url", &long), Err(RegistrationError::TooLong));
    }

    #[test]
    fn file_targets_get_their_own_folder_as_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        assert_eq!(
            target_spec("file", root).unwrap(),
            TargetSpec::Discover {
                dir: dir.path().to_path_buf()
            }
        );
        assert_eq!(
            sandbox("file", root).unwrap(),
            Some(dir.path().to_path_buf())
        );
        let file = format!("{root}/svc/catalog-info.yaml");
        assert_eq!(
            sandbox("file", &file).unwrap(),
            Some(dir.path().join("svc"))
        );
        assert!(matches!(
            target_spec("file", &format!("{root}/missing/")),
            Err(RegistrationError::TrailingSeparator(_))
        ));
    }
}
