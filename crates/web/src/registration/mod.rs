//! Registering and unregistering locations, dry runs and analysis: the
//! service both the JSON API (`/api/catalog/locations`,
//! `/analyze-location`) and the pages (`/catalog-import`, `/locations`)
//! call, so neither calls the other over HTTP and both refuse the same
//! things with the same words.
//!
//! [`Registrations`] takes plain request structs ([`LocationSpec`]) and
//! returns plain results; failures are [`ApiError`]s, which the API turns
//! into Backstage's error envelope and the pages into friendly pages.
//! Guards (`catalog.readonly`, the pages' same-origin check) stay with the
//! callers, which decide what counts as a change.
//!
//! `import` reads what someone typed into the import page and works out
//! what registering it would do; `overview` summarises every location for
//! the locations page.

mod import;
mod overview;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use greenroom_catalog::analyze::{self, AnalyzeError, AnalyzeRequest, ProposedEntity};
use greenroom_catalog::dry_run::{self, DryRunError, Preview};
use greenroom_catalog::problem::{Problem, problems_from_json};
use greenroom_catalog::{CatalogError, Engine, registered};
use greenroom_model::annotations;
use greenroom_store::{CatalogStore, LocationRow, LocationWrite};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::AppState;
use crate::error::ApiError;
use crate::request::blocking;

pub use import::{ImportInput, ImportPlan, MAX_INPUT_CHARS};
pub use overview::LocationStatus;

/// How long cloning and reading a repository for analysis may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(60);

/// A location as registered: `{type, target}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocationSpec {
    pub location_type: String,
    pub target: String,
}

impl LocationSpec {
    pub fn new(location_type: impl Into<String>, target: impl Into<String>) -> Self {
        Self {
            location_type: location_type.into(),
            target: target.into(),
        }
    }

    /// `type:target`, the origin of everything the location brings in.
    pub fn reference(&self) -> String {
        registered::location_ref(&self.location_type, &self.target)
    }

    /// The ref of its generated Location entity.
    pub fn entity_ref(&self) -> String {
        registered::entity_ref(&self.location_type, &self.target)
    }
}

/// What registering an already registered location does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Refresh it and answer as if it had been registered.
    Refresh,
    /// Refuse with a conflict.
    Reject,
}

/// A location registered (or refreshed) and what it brought in.
#[derive(Debug, Clone)]
pub struct Registered {
    pub location: LocationRow,
    /// Whether it was registered before this request.
    pub existed: bool,
    /// Refs of the entities its sources emit, in walk order.
    pub refs: Vec<String>,
    /// The stitched entities among them, in the same order (refs that
    /// never processed successfully have none).
    pub entities: Vec<Value>,
}

/// What a dry run would register.
#[derive(Debug, Clone)]
pub struct DryRun {
    /// `type:target` (Backstage answers it as the location's id).
    pub id: String,
    pub entities: Vec<Value>,
    /// Whether the location is registered already.
    pub exists: bool,
}

/// What registering one location would bring in, for people: every
/// problem where it occurs, and how the entities relate to the catalog.
#[derive(Debug, Clone)]
pub struct LocationPreview {
    pub spec: LocationSpec,
    /// The row, when it is registered already.
    pub registered: Option<LocationRow>,
    /// Why registering would be refused (shape, unreadable target).
    pub refused: Option<String>,
    /// Why the walk stopped (too many sources); `preview` is then empty.
    pub failure: Option<String>,
    pub preview: Preview,
    /// Entities of the preview that are in the catalog already, by ref.
    pub in_catalog: HashMap<String, InCatalog>,
}

/// Where an entity already in the catalog comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InCatalog {
    /// Its `backstage.io/managed-by-origin-location`.
    pub origin: Option<String>,
    /// Its `backstage.io/managed-by-location` (the file or URL).
    pub source: Option<String>,
}

/// An entity an analysis found in an existing catalog file.
#[derive(Debug, Clone)]
pub struct FoundEntity {
    pub entity: Value,
    /// Where to register it.
    pub location: LocationSpec,
    pub is_registered: bool,
}

/// What an analysis found: existing entities, or else a proposal.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub existing: Vec<FoundEntity>,
    pub generate: Vec<ProposedEntity>,
}

/// Why an analysis failed; `problems` are set when a catalog file has
/// problems (each with its place), so pages can show them one by one.
#[derive(Debug)]
pub struct AnalysisFailure {
    pub error: ApiError,
    pub problems: Vec<Problem>,
}

impl From<ApiError> for AnalysisFailure {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            problems: Vec::new(),
        }
    }
}

/// The registration service (see the module docs).
#[derive(Clone)]
pub struct Registrations {
    store: Arc<dyn CatalogStore>,
    engine: Arc<Engine>,
    wake: mpsc::Sender<()>,
    /// Told when a registration changed the catalog (its counts are due).
    pages: Arc<crate::pages::PageCache>,
}

impl Registrations {
    pub fn new(state: &AppState) -> Self {
        Self {
            store: state.store.clone(),
            engine: state.engine.clone(),
            wake: state.refresh.clone(),
            pages: state.pages.clone(),
        }
    }

    /// Registers a location: checks its shape, that it can be read (unless
    /// registered already), stores it and refreshes it at once.
    pub async fn register(
        &self,
        spec: &LocationSpec,
        on_conflict: OnConflict,
    ) -> Result<Registered, ApiError> {
        check_shape(spec)?;
        let existing = self
            .store
            .location_by_target(&spec.location_type, &spec.target)
            .await?;
        let (row, existed) = match existing {
            Some(row) => (row, true),
            None => {
                self.check_readable(spec).await?;
                let id = uuid::Uuid::new_v4().to_string();
                match self
                    .store
                    .add_location(&id, &spec.location_type, &spec.target)
                    .await?
                {
                    LocationWrite::Written(row) => (row, false),
                    LocationWrite::Exists(row) => (row, true),
                    LocationWrite::NotFound => {
                        return Err(ApiError::Internal(
                            "the new location vanished while being stored".to_owned(),
                        ));
                    }
                }
            }
        };
        if existed && on_conflict == OnConflict::Reject {
            return Err(conflict(spec));
        }
        let refs = self
            .engine
            .refresh_registered(&row.location_type, &row.target)
            .await
            .map_err(catalog_error)?;
        self.pages.catalog_changed();
        let entities = self.final_entities(&refs).await?;
        Ok(Registered {
            location: row,
            existed,
            refs,
            entities,
        })
    }

    /// `POST /locations?dryRun=true`: the entities registering would bring
    /// in, or the first reason it cannot be done cleanly.
    pub async fn dry_run(&self, spec: &LocationSpec) -> Result<DryRun, ApiError> {
        check_shape(spec)?;
        let processor = self.engine.processor().clone();
        let (location_type, target) = (spec.location_type.clone(), spec.target.clone());
        let entities = blocking(move || dry_run::dry_run(&processor, &location_type, &target))
            .await?
            .map_err(dry_run_error)?;
        let exists = self
            .store
            .location_by_target(&spec.location_type, &spec.target)
            .await?
            .is_some();
        Ok(DryRun {
            id: spec.reference(),
            entities,
            exists,
        })
    }

    /// What registering would bring in, walking on past problems (for the
    /// import page). Never fails for problems of the location itself: they
    /// are part of the answer.
    pub async fn preview(&self, spec: &LocationSpec) -> Result<LocationPreview, ApiError> {
        let registered = self
            .store
            .location_by_target(&spec.location_type, &spec.target)
            .await?;
        let mut answer = LocationPreview {
            spec: spec.clone(),
            registered,
            refused: None,
            failure: None,
            preview: Preview::default(),
            in_catalog: HashMap::new(),
        };
        if let Err(e) = registered::check(&spec.location_type, &spec.target) {
            answer.refused = Some(e.to_string());
            return Ok(answer);
        }
        let processor = self.engine.processor().clone();
        let (location_type, target) = (spec.location_type.clone(), spec.target.clone());
        let (readable, walked) = blocking(move || {
            (
                dry_run::check_readable(&processor, &location_type, &target),
                dry_run::preview(&processor, &location_type, &target),
            )
        })
        .await?;
        if let Err(e) = readable
            && answer.registered.is_none()
        {
            answer.refused = Some(e.to_string());
        }
        match walked {
            Ok(preview) => answer.preview = preview,
            Err(e) => answer.failure = Some(e.to_string()),
        }
        let refs: Vec<String> = answer
            .preview
            .sources
            .iter()
            .flat_map(|source| source.entities.iter().map(|e| e.entity_ref.clone()))
            .collect();
        for row in self.store.final_entities_by_refs(&refs, None).await? {
            let entity: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
            let annotation =
                |key: &str| greenroom_model::entity::annotation(&entity, key).map(str::to_owned);
            answer.in_catalog.insert(
                row.entity_ref.clone(),
                InCatalog {
                    origin: annotation(annotations::MANAGED_BY_ORIGIN_LOCATION),
                    source: annotation(annotations::MANAGED_BY_LOCATION),
                },
            );
        }
        Ok(answer)
    }

    /// `PUT /locations/{id}`: replaces type and target; what the old target
    /// brought in goes at once, the new target is refreshed at once.
    pub async fn relocate(&self, id: &str, spec: &LocationSpec) -> Result<LocationRow, ApiError> {
        check_shape(spec)?;
        let Some(before) = self.store.location(id).await? else {
            return Err(not_found(id));
        };
        if before.location_type == spec.location_type && before.target == spec.target {
            return Ok(before);
        }
        self.check_readable(spec).await?;
        let row = match self
            .store
            .update_location(id, &spec.location_type, &spec.target)
            .await?
        {
            LocationWrite::Written(row) => row,
            LocationWrite::Exists(_) => return Err(conflict(spec)),
            LocationWrite::NotFound => return Err(not_found(id)),
        };
        self.engine
            .remove_registered(&before.location_type, &before.target)
            .await
            .map_err(catalog_error)?;
        self.engine
            .refresh_registered(&row.location_type, &row.target)
            .await
            .map_err(catalog_error)?;
        self.pages.catalog_changed();
        Ok(row)
    }

    /// Unregisters a location and removes what it brought in at once.
    pub async fn unregister(&self, id: &str) -> Result<LocationRow, ApiError> {
        let Some(row) = self.store.delete_location(id).await? else {
            return Err(not_found(id));
        };
        self.engine
            .remove_registered(&row.location_type, &row.target)
            .await
            .map_err(catalog_error)?;
        self.pages.catalog_changed();
        Ok(row)
    }

    /// Has a registered location read again by the next pass (its sources
    /// are reprocessed even if their bytes did not change) and wakes it.
    pub async fn request_refresh(&self, id: &str) -> Result<LocationRow, ApiError> {
        let Some(row) = self.store.location(id).await? else {
            return Err(not_found(id));
        };
        let spec = LocationSpec::new(&row.location_type, &row.target);
        // A location not processed yet has no entity to mark; the pass
        // reads every registered location anyway.
        self.store.schedule_refresh(&spec.entity_ref()).await?;
        // A full channel means a pass is already pending; it will see the mark.
        let _ = self.wake.try_send(());
        Ok(row)
    }

    /// The problems the sources of a registered location have now, at most
    /// `limit` (after registering: what kept entities out).
    pub async fn problems_of(
        &self,
        spec: &LocationSpec,
        limit: usize,
    ) -> Result<Vec<Problem>, ApiError> {
        let root = registered::source_key(&spec.location_type, &spec.target);
        Ok(self
            .store
            .sources_of_root(&root)
            .await?
            .iter()
            .flat_map(|source| problems_from_json(&source.errors))
            .take(limit)
            .collect())
    }

    /// `POST /analyze-location`: what a folder or repository holds for the
    /// catalog (each entity with the location to register and whether it
    /// is registered), or the entity to propose for it.
    pub async fn analyze(&self, request: AnalyzeRequest) -> Result<Analysis, AnalysisFailure> {
        let processor = self.engine.processor().clone();
        let analysis = blocking(move || analyze::analyze(&processor, &request, GIT_TIMEOUT))
            .await?
            .map_err(analyze_failure)?;
        let mut registered: HashMap<LocationSpec, bool> = HashMap::new();
        let mut existing = Vec::with_capacity(analysis.existing.len());
        for found in analysis.existing {
            let location = LocationSpec::new(found.location_type, found.target);
            let is_registered = match registered.get(&location) {
                Some(known) => *known,
                None => {
                    let known = self
                        .store
                        .location_by_target(&location.location_type, &location.target)
                        .await
                        .map_err(ApiError::from)?
                        .is_some();
                    registered.insert(location.clone(), known);
                    known
                }
            };
            existing.push(FoundEntity {
                entity: found.entity,
                location,
                is_registered,
            });
        }
        Ok(Analysis {
            existing,
            generate: analysis.generate,
        })
    }

    /// Checks that a location can be read before it is stored.
    async fn check_readable(&self, spec: &LocationSpec) -> Result<(), ApiError> {
        let processor = self.engine.processor().clone();
        let (location_type, target) = (spec.location_type.clone(), spec.target.clone());
        blocking(move || dry_run::check_readable(&processor, &location_type, &target))
            .await?
            .map_err(dry_run_error)
    }

    /// The stitched entities with these refs, in order (refs without a
    /// final entity are left out).
    async fn final_entities(&self, refs: &[String]) -> Result<Vec<Value>, ApiError> {
        let rows = self.store.final_entities_by_refs(refs, None).await?;
        let mut by_ref: HashMap<&str, &str> = rows
            .iter()
            .map(|row| (row.entity_ref.as_str(), row.body.as_str()))
            .collect();
        Ok(refs
            .iter()
            .filter_map(|r| by_ref.remove(r.as_str()))
            .map(|body| serde_json::from_str(body).unwrap_or(Value::Null))
            .collect())
    }
}

/// The shape checks every registration gets (type, absolute path, URL).
fn check_shape(spec: &LocationSpec) -> Result<(), ApiError> {
    registered::check(&spec.location_type, &spec.target).map_err(|e| ApiError::Input(e.to_string()))
}

fn catalog_error(e: CatalogError) -> ApiError {
    match e {
        CatalogError::Registration(e) => ApiError::Input(e.to_string()),
        other => ApiError::Internal(other.to_string()),
    }
}

fn dry_run_error(e: DryRunError) -> ApiError {
    ApiError::Input(e.to_string())
}

fn analyze_failure(e: AnalyzeError) -> AnalysisFailure {
    match e {
        AnalyzeError::Internal(message) => ApiError::Internal(message).into(),
        AnalyzeError::InvalidFile(problems) => AnalysisFailure {
            error: ApiError::Input(AnalyzeError::InvalidFile(problems.clone()).to_string()),
            problems,
        },
        other => ApiError::Input(other.to_string()).into(),
    }
}

fn conflict(spec: &LocationSpec) -> ApiError {
    ApiError::Conflict(format!(
        "Location {}:{} already exists",
        spec.location_type, spec.target
    ))
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("Found no location with ID {id}"))
}
