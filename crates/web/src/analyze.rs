//! `POST /analyze-location {location: {type, target}, catalogFilename?}`:
//! what a folder or git repository already holds for the catalog (each
//! entity with the location to register and whether it is registered), or
//! the entity to propose for it. The work is `greenroom_catalog::analyze`.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use greenroom_catalog::analyze::{AnalyzeError, AnalyzeRequest, analyze};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::request::{Origin, blocking, json_body};

/// How long cloning and reading a repository may take.
const GIT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().post("/analyze-location", analyze_location)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnalyzeBody {
    location: LocationInput,
    catalog_filename: Option<String>,
    /// The spelling of Backstage's OpenAPI document (its code reads
    /// `catalogFilename`).
    #[serde(rename = "catalogFileName")]
    catalog_file_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct LocationInput {
    #[serde(rename = "type")]
    location_type: String,
    target: String,
}

fn analyze_error(e: AnalyzeError) -> ApiError {
    match e {
        AnalyzeError::Internal(message) => ApiError::Internal(message),
        other => ApiError::Input(other.to_string()),
    }
}

async fn analyze_location(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiFailure> {
    let fail = |e| origin.fail(e);
    let body: AnalyzeBody = json_body(&headers, body).await.map_err(fail)?;
    let request = AnalyzeRequest {
        location_type: body.location.location_type,
        target: body.location.target,
        catalog_filename: body.catalog_filename.or(body.catalog_file_name),
    };
    let processor = state.engine.processor().clone();
    let analysis = blocking(move || analyze(&processor, &request, GIT_TIMEOUT))
        .await
        .map_err(fail)?
        .map_err(|e| fail(analyze_error(e)))?;

    let mut registered: HashMap<(String, String), bool> = HashMap::new();
    let mut existing = Vec::with_capacity(analysis.existing.len());
    for found in analysis.existing {
        let key = (found.location_type.clone(), found.target.clone());
        let is_registered = match registered.get(&key) {
            Some(known) => *known,
            None => {
                let known = state
                    .store
                    .location_by_target(&key.0, &key.1)
                    .await
                    .map_err(|e| fail(e.into()))?
                    .is_some();
                registered.insert(key, known);
                known
            }
        };
        existing.push(json!({
            "entity": found.entity,
            "location": {"type": found.location_type, "target": found.target},
            "isRegistered": is_registered,
        }));
    }
    let generate: Vec<Value> = analysis
        .generate
        .into_iter()
        .map(|proposed| {
            json!({
                "entity": proposed.entity,
                "fields": proposed.fields.iter().map(|f| json!({
                    "field": f.field,
                    "state": f.state,
                    "value": f.value,
                    "description": f.description,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "existingEntityFiles": existing,
        "generateEntities": generate,
    })))
}
