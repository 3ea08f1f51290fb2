//! Registered locations, Backstage's `/locations` endpoints: register (with
//! dry runs and conflict handling), list, query, read, replace, delete, and
//! find the location an entity came from.
//!
//! Registering stores the location and refreshes it at once, so the answer
//! lists the entities it brought in, stitched (Backstage answers `[]` and
//! processes later). Deleting removes the location's entities at once.
//! Locations from `catalog.locations` are not listed: as in Backstage, only
//! registered ones are. The work is [`crate::registration`]'s, which the
//! pages share; these handlers read the request and shape the answer.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use greenroom_catalog::registered;
use greenroom_model::annotations;
use greenroom_store::LocationRow;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::location_query::PageRequest;
use crate::readonly::ensure_writable;
use crate::registration::{LocationSpec, OnConflict, Registrations};
use crate::request::{Origin, json_body, json_object};

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

impl LocationInput {
    fn spec(self) -> LocationSpec {
        LocationSpec::new(self.location_type, self.target)
    }
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
    let spec = input.spec();
    let service = Registrations::new(&state);
    if dry {
        let dry = service.dry_run(&spec).await.map_err(fail)?;
        let body = json!({
            "location": location_json(&dry.id, &spec.location_type, &spec.target),
            "entities": dry.entities,
            "exists": dry.exists,
        });
        return Ok((StatusCode::CREATED, Json(body)).into_response());
    }
    let on_conflict = if on_conflict_refresh {
        OnConflict::Refresh
    } else {
        OnConflict::Reject
    };
    let registered = service.register(&spec, on_conflict).await.map_err(fail)?;
    let mut body = json!({
        "location": row_json(&registered.location),
        "entities": registered.entities,
    });
    if registered.existed
        && let Some(object) = body.as_object_mut()
    {
        object.insert("exists".to_owned(), Value::Bool(true));
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
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
    let row = Registrations::new(&state)
        .relocate(&id, &input.spec())
        .await
        .map_err(fail)?;
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
    Registrations::new(&state)
        .unregister(&id)
        .await
        .map_err(fail)?;
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
