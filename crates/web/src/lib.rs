//! Greenroom's HTTP surface: health endpoints and the catalog's read API,
//! in Backstage's paths and JSON shapes, with its OpenAPI document.
//!
//! Handlers are thin: extract, call the store or the engine's refresh
//! trigger, answer. Every error goes through [`error::ApiError`], which
//! renders Backstage's error envelope in one place. Every route is declared
//! once, in [`api`] and the modules' `routes()` ([`api_routes`]); the
//! OpenAPI document ([`openapi`]) is generated from that table.

pub mod api_routes;
mod catalog;
pub mod error;
mod health;
pub mod metrics;
pub mod openapi;
pub mod query;

use std::sync::Arc;

use api_routes::{ApiRoutes, RouteInfo};
use axum::Router;
use greenroom_store::CatalogStore;
use tokio::sync::mpsc;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn CatalogStore>,
    /// Wakes the refresh loop (a full channel means a refresh is pending).
    pub refresh: mpsc::Sender<()>,
    /// Request counters and latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
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
        .nest("/api/catalog", catalog::routes())
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
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
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
