//! Liveness and readiness probes (Backstage's `/.backstage/health/v1/*`
//! plus the legacy `/healthcheck`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .get("/healthcheck", liveness)
        .get("/.backstage/health/v1/liveness", liveness)
        .get("/.backstage/health/v1/readiness", readiness)
}

async fn liveness() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database answers.
async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.stitch_queue_len().await {
        Ok(_) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "error", "message": format!("database unavailable: {e}")})),
        ),
    }
}
