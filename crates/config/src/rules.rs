//! `catalog.rules`: which entity kinds may enter the catalog from which
//! locations (SURVEY §5.4, Backstage's `DefaultCatalogRulesEnforcer`).
//!
//! - Without `catalog.rules`, Component, API and Location are allowed from
//!   everywhere; an empty list allows nothing (until location rules add).
//! - A rule allows kinds (`Component`, or `{kind, spec.type}`), compared
//!   ignoring case, optionally only for locations matching one of its
//!   `locations: [{type, exact | pattern}]` (`pattern` is a glob, ignoring
//!   case, where `*` stops at `/` and dot files match).
//! - Each `catalog.locations[].rules` entry becomes a rule scoped to exactly
//!   that location.
//! - An entity is allowed when any rule allows it, judged by its origin
//!   location.
//!
//! Greenroom resolves relative `file` paths (location targets and `exact`
//! matchers of `file` type) against the folder of the config file, so the
//! same config works from any working directory; Backstage uses the
//! working directory.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use crate::backend::resolve_path;
use crate::defaults;
use crate::error::ConfigError;
use crate::typed::Node;

/// The rule set, with its evaluator.
#[derive(Debug, Clone)]
pub struct CatalogRules {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    allow: Vec<KindMatcher>,
    /// `None`: the rule applies to every location.
    locations: Option<Vec<LocationMatcher>>,
}

#[derive(Debug, Clone)]
struct KindMatcher {
    kind: String,
    spec_type: Option<String>,
}

#[derive(Debug, Clone)]
struct LocationMatcher {
    location_type: String,
    target: TargetMatcher,
}

#[derive(Debug, Clone)]
enum TargetMatcher {
    Any,
    Exact(String),
    Pattern(GlobMatcher),
}

impl Default for CatalogRules {
    /// Backstage's default: Component, API and Location from anywhere.
    fn default() -> Self {
        CatalogRules {
            rules: vec![Rule {
                allow: defaults::RULE_KINDS
                    .iter()
                    .map(|kind| KindMatcher {
                        kind: (*kind).to_owned(),
                        spec_type: None,
                    })
                    .collect(),
                locations: None,
            }],
        }
    }
}

impl CatalogRules {
    /// Whether an entity of `kind` (and `spec.type`, if it has one) whose
    /// origin location is `location_type:location_target` may enter the
    /// catalog. `file` targets are compared as absolute paths.
    pub fn is_allowed(
        &self,
        kind: &str,
        spec_type: Option<&str>,
        location_type: &str,
        location_target: &str,
    ) -> bool {
        self.rules.iter().any(|rule| {
            rule.matches_location(location_type, location_target)
                && rule
                    .allow
                    .iter()
                    .any(|allow| allow.matches(kind, spec_type))
        })
    }

    /// Reads `catalog.rules` (Backstage's default when absent).
    pub(crate) fn read_global(node: &Node<'_>) -> Result<Self, ConfigError> {
        let Some(items) = node.opt_list()? else {
            return Ok(CatalogRules::default());
        };
        let rules = items
            .iter()
            .map(read_global_rule)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CatalogRules { rules })
    }

    /// Adds the `rules` of one `catalog.locations` entry, scoped to it.
    pub(crate) fn add_location_rules(
        &mut self,
        node: &Node<'_>,
        location_type: &str,
        target: &str,
    ) -> Result<(), ConfigError> {
        let Some(items) = node.opt_list()? else {
            return Ok(());
        };
        for item in items {
            item.expect_mapping()?;
            self.rules.push(Rule {
                allow: read_allow(&item.get("allow"))?,
                locations: Some(vec![LocationMatcher {
                    location_type: location_type.to_owned(),
                    target: TargetMatcher::Exact(target.to_owned()),
                }]),
            });
        }
        Ok(())
    }
}

impl Rule {
    fn matches_location(&self, location_type: &str, target: &str) -> bool {
        let Some(matchers) = &self.locations else {
            return true;
        };
        matchers.iter().any(|matcher| {
            matcher.location_type == location_type
                && match &matcher.target {
                    TargetMatcher::Any => true,
                    TargetMatcher::Exact(exact) => exact == target,
                    TargetMatcher::Pattern(glob) => glob.is_match(target),
                }
        })
    }
}

impl KindMatcher {
    fn matches(&self, kind: &str, spec_type: Option<&str>) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
            && self.spec_type.as_ref().is_none_or(|wanted| {
                spec_type.is_some_and(|actual| actual.eq_ignore_ascii_case(wanted))
            })
    }
}

fn read_global_rule(node: &Node<'_>) -> Result<Rule, ConfigError> {
    if !node.is_set() {
        return Err(node.invalid("a mapping with allow and optional locations"));
    }
    node.expect_mapping()?;
    let allow = read_allow(&node.get("allow"))?;
    let locations = node
        .get("locations")
        .opt_list()?
        .map(|items| items.iter().map(read_location_matcher).collect())
        .transpose()?;
    Ok(Rule { allow, locations })
}

const ALLOW_EXPECTED: &str = "a kind name or a mapping with kind and optional spec.type";

/// `allow: [Component, {kind: Resource, spec.type: database}]`.
fn read_allow(node: &Node<'_>) -> Result<Vec<KindMatcher>, ConfigError> {
    let Some(items) = node.opt_list()? else {
        return Err(node.problem("is required (a list of entity kinds)"));
    };
    items
        .iter()
        .map(|item| match item.value() {
            Some(Value::String(kind)) => Ok(KindMatcher {
                kind: kind.clone(),
                spec_type: None,
            }),
            Some(Value::Object(_)) => Ok(KindMatcher {
                kind: item.get("kind").req_str()?.to_owned(),
                spec_type: item.get("spec.type").opt_str()?.map(str::to_owned),
            }),
            _ => Err(item.invalid(ALLOW_EXPECTED)),
        })
        .collect()
}

/// `{type, exact?}` or `{type, pattern?}`.
fn read_location_matcher(node: &Node<'_>) -> Result<LocationMatcher, ConfigError> {
    if !node.is_set() {
        return Err(node.invalid("a mapping with type and exact or pattern"));
    }
    node.expect_mapping()?;
    let location_type = node.get("type").req_str()?.to_owned();
    let exact = node.get("exact");
    let pattern = node.get("pattern");
    let target = match (exact.opt_str()?, pattern.opt_str()?) {
        (Some(_), Some(_)) => {
            return Err(node.problem("a rule location cannot have both exact and pattern"));
        }
        (Some(target), None) if location_type == "file" => TargetMatcher::Exact(
            resolve_path(&exact, Path::new(target))
                .to_string_lossy()
                .into_owned(),
        ),
        (Some(target), None) => TargetMatcher::Exact(target.to_owned()),
        (None, Some(glob)) => TargetMatcher::Pattern(
            GlobBuilder::new(glob)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .map_err(|error| pattern.invalid(format!("a glob pattern ({})", error.kind())))?
                .compile_matcher(),
        ),
        (None, None) => TargetMatcher::Any,
    };
    Ok(LocationMatcher {
        location_type,
        target,
    })
}
