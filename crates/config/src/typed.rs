//! Small readers from the merged JSON tree into typed values, producing
//! errors that name the key, file and line of the offending value.
//!
//! Conversions follow Backstage's `ConfigReader`: numbers and booleans may
//! also be written as strings (`"7007"`, `"true"`), which is what `${VAR}`
//! substitution produces. `null` counts as "not set".

use std::path::PathBuf;

use serde_json::Value;

use crate::error::ConfigError;
use crate::origin::{KeyPath, Origins, Source};

/// One position in the merged tree, possibly holding no value.
#[derive(Clone)]
pub(crate) struct Node<'a> {
    value: Option<&'a Value>,
    path: KeyPath,
    origins: &'a Origins,
}

impl<'a> Node<'a> {
    /// The root of a merged tree.
    pub(crate) fn root(value: &'a Value, origins: &'a Origins) -> Self {
        Node {
            value: Some(value),
            path: KeyPath::root(),
            origins,
        }
    }

    /// The child `key` of this mapping (absent if this is no mapping).
    pub(crate) fn get(&self, key: &str) -> Node<'a> {
        Node {
            value: self
                .value
                .and_then(|v| v.as_object())
                .and_then(|map| map.get(key))
                .filter(|v| !v.is_null()),
            path: self.path.key(key),
            origins: self.origins,
        }
    }

    /// The value here, if set.
    pub(crate) fn value(&self) -> Option<&'a Value> {
        self.value
    }

    /// Whether a (non-null) value is set here.
    pub(crate) fn is_set(&self) -> bool {
        self.value.is_some()
    }

    /// The dotted key of this position.
    pub(crate) fn key(&self) -> String {
        self.path.to_string()
    }

    /// Where the value here (or its nearest ancestor) was written.
    pub(crate) fn source(&self) -> Source {
        self.origins.locate(&self.path.pointer())
    }

    /// The config file that set this value, if a file did.
    pub(crate) fn file(&self) -> Option<PathBuf> {
        match self.source() {
            Source::File { path, .. } => Some(path),
            _ => None,
        }
    }

    /// A type error for the value here.
    pub(crate) fn invalid(&self, expected: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            key: self.key(),
            expected: expected.into(),
            found: self.describe(),
            at: self.source(),
        }
    }

    /// Any other problem with the value here.
    pub(crate) fn problem(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Value {
            key: self.key(),
            message: message.into(),
            at: self.source(),
        }
    }

    /// The value, described for a message; secrets are never quoted.
    fn describe(&self) -> String {
        let Some(value) = self.value else {
            return "nothing".to_owned();
        };
        match value {
            Value::String(_) | Value::Number(_) if self.path.is_secret() => {
                crate::file::describe_kind(value).to_owned()
            }
            Value::String(text) => {
                let shown: String = text.chars().take(60).collect();
                let ellipsis = if shown.len() < text.len() { "..." } else { "" };
                format!("\"{shown}{ellipsis}\"")
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => value.to_string(),
            Value::Array(_) | Value::Object(_) => crate::file::describe_kind(value).to_owned(),
        }
    }

    /// A string, if set.
    pub(crate) fn opt_str(&self) -> Result<Option<&'a str>, ConfigError> {
        match self.value {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.invalid("a string")),
        }
    }

    /// A required string.
    pub(crate) fn req_str(&self) -> Result<&'a str, ConfigError> {
        self.opt_str()?
            .ok_or_else(|| self.problem("is required (a string)"))
    }

    /// A boolean (or `"true"` / `"false"`), if set.
    pub(crate) fn opt_bool(&self) -> Result<Option<bool>, ConfigError> {
        match self.value {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(Value::String(text)) if text == "true" => Ok(Some(true)),
            Some(Value::String(text)) if text == "false" => Ok(Some(false)),
            Some(_) => Err(self.invalid("true or false")),
        }
    }

    /// A non-negative integer (or its decimal string), if set; `expected`
    /// describes the accepted range in the error.
    pub(crate) fn opt_u64(&self, expected: &str) -> Result<Option<u64>, ConfigError> {
        match self.value {
            None => Ok(None),
            Some(Value::Number(number)) => number
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.invalid(expected)),
            Some(Value::String(text)) => text
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| self.invalid(expected)),
            Some(_) => Err(self.invalid(expected)),
        }
    }

    /// A non-negative number (or its decimal string), if set.
    pub(crate) fn opt_f64(&self, expected: &str) -> Result<Option<f64>, ConfigError> {
        let number = match self.value {
            None => return Ok(None),
            Some(Value::Number(number)) => number.as_f64(),
            Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        match number {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(self.invalid(expected)),
        }
    }

    /// The items of a list, if set.
    pub(crate) fn opt_list(&self) -> Result<Option<Vec<Node<'a>>>, ConfigError> {
        match self.value {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| Node {
                        value: Some(item).filter(|v| !v.is_null()),
                        path: self.path.index(index),
                        origins: self.origins,
                    })
                    .collect(),
            )),
            Some(_) => Err(self.invalid("a list")),
        }
    }

    /// A list of strings, if set.
    pub(crate) fn opt_str_list(&self) -> Result<Option<Vec<&'a str>>, ConfigError> {
        let Some(items) = self.opt_list()? else {
            return Ok(None);
        };
        items
            .iter()
            .map(Node::req_str)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// Fails unless the value, if set, is a mapping.
    pub(crate) fn expect_mapping(&self) -> Result<(), ConfigError> {
        match self.value {
            None | Some(Value::Object(_)) => Ok(()),
            Some(_) => Err(self.invalid("a mapping")),
        }
    }

    /// One of `allowed` (case-sensitive, as Backstage's enums are), if set.
    pub(crate) fn opt_choice(&self, allowed: &[&str]) -> Result<Option<&'a str>, ConfigError> {
        let expected = || format!("one of {}", allowed.join(", "));
        match self.value {
            None => Ok(None),
            Some(Value::String(text)) if allowed.contains(&text.as_str()) => Ok(Some(text)),
            Some(_) => Err(self.invalid(expected())),
        }
    }
}
