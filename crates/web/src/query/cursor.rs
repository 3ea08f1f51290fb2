//! Paging cursors, as opaque strings clients hand back.
//!
//! - The legacy `after` of `GET /entities`: in Backstage, base64 of JSON
//!   `{"limit": N, "offset": M}`; [`decode_after`] reads either base64
//!   alphabet, [`encode_after`] writes the URL-safe one without padding
//!   (Node's decoder reads it too, and it needs no escaping in a `Link`).
//! - The by-query `cursor`: URL-safe base64 of JSON carrying everything
//!   needed to continue ([`QueryCursor`]): the query (as
//!   [`predicate_to_json`]), `orderFields`, `fullTextFilter`,
//!   `orderFieldValues` (the sort values of the item to continue from,
//!   then its uid, as Backstage), `isPrevious`, `totalItems` (counted on
//!   the first page) and `firstSortFieldValues` (the first item of the
//!   first page, so that page can be recognised and `prevCursor` left out).
//!
//! A cursor is checked exactly like fresh input (the same key rules and
//! predicate limits), so a forged one gains nothing; anything malformed is
//! a 400 naming the parameter.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use greenroom_store::query::{Direction, FullText, Keyset, Predicate, SortKey};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{QueryError, excerpt};
use super::keys::{normalize_key, normalize_value};
use super::order::{direction_name, parse_direction, sort_key};
use super::predicate::{parse_predicate, predicate_to_json};
use super::request::{MAX_LIMIT, json_integer};

/// Longest accepted cursor, in bytes.
pub const MAX_CURSOR_BYTES: usize = 64 * 1024;
/// Most full-text fields a query may name.
pub const MAX_FULL_TEXT_FIELDS: usize = 100;

fn encode(json: &Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// Base64 in either alphabet, padded or not (a `+` that a form decoder
/// turned into a space is read as `+`).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let normalized: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' | ' ' => '-',
            '/' => '_',
            other => other,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalized).ok()
}

/// The paging carried by a legacy `after` cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AfterCursor {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The `after` cursor for the page of `limit` entities from `offset`.
pub fn encode_after(limit: u64, offset: u64) -> String {
    encode(&json!({"limit": limit, "offset": offset}))
}

/// Reads a legacy `after` cursor (a positive `limit` of at most
/// [`MAX_LIMIT`] and a non-negative `offset`, each optional).
pub fn decode_after(text: &str) -> Result<AfterCursor, QueryError> {
    let malformed = |reason: &str| QueryError::cursor("after cursor", reason);
    if text.len() > MAX_CURSOR_BYTES {
        return Err(malformed("it is too long"));
    }
    let json: Value = decode_base64(text)
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| malformed("could not be parsed"))?;
    let Value::Object(object) = json else {
        return Err(malformed("could not be parsed"));
    };
    let limit = match object.get("limit") {
        None => None,
        Some(value) => {
            let limit = json_integer(value).ok_or_else(|| malformed("limit was not an integer"))?;
            match u64::try_from(limit) {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Some(limit),
                _ => {
                    return Err(malformed(&format!(
                        "limit must be greater than zero and at most {MAX_LIMIT}"
                    )));
                }
            }
        }
    };
    let offset = match object.get("offset") {
        None => None,
        Some(value) => {
            let offset =
                json_integer(value).ok_or_else(|| malformed("offset was not an integer"))?;
            Some(u64::try_from(offset).map_err(|_| malformed("offset must be zero or greater"))?)
        }
    };
    Ok(AfterCursor { limit, offset })
}

/// What stays fixed while paging through one by-query result set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuerySpec {
    pub filter: Option<Predicate>,
    /// The one sort key (none: by uid only).
    pub sort: Option<SortKey>,
    /// Already resolved: lower-cased term, and the keys searched.
    pub full_text: Option<FullText>,
}

/// One item's place in the order: its sort values, then its uid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPosition {
    /// One value per sort key (`None` where the entity lacks it).
    pub sort_values: Vec<Option<String>>,
    pub uid: String,
}

/// A by-query continuation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCursor {
    pub spec: QuerySpec,
    /// The item to continue after (or, when `backwards`, before).
    pub keyset: Keyset,
    /// The count made on the first page (`None`: it was not asked for).
    pub total_items: Option<u64>,
    /// The first item of the first page.
    pub first: ItemPosition,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireCursor {
    #[serde(default)]
    query: Option<Value>,
    order_fields: Vec<WireOrder>,
    #[serde(default)]
    full_text_filter: Option<WireFullText>,
    order_field_values: Vec<Option<String>>,
    is_previous: bool,
    #[serde(default)]
    total_items: Option<u64>,
    first_sort_field_values: Vec<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOrder {
    field: String,
    order: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFullText {
    term: String,
    fields: Vec<String>,
}

fn position_json(sort_values: &[Option<String>], uid: &str) -> Value {
    let mut values: Vec<Value> = sort_values.iter().map(|v| json!(v)).collect();
    values.push(json!(uid));
    Value::Array(values)
}

fn malformed(reason: impl Into<String>) -> QueryError {
    QueryError::cursor("cursor", reason)
}

/// Splits `[sort values…, uid]` as written for `sort_keys` sort keys.
fn split_position(
    name: &str,
    mut values: Vec<Option<String>>,
    sort_keys: usize,
) -> Result<ItemPosition, QueryError> {
    if values.len() != sort_keys + 1 {
        return Err(malformed(format!(
            "{name} must hold {} values",
            sort_keys + 1
        )));
    }
    let uid = match values.pop().flatten() {
        Some(uid) if !uid.is_empty() => uid,
        _ => return Err(malformed(format!("{name} must end with a uid"))),
    };
    if values
        .iter()
        .flatten()
        .chain([&uid])
        .any(|v| v.contains('\0'))
    {
        return Err(malformed(format!("{name} contains a NUL character")));
    }
    Ok(ItemPosition {
        sort_values: values,
        uid,
    })
}

impl QueryCursor {
    /// The opaque string form.
    pub fn encode(&self) -> String {
        let mut wire = serde_json::Map::new();
        if let Some(filter) = &self.spec.filter {
            wire.insert("query".into(), predicate_to_json(filter));
        }
        let order_fields: Vec<Value> = self
            .spec
            .sort
            .iter()
            .map(|s| json!({"field": s.key, "order": direction_name(s.direction)}))
            .collect();
        wire.insert("orderFields".into(), Value::Array(order_fields));
        if let Some(text) = &self.spec.full_text {
            wire.insert(
                "fullTextFilter".into(),
                json!({"term": text.term, "fields": text.keys}),
            );
        }
        wire.insert(
            "orderFieldValues".into(),
            position_json(&self.keyset.sort_values, &self.keyset.tiebreak),
        );
        wire.insert("isPrevious".into(), json!(self.keyset.backwards));
        if let Some(total) = self.total_items {
            wire.insert("totalItems".into(), json!(total));
        }
        wire.insert(
            "firstSortFieldValues".into(),
            position_json(&self.first.sort_values, &self.first.uid),
        );
        encode(&Value::Object(wire))
    }

    /// Reads a cursor back, checking it like fresh input.
    pub fn decode(text: &str) -> Result<Self, QueryError> {
        if text.is_empty() {
            return Err(malformed("it is empty"));
        }
        if text.len() > MAX_CURSOR_BYTES {
            return Err(malformed(format!(
                "it is longer than {MAX_CURSOR_BYTES} bytes"
            )));
        }
        let bytes = decode_base64(text).ok_or_else(|| malformed("it is not valid base64"))?;
        let wire: WireCursor = serde_json::from_slice(&bytes)
            .map_err(|e| malformed(format!("it is not a cursor ({})", excerpt(&e.to_string()))))?;

        let filter = wire
            .query
            .as_ref()
            .map(|query| parse_predicate(query, "cursor.query"))
            .transpose()
            .map_err(|e| malformed(e.to_string()))?;

        if wire.order_fields.len() > 1 {
            return Err(malformed("it has more than one order field"));
        }
        let sort = wire
            .order_fields
            .into_iter()
            .next()
            .map(|order| {
                let direction: Direction = parse_direction(&order.order)
                    .ok_or_else(|| malformed("an order must be asc or desc"))?;
                sort_key(&order.field, direction).map_err(malformed)
            })
            .transpose()?;

        let full_text = wire
            .full_text_filter
            .map(|text| {
                let term = normalize_value(text.term.trim()).map_err(malformed)?;
                if term.is_empty() {
                    return Err(malformed("the full-text term is empty"));
                }
                if text.fields.is_empty() || text.fields.len() > MAX_FULL_TEXT_FIELDS {
                    return Err(malformed(format!(
                        "full-text fields must number 1 to {MAX_FULL_TEXT_FIELDS}"
                    )));
                }
                let keys = text
                    .fields
                    .iter()
                    .map(|field| normalize_key(field).map_err(malformed))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(FullText { term, keys })
            })
            .transpose()?;

        let sort_keys = usize::from(sort.is_some());
        let at = split_position("orderFieldValues", wire.order_field_values, sort_keys)?;
        let first = split_position(
            "firstSortFieldValues",
            wire.first_sort_field_values,
            sort_keys,
        )?;
        Ok(QueryCursor {
            spec: QuerySpec {
                filter,
                sort,
                full_text,
            },
            keyset: Keyset {
                sort_values: at.sort_values,
                tiebreak: at.uid,
                backwards: wire.is_previous,
            },
            total_items: wire.total_items,
            first,
        })
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use greenroom_store::query::Matcher;

    use super::*;

    fn b64(json: &Value) -> String {
        STANDARD.encode(json.to_string())
    }

    #[test]
    fn after_round_trips() {
        let text = encode_after(50, 100);
        assert!(!text.contains(['+', '/', '=']));
        assert_eq!(
            decode_after(&text).unwrap(),
            AfterCursor {
                limit: Some(50),
                offset: Some(100)
            }
        );
    }

    #[test]
    fn after_reads_backstage_cursors() {
        // Backstage: Buffer.from(JSON.stringify({limit, offset})).toString('base64')
        let text = "eyJsaW1pdCI6Miwib2Zmc2V0IjoyfQ==";
        assert_eq!(
            decode_after(text).unwrap(),
            AfterCursor {
                limit: Some(2),
                offset: Some(2)
            }
        );
        assert_eq!(
            decode_after(&b64(&json!({"offset": 5}))).unwrap(),
            AfterCursor {
                limit: None,
                offset: Some(5)
            }
        );
        assert_eq!(
            decode_after(&b64(&json!({"limit": 3.0}))).unwrap().limit,
            Some(3)
        );
    }

    #[test]
    fn malformed_after_cursors() {
        let cases = [
            ("!!!", "could not be parsed"),
            (&b64(&json!([1])), "could not be parsed"),
            (&STANDARD.encode("not json"), "could not be parsed"),
            (&b64(&json!({"limit": "5"})), "limit was not an integer"),
            (&b64(&json!({"limit": 1.5})), "limit was not an integer"),
            (
                &b64(&json!({"limit": 0})),
                "limit must be greater than zero",
            ),
            (&b64(&json!({"limit": 10_001})), "at most 10000"),
            (
                &b64(&json!({"offset": -1})),
                "offset must be zero or greater",
            ),
            (&b64(&json!({"offset": null})), "offset was not an integer"),
        ];
        for (text, reason) in cases {
            let err = decode_after(text).unwrap_err().to_string();
            assert!(
                err.starts_with("Malformed after cursor, ") && err.contains(reason),
                "{text}: {err}"
            );
        }
        assert!(decode_after(&"A".repeat(MAX_CURSOR_BYTES + 1)).is_err());
    }

    fn cursor() -> QueryCursor {
        QueryCursor {
            spec: QuerySpec {
                filter: Some(Predicate::Any(vec![
                    Predicate::equals("kind", "component"),
                    Predicate::Field {
                        key: "spec.type".into(),
                        matcher: Matcher::AnyOf(vec!["service".into(), "website".into()]),
                    },
                ])),
                sort: Some(SortKey {
                    key: "metadata.name".into(),
                    direction: Direction::Descending,
                }),
                full_text: Some(FullText {
                    term: "web".into(),
                    keys: vec!["metadata.name".into(), "spec.owner".into()],
                }),
            },
            keyset: Keyset {
                sort_values: vec![Some("web-7".into())],
                tiebreak: "0b6b3c2e-uid".into(),
                backwards: true,
            },
            total_items: Some(1234),
            first: ItemPosition {
                sort_values: vec![None],
                uid: "first-uid".into(),
            },
        }
    }

    #[test]
    fn query_cursor_round_trips() {
        let original = cursor();
        let text = original.encode();
        assert!(!text.contains(['+', '/', '=']));
        assert_eq!(QueryCursor::decode(&text).unwrap(), original);

        let bare = QueryCursor {
            spec: QuerySpec::default(),
            keyset: Keyset {
                sort_values: vec![],
                tiebreak: "u".into(),
                backwards: false,
            },
            total_items: None,
            first: ItemPosition {
                sort_values: vec![],
                uid: "f".into(),
            },
        };
        assert_eq!(QueryCursor::decode(&bare.encode()).unwrap(), bare);
    }

    #[test]
    fn query_cursor_wire_format() {
        let bytes = URL_SAFE_NO_PAD.decode(cursor().encode()).unwrap();
        let json: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            json,
            json!({
                "query": {"$any": [{"kind": "component"}, {"spec.type": {"$in": ["service", "website"]}}]},
                "orderFields": [{"field": "metadata.name", "order": "desc"}],
                "fullTextFilter": {"term": "web", "fields": ["metadata.name", "spec.owner"]},
                "orderFieldValues": ["web-7", "0b6b3c2e-uid"],
                "isPrevious": true,
                "totalItems": 1234,
                "firstSortFieldValues": [null, "first-uid"]
            })
        );
        // Standard base64 with padding is read too.
        assert_eq!(QueryCursor::decode(&b64(&json)).unwrap(), cursor());
    }

    fn wire() -> Value {
        json!({
            "orderFields": [{"field": "metadata.name", "order": "asc"}],
            "orderFieldValues": ["a", "uid-a"],
            "isPrevious": false,
            "firstSortFieldValues": ["a", "uid-a"]
        })
    }

    fn decode_err(json: &Value) -> String {
        QueryCursor::decode(&b64(json)).unwrap_err().to_string()
    }

    #[test]
    fn malformed_query_cursors() {
        assert!(QueryCursor::decode(&b64(&wire())).is_ok());
        assert_eq!(
            QueryCursor::decode("").unwrap_err().to_string(),
            "Malformed cursor, it is empty"
        );
        assert_eq!(
            QueryCursor::decode("%%%").unwrap_err().to_string(),
            "Malformed cursor, it is not valid base64"
        );
        assert!(
            QueryCursor::decode(&STANDARD.encode("{"))
                .unwrap_err()
                .to_string()
                .starts_with("Malformed cursor, it is not a cursor")
        );
        assert!(QueryCursor::decode(&"A".repeat(MAX_CURSOR_BYTES + 1)).is_err());

        let mut cases: Vec<(Value, &str)> = Vec::new();
        let mut with = |key: &str, value: Value, reason: &'static str| {
            let mut json = wire();
            json[key] = value;
            cases.push((json, reason));
        };
        with(
            "orderFieldValues",
            json!(["a"]),
            "orderFieldValues must hold 2 values",
        );
        with(
            "orderFieldValues",
            json!(["a", null]),
            "must end with a uid",
        );
        with("orderFieldValues", json!(["a", ""]), "must end with a uid");
        with("orderFieldValues", json!(["a\u{0}", "u"]), "NUL");
        with("orderFieldValues", json!([1, "u"]), "not a cursor");
        with(
            "firstSortFieldValues",
            json!([]),
            "firstSortFieldValues must hold 2 values",
        );
        with(
            "orderFields",
            json!([{"field": "a", "order": "up"}]),
            "asc or desc",
        );
        with(
            "orderFields",
            json!([{"field": "__proto__", "order": "asc"}]),
            "reserved",
        );
        with(
            "orderFields",
            json!([{"field": "a", "order": "asc"}, {"field": "b", "order": "asc"}]),
            "more than one order field",
        );
        with("isPrevious", json!("no"), "not a cursor");
        with("totalItems", json!(-1), "not a cursor");
        with("extra", json!(1), "unknown field");
        with(
            "fullTextFilter",
            json!({"term": " ", "fields": ["a"]}),
            "term is empty",
        );
        with(
            "fullTextFilter",
            json!({"term": "x", "fields": []}),
            "full-text fields",
        );
        with(
            "fullTextFilter",
            json!({"term": "x", "fields": ["constructor"]}),
            "reserved",
        );
        with("query", json!("kind"), "top-level");
        with(
            "query",
            json!({"kind": {"$regex": "x"}}),
            "unknown operator",
        );
        for (json, reason) in cases {
            let err = decode_err(&json);
            assert!(
                err.starts_with("Malformed cursor, ") && err.contains(reason),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn a_cursor_whose_query_breaks_the_limits_is_refused() {
        let mut deep = json!({"kind": "x"});
        for _ in 0..50 {
            deep = json!({"$not": deep});
        }
        let mut json = wire();
        json["query"] = deep;
        let err = decode_err(&json);
        assert!(
            err.starts_with("Malformed cursor, Invalid filter predicate at cursor.query"),
            "{err}"
        );
        let values: Vec<Value> = (0..3_000).map(|i| json!(i)).collect();
        json["query"] = json!({"kind": {"$in": values}});
        assert!(decode_err(&json).contains("more than 2000"));
    }
}
