//! The `catalog` section: static locations, ingestion rules, orphan
//! handling, the processing interval and Greenroom's descriptor limits.

use std::path::Path;

use url::Url;

use crate::backend::resolve_path;
use crate::defaults;
use crate::duration::ProcessingInterval;
use crate::error::ConfigError;
use crate::rules::CatalogRules;
use crate::typed::Node;

/// The typed `catalog` section.
#[derive(Debug, Clone)]
pub struct CatalogConfig {
    /// `catalog.locations`, in config order.
    pub locations: Vec<CatalogLocation>,
    /// `catalog.rules` plus the per-location `rules`.
    pub rules: CatalogRules,
    /// `catalog.orphanStrategy`.
    pub orphan_strategy: OrphanStrategy,
    /// `catalog.processingInterval`.
    pub processing_interval: ProcessingInterval,
    /// `catalog.readonly`: no locations may be registered at runtime.
    pub readonly: bool,
    /// `catalog.defaultLocationConflictStrategy`.
    pub location_conflict_strategy: LocationConflictStrategy,
    /// `catalog.limits.maxFileBytes` (Greenroom's own): the size limit for
    /// catalog descriptor files.
    pub max_file_bytes: usize,
}

/// One static location from `catalog.locations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLocation {
    /// `file` or `url`.
    pub location_type: LocationType,
    /// For `file`, an absolute path (resolved against the config file's
    /// folder, globs kept); for `url`, the URL as written.
    pub target: String,
}

impl CatalogLocation {
    /// The location in Backstage's `type:target` form.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.location_type.as_str(), self.target)
    }
}

/// Location types Greenroom can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocationType {
    /// A file on the server's disk.
    File,
    /// A URL, read through an SCM integration or `backend.reading.allow`.
    Url,
}

impl LocationType {
    /// The name used in config and location references.
    pub fn as_str(self) -> &'static str {
        match self {
            LocationType::File => "file",
            LocationType::Url => "url",
        }
    }
}

/// What happens to entities nothing emits any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrphanStrategy {
    /// Keep them, marked with `backstage.io/orphan: "true"`.
    Keep,
    /// Delete them (the default).
    Delete,
}

/// What registering an already registered location does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationConflictStrategy {
    /// Refuse with a conflict error (the default).
    Reject,
    /// Refresh the existing location instead.
    Refresh,
}

impl CatalogConfig {
    pub(crate) fn read(node: &Node<'_>) -> Result<Self, ConfigError> {
        node.expect_mapping()?;
        let mut rules = CatalogRules::read_global(&node.get("rules"))?;
        let mut locations = Vec::new();
        for item in node.get("locations").opt_list()?.unwrap_or_default() {
            let location = read_location(&item)?;
            rules.add_location_rules(
                &item.get("rules"),
                location.location_type.as_str(),
                &location.target,
            )?;
            locations.push(location);
        }
        let orphan_strategy = match node.get("orphanStrategy").opt_choice(&["keep", "delete"])? {
            Some("keep") => OrphanStrategy::Keep,
            Some(_) => OrphanStrategy::Delete,
            None => defaults::ORPHAN_STRATEGY,
        };
        let location_conflict_strategy = match node
            .get("defaultLocationConflictStrategy")
            .opt_choice(&["reject", "refresh"])?
        {
            Some("refresh") => LocationConflictStrategy::Refresh,
            Some(_) => LocationConflictStrategy::Reject,
            None => defaults::LOCATION_CONFLICT_STRATEGY,
        };
        let limits = node.get("limits");
        limits.expect_mapping()?;
        let max_file_bytes_node = limits.get("maxFileBytes");
        let max_file_bytes = match max_file_bytes_node.opt_u64("a positive number of bytes")? {
            None => defaults::MAX_FILE_BYTES,
            Some(0) => return Err(max_file_bytes_node.invalid("a positive number of bytes")),
            Some(bytes) => usize::try_from(bytes)
                .map_err(|_| max_file_bytes_node.invalid("a positive number of bytes"))?,
        };
        Ok(CatalogConfig {
            locations,
            rules,
            orphan_strategy,
            processing_interval: ProcessingInterval::read(&node.get("processingInterval"))?,
            readonly: node
                .get("readonly")
                .opt_bool()?
                .unwrap_or(defaults::READONLY),
            location_conflict_strategy,
            max_file_bytes,
        })
    }
}

fn read_location(node: &Node<'_>) -> Result<CatalogLocation, ConfigError> {
    if !node.is_set() {
        return Err(node.invalid("a mapping with type and target"));
    }
    node.expect_mapping()?;
    let type_node = node.get("type");
    let location_type = match type_node.req_str()? {
        "file" => LocationType::File,
        "url" => LocationType::Url,
        _ => {
            return Err(type_node.invalid("file or url (the location types Greenroom can read)"));
        }
    };
    let target_node = node.get("target");
    let target = target_node.req_str()?;
    let target = match location_type {
        LocationType::File => {
            if target.is_empty() || target.ends_with(['/', '\\']) {
                return Err(target_node.invalid("a file path (not a folder)"));
            }
            resolve_path(&target_node, Path::new(target))
                .to_string_lossy()
                .into_owned()
        }
        LocationType::Url => {
            Url::parse(target).map_err(|_| target_node.invalid("an absolute URL"))?;
            target.to_owned()
        }
    };
    Ok(CatalogLocation {
        location_type,
        target,
    })
}
