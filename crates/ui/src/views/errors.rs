//! Friendly error pages (404, 400, 500) in the same frame as every page.

use maud::html;

use crate::layout::{Crumb, Page, Section};

/// What went wrong, as the page tells it.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: u16,
    pub title: String,
    /// What happened, in one or two sentences (shown as text).
    pub message: String,
    /// Suggested next steps as (label, href) links.
    pub actions: Vec<(String, String)>,
}

impl ErrorPage {
    /// 404 for a URL that names nothing.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            title: "Page not found".to_owned(),
            message: message.into(),
            actions: vec![
                ("Browse the catalog".to_owned(), "/catalog".to_owned()),
                (
                    "Register a component".to_owned(),
                    "/catalog-import".to_owned(),
                ),
            ],
        }
    }

    /// 400 for a request the page cannot answer as asked.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            title: "This request cannot be answered".to_owned(),
            message: message.into(),
            actions: vec![("Back to the catalog".to_owned(), "/catalog".to_owned())],
        }
    }

    /// 500: the details go to the server log, not to the page.
    pub fn internal() -> Self {
        Self {
            status: 500,
            title: "Something went wrong".to_owned(),
            message: "The server could not build this page. The error was logged; try again in a moment, and tell your platform team if it keeps happening.".to_owned(),
            actions: vec![("Go home".to_owned(), "/".to_owned())],
        }
    }

    /// 403 for a change the portal does not accept.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: 403,
            title: "Not allowed".to_owned(),
            message: message.into(),
            actions: vec![("Go home".to_owned(), "/".to_owned())],
        }
    }
}

/// The page for `error`.
pub fn page(error: &ErrorPage) -> Page {
    Page {
        title: error.title.clone(),
        section: Section::Other,
        crumbs: vec![Crumb::here(error.title.clone())],
        search: None,
        body: html! {
            section.error-page {
                p.status aria-hidden="true" { (error.status) }
                h1 { (error.title) }
                p { (error.message) }
                div.page-actions {
                    @for (label, href) in &error.actions {
                        a.button href=(href) { (label) }
                    }
                }
            }
        },
    }
}
