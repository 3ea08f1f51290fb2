//! The catalog requests the benchmark measures: their paths, the targets
//! and Backstage's figures they are compared with, and the checks every
//! response must pass (a benchmark of errors or of empty answers is
//! worthless, so a wrong answer stops it).

use std::collections::BTreeMap;

use anyhow::{Context, Result, ensure};
use clap::ValueEnum;
use serde::Deserialize;
use serde_json::Value;

use super::manifest::Manifest;

/// Page size of the filtered page.
const PAGE: usize = 50;
/// Page size of the full-text queries.
const FULL_TEXT_PAGE: usize = 20;

/// A measured request (names as `--only` takes them).
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
pub enum Endpoint {
    /// `GET /entities?filter=kind=component,spec.type=service&limit=50`
    FilteredPage,
    /// `GET /entities/by-name/component/default/<name>`, many names
    ByName,
    /// `GET /entity-facets?facet=spec.type`
    Facets,
    /// `GET /entities/by-query?fullTextFilterTerm=<word>&fullTextFilterFields=metadata.name&limit=20`
    FullText,
    /// The same with `filter=kind=component`
    FullTextComponent,
    /// `GET /entities`, unpaged
    FullList,
    /// The home page `/`
    PageHome,
    /// The catalog page `/catalog?filters[kind]=component`
    PageCatalog,
    /// The catalog page filtered by kind and type
    PageCatalogFiltered,
    /// The catalog page sorted by owner (offset paging)
    PageCatalogSorted,
    /// The catalog page with free text
    PageCatalogText,
    /// An entity page `/catalog/default/component/<name>`, many names
    PageEntity,
}

/// The catalog API's path prefix.
const API: &str = "/api/catalog";

/// Backstage's figures at 10,000 entities (ms): p50 and, where measured, p99.
pub struct Reference {
    pub p50: f64,
    pub p99: Option<f64>,
}

impl Endpoint {
    pub const ALL: [Endpoint; 12] = [
        Endpoint::FilteredPage,
        Endpoint::ByName,
        Endpoint::Facets,
        Endpoint::FullText,
        Endpoint::FullTextComponent,
        Endpoint::FullList,
        Endpoint::PageHome,
        Endpoint::PageCatalog,
        Endpoint::PageCatalogFiltered,
        Endpoint::PageCatalogSorted,
        Endpoint::PageCatalogText,
        Endpoint::PageEntity,
    ];

    /// The row label in the report.
    pub fn label(self) -> &'static str {
        match self {
            Endpoint::FilteredPage => "filtered page (50)",
            Endpoint::ByName => "by-name",
            Endpoint::Facets => "facets spec.type",
            Endpoint::FullText => "full-text by-query",
            Endpoint::FullTextComponent => "full-text by-query, kind=component",
            Endpoint::FullList => "full list, unpaged",
            Endpoint::PageHome => "page: home",
            Endpoint::PageCatalog => "page: catalog, components",
            Endpoint::PageCatalogFiltered => "page: catalog, services",
            Endpoint::PageCatalogSorted => "page: catalog, by owner",
            Endpoint::PageCatalogText => "page: catalog, free text",
            Endpoint::PageEntity => "page: entity",
        }
    }

    /// The request paths: one, or for by-name one per component name (the
    /// requests cycle through them).
    pub fn paths(self, manifest: &Manifest, names: &[String]) -> Vec<String> {
        let word = encode(&manifest.sample.search_word);
        let full_text = format!(
            "{API}/entities/by-query?fullTextFilterTerm={word}&fullTextFilterFields=metadata.name&limit={FULL_TEXT_PAGE}"
        );
        match self {
            Endpoint::FilteredPage => vec![format!(
                "{API}/entities?filter=kind=component,spec.type=service&limit={PAGE}"
            )],
            Endpoint::ByName => names
                .iter()
                .map(|name| format!("{API}/entities/by-name/component/default/{}", encode(name)))
                .collect(),
            Endpoint::Facets => vec![format!("{API}/entity-facets?facet=spec.type")],
            Endpoint::FullText => vec![full_text],
            Endpoint::FullTextComponent => vec![format!("{full_text}&filter=kind=component")],
            Endpoint::FullList => vec![format!("{API}/entities")],
            Endpoint::PageHome => vec!["/".to_owned()],
            Endpoint::PageCatalog => vec!["/catalog?filters[kind]=component".to_owned()],
            Endpoint::PageCatalogFiltered => {
                vec!["/catalog?filters[kind]=component&filters[type]=service".to_owned()]
            }
            Endpoint::PageCatalogSorted => {
                vec!["/catalog?filters[kind]=component&sort=owner".to_owned()]
            }
            Endpoint::PageCatalogText => vec![format!("/catalog?filters[text]={word}")],
            Endpoint::PageEntity => names
                .iter()
                .map(|name| format!("/catalog/default/component/{}", encode(name)))
                .collect(),
        }
    }

    /// Sequential requests measured (the full list is slow and large).
    pub fn sequential_requests(self, requests: usize) -> usize {
        match self {
            Endpoint::FullList => requests.clamp(1, 20),
            _ => requests.max(1),
        }
    }

    /// Unmeasured requests first (connection, caches, the planner).
    pub fn warmup_requests(self) -> usize {
        match self {
            Endpoint::FullList => 2,
            _ => 50,
        }
    }

    /// The p99 target (ms) at 100,000 entities, if one is set.
    pub fn p99_target_ms(self) -> Option<f64> {
        match self {
            Endpoint::FilteredPage | Endpoint::ByName => Some(5.0),
            Endpoint::Facets | Endpoint::FullText | Endpoint::FullTextComponent => Some(20.0),
            Endpoint::FullList => None,
            Endpoint::PageHome
            | Endpoint::PageCatalog
            | Endpoint::PageCatalogFiltered
            | Endpoint::PageCatalogSorted
            | Endpoint::PageCatalogText
            | Endpoint::PageEntity => Some(100.0),
        }
    }

    /// The throughput target (requests/s with 8 connections), if one is set.
    pub fn throughput_target(self) -> Option<f64> {
        match self {
            Endpoint::ByName => Some(5_000.0),
            _ => None,
        }
    }

    /// Backstage's figures at 10,000 entities.
    pub fn backstage(self) -> Option<Reference> {
        let (p50, p99) = match self {
            Endpoint::FilteredPage => (35.0, Some(70.0)),
            Endpoint::ByName => (7.0, Some(39.0)),
            Endpoint::Facets => (3.0, None),
            Endpoint::FullText => (22.0, None),
            Endpoint::FullTextComponent => return None,
            Endpoint::FullList => (132.0, None),
            _ => return None,
        };
        Some(Reference { p50, p99 })
    }

    /// Checks a 200 response body for `path` against what the catalog
    /// holds; returns the number of entities (or facet values) it carried.
    pub fn check(self, path: &str, body: &[u8], manifest: &Manifest) -> Result<usize> {
        let count = match self {
            Endpoint::FilteredPage => json(body).and_then(|v| check_filtered_page(&v)),
            Endpoint::ByName => json(body).and_then(|v| check_by_name(path, &v)),
            Endpoint::Facets => json(body).and_then(|v| check_facets(&v)),
            Endpoint::FullText => json(body).and_then(|v| check_full_text(&v, manifest, false)),
            Endpoint::FullTextComponent => {
                json(body).and_then(|v| check_full_text(&v, manifest, true))
            }
            Endpoint::FullList => check_full_list(body, manifest),
            Endpoint::PageHome | Endpoint::PageEntity => check_page(body, "<h1>"),
            Endpoint::PageCatalog
            | Endpoint::PageCatalogFiltered
            | Endpoint::PageCatalogSorted
            | Endpoint::PageCatalogText => {
                check_page(body, "class=\"catalog-table\"").and_then(|_| check_table_rows(body))
            }
        };
        count.with_context(|| format!("{path} answered {}", excerpt(body)))
    }
}

/// A whole HTML page holding `marker`; returns 1.
fn check_page(body: &[u8], marker: &str) -> Result<usize> {
    let text = std::str::from_utf8(body).context("the page is not UTF-8")?;
    ensure!(text.starts_with("<!DOCTYPE html>"), "not an HTML page");
    ensure!(text.contains(marker), "the page lacks {marker}");
    Ok(1)
}

/// The catalog table's rows: one page of entities, none of them the
/// "no entities match" row.
fn check_table_rows(body: &[u8]) -> Result<usize> {
    let text = String::from_utf8_lossy(body);
    ensure!(!text.contains("No entities match"), "the table is empty");
    let rows = text.matches("<tr>").count().saturating_sub(1);
    ensure!((1..=PAGE).contains(&rows), "{rows} table rows");
    Ok(rows)
}

fn json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).context("the body is not JSON")
}

fn check_filtered_page(value: &Value) -> Result<usize> {
    let items = value
        .as_array()
        .context("expected a JSON array of entities")?;
    ensure!(!items.is_empty(), "no services on the first page");
    ensure!(
        items.len() <= PAGE,
        "{} entities despite limit={PAGE} (was the query ignored?)",
        items.len()
    );
    for item in items {
        ensure!(
            text(item, "/kind").eq_ignore_ascii_case("component")
                && text(item, "/spec/type") == "service",
            "{} is not a service component",
            text(item, "/metadata/name")
        );
    }
    Ok(items.len())
}

fn check_by_name(path: &str, value: &Value) -> Result<usize> {
    let wanted = path.rsplit('/').next().unwrap_or_default();
    ensure!(
        text(value, "/kind").eq_ignore_ascii_case("component")
            && encode(text(value, "/metadata/name")) == wanted,
        "expected component {wanted}"
    );
    Ok(1)
}

fn check_facets(value: &Value) -> Result<usize> {
    let values = value
        .pointer("/facets/spec.type")
        .and_then(Value::as_array)
        .context("expected {\"facets\": {\"spec.type\": [...]}}")?;
    ensure!(!values.is_empty(), "no spec.type values");
    for facet in values {
        ensure!(
            facet.get("value").is_some_and(Value::is_string)
                && facet.get("count").and_then(Value::as_u64).unwrap_or(0) > 0,
            "facet {facet} lacks a value or a positive count"
        );
    }
    ensure!(
        values.iter().any(|f| f["value"] == "service"),
        "spec.type has no `service` value"
    );
    Ok(values.len())
}

fn check_full_text(value: &Value, manifest: &Manifest, components_only: bool) -> Result<usize> {
    let word = manifest.sample.search_word.to_lowercase();
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .context("expected {\"items\": [...]}")?;
    ensure!(!items.is_empty(), "no entity has {word:?} in its name");
    ensure!(
        items.len() <= FULL_TEXT_PAGE,
        "{} entities despite limit={FULL_TEXT_PAGE}",
        items.len()
    );
    for item in items {
        let name = text(item, "/metadata/name");
        ensure!(
            name.to_lowercase().contains(&word),
            "{name} does not contain {word:?}"
        );
        ensure!(
            !components_only || text(item, "/kind").eq_ignore_ascii_case("component"),
            "{name} is not a component"
        );
    }
    if components_only && let Some(total) = value.get("totalItems").and_then(Value::as_u64) {
        let expected = manifest.sample.search_word_component_count;
        ensure!(
            total >= expected,
            "totalItems {total}, but {expected} components are named after {word:?}"
        );
    }
    Ok(items.len())
}

/// Counts the entities of the unpaged list per kind (without building a
/// JSON tree: the list can be gigabytes) and compares them with the
/// manifest.
fn check_full_list(body: &[u8], manifest: &Manifest) -> Result<usize> {
    #[derive(Deserialize)]
    struct KindOnly {
        kind: String,
    }
    let entities: Vec<KindOnly> =
        serde_json::from_slice(body).context("expected a JSON array of entities")?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for entity in &entities {
        *counts.entry(entity.kind.to_lowercase()).or_default() += 1;
    }
    let expected: BTreeMap<String, u64> = manifest
        .counts
        .iter()
        .map(|(kind, count)| (kind.to_lowercase(), *count))
        .collect();
    ensure!(
        entities.len() as u64 == manifest.entities && counts == expected,
        "{} entities {counts:?}; the manifest has {} {expected:?}",
        entities.len(),
        manifest.entities
    );
    Ok(entities.len())
}

/// A string at `pointer`, or "".
fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The start of a body, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    if body.len() > 300 {
        format!("{text}… ({} bytes)", body.len())
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        serde_json::from_value(serde_json::json!({
            "entities": 3,
            "counts": {"Component": 2, "Location": 1},
            "root_location": "all.yaml",
            "sample": {"component": "rapid-checkout-processor", "search_word": "checkout",
                       "search_word_component_count": 2}
        }))
        .unwrap()
    }

    fn component(name: &str, kind: &str) -> Value {
        serde_json::json!({"kind": kind, "metadata": {"name": name}, "spec": {"type": "service"}})
    }

    #[test]
    fn paths() {
        let m = manifest();
        let names = ["a b".to_owned(), "c".to_owned()];
        assert_eq!(
            Endpoint::ByName.paths(&m, &names),
            vec![
                "/api/catalog/entities/by-name/component/default/a%20b",
                "/api/catalog/entities/by-name/component/default/c"
            ]
        );
        assert_eq!(
            Endpoint::FullTextComponent.paths(&m, &names),
            vec![
                "/api/catalog/entities/by-query?fullTextFilterTerm=checkout&fullTextFilterFields=metadata.name&limit=20&filter=kind=component"
            ]
        );
        assert_eq!(
            Endpoint::FilteredPage.paths(&m, &names),
            vec!["/api/catalog/entities?filter=kind=component,spec.type=service&limit=50"]
        );
    }

    #[test]
    fn by_name_must_be_the_entity_asked_for() {
        let m = manifest();
        let path = "/api/catalog/entities/by-name/component/default/rapid-checkout-processor";
        let body = component("rapid-checkout-processor", "Component").to_string();
        assert_eq!(
            Endpoint::ByName.check(path, body.as_bytes(), &m).unwrap(),
            1
        );
        let other = component("other", "Component").to_string();
        assert!(Endpoint::ByName.check(path, other.as_bytes(), &m).is_err());
        assert!(Endpoint::ByName.check(path, b"not json", &m).is_err());
    }

    #[test]
    fn filtered_page_must_be_a_short_page_of_services() {
        let m = manifest();
        let page = Value::Array(vec![component("a", "Component"); 3]).to_string();
        assert_eq!(
            Endpoint::FilteredPage
                .check("/p", page.as_bytes(), &m)
                .unwrap(),
            3
        );
        let ignored_limit = Value::Array(vec![component("a", "Component"); 51]).to_string();
        let error = Endpoint::FilteredPage
            .check("/p", ignored_limit.as_bytes(), &m)
            .unwrap_err();
        assert!(format!("{error:#}").contains("limit=50"), "{error:#}");
        let api = Value::Array(vec![component("a", "API")]).to_string();
        assert!(
            Endpoint::FilteredPage
                .check("/p", api.as_bytes(), &m)
                .is_err()
        );
        assert!(Endpoint::FilteredPage.check("/p", b"[]", &m).is_err());
    }

    #[test]
    fn facets_need_counted_values() {
        let m = manifest();
        let good = r#"{"facets":{"spec.type":[{"value":"service","count":3},{"value":"library","count":1}]}}"#;
        assert_eq!(
            Endpoint::Facets.check("/f", good.as_bytes(), &m).unwrap(),
            2
        );
        for bad in [
            r#"{"facets":{"spec.type":[]}}"#,
            r#"{"facets":{}}"#,
            r#"{"facets":{"spec.type":[{"value":"service","count":0}]}}"#,
        ] {
            assert!(
                Endpoint::Facets.check("/f", bad.as_bytes(), &m).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn full_text_items_must_match_the_word() {
        let m = manifest();
        let good = serde_json::json!({
            "items": [component("bold-checkout-api", "Component")],
            "totalItems": 2,
            "pageInfo": {}
        })
        .to_string();
        assert_eq!(
            Endpoint::FullText.check("/q", good.as_bytes(), &m).unwrap(),
            1
        );
        assert_eq!(
            Endpoint::FullTextComponent
                .check("/q", good.as_bytes(), &m)
                .unwrap(),
            1
        );
        let too_few = good.replace("\"totalItems\":2", "\"totalItems\":1");
        assert!(
            Endpoint::FullTextComponent
                .check("/q", too_few.as_bytes(), &m)
                .is_err()
        );
        let api = serde_json::json!({"items": [component("checkout-api", "API")]}).to_string();
        assert!(Endpoint::FullText.check("/q", api.as_bytes(), &m).is_ok());
        assert!(
            Endpoint::FullTextComponent
                .check("/q", api.as_bytes(), &m)
                .is_err()
        );
        let unrelated =
            serde_json::json!({"items": [component("billing", "Component")]}).to_string();
        assert!(
            Endpoint::FullText
                .check("/q", unrelated.as_bytes(), &m)
                .is_err()
        );
        assert!(
            Endpoint::FullText
                .check("/q", br#"{"items":[]}"#, &m)
                .is_err()
        );
    }

    #[test]
    fn full_list_must_match_the_manifest_counts() {
        let m = manifest();
        let full = Value::Array(vec![
            component("a", "Component"),
            component("b", "Component"),
            component("root", "Location"),
        ])
        .to_string();
        assert_eq!(
            Endpoint::FullList.check("/l", full.as_bytes(), &m).unwrap(),
            3
        );
        let short = Value::Array(vec![
            component("a", "Component"),
            component("r", "Location"),
        ])
        .to_string();
        let error = Endpoint::FullList
            .check("/l", short.as_bytes(), &m)
            .unwrap_err();
        assert!(
            format!("{error:#}").contains("the manifest has 3"),
            "{error:#}"
        );
    }

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(encode("team-a_b.c~d"), "team-a_b.c~d");
        assert_eq!(encode("a/b c&é"), "a%2Fb%20c%26%C3%A9");
    }
}
