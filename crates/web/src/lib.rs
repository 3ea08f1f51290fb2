//! Greenroom's HTTP surface: health endpoints and the catalog's API (entity
//! reads, registered locations, analysis, validation, refresh), in
//! Backstage's paths and JSON shapes.
//!
//! Handlers are thin: extract, call the store, the engine (registered
//! locations, dry runs, analysis, validation) or the refresh trigger,
//! answer. Every error goes through [`error::ApiError`], which renders
//! Backstage's error envelope in one place (`POST /validate-entity` answers
//! its own `{errors}` shape, as Backstage's does).

mod analyze;
mod catalog;
pub mod error;
mod health;
mod location_query;
mod locations;
mod readonly;
mod refresh;
mod request;
mod validate_entity;

use std::sync::Arc;

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
    /// Processes registered locations now, dry runs, analysis and entity
    /// validation (the same engine the refresh loop runs).
    pub engine: Arc<Engine>,
    /// How the write endpoints behave.
    pub writes: WritePolicy,
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

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(health::routes())
        .nest(
            "/api/catalog",
            catalog::routes()
                .merge(locations::routes())
                .merge(analyze::routes())
                .merge(validate_entity::routes())
                .merge(refresh::routes()),
        )
        .fallback(error::not_found)
        // Like Backstage (Express), a known path with another method is
        // simply not found, in the error envelope.
        .method_not_allowed_fallback(error::not_found)
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
