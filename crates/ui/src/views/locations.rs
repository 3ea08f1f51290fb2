//! `/locations`: every place the catalog reads entities from, with when it
//! was last read, what it brought in and, first of all, what is wrong with
//! it. This is where "my catalog-info.yaml exists but does not show up" gets
//! answered, so errors come before everything else and a help box lists
//! the usual causes.

use greenroom_model::EntityRef;
use maud::{Markup, html};

use super::problem_lines::{self, ProblemLine};
use crate::entity::entity_href;
use crate::format::{ago, plural, rfc3339, thousands, utc_timestamp};
use crate::layout::{Crumb, Page, Section};
use crate::links::encode_component;

/// What the page shows.
#[derive(Debug, Clone, Default)]
pub struct LocationsPage {
    pub registered: Vec<LocationSummary>,
    /// From app-config (`catalog.locations`) and the command line.
    pub configured: Vec<LocationSummary>,
    pub readonly: bool,
    /// A one-line message after an action (unregistered, refresh requested).
    pub notice: Option<String>,
    /// Now, in epoch milliseconds.
    pub now: i64,
}

/// One location and its status.
#[derive(Debug, Clone, Default)]
pub struct LocationSummary {
    /// The id of a registered location (`None`: configured).
    pub id: Option<String>,
    pub location_type: String,
    pub target: String,
    /// When it was registered (epoch ms).
    pub registered_at: Option<i64>,
    /// Its generated Location entity.
    pub location_entity: Option<EntityRef>,
    /// Entities it brought in; `None` when they cannot be counted.
    pub entities: Option<u64>,
    /// Files and URLs read from it.
    pub sources: u64,
    pub last_read_at: Option<i64>,
    pub oldest_read_at: Option<i64>,
    pub sources_with_errors: u64,
    /// The first sources with errors.
    pub errors: Vec<SourceProblems>,
}

/// The problems of one source.
#[derive(Debug, Clone, Default)]
pub struct SourceProblems {
    /// The file or URL; `None` for the location itself.
    pub source: Option<String>,
    pub problems: Vec<ProblemLine>,
}

pub fn page(data: &LocationsPage) -> Page {
    let broken: Vec<(String, &LocationSummary)> = anchored(data)
        .filter(|(_, location)| location.sources_with_errors > 0)
        .collect();
    Page {
        title: "Locations".to_owned(),
        section: Section::Locations,
        crumbs: vec![Crumb::here("Locations")],
        search: None,
        body: html! {
            div.page-head {
                div {
                    h1 { "Locations" }
                    p.subtitle {
                        "Where the catalog reads entities from: "
                        (plural(len(&data.registered), "registered location")) " and "
                        (len(&data.configured)) " from configuration."
                    }
                }
                div.page-actions {
                    a.button.button-primary href="/catalog-import" { "Register existing component" }
                }
            }
            div.stack {
            @if let Some(notice) = &data.notice {
                div.callout.callout-info role="status" { p { (notice) } }
            }
            @if !broken.is_empty() {
                div.callout.callout-danger role="alert" {
                    h2 { (plural(len(&broken), "location")) " cannot be read completely" }
                    p { "Their entities are missing or out of date until the errors below are fixed:" }
                    ul {
                        @for (anchor, location) in &broken {
                            li { a href={ "#" (anchor) } { (location.target) } " · " (plural(i64::try_from(location.sources_with_errors).unwrap_or(i64::MAX), "file")) " with errors" }
                        }
                    }
                }
            }
            section aria-labelledby="registered-heading" {
                h2 #registered-heading { "Registered locations" }
                @if data.registered.is_empty() {
                    p.empty {
                        "No location has been registered yet. "
                        a href="/catalog-import" { "Register one" } "."
                    }
                } @else {
                    div.stack {
                        @for (index, location) in data.registered.iter().enumerate() {
                            (location_card(&format!("registered-{index}"), location, data))
                        }
                    }
                }
            }
            section.configured-locations aria-labelledby="configured-heading" {
                h2 #configured-heading { "From configuration" }
                p.muted {
                    "These come from catalog.locations in app-config.yaml (or --catalog and --demo on the command line). "
                    "They are managed there: change the configuration and restart to add or remove one."
                }
                @if data.configured.is_empty() {
                    p.empty { "No locations are configured." }
                } @else {
                    div.stack {
                        @for (index, location) in data.configured.iter().enumerate() {
                            (location_card(&format!("configured-{index}"), location, data))
                        }
                    }
                }
            }
            (help())
            }
        },
    }
}

fn len<T>(items: &[T]) -> i64 {
    i64::try_from(items.len()).unwrap_or(i64::MAX)
}

/// Every location with the anchor of its card.
fn anchored(data: &LocationsPage) -> impl Iterator<Item = (String, &LocationSummary)> {
    let registered = data
        .registered
        .iter()
        .enumerate()
        .map(|(i, l)| (format!("registered-{i}"), l));
    let configured = data
        .configured
        .iter()
        .enumerate()
        .map(|(i, l)| (format!("configured-{i}"), l));
    registered.chain(configured)
}

/// `generated-7eb7a4f4…`: generated names end in 40 hex digits that
/// nobody reads.
fn short_name(name: &str) -> String {
    match name.char_indices().nth(18) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_owned(),
    }
}

fn time(millis: i64, now: i64) -> Markup {
    html! {
        time datetime=(rfc3339(millis)) title=(utc_timestamp(millis)) { (ago(millis, now)) }
    }
}

fn location_card(anchor: &str, location: &LocationSummary, data: &LocationsPage) -> Markup {
    let heading = format!("{anchor}-heading");
    html! {
        article.card.location-card #(anchor) aria-labelledby=(heading) {
            header {
                h3 #(heading) { code { (location.target) } }
                div.page-actions {
                    span.badge { (location.location_type) }
                    @if location.sources_with_errors > 0 {
                        span.badge.badge-danger { "Errors" }
                    }
                }
            }
            @if !location.errors.is_empty() || location.sources_with_errors > 0 {
                div.callout.callout-danger {
                    @for source in &location.errors {
                        div.source-errors {
                            p {
                                @match &source.source {
                                    Some(key) => { "In " code { (key) } ":" },
                                    None => "The location itself:",
                                }
                            }
                            (problem_lines::list(&source.problems))
                        }
                    }
                    @let shown = u64::try_from(location.errors.len()).unwrap_or(u64::MAX);
                    @if location.sources_with_errors > shown {
                        p.small {
                            "…and " (location.sources_with_errors - shown) " more files with errors. "
                            "The " a href="/" { "home page" } " lists every processing error."
                        }
                    }
                }
            }
            @if location.last_read_at.is_none() {
                div.callout.callout-warning {
                    p {
                        "Not read yet. The next refresh pass reads it"
                        @if location.id.is_some() { "; Refresh asks for one now" }
                        "."
                    }
                }
            }
            dl.facts {
                @if let Some(registered) = location.registered_at {
                    div { dt { "Registered" } dd { (time(registered, data.now)) } }
                }
                div {
                    dt { "Last read" }
                    dd {
                        @match location.last_read_at {
                            Some(read) => {
                                (time(read, data.now))
                                @if let Some(oldest) = location.oldest_read_at.filter(|o| data.now - o > 3_600_000 && read - o > 3_600_000) {
                                    div.small.muted { "Oldest file read " (time(oldest, data.now)) }
                                }
                            },
                            None => span.muted { "Never" },
                        }
                    }
                }
                div { dt { "Files read" } dd { (thousands(location.sources)) } }
                div {
                    dt { "Entities" }
                    dd {
                        @match location.entities {
                            Some(count) => (thousands(count)),
                            None => span.muted { "Not counted (the target is too long to index)" },
                        }
                    }
                }
                @if let Some(entity) = &location.location_entity {
                    div {
                        dt { "Location entity" }
                        dd { a href=(entity_href(entity)) title=(entity.name()) { (short_name(entity.name())) } }
                    }
                }
            }
            @if let Some(id) = &location.id {
                @if data.readonly {
                    p.small.muted { "The catalog is read-only (catalog.readonly): it cannot be refreshed or unregistered from here." }
                } @else {
                    div.page-actions.location-actions {
                        form.inline-form method="post" action={ "/locations/" (encode_component(id)) "/refresh" } {
                            button type="submit" { "Refresh" }
                        }
                        form.inline-form method="post" action={ "/locations/" (encode_component(id)) "/unregister" } {
                            button.button-danger type="submit"
                                data-confirm={ "Unregister " (location.target) "? Its entities are removed from the catalog at once." } {
                                "Unregister"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn help() -> Markup {
    html! {
        section.card.help-box aria-labelledby="help-heading" {
            h2 #help-heading { "Why doesn't my entity show up?" }
            ol {
                li {
                    strong { "Its file is not registered. " }
                    "Only files reached from a location above are read. "
                    a href="/catalog-import" { "Register it" } " (the preview shows what would be imported)."
                }
                li {
                    strong { "The location does not reach the file. " }
                    "A registered folder finds only files named catalog-info.yaml or .yml, outside hidden and .gitignored folders; a file location reads exactly that file. "
                    "Compare the targets above with the file's path, or "
                    a href="/catalog-import" { "preview the file" } " on its own."
                }
                li {
                    strong { "The YAML is not valid. " }
                    "The location's errors above name the file, line and column (YAMLError). "
                    code { "greenroom validate <file>" } " shows the same locally."
                }
                li {
                    strong { "The entity does not validate. " }
                    "A missing or malformed field (InputError, naming the field) keeps the entity out. See the errors above, or the "
                    a href="/" { "processing errors on the home page" } "."
                }
                li {
                    strong { "Its kind is not allowed. " }
                    "catalog.rules in app-config.yaml decides which kinds each location may provide; others are refused with a NotAllowedError shown above."
                }
                li {
                    strong { "Another location already provides it. " }
                    "When two files describe the same kind, namespace and name, the first keeps it and the other gets a ConflictError. "
                    a href="/catalog" { "Search the catalog" } " for the name to find the entity that holds it."
                }
                li {
                    strong { "Its URL may not be read. " }
                    "URLs are fetched only from hosts backend.reading.allow in app-config.yaml allows; others show a NotAllowedError above. "
                    a href="/catalog-import" { "Preview the URL" } " to see the exact message."
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::render;

    fn registered() -> LocationSummary {
        LocationSummary {
            id: Some("0b4f/…".to_owned()),
            location_type: "file".to_owned(),
            target: "/srv/<repo>".to_owned(),
            registered_at: Some(1_000),
            location_entity: Some(EntityRef::new("Location", "default", "generated-abc")),
            entities: Some(3),
            sources: 2,
            last_read_at: Some(5_000),
            oldest_read_at: Some(5_000),
            sources_with_errors: 2,
            errors: vec![SourceProblems {
                source: Some("file:/srv/repo/catalog-info.yaml".to_owned()),
                problems: vec![ProblemLine {
                    name: "YAMLError".to_owned(),
                    place: "file:/srv/repo/catalog-info.yaml, line 4".to_owned(),
                    message: "YAML error: bad indentation".to_owned(),
                }],
            }],
        }
    }

    fn render_page(data: &LocationsPage) -> String {
        render(page(data)).into_string()
    }

    #[test]
    fn registered_locations_show_status_errors_and_actions() {
        let html = render_page(&LocationsPage {
            registered: vec![registered()],
            now: 65_000,
            ..Default::default()
        });
        assert!(html.contains("<title>Locations · Greenroom</title>"));
        assert!(html.contains("<code>/srv/&lt;repo&gt;</code>"));
        assert!(html.contains("file:/srv/repo/catalog-info.yaml, line 4"));
        assert!(html.contains("…and 1 more files with errors"));
        assert!(
            html.contains(r##"href="#registered-0""##),
            "summary links the card"
        );
        assert!(html.contains(r#"href="/catalog/default/location/generated-abc""#));
        assert_eq!(
            short_name("generated-7eb7a4f49cfb5776a76c"),
            "generated-7eb7a4f4…"
        );
        assert_eq!(short_name("short"), "short");
        assert!(html.contains("1 minute ago"));
        assert!(html.contains(r#"action="/locations/0b4f%2F%E2%80%A6/unregister""#));
        assert!(html.contains(r#"action="/locations/0b4f%2F%E2%80%A6/refresh""#));
        assert!(html.contains(
            r#"data-confirm="Unregister /srv/&lt;repo&gt;? Its entities are removed from the catalog at once.""#
        ));
        assert!(html.contains("Why doesn't my entity show up?"));
    }

    #[test]
    fn readonly_hides_the_buttons_and_configured_locations_have_none() {
        let configured = LocationSummary {
            id: None,
            registered_at: None,
            location_entity: None,
            ..registered()
        };
        let html = render_page(&LocationsPage {
            registered: vec![registered()],
            configured: vec![configured],
            readonly: true,
            ..Default::default()
        });
        assert!(!html.contains("/unregister"));
        assert!(html.contains("catalog.readonly"));
        assert!(html.contains("managed there"));
    }

    #[test]
    fn unread_and_empty_states_are_explained() {
        let unread = LocationSummary {
            last_read_at: None,
            oldest_read_at: None,
            sources_with_errors: 0,
            errors: Vec::new(),
            ..registered()
        };
        let html = render_page(&LocationsPage {
            registered: vec![unread],
            notice: Some("Refresh requested.".to_owned()),
            ..Default::default()
        });
        assert!(html.contains("Not read yet"));
        assert!(html.contains("Refresh requested."));
        assert!(html.contains("No locations are configured."));
        let empty = render_page(&LocationsPage::default());
        assert!(empty.contains("No location has been registered yet."));
    }
}
