//! The about card (what the entity is and who owns it) and the refresh
//! button.

use greenroom_model::EntityRef;
use greenroom_model::annotations::{EDIT_URL, SOURCE_LOCATION, VIEW_URL};
use maud::{Markup, html};

use super::EntityPage;
use crate::entity::{EntityView, parse_ref, ref_link};
use crate::format::{ago, rfc3339, utc_timestamp};
use crate::links::safe_href;

pub(super) fn card(data: &EntityPage, view: &EntityView<'_>, reference: &EntityRef) -> Markup {
    let namespace = view.namespace();
    let spec_ref = |key: &str, kind: &str| {
        view.spec_str(key)
            .and_then(|value| parse_ref(value, Some(kind), namespace))
    };
    let owner = spec_ref("owner", "group");
    let system = spec_ref("system", "system");
    let domain = spec_ref("domain", "domain");
    let view_url = view.annotation(VIEW_URL).and_then(safe_href);
    let edit_url = view.annotation(EDIT_URL).and_then(safe_href);
    let links = view.links();
    let tags = view.tags();
    html! {
        section.card.about aria-labelledby="about-heading" {
            header {
                h2 #about-heading { "About" }
                div.page-actions.small {
                    @if let Some(url) = view_url { a href=(url) rel="noopener noreferrer" { "View source" } }
                    @if let Some(url) = edit_url { a href=(url) rel="noopener noreferrer" { "Edit" } }
                }
            }
            @match view.description() {
                Some(description) => p.description { (description) },
                None => p.empty { "No description." },
            }
            dl.facts {
                @if let Some(owner) = &owner {
                    div { dt { "Owner" } dd { (ref_link(owner, Some("group"))) } }
                } @else if owner_expected(view.kind()) {
                    div { dt { "Owner" } dd.muted { "None" } }
                }
                @if let Some(system) = &system { div { dt { "System" } dd { (ref_link(system, Some("system"))) } } }
                @if let Some(domain) = &domain { div { dt { "Domain" } dd { (ref_link(domain, Some("domain"))) } } }
                @if let Some(spec_type) = view.spec_str("type") { div { dt { "Type" } dd { (spec_type) } } }
                @if let Some(lifecycle) = view.spec_str("lifecycle") { div { dt { "Lifecycle" } dd { (lifecycle) } } }
                @if let Some(email) = view.value.get("spec").and_then(|s| s.get("profile")).and_then(|p| p.get("email")).and_then(|e| e.as_str()) {
                    div { dt { "Email" } dd {
                        @match safe_href(&format!("mailto:{email}")) {
                            Some(href) => a href=(href) { (email) },
                            None => (email),
                        }
                    } }
                }
                div { dt { "Namespace" } dd { (reference.namespace()) } }
                div {
                    dt { "Last changed" }
                    dd { time datetime=(rfc3339(data.changed_at)) title=(utc_timestamp(data.changed_at)) { (ago(data.changed_at, data.now)) } }
                }
                @if let Some(read) = data.source.as_ref().and_then(|s| s.last_read_at) {
                    div {
                        dt title="When the source file was last read with new content; unchanged files are checked every pass without being processed again" { "Last processed" }
                        dd { time datetime=(rfc3339(read)) title=(utc_timestamp(read)) { (ago(read, data.now)) } }
                    }
                }
            }
            @if !tags.is_empty() {
                h3.small.muted { "Tags" }
                ul.chips {
                    @for tag in &tags {
                        li { a.chip href={ "/catalog?filters[tags]=" (crate::links::encode_component(tag)) } { (tag) } }
                    }
                }
            }
            @if !links.is_empty() {
                h3.small.muted { "Links" }
                ul.plain-list.links {
                    @for link in &links {
                        li {
                            @match safe_href(&link.url) {
                                Some(href) => a href=(href) rel="noopener noreferrer" { (link.title.as_deref().unwrap_or(&link.url)) },
                                None => span title="Only http, https and mailto links are followed" {
                                    (link.title.as_deref().unwrap_or("link")) " " code { (link.url) }
                                },
                            }
                        }
                    }
                }
            }
            @if let Some(location) = view.annotation(SOURCE_LOCATION) {
                p.small.muted { "Source location: " code { (location) } }
            } @else if let Some(source) = &data.source {
                p.small.muted { "Read from " code { (source.key) } }
            }
        }
    }
}

fn owner_expected(kind: &str) -> bool {
    [
        "component",
        "api",
        "resource",
        "system",
        "domain",
        "template",
    ]
    .iter()
    .any(|k| k.eq_ignore_ascii_case(kind))
}

/// The refresh button: a form posting to the entity's `refresh` path.
pub(super) fn refresh_form(base: &str, data: &EntityPage) -> Markup {
    html! {
        @if data.readonly {
            span.small.muted title="catalog.readonly is set" { "Read-only catalog" }
        } @else {
            form.inline-form method="post" action={ (base) "/refresh" } {
                button type="submit" title="Read this entity's source again now" { "↻ Refresh" }
            }
        }
    }
}
