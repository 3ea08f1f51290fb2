//! Backstage's Scaffolder API under `/api/scaffolder` (issue 5, in
//! progress): so far the parameter schema of a template, which the form
//! renders.

use axum::Json;
use axum::extract::{Path, State};
use greenroom_model::EntityRef;
use greenroom_scaffolder::{Template, TemplateError};
use serde_json::Value;

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::request::Origin;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().get(
        "/v2/templates/{namespace}/{kind}/{name}/parameter-schema",
        parameter_schema,
    )
}

/// The template a path names, read from the catalog.
async fn template(
    state: &AppState,
    namespace: &str,
    kind: &str,
    name: &str,
) -> Result<Template, ApiError> {
    let reference = EntityRef::new(kind, namespace, name);
    let row = state
        .store
        .final_entity(reference.canonical())
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("Template {} not found", reference.canonical()))
        })?;
    let entity: Value = serde_json::from_str(&row.body).map_err(|e| {
        ApiError::Internal(format!("stored entity {} is not JSON: {e}", row.entity_ref))
    })?;
    Template::from_entity(&entity).map_err(|e| match e {
        TemplateError::NotATemplate { .. } | TemplateError::Invalid { .. } => {
            ApiError::Input(e.to_string())
        }
    })
}

/// `GET /v2/templates/{namespace}/{kind}/{name}/parameter-schema`.
async fn parameter_schema(
    State(state): State<AppState>,
    Path((namespace, kind, name)): Path<(String, String, String)>,
    origin: Origin,
) -> Result<Json<Value>, ApiFailure> {
    let template = template(&state, &namespace, &kind, &name)
        .await
        .map_err(|e| origin.fail(e))?;
    Ok(Json(template.parameter_schema()))
}
