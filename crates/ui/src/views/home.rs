//! The home page: search, what the catalog holds, what changed, what is
//! broken.

use greenroom_model::EntityRef;
use maud::{Markup, html};
use serde_json::Value;

use crate::entity::{EntityView, entity_href, ref_link};
use crate::format::{ago, plural, rfc3339, thousands, utc_timestamp};
use crate::layout::{Page, Section};
use crate::links::encode_component;

/// Something with processing errors, for the home page's list.
#[derive(Debug, Clone)]
pub struct ProblemSummary {
    /// The entity, when the problem is an entity's; `None` for a source
    /// (a file or URL) that produced no entity.
    pub entity: Option<EntityRef>,
    /// The entity ref or the source key, as text.
    pub subject: String,
    pub messages: Vec<String>,
}

/// What the home page shows.
#[derive(Debug, Clone, Default)]
pub struct HomeData {
    /// Entities per (lower-case) kind.
    pub kinds: Vec<(String, u64)>,
    /// Recently changed entities with the time they changed (epoch ms).
    pub recent: Vec<(Value, i64)>,
    pub problems: Vec<ProblemSummary>,
    /// How many entities and sources have errors in all.
    pub problem_counts: (u64, u64),
    /// Now, in epoch milliseconds (for "5 minutes ago").
    pub now: i64,
}

pub fn page(data: &HomeData) -> Page {
    let total: u64 = data.kinds.iter().map(|(_, count)| count).sum();
    Page {
        title: "Home".to_owned(),
        section: Section::Home,
        crumbs: Vec::new(),
        search: None,
        body: html! {
            div.page-head {
                div {
                    h1 { "Welcome to Greenroom" }
                    p.subtitle { (thousands(total)) " entities in the catalog. Press " kbd { "/" } " to search from anywhere." }
                }
                div.page-actions {
                    a.button href="/catalog-import" { "Register existing component" }
                }
            }
            form.card.home-search action="/catalog" method="get" role="search" {
                label for="home-search" { "Find a service, API, team or person" }
                div.row-form {
                    div.field {
                        input #home-search type="search" name="filters[text]" placeholder="Search by name, title, description or tag";
                    }
                    button.button-primary type="submit" { "Search" }
                }
            }
            section aria-labelledby="kinds-heading" {
                h2 #kinds-heading .visually-hidden { "Entities by kind" }
                div.grid.grid-cards.kind-counts {
                    @for (kind, count) in &data.kinds {
                        a.card.stat href={ "/catalog?filters[kind]=" (encode_component(kind)) } {
                            span.stat-value { (thousands(*count)) }
                            span.stat-label { (crate::views::catalog::kind_plural(kind)) }
                        }
                    }
                    @if data.kinds.is_empty() {
                        p.empty { "The catalog is empty. Register a catalog-info.yaml to get started." }
                    }
                }
            }
            div.grid.grid-halves {
                section.card aria-labelledby="recent-heading" {
                    h2 #recent-heading { "Recently changed" }
                    (recent(data))
                }
                section.card aria-labelledby="problems-heading" {
                    header {
                        h2 #problems-heading { "Processing errors" }
                        @if data.problem_counts != (0, 0) {
                            span.badge.badge-danger {
                                (plural(data.problem_counts.0 as i64, "entity")) " · " (plural(data.problem_counts.1 as i64, "source"))
                            }
                        }
                    }
                    (problems(&data.problems))
                }
            }
        },
    }
}

fn recent(data: &HomeData) -> Markup {
    html! {
        @if data.recent.is_empty() {
            p.empty { "Nothing yet." }
        } @else {
            ul.plain-list {
                @for (entity, changed) in &data.recent {
                    @let view = EntityView::new(entity);
                    @if let Some(reference) = view.reference() {
                        li {
                            span {
                                a.entity-link href=(entity_href(&reference)) { (view.display_name()) }
                                " "
                                span.kind-label { (view.kind()) }
                            }
                            time.small.muted datetime=(rfc3339(*changed)) title=(utc_timestamp(*changed)) {
                                (ago(*changed, data.now))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The list of things with processing errors (also used by other pages).
pub fn problems(problems: &[ProblemSummary]) -> Markup {
    html! {
        @if problems.is_empty() {
            p.empty { "No processing errors. Everything the catalog reads is valid." }
        } @else {
            ul.plain-list.problem-list {
                @for problem in problems {
                    li {
                        div {
                            @match &problem.entity {
                                Some(reference) => (ref_link(reference, None)),
                                None => code { (problem.subject) },
                            }
                            @for message in &problem.messages {
                                div.small.muted { (message) }
                            }
                        }
                    }
                }
            }
        }
    }
}
