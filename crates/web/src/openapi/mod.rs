//! Greenroom's OpenAPI 3.1 document, generated from the code and served at
//! `GET /api/openapi.json`.
//!
//! The paths come from the route table ([`crate::route_table`]); each
//! (method, path) is described by an [`OperationDoc`] written next to its
//! siblings in this module (one file per area). Component schemas are
//! Backstage's, embedded from `openapi/backstage-components.json` (see the
//! NOTICE there), plus Greenroom's own few. The tests in `tests.rs` keep the
//! route table, the docs, the committed snapshot `openapi/openapi.json` and
//! Backstage's catalog spec in step.
//!
//! Adding a route: register it in its module's `routes()` (an
//! [`ApiRoutes`](crate::api_routes::ApiRoutes)), add an [`OperationDoc`]
//! for it (with Backstage's operationId when Backstage has the operation),
//! then regenerate the snapshot with
//! `GREENROOM_UPDATE_OPENAPI=1 cargo test -p greenroom-web openapi`.

mod entities;
mod locations;
mod scaffolder;
mod service;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::api_routes::{HttpMethod, RouteInfo};

/// Backstage's catalog components (`parameters`, `responses`, `schemas`),
/// copied unchanged from its catalog-backend spec.
const BACKSTAGE_COMPONENTS: &str = include_str!("../../openapi/backstage-components.json");

/// Tags in the order the document lists them (only those in use appear).
const TAGS: &[(&str, &str)] = &[
    (
        "Entity",
        "Backstage's catalog entity API, under `/api/catalog`.",
    ),
    (
        "Locations",
        "Backstage's catalog location API, under `/api/catalog`.",
    ),
    (
        "Scaffolder",
        "Backstage's Scaffolder API (software templates), under `/api/scaffolder`.",
    ),
    ("Health", "Liveness and readiness probes."),
    ("Metrics", "Prometheus metrics."),
    ("OpenAPI", "This document."),
];

/// The documentation of one operation: the method and path it is routed
/// at (as served, prefixes included) and its OpenAPI Operation Object.
pub(crate) struct OperationDoc {
    pub(crate) method: HttpMethod,
    pub(crate) path: &'static str,
    pub(crate) operation: Value,
}

impl OperationDoc {
    pub(crate) fn new(method: HttpMethod, path: &'static str, operation: Value) -> Self {
        OperationDoc {
            method,
            path,
            operation,
        }
    }
}

/// Every operation doc, one per routed (method, path).
pub(crate) fn operations() -> Vec<OperationDoc> {
    let mut all = service::operations();
    all.extend(entities::operations());
    all.extend(locations::operations());
    all.extend(scaffolder::operations());
    all
}

/// The document for the application's routes, built once.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| build(&crate::route_table()))
}

/// `GET /api/openapi.json`.
pub(crate) async fn serve() -> Response {
    static BODY: OnceLock<String> = OnceLock::new();
    let body = BODY.get_or_init(|| document().to_string());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.as_str(),
    )
        .into_response()
}

/// The document for `routes`: each route described by its operation doc
/// (an undocumented route gets a placeholder, which the tests refuse).
/// Paths are sorted, and operations under a path follow
/// [`HttpMethod::ALL`], so the output does not depend on registration
/// order.
pub fn build(routes: &[RouteInfo]) -> Value {
    let docs = operations();
    let mut paths: BTreeMap<&str, BTreeMap<HttpMethod, Value>> = BTreeMap::new();
    for route in routes {
        let operation = docs
            .iter()
            .find(|doc| doc.method == route.method && doc.path == route.path)
            .map_or_else(|| undocumented(route), |doc| doc.operation.clone());
        paths
            .entry(route.path.as_str())
            .or_default()
            .insert(route.method, operation);
    }
    let used_tags: Vec<&str> = paths
        .values()
        .flat_map(BTreeMap::values)
        .filter_map(|operation| operation.get("tags")?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let tags: Vec<Value> = TAGS
        .iter()
        .filter(|(name, _)| used_tags.contains(name))
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect();
    let paths: Map<String, Value> = paths
        .into_iter()
        .map(|(path, operations)| {
            let item: Map<String, Value> = operations
                .into_iter()
                .map(|(method, operation)| (method.openapi_key().to_owned(), operation))
                .collect();
            (path.to_owned(), Value::Object(item))
        })
        .collect();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Greenroom",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Greenroom's HTTP API: Backstage's catalog API under `/api/catalog` \
                (same paths, parameters and JSON shapes, and Backstage's operationIds), \
                health probes, Prometheus metrics, and this document.\n\n\
                Errors use Backstage's envelope (`Error`): a 400 `InputError` names the \
                parameter and the reason, a 404 `NotFoundError` what was not found.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "tags": tags,
        "paths": paths,
        "components": components(),
    })
}

fn undocumented(route: &RouteInfo) -> Value {
    tracing::warn!("no OpenAPI operation doc for {route}");
    json!({
        "summary": "Undocumented route.",
        "responses": {"default": error_response()},
    })
}

/// Backstage's components plus Greenroom's own schemas.
fn components() -> Value {
    let mut components = match serde_json::from_str::<Value>(BACKSTAGE_COMPONENTS) {
        Ok(Value::Object(components)) => components,
        Ok(_) | Err(_) => {
            tracing::error!("openapi/backstage-components.json is not a JSON object");
            Map::new()
        }
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(schemas) = schemas {
        for (name, schema) in own_schemas() {
            schemas.insert(name.to_owned(), schema);
        }
    }
    Value::Object(components)
}

/// Component schemas that are Greenroom's (none of Backstage's spec
/// describes them).
fn own_schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "TemplateParameterSchema",
            json!({
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "presentation": {"type": "object"},
                    "steps": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "title": {"type": "string"},
                                "description": {"type": "string"},
                                "schema": {"type": "object"},
                            },
                            "required": ["title", "schema"],
                        },
                    },
                },
                "required": ["title", "steps"],
                "description": "The form of a template: one entry of `spec.parameters` per wizard step (Backstage's shape).",
            }),
        ),
        (
            "HealthStatus",
            json!({
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["ok", "error"]},
                    "message": {
                        "type": "string",
                        "description": "Why the service is not ready (only with `error`).",
                    },
                },
                "required": ["status"],
                "description": "The answer of a health probe.",
            }),
        ),
    ]
}

// Helpers for writing operation docs.

/// `{"$ref": "#/components/schemas/<name>"}`.
pub(crate) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// `{"$ref": "#/components/parameters/<name>"}`.
pub(crate) fn param_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// Backstage's error envelope response.
pub(crate) fn error_response() -> Value {
    json!({"$ref": "#/components/responses/ErrorResponse"})
}

/// A response with a JSON body of `schema`.
pub(crate) fn json_response(description: &str, schema: Value) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": schema}},
    })
}

/// `responses` with `ok` (status, response) first, then `errors`.
pub(crate) fn responses(status: &str, ok: Value, errors: Value) -> Value {
    let mut out = Map::new();
    out.insert(status.to_owned(), ok);
    if let Value::Object(errors) = errors {
        out.extend(errors);
    }
    Value::Object(out)
}

/// A JSON request body of `schema`.
pub(crate) fn json_request(required: bool, schema: Value) -> Value {
    json!({
        "required": required,
        "content": {"application/json": {"schema": schema}},
    })
}
