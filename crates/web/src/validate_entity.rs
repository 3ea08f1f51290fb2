//! `POST /validate-entity {entity, location: "url:<target>"}`: runs the
//! checks ingestion runs (placeholders, location annotations, validation,
//! `catalog.rules` judged by that location) on one entity, storing nothing.
//!
//! As in Backstage, every refusal — a malformed body included — answers 400
//! with `{errors: [{name, message}]}` (each problem here also names the
//! `field` it concerns), success answers 200 with an empty body, and only
//! `url:` locations are accepted.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use greenroom_catalog::location::{Presence, SourceLocation};
use greenroom_catalog::problem::Problem;
use greenroom_catalog::{EntityOutcome, SourceSpec};
use greenroom_model::annotations;
use serde_json::{Map, Value, json};
use url::Url;

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::request::{Origin, blocking, json_object};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().post("/validate-entity", validate)
}

/// One error as Backstage serializes it.
fn error(name: &str, message: impl Into<String>) -> Value {
    json!({"name": name, "message": message.into()})
}

fn refused(errors: Vec<Value>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "errors": errors }))).into_response()
}

fn problem_json(problem: &Problem) -> Value {
    let mut value = error(&problem.name, problem.message.clone());
    if let (Some(field), Some(object)) = (&problem.place.field, value.as_object_mut()) {
        object.insert("field".to_owned(), Value::String(field.clone()));
    }
    value
}

/// Backstage's `parseLocationRef`, then its `url:`-only rule.
fn parse_location(location: &str) -> Result<Url, String> {
    let unparsable = || {
        format!(
            "Unable to parse location ref '{location}', expected '<type>:<target>', e.g. 'url:https://host/path'"
        )
    };
    let (kind, target) = location.split_once(':').ok_or_else(unparsable)?;
    let (kind, target) = (kind.trim(), target.trim());
    if kind.is_empty() || target.is_empty() {
        return Err(unparsable());
    }
    if kind == "http" || kind == "https" {
        return Err(format!(
            "Invalid location ref '{location}', please prefix it with 'url:', e.g. 'url:{location}'"
        ));
    }
    if kind != "url" {
        return Err(format!(
            "Invalid location ref {location}, only 'url:<target>' is supported, e.g. url:https://host/path"
        ));
    }
    Url::parse(target)
        .map_err(|e| format!("Invalid location ref {location}, the target is not a valid URL: {e}"))
}

/// Adds the location annotations the entity does not set itself.
fn annotate(entity: &mut Map<String, Value>, location: &str) {
    let Some(Value::Object(metadata)) = entity.get_mut("metadata") else {
        return;
    };
    let annotations_value = metadata
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = annotations_value {
        for key in [
            annotations::MANAGED_BY_LOCATION,
            annotations::MANAGED_BY_ORIGIN_LOCATION,
        ] {
            map.entry(key)
                .or_insert_with(|| Value::String(location.to_owned()));
        }
    }
}

async fn validate(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let body = match json_object(&headers, body, true).await {
        Ok(body) => body.unwrap_or_default(),
        Err(e @ ApiError::PayloadTooLarge(_)) => return Err(origin.fail(e)),
        Err(e) => return Ok(refused(vec![error("InputError", e.to_string())])),
    };
    let Some(Value::String(location)) = body.get("location") else {
        return Ok(refused(vec![error(
            "InputError",
            "Malformed request: location must be a string such as url:https://host/path",
        )]));
    };
    let mut entity = match body.get("entity") {
        Some(Value::Object(entity)) => entity.clone(),
        _ => {
            return Ok(refused(vec![error(
                "InputError",
                "Malformed request: entity must be a JSON object",
            )]));
        }
    };
    let url = match parse_location(location) {
        Ok(url) => url,
        Err(message) => return Ok(refused(vec![error("TypeError", message)])),
    };
    annotate(&mut entity, location);
    let spec = SourceSpec {
        location: SourceLocation::Url(url),
        sandbox: None,
        origin: location.clone(),
        root: location.clone(),
        parent_ref: None,
        parent_source: None,
        presence: Presence::Required,
        all_kinds: false,
    };
    let processor = state.engine.processor().clone();
    let outcome = blocking(move || processor.process_entity(&spec, Value::Object(entity)))
        .await
        .map_err(|e| origin.fail(e))?;
    let mut problems = outcome.problems;
    for entity in outcome.entities {
        if let EntityOutcome::Failed { problems: failed } = entity.outcome {
            problems.extend(failed);
        }
    }
    if problems.is_empty() {
        Ok(StatusCode::OK.into_response())
    } else {
        Ok(refused(problems.iter().map(problem_json).collect()))
    }
}
