//! `POST /analyze-location {location: {type, target}, catalogFilename?}`:
//! what a folder or git repository already holds for the catalog (each
//! entity with the location to register and whether it is registered), or
//! the entity to propose for it. The work is [`crate::registration`]'s
//! (`greenroom_catalog::analyze` underneath), shared with the import page.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use greenroom_catalog::analyze::AnalyzeRequest;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::ApiFailure;
use crate::registration::Registrations;
use crate::request::{Origin, json_body};

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
    let analysis = Registrations::new(&state)
        .analyze(request)
        .await
        .map_err(|failure| fail(failure.error))?;
    let existing: Vec<Value> = analysis
        .existing
        .into_iter()
        .map(|found| {
            json!({
                "entity": found.entity,
                "location": {"type": found.location.location_type, "target": found.location.target},
                "isRegistered": found.is_registered,
            })
        })
        .collect();
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
