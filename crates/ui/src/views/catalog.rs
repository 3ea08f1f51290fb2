//! The catalog table: filters in a side panel, a sortable table of one page
//! of entities, and links to the pages before and after.
//!
//! The whole state lives in the URL, in Backstage's shape
//! (`/catalog?filters[kind]=component&filters[type]=service`), so a filtered
//! view can be shared and the back button works. [`CatalogFilters::href`]
//! builds every link the page holds.

use maud::{Markup, html};
use serde_json::Value;

use crate::entity::{EntityView, entity_href, humanize, parse_ref, ref_link};
use crate::format::thousands;
use crate::layout::{Crumb, Page, Section};
use crate::links::encode_component;

/// The filters of the catalog page (each list means "any of").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogFilters {
    pub kind: Option<String>,
    pub types: Vec<String>,
    /// Owner refs (`group:default/team-a`).
    pub owners: Vec<String>,
    pub lifecycles: Vec<String>,
    pub namespaces: Vec<String>,
    pub tags: Vec<String>,
    /// Free text matched against names, titles, descriptions and tags.
    pub text: Option<String>,
}

/// Columns the table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Kind,
    System,
    Owner,
    Type,
    Lifecycle,
}

impl SortColumn {
    pub const ALL: [SortColumn; 6] = [
        SortColumn::Name,
        SortColumn::Kind,
        SortColumn::System,
        SortColumn::Owner,
        SortColumn::Type,
        SortColumn::Lifecycle,
    ];

    /// The URL parameter value.
    pub fn param(self) -> &'static str {
        match self {
            SortColumn::Name => "name",
            SortColumn::Kind => "kind",
            SortColumn::System => "system",
            SortColumn::Owner => "owner",
            SortColumn::Type => "type",
            SortColumn::Lifecycle => "lifecycle",
        }
    }

    pub fn from_param(param: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|column| column.param() == param)
    }

    /// The entity field it sorts by (a search key).
    pub fn field(self) -> &'static str {
        match self {
            SortColumn::Name => "metadata.name",
            SortColumn::Kind => "kind",
            SortColumn::System => "spec.system",
            SortColumn::Owner => "spec.owner",
            SortColumn::Type => "spec.type",
            SortColumn::Lifecycle => "spec.lifecycle",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::Kind => "Kind",
            SortColumn::System => "System",
            SortColumn::Owner => "Owner",
            SortColumn::Type => "Type",
            SortColumn::Lifecycle => "Lifecycle",
        }
    }
}

/// The table's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: SortColumn::Name,
            descending: false,
        }
    }
}

impl CatalogFilters {
    /// Whether any filter is set.
    pub fn is_empty(&self) -> bool {
        *self == CatalogFilters::default()
    }

    /// The URL of the catalog page with these filters, `sort` and `cursor`.
    pub fn href(&self, sort: Sort, cursor: Option<&str>) -> String {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(kind) = &self.kind {
            params.push(("filters[kind]", kind));
        }
        let lists: [(&str, &Vec<String>); 5] = [
            ("filters[type]", &self.types),
            ("filters[owner]", &self.owners),
            ("filters[lifecycle]", &self.lifecycles),
            ("filters[namespace]", &self.namespaces),
            ("filters[tags]", &self.tags),
        ];
        for (name, values) in lists {
            params.extend(values.iter().map(|value| (name, value.as_str())));
        }
        if let Some(text) = &self.text {
            params.push(("filters[text]", text));
        }
        if sort != Sort::default() {
            params.push(("sort", sort.column.param()));
            if sort.descending {
                params.push(("direction", "desc"));
            }
        }
        if let Some(cursor) = cursor {
            params.push(("cursor", cursor));
        }
        let mut href = String::from("/catalog");
        for (index, (name, value)) in params.iter().enumerate() {
            href.push(if index == 0 { '?' } else { '&' });
            // Brackets stay readable, as in Backstage's URLs.
            href.push_str(
                &encode_component(name)
                    .replace("%5B", "[")
                    .replace("%5D", "]"),
            );
            href.push('=');
            href.push_str(&encode_component(value));
        }
        href
    }
}

/// The values each filter offers, with how many entities have them.
#[derive(Debug, Clone, Default)]
pub struct FilterOptions {
    pub kinds: Vec<(String, u64)>,
    pub types: Vec<(String, u64)>,
    pub owners: Vec<(String, u64)>,
    pub lifecycles: Vec<(String, u64)>,
    pub namespaces: Vec<(String, u64)>,
    pub tags: Vec<(String, u64)>,
}

/// One page of the table.
#[derive(Debug, Clone, Default)]
pub struct CatalogView {
    pub filters: CatalogFilters,
    pub sort: Sort,
    pub options: FilterOptions,
    pub rows: Vec<Value>,
    /// 0-based position of the first row, when known (offset paging).
    pub first_row: Option<u64>,
    /// How many entities match, when counted.
    pub total: Option<u64>,
    /// Whether counting stopped at `total` (more match).
    pub total_capped: bool,
    /// Cursors of the neighbouring pages.
    pub next: Option<String>,
    pub previous: Option<String>,
}

pub fn page(view: &CatalogView) -> Page {
    let kind_label = view
        .filters
        .kind
        .as_deref()
        .map(kind_plural)
        .unwrap_or_else(|| "All entities".to_owned());
    let title = match &view.filters.text {
        Some(text) => format!("{kind_label} matching “{text}”"),
        None => kind_label.clone(),
    };
    let section = if view.filters.kind.as_deref() == Some("api") {
        Section::Apis
    } else {
        Section::Catalog
    };
    Page {
        title: title.clone(),
        section,
        crumbs: vec![Crumb::here("Catalog")],
        search: view.filters.text.clone(),
        body: html! {
            div.page-head {
                div {
                    h1 { (title) }
                    p.subtitle {
                        @match view.total {
                            Some(total) => { (thousands(total)) @if view.total_capped { "+" } " matching" }
                            None => { "Filtered catalog" }
                        }
                    }
                }
                div.page-actions {
                    a.button href="/catalog-import" { "Register existing component" }
                }
            }
            div.catalog {
                (filters_panel(view))
                section aria-label="Entities" {
                    (table(view))
                }
            }
        },
    }
}

fn filters_panel(view: &CatalogView) -> Markup {
    let filters = &view.filters;
    let options = &view.options;
    html! {
        form.card.filters action="/catalog" method="get" data-autosubmit autocomplete="off" aria-label="Filters" {
            div.field {
                label for="filter-text" { "Search" }
                input #filter-text type="search" name="filters[text]" value=[filters.text.as_deref()] placeholder="Name, title, description";
            }
            div.field {
                label for="filter-kind" { "Kind" }
                select #filter-kind name="filters[kind]" {
                    option value="" selected[filters.kind.is_none()] { "All kinds" }
                    @for (kind, count) in &options.kinds {
                        option value=(kind) selected[filters.kind.as_deref() == Some(kind.as_str())] {
                            (capitalize(kind)) " (" (thousands(*count)) ")"
                        }
                    }
                }
            }
            (multi_select("filter-type", "Type", "filters[type]", &options.types, &filters.types, |v| v.to_owned()))
            (multi_select("filter-owner", "Owner", "filters[owner]", &options.owners, &filters.owners, |v| {
                parse_ref(v, Some("group"), "default").map_or_else(|| v.to_owned(), |r| humanize(&r, Some("group")))
            }))
            (multi_select("filter-lifecycle", "Lifecycle", "filters[lifecycle]", &options.lifecycles, &filters.lifecycles, |v| v.to_owned()))
            (multi_select("filter-tags", "Tags", "filters[tags]", &options.tags, &filters.tags, |v| v.to_owned()))
            (multi_select("filter-namespace", "Namespace", "filters[namespace]", &options.namespaces, &filters.namespaces, |v| v.to_owned()))
            @if view.sort != Sort::default() {
                input type="hidden" name="sort" value=(view.sort.column.param());
                @if view.sort.descending { input type="hidden" name="direction" value="desc"; }
            }
            div.filter-actions {
                button.button-primary type="submit" { "Apply" }
                @if !filters.is_empty() {
                    a.button href="/catalog" { "Clear" }
                }
            }
        }
    }
}

/// A multiple select; values chosen but no longer offered stay listed, so
/// the form never silently drops a filter from the URL.
fn multi_select(
    id: &str,
    label: &str,
    name: &str,
    offered: &[(String, u64)],
    chosen: &[String],
    show: impl Fn(&str) -> String,
) -> Markup {
    let is_chosen = |value: &str| chosen.iter().any(|c| c.eq_ignore_ascii_case(value));
    let missing: Vec<&String> = chosen
        .iter()
        .filter(|c| !offered.iter().any(|(o, _)| o.eq_ignore_ascii_case(c)))
        .collect();
    html! {
        @if !offered.is_empty() || !chosen.is_empty() {
            div.field {
                label for=(id) { (label) }
                select id=(id) name=(name) multiple size=(offered.len().clamp(2, 6)) {
                    @for value in &missing {
                        option value=(value) selected { (show(value)) }
                    }
                    @for (value, count) in offered {
                        option value=(value) selected[is_chosen(value)] { (show(value)) " (" (thousands(*count)) ")" }
                    }
                }
            }
        }
    }
}

fn table(view: &CatalogView) -> Markup {
    let show_kind = view.filters.kind.is_none();
    let columns: Vec<SortColumn> = SortColumn::ALL
        .into_iter()
        .filter(|c| show_kind || *c != SortColumn::Kind)
        .collect();
    html! {
        div.table-wrap {
            table.catalog-table {
                thead {
                    tr {
                        @for column in &columns {
                            (header(view, *column))
                        }
                        th scope="col" { "Description" }
                        th scope="col" { "Tags" }
                    }
                }
                tbody {
                    @for entity in &view.rows {
                        (row(entity, &columns))
                    }
                    @if view.rows.is_empty() {
                        tr {
                            td colspan=(columns.len() + 2) {
                                p.empty {
                                    "No entities match these filters. "
                                    a href="/catalog" { "Clear the filters" }
                                    " or "
                                    a href="/catalog-import" { "register a component" }
                                    "."
                                }
                            }
                        }
                    }
                }
            }
            div.table-foot {
                span {
                    @if let (Some(first), false) = (view.first_row, view.rows.is_empty()) {
                        "Showing " (thousands(first + 1)) "–" (thousands(first + view.rows.len() as u64))
                        @if let Some(total) = view.total { " of " (thousands(total)) @if view.total_capped { "+" } }
                    } @else if let Some(total) = view.total {
                        (thousands(total)) @if view.total_capped { "+" } " in all"
                    }
                }
                nav.pager aria-label="Pages" {
                    @match &view.previous {
                        Some(cursor) => a.button rel="prev" href=(view.filters.href(view.sort, Some(cursor))) { "← Previous" },
                        None => span.disabled aria-disabled="true" { "← Previous" },
                    }
                    @match &view.next {
                        Some(cursor) => a.button rel="next" href=(view.filters.href(view.sort, Some(cursor))) { "Next →" },
                        None => span.disabled aria-disabled="true" { "Next →" },
                    }
                }
            }
        }
    }
}

fn header(view: &CatalogView, column: SortColumn) -> Markup {
    let current = view.sort.column == column;
    let next = Sort {
        column,
        descending: current && !view.sort.descending,
    };
    let aria = match (current, view.sort.descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    html! {
        th scope="col" aria-sort=(aria) {
            a href=(view.filters.href(next, None)) aria-sort=(aria) { (column.label()) }
        }
    }
}

fn row(entity: &Value, columns: &[SortColumn]) -> Markup {
    let view = EntityView::new(entity);
    let namespace = view.namespace();
    html! {
        tr {
            @for column in columns {
                td {
                    @match column {
                        SortColumn::Name => {
                            @if let Some(reference) = view.reference() {
                                a.entity-link href=(entity_href(&reference)) { (view.display_name()) }
                                @if view.is_orphan() { " " span.badge.badge-warning { "orphan" } }
                                @if !view.problems().is_empty() { " " span.badge.badge-danger { "error" } }
                            }
                        }
                        SortColumn::Kind => { (view.kind()) }
                        SortColumn::System => {
                            @if let Some(system) = view.spec_str("system").and_then(|s| parse_ref(s, Some("system"), namespace)) {
                                (ref_link(&system, Some("system")))
                            }
                        }
                        SortColumn::Owner => {
                            @if let Some(owner) = view.spec_str("owner").and_then(|s| parse_ref(s, Some("group"), namespace)) {
                                (ref_link(&owner, Some("group")))
                            }
                        }
                        SortColumn::Type => { (view.spec_str("type").unwrap_or("")) }
                        SortColumn::Lifecycle => { (view.spec_str("lifecycle").unwrap_or("")) }
                    }
                }
            }
            td.description { (view.description().unwrap_or("")) }
            td {
                ul.chips {
                    @for tag in view.tags() {
                        li { span.chip { (tag) } }
                    }
                }
            }
        }
    }
}

/// The heading for many entities of a kind: `component` → `Components`,
/// `api` → `APIs`.
pub fn kind_plural(kind: &str) -> String {
    if kind.eq_ignore_ascii_case("api") {
        "APIs".to_owned()
    } else {
        format!("{}s", capitalize(&kind.to_lowercase()))
    }
}

/// `component` → `Component`.
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_every_filter_in_backstage_shape() {
        let filters = CatalogFilters {
            kind: Some("component".into()),
            types: vec!["service".into(), "web site".into()],
            owners: vec!["group:default/team-a".into()],
            text: Some("pay&ments".into()),
            ..CatalogFilters::default()
        };
        let sort = Sort {
            column: SortColumn::Owner,
            descending: true,
        };
        assert_eq!(
            filters.href(sort, Some("abc")),
            "/catalog?filters[kind]=component&filters[type]=service&filters[type]=web%20site\
             &filters[owner]=group%3Adefault%2Fteam-a&filters[text]=pay%26ments&sort=owner&direction=desc&cursor=abc"
        );
        assert_eq!(
            CatalogFilters::default().href(Sort::default(), None),
            "/catalog"
        );
    }

    #[test]
    fn an_empty_page_explains_itself_and_escapes_values() {
        let view = CatalogView {
            filters: CatalogFilters {
                text: Some("<script>".into()),
                ..CatalogFilters::default()
            },
            ..CatalogView::default()
        };
        let html = crate::layout::render(page(&view)).into_string();
        assert!(html.contains("No entities match these filters."));
        assert!(!html.contains("<script>"));
    }
}
