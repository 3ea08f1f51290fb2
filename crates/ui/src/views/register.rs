//! Registering an existing component (`/catalog-import`, Backstage's
//! route): the form, the preview of what importing would bring in, and the
//! result.
//!
//! The preview is also where someone whose `catalog-info.yaml` does not show
//! up finds out why: every problem is shown next to the file or entity it
//! concerns, with what usually causes it. Everything is a plain form post,
//! so the page works without JavaScript.

use greenroom_model::EntityRef;
use maud::{Markup, html};
use serde_json::Value;

use super::problem_lines::{self, ProblemLine, unreadable_hint};
use crate::entity::{EntityView, entity_href, humanize, parse_ref, ref_link};
use crate::format;
use crate::layout::{Crumb, Page, Section};

/// Where the form posts to analyze.
pub const ANALYZE_ACTION: &str = "/catalog-import/analyze";
/// Where the import button posts.
pub const REGISTER_ACTION: &str = "/catalog-import/register";
/// Longest path or URL the field accepts.
pub const MAX_TARGET_CHARS: usize = 2048;

/// The form, empty or with what was typed and why it was refused.
#[derive(Debug, Clone, Default)]
pub struct FormPage {
    pub input: String,
    pub error: Option<String>,
    pub readonly: bool,
}

/// What the preview shows.
#[derive(Debug, Clone)]
pub struct PreviewPage {
    /// What was typed.
    pub input: String,
    /// How it was read ("a folder on the server").
    pub understood_as: String,
    pub analysis: AnalysisView,
    /// Each location importing would register, with its dry run.
    pub locations: Vec<LocationPreview>,
    /// `(type, target)` of locations found but not dry-run (too many).
    pub not_previewed: Vec<(String, String)>,
    pub readonly: bool,
}

/// What looking into the input found.
#[derive(Debug, Clone)]
pub enum AnalysisView {
    /// The input is one catalog file: nothing to look for.
    SingleFile,
    /// Catalog files found in a folder or repository.
    Found(Vec<FoundFile>),
    /// No catalog file: what one could look like.
    Proposed(Vec<Proposal>),
    /// The folder or repository could not be analyzed.
    Failed {
        message: String,
        problems: Vec<ProblemLine>,
    },
}

/// A catalog file an analysis found.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub location_type: String,
    pub target: String,
    pub registered: bool,
    pub entities: Vec<Value>,
}

/// An entity the analysis proposes where there is no catalog file.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// The proposed entity as YAML.
    pub yaml: String,
    pub fields: Vec<ProposalField>,
}

/// One field of a proposal and how it was chosen.
#[derive(Debug, Clone)]
pub struct ProposalField {
    pub field: String,
    pub needs_input: bool,
    pub value: Option<String>,
    pub description: String,
}

/// One location to register and its dry run.
#[derive(Debug, Clone, Default)]
pub struct LocationPreview {
    pub location_type: String,
    pub target: String,
    pub registered: bool,
    /// Why it cannot be registered (not readable, bad shape).
    pub refused: Option<String>,
    /// Why the dry run stopped.
    pub failure: Option<String>,
    pub sources: Vec<SourcePreview>,
}

impl LocationPreview {
    fn importable(&self) -> bool {
        self.refused.is_none() && self.failure.is_none()
    }

    fn problem_count(&self) -> usize {
        self.sources
            .iter()
            .map(|s| s.problems.len() + s.entities.iter().map(|e| e.problems.len()).sum::<usize>())
            .sum()
    }

    /// The entities people care about (not the generated Location).
    fn entities(&self) -> impl Iterator<Item = &EntityPreview> {
        self.sources
            .iter()
            .filter(|s| !s.generated)
            .flat_map(|s| s.entities.iter())
    }
}

/// One file or URL the location reaches.
#[derive(Debug, Clone, Default)]
pub struct SourcePreview {
    /// `file:/srv/x/catalog-info.yaml`, `url:https://…`.
    pub key: String,
    /// The location's own generated source (its Location entity).
    pub generated: bool,
    pub problems: Vec<ProblemLine>,
    pub entities: Vec<EntityPreview>,
}

/// One entity the dry run found.
#[derive(Debug, Clone)]
pub struct EntityPreview {
    /// Canonical ref.
    pub entity_ref: String,
    /// The processed entity; `None` when processing refused it.
    pub entity: Option<Value>,
    pub problems: Vec<ProblemLine>,
    pub in_catalog: Option<InCatalog>,
}

/// How an entity of the preview relates to what the catalog holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InCatalog {
    /// Imported from this very location before.
    FromHere,
    /// Read from the same file through another location (no conflict).
    SameFile { origin: String },
    /// Another location provides an entity with the same ref: the first
    /// one keeps it.
    Conflict { origin: String },
}

/// What importing did, location by location.
#[derive(Debug, Clone)]
pub struct ResultPage {
    pub outcomes: Vec<ImportOutcome>,
}

/// The import of one location.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub location_type: String,
    pub target: String,
    pub result: Result<Imported, String>,
}

/// A location registered (or refreshed) and what it brought in.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// Registered before: importing refreshed it.
    pub existed: bool,
    /// Its generated Location entity.
    pub location_entity: Option<EntityRef>,
    /// Stitched entities it brought in (the Location entity left out).
    pub entities: Vec<Value>,
    /// Refs it emits that are not in the catalog (they failed processing).
    pub missing: Vec<String>,
    /// Problems its sources have now, one line each.
    pub problems: Vec<String>,
}

fn plural(count: usize, noun: &str) -> String {
    format::plural(i64::try_from(count).unwrap_or(i64::MAX), noun)
}

fn crumbs(here: &str) -> Vec<Crumb> {
    if here == "Register" {
        vec![Crumb::here("Register")]
    } else {
        vec![
            Crumb::link("Register", "/catalog-import"),
            Crumb::here(here),
        ]
    }
}

/// `GET /catalog-import`, or the form again with its error.
pub fn form_page(form: &FormPage) -> Page {
    Page {
        title: "Register an existing component".to_owned(),
        section: Section::Register,
        crumbs: crumbs("Register"),
        search: None,
        body: html! {
            div.page-head {
                div {
                    h1 { "Register an existing component" }
                    p.subtitle {
                        "Bring a catalog-info.yaml into the catalog. You see what it holds, and every problem in it, before anything is imported."
                    }
                }
                div.page-actions { a.button href="/locations" { "Registered locations" } }
            }
            @if form.readonly { (readonly_note()) }
            div.grid.grid-2 {
                div.stack {
                    (analyze_form(&form.input, form.error.as_deref()))
                }
                aside.card aria-labelledby="accepted-heading" {
                    h2 #accepted-heading { "What you can enter" }
                    ul.plain-list.accepted-inputs {
                        li { div { strong { "A catalog file on the server" } div.small.muted { code { "/srv/repos/payments/catalog-info.yaml" } " or " code { "file:///srv/…/catalog-info.yaml" } } } }
                        li { div { strong { "A folder on the server" } div.small.muted { "Searched for catalog-info.yaml files (hidden and .gitignored paths are skipped)." } } }
                        li { div { strong { "A catalog file at a URL" } div.small.muted { "An http(s) URL ending in .yaml or .yml; its host must be allowed by backend.reading.allow." } } }
                        li { div { strong { "A git repository" } div.small.muted { "An http(s) URL; the repository is cloned and searched for catalog files." } } }
                    }
                    p.small.muted {
                        "Registered, but your entity does not show up? The "
                        a href="/locations" { "locations page" }
                        " lists every location with its errors."
                    }
                }
            }
        },
    }
}

fn readonly_note() -> Markup {
    html! {
        div.callout.callout-warning role="note" {
            p {
                strong { "Importing is turned off. " }
                "The catalog is read-only (catalog.readonly in app-config.yaml): you can still preview what a location holds and see its problems."
            }
        }
    }
}

fn analyze_form(input: &str, error: Option<&str>) -> Markup {
    html! {
        form.card.import-form method="post" action=(ANALYZE_ACTION) {
            div.row-form {
                div.field {
                    label for="import-target" { "Path or URL" }
                    @if let Some(error) = error {
                        input #import-target type="text" name="target" value=(input) required
                            maxlength=(MAX_TARGET_CHARS) autocomplete="off" spellcheck="false"
                            aria-invalid="true" aria-describedby="import-target-error";
                        span #import-target-error .field-error role="alert" { (error) }
                    } @else {
                        input #import-target type="text" name="target" value=(input) required
                            maxlength=(MAX_TARGET_CHARS) autocomplete="off" spellcheck="false"
                            placeholder="/srv/repos/payments/catalog-info.yaml or https://…";
                    }
                }
                button.button-primary type="submit" { "Analyze" }
            }
        }
    }
}

/// `POST /catalog-import/analyze`: the preview.
pub fn preview_page(data: &PreviewPage) -> Page {
    let importable: Vec<(&str, &str)> = data
        .locations
        .iter()
        .filter(|l| l.importable())
        .map(|l| (l.location_type.as_str(), l.target.as_str()))
        .chain(
            data.not_previewed
                .iter()
                .map(|(t, target)| (t.as_str(), target.as_str())),
        )
        .collect();
    Page {
        title: "Import preview".to_owned(),
        section: Section::Register,
        crumbs: crumbs("Preview"),
        search: None,
        body: html! {
            div.page-head {
                div {
                    h1 { "Import preview" }
                    p.subtitle { code { (data.input) } " — read as " (data.understood_as) ". Nothing has been imported yet." }
                }
            }
            div.stack {
            (analyze_form(&data.input, None))
            (analysis(&data.analysis, !data.locations.is_empty()))
            @for (index, location) in data.locations.iter().enumerate() {
                (location_preview(index, location))
            }
            @if !data.not_previewed.is_empty() {
                section.card {
                    h2 { "More locations" }
                    p.muted { "These were found too, but not previewed (at most " (data.locations.len()) " are). Importing registers them as well." }
                    ul.plain-list {
                        @for (_, target) in &data.not_previewed { li { code { (target) } } }
                    }
                }
            }
            (import_box(data, &importable))
            }
        },
    }
}

fn analysis(view: &AnalysisView, previewed: bool) -> Markup {
    match view {
        AnalysisView::SingleFile => html! {},
        AnalysisView::Found(files) => html! {
            section.card aria-labelledby="found-heading" {
                h2 #found-heading { "Catalog files found" }
                ul.plain-list {
                    @for file in files {
                        li {
                            div {
                                code { (file.target) }
                                div.small.muted {
                                    @for (i, entity) in file.entities.iter().enumerate() {
                                        @let view = EntityView::new(entity);
                                        @if i > 0 { ", " }
                                        (view.kind()) " " strong { (view.name()) }
                                    }
                                }
                            }
                            @if file.registered {
                                span.badge.badge-accent { "Registered" }
                            } @else {
                                span.badge { "Not registered" }
                            }
                        }
                    }
                }
            }
        },
        AnalysisView::Proposed(proposals) => html! {
            section.callout.callout-warning aria-labelledby="none-heading" {
                h2 #none-heading { "No catalog-info.yaml here, so there is nothing to import" }
                p {
                    "The catalog imports entities from catalog-info.yaml (or .yml) files. Add one at the root of the folder or repository and analyze again. "
                    "This is what the analysis suggests it could hold:"
                }
            }
            @for proposal in proposals {
                section.card {
                    h2 { "Suggested catalog-info.yaml" }
                    pre.code { (proposal.yaml) }
                    @if !proposal.fields.is_empty() {
                        ul.plain-list {
                            @for field in &proposal.fields {
                                li {
                                    div {
                                        code { (field.field) }
                                        @if let Some(value) = &field.value { " = " code { (value) } }
                                        div.small.muted { (field.description) }
                                    }
                                    @if field.needs_input {
                                        span.badge.badge-warning { "Needs your input" }
                                    } @else {
                                        span.badge { "Suggested" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
        AnalysisView::Failed { problems, .. } if previewed && !problems.is_empty() => html! {
            section.callout.callout-warning aria-labelledby="stopped-heading" {
                h2 #stopped-heading { "The search stopped at a catalog file with problems" }
                p {
                    "That file is previewed below with its problems. Other catalog files of the folder, if any, "
                    "are listed once it is fixed."
                }
            }
        },
        AnalysisView::Failed { message, problems } => html! {
            section.callout.callout-danger role="alert" aria-labelledby="failed-heading" {
                h2 #failed-heading { "This cannot be imported" }
                @if problems.is_empty() {
                    p { (message) }
                    @if let Some(hint) = unreadable_hint(message) { p.small { (hint) } }
                } @else {
                    p { "A catalog file has problems. Fix them and analyze again:" }
                    (problem_lines::list(problems))
                }
            }
        },
    }
}

fn location_preview(index: usize, location: &LocationPreview) -> Markup {
    let heading = format!("location-{index}");
    let entities: Vec<&EntityPreview> = location.entities().collect();
    let problems = location.problem_count();
    let ok = entities.iter().filter(|e| e.problems.is_empty()).count();
    html! {
        section.card.location-preview aria-labelledby=(heading) {
            header {
                h2 #(heading) { code { (location.target) } }
                div.page-actions {
                    span.badge { (location.location_type) }
                    @if location.registered { span.badge.badge-accent { "Already registered" } }
                }
            }
            @if let Some(reason) = &location.refused {
                div.callout.callout-danger role="alert" {
                    h3 { "This location cannot be registered" }
                    p { (reason) }
                    @if let Some(hint) = unreadable_hint(reason) { p.small { (hint) } }
                }
            }
            @if let Some(reason) = &location.failure {
                div.callout.callout-danger role="alert" {
                    h3 { "The dry run stopped" }
                    p { (reason) }
                }
            }
            @if location.registered && location.importable() {
                p.small.muted { "Importing it again reads it at once and shows what it brings in now." }
            }
            @if location.failure.is_none() {
                p.preview-summary {
                    @if entities.is_empty() {
                        "No entities would be imported."
                    } @else {
                        (plural(ok, "entity")) " would be imported"
                        @if ok < entities.len() { ", " (entities.len() - ok) " will not" }
                        "."
                    }
                    @if problems > 0 {
                        " " span.badge.badge-danger { (plural(problems, "problem")) }
                    }
                }
            }
            @for source in &location.sources {
                @if !source.problems.is_empty() || !source.generated {
                    (source_preview(source))
                }
            }
        }
    }
}

fn source_preview(source: &SourcePreview) -> Markup {
    let label = if source.generated {
        "The location itself".to_owned()
    } else {
        source.key.clone()
    };
    html! {
        div.source-preview {
            h3 { code { (label) } }
            @if !source.problems.is_empty() {
                div.callout.callout-danger {
                    p { "This file cannot be read completely, so some or all of its entities are missing:" }
                    (problem_lines::list(&source.problems))
                }
            }
            @if source.entities.is_empty() && source.problems.is_empty() {
                p.empty { "This file holds no entities." }
            } @else if !source.entities.is_empty() {
                div.table-wrap {
                    table {
                        thead { tr { th { "Kind" } th { "Name" } th { "Title" } th { "Owner" } th { "Status" } } }
                        tbody {
                            @for entity in &source.entities { (entity_row(entity)) }
                        }
                    }
                }
            }
        }
    }
}

fn entity_row(entity: &EntityPreview) -> Markup {
    let reference = parse_ref(&entity.entity_ref, None, "default");
    let value = entity.entity.as_ref();
    let view = value.map(EntityView::new);
    let kind = view
        .map(|v| v.kind().to_owned())
        .or_else(|| reference.as_ref().map(|r| r.kind().to_owned()))
        .unwrap_or_default();
    let name = reference
        .as_ref()
        .map(|r| humanize(r, Some(r.kind())))
        .unwrap_or_else(|| entity.entity_ref.clone());
    let namespace = view.map_or("default", |v| v.namespace());
    let owner = view.and_then(|v| v.spec_str("owner"));
    html! {
        tr {
            td { span.kind-label { (kind) } }
            td { strong { (name) } }
            td { @if let Some(title) = view.and_then(|v| v.title()) { (title) } }
            td {
                @if let Some(owner) = owner {
                    @match parse_ref(owner, Some("Group"), namespace) {
                        Some(owner_ref) => (ref_link(&owner_ref, Some("group"))),
                        None => (owner),
                    }
                }
            }
            td {
                @if entity.problems.is_empty() {
                    @match &entity.in_catalog {
                        None => span.badge.badge-accent { "New" },
                        Some(InCatalog::FromHere) => span.badge { "Already imported" },
                        Some(InCatalog::SameFile { origin }) => div {
                            span.badge { "Already in the catalog" }
                            div.small.muted { "Read from the same file through " code { (origin) } "." }
                        },
                        Some(InCatalog::Conflict { origin }) => div {
                            span.badge.badge-warning { "Conflict" }
                            div.small {
                                "An entity with this kind, namespace and name already comes from "
                                code { (origin) }
                                ". The first location keeps it, so this one would get a ConflictError. Rename one of them or unregister the other location."
                            }
                        },
                    }
                } @else {
                    span.badge.badge-danger { "Will not be imported" }
                    (problem_lines::list(&entity.problems))
                }
                @if let (Some(reference), Some(InCatalog::FromHere | InCatalog::SameFile { .. })) = (&reference, &entity.in_catalog) {
                    div.small { a href=(entity_href(reference)) { "Open its page" } }
                }
            }
        }
    }
}

fn import_box(data: &PreviewPage, importable: &[(&str, &str)]) -> Markup {
    let problems: usize = data
        .locations
        .iter()
        .filter(|l| l.importable())
        .map(LocationPreview::problem_count)
        .sum();
    html! {
        section.card.import-box aria-labelledby="import-heading" {
            h2 #import-heading { "Import" }
            @if data.readonly {
                p {
                    "Importing is turned off: the catalog is read-only (catalog.readonly in app-config.yaml). "
                    "Ask your platform team to register the location, or to turn the setting off."
                }
            } @else if importable.is_empty() {
                p { "Nothing can be imported from " code { (data.input) } ". The reasons are shown above." }
            } @else {
                @if problems > 0 {
                    div.callout.callout-warning {
                        p {
                            "Some entities have problems: they stay out of the catalog until the files are fixed. "
                            "You can import now and fix them later; the "
                            a href="/locations" { "locations page" }
                            " keeps showing the errors, and the next refresh picks up fixes."
                        }
                    }
                }
                form method="post" action=(REGISTER_ACTION) {
                    @for (location_type, target) in importable {
                        input type="hidden" name="type" value=(location_type);
                        input type="hidden" name="target" value=(target);
                    }
                    p.muted {
                        @if importable.len() == 1 {
                            "Registers this location and reads it at once."
                        } @else {
                            "Registers these " (importable.len()) " locations and reads them at once."
                        }
                    }
                    button.button-primary type="submit" {
                        @if problems > 0 { "Import anyway" } @else { "Import" }
                    }
                }
            }
        }
    }
}

/// `POST /catalog-import/register`: what was imported.
pub fn result_page(data: &ResultPage) -> Page {
    let failed = data.outcomes.iter().any(|o| o.result.is_err());
    let title = if failed {
        "Import finished with errors"
    } else {
        "Imported"
    };
    Page {
        title: title.to_owned(),
        section: Section::Register,
        crumbs: crumbs("Imported"),
        search: None,
        body: html! {
            div.page-head {
                div { h1 { (title) } }
                div.page-actions {
                    a.button href="/locations" { "View locations" }
                    a.button href="/catalog-import" { "Register another" }
                }
            }
            div.stack {
                @for outcome in &data.outcomes { (import_outcome(outcome)) }
            }
        },
    }
}

fn import_outcome(outcome: &ImportOutcome) -> Markup {
    html! {
        section.card {
            header {
                h2 { code { (outcome.target) } }
                span.badge { (outcome.location_type) }
            }
            @match &outcome.result {
                Err(reason) => div.callout.callout-danger role="alert" {
                    h3 { "Not registered" }
                    p { (reason) }
                    @if let Some(hint) = unreadable_hint(reason) { p.small { (hint) } }
                },
                Ok(imported) => {
                    p {
                        @if imported.existed { "It was registered already and has been read again." } @else { "Registered and read." }
                        @if let Some(location) = &imported.location_entity {
                            " Its Location entity is " a href=(entity_href(location)) { (location.name()) } "."
                        }
                    }
                    @if imported.entities.is_empty() {
                        p.empty { "It brought no entities into the catalog." }
                    } @else {
                        ul.plain-list {
                            @for entity in &imported.entities {
                                @let view = EntityView::new(entity);
                                @if let Some(reference) = view.reference() {
                                    li {
                                        span {
                                            a.entity-link href=(entity_href(&reference)) { (view.display_name()) }
                                            " " span.kind-label { (view.kind()) }
                                        }
                                        span.small.muted { (reference.canonical()) }
                                    }
                                }
                            }
                        }
                    }
                    @if !imported.missing.is_empty() || !imported.problems.is_empty() {
                        div.callout.callout-danger {
                            h3 { "Not everything made it into the catalog" }
                            @if !imported.missing.is_empty() {
                                p { "These entities failed processing: " (imported.missing.join(", ")) }
                            }
                            ul { @for problem in &imported.problems { li { (problem) } } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::render;
    use serde_json::json;

    fn component(name: &str) -> Value {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
               "metadata": {"name": name, "title": "Pay <ments>"},
               "spec": {"owner": "team-a", "type": "service", "lifecycle": "production"}})
    }

    fn problem(name: &str, place: &str, message: &str) -> ProblemLine {
        ProblemLine {
            name: name.to_owned(),
            place: place.to_owned(),
            message: message.to_owned(),
        }
    }

    fn preview(locations: Vec<LocationPreview>, readonly: bool) -> String {
        render(preview_page(&PreviewPage {
            input: "/srv/<repo>".to_owned(),
            understood_as: "a folder on the server".to_owned(),
            analysis: AnalysisView::SingleFile,
            locations,
            not_previewed: Vec::new(),
            readonly,
        }))
        .into_string()
    }

    fn clean_location() -> LocationPreview {
        LocationPreview {
            location_type: "file".to_owned(),
            target: "/srv/repo/catalog-info.yaml".to_owned(),
            sources: vec![
                SourcePreview {
                    key: "registered:file:/srv/repo/catalog-info.yaml".to_owned(),
                    generated: true,
                    ..Default::default()
                },
                SourcePreview {
                    key: "file:/srv/repo/catalog-info.yaml".to_owned(),
                    entities: vec![EntityPreview {
                        entity_ref: "component:default/payments".to_owned(),
                        entity: Some(component("payments")),
                        problems: Vec::new(),
                        in_catalog: None,
                    }],
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    #[test]
    fn the_form_posts_to_analyze_and_shows_its_error() {
        let html = render(form_page(&FormPage {
            input: "\"><script>".to_owned(),
            error: Some("not <a> path".to_owned()),
            readonly: false,
        }))
        .into_string();
        assert!(html.contains(r#"action="/catalog-import/analyze""#));
        assert!(html.contains(r#"method="post""#));
        assert!(html.contains("not &lt;a&gt; path"));
        assert!(html.contains(r#"value="&quot;&gt;&lt;script&gt;""#));
        assert!(html.contains("<title>Register an existing component · Greenroom</title>"));
        assert!(html.contains(r#"aria-current="page">Register</li>"#));
    }

    #[test]
    fn a_clean_preview_lists_entities_and_offers_the_import() {
        let html = preview(vec![clean_location()], false);
        assert!(html.contains("<strong>payments</strong>"), "{html}");
        assert!(html.contains("Pay &lt;ments&gt;"));
        assert!(html.contains(r#"href="/catalog/default/group/team-a""#));
        assert!(html.contains("1 entity would be imported"));
        assert!(html.contains(r#"action="/catalog-import/register""#));
        assert!(html.contains(r#"<input type="hidden" name="type" value="file">"#));
        assert!(html.contains(
            r#"<input type="hidden" name="target" value="/srv/repo/catalog-info.yaml">"#
        ));
        assert!(html.contains(">Import</button>"));
        assert!(
            !html.contains("The location itself"),
            "the generated source is not listed when clean"
        );
    }

    #[test]
    fn problems_are_shown_next_to_what_they_concern() {
        let mut location = clean_location();
        location.sources[1].problems = vec![problem(
            "YAMLError",
            "file:/srv/repo/catalog-info.yaml, document 2, line 7, column 3",
            "YAML error: mapping values are not allowed",
        )];
        location.sources[1].entities[0].problems = vec![problem(
            "InputError",
            "file:/srv/repo/catalog-info.yaml, line 1, field spec.owner",
            "spec.owner is required",
        )];
        let html = preview(vec![location], false);
        assert!(html.contains("line 7, column 3"));
        assert!(html.contains("Will not be imported"));
        assert!(html.contains("spec.owner is required"));
        assert!(html.contains("2 problems"));
        assert!(
            html.contains("0 entities would be imported, 1 will not."),
            "{html}"
        );
        assert!(html.contains("Import anyway"));
    }

    #[test]
    fn unreadable_locations_cannot_be_imported_and_say_why() {
        let location = LocationPreview {
            location_type: "file".to_owned(),
            target: "/srv/missing.yaml".to_owned(),
            refused: Some("file:/srv/missing.yaml does not exist".to_owned()),
            ..Default::default()
        };
        let html = preview(vec![location], false);
        assert!(html.contains("This location cannot be registered"));
        assert!(html.contains("read on the server running Greenroom"));
        assert!(html.contains("Nothing can be imported"));
        assert!(!html.contains(REGISTER_ACTION));
    }

    #[test]
    fn readonly_catalogs_explain_instead_of_importing() {
        let html = preview(vec![clean_location()], true);
        assert!(html.contains("catalog.readonly"));
        assert!(!html.contains(REGISTER_ACTION));
        assert!(html.contains("1 entity would be imported"));
    }

    #[test]
    fn conflicts_with_other_locations_are_explained() {
        let mut location = clean_location();
        location.sources[1].entities[0].in_catalog = Some(InCatalog::Conflict {
            origin: "url:https://git.example/other.yaml".to_owned(),
        });
        let html = preview(vec![location], false);
        assert!(html.contains("Conflict"));
        assert!(html.contains("url:https://git.example/other.yaml"));
    }

    #[test]
    fn without_catalog_files_the_proposal_is_shown() {
        let html = render(preview_page(&PreviewPage {
            input: "/srv/empty".to_owned(),
            understood_as: "a folder on the server".to_owned(),
            analysis: AnalysisView::Proposed(vec![Proposal {
                yaml: "kind: Component\nmetadata:\n  name: empty\n".to_owned(),
                fields: vec![ProposalField {
                    field: "spec.owner".to_owned(),
                    needs_input: true,
                    value: None,
                    description: "The group or user that owns the component".to_owned(),
                }],
            }]),
            locations: Vec::new(),
            not_previewed: Vec::new(),
            readonly: false,
        }))
        .into_string();
        assert!(html.contains("No catalog-info.yaml here"));
        assert!(html.contains("name: empty"));
        assert!(html.contains("Needs your input"));
        assert!(html.contains("Nothing can be imported"));
    }

    #[test]
    fn a_failed_analysis_shows_its_problems_unless_the_file_is_previewed() {
        let failed = AnalysisView::Failed {
            message: "YAMLError: …".to_owned(),
            problems: vec![problem(
                "YAMLError",
                "file:/srv/repo/catalog-info.yaml, line 5",
                "bad",
            )],
        };
        let page = |locations: Vec<LocationPreview>| {
            render(preview_page(&PreviewPage {
                input: "/srv/repo".to_owned(),
                understood_as: "a folder on the server".to_owned(),
                analysis: failed.clone(),
                locations,
                not_previewed: Vec::new(),
                readonly: false,
            }))
            .into_string()
        };
        let alone = page(Vec::new());
        assert!(alone.contains("This cannot be imported"));
        assert!(alone.contains("file:/srv/repo/catalog-info.yaml, line 5"));
        let previewed = page(vec![clean_location()]);
        assert!(previewed.contains("The search stopped at a catalog file with problems"));
        assert!(!previewed.contains("This cannot be imported"));
    }

    #[test]
    fn results_link_the_imported_entities() {
        let html =
            render(result_page(&ResultPage {
                outcomes: vec![
                    ImportOutcome {
                        location_type: "file".to_owned(),
                        target: "/srv/repo".to_owned(),
                        result: Ok(Imported {
                            entities: vec![component("payments")],
                            missing: vec!["component:default/broken".to_owned()],
                            problems: vec!["InputError: file:/srv/repo/b.yaml: bad".to_owned()],
                            ..Default::default()
                        }),
                    },
                    ImportOutcome {
                        location_type: "url".to_owned(),
                        target: "https://x.example/c.yaml".to_owned(),
                        result: Err(
                            "URL not allowed by backend.reading.allow configuration".to_owned()
                        ),
                    },
                ],
            }))
            .into_string();
        assert!(html.contains(r#"href="/catalog/default/component/payments""#));
        assert!(html.contains("component:default/broken"));
        assert!(html.contains("Not registered"));
        assert!(html.contains("<title>Import finished with errors · Greenroom</title>"));
    }
}
