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
mod locations;
mod register;
mod security;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use greenroom_catalog::problem::Problem;
use greenroom_ui::Markup;
use greenroom_ui::layout::{self, Page};
use greenroom_ui::views::errors::{self as error_views, ErrorPage};
use greenroom_ui::views::problem_lines::ProblemLine;

use crate::AppState;
use crate::error::ApiError;

pub use catalog::{PageCache, recount};
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
        .route("/catalog-import", get(register::show))
        .route(
            "/catalog-import/analyze",
            post(register::analyze)
                .layer(DefaultBodyLimit::max(register::ANALYZE_LIMIT))
                .get(back_to_import),
        )
        .route(
            "/catalog-import/register",
            post(register::register)
                .layer(DefaultBodyLimit::max(register::REGISTER_LIMIT))
                .get(back_to_import),
        )
        .route("/locations", get(locations::show))
        .route("/locations/{id}/refresh", post(locations::refresh))
        .route("/locations/{id}/unregister", post(locations::unregister))
        .route("/static/{file}", get(assets::serve))
}

/// The import form's posts opened as links (a bookmark, a reload after
/// the browser dropped the form) lead back to the form.
async fn back_to_import() -> Redirect {
    Redirect::to("/catalog-import")
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
            ApiError::Input(message) => ErrorPage::bad_request(message.clone()),
            ApiError::PayloadTooLarge(message) => ErrorPage {
                status: 413,
                ..ErrorPage::bad_request(message.clone())
            },
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

/// A processing problem split into what the views show.
fn problem_line(problem: &Problem) -> ProblemLine {
    ProblemLine {
        name: problem.name.clone(),
        place: problem.place.to_string(),
        message: problem.message.clone(),
    }
}

/// Now, in milliseconds since the Unix epoch.
fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
