//! Sections that depend on the entity's kind: a group's members and what it
//! owns, a user's groups and what they own, the parts of a system or
//! domain, the targets of a location.

use greenroom_model::EntityRef;
use maud::{Markup, html};

use super::EntityPage;
use crate::entity::{EntityView, humanize};
use crate::links::encode_component;

/// Relation types the kind's sections already list (the relations card
/// leaves them out).
pub(super) fn covered_types(kind: &str) -> &'static [&'static str] {
    match kind.to_ascii_lowercase().as_str() {
        "group" => &["hasMember", "ownerOf"],
        "user" => &["memberOf", "ownerOf"],
        "system" | "domain" => &["hasPart"],
        _ => &[],
    }
}

pub(super) fn sections(data: &EntityPage, view: &EntityView<'_>) -> Markup {
    let kind = view.kind().to_ascii_lowercase();
    let reference = view.reference();
    html! {
        @match kind.as_str() {
            "group" => {
                (members(data, &view.related("hasMember")))
                (owned(data, view, reference.as_ref()))
            }
            "user" => {
                (listing(data, "Groups", "groups-heading", &view.related("memberOf"), "Not a member of any group."))
                (owned(data, view, reference.as_ref()))
            }
            "system" => {
                (listing(data, "Parts of this system", "parts-heading", &view.related("hasPart"), "No components, APIs or resources name this system."))
            }
            "domain" => {
                (listing(data, "Systems in this domain", "parts-heading", &view.related("hasPart"), "No systems name this domain."))
            }
            "location" => (location_targets(view)),
            _ => {}
        }
    }
}

fn members(data: &EntityPage, members: &[EntityRef]) -> Markup {
    html! {
        section.card aria-labelledby="members-heading" {
            h2 #members-heading { "Members " span.muted { "(" (members.len()) ")" } }
            @if members.is_empty() {
                p.empty { "No members." }
            } @else {
                ul.plain-list.members {
                    @for member in members.iter().take(200) {
                        li {
                            (super::relations::target_item(data, member))
                            @if let Some(email) = data.related_entity(member).and_then(|m| m.value.pointer("/spec/profile/email")).and_then(|e| e.as_str()) {
                                span.item-detail.small.muted { (email) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn owned(data: &EntityPage, view: &EntityView<'_>, reference: Option<&EntityRef>) -> Markup {
    let owned = view.related("ownerOf");
    html! {
        section.card aria-labelledby="owned-heading" {
            header {
                h2 #owned-heading { "Owned entities " span.muted { "(" (owned.len()) ")" } }
                @if let Some(reference) = reference {
                    a.small href={ "/catalog?filters[owner]=" (encode_component(reference.canonical())) } { "Open in catalog" }
                }
            }
            @if owned.is_empty() {
                p.empty { "Owns nothing yet." }
            } @else {
                ul.plain-list.owned {
                    @for target in owned.iter().take(100) {
                        li { (super::relations::target_item(data, target)) }
                    }
                }
            }
        }
    }
}

fn listing(data: &EntityPage, title: &str, id: &str, targets: &[EntityRef], empty: &str) -> Markup {
    html! {
        section.card aria-labelledby=(id) {
            h2 id=(id) { (title) " " span.muted { "(" (targets.len()) ")" } }
            @if targets.is_empty() {
                p.empty { (empty) }
            } @else {
                ul.plain-list {
                    @for target in targets.iter().take(200) {
                        li { (super::relations::target_item(data, target)) }
                    }
                }
            }
        }
    }
}

fn location_targets(view: &EntityView<'_>) -> Markup {
    let mut targets: Vec<&str> = view.spec_strings("targets");
    targets.extend(view.spec_strings("target"));
    html! {
        section.card aria-labelledby="targets-heading" {
            h2 #targets-heading { "Targets" }
            @if targets.is_empty() {
                p.empty { "No targets." }
            } @else {
                ul.plain-list { @for target in &targets { li { code { (target) } } } }
            }
            p.small.muted { "Entities read from these targets list this location as their parent; see Relations." }
            @if let Some(reference) = view.reference() {
                p.small.muted { "Ref: " (humanize(&reference, None)) }
            }
        }
    }
}
