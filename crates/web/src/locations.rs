//! Registered locations, Backstage's `/locations` endpoints: register (with
//! dry runs and conflict handling), list, query, read, replace, delete, and
//! find the location an entity came from.
//!
//! Registering stores the location and refreshes it at once, so the answer
//! lists the entities it brought in, stitched (Backstage answers `[]` and
//! processes later). Deleting removes the location's entities at once.
//! Locations from `catalog.locations` are not listed: as in Backstage, only
//! registered ones are.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use greenroom_catalog::dry_run::{self, DryRunError};
use greenroom_catalog::{CatalogError, registered};
use greenroom_model::annotations;
use greenroom_store::{LocationRow, LocationWrite};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::location_query::PageRequest;
use crate::readonly::ensure_writable;
use crate::request::{Origin, blocking, json_body, json_object};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .post("/locations", create)
        .get("/locations", list)
        .post("/locations/by-query", by_query)
        .get("/locations/by-entity/{kind}/{namespace}/{name}", by_entity)
        .get("/locations/{id}", read_one)
        .put("/locations/{id}", replace)
        .delete("/locations/{id}", remove)
}

/// `{type, target}` (other fields, such as `presence`, are ignored).
#[derive(Debug, Deserialize)]
struct LocationInput {
    #[serde(rename = "type")]
    location_type: String,
    target: String,
}

/// A location as Backstage shows it.
fn location_json(id: &str, location_type: &str, target: &str) -> Value {
    json!({
        "id": id,
        "type": location_type,
        "target": target,
        "entityRef": registered::entity_ref(location_type, target),
    })
}

fn row_json(row: &LocationRow) -> Value {
    location_json(&row.id, &row.location_type, &row.target)
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

fn conflict(location_type: &str, target: &str) -> ApiError {
    ApiError::Conflict(format!("Location {location_type}:{target} already exists"))
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("Found no location with ID {id}"))
}

/// `dryRun`: `true`/`false` and the other spellings Backstage's `yn`
/// accepts. Unlike Backstage, an unrecognised value is refused rather than
/// read as `false` (which would register for real).
fn flag(origin: &Origin, name: &str) -> Result<bool, ApiError> {
    match origin.query(name)? {
        None => Ok(false),
        Some(value) => match value.to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "y" | "1" | "on" => Ok(true),
            "false" | "no" | "n" | "0" | "off" => Ok(false),
            _ => Err(ApiError::Input(format!(
                "{name} must be true or false, got '{value}'"
            ))),
        },
    }
}

/// Whether registering an existing location refreshes it.
fn refresh_on_conflict(origin: &Origin, state: &AppState) -> Result<bool, ApiError> {
    match origin.query("onConflict")?.as_deref() {
        None => Ok(state.writes.refresh_on_conflict),
        Some("refresh") => Ok(true),
        Some("reject") => Ok(false),
        Some(other) => Err(ApiError::Input(format!(
            "onConflict must be refresh or reject, got '{other}'"
        ))),
    }
}

/// The stitched entities with these refs, in order (refs without a final
/// entity — never processed successfully — are left out).
async fn final_entities(state: &AppState, refs: &[String]) -> Result<Vec<Value>, ApiError> {
    let rows = state.store.final_entities_by_refs(refs, None).await?;
    let mut by_ref: std::collections::HashMap<&str, &str> = rows
        .iter()
        .map(|row| (row.entity_ref.as_str(), row.body.as_str()))
        .collect();
    Ok(refs
        .iter()
        .filter_map(|r| by_ref.remove(r.as_str()))
        .map(|body| serde_json::from_str(body).unwrap_or(Value::Null))
        .collect())
}

/// Refreshes a registered location now and answers 201 with its entities.
async fn refreshed(
    state: &AppState,
    row: &LocationRow,
    existed: bool,
) -> Result<Response, ApiError> {
    let refs = state
        .engine
        .refresh_registered(&row.location_type, &row.target)
        .await
        .map_err(catalog_error)?;
    let entities = final_entities(state, &refs).await?;
    let mut body = json!({"location": row_json(row), "entities": entities});
    if existed && let Some(object) = body.as_object_mut() {
        object.insert("exists".to_owned(), Value::Bool(true));
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Checks that a location can be read before it is stored.
async fn check_readable(state: &AppState, input: &LocationInput) -> Result<(), ApiError> {
    let processor = state.engine.processor().clone();
    let (location_type, target) = (input.location_type.clone(), input.target.clone());
    blocking(move || dry_run::check_readable(&processor, &location_type, &target))
        .await?
        .map_err(dry_run_error)
}

/// `POST /locations?dryRun=&onConflict=`.
async fn create(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let fail = |e| origin.fail(e);
    let dry = flag(&origin, "dryRun").map_err(fail)?;
    let on_conflict_refresh = refresh_on_conflict(&origin, &state).map_err(fail)?;
    let input: LocationInput = json_body(&headers, body).await.map_err(fail)?;
    if !dry {
        ensure_writable(&state).map_err(fail)?;
    }
    registered::check(&input.location_type, &input.target)
        .map_err(|e| fail(ApiError::Input(e.to_string())))?;

    if dry {
        let processor = state.engine.processor().clone();
        let (location_type, target) = (input.location_type.clone(), input.target.clone());
        let entities = blocking(move || dry_run::dry_run(&processor, &location_type, &target))
            .await
            .map_err(fail)?
            .map_err(|e| fail(dry_run_error(e)))?;
        let exists = state
            .store
            .location_by_target(&input.location_type, &input.target)
            .await
            .map_err(|e| fail(e.into()))?
            .is_some();
        let id = registered::location_ref(&input.location_type, &input.target);
        let body = json!({
            "location": location_json(&id, &input.location_type, &input.target),
            "entities": entities,
            "exists": exists,
        });
        return Ok((StatusCode::CREATED, Json(body)).into_response());
    }

    let existing = state
        .store
        .location_by_target(&input.location_type, &input.target)
        .await
        .map_err(|e| fail(e.into()))?;
    let (row, existed) = match existing {
        Some(row) => (row, true),
        None => {
            check_readable(&state, &input).await.map_err(fail)?;
            let id = uuid::Uuid::new_v4().to_string();
            match state
                .store
                .add_location(&id, &input.location_type, &input.target)
                .await
                .map_err(|e| fail(e.into()))?
            {
                LocationWrite::Written(row) => (row, false),
                LocationWrite::Exists(row) => (row, true),
                LocationWrite::NotFound => {
                    return Err(fail(ApiError::Internal(
                        "the new location vanished while being stored".to_owned(),
                    )));
                }
            }
        }
    };
    if existed && !on_conflict_refresh {
        return Err(fail(conflict(&input.location_type, &input.target)));
    }
    refreshed(&state, &row, existed).await.map_err(fail)
}

/// `GET /locations`: `[{data: Location}]`.
async fn list(State(state): State<AppState>, origin: Origin) -> Result<Json<Value>, ApiFailure> {
    let rows = state
        .store
        .locations()
        .await
        .map_err(|e| origin.fail(ApiError::from(e)))?;
    Ok(Json(Value::Array(
        rows.iter()
            .map(|row| json!({"data": row_json(row)}))
            .collect(),
    )))
}

/// `POST /locations/by-query`: `{items, totalItems, pageInfo: {nextCursor?}}`,
/// ordered by id.
async fn by_query(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiFailure> {
    let fail = |e| origin.fail(e);
    let body = json_object(&headers, body, false)
        .await
        .map_err(fail)?
        .unwrap_or_default();
    let request = PageRequest::from_body(&body).map_err(|e| fail(ApiError::Input(e)))?;
    let mut rows = state.store.locations().await.map_err(|e| fail(e.into()))?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let matching: Vec<&LocationRow> = rows
        .iter()
        .filter(|row| request.predicate.as_ref().is_none_or(|p| p.matches(row)))
        .collect();
    let total = matching.len();
    let limit = usize::try_from(request.limit).unwrap_or(usize::MAX);
    let mut page = matching
        .into_iter()
        .filter(|row| {
            request
                .after_id
                .as_deref()
                .is_none_or(|after| row.id.as_str() > after)
        })
        .take(limit.saturating_add(1))
        .collect::<Vec<_>>();
    let more = page.len() > limit;
    page.truncate(limit);
    let mut page_info = serde_json::Map::new();
    if more && let Some(last) = page.last() {
        page_info.insert(
            "nextCursor".to_owned(),
            Value::String(request.next_cursor(&last.id)),
        );
    }
    Ok(Json(json!({
        "items": page.iter().map(|row| row_json(row)).collect::<Vec<_>>(),
        "totalItems": total,
        "pageInfo": page_info,
    })))
}

/// `GET /locations/{id}`.
async fn read_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    origin: Origin,
) -> Result<Json<Value>, ApiFailure> {
    match state
        .store
        .location(&id)
        .await
        .map_err(|e| origin.fail(ApiError::from(e)))?
    {
        Some(row) => Ok(Json(row_json(&row))),
        None => Err(origin.fail(not_found(&id))),
    }
}

/// `PUT /locations/{id}`: replaces type and target; what the old target
/// brought in goes at once, the new target is refreshed at once.
async fn replace(
    State(state): State<AppState>,
    Path(id): Path<String>,
    origin: Origin,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiFailure> {
    let fail = |e| origin.fail(e);
    ensure_writable(&state).map_err(fail)?;
    let input: LocationInput = json_body(&headers, body).await.map_err(fail)?;
    registered::check(&input.location_type, &input.target)
        .map_err(|e| fail(ApiError::Input(e.to_string())))?;
    let Some(before) = state
        .store
        .location(&id)
        .await
        .map_err(|e| fail(e.into()))?
    else {
        return Err(fail(not_found(&id)));
    };
    if before.location_type == input.location_type && before.target == input.target {
        return Ok(Json(row_json(&before)));
    }
    check_readable(&state, &input).await.map_err(fail)?;
    let row = match state
        .store
        .update_location(&id, &input.location_type, &input.target)
        .await
        .map_err(|e| fail(e.into()))?
    {
        LocationWrite::Written(row) => row,
        LocationWrite::Exists(_) => {
            return Err(fail(conflict(&input.location_type, &input.target)));
        }
        LocationWrite::NotFound => return Err(fail(not_found(&id))),
    };
    state
        .engine
        .remove_registered(&before.location_type, &before.target)
        .await
        .map_err(|e| fail(catalog_error(e)))?;
    state
        .engine
        .refresh_registered(&row.location_type, &row.target)
        .await
        .map_err(|e| fail(catalog_error(e)))?;
    Ok(Json(row_json(&row)))
}

/// `DELETE /locations/{id}`: 204, its entities removed at once.
async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    origin: Origin,
) -> Result<StatusCode, ApiFailure> {
    let fail = |e| origin.fail(e);
    ensure_writable(&state).map_err(fail)?;
    let Some(row) = state
        .store
        .delete_location(&id)
        .await
        .map_err(|e| fail(e.into()))?
    else {
        return Err(fail(not_found(&id)));
    };
    state
        .engine
        .remove_registered(&row.location_type, &row.target)
        .await
        .map_err(|e| fail(catalog_error(e)))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /locations/by-entity/{kind}/{namespace}/{name}`: the registered
/// location the entity originates from (its
/// `backstage.io/managed-by-origin-location`), as in Backstage.
async fn by_entity(
    State(state): State<AppState>,
    Path((kind, namespace, name)): Path<(String, String, String)>,
    origin: Origin,
) -> Result<Json<Value>, ApiFailure> {
    let fail = |e| origin.fail(e);
    let entity_ref = format!("{kind}:{namespace}/{name}").to_lowercase();
    let Some(row) = state
        .store
        .final_entity(&entity_ref)
        .await
        .map_err(|e| fail(e.into()))?
    else {
        return Err(fail(ApiError::NotFound(format!(
            "found no entity for ref {entity_ref}"
        ))));
    };
    let entity: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
    let Some(origin_location) =
        greenroom_model::entity::annotation(&entity, annotations::MANAGED_BY_ORIGIN_LOCATION)
    else {
        return Err(fail(ApiError::NotFound(format!(
            "found no origin annotation for ref {entity_ref}"
        ))));
    };
    let (location_type, target) = origin_location
        .split_once(':')
        .map(|(t, rest)| (t.trim(), rest.trim()))
        .unwrap_or(("", origin_location));
    match state
        .store
        .location_by_target(location_type, target)
        .await
        .map_err(|e| fail(e.into()))?
    {
        Some(location) => Ok(Json(row_json(&location))),
        None => Err(fail(ApiError::NotFound(format!(
            "Found no location with type {location_type} and target {target}"
        )))),
    }
}
