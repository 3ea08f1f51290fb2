//! `/locations`: every location with its status, and the posts of its
//! Refresh and Unregister buttons (answered with a redirect back).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use greenroom_ui::entity::parse_ref;
use greenroom_ui::views::locations::{
    self as views, LocationSummary, LocationsPage, SourceProblems,
};
use serde::Deserialize;

use super::{PageResult, html, now_millis, problem_line, same_origin};
use crate::AppState;
use crate::error::ApiError;
use crate::readonly::ensure_writable;
use crate::registration::{LocationStatus, Registrations};

/// Sources with errors shown per location (the rest are counted).
const ERRORS_PER_LOCATION: usize = 5;

/// Longest location id looked up (ids are UUIDs).
const MAX_ID_CHARS: usize = 128;

/// What the previous action left to say.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LocationsParams {
    unregistered: Option<String>,
    refreshed: Option<String>,
}

/// `GET /locations`.
pub(super) async fn show(
    State(state): State<AppState>,
    Query(params): Query<LocationsParams>,
) -> PageResult {
    let overview = Registrations::new(&state)
        .overview(ERRORS_PER_LOCATION)
        .await?;
    let notice = if params.unregistered.is_some() {
        Some(
            "The location was unregistered and the entities it brought in were removed.".to_owned(),
        )
    } else if params.refreshed.is_some() {
        Some("Refresh requested: the location is read again in the next pass, usually within seconds. Reload the page to see the result.".to_owned())
    } else {
        None
    };
    Ok(html(views::page(&LocationsPage {
        registered: overview.registered.into_iter().map(summary).collect(),
        configured: overview.configured.into_iter().map(summary).collect(),
        readonly: state.writes.readonly,
        notice,
        now: now_millis(),
    })))
}

/// `POST /locations/{id}/unregister`.
pub(super) async fn unregister(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    same_origin(&headers)?;
    ensure_writable(&state)?;
    check_id(&id)?;
    Registrations::new(&state).unregister(&id).await?;
    Ok(Redirect::to("/locations?unregistered=1").into_response())
}

/// `POST /locations/{id}/refresh`: read again at the next pass, now.
pub(super) async fn refresh(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    same_origin(&headers)?;
    ensure_writable(&state)?;
    check_id(&id)?;
    Registrations::new(&state).request_refresh(&id).await?;
    Ok(Redirect::to("/locations?refreshed=1").into_response())
}

fn check_id(id: &str) -> Result<(), ApiError> {
    if id.chars().count() > MAX_ID_CHARS {
        return Err(ApiError::NotFound(
            "Found no location with that ID.".to_owned(),
        ));
    }
    Ok(())
}

fn summary(status: LocationStatus) -> LocationSummary {
    let location_entity = status
        .row
        .as_ref()
        .and_then(|_| parse_ref(&status.spec.entity_ref(), None, "default"));
    LocationSummary {
        id: status.row.as_ref().map(|row| row.id.clone()),
        registered_at: status.row.as_ref().map(|row| row.created_at),
        location_entity,
        entities: status.entities,
        sources: status.sources,
        last_read_at: status.last_read_at,
        oldest_read_at: status.oldest_read_at,
        sources_with_errors: status.sources_with_errors,
        errors: status
            .errors
            .into_iter()
            .map(|source| SourceProblems {
                source: (!source.key.starts_with("registered:")).then_some(source.key),
                problems: source.problems.iter().map(problem_line).collect(),
            })
            .collect(),
        location_type: status.spec.location_type,
        target: status.spec.target,
    }
}
