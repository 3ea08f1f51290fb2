//! Rendering a skeleton folder into a task's workspace: the heart of the
//! `fetch:template` action.
//!
//! Every file and folder name is a template (a name that renders empty is
//! left out: the idiom for optional files); file contents are templates
//! unless `copyWithoutTemplating` matches them, or, with
//! `templateFileExtension`, unless they lack the extension (which is then
//! dropped). Binary files are copied as they are, and file modes are kept.
//!
//! Nothing may land outside the target folder: a rendered name that is
//! empty of meaning (`.`, `..`), holds a separator or is absolute is
//! refused, symbolic links in the skeleton are refused, and so is writing
//! through a symbolic link already in the target. Skeletons are bounded in
//! files and bytes.

use std::fs;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::{Value, json};

use crate::templating::{Delimiters, Limits, Templater, TemplatingError};

/// Most files a skeleton may hold.
pub const MAX_FILES: usize = 10_000;
/// Largest file that is rendered as a template, in bytes.
pub const MAX_TEMPLATED_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How `fetch:template` renders (its inputs of the same names).
#[derive(Debug, Clone, Default)]
pub struct SkeletonOptions {
    /// Globs (relative to the skeleton; `!` negates) whose contents are
    /// copied without rendering; their names are still rendered.
    pub copy_without_templating: Vec<String>,
    /// Only files with this extension (e.g. `.njk`) are rendered, and
    /// lose it; others are copied.
    pub template_file_extension: Option<String>,
    /// Overwrite files that already exist (default: keep them).
    pub replace: bool,
    /// `{{ cookiecutter.x }}` instead of `${{ values.x }}`.
    pub cookiecutter_compat: bool,
}

/// What rendering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkeletonReport {
    /// Files written, relative to the target, in walk order.
    pub written: Vec<PathBuf>,
    /// Files left out because their name rendered empty, or kept because
    /// they existed and `replace` was off.
    pub skipped: Vec<PathBuf>,
}

/// Why a skeleton could not be rendered; nothing outside the target is
/// ever written, but files written before the error stay in the target.
#[derive(Debug, thiserror::Error)]
pub enum SkeletonError {
    #[error("{path}: {reason}")]
    Unsafe { path: String, reason: String },
    #[error("{0}")]
    Template(#[from] TemplatingError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid copyWithoutTemplating glob '{glob}': {reason}")]
    Glob { glob: String, reason: String },
    #[error("the skeleton has more than {MAX_FILES} files")]
    TooManyFiles,
    #[error(
        "{path}: templateFileExtension cannot be combined with copyWithoutTemplating or cookiecutterCompat"
    )]
    Options { path: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SkeletonError + '_ {
    move |source| SkeletonError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Renders the skeleton folder `source` into `target` (created if needed)
/// with `values` as the template values.
pub fn render_skeleton(
    source: &Path,
    target: &Path,
    values: &Value,
    options: &SkeletonOptions,
) -> Result<SkeletonReport, SkeletonError> {
    if options.template_file_extension.is_some()
        && (options.cookiecutter_compat || !options.copy_without_templating.is_empty())
    {
        return Err(SkeletonError::Options {
            path: source.display().to_string(),
        });
    }
    let (templater, context) = if options.cookiecutter_compat {
        (
            Templater::new(Delimiters::Cookiecutter, Limits::default()),
            json!({ "cookiecutter": values }),
        )
    } else {
        (Templater::default(), json!({ "values": values }))
    };
    let raw = globs(&options.copy_without_templating)?;
    fs::create_dir_all(target).map_err(io(target))?;
    let mut walk = Walk {
        source,
        target,
        templater,
        context,
        raw,
        options,
        report: SkeletonReport::default(),
        files: 0,
    };
    walk.folder(Path::new(""), Path::new(""))?;
    Ok(walk.report)
}

/// `(include, exclude)` glob sets.
fn globs(patterns: &[String]) -> Result<(GlobSet, GlobSet), SkeletonError> {
    let mut include = GlobSetBuilder::new();
    let mut exclude = GlobSetBuilder::new();
    for pattern in patterns {
        let (builder, glob) = match pattern.strip_prefix('!') {
            Some(negated) => (&mut exclude, negated),
            None => (&mut include, pattern.as_str()),
        };
        let glob = glob.trim_start_matches("./");
        builder.add(Glob::new(glob).map_err(|e| SkeletonError::Glob {
            glob: pattern.clone(),
            reason: e.to_string(),
        })?);
    }
    let build = |builder: GlobSetBuilder| {
        builder.build().map_err(|e| SkeletonError::Glob {
            glob: patterns.join(", "),
            reason: e.to_string(),
        })
    };
    Ok((build(include)?, build(exclude)?))
}

struct Walk<'a> {
    source: &'a Path,
    target: &'a Path,
    templater: Templater,
    context: Value,
    raw: (GlobSet, GlobSet),
    options: &'a SkeletonOptions,
    report: SkeletonReport,
    files: usize,
}

impl Walk<'_> {
    /// Renders the skeleton folder at `from` (relative) into `to`
    /// (relative, already rendered).
    fn folder(&mut self, from: &Path, to: &Path) -> Result<(), SkeletonError> {
        let dir = self.source.join(from);
        let mut entries: Vec<_> = fs::read_dir(&dir)
            .map_err(io(&dir))?
            .collect::<Result<_, _>>()
            .map_err(io(&dir))?;
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let relative = from.join(entry.file_name());
            let kind = entry.file_type().map_err(io(&relative))?;
            if kind.is_symlink() {
                return Err(unsafe_path(
                    &relative,
                    "symbolic links are not allowed in skeletons",
                ));
            }
            let name = entry.file_name();
            let name = name
                .to_str()
                .ok_or_else(|| unsafe_path(&relative, "the file name is not valid UTF-8"))?;
            let Some(rendered) = self.render_name(&relative, name)? else {
                self.report.skipped.push(relative);
                continue;
            };
            let destination = to.join(&rendered);
            if kind.is_dir() {
                self.folder(&relative, &destination)?;
            } else if kind.is_file() {
                self.file(&relative, &destination)?;
            }
        }
        Ok(())
    }

    /// The rendered name of one path component; `None` when it renders
    /// empty (the file is left out).
    fn render_name(&self, relative: &Path, name: &str) -> Result<Option<String>, SkeletonError> {
        let place = relative.display().to_string();
        let mut rendered = self.templater.render_str(&place, name, &self.context)?;
        if let Some(extension) = &self.options.template_file_extension
            && let Some(stem) = rendered.strip_suffix(extension.as_str())
        {
            rendered = stem.to_owned();
        }
        if rendered.trim().is_empty() {
            return Ok(None);
        }
        let mut components = Path::new(&rendered).components();
        let single = matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(_)), None)
        );
        if !single || rendered.contains(['/', '\\', '\0']) {
            return Err(unsafe_path(
                relative,
                &format!("the name renders to '{rendered}', which would leave its folder"),
            ));
        }
        Ok(Some(rendered))
    }

    fn file(&mut self, from: &Path, to: &Path) -> Result<(), SkeletonError> {
        self.files += 1;
        if self.files > MAX_FILES {
            return Err(SkeletonError::TooManyFiles);
        }
        let source = self.source.join(from);
        let destination = self.target.join(to);
        self.check_no_links(to)?;
        if destination.exists() && !self.options.replace {
            self.report.skipped.push(to.to_owned());
            return Ok(());
        }
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let metadata = fs::metadata(&source).map_err(io(&source))?;
        if self.templated(from) && metadata.len() <= MAX_TEMPLATED_FILE_BYTES {
            let bytes = fs::read(&source).map_err(io(&source))?;
            match String::from_utf8(bytes) {
                Ok(text) => {
                    let place = from.display().to_string();
                    let rendered = self.templater.render_str(&place, &text, &self.context)?;
                    fs::write(&destination, rendered).map_err(io(&destination))?;
                }
                // Binary files are copied as they are.
                Err(bytes) => {
                    fs::write(&destination, bytes.into_bytes()).map_err(io(&destination))?
                }
            }
        } else {
            fs::copy(&source, &destination).map_err(io(&source))?;
        }
        fs::set_permissions(&destination, metadata.permissions()).map_err(io(&destination))?;
        self.report.written.push(to.to_owned());
        Ok(())
    }

    /// Whether the contents of the skeleton file `from` are rendered.
    fn templated(&self, from: &Path) -> bool {
        if let Some(extension) = &self.options.template_file_extension {
            return from.to_string_lossy().ends_with(extension.as_str());
        }
        let (include, exclude) = &self.raw;
        !include.is_match(from) || exclude.is_match(from)
    }

    /// Refuses to write through a symbolic link already in the target
    /// (an earlier step may have made one).
    fn check_no_links(&self, to: &Path) -> Result<(), SkeletonError> {
        let mut at = self.target.to_path_buf();
        for component in to.components() {
            at.push(component);
            if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(unsafe_path(
                    to,
                    "the target path goes through a symbolic link in the workspace",
                ));
            }
        }
        Ok(())
    }
}

fn unsafe_path(path: &Path, reason: &str) -> SkeletonError {
    SkeletonError::Unsafe {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests;
