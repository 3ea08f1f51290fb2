//! Loading Backstage-style `app-config.yaml` files into typed, validated
//! configuration.
//!
//! [`load`] reads the files in order and layers them (mappings merge key by
//! key, lists and scalars replace), resolves `$env` / `$file` / `$include`
//! includes and `${VAR}` substitutions, applies `APP_CONFIG_*` environment
//! overrides last, and reads the sections Greenroom acts on into typed
//! values ([`BackendConfig`], [`CatalogConfig`]) with every default defined
//! in one place. The merged tree stays available ([`LoadedConfig::raw`]) for
//! sections later features read themselves.
//!
//! Where Backstage is lenient Greenroom is explicit: an unset variable is an
//! error naming the key, file and line instead of a silently missing value;
//! a wrongly typed setting is an error; and every key Greenroom will not act
//! on comes back as a [`ConfigWarning`] (typos with a suggestion, Backstage
//! settings Greenroom does not use yet).
//!
//! Secrets stay out of logs: typed secrets are [`Secret`]s, and
//! [`LoadedConfig::redacted`] blanks secret keys and URL passwords.

mod backend;
mod catalog;
pub mod defaults;
mod duration;
mod environment;
mod error;
mod file;
mod known_keys;
mod layering;
mod origin;
mod reading;
mod rules;
mod secret;
mod substitute;
mod typed;

use std::fmt;
use std::path::PathBuf;

use serde_json::{Map, Value};

pub use backend::{BackendConfig, DatabaseConfig, ListenConfig, SqliteLocation};
pub use catalog::{
    CatalogConfig, CatalogLocation, LocationConflictStrategy, LocationType, OrphanStrategy,
};
pub use duration::ProcessingInterval;
pub use environment::{Environment, ProcessEnvironment};
pub use error::ConfigError;
pub use known_keys::{ConfigWarning, WarningKind};
pub use origin::Source;
pub use reading::ReadingAllowList;
pub use rules::CatalogRules;
pub use secret::{REDACTED, Secret, is_secret_key, redact_url_password};

use crate::file::Layer;
use crate::origin::Origins;
use crate::typed::Node;

/// The loaded configuration: typed sections, the merged tree and the
/// warnings found while loading.
#[derive(Clone)]
pub struct LoadedConfig {
    backend: BackendConfig,
    catalog: CatalogConfig,
    raw: Value,
    origins: Origins,
    warnings: Vec<ConfigWarning>,
}

/// Loads `paths` in order (later files win) with overrides and variables
/// from `env`. With no paths only defaults and `APP_CONFIG_*` overrides
/// apply.
pub fn load(paths: &[PathBuf], env: &dyn Environment) -> Result<LoadedConfig, ConfigError> {
    let mut merged = Layer {
        value: Value::Object(Map::new()),
        ..Layer::default()
    };
    for path in paths {
        layering::merge(&mut merged, file::load_file(path, env)?);
    }
    if let Some(overrides) = layering::environment_layer(env)? {
        layering::merge(&mut merged, overrides);
    }
    let Layer { value, origins } = merged;

    let root = Node::root(&value, &origins);
    let backend = BackendConfig::read(&root.get("backend"))?;
    let catalog = CatalogConfig::read(&root.get("catalog"))?;
    let warnings = known_keys::check(&value, &origins);
    Ok(LoadedConfig {
        backend,
        catalog,
        raw: value,
        origins,
        warnings,
    })
}

impl LoadedConfig {
    /// The `backend` section.
    pub fn backend(&self) -> &BackendConfig {
        &self.backend
    }

    /// The `catalog` section.
    pub fn catalog(&self) -> &CatalogConfig {
        &self.catalog
    }

    /// The merged configuration tree, after includes, substitution and
    /// overrides, with secrets in clear. Never log it; see
    /// [`LoadedConfig::redacted`].
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Where the value at `pointer` (a JSON pointer such as
    /// `/integrations/github/0/token`) was set, or its nearest set ancestor.
    pub fn source(&self, pointer: &str) -> Source {
        self.origins.locate(pointer)
    }

    /// The merged tree with secret values replaced by `<redacted>`, safe to
    /// log or show.
    pub fn redacted(&self) -> Value {
        secret::redact(&self.raw)
    }

    /// Keys Greenroom will not act on, in tree order.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }
}

impl fmt::Debug for LoadedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedConfig")
            .field("backend", &self.backend)
            .field("catalog", &self.catalog)
            .field("raw", &self.redacted())
            .field("warnings", &self.warnings)
            .finish()
    }
}
