//! Shared helpers: config files in a temporary folder and a fake environment.

#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure here is a test failure"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use greenroom_config::{ConfigError, LoadedConfig};

/// A temporary folder holding the config files of one test.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `name` (folders are created) and returns its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Loads the named files of this fixture with `vars` as the environment.
    pub fn load(&self, names: &[&str], vars: &[(&str, &str)]) -> Result<LoadedConfig, ConfigError> {
        let paths: Vec<PathBuf> = names
            .iter()
            .map(|name| self.dir.path().join(name))
            .collect();
        greenroom_config::load(&paths, &env(vars))
    }
}

pub fn env(vars: &[(&str, &str)]) -> HashMap<String, String> {
    vars.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Loads a single config text.
pub fn load_str(content: &str) -> Result<LoadedConfig, ConfigError> {
    let fixture = Fixture::new();
    fixture.write("app-config.yaml", content);
    fixture.load(&["app-config.yaml"], &[])
}

/// The message of a load that must fail.
pub fn error_of(content: &str) -> String {
    match load_str(content) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(error) => error.to_string(),
    }
}
