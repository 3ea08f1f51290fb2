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
/// Matches are counted up to this many ("1,000+"): a bounded count costs
/// little however many match (a full count of a broad filter costs about
/// 100 ms at 100,000 entities).
const COUNT_CAP: u64 = 1_000;
/// How long facet counts are served before they are recomputed (in the
/// background: readers get the previous counts meanwhile).
const FACETS_TTL: Duration = Duration::from_secs(30);
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
///
/// Counting facets scans many search rows (most of a second at 100,000
/// entities), so pages reuse the counts for [`FACETS_TTL`]; after that the
/// first reader starts one recount in the background and every reader
/// keeps the previous counts until it lands. Only a kind never counted
/// before makes its reader wait, and concurrent readers of it wait for one
/// count, not one each.
#[derive(Debug, Default)]
pub struct PageCache {
    facets: Mutex<HashMap<Option<String>, (Instant, FilterOptions)>>,
    /// Held while counting, so counts do not pile up under load.
    counting: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl PageCache {
    /// Marks every cached count as due, after a change made through this
    /// replica outside a refresh pass (a registration, a deletion): the
    /// next reader starts a recount in the background.
    pub fn catalog_changed(&self) {
        if let Ok(mut cache) = self.facets.lock() {
            let due = Instant::now().checked_sub(FACETS_TTL);
            for (at, _) in cache.values_mut() {
                if let Some(due) = due {
                    *at = due;
                }
            }
        }
    }
}

pub(super) async fn show(State(state): State<AppState>, uri: OriginalUri) -> PageResult {
    let raw = RawQuery::parse(uri.0.query()).map_err(|e| ApiError::Input(e.to_string()))?;
    let request = CatalogRequest::parse(&raw)?;
    let query = request.entity_query();
    let options = filter_options(&state, request.filters.kind.as_deref()).await?;
    // A count the filter panel already knows costs nothing; any other is
    // bounded, so a page never counts a whole catalog.
    let known = known_total(&request.filters, &options);
    let count = if known.is_some() {
        None
    } else {
        Some(COUNT_CAP)
    };
    let (found, counted) = state.store.query_page(&query, count).await?;
    let total = known.or(counted);
    let total_capped = known.is_none() && counted == Some(COUNT_CAP);

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
    let (previous, next, first_row) = request.neighbours(&positions, has_more);
    Ok(html(catalog::page(&CatalogView {
        filters: request.filters,
        sort: request.sort,
        options,
        rows,
        first_row,
        total,
        total_capped,
        next,
        previous,
    })))
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// Keyset (a column every matching entity has): after or before this
    /// (value of the column, row id).
    Keyset {
        /// The sort column it was made for (another order ignores it).
        column: String,
        value: String,
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
                column,
                value,
                row,
                backwards,
            } => json!({"c": column, "v": value, "r": row, "b": backwards}),
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
            column: value
                .get("c")
                .and_then(Value::as_str)
                .ok_or_else(invalid)?
                .to_owned(),
            value: value
                .get("v")
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
        // A keyset cursor of another order (an old link, an edited URL)
        // means nothing here: start from the first page.
        if let Some(Cursor::Keyset { column, .. }) = &cursor
            && (column != sort.column.param()
                || !always_present(sort.column, filters.kind.as_deref()))
        {
            cursor = None;
        }
        Ok(CatalogRequest {
            filters,
            sort,
            cursor,
        })
    }

    /// Whether every entity the page can show has the sort column, so the
    /// store can walk the column's index and pages use keysets.
    fn keyset_paging(&self) -> bool {
        always_present(self.sort.column, self.filters.kind.as_deref())
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

    fn entity_query(&self) -> EntityQuery {
        let direction = if self.sort.descending {
            Direction::Descending
        } else {
            Direction::Ascending
        };
        let keyset_paging = self.keyset_paging();
        let (keyset, offset) = match &self.cursor {
            Some(Cursor::Keyset {
                value,
                row,
                backwards,
                ..
            }) => (
                Some(Keyset {
                    sort_values: vec![Some(value.clone())],
                    tiebreak: row.clone(),
                    backwards: *backwards,
                }),
                0,
            ),
            Some(Cursor::Offset(offset)) => (None, *offset),
            None => (None, 0),
        };
        EntityQuery {
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
        }
    }

    /// Cursors of the previous and next pages, and the position of the
    /// first row when it is known. `positions` are the shown rows' (sort
    /// value, row id); `more` says whether a row follows them in the
    /// direction the page was read.
    fn neighbours(
        &self,
        positions: &[(Option<String>, String)],
        more: bool,
    ) -> (Option<String>, Option<String>, Option<u64>) {
        match &self.cursor {
            Some(Cursor::Offset(_)) | None if !self.keyset_paging() => {
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
                    positions.get(index).and_then(|(value, row)| {
                        Some(
                            Cursor::Keyset {
                                column: self.sort.column.param().to_owned(),
                                value: value.clone()?,
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
                (previous, next, first_row)
            }
        }
    }
}

/// Whether every entity of `kind` (any kind when `None`) has `column`:
/// names and kinds always; the fields Backstage's schemas require of that
/// kind (a component's owner, type and lifecycle, …).
fn always_present(column: SortColumn, kind: Option<&str>) -> bool {
    let requiring: &[&str] = match column {
        SortColumn::Name | SortColumn::Kind => return true,
        SortColumn::Owner => &["component", "api", "resource", "system", "domain"],
        SortColumn::Type => &["component", "api", "resource", "group", "template"],
        SortColumn::Lifecycle => &["component", "api"],
        SortColumn::System => &[],
    };
    kind.is_some_and(|kind| requiring.contains(&kind))
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
/// facets within the chosen kind (see [`PageCache`]).
async fn filter_options(state: &AppState, kind: Option<&str>) -> Result<FilterOptions, ApiError> {
    let key = kind.map(str::to_owned);
    let cached = |state: &AppState| {
        state
            .pages
            .facets
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
    };
    if let Some((at, options)) = cached(state) {
        if at.elapsed() >= FACETS_TTL
            && let Ok(guard) = state.pages.counting.clone().try_lock_owned()
        {
            let state = state.clone();
            let key = key.clone();
            tokio::spawn(async move {
                let _counting = guard;
                if let Ok(options) = count_options(&state, key.as_deref()).await {
                    remember(&state, key, options);
                }
            });
        }
        return Ok(options);
    }
    let _counting = state.pages.counting.lock().await;
    if let Some((_, options)) = cached(state) {
        return Ok(options);
    }
    let options = count_options(state, kind).await?;
    remember(state, key, options.clone());
    Ok(options)
}

/// Counts the filter options of every kind again, replacing cached ones
/// (readers keep the previous counts meanwhile). The server calls this in
/// the background after each refresh pass that changed the catalog, so
/// visitors neither wait for a count nor see one from before the change.
pub async fn recount(state: &AppState) {
    let _counting = state.pages.counting.lock().await;
    let mut kinds: Vec<Option<String>> = vec![None];
    match state.store.count_by_kind().await {
        Ok(counts) => kinds.extend(
            counts
                .into_iter()
                .map(|(kind, _)| Some(kind.to_lowercase())),
        ),
        Err(error) => {
            tracing::warn!(%error, "could not count the catalog's kinds");
            return;
        }
    }
    for kind in kinds {
        match count_options(state, kind.as_deref()).await {
            Ok(options) => remember(state, kind, options),
            Err(error) => {
                tracing::warn!(%error, "could not count the catalog's filter options");
                return;
            }
        }
    }
}

fn remember(state: &AppState, key: Option<String>, options: FilterOptions) {
    if let Ok(mut cache) = state.pages.facets.lock() {
        if cache.len() > 64 {
            cache.clear();
        }
        cache.insert(key, (Instant::now(), options));
    }
}

async fn count_options(state: &AppState, kind: Option<&str>) -> Result<FilterOptions, ApiError> {
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
    Ok(FilterOptions {
        kinds,
        types: values(&others, "spec.type"),
        owners: values(&others, "relations.ownedby"),
        lifecycles: values(&others, "spec.lifecycle"),
        tags: values(&others, "metadata.tags"),
        namespaces: values(&others, "metadata.namespace"),
    })
}

/// The number of matches when the filter panel's counts already say it:
/// no filter, a kind, or a kind and one value of one other filter (no
/// free text).
fn known_total(filters: &CatalogFilters, options: &FilterOptions) -> Option<u64> {
    if filters.text.is_some() {
        return None;
    }
    let lists = [
        (&filters.types, &options.types),
        (&filters.owners, &options.owners),
        (&filters.lifecycles, &options.lifecycles),
        (&filters.tags, &options.tags),
        (&filters.namespaces, &options.namespaces),
    ];
    let chosen: Vec<_> = lists
        .iter()
        .filter(|(values, _)| !values.is_empty())
        .collect();
    let count_of = |offered: &[(String, u64)], value: &str| {
        offered
            .iter()
            .find(|(v, _)| v.eq_ignore_ascii_case(value))
            .map_or(0, |(_, count)| *count)
    };
    match (chosen.as_slice(), &filters.kind) {
        ([], None) => Some(options.kinds.iter().map(|(_, count)| count).sum()),
        ([], Some(kind)) => Some(count_of(&options.kinds, kind)),
        ([(values, offered)], Some(_)) if values.len() == 1 => {
            let value = &values[0];
            // Owners are offered as full refs; the filter may be short.
            let value = if std::ptr::eq(*values, &filters.owners) {
                EntityRef::parse(value, Some("group"), "default")
                    .map_or_else(|_| value.to_lowercase(), |r| r.canonical().to_owned())
            } else {
                value.clone()
            };
            // Facets list at most 200 values: a value beyond them is
            // simply not known here.
            offered
                .iter()
                .any(|(v, _)| v.eq_ignore_ascii_case(&value))
                .then(|| count_of(offered, &value))
        }
        _ => None,
    }
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
        let query = request.entity_query();
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
                column: "name".into(),
                value: "payments".into(),
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

    #[test]
    fn totals_come_from_facet_counts_when_they_say_it() {
        let options = FilterOptions {
            kinds: vec![("component".into(), 7), ("group".into(), 2)],
            types: vec![("service".into(), 4), ("library".into(), 3)],
            owners: vec![("group:default/team-a".into(), 5)],
            ..FilterOptions::default()
        };
        let total = |query: &str| known_total(&request(query).unwrap().filters, &options);
        assert_eq!(total(""), Some(9));
        assert_eq!(total("filters[kind]=Component"), Some(7));
        assert_eq!(
            total("filters[kind]=component&filters[type]=Service"),
            Some(4)
        );
        assert_eq!(
            total("filters[kind]=component&filters[owner]=team-a"),
            Some(5)
        );
        assert_eq!(total("filters[kind]=component&filters[type]=website"), None);
        assert_eq!(total("filters[kind]=component&filters[text]=x"), None);
        assert_eq!(
            total("filters[kind]=component&filters[type]=service&filters[type]=library"),
            None
        );
        assert_eq!(total("filters[type]=service"), None);
    }

    #[test]
    fn required_columns_page_by_keyset() {
        assert!(always_present(SortColumn::Name, None));
        assert!(always_present(SortColumn::Owner, Some("component")));
        assert!(!always_present(SortColumn::Owner, Some("user")));
        assert!(!always_present(SortColumn::Owner, None));
        // A cursor made for another order is ignored.
        let cursor = Cursor::Keyset {
            column: "name".into(),
            value: "a".into(),
            row: "1".into(),
            backwards: false,
        }
        .encode();
        let sorted = request(&format!(
            "filters[kind]=component&sort=owner&cursor={cursor}"
        ))
        .unwrap();
        assert_eq!(sorted.cursor, None);
    }

    #[test]
    fn a_change_makes_cached_counts_due() {
        let cache = PageCache::default();
        cache
            .facets
            .lock()
            .unwrap()
            .insert(None, (Instant::now(), FilterOptions::default()));
        cache.catalog_changed();
        let due = cache.facets.lock().unwrap()[&None].0.elapsed() >= FACETS_TTL;
        assert!(due);
    }
}
