//! The relations card: every relation of the entity, grouped by type in the
//! order people look for them, each target linked to its page.

use std::collections::BTreeMap;

use greenroom_model::EntityRef;
use maud::{Markup, html};

use super::EntityPage;
use crate::entity::{EntityView, entity_href, humanize};
use crate::format::plural;

/// At most this many targets are listed per relation type.
const SHOWN_PER_TYPE: usize = 50;

/// Relation types in display order, with their headings.
const LABELS: &[(&str, &str)] = &[
    ("ownedBy", "Owner"),
    ("partOf", "Part of"),
    ("hasPart", "Has part"),
    ("providesApi", "Provides APIs"),
    ("consumesApi", "Consumes APIs"),
    ("apiProvidedBy", "Provided by"),
    ("apiConsumedBy", "Consumed by"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
    ("memberOf", "Member of"),
    ("hasMember", "Members"),
    ("childOf", "Parent group"),
    ("parentOf", "Child groups"),
    ("ownerOf", "Owns"),
];

/// The heading of a relation type (unknown types keep their name).
pub fn relation_label(relation_type: &str) -> &str {
    LABELS
        .iter()
        .find(|(t, _)| *t == relation_type)
        .map_or(relation_type, |(_, label)| label)
}

pub(super) fn card(data: &EntityPage, view: &EntityView<'_>) -> Markup {
    let mut groups: BTreeMap<usize, (&str, Vec<EntityRef>)> = BTreeMap::new();
    let covered = super::kind_sections::covered_types(view.kind());
    for (relation_type, target) in view.relations() {
        if covered.contains(&relation_type) {
            continue;
        }
        let order = LABELS
            .iter()
            .position(|(t, _)| *t == relation_type)
            .unwrap_or(LABELS.len());
        // Unknown types sort after known ones, by name (BTreeMap on a
        // combined key would do too; the index keeps known ones stable).
        let slot = groups
            .iter()
            .find(|(_, (t, _))| *t == relation_type)
            .map(|(k, _)| *k)
            .unwrap_or(order * 1000 + groups.len());
        groups
            .entry(slot)
            .or_insert((relation_type, Vec::new()))
            .1
            .push(target);
    }
    let kind = view.kind();
    html! {
        section.card.relations aria-labelledby="relations-heading" {
            h2 #relations-heading { "Relations" }
            @if groups.is_empty() {
                p.empty { "No relations." }
            }
            @for (relation_type, targets) in groups.values() {
                div.relation-group {
                    h3 { (subheading(kind, relation_type, targets)) " " span.muted { "(" (targets.len()) ")" } }
                    ul.plain-list {
                        @for target in targets.iter().take(SHOWN_PER_TYPE) {
                            li { (target_item(data, target)) }
                        }
                    }
                    @if targets.len() > SHOWN_PER_TYPE {
                        p.small.muted { "and " (plural((targets.len() - SHOWN_PER_TYPE) as i64, "more entity")) }
                    }
                }
            }
        }
    }
}

/// Components whose parts are components call them subcomponents, as
/// Backstage does.
fn subheading<'a>(kind: &str, relation_type: &'a str, targets: &[EntityRef]) -> &'a str {
    let all_components = targets
        .iter()
        .all(|t| t.kind().eq_ignore_ascii_case("component"));
    match relation_type {
        "hasPart" if kind.eq_ignore_ascii_case("component") && all_components => "Subcomponents",
        "partOf" if kind.eq_ignore_ascii_case("component") && all_components => "Subcomponent of",
        other => relation_label(other),
    }
}

/// One relation target: its title (when fetched) linked to its page, its
/// kind, and a muted ref.
pub(super) fn target_item(data: &EntityPage, target: &EntityRef) -> Markup {
    let related = data.related_entity(target);
    html! {
        span {
            a.entity-link href=(entity_href(target)) {
                (related.map_or_else(|| humanize(target, None), |r| r.display_name().to_owned()))
            }
            " "
            span.kind-label { (target.kind()) }
            @if related.is_none() && !data.related_truncated {
                " " span.badge.badge-warning title="No entity with this ref is in the catalog" { "missing" }
            }
        }
        @if let Some(description) = related.and_then(|r| r.description()) {
            span.item-detail.small.muted { (truncate(description, 160)) }
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((index, _)) => format!("{}…", &text[..index]),
        None => text.to_owned(),
    }
}
