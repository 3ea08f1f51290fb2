//! What needs attention on an entity: processing errors and orphan status,
//! each with what to do about it. They come first on the page, because an
//! entity that is wrong is worse than one that is missing.

use maud::{Markup, html};

use super::EntityPage;
use crate::entity::EntityView;
use crate::format::{ago, rfc3339};
use crate::links::safe_href;
use greenroom_model::annotations::{EDIT_URL, MANAGED_BY_ORIGIN_LOCATION, VIEW_URL};

/// The source an entity was read from, as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    /// `file:/abs/path` or `url:https://…`.
    pub key: String,
    pub last_read_at: Option<i64>,
    /// Messages of the source's own processing errors.
    pub errors: Vec<String>,
}

pub(super) fn attention(data: &EntityPage, view: &EntityView<'_>) -> Markup {
    let problems = view.problems();
    let edit = view
        .annotation(EDIT_URL)
        .or_else(|| view.annotation(VIEW_URL))
        .and_then(safe_href);
    html! {
        @if !problems.is_empty() {
            section.callout.callout-danger aria-labelledby="problems-heading" {
                h2 #problems-heading { "This entity has processing errors" }
                p {
                    "The catalog keeps showing the last version that processed without errors. "
                    "Fix the descriptor and the next refresh picks the change up."
                }
                ul {
                    @for (name, message) in &problems {
                        li {
                            strong { (name) } ": " (message)
                            @if let Some(hint) = hint(name) { div.small { (hint) } }
                        }
                    }
                }
                @if let Some(source) = &data.source {
                    p.small {
                        "Source: " code { (source.key) }
                        @if let Some(read) = source.last_read_at {
                            ", last read " time datetime=(rfc3339(read)) { (ago(read, data.now)) }
                        }
                        @if let Some(edit) = edit { " · " a href=(edit) rel="noopener noreferrer" { "Edit the file" } }
                    }
                }
            }
        }
        @if view.is_orphan() {
            section.callout.callout-warning aria-labelledby="orphan-heading" {
                h2 #orphan-heading { "This entity is an orphan" }
                p {
                    "No registered location describes it any more: the file that held it was removed, "
                    "or the Location that pointed at that file no longer does. The catalog keeps it "
                    "(catalog.orphanStrategy is keep) so links to it keep working."
                }
                p {
                    "If it should still exist, restore the file or the Location target"
                    @if let Some(origin) = view.annotation(MANAGED_BY_ORIGIN_LOCATION) {
                        " under " code { (origin) }
                    }
                    ". If it is gone for good, unregister it from the "
                    a href="/locations" { "locations page" }
                    " or delete the entity through the API."
                }
            }
        }
    }
}

/// What usually causes an error of this name, and what to do.
pub(crate) fn hint(name: &str) -> Option<&'static str> {
    Some(match name {
        "InputError" | "ValidationError" => {
            "The descriptor does not match Backstage's entity schema: check the field named above."
        }
        "YAMLError" => {
            "The file is not valid YAML at the place named above; `greenroom validate <file>` shows the same error locally."
        }
        "NotFoundError" => {
            "A Location target, $text/$json placeholder or file named in the descriptor does not exist (or is outside the allowed folders)."
        }
        "ConflictError" => {
            "Another location already provides an entity with this kind, namespace and name; the first one keeps it. Rename one of them or remove the duplicate location."
        }
        "NotAllowedError" => {
            "catalog.rules or backend.reading.allow do not let this location provide this kind or read this URL."
        }
        _ => return None,
    })
}
