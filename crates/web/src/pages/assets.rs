//! Serves the fingerprinted stylesheet and script.

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::PageError;
use crate::error::ApiError;

pub(super) async fn serve(Path(file): Path<String>) -> Result<Response, PageError> {
    let path = format!("/static/{file}");
    let asset = greenroom_ui::assets::find(&path)
        .ok_or_else(|| ApiError::NotFound(format!("No file {path}.")))?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.body,
    )
        .into_response())
}
