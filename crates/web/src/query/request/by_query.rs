//! `GET` and `POST /entities/by-query`: cursor paging.
//!
//! A request is either an initial query (filter, one sort key, full-text
//! search, offset, whether to count) or a continuation from a `cursor`,
//! which carries the query itself; with a cursor only `limit` and `fields`
//! are read, the rest is ignored, as in Backstage. The page size defaults
//! to [`DEFAULT_BY_QUERY_LIMIT`]; zero is allowed (only the count is
//! wanted) and at most [`MAX_LIMIT`].
//!
//! Several sort fields may be given, but only the first sorts (Backstage's
//! rule). The full-text term is trimmed and lower-cased; blank means no
//! search; without fields it searches the sort key, else `metadata.uid`.
//!
//! GET parameters: `filter`, `fields`, `orderField`, `fullTextFilterTerm`,
//! `fullTextFilterFields` (comma-separated), `limit`, `offset`,
//! `totalItems=include|exclude`, `cursor`. POST body: `{query?, orderBy?:
//! [{field, order}], fullTextFilter?: {term?, fields?}, fields?, limit?,
//! offset?, totalItems?, cursor?}`.

use greenroom_store::query::{EntityQuery, FullText, SortKey, Tiebreak};
use serde_json::{Map, Value};

use super::super::cursor::{MAX_FULL_TEXT_FIELDS, QueryCursor, QuerySpec};
use super::super::error::QueryError;
use super::super::fields::{FieldSelection, parse_fields};
use super::super::filter::parse_filter_params;
use super::super::keys::{normalize_key, normalize_value};
use super::super::order::{MAX_SORT_FIELDS, parse_direction, parse_order_field_params, sort_key};
use super::super::predicate::parse_predicate;
use super::super::raw::RawQuery;
use super::{
    MAX_LIMIT, body_integer, body_key, body_object, body_string, body_strings, integer_param,
};

/// Page size when none is given.
pub const DEFAULT_BY_QUERY_LIMIT: u64 = 200;

/// The full-text key when neither fields nor a sort key are given.
const DEFAULT_FULL_TEXT_KEY: &str = "metadata.uid";

/// A parsed by-query request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByQueryRequest {
    pub fields: Option<FieldSelection>,
    /// Page size, `0..=MAX_LIMIT`.
    pub limit: u64,
    pub page: ByQueryPage,
}

/// Where the page comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByQueryPage {
    Initial(InitialPage),
    Cursor(QueryCursor),
}

/// The first page of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialPage {
    pub spec: QuerySpec,
    pub offset: u64,
    /// Whether to count the matches (`totalItems`, default `include`).
    pub include_total: bool,
}

impl ByQueryRequest {
    /// From `GET /entities/by-query` parameters.
    pub fn from_query(query: &RawQuery) -> Result<Self, QueryError> {
        let fields = parse_fields(query.values("fields"))?;
        let limit = check_limit(integer_param(query, "limit")?, "limit")?;
        if let Some(cursor) = query.single("cursor")? {
            return continuation(cursor, fields, limit);
        }
        let filter = parse_filter_params(query.values("filter"))?;
        let sort = parse_order_field_params(query.values("orderField"))?
            .into_iter()
            .next();
        let full_text = full_text(
            query.single("fullTextFilterTerm")?,
            query
                .values("fullTextFilterFields")
                .flat_map(|value| value.split(',')),
            sort.as_ref(),
            "fullTextFilterTerm",
            "fullTextFilterFields",
        )?;
        let offset = check_offset(integer_param(query, "offset")?, "offset")?;
        let include_total = include_total(query.single("totalItems")?, "totalItems")?;
        Ok(ByQueryRequest {
            fields,
            limit,
            page: ByQueryPage::Initial(InitialPage {
                spec: QuerySpec {
                    filter,
                    sort,
                    full_text,
                },
                offset,
                include_total,
            }),
        })
    }

    /// From a `POST /entities/by-query` JSON body (`null`: no body).
    pub fn from_body(body: &Value) -> Result<Self, QueryError> {
        let empty = Map::new();
        let object = body_object(body, &empty)?;
        let fields =
            parse_fields(body_strings(body_key(object, "fields"), "fields")?.unwrap_or_default())?;
        let limit = check_limit(body_integer(body_key(object, "limit"), "limit")?, "limit")?;
        if let Some(cursor) = body_string(body_key(object, "cursor"), "cursor")? {
            return continuation(cursor, fields, limit);
        }
        let filter = body_key(object, "query")
            .map(|query| parse_predicate(query, "query"))
            .transpose()?;
        let sort = order_by(body_key(object, "orderBy"))?;
        let (term, text_fields) = match body_key(object, "fullTextFilter") {
            None => (None, None),
            Some(Value::Object(text)) => (
                body_string(body_key(text, "term"), "fullTextFilter.term")?,
                body_strings(body_key(text, "fields"), "fullTextFilter.fields")?,
            ),
            Some(_) => {
                return Err(QueryError::param("fullTextFilter", "expected an object"));
            }
        };
        let full_text = full_text(
            term,
            text_fields.unwrap_or_default().into_iter(),
            sort.as_ref(),
            "fullTextFilter.term",
            "fullTextFilter.fields",
        )?;
        let offset = check_offset(
            body_integer(body_key(object, "offset"), "offset")?,
            "offset",
        )?;
        let include_total = include_total(
            body_string(body_key(object, "totalItems"), "totalItems")?,
            "totalItems",
        )?;
        Ok(ByQueryRequest {
            fields,
            limit,
            page: ByQueryPage::Initial(InitialPage {
                spec: QuerySpec {
                    filter,
                    sort,
                    full_text,
                },
                offset,
                include_total,
            }),
        })
    }

    /// The query being paged through.
    pub fn spec(&self) -> &QuerySpec {
        match &self.page {
            ByQueryPage::Initial(initial) => &initial.spec,
            ByQueryPage::Cursor(cursor) => &cursor.spec,
        }
    }

    /// The store query for this page: `limit` rows (ask for one more to
    /// learn whether another page follows), entities lacking the sort key
    /// left out, ties broken by uid.
    pub fn entity_query(&self) -> EntityQuery {
        let spec = self.spec();
        let (keyset, offset) = match &self.page {
            ByQueryPage::Initial(initial) => (None, initial.offset),
            ByQueryPage::Cursor(cursor) => (Some(cursor.keyset.clone()), 0),
        };
        EntityQuery {
            filter: spec.filter.clone(),
            full_text: spec.full_text.clone(),
            sort: spec.sort.iter().cloned().collect(),
            require_sort_keys: true,
            tiebreak: Tiebreak::Row,
            keyset,
            offset,
            limit: Some(self.limit),
        }
    }
}

fn continuation(
    cursor: &str,
    fields: Option<FieldSelection>,
    limit: u64,
) -> Result<ByQueryRequest, QueryError> {
    if cursor.is_empty() {
        return Err(QueryError::param("cursor", "must not be empty"));
    }
    Ok(ByQueryRequest {
        fields,
        limit,
        page: ByQueryPage::Cursor(QueryCursor::decode(cursor)?),
    })
}

fn check_limit(limit: Option<i64>, param: &str) -> Result<u64, QueryError> {
    let Some(limit) = limit else {
        return Ok(DEFAULT_BY_QUERY_LIMIT);
    };
    match u64::try_from(limit) {
        Err(_) => Err(QueryError::param(param, "must be zero or greater")),
        Ok(limit) if limit > MAX_LIMIT => Err(QueryError::param(
            param,
            format!("must be at most {MAX_LIMIT} (follow pageInfo.nextCursor for more)"),
        )),
        Ok(limit) => Ok(limit),
    }
}

fn check_offset(offset: Option<i64>, param: &str) -> Result<u64, QueryError> {
    offset.map_or(Ok(0), |offset| {
        u64::try_from(offset).map_err(|_| QueryError::param(param, "must be zero or greater"))
    })
}

fn include_total(value: Option<&str>, param: &str) -> Result<bool, QueryError> {
    match value {
        None | Some("include") => Ok(true),
        Some("exclude") => Ok(false),
        Some(_) => Err(QueryError::param(param, "must be include or exclude")),
    }
}

/// The body's `orderBy: [{field, order}]`; only the first entry sorts.
fn order_by(value: Option<&Value>) -> Result<Option<SortKey>, QueryError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(entries) = value else {
        return Err(QueryError::param(
            "orderBy",
            "expected an array of {field, order} objects",
        ));
    };
    if entries.len() > MAX_SORT_FIELDS {
        return Err(QueryError::param(
            "orderBy",
            format!("at most {MAX_SORT_FIELDS} sort fields are accepted"),
        ));
    }
    let mut keys = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("orderBy[{index}]");
        let Value::Object(entry) = entry else {
            return Err(QueryError::param(path, "expected an object {field, order}"));
        };
        let field_path = format!("{path}.field");
        let field = body_string(body_key(entry, "field"), &field_path)?
            .filter(|field| !field.trim().is_empty())
            .ok_or_else(|| QueryError::param(&field_path, "must be a non-empty string"))?;
        let order_path = format!("{path}.order");
        let direction = body_string(body_key(entry, "order"), &order_path)?
            .and_then(parse_direction)
            .ok_or_else(|| QueryError::param(&order_path, "must be asc or desc"))?;
        keys.push(
            sort_key(field, direction).map_err(|reason| QueryError::param(&field_path, reason))?,
        );
    }
    Ok(keys.into_iter().next())
}

/// Resolves the full-text search: trimmed, lower-cased term (blank: none)
/// over the given keys, else the sort key, else `metadata.uid`.
fn full_text<'a>(
    term: Option<&str>,
    fields: impl Iterator<Item = &'a str>,
    sort: Option<&SortKey>,
    term_param: &str,
    fields_param: &str,
) -> Result<Option<FullText>, QueryError> {
    let mut keys: Vec<String> = Vec::new();
    for field in fields.map(str::trim).filter(|f| !f.is_empty()) {
        let key = normalize_key(field).map_err(|reason| QueryError::param(fields_param, reason))?;
        if !keys.contains(&key) {
            keys.push(key);
        }
        if keys.len() > MAX_FULL_TEXT_FIELDS {
            return Err(QueryError::param(
                fields_param,
                format!("at most {MAX_FULL_TEXT_FIELDS} fields are accepted"),
            ));
        }
    }
    let Some(term) = term.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let term = normalize_value(term).map_err(|reason| QueryError::param(term_param, reason))?;
    if keys.is_empty() {
        keys.push(sort.map_or_else(|| DEFAULT_FULL_TEXT_KEY.to_owned(), |s| s.key.clone()));
    }
    Ok(Some(FullText { term, keys }))
}

#[cfg(test)]
mod tests {
    use greenroom_store::query::{Direction, Keyset, Predicate};
    use serde_json::json;

    use super::super::super::cursor::ItemPosition;
    use super::*;

    fn get(text: &str) -> Result<ByQueryRequest, QueryError> {
        ByQueryRequest::from_query(&RawQuery::parse(Some(text))?)
    }

    fn get_err(text: &str) -> String {
        get(text).unwrap_err().to_string()
    }

    fn post_err(body: Value) -> String {
        ByQueryRequest::from_body(&body).unwrap_err().to_string()
    }

    fn initial(request: &ByQueryRequest) -> &InitialPage {
        match &request.page {
            ByQueryPage::Initial(initial) => initial,
            ByQueryPage::Cursor(_) => panic!("expected an initial page"),
        }
    }

    fn sample_cursor() -> QueryCursor {
        QueryCursor {
            spec: QuerySpec {
                filter: Some(Predicate::equals("kind", "user")),
                sort: Some(SortKey {
                    key: "metadata.name".into(),
                    direction: Direction::Ascending,
                }),
                full_text: None,
            },
            keyset: Keyset {
                sort_values: vec![Some("bob".into())],
                tiebreak: "uid-bob".into(),
                backwards: false,
            },
            total_items: Some(3),
            first: ItemPosition {
                sort_values: vec![Some("alice".into())],
                uid: "uid-alice".into(),
            },
        }
    }

    #[test]
    fn defaults() {
        let request = get("").unwrap();
        assert_eq!(request.limit, DEFAULT_BY_QUERY_LIMIT);
        assert_eq!(request.fields, None);
        assert_eq!(
            initial(&request),
            &InitialPage {
                spec: QuerySpec::default(),
                offset: 0,
                include_total: true
            }
        );
        assert_eq!(ByQueryRequest::from_body(&json!(null)).unwrap(), request);
        assert_eq!(ByQueryRequest::from_body(&json!({})).unwrap(), request);
        let query = request.entity_query();
        assert_eq!(query.tiebreak, Tiebreak::Row);
        assert!(query.require_sort_keys);
        assert_eq!(query.limit, Some(200));
    }

    #[test]
    fn get_initial_query() {
        let request = get(
            "filter=kind=user&orderField=metadata.name,desc&orderField=kind&fullTextFilterTerm=+Al+&fullTextFilterFields=metadata.name,Spec.Profile.DisplayName&fields=metadata.name&limit=5&offset=10&totalItems=exclude",
        )
        .unwrap();
        assert_eq!(request.limit, 5);
        assert!(request.fields.is_some());
        let page = initial(&request);
        assert_eq!(page.offset, 10);
        assert!(!page.include_total);
        assert_eq!(page.spec.filter, Some(Predicate::equals("kind", "user")));
        assert_eq!(
            page.spec.sort,
            Some(SortKey {
                key: "metadata.name".into(),
                direction: Direction::Descending
            })
        );
        assert_eq!(
            page.spec.full_text,
            Some(FullText {
                term: "al".into(),
                keys: vec!["metadata.name".into(), "spec.profile.displayname".into()]
            })
        );
        let query = request.entity_query();
        assert_eq!((query.offset, query.limit), (10, Some(5)));
        assert_eq!(query.sort.len(), 1);
    }

    #[test]
    fn full_text_defaults() {
        let by_sort = get("orderField=metadata.name&fullTextFilterTerm=x").unwrap();
        assert_eq!(
            initial(&by_sort).spec.full_text.as_ref().unwrap().keys,
            ["metadata.name"]
        );
        let by_uid = get("fullTextFilterTerm=X").unwrap();
        assert_eq!(
            initial(&by_uid).spec.full_text,
            Some(FullText {
                term: "x".into(),
                keys: vec!["metadata.uid".into()]
            })
        );
        // A blank term searches nothing, whatever the fields.
        let blank = get("fullTextFilterTerm=++&fullTextFilterFields=a").unwrap();
        assert_eq!(initial(&blank).spec.full_text, None);
        // Fields may repeat as well as be comma-separated.
        let repeated =
            get("fullTextFilterTerm=x&fullTextFilterFields=a&fullTextFilterFields=b,a").unwrap();
        assert_eq!(
            initial(&repeated).spec.full_text.as_ref().unwrap().keys,
            ["a", "b"]
        );
    }

    #[test]
    fn get_errors() {
        assert_eq!(
            get_err("limit=-1"),
            "Invalid limit, must be zero or greater"
        );
        assert!(get_err("limit=10001").starts_with("Invalid limit, must be at most 10000"));
        assert_eq!(get_err("limit=x"), "Invalid limit, not an integer");
        assert_eq!(
            get_err("offset=-1"),
            "Invalid offset, must be zero or greater"
        );
        assert_eq!(
            get_err("totalItems=some"),
            "Invalid totalItems, must be include or exclude"
        );
        assert_eq!(get_err("cursor="), "Invalid cursor, must not be empty");
        assert_eq!(
            get_err("cursor=%21"),
            "Malformed cursor, it is not valid base64"
        );
        assert_eq!(
            get_err("orderField=kind,up"),
            "Invalid orderField, order must be asc or desc"
        );
        assert!(get_err("fullTextFilterFields=__proto__").contains("reserved path segment"));
        assert!(
            get_err(&format!("fullTextFilterTerm={}", "x".repeat(1_001)))
                .contains("longer than 1000")
        );
        assert!(get_err("filter=%ff").starts_with("Invalid filter,"));
        assert!(get(&format!("limit={}", MAX_LIMIT)).is_ok());
        assert_eq!(get("limit=0").unwrap().limit, 0);
    }

    #[test]
    fn get_continuation_ignores_the_query() {
        let cursor = sample_cursor();
        let request = get(&format!(
            "cursor={}&limit=7&fields=kind&filter=kind=group&orderField=kind&offset=-5&totalItems=bad",
            cursor.encode()
        ))
        .unwrap();
        assert_eq!(request.limit, 7);
        assert!(request.fields.is_some());
        assert_eq!(request.page, ByQueryPage::Cursor(cursor.clone()));
        assert_eq!(request.spec(), &cursor.spec);
        let query = request.entity_query();
        assert_eq!(query.keyset, Some(cursor.keyset));
        assert_eq!(query.filter, Some(Predicate::equals("kind", "user")));
        assert_eq!(query.offset, 0);
        // But limit and fields are still checked.
        assert!(get(&format!("cursor={}&limit=-1", sample_cursor().encode())).is_err());
    }

    #[test]
    fn post_initial_query() {
        let request = ByQueryRequest::from_body(&json!({
            "query": {"kind": "Component", "spec.type": {"$in": ["service", "website"]}},
            "orderBy": [{"field": "Metadata.Name", "order": "desc"}, {"field": "kind", "order": "asc"}],
            "fullTextFilter": {"term": " Web ", "fields": ["metadata.name", "metadata.title"]},
            "fields": ["kind", "metadata.name,metadata.namespace"],
            "limit": 20,
            "offset": 40.0,
            "totalItems": "exclude",
            "somethingElse": true
        }))
        .unwrap();
        assert_eq!(request.limit, 20);
        let page = initial(&request);
        assert_eq!(page.offset, 40);
        assert!(!page.include_total);
        assert_eq!(
            page.spec.sort,
            Some(SortKey {
                key: "metadata.name".into(),
                direction: Direction::Descending
            })
        );
        assert_eq!(
            page.spec.full_text,
            Some(FullText {
                term: "web".into(),
                keys: vec!["metadata.name".into(), "metadata.title".into()]
            })
        );
        assert!(matches!(page.spec.filter, Some(Predicate::All(ref parts)) if parts.len() == 2));
        let entity =
            json!({"kind": "Component", "metadata": {"name": "a", "namespace": "b", "uid": "c"}});
        assert_eq!(
            request.fields.unwrap().apply(&entity),
            json!({"kind": "Component", "metadata": {"name": "a", "namespace": "b"}})
        );
    }

    #[test]
    fn post_continuation() {
        let cursor = sample_cursor();
        let request = ByQueryRequest::from_body(&json!({
            "cursor": cursor.encode(),
            "limit": 3,
            "query": "ignored, even though it is not a predicate",
            "orderBy": "ignored"
        }))
        .unwrap();
        assert_eq!(request.limit, 3);
        assert_eq!(request.page, ByQueryPage::Cursor(cursor));
        assert_eq!(
            post_err(json!({"cursor": ""})),
            "Invalid cursor, must not be empty"
        );
        assert!(post_err(json!({"cursor": "bm90IGpzb24"})).starts_with("Malformed cursor,"));
    }

    #[test]
    fn post_errors() {
        assert_eq!(
            post_err(json!([])),
            "Invalid request body, expected a JSON object"
        );
        assert_eq!(
            post_err(json!({"limit": -1})),
            "Invalid limit, must be zero or greater"
        );
        assert_eq!(
            post_err(json!({"limit": 1.5})),
            "Invalid limit, not an integer"
        );
        assert_eq!(
            post_err(json!({"limit": "10"})),
            "Invalid limit, not an integer"
        );
        assert!(post_err(json!({"limit": 1e12})).contains("at most 10000"));
        assert_eq!(
            post_err(json!({"offset": -3})),
            "Invalid offset, must be zero or greater"
        );
        assert_eq!(
            post_err(json!({"totalItems": true})),
            "Invalid totalItems, expected a string"
        );
        assert_eq!(
            post_err(json!({"cursor": 5})),
            "Invalid cursor, expected a string"
        );
        assert_eq!(
            post_err(json!({"fields": "kind"})),
            "Invalid fields, expected an array of strings"
        );
        assert_eq!(
            post_err(json!({"orderBy": [{"field": "kind", "order": "up"}]})),
            "Invalid orderBy[0].order, must be asc or desc"
        );
        assert_eq!(
            post_err(json!({"orderBy": [{"field": "kind", "order": "asc"}, {"order": "asc"}]})),
            "Invalid orderBy[1].field, must be a non-empty string"
        );
        assert_eq!(
            post_err(json!({"orderBy": {"field": "kind"}})),
            "Invalid orderBy, expected an array of {field, order} objects"
        );
        assert!(
            post_err(json!({"orderBy": vec![json!({"field": "a", "order": "asc"}); 11]}))
                .contains("at most 10")
        );
        assert_eq!(
            post_err(json!({"fullTextFilter": "x"})),
            "Invalid fullTextFilter, expected an object"
        );
        assert_eq!(
            post_err(json!({"fullTextFilter": {"term": 1}})),
            "Invalid fullTextFilter.term, expected a string"
        );
        assert!(
            post_err(json!({"query": "kind"}))
                .starts_with("Invalid filter predicate at query: top-level")
        );
        assert!(
            post_err(json!({"query": {"$all": [{"kind": "a"}, {"__proto__": "x"}]}}))
                .starts_with("Invalid filter predicate at query.$all[1].__proto__:")
        );
    }

    #[test]
    fn hostile_bodies() {
        let mut deep = json!({"kind": "x"});
        for _ in 0..50 {
            deep = json!({"$all": [deep]});
        }
        assert!(post_err(json!({"query": deep})).contains("levels deep"));
        let many: Vec<Value> = (0..5_000).map(|i| json!({"kind": i})).collect();
        assert!(post_err(json!({"query": {"$any": many}})).contains("more than 2000"));
        let fields: Vec<String> = (0..500).map(|i| format!("f{i}")).collect();
        assert!(post_err(json!({"fields": fields})).contains("at most 100 fields"));
    }
}
