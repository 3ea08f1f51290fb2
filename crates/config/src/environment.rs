//! The process environment, behind a trait so tests can inject their own.
//!
//! Loading needs two things from the environment: single variables for
//! `${VAR}` substitution and `$env` includes, and the full list to find
//! `APP_CONFIG_*` overrides.

use std::collections::{BTreeMap, HashMap};

/// Read access to environment variables.
pub trait Environment {
    /// The value of one variable, if set.
    fn var(&self, name: &str) -> Option<String>;

    /// Every variable, in any order.
    fn vars(&self) -> Vec<(String, String)>;
}

/// The real process environment (`std::env`). Variables whose name or value
/// is not valid Unicode are invisible.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect()
    }
}

impl Environment for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }

    fn vars(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}

impl Environment for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }

    fn vars(&self) -> Vec<(String, String)> {
        self.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }
}
