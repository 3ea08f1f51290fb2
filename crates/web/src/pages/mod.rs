//! The portal's HTML pages, rendered on the server (views live in
//! `greenroom-ui`; these handlers fetch what a view needs and answer).
//!
//! Pages read the same store and call the same engine as the JSON API;
//! neither calls the other over HTTP. Every page works without JavaScript:
//! tabs and pages are URLs, changes are form posts answered with a
//! redirect. Failures render a friendly page ([`PageError`]) with the status
//! the API would use. Form posts must come from a page of this portal
//! ([`same_origin`]), so another site cannot make a visitor's browser
//! change the catalog.

mod assets;
mod catalog;
mod definition;
mod entity;
mod graph;
mod home;
mod security;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use greenroom_ui::Markup;
use greenroom_ui::layout::{self, Page};
use greenroom_ui::views::errors::{self as error_views, ErrorPage};

use crate::AppState;
use crate::error::ApiError;

pub use catalog::PageCache;
pub use security::{content_security_policy, same_origin};

/// Routes of every page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/catalog", get(catalog::show))
        .route(
            "/api-docs",
            get(|| async { Redirect::to("/catalog?filters[kind]=api") }),
        )
        .route("/catalog/{namespace}/{kind}/{name}", get(entity::overview))
        .route(
            "/catalog/{namespace}/{kind}/{name}/definition",
            get(entity::definition),
        )
        .route(
            "/catalog/{namespace}/{kind}/{name}/graph",
            get(entity::graph),
        )
        .route("/catalog/{namespace}/{kind}/{name}/raw", get(entity::raw))
        .route(
            "/catalog/{namespace}/{kind}/{name}/refresh",
            post(entity::refresh),
        )
        .route("/static/{file}", get(assets::serve))
}

/// A page that could not be built, rendered as a friendly error page.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = match &self.0 {
            ApiError::NotFound(message) => ErrorPage::not_found(message.clone()),
            ApiError::Input(message) | ApiError::PayloadTooLarge(message) => {
                ErrorPage::bad_request(message.clone())
            }
            ApiError::NotAllowed(message) => ErrorPage::forbidden(message.clone()),
            ApiError::Conflict(message) => ErrorPage {
                status: 409,
                ..ErrorPage::bad_request(message.clone())
            },
            ApiError::Internal(message) => {
                tracing::error!(error = %message, "a page failed");
                ErrorPage::internal()
            }
        };
        let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, html(error_views::page(&page))).into_response()
    }
}

/// The result of a page handler.
pub type PageResult = Result<Response, PageError>;

/// A whole page as an HTML response (never cached: it shows live data).
pub fn html(page: Page) -> Response {
    render(layout::render(page))
}

fn render(markup: Markup) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(markup.into_string()),
    )
        .into_response()
}

/// The HTML 404 page, for unknown paths outside the API.
pub fn not_found_page(path: &str) -> Response {
    PageError(ApiError::NotFound(format!("Nothing lives at {path}."))).into_response()
}

/// Now, in milliseconds since the Unix epoch.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
