//! Reads one config file into a layer: YAML parsing, `$env` / `$file` /
//! `$include` includes and `${VAR}` substitution, recording the origin of
//! every node on the way.
//!
//! The rules follow Backstage's config loader: an include is a mapping with
//! exactly one key, that key being `$env`, `$file` or `$include` (other `$`
//! keys, like `$not` in frontend filters, are ordinary keys); include paths
//! are relative to the including file and may use `${VAR}`; `$file` yields
//! the file's text with trailing whitespace trimmed; `$include` parses a
//! `.yaml`, `.yml` or `.json` file and may select a part of it with
//! `#dot.path`; values produced by `$env` and `$file` are not substituted
//! further. Unlike Backstage, an unset variable or an unreadable include is
//! an error naming the key, never a silently missing value.

use std::path::{Path, PathBuf};

use greenroom_yaml::{Limits, SingleError, SourceMap};
use serde_json::{Map, Value};

use crate::environment::Environment;
use crate::error::ConfigError;
use crate::origin::{KeyPath, Origins, Source, escape_pointer};
use crate::substitute::{self, Unresolved};

/// One configuration source after includes and substitution.
#[derive(Debug, Default)]
pub(crate) struct Layer {
    pub(crate) value: Value,
    pub(crate) origins: Origins,
}

/// Reads, parses and resolves one config file. Its top level must be a
/// mapping; an empty file counts as an empty mapping.
pub(crate) fn load_file(path: &Path, env: &dyn Environment) -> Result<Layer, ConfigError> {
    let bytes = std::fs::read(path).map_err(|reason| ConfigError::ReadFile {
        path: path.to_owned(),
        reason,
    })?;
    let parsed = parse_yaml(&bytes).map_err(|reason| ConfigError::Yaml {
        path: path.to_owned(),
        reason,
    })?;
    let (value, source_map) = match parsed {
        Some((Value::Null, _)) | None => (Value::Object(Map::new()), None),
        Some((value @ Value::Object(_), map)) => (value, Some(map)),
        Some((other, _)) => {
            return Err(ConfigError::NotAMapping {
                path: path.to_owned(),
                found: describe_kind(&other).to_owned(),
            });
        }
    };
    let absolute = absolute(path);
    let mut resolver = Resolver {
        env,
        origins: Origins::default(),
        stack: vec![absolute.clone()],
    };
    let file = FileContext {
        shown: path.to_owned(),
        dir: absolute.parent().map(Path::to_owned).unwrap_or_default(),
        source_map: source_map.as_ref(),
    };
    let value = resolver.transform(value, &file, "", &KeyPath::root())?;
    Ok(Layer {
        value,
        origins: resolver.origins,
    })
}

/// Parses one YAML document; a stream with no document at all is `None`.
fn parse_yaml(bytes: &[u8]) -> Result<Option<(Value, SourceMap)>, SingleError> {
    match greenroom_yaml::parse_single(bytes, &Limits::default()) {
        Ok(document) => Ok(Some((document.value, document.source_map))),
        Err(SingleError::DocumentCount(0)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The file a node is being read from.
struct FileContext<'m> {
    /// The file's path as shown in messages.
    shown: PathBuf,
    /// Absolute folder of the file; include paths are relative to it.
    dir: PathBuf,
    /// Positions of the file's nodes (none for JSON includes).
    source_map: Option<&'m SourceMap>,
}

impl FileContext<'_> {
    fn source(&self, pointer: &str) -> Source {
        Source::File {
            path: self.shown.clone(),
            line: self
                .source_map
                .and_then(|map| map.locate(pointer))
                .map(|position| position.line),
        }
    }
}

/// Walks one file's tree, resolving includes and substitutions.
struct Resolver<'e> {
    env: &'e dyn Environment,
    origins: Origins,
    /// Absolute paths of the files being read, to refuse include cycles.
    stack: Vec<PathBuf>,
}

impl Resolver<'_> {
    /// Resolves `value`, read from `file` at `pointer`, that will live at
    /// `key` of the layer.
    fn transform(
        &mut self,
        value: Value,
        file: &FileContext<'_>,
        pointer: &str,
        key: &KeyPath,
    ) -> Result<Value, ConfigError> {
        let here = file.source(pointer);
        self.origins.insert(key.pointer(), here.clone());
        match value {
            Value::Object(map) => {
                if let Some(include) = include_key(&map) {
                    return self.include(map, include, file, key, here);
                }
                let mut out = Map::with_capacity(map.len());
                for (name, child) in map {
                    let child_pointer = format!("{pointer}/{}", escape_pointer(&name));
                    let resolved = self.transform(child, file, &child_pointer, &key.key(&name))?;
                    out.insert(name, resolved);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.into_iter().enumerate() {
                    let child_pointer = format!("{pointer}/{index}");
                    out.push(self.transform(item, file, &child_pointer, &key.index(index))?);
                }
                Ok(Value::Array(out))
            }
            Value::String(text) => Ok(Value::String(self.substitute(&text, key, &here)?)),
            scalar => Ok(scalar),
        }
    }

    fn substitute(&self, text: &str, key: &KeyPath, at: &Source) -> Result<String, ConfigError> {
        substitute::substitute(text, self.env)
            .map_err(|unresolved| unresolved_error(unresolved, key, at))
    }

    /// Resolves an include mapping (`{$file: ...}` and friends).
    fn include(
        &mut self,
        map: Map<String, Value>,
        include: &str,
        file: &FileContext<'_>,
        key: &KeyPath,
        here: Source,
    ) -> Result<Value, ConfigError> {
        let problem = |message: String| ConfigError::Value {
            key: key.to_string(),
            message,
            at: here.clone(),
        };
        if map.len() != 1 {
            return Err(problem(format!(
                "include key {include} must be the only key of its mapping"
            )));
        }
        let Some(Value::String(raw)) = map.get(include) else {
            return Err(problem(format!("the value of {include} must be a string")));
        };
        let argument = self.substitute(raw, key, &here)?;
        match include {
            "$env" => substitute::lookup(&argument, self.env)
                .map(Value::String)
                .map_err(|unresolved| unresolved_error(unresolved, key, &here)),
            "$file" => {
                let target = file.dir.join(&argument);
                let text = std::fs::read_to_string(&target).map_err(|error| {
                    problem(format!(
                        "$file cannot read {argument} ({}): {error}",
                        target.display()
                    ))
                })?;
                Ok(Value::String(text.trim_end().to_owned()))
            }
            _ => self.include_document(&argument, file, key, problem),
        }
    }

    /// Resolves `$include: path[#dot.path]`.
    fn include_document(
        &mut self,
        argument: &str,
        file: &FileContext<'_>,
        key: &KeyPath,
        problem: impl Fn(String) -> ConfigError,
    ) -> Result<Value, ConfigError> {
        let (relative, selector) = match argument.split_once('#') {
            Some((path, selector)) => (path, Some(selector)),
            None => (argument, None),
        };
        let format = match Path::new(relative).extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => IncludeFormat::Yaml,
            Some("json") => IncludeFormat::Json,
            _ => {
                return Err(problem(format!(
                    "$include of {relative}: only .yaml, .yml and .json files can be included"
                )));
            }
        };
        let target = normalize(&file.dir.join(relative));
        if self.stack.contains(&target) {
            return Err(problem(format!(
                "$include of {relative} ({}) would include itself",
                target.display()
            )));
        }
        let bytes = std::fs::read(&target).map_err(|error| {
            problem(format!(
                "$include cannot read {relative} ({}): {error}",
                target.display()
            ))
        })?;
        let (document, source_map) = match format {
            IncludeFormat::Yaml => match parse_yaml(&bytes) {
                Ok(Some((value, map))) => (value, Some(map)),
                Ok(None) => (Value::Null, None),
                Err(error) => {
                    return Err(problem(format!("$include of {relative}: {error}")));
                }
            },
            IncludeFormat::Json => match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => (value, None),
                Err(error) => {
                    return Err(problem(format!(
                        "$include of {relative}: invalid JSON: {error}"
                    )));
                }
            },
        };

        // Select the part named after `#`, one mapping key per dot.
        let mut selected = document;
        let mut selected_pointer = String::new();
        if let Some(selector) = selector {
            for (depth, part) in selector.split('.').enumerate() {
                let Value::Object(mut map) = selected else {
                    let parent = selector
                        .split('.')
                        .take(depth)
                        .collect::<Vec<_>>()
                        .join(".");
                    return Err(problem(format!(
                        "$include of {relative}: the value at '{parent}' is not a mapping"
                    )));
                };
                let Some(child) = map.remove(part) else {
                    return Err(problem(format!(
                        "$include of {relative}: there is no value at '{selector}'"
                    )));
                };
                selected = child;
                selected_pointer = format!("{selected_pointer}/{}", escape_pointer(part));
            }
        }

        let included = FileContext {
            shown: normalize(&file.shown.parent().unwrap_or(Path::new("")).join(relative)),
            dir: target.parent().map(Path::to_owned).unwrap_or_default(),
            source_map: source_map.as_ref(),
        };
        self.stack.push(target);
        let result = self.transform(selected, &included, &selected_pointer, key);
        self.stack.pop();
        result
    }
}

#[derive(Clone, Copy)]
enum IncludeFormat {
    Yaml,
    Json,
}

/// The include key of `map`, if it is an include mapping.
fn include_key(map: &Map<String, Value>) -> Option<&'static str> {
    ["$env", "$file", "$include"]
        .into_iter()
        .find(|include| map.contains_key(*include))
}

fn unresolved_error(unresolved: Unresolved, key: &KeyPath, at: &Source) -> ConfigError {
    match unresolved {
        Unresolved::Unset(var) => ConfigError::MissingVariable {
            key: key.to_string(),
            var,
            at: at.clone(),
        },
        Unresolved::EmptyName => ConfigError::Value {
            key: key.to_string(),
            message: "`${}` names no environment variable (write `$${}` for a literal `${}`)"
                .to_owned(),
            at: at.clone(),
        },
    }
}

/// A word for the kind of a JSON value ("a list", "a string", ...).
pub(crate) fn describe_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// `path` made absolute against the current directory, without touching the
/// file system beyond that.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_owned()))
}

/// Removes `.` and resolves `..` components lexically, like Node's
/// `path.resolve` (symbolic links are not followed).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots_lexically() {
        assert_eq!(
            normalize(Path::new("/srv/app/./conf/../examples/x.yaml")),
            PathBuf::from("/srv/app/examples/x.yaml")
        );
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
    }
}
