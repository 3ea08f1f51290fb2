//! The one mapping from failures to HTTP responses: Backstage's error
//! envelope `{error: {name, message}, request: {method, url}, response:
//! {statusCode}}`, logged once here rather than in every handler.

use axum::Json;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API failure with its Backstage error class.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Input(String),
    /// Refused by configuration (`catalog.readonly`, reading allow lists).
    #[error("{0}")]
    NotAllowed(String),
    /// Clashes with what exists (a location registered twice).
    #[error("{0}")]
    Conflict(String),
    /// A request body over the size limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFoundError"),
            ApiError::Input(_) => (StatusCode::BAD_REQUEST, "InputError"),
            ApiError::NotAllowed(_) => (StatusCode::FORBIDDEN, "NotAllowedError"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "ConflictError"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeError"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Error"),
        }
    }

    /// Renders the envelope for a request.
    pub fn render(&self, method: &Method, uri: &Uri) -> Response {
        let (status, name) = self.parts();
        if status.is_server_error() {
            tracing::error!(%method, %uri, error = %self, "request failed");
        }
        let body = json!({
            "error": {"name": name, "message": self.to_string()},
            "request": {"method": method.as_str(), "url": uri.to_string()},
            "response": {"statusCode": status.as_u16()},
        });
        (status, Json(body)).into_response()
    }
}

impl From<greenroom_store::StoreError> for ApiError {
    fn from(e: greenroom_store::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// A failure paired with the request it answers.
pub struct ApiFailure {
    pub error: ApiError,
    pub method: Method,
    pub uri: Uri,
}

/// Helpers return boxed failures (they are large); handlers unbox with `?`.
impl From<Box<ApiFailure>> for ApiFailure {
    fn from(failure: Box<ApiFailure>) -> Self {
        *failure
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        self.error.render(&self.method, &self.uri)
    }
}

/// Answers every unknown path.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    ApiError::NotFound(format!("No route for {method} {}", uri.path())).render(&method, &uri)
}
