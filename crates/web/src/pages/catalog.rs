//! `GET /catalog`: one page of the catalog table, filtered and sorted as
//! the URL says.
//!
//! The store does the work: filters become a predicate on search rows, the
//! text box a full-text condition, and paging never reads more than a page.
//! Sorting by name (the default) pages by keyset, so every page costs the
//! same however deep; other columns may be missing on some entities (users
//! have no owner), which keysets cannot express, so they page by offset.
//! The values offered by the filters are facet counts, cached for a few
//! seconds ([`PageCache`]): they cost a scan, and they change slowly.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{OriginalUri, State};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use greenroom_model::EntityRef;
use greenroom_store::query::{Direction, FullText, Keyset, Matcher, SortKey, Tiebreak};
use greenroom_store::{EntityQuery, FacetCounts, Predicate};
use greenroom_ui::views::catalog::{
    self, CatalogFilters, CatalogView, FilterOptions, Sort, SortColumn,
};
use serde_json::{Value, json};

use super::{PageResult, html};
use crate::AppState;
use crate::error::ApiError;
use crate::query::RawQuery;

/// Rows per page.
const PAGE_SIZE: u64 = 50;
/// Most values one filter may list.
const MAX_FILTER_VALUES: usize = 50;
/// Longest accepted free-text term.
const MAX_TEXT: usize = 200;
/// How long facet counts are reused.
const FACETS_TTL: Duration = Duration::from_secs(10);
/// Keys the free-text box searches.
const TEXT_KEYS: [&str; 5] = [
    "metadata.name",
    "metadata.title",
    "metadata.description",
    "metadata.tags",
    "spec.profile.displayname",
];
/// Facet keys the filter panel offers within a kind, in
/// [`FilterOptions`] order.
const OPTION_KEYS: [&str; 5] = [
    "spec.type",
    "relations.ownedby",
    "spec.lifecycle",
    "metadata.tags",
    "metadata.namespace",
];

/// Facet counts recently computed, by kind filter (`None`: all kinds).
#[derive(Debug, Default)]
pub struct PageCache {
    facets: Mutex<HashMap<Option<String>, (Instant, FilterOptions)>>,
}

pub(super) async fn show(State(state): State<AppState>, uri: OriginalUri) -> PageResult {
    let raw = RawQuery::parse(uri.0.query()).map_err(|e| ApiError::Input(e.to_string()))?;
    let request = CatalogRequest::parse(&raw)?;
    let query = request.entity_query()?;
    let (found, total) = state.store.query_page(&query, true).await?;
    let options = filter_options(&state, request.filters.kind.as_deref()).await?;

    let has_more = found.len() as u64 > PAGE_SIZE;
    let mut found = found;
    if has_more {
        // The extra row lies beyond the page in the direction it was read:
        // first in the page's order when reading backwards.
        if request.reads_backwards() {
            found.remove(0);
        } else {
            found.truncate(PAGE_SIZE as usize);
        }
    }
    let positions: Vec<(Option<String>, String)> = found
        .iter()
        .map(|e| (e.sort_values.first().cloned().flatten(), e.tiebreak.clone()))
        .collect();
    let rows: Vec<Value> = found
        .into_iter()
        .map(|e| serde_json::from_str(&e.row.body).unwrap_or(Value::Null))
        .collect();
    let (previous, next, first_row) = request.neighbours(&positions, has_more, total);
    Ok(html(catalog::page(&CatalogView {
        filters: request.filters,
        sort: request.sort,
        options,
        rows,
        first_row,
        total,
        next,
        previous,
    })))
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// Keyset (name order): after or before this (name, row id).
    Keyset {
        name: String,
        row: String,
        backwards: bool,
    },
    /// Offset (other orders).
    Offset(u64),
}

impl Cursor {
    fn encode(&self) -> String {
        let value = match self {
            Cursor::Keyset {
                name,
                row,
                backwards,
            } => json!({"n": name, "r": row, "b": backwards}),
            Cursor::Offset(offset) => json!({"o": offset}),
        };
        URL_SAFE_NO_PAD.encode(value.to_string())
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::Input(
                "The page cursor in this link is not valid; start from the first page.".to_owned(),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if let Some(offset) = value.get("o").and_then(Value::as_u64) {
            return Ok(Cursor::Offset(offset));
        }
        Ok(Cursor::Keyset {
            name: value
                .get("n")
                .and_then(Value::as_str)
                .ok_or_else(invalid)?
                .to_owned(),
            row: value
                .get("r")
                .and_then(Value::as_str)
                .filter(|r| r.parse::<i64>().is_ok())
                .ok_or_else(invalid)?
                .to_owned(),
            backwards: value
                .get("b")
                .and_then(Value::as_bool)
                .ok_or_else(invalid)?,
        })
    }
}

/// The page the URL asks for.
#[derive(Debug)]
struct CatalogRequest {
    filters: CatalogFilters,
    sort: Sort,
    cursor: Option<Cursor>,
}

impl CatalogRequest {
    fn parse(raw: &RawQuery) -> Result<Self, ApiError> {
        let mut filters = CatalogFilters::default();
        let mut sort = Sort::default();
        let mut cursor = None;
        for (name, value) in raw.pairs() {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            // `filters[tags][]=x` (Backstage's array form) means `filters[tags]=x`.
            let name = name.strip_suffix("[]").unwrap_or(name);
            let list = match name {
                "filters[kind]" => {
                    filters.kind = Some(value.to_lowercase());
                    continue;
                }
                "filters[text]" => {
                    if value.chars().count() > MAX_TEXT {
                        return Err(ApiError::Input(format!(
                            "The search text is longer than {MAX_TEXT} characters."
                        )));
                    }
                    filters.text = Some(value.to_owned());
                    continue;
                }
                "sort" => {
                    sort.column = SortColumn::from_param(value).ok_or_else(|| {
                        ApiError::Input(format!("The catalog cannot be sorted by '{value}'."))
                    })?;
                    continue;
                }
                "direction" => {
                    sort.descending = match value {
                        "asc" => false,
                        "desc" => true,
                        _ => {
                            return Err(ApiError::Input(format!(
                                "The sort direction must be asc or desc, not '{value}'."
                            )));
                        }
                    };
                    continue;
                }
                "cursor" => {
                    cursor = Some(Cursor::decode(value)?);
                    continue;
                }
                "filters[type]" => &mut filters.types,
                "filters[owner]" | "filters[owners]" => &mut filters.owners,
                "filters[lifecycle]" | "filters[lifecycles]" => &mut filters.lifecycles,
                "filters[namespace]" | "filters[namespaces]" => &mut filters.namespaces,
                "filters[tags]" | "filters[tag]" => &mut filters.tags,
                // Other parameters (Backstage's `filters[user]=owned`,
                // tracking parameters) do not change the table.
                _ => continue,
            };
            if list.len() >= MAX_FILTER_VALUES {
                return Err(ApiError::Input(format!(
                    "A filter may list at most {MAX_FILTER_VALUES} values."
                )));
            }
            if !list.iter().any(|v| v.eq_ignore_ascii_case(value)) {
                list.push(value.to_owned());
            }
        }
        if cursor.is_some()
            && matches!(
                (&cursor, sort.column),
                (Some(Cursor::Keyset { .. }), c) if c != SortColumn::Name
            )
        {
            cursor = None;
        }
        Ok(CatalogRequest {
            filters,
            sort,
            cursor,
        })
    }

    fn reads_backwards(&self) -> bool {
        matches!(
            self.cursor,
            Some(Cursor::Keyset {
                backwards: true,
                ..
            })
        )
    }

    fn entity_query(&self) -> Result<EntityQuery, ApiError> {
        let direction = if self.sort.descending {
            Direction::Descending
        } else {
            Direction::Ascending
        };
        let keyset_paging = self.sort.column == SortColumn::Name;
        let (keyset, offset) = match &self.cursor {
            Some(Cursor::Keyset {
                name,
                row,
                backwards,
            }) => (
                Some(Keyset {
                    sort_values: vec![Some(name.clone())],
                    tiebreak: row.clone(),
                    backwards: *backwards,
                }),
                0,
            ),
            Some(Cursor::Offset(offset)) => (None, *offset),
            None => (None, 0),
        };
        Ok(EntityQuery {
            filter: predicate(&self.filters),
            full_text: self.filters.text.as_ref().map(|text| FullText {
                term: text.to_lowercase(),
                keys: TEXT_KEYS.iter().map(|k| (*k).to_owned()).collect(),
            }),
            sort: vec![SortKey {
                key: self.sort.column.field().to_owned(),
                direction,
            }],
            require_sort_keys: keyset_paging,
            tiebreak: Tiebreak::Row,
            keyset,
            offset,
            // One more than shown tells whether a next page exists.
            limit: Some(PAGE_SIZE + 1),
        })
    }

    /// Cursors of the previous and next pages, and the position of the
    /// first row when it is known. `positions` are the shown rows' (sort
    /// value, row id); `more` says whether a row follows them in the
    /// direction the page was read.
    fn neighbours(
        &self,
        positions: &[(Option<String>, String)],
        more: bool,
        total: Option<u64>,
    ) -> (Option<String>, Option<String>, Option<u64>) {
        match &self.cursor {
            Some(Cursor::Offset(_)) | None if self.sort.column != SortColumn::Name => {
                let offset = match &self.cursor {
                    Some(Cursor::Offset(offset)) => *offset,
                    _ => 0,
                };
                let previous =
                    (offset > 0).then(|| Cursor::Offset(offset.saturating_sub(PAGE_SIZE)).encode());
                let next = more.then(|| Cursor::Offset(offset + PAGE_SIZE).encode());
                (previous, next, Some(offset))
            }
            cursor => {
                let backwards = self.reads_backwards();
                let at = |index: usize, backwards: bool| {
                    positions.get(index).and_then(|(name, row)| {
                        Some(
                            Cursor::Keyset {
                                name: name.clone()?,
                                row: row.clone(),
                                backwards,
                            }
                            .encode(),
                        )
                    })
                };
                let last = positions.len().saturating_sub(1);
                // Reading forwards, a previous page exists when we started
                // from a cursor; reading backwards, when more rows were found.
                let has_previous = if backwards { more } else { cursor.is_some() };
                let has_next = if backwards { true } else { more };
                let previous = if has_previous { at(0, true) } else { None };
                let next = if has_next { at(last, false) } else { None };
                let first_row = cursor.is_none().then_some(0);
                let _ = total;
                (previous, next, first_row)
            }
        }
    }
}

/// The filters as one predicate on search rows (`None`: no filter).
fn predicate(filters: &CatalogFilters) -> Option<Predicate> {
    let any_of = |key: &str, values: Vec<String>| Predicate::Field {
        key: key.to_owned(),
        matcher: Matcher::AnyOf(values),
    };
    let lower = |values: &[String]| values.iter().map(|v| v.to_lowercase()).collect::<Vec<_>>();
    let mut parts = Vec::new();
    if let Some(kind) = &filters.kind {
        parts.push(any_of("kind", vec![kind.to_lowercase()]));
    }
    if !filters.types.is_empty() {
        parts.push(any_of("spec.type", lower(&filters.types)));
    }
    if !filters.owners.is_empty() {
        let owners = filters
            .owners
            .iter()
            .map(|owner| {
                EntityRef::parse(owner, Some("group"), "default")
                    .map_or_else(|_| owner.to_lowercase(), |r| r.canonical().to_owned())
            })
            .collect();
        parts.push(any_of("relations.ownedby", owners));
    }
    if !filters.lifecycles.is_empty() {
        parts.push(any_of("spec.lifecycle", lower(&filters.lifecycles)));
    }
    if !filters.namespaces.is_empty() {
        parts.push(any_of("metadata.namespace", lower(&filters.namespaces)));
    }
    if !filters.tags.is_empty() {
        parts.push(any_of("metadata.tags", lower(&filters.tags)));
    }
    (!parts.is_empty()).then_some(Predicate::All(parts))
}

/// What the filter panel offers: kinds over the whole catalog, the other
/// facets within the chosen kind. Cached for [`FACETS_TTL`].
async fn filter_options(state: &AppState, kind: Option<&str>) -> Result<FilterOptions, ApiError> {
    let key = kind.map(str::to_owned);
    if let Ok(cache) = state.pages.facets.lock()
        && let Some((at, options)) = cache.get(&key)
        && at.elapsed() < FACETS_TTL
    {
        return Ok(options.clone());
    }
    let mut keys: Vec<String> = vec!["kind".to_owned()];
    keys.extend(OPTION_KEYS.iter().map(|k| (*k).to_owned()));
    let kinds = state.store.facets(&keys[..1], None).await?;
    let within = kind.map(|kind| Predicate::equals("kind", kind.to_lowercase()));
    let others = state.store.facets(&keys[1..], within.as_ref()).await?;
    let values = |facets: &[FacetCounts], key: &str| {
        facets
            .iter()
            .find(|f| f.key == key)
            .map(|f| merged_case(&f.values))
            .unwrap_or_default()
    };
    let mut kinds = values(&kinds, "kind");
    for (kind, _) in &mut kinds {
        *kind = kind.to_lowercase();
    }
    let options = FilterOptions {
        kinds,
        types: values(&others, "spec.type"),
        owners: values(&others, "relations.ownedby"),
        lifecycles: values(&others, "spec.lifecycle"),
        tags: values(&others, "metadata.tags"),
        namespaces: values(&others, "metadata.namespace"),
    };
    if let Ok(mut cache) = state.pages.facets.lock() {
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(key, (Instant::now(), options.clone()));
    }
    Ok(options)
}

/// Facet values differing only in case (`Service`, `service`) are one
/// filter choice (filters compare case-insensitively); the most common
/// spelling names it. At most 200 values, most common first.
fn merged_case(values: &[(String, u64)]) -> Vec<(String, u64)> {
    let mut merged: Vec<(String, u64)> = Vec::new();
    for (value, count) in values {
        match merged
            .iter_mut()
            .find(|(v, _)| v.eq_ignore_ascii_case(value))
        {
            Some((_, total)) => *total += count,
            None => merged.push((value.clone(), *count)),
        }
    }
    merged.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    merged.truncate(200);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str) -> Result<CatalogRequest, ApiError> {
        let raw = RawQuery::parse(Some(query)).map_err(|e| ApiError::Input(e.to_string()))?;
        CatalogRequest::parse(&raw)
    }

    #[test]
    fn backstage_filter_urls_become_predicates() {
        let request = request(
            "filters[kind]=Component&filters[type]=service&filters[type]=website\
             &filters[owner]=team-a&filters[tags][]=java&filters[user]=owned&filters[text]=",
        )
        .unwrap();
        assert_eq!(request.filters.kind.as_deref(), Some("component"));
        assert_eq!(request.filters.text, None);
        let query = request.entity_query().unwrap();
        assert_eq!(
            query.filter,
            Some(Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::Field {
                    key: "spec.type".into(),
                    matcher: Matcher::AnyOf(vec!["service".into(), "website".into()])
                },
                Predicate::equals("relations.ownedby", "group:default/team-a"),
                Predicate::equals("metadata.tags", "java"),
            ]))
        );
        assert!(query.require_sort_keys, "name order pages by keyset");
    }

    #[test]
    fn bad_parameters_are_refused_with_a_reason() {
        for (query, needle) in [
            ("sort=colour", "cannot be sorted by 'colour'"),
            ("direction=up", "asc or desc"),
            ("cursor=%%%", "malformed percent escape"),
            ("cursor=bm90IGpzb24", "not valid"),
        ] {
            let error = request(query).map(|_| ()).unwrap_err().to_string();
            assert!(error.contains(needle), "{query}: {error}");
        }
        let long = format!("filters[text]={}", "x".repeat(MAX_TEXT + 1));
        assert!(request(&long).is_err());
    }

    #[test]
    fn cursors_round_trip() {
        for cursor in [
            Cursor::Offset(150),
            Cursor::Keyset {
                name: "payments".into(),
                row: "42".into(),
                backwards: true,
            },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
    }

    #[test]
    fn case_variants_of_a_facet_are_one_choice() {
        let merged = merged_case(&[
            ("service".into(), 5),
            ("Service".into(), 2),
            ("website".into(), 6),
        ]);
        assert_eq!(merged, vec![("service".into(), 7), ("website".into(), 6)]);
    }
}
