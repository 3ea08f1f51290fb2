//! Greenroom's HTTP surface: health endpoints and the catalog's read API,
//! in Backstage's paths and JSON shapes.
//!
//! Handlers are thin: extract, call the store or the engine's refresh
//! trigger, answer. Every error goes through [`error::ApiError`], which
//! renders Backstage's error envelope in one place.

mod catalog;
pub mod error;
mod health;
pub mod metrics;
pub mod query;

use std::sync::Arc;

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

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .route("/metrics", axum::routing::get(metrics::render))
        .nest("/api/catalog", catalog::routes())
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
