//! The import page's one field: a path or URL as someone typed it, read as
//! a catalog file to register as it is, a folder to look into, or a git
//! repository to analyze; and the plan of what importing it would do.

use std::path::Path;

use greenroom_catalog::analyze::AnalyzeRequest;
use url::Url;

use super::{Analysis, AnalysisFailure, LocationPreview, LocationSpec, Registrations};
use crate::error::ApiError;

/// Longest accepted input, in characters.
pub const MAX_INPUT_CHARS: usize = 2048;

/// Most locations previewed (dry run) on one page; the rest are listed.
pub const MAX_PREVIEWS: usize = 20;

/// What the import field named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportInput {
    /// One catalog file (a local file, or a URL ending in `.yaml`/`.yml`),
    /// registered as it is.
    File(LocationSpec),
    /// A folder on the server, searched for catalog files.
    Folder(String),
    /// A git repository, cloned and searched for catalog files.
    Repository(String),
}

impl ImportInput {
    /// Reads the field: an absolute path, a `file://` URL, or an `http(s)`
    /// URL (a catalog file when its path ends in `.yaml` or `.yml`, a git
    /// repository otherwise).
    pub fn parse(input: &str) -> Result<ImportInput, ApiError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(ApiError::Input(
                "Enter the path or URL of a catalog-info.yaml, a folder or a repository."
                    .to_owned(),
            ));
        }
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(ApiError::Input(format!(
                "The path or URL is longer than {MAX_INPUT_CHARS} characters."
            )));
        }
        if input.chars().any(char::is_control) {
            return Err(ApiError::Input(
                "The path or URL may not contain control characters (line breaks, tabs)."
                    .to_owned(),
            ));
        }
        let lower = input.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = Url::parse(input)
                .map_err(|e| ApiError::Input(format!("{input} is not a valid URL: {e}.")))?;
            return Ok(if is_catalog_file(url.path()) {
                ImportInput::File(LocationSpec::new("url", input))
            } else {
                ImportInput::Repository(input.to_owned())
            });
        }
        if lower.starts_with("file:") {
            let path = Url::parse(input)
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .ok_or_else(|| {
                    ApiError::Input(format!(
                        "{input} does not name a local path; write it as file:///absolute/path."
                    ))
                })?;
            return Ok(local(&path.display().to_string()));
        }
        if lower.starts_with("git@") || lower.starts_with("ssh://") || lower.starts_with("git://") {
            return Err(ApiError::Input(
                "SSH and git:// URLs cannot be read; use the repository's https URL.".to_owned(),
            ));
        }
        if input.starts_with('/') {
            return Ok(local(input));
        }
        Err(ApiError::Input(format!(
            "{input} is neither an absolute path nor a URL. Enter a path on the server starting with /, a file:// URL, or an http(s) URL."
        )))
    }

    /// How the input was read, for people.
    pub fn describe(&self) -> &'static str {
        match self {
            ImportInput::File(spec) if spec.location_type == "url" => "a catalog file at a URL",
            ImportInput::File(_) => "a catalog file on the server",
            ImportInput::Folder(_) => "a folder on the server",
            ImportInput::Repository(_) => "a git repository",
        }
    }
}

/// A local path: a folder is searched, anything else is one file (which
/// may not exist: the preview says so).
fn local(path: &str) -> ImportInput {
    if Path::new(path).is_dir() {
        ImportInput::Folder(path.to_owned())
    } else {
        ImportInput::File(LocationSpec::new("file", path))
    }
}

fn is_catalog_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// What importing an input would do.
#[derive(Debug)]
pub struct ImportPlan {
    pub input: ImportInput,
    /// The analysis of a folder or repository (`None` for one file).
    pub analysis: Option<Result<Analysis, AnalysisFailure>>,
    /// The locations to register, each with its dry run.
    pub previews: Vec<LocationPreview>,
    /// Locations to register beyond [`MAX_PREVIEWS`], not dry-run.
    pub not_previewed: Vec<LocationSpec>,
}

impl Registrations {
    /// Analyzes the input when it is a folder or repository, and dry-runs
    /// each location to register. Problems of the input are part of the
    /// plan; only store failures are errors.
    pub async fn plan_import(&self, input: ImportInput) -> Result<ImportPlan, ApiError> {
        let (analysis, mut locations) = match &input {
            ImportInput::File(spec) => (None, vec![spec.clone()]),
            ImportInput::Folder(target) | ImportInput::Repository(target) => {
                let location_type = if matches!(input, ImportInput::Folder(_)) {
                    "file"
                } else {
                    "url"
                };
                let analysis = self
                    .analyze(AnalyzeRequest {
                        location_type: location_type.to_owned(),
                        target: target.clone(),
                        catalog_filename: None,
                    })
                    .await;
                if let Err(failure) = &analysis
                    && matches!(failure.error, ApiError::Internal(_))
                {
                    return Err(ApiError::Internal(failure.error.to_string()));
                }
                let found: Vec<LocationSpec> = match &analysis {
                    Ok(analysis) => analysis
                        .existing
                        .iter()
                        .map(|found| found.location.clone())
                        .collect(),
                    // The analysis stops at a file with problems; a local
                    // one is previewed on its own, so people see which of
                    // its entities are fine and which are not.
                    Err(failure) if location_type == "file" => failure
                        .problems
                        .iter()
                        .filter_map(|problem| problem.place.source.strip_prefix("file:"))
                        .map(|path| LocationSpec::new("file", path))
                        .collect(),
                    Err(_) => Vec::new(),
                };
                let mut locations: Vec<LocationSpec> = Vec::new();
                for spec in found {
                    if !locations.contains(&spec) {
                        locations.push(spec);
                    }
                }
                (Some(analysis), locations)
            }
        };
        let not_previewed = locations.split_off(locations.len().min(MAX_PREVIEWS));
        let mut previews = Vec::with_capacity(locations.len());
        for spec in &locations {
            previews.push(self.preview(spec).await?);
        }
        Ok(ImportPlan {
            input,
            analysis,
            previews,
            not_previewed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls_are_read_by_their_shape() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().display().to_string();
        assert_eq!(
            ImportInput::parse(&format!("  {folder} ")).unwrap(),
            ImportInput::Folder(folder.clone())
        );
        assert_eq!(
            ImportInput::parse(&format!("file://{folder}")).unwrap(),
            ImportInput::Folder(folder.clone())
        );
        let file = format!("{folder}/catalog-info.yaml");
        assert_eq!(
            ImportInput::parse(&file).unwrap(),
            ImportInput::File(LocationSpec::new("file", &file))
        );
        assert_eq!(
            ImportInput::parse("https://git.example/org/repo/blob/main/catalog-info.YAML").unwrap(),
            ImportInput::File(LocationSpec::new(
                "url",
                "https://git.example/org/repo/blob/main/catalog-info.YAML"
            ))
        );
        assert_eq!(
            ImportInput::parse("https://git.example/org/repo").unwrap(),
            ImportInput::Repository("https://git.example/org/repo".to_owned())
        );
    }

    #[test]
    fn other_inputs_are_refused_with_a_reason() {
        for (input, needle) in [
            ("", "Enter the path"),
            ("catalog-info.yaml", "neither an absolute path nor a URL"),
            ("git@git.example:org/repo.git", "https URL"),
            ("https://", "not a valid URL"),
            ("/srv/a\nb", "control characters"),
            ("file://remote-host/share", "does not name a local path"),
        ] {
            let error = ImportInput::parse(input).unwrap_err().to_string();
            assert!(error.contains(needle), "{input:?}: {error}");
        }
        let long = format!("/{}", "a".repeat(MAX_INPUT_CHARS));
        assert!(ImportInput::parse(&long).is_err());
    }
}
