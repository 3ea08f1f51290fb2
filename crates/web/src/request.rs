//! What handlers read from a request besides path parameters: where
//! it came from (for error envelopes), its query parameters and its JSON
//! body, refused the way Backstage's catalog refuses them
//! (`requireRequestBody`), each refusal naming the problem.

use axum::body::Body;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Uri, header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ApiError, ApiFailure};
use crate::query::RawQuery;

/// Largest accepted request body (the default `catalog.limits.maxFileBytes`,
/// so any descriptor Greenroom ingests can also be sent for validation).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A body somewhat over the limit is still read (and dropped) before the
/// refusal, so that clients which send it all before reading the answer
/// see the 413 rather than a broken connection; bigger ones are refused
/// without reading.
const DRAINED_BYTES: usize = 4 * MAX_BODY_BYTES;

/// The method and URI of the request being answered.
#[derive(Debug, Clone)]
pub struct Origin {
    pub method: Method,
    pub uri: Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Below `/api/catalog` the router sees a shortened path; errors
        // name the one the client asked for.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |original| original.0.clone());
        Ok(Origin {
            method: parts.method.clone(),
            uri,
        })
    }
}

impl Origin {
    /// The failure answering this request.
    pub fn fail(&self, error: impl Into<ApiError>) -> ApiFailure {
        ApiFailure {
            error: error.into(),
            method: self.method.clone(),
            uri: self.uri.clone(),
        }
    }

    /// The value of query parameter `name` (the last one when repeated),
    /// read as strictly as every other query string ([`RawQuery`]).
    pub fn query(&self, name: &str) -> Result<Option<String>, ApiError> {
        let raw = RawQuery::parse(self.uri.query())?;
        Ok(raw.values(name).last().map(str::to_owned))
    }
}

/// Reads the body as a JSON object. `None` only when the body is empty and
/// not `required`.
pub async fn json_object(
    headers: &HeaderMap,
    body: Body,
    required: bool,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "request entity too large: the limit is {MAX_BODY_BYTES} bytes"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > DRAINED_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, DRAINED_BYTES)
        .await
        .map_err(|_| too_large())?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    if bytes.is_empty() && !required {
        return Ok(None);
    }
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str()) {
        None => return Err(ApiError::Input("Content-Type missing".to_owned())),
        Some(Ok(value)) if is_json(value) => {}
        Some(value) => {
            return Err(ApiError::Input(format!(
                "Illegal Content-Type, expected application/json, got '{}'",
                value.unwrap_or("(not text)")
            )));
        }
    }
    if bytes.is_empty() {
        return Err(ApiError::Input("Missing request body".to_owned()));
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::Input(format!("Malformed request: invalid JSON, {e}")))?;
    let Value::Object(object) = value else {
        return Err(ApiError::Input(
            "Expected body to be a JSON object".to_owned(),
        ));
    };
    if object.is_empty() && required {
        return Err(ApiError::Input("Empty request body".to_owned()));
    }
    Ok(Some(object))
}

/// Reads a required JSON object body into `T`.
pub async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, ApiError> {
    let object = json_object(headers, body, true).await?.unwrap_or_default();
    typed(Value::Object(object))
}

/// Converts a JSON value into `T`, naming what does not fit.
pub fn typed<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Input(format!("Malformed request: {e}")))
}

/// `application/json`, optionally with parameters (`; charset=utf-8`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Runs blocking work (file and URL reads, `git`) off the async runtime.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("a worker failed: {e}")))
}
