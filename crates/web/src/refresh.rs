//! `POST /refresh {entityRef}`: schedules one entity for the next refresh
//! pass and wakes the refresh loop; like Backstage's, it does not wait.
//!
//! The source that emits the entity and every source above it (up to its
//! root location) are reprocessed by the next pass even if their bytes did
//! not change, on whichever replica runs it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use greenroom_model::EntityRef;
use serde::Deserialize;

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::request::{Origin, json_body};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().post("/refresh", refresh)
}

/// `{entityRef, authorizationToken?}`; the token is accepted and ignored
/// (Greenroom has no per-user permissions).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshRequest {
    entity_ref: String,
}

async fn refresh(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiFailure> {
    let fail = |e| origin.fail(e);
    let request: RefreshRequest = json_body(&headers, body).await.map_err(fail)?;
    let entity_ref = EntityRef::parse(&request.entity_ref, None, "")
        .map_err(|e| fail(ApiError::Input(format!("Invalid entityRef: {e}"))))?;
    let known = state
        .store
        .schedule_refresh(entity_ref.canonical())
        .await
        .map_err(|e| fail(e.into()))?;
    if !known {
        return Err(fail(ApiError::NotFound(format!(
            "Entity {} not found",
            entity_ref.canonical()
        ))));
    }
    // A full channel means a pass is already pending; it will see the mark.
    let _ = state.refresh.try_send(());
    Ok(StatusCode::OK)
}
