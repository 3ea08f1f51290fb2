//! `/catalog/{namespace}/{kind}/{name}` and its tabs: an entity's page, and
//! the refresh button's post.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use greenroom_model::EntityRef;
use greenroom_model::annotations::MANAGED_BY_LOCATION;
use greenroom_store::FinalEntityRow;
use greenroom_ui::entity::{EntityView, entity_href};
use greenroom_ui::views::entity_page::{self, EntityPage, SourceStatus, Tab};
use serde::Deserialize;
use serde_json::Value;

use super::home::messages;
use super::{PageError, PageResult, html, now_millis, same_origin};
use crate::AppState;
use crate::error::ApiError;
use crate::readonly::ensure_writable;

/// Most related entities fetched for titles and descriptions.
const MAX_RELATED: usize = 500;

#[derive(Debug, Deserialize)]
pub(super) struct EntityPath {
    namespace: String,
    kind: String,
    name: String,
}

impl EntityPath {
    fn reference(&self) -> EntityRef {
        EntityRef::new(&self.kind, &self.namespace, &self.name)
    }
}

/// Query parameters of the overview.
#[derive(Debug, Default, Deserialize)]
pub(super) struct OverviewParams {
    refreshed: Option<String>,
}

pub(super) async fn overview(
    State(state): State<AppState>,
    Path(path): Path<EntityPath>,
    Query(params): Query<OverviewParams>,
) -> PageResult {
    let mut page = load(&state, &path, Tab::Overview).await?;
    if params.refreshed.is_some() {
        page.notice = Some(
            "Refresh requested: the entity's source is read again in the next pass, usually within seconds. Reload the page to see the result."
                .to_owned(),
        );
    }
    respond(&page)
}

pub(super) async fn definition(
    State(state): State<AppState>,
    Path(path): Path<EntityPath>,
) -> PageResult {
    let mut page = load(&state, &path, Tab::Definition).await?;
    let view = EntityView::new(&page.entity);
    if !view.kind().eq_ignore_ascii_case("api") {
        return Err(ApiError::NotFound(format!(
            "{} is not an API, so it has no definition.",
            path.reference().canonical()
        ))
        .into());
    }
    page.tab_content = Some(super::definition::section(&view));
    respond(&page)
}

pub(super) async fn graph(
    State(state): State<AppState>,
    Path(path): Path<EntityPath>,
    uri: axum::extract::OriginalUri,
) -> PageResult {
    let mut page = load(&state, &path, Tab::Graph).await?;
    page.tab_content = Some(super::graph::section(&state, &page.entity, uri.0.query()).await?);
    respond(&page)
}

pub(super) async fn raw(State(state): State<AppState>, Path(path): Path<EntityPath>) -> PageResult {
    let page = load(&state, &path, Tab::Raw).await?;
    respond(&page)
}

/// `POST …/refresh`: reads the entity's source again at the next pass.
pub(super) async fn refresh(
    State(state): State<AppState>,
    Path(path): Path<EntityPath>,
    headers: HeaderMap,
) -> PageResult {
    same_origin(&headers)?;
    ensure_writable(&state)?;
    let reference = path.reference();
    if !state.store.schedule_refresh(reference.canonical()).await? {
        return Err(missing(&reference).into());
    }
    // A full channel means a pass is already pending; it will see the mark.
    let _ = state.refresh.try_send(());
    Ok(Redirect::to(&format!("{}?refreshed=1", entity_href(&reference))).into_response())
}

fn respond(page: &EntityPage) -> PageResult {
    let page = entity_page::page(page)
        .ok_or_else(|| PageError(ApiError::Internal("a stored entity has no ref".to_owned())))?;
    Ok(html(page))
}

fn missing(reference: &EntityRef) -> ApiError {
    ApiError::NotFound(format!(
        "No {} named {}/{} is in the catalog. If its catalog-info.yaml exists, register it (Register) or check the Locations page for errors that stop it from being read.",
        reference.kind(),
        reference.namespace(),
        reference.name()
    ))
}

/// The entity, its source and the entities it relates to.
async fn load(state: &AppState, path: &EntityPath, tab: Tab) -> Result<EntityPage, PageError> {
    let reference = path.reference();
    let row: FinalEntityRow = state
        .store
        .final_entity(reference.canonical())
        .await?
        .ok_or_else(|| missing(&reference))?;
    let entity: Value = serde_json::from_str(&row.body).map_err(|e| {
        ApiError::Internal(format!("stored entity {} is not JSON: {e}", row.entity_ref))
    })?;
    let view = EntityView::new(&entity);

    let mut targets: Vec<String> = view
        .relations()
        .into_iter()
        .map(|(_, target)| target.canonical().to_owned())
        .collect();
    targets.sort();
    targets.dedup();
    let related_truncated = targets.len() > MAX_RELATED;
    targets.truncate(MAX_RELATED);
    let related: HashMap<String, Value> = state
        .store
        .final_entities_by_refs(&targets, None)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.entity_ref, serde_json::from_str(&row.body).ok()?)))
        .collect();

    let source = match view.annotation(MANAGED_BY_LOCATION) {
        Some(key) => state.store.source(key).await?.map(|source| SourceStatus {
            errors: messages(&source.errors),
            key: source.key,
            last_read_at: source.last_read_at,
        }),
        None => None,
    };
    Ok(EntityPage {
        changed_at: row.stitched_at,
        source,
        related,
        related_truncated,
        now: now_millis(),
        tab,
        tab_content: None,
        notice: None,
        readonly: state.writes.readonly,
        entity,
    })
}
