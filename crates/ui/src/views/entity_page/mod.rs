//! The page of one entity: header, tabs, and per tab its content.
//!
//! The overview shows what needs attention first (processing errors, orphan
//! status, with what to do about them), then the about card, the relations
//! grouped by type, and the sections of the entity's kind (a group's
//! members, a system's parts). Other tabs show the API definition, the
//! relationship graph and the raw entity.

mod about;
mod kind_sections;
mod problems;
mod raw;
mod relations;

use std::collections::HashMap;

use greenroom_model::EntityRef;
use maud::{Markup, html};
use serde_json::Value;

use crate::entity::{EntityView, entity_href};
use crate::layout::{Crumb, Page, Section};
use crate::views::catalog::kind_plural;

pub use problems::SourceStatus;
pub(crate) use problems::hint;

/// The tabs of an entity page (each its own URL, so they work without
/// JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    /// API entities: the rendered definition.
    Definition,
    Graph,
    Raw,
}

impl Tab {
    /// The path suffix after the entity's URL.
    pub fn suffix(self) -> &'static str {
        match self {
            Tab::Overview => "",
            Tab::Definition => "/definition",
            Tab::Graph => "/graph",
            Tab::Raw => "/raw",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Definition => "Definition",
            Tab::Graph => "Graph",
            Tab::Raw => "Raw",
        }
    }
}

/// Everything an entity page shows.
#[derive(Debug, Clone)]
pub struct EntityPage {
    pub entity: Value,
    /// When the stitched entity last changed (epoch ms).
    pub changed_at: i64,
    /// The source (file or URL) it was read from, when known.
    pub source: Option<SourceStatus>,
    /// Entities this one relates to (and, for groups and users, what they
    /// own), by canonical ref, for titles and descriptions.
    pub related: HashMap<String, Value>,
    /// Relation targets that were not fetched because there were too many.
    pub related_truncated: bool,
    pub now: i64,
    pub tab: Tab,
    /// The tab's own content when the web crate renders it (definition,
    /// graph).
    pub tab_content: Option<Markup>,
    /// A one-line message after an action (refresh requested).
    pub notice: Option<String>,
    /// Whether the catalog refuses changes (`catalog.readonly`).
    pub readonly: bool,
}

impl EntityPage {
    pub(crate) fn related_entity(&self, reference: &EntityRef) -> Option<EntityView<'_>> {
        self.related.get(reference.canonical()).map(EntityView::new)
    }
}

/// The page for `data`; `None` when the entity has no valid ref (never the
/// case for stored entities).
pub fn page(data: &EntityPage) -> Option<Page> {
    let view = EntityView::new(&data.entity);
    let reference = view.reference()?;
    let base = entity_href(&reference);
    let kind = view.kind();
    let mut tabs = vec![Tab::Overview];
    if kind.eq_ignore_ascii_case("api") {
        tabs.push(Tab::Definition);
    }
    tabs.extend([Tab::Graph, Tab::Raw]);
    let title = view.display_name().to_owned();
    let section = if kind.eq_ignore_ascii_case("api") {
        Section::Apis
    } else {
        Section::Catalog
    };
    let kind_list = format!("/catalog?filters[kind]={}", kind.to_lowercase());
    let mut crumbs = vec![
        Crumb::link("Catalog", "/catalog"),
        Crumb::link(kind_plural(kind), kind_list),
    ];
    if data.tab == Tab::Overview {
        crumbs.push(Crumb::here(title.clone()));
    } else {
        crumbs.push(Crumb::link(title.clone(), base.clone()));
        crumbs.push(Crumb::here(data.tab.label()));
    }
    let body = html! {
        div.page-head {
            div {
                h1 {
                    (title)
                    @if view.is_orphan() { " " span.badge.badge-warning { "orphan" } }
                    @if !view.problems().is_empty() { " " span.badge.badge-danger { "processing error" } }
                }
                p.subtitle {
                    span.kind-label { (kind) }
                    @if let Some(spec_type) = view.spec_str("type") { " · " (spec_type) }
                    " · " code { (reference.canonical()) }
                }
            }
            div.page-actions {
                (about::refresh_form(&base, data))
            }
        }
        @if let Some(notice) = &data.notice {
            div.callout.callout-info role="status" { p { (notice) } }
        }
        nav.tabs aria-label="Entity sections" {
            @for tab in &tabs {
                @let href = format!("{base}{}", tab.suffix());
                @if *tab == data.tab {
                    a href=(href) aria-current="page" { (tab.label()) }
                } @else {
                    a href=(href) { (tab.label()) }
                }
            }
        }
        @match data.tab {
            Tab::Overview => (overview(data, &view, &reference)),
            Tab::Raw => (raw::section(&data.entity)),
            Tab::Definition | Tab::Graph => {
                @if let Some(content) = &data.tab_content { (content) }
            }
        }
    };
    Some(Page {
        title: format!("{title} ({kind})"),
        section,
        crumbs,
        search: None,
        body,
    })
}

fn overview(data: &EntityPage, view: &EntityView<'_>, reference: &EntityRef) -> Markup {
    html! {
        div.stack {
            (problems::attention(data, view))
            div.grid.grid-2 {
                div.stack {
                    (about::card(data, view, reference))
                    (kind_sections::sections(data, view))
                }
                div.stack {
                    (relations::card(data, view))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page_for(entity: Value, related: Vec<Value>) -> String {
        let related = related
            .into_iter()
            .filter_map(|e| {
                let reference = EntityView::new(&e).reference()?;
                Some((reference.canonical().to_owned(), e))
            })
            .collect();
        let data = EntityPage {
            entity,
            changed_at: 0,
            source: None,
            related,
            related_truncated: false,
            now: 60_000,
            tab: Tab::Overview,
            tab_content: None,
            notice: None,
            readonly: false,
        };
        crate::layout::render(page(&data).expect("a page")).into_string()
    }

    #[test]
    fn a_group_page_lists_members_and_owned_entities_once() {
        let group = json!({
            "kind": "Group", "metadata": {"name": "team-a", "title": "Team A"},
            "spec": {"type": "team"},
            "relations": [
                {"type": "hasMember", "targetRef": "user:default/alice"},
                {"type": "ownerOf", "targetRef": "component:default/payments"},
                {"type": "childOf", "targetRef": "group:default/engineering"}
            ]
        });
        let alice = json!({"kind": "User", "metadata": {"name": "alice"},
                           "spec": {"profile": {"displayName": "Alice A", "email": "alice@example.com"}}});
        let html = page_for(group, vec![alice]);
        assert!(html.contains("<title>Team A (Group) · Greenroom</title>"));
        assert!(html.contains("Members <span class=\"muted\">(1)</span>"));
        assert!(html.contains("alice@example.com"));
        assert!(html.contains(r#"href="/catalog/default/component/payments""#));
        assert!(html.contains("Parent group"));
        // Owned entities and members are not listed again under Relations.
        assert!(!html.contains("<h3>Owns"));
        assert!(!html.contains("<h3>Members"));
        // A target missing from the catalog is marked.
        assert!(html.contains("missing"));
    }

    #[test]
    fn problems_and_orphans_say_what_to_do() {
        let entity = json!({
            "kind": "Component",
            "metadata": {"name": "svc", "annotations": {"backstage.io/orphan": "true"}},
            "spec": {"type": "service", "owner": "team-a", "lifecycle": "production"},
            "status": {"items": [{"type": "backstage.io/catalog-processing", "level": "error",
                "message": "ConflictError: file:/x.yaml: already provided",
                "error": {"name": "ConflictError", "message": "already provided"}}]}
        });
        let html = page_for(entity, Vec::new());
        assert!(html.contains("This entity has processing errors"));
        assert!(html.contains("Another location already provides an entity"));
        assert!(html.contains("This entity is an orphan"));
        assert!(html.contains("file:/x.yaml: already provided"));
        assert!(html.contains(r#"action="/catalog/default/component/svc/refresh""#));
    }
}
