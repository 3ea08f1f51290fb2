//! The catalog read API used so far: entity by name and all entities.
//! Paths and shapes follow Backstage's `/api/catalog`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::{ApiError, ApiFailure};

pub fn routes() -> Router<AppState> {
    Router::new().route("/entities", get(list_entities)).route(
        "/entities/by-name/{kind}/{namespace}/{name}",
        get(entity_by_name),
    )
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn entity_by_name(
    State(state): State<AppState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
) -> Result<Response, ApiFailure> {
    let entity_ref = format!("{kind}:{namespace}/{name}").to_lowercase();
    let fail = |error| ApiFailure {
        error,
        method: method.clone(),
        uri: uri.clone(),
    };
    match state
        .store
        .final_entity(&entity_ref)
        .await
        .map_err(|e| fail(e.into()))?
    {
        Some(row) => Ok(json_response(row.body)),
        None => Err(fail(ApiError::NotFound(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        )))),
    }
}

/// Every stitched entity as one JSON array, read in pages so memory stays
/// bounded by the page size plus the response.
async fn list_entities(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, ApiFailure> {
    let fail = |error| ApiFailure {
        error,
        method: method.clone(),
        uri: uri.clone(),
    };
    let mut body = String::from("[");
    let mut after: Option<String> = None;
    let mut first = true;
    loop {
        let page = state
            .store
            .final_entities(after.as_deref(), 1000)
            .await
            .map_err(|e| fail(e.into()))?;
        let Some(last) = page.last() else { break };
        after = Some(last.entity_ref.clone());
        for row in page {
            if !first {
                body.push(',');
            }
            first = false;
            body.push_str(&row.body);
        }
    }
    body.push(']');
    Ok(json_response(body))
}
