//! The frame around every page: head, header with navigation and search,
//! breadcrumbs, title, footer.
//!
//! Views build a [`Page`] and [`render`] wraps it, so every page has a
//! `<title>`, a breadcrumb trail, a skip link, the search box that `/`
//! focuses, and the same stylesheet and script.

use maud::{DOCTYPE, Markup, html};

use crate::assets;

/// The top-level section a page belongs to (highlighted in the navigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Catalog,
    Apis,
    Register,
    Locations,
    /// Error pages and anything outside the navigation.
    Other,
}

/// One step of the breadcrumb trail; the last one is the page itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub label: String,
    /// `None` for the current page.
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: Some(href.into()),
        }
    }

    pub fn here(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: None,
        }
    }
}

/// A page's content and what the frame needs to know about it.
#[derive(Debug)]
pub struct Page {
    /// Shown in the tab title (followed by "· Greenroom").
    pub title: String,
    pub section: Section,
    /// From "Home" (added automatically) down to the page.
    pub crumbs: Vec<Crumb>,
    /// Pre-filled value of the header search box.
    pub search: Option<String>,
    pub body: Markup,
}

const NAV: &[(Section, &str, &str)] = &[
    (Section::Home, "Home", "/"),
    (Section::Catalog, "Catalog", "/catalog"),
    (Section::Apis, "APIs", "/api-docs"),
    (Section::Register, "Register", "/catalog-import"),
    (Section::Locations, "Locations", "/locations"),
];

/// The brand mark as an inline SVG icon (no request, allowed by the CSP's
/// `img-src data:`).
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%230f7b5f'/%3E%3C/svg%3E";

/// The whole HTML document for `page`.
pub fn render(page: Page) -> Markup {
    let css = assets::stylesheet();
    let js = assets::script();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                link rel="icon" href=(FAVICON);
                title { (page.title) " · Greenroom" }
                link rel="stylesheet" href=(css.path);
                script src=(js.path) defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.site-header {
                    a.brand href="/" aria-label="Greenroom home" {
                        span.brand-mark aria-hidden="true" {}
                        "Greenroom"
                    }
                    nav.site-nav aria-label="Main" {
                        @for (section, label, href) in NAV {
                            @if *section == page.section {
                                a href=(href) aria-current="page" { (label) }
                            } @else {
                                a href=(href) { (label) }
                            }
                        }
                    }
                    form.header-search action="/catalog" method="get" role="search" {
                        label.visually-hidden for="site-search" { "Search the catalog" }
                        input #site-search type="search" name="filters[text]"
                            placeholder="Search the catalog" value=[page.search.as_deref()]
                            autocomplete="off";
                        kbd title="Press / to search" { "/" }
                    }
                }
                main #main .page {
                    nav.breadcrumbs aria-label="Breadcrumb" {
                        ol {
                            @if page.section == Section::Home && page.crumbs.is_empty() {
                                li aria-current="page" { "Home" }
                            } @else {
                                li { a href="/" { "Home" } }
                            }
                            @for crumb in &page.crumbs {
                                @match &crumb.href {
                                    Some(href) => li { a href=(href) { (crumb.label) } },
                                    None => li aria-current="page" { (crumb.label) },
                                }
                            }
                        }
                    }
                    (page.body)
                }
                footer.site-footer {
                    "Greenroom · Backstage-compatible developer portal · "
                    a href="/api/openapi.json" { "API" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str) -> Page {
        Page {
            title: title.to_owned(),
            section: Section::Catalog,
            crumbs: vec![Crumb::link("Catalog", "/catalog"), Crumb::here(title)],
            search: Some("\"><script>".to_owned()),
            body: html! { p { "body" } },
        }
    }

    #[test]
    fn every_page_has_title_breadcrumbs_and_assets() {
        let html = render(page("payments <svc>")).into_string();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>payments &lt;svc&gt; · Greenroom</title>"));
        assert!(html.contains(r#"<a href="/catalog">Catalog</a>"#));
        assert!(html.contains(r#"<li aria-current="page">payments &lt;svc&gt;</li>"#));
        assert!(html.contains(&assets::stylesheet().path));
        assert!(html.contains(r#"<a href="/catalog" aria-current="page">Catalog</a>"#));
    }

    #[test]
    fn the_search_value_is_escaped() {
        let html = render(page("x")).into_string();
        assert!(html.contains(r#"value="&quot;&gt;&lt;script&gt;""#));
        assert!(!html.contains("\"><script>"));
    }
}
