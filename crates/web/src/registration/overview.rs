//! Every location at a glance, for the locations page: registered ones and
//! those from configuration, each with when its sources were read, which
//! of them have errors, and how many entities it brought in.
//!
//! It costs the same few queries whatever the number of locations: one
//! summary of every root's sources, the registered rows, and one count of
//! entities per origin.

use std::collections::HashMap;

use greenroom_catalog::location::TargetSpec;
use greenroom_catalog::problem::{Problem, problems_from_json};
use greenroom_catalog::registered;
use greenroom_model::annotations::MANAGED_BY_ORIGIN_LOCATION;
use greenroom_store::{LocationRow, RootStatus};

use super::{LocationSpec, Registrations};
use crate::error::ApiError;

/// Longest origin the search rows keep (longer values are not indexed, so
/// their entities cannot be counted).
const MAX_COUNTED_ORIGIN_CHARS: usize = 200;

/// One location and what its last reads found.
#[derive(Debug, Clone)]
pub struct LocationStatus {
    /// The stored row of a registered location; `None` for a configured one.
    pub row: Option<LocationRow>,
    pub spec: LocationSpec,
    /// Files and URLs read from it (a registered location's own generated
    /// source is not counted).
    pub sources: u64,
    /// Most recent and least recent read of those sources (epoch ms).
    pub last_read_at: Option<i64>,
    pub oldest_read_at: Option<i64>,
    pub sources_with_errors: u64,
    /// The first sources with errors, each with its problems.
    pub errors: Vec<SourceErrors>,
    /// Entities whose origin is this location; `None` when they cannot be
    /// counted (an origin too long for the search index).
    pub entities: Option<u64>,
}

/// The problems of one source.
#[derive(Debug, Clone)]
pub struct SourceErrors {
    /// The source's key; a registered location's own source is
    /// `registered:type:target`.
    pub key: String,
    pub problems: Vec<Problem>,
}

/// Every location.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// Registered through the API or the import page, oldest first.
    pub registered: Vec<LocationStatus>,
    /// From `catalog.locations`, `--catalog` and `--demo`.
    pub configured: Vec<LocationStatus>,
}

impl Registrations {
    /// Every location with its status, showing at most `error_limit`
    /// sources with errors per location.
    pub async fn overview(&self, error_limit: usize) -> Result<Overview, ApiError> {
        let mut roots: HashMap<String, RootStatus> = self
            .store
            .root_statuses(error_limit)
            .await?
            .into_iter()
            .map(|status| (status.root.clone(), status))
            .collect();
        let counts = self.origin_counts().await?;
        let count_of = |origin: &str| {
            (origin.chars().count() <= MAX_COUNTED_ORIGIN_CHARS)
                .then(|| counts.get(&origin.to_lowercase()).copied().unwrap_or(0))
        };

        let mut overview = Overview::default();
        for row in self.store.locations().await? {
            let spec = LocationSpec::new(&row.location_type, &row.target);
            let root = registered::source_key(&spec.location_type, &spec.target);
            let status = roots.remove(&root).unwrap_or_default();
            // The generated source of the location itself is not a file.
            let own = u64::from(status.sources > 0);
            let entities = count_of(&spec.reference());
            overview.registered.push(LocationStatus {
                row: Some(row),
                sources: status.sources - own,
                entities,
                ..from_status(spec, status)
            });
        }
        for root in self.engine.roots() {
            let key = root.target.key();
            let spec = configured_spec(&root.target);
            let status = roots.remove(&key).unwrap_or_default();
            overview.configured.push(LocationStatus {
                row: None,
                sources: status.sources,
                entities: count_of(&key),
                ..from_status(spec, status)
            });
        }
        Ok(overview)
    }

    /// Entities per `backstage.io/managed-by-origin-location`, by the
    /// lower-cased origin.
    async fn origin_counts(&self) -> Result<HashMap<String, u64>, ApiError> {
        let key = format!("metadata.annotations.{MANAGED_BY_ORIGIN_LOCATION}");
        let facets = self.store.facets(&[key], None).await?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for facet in facets {
            for (value, count) in facet.values {
                *counts.entry(value.to_lowercase()).or_default() += count;
            }
        }
        Ok(counts)
    }
}

fn from_status(spec: LocationSpec, status: RootStatus) -> LocationStatus {
    LocationStatus {
        row: None,
        spec,
        sources: status.sources,
        last_read_at: status.last_read_at,
        oldest_read_at: status.oldest_read_at,
        sources_with_errors: status.sources_with_errors,
        errors: status
            .errors
            .into_iter()
            .map(|(key, errors)| SourceErrors {
                key,
                problems: problems_from_json(&errors),
            })
            .collect(),
        entities: None,
    }
}

/// A configured root as `{type, target}` (a folder as its discovery glob).
fn configured_spec(target: &TargetSpec) -> LocationSpec {
    match target {
        TargetSpec::Url { url } => LocationSpec::new("url", url.as_str()),
        TargetSpec::File { pattern } => LocationSpec::new("file", pattern.display().to_string()),
        TargetSpec::Discover { dir } => {
            LocationSpec::new("file", format!("{}/**/catalog-info.yaml", dir.display()))
        }
    }
}
