//! The one error type of the config crate.
//!
//! Every message names what a person needs to fix the problem: the file, the
//! dotted config key, and the line, as in
//! `backend.database.connection: environment variable PGPASSWORD is not set (app-config.yaml line 12)`.

use std::path::PathBuf;

use crate::origin::Source;

/// Why configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file named on the command line could not be read.
    #[error("cannot read config file {}: {reason}", path.display())]
    ReadFile {
        /// The file as it was named.
        path: PathBuf,
        /// What the operating system said.
        reason: std::io::Error,
    },
    /// A config file is not valid YAML (or not a single document).
    #[error("config file {}: {reason}", path.display())]
    Yaml {
        /// The file as it was named.
        path: PathBuf,
        /// The parser's positioned message.
        reason: greenroom_yaml::SingleError,
    },
    /// A config file's top level is a list or a scalar.
    #[error("config file {}: the top level must be a mapping of keys, found {found}", path.display())]
    NotAMapping {
        /// The file as it was named.
        path: PathBuf,
        /// What was found instead.
        found: String,
    },
    /// A `${VAR}` or `$env: VAR` names a variable that is not set. Backstage
    /// silently drops such values; Greenroom refuses to start instead.
    #[error("{key}: environment variable {var} is not set ({at})")]
    MissingVariable {
        /// Dotted config key of the value.
        key: String,
        /// The variable.
        var: String,
        /// Where the value was written.
        at: Source,
    },
    /// A value has the wrong shape for a setting Greenroom acts on.
    #[error("{key}: expected {expected}, found {found} ({at})")]
    Invalid {
        /// Dotted config key of the value.
        key: String,
        /// The accepted shapes, in words.
        expected: String,
        /// What was found (secret values are described, never quoted).
        found: String,
        /// Where the value was written.
        at: Source,
    },
    /// Any other problem with one value: a failed include, a missing required
    /// key, conflicting settings.
    #[error("{key}: {message} ({at})")]
    Value {
        /// Dotted config key of the value.
        key: String,
        /// What is wrong.
        message: String,
        /// Where the value was written.
        at: Source,
    },
    /// An `APP_CONFIG_*` environment variable cannot be applied.
    #[error("environment variable {var}: {message}")]
    Override {
        /// The variable.
        var: String,
        /// What is wrong.
        message: String,
    },
}
