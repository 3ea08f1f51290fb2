//! Greenroom's HTTP surface: health endpoints, metrics, and the catalog's
//! API (entity reads, registered locations, analysis, validation, refresh)
//! in Backstage's paths and JSON shapes, with its OpenAPI document.
//!
//! Handlers are thin: extract, call the store, the engine (validation),
//! the registration service (`registration`: registered locations, dry
//! runs, analysis, which the pages share) or the refresh trigger, answer.
//! Every error goes through [`error::ApiError`], which renders Backstage's
//! error envelope in one place (`POST /validate-entity` answers
//! its own `{errors}` shape, as Backstage's does). Every route is declared
//! once, in [`api`] and the modules' `routes()` ([`api_routes`]); the
//! OpenAPI document ([`openapi`]) is generated from that table.

mod analyze;
pub mod api_routes;
mod catalog;
pub mod error;
mod health;
mod location_query;
mod locations;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod query;
mod readonly;
mod refresh;
mod registration;
mod request;
mod scaffolder;
mod validate_entity;

use std::sync::Arc;

use api_routes::{ApiRoutes, RouteInfo};
use axum::Router;
use greenroom_catalog::Engine;
use greenroom_store::CatalogStore;
use tokio::sync::mpsc;

pub use readonly::ensure_writable;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn CatalogStore>,
    /// Wakes the refresh loop (a full channel means a refresh is pending).
    pub refresh: mpsc::Sender<()>,
    /// Request counters and latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Processes registered locations now, dry runs, analysis and entity
    /// validation (the same engine the refresh loop runs).
    pub engine: Arc<Engine>,
    /// How the write endpoints behave.
    pub writes: WritePolicy,
    /// What the HTML pages cache between requests (facet counts).
    pub pages: Arc<pages::PageCache>,
}

/// Settings of the catalog's write endpoints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WritePolicy {
    /// `catalog.readonly`: refuse every change (see [`ensure_writable`]).
    pub readonly: bool,
    /// `catalog.defaultLocationConflictStrategy: refresh`: registering an
    /// existing location refreshes it instead of answering 409.
    pub refresh_on_conflict: bool,
}

/// Every route of the application, declared once: the router is built from
/// it and the OpenAPI document is generated from (and tested against) its
/// table. A module's routes are added here; each route also needs an
/// operation doc in [`openapi`].
fn api() -> ApiRoutes {
    ApiRoutes::new()
        .merge(health::routes())
        .get("/metrics", metrics::render)
        .get("/api/openapi.json", openapi::serve)
        .nest(
            "/api/catalog",
            catalog::routes()
                .merge(locations::routes())
                .merge(analyze::routes())
                .merge(validate_entity::routes())
                .merge(refresh::routes()),
        )
        .nest("/api/scaffolder", scaffolder::routes())
}

/// The (method, path) of every route the application serves, in
/// registration order.
pub fn route_table() -> Vec<RouteInfo> {
    api().into_parts().1
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let (routes, _) = api().into_parts();
    routes
        .merge(pages::routes())
        .fallback(fallback)
        // Like Backstage (Express), a known path with another method is
        // simply not found, in the error envelope.
        .method_not_allowed_fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(pages::content_security_policy))
        .with_state(state)
}

/// Unknown paths: the API's error envelope below `/api` and for clients
/// that do not ask for HTML; a friendly page for browsers.
async fn fallback(
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let wants_html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if wants_html && !uri.path().starts_with("/api/") {
        pages::not_found_page(uri.path())
    } else {
        error::not_found(method, uri).await
    }
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
