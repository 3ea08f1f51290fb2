//! `POST /locations/by-query`: filter predicates on the three fields of a
//! registered location (`id`, `type`, `target`), and the opaque cursor of
//! its pages — Backstage's `parseLocationQuery` and
//! `applyLocationFilterToQuery`.
//!
//! Keys are matched ignoring case. Values: a primitive (equality, ignoring
//! case except for `id`), `{$in: [...]}`, `{$hasPrefix: "..."}` (ignoring
//! case), `{$exists: bool}` (every field always exists) and `{$contains}`
//! (no location field is an array, so it matches nothing); logic with
//! `{$all: [...]}` (empty: always), `{$any: [...]}` (empty: never) and
//! `{$not: ...}`. Matching happens here, in Rust, so it is the same on every
//! database.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use greenroom_store::LocationRow;
use serde_json::{Map, Value, json};

/// Deepest accepted nesting of `$all`/`$any`/`$not`.
const MAX_DEPTH: usize = 32;

/// Default page size (Backstage's).
pub const DEFAULT_LIMIT: u64 = 1000;

/// A condition on registered locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocationPredicate {
    All(Vec<LocationPredicate>),
    Any(Vec<LocationPredicate>),
    Not(Box<LocationPredicate>),
    /// Every condition holds.
    Fields(Vec<(Field, Matcher)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Id,
    Type,
    Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// Equal to one of these.
    In(Vec<String>),
    HasPrefix(String),
    Exists(bool),
    Never,
}

impl LocationPredicate {
    /// Parses a predicate (the `query` of the request body).
    pub fn parse(value: &Value) -> Result<Self, String> {
        if !value.is_object() {
            return Err("Query must be an object".to_owned());
        }
        parse_predicate(value, 0)
    }

    /// Whether `row` satisfies the predicate.
    pub fn matches(&self, row: &LocationRow) -> bool {
        match self {
            LocationPredicate::All(parts) => parts.iter().all(|p| p.matches(row)),
            LocationPredicate::Any(parts) => parts.iter().any(|p| p.matches(row)),
            LocationPredicate::Not(inner) => !inner.matches(row),
            LocationPredicate::Fields(conditions) => conditions
                .iter()
                .all(|(field, matcher)| matcher.matches(*field, row)),
        }
    }
}

impl Matcher {
    fn matches(&self, field: Field, row: &LocationRow) -> bool {
        let value = match field {
            Field::Id => row.id.as_str(),
            Field::Type => row.location_type.as_str(),
            Field::Target => row.target.as_str(),
        };
        match self {
            // The id is an opaque identifier: exact. The others ignore case.
            Matcher::In(candidates) if field == Field::Id => candidates.iter().any(|c| c == value),
            Matcher::In(candidates) => {
                let value = value.to_lowercase();
                candidates.iter().any(|c| c.to_lowercase() == value)
            }
            Matcher::HasPrefix(prefix) => value.to_lowercase().starts_with(&prefix.to_lowercase()),
            Matcher::Exists(exists) => *exists,
            Matcher::Never => false,
        }
    }
}

fn invalid(detail: impl std::fmt::Display) -> String {
    format!("Invalid filter predicate, {detail}")
}

fn parse_predicate(value: &Value, depth: usize) -> Result<LocationPredicate, String> {
    if depth > MAX_DEPTH {
        return Err(invalid(format!("nested more than {MAX_DEPTH} levels deep")));
    }
    let Value::Object(object) = value else {
        return Err(invalid("expected an object"));
    };
    if object.len() == 1
        && let Some((operator, operand)) = object.iter().next()
        && operator.starts_with('$')
    {
        return match operator.as_str() {
            "$all" | "$any" => {
                let Value::Array(items) = operand else {
                    return Err(invalid(format!("expected '{operator}' to be an array")));
                };
                let parts = items
                    .iter()
                    .map(|item| parse_predicate(item, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if operator == "$all" {
                    LocationPredicate::All(parts)
                } else {
                    LocationPredicate::Any(parts)
                })
            }
            "$not" => Ok(LocationPredicate::Not(Box::new(parse_predicate(
                operand,
                depth + 1,
            )?))),
            _ => Err(unknown_operator(object)),
        };
    }
    if object.keys().any(|k| k.starts_with('$')) {
        return Err(unknown_operator(object));
    }
    let mut conditions = Vec::with_capacity(object.len());
    for (key, value) in object {
        let field = match key.to_lowercase().as_str() {
            "id" => Field::Id,
            "type" => Field::Type,
            "target" => Field::Target,
            _ => {
                return Err(invalid(format!(
                    "expected key to be 'id', 'type', or 'target', got '{key}'"
                )));
            }
        };
        conditions.push((field, parse_matcher(value)?));
    }
    Ok(LocationPredicate::Fields(conditions))
}

fn unknown_operator(object: &Map<String, Value>) -> String {
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    invalid(format!("unknown logic operator '{}'", keys.join(", ")))
}

fn parse_matcher(value: &Value) -> Result<Matcher, String> {
    if let Some(primitive) = primitive(value) {
        return Ok(Matcher::In(vec![primitive]));
    }
    let unknown = || invalid(format!("got unknown matcher object '{value}'"));
    let Value::Object(object) = value else {
        return Err(unknown());
    };
    if object.len() != 1 {
        return Err(unknown());
    }
    match object.iter().next() {
        Some((op, Value::Bool(exists))) if op == "$exists" => Ok(Matcher::Exists(*exists)),
        Some((op, Value::Array(items))) if op == "$in" => items
            .iter()
            .map(|item| {
                primitive(item).ok_or_else(|| {
                    invalid(format!(
                        "expected '$in' values to be primitives, got '{item}'"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Matcher::In),
        Some((op, Value::String(prefix))) if op == "$hasPrefix" => {
            Ok(Matcher::HasPrefix(prefix.clone()))
        }
        Some((op, _)) if op == "$contains" => Ok(Matcher::Never),
        _ => Err(unknown()),
    }
}

/// A string, number or boolean as the string it is compared as.
fn primitive(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One page request, from a first request or from a cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: u64,
    /// Strictly after this id (ids order the pages).
    pub after_id: Option<String>,
    /// The query as given (kept in cursors).
    pub query: Option<Value>,
    pub predicate: Option<LocationPredicate>,
}

impl PageRequest {
    /// Reads `{query?, limit?, cursor?}`; with a cursor, the cursor alone
    /// decides (as in Backstage).
    pub fn from_body(body: &Map<String, Value>) -> Result<Self, String> {
        if let Some(cursor) = body.get("cursor") {
            let Value::String(cursor) = cursor else {
                return Err("Malformed request: cursor must be a string".to_owned());
            };
            return decode_cursor(cursor);
        }
        let limit = match body.get("limit") {
            None | Some(Value::Null) => DEFAULT_LIMIT,
            Some(limit) => positive_limit(limit)?,
        };
        let query = body.get("query").filter(|q| !q.is_null()).cloned();
        let predicate = query.as_ref().map(LocationPredicate::parse).transpose()?;
        Ok(PageRequest {
            limit,
            after_id: None,
            query,
            predicate,
        })
    }

    /// The cursor of the page after the one ending at `last_id`.
    pub fn next_cursor(&self, last_id: &str) -> String {
        let mut cursor = json!({"limit": self.limit, "afterId": last_id});
        if let (Some(query), Some(object)) = (&self.query, cursor.as_object_mut()) {
            object.insert("query".to_owned(), query.clone());
        }
        STANDARD.encode(cursor.to_string())
    }
}

fn positive_limit(limit: &Value) -> Result<u64, String> {
    limit
        .as_u64()
        .filter(|l| *l >= 1)
        .ok_or_else(|| "Limit must be a positive integer >= 1".to_owned())
}

fn decode_cursor(cursor: &str) -> Result<PageRequest, String> {
    if cursor.is_empty() {
        return Err("Cursor cannot be empty".to_owned());
    }
    let malformed = || "Malformed cursor, unknown encoding".to_owned();
    let bytes = STANDARD.decode(cursor).map_err(|_| malformed())?;
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(malformed());
    };
    let limit = fields
        .get("limit")
        .ok_or_else(|| "Malformed cursor: limit is required".to_owned())
        .and_then(|l| positive_limit(l).map_err(|e| format!("Malformed cursor: {e}")))?;
    let after_id = match fields.get("afterId") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err("Malformed cursor: afterId must be a string".to_owned()),
    };
    let query = fields.get("query").filter(|q| !q.is_null()).cloned();
    let predicate = query.as_ref().map(LocationPredicate::parse).transpose()?;
    Ok(PageRequest {
        limit,
        after_id,
        query,
        predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, location_type: &str, target: &str) -> LocationRow {
        LocationRow {
            id: id.to_owned(),
            location_type: location_type.to_owned(),
            target: target.to_owned(),
            created_at: 0,
        }
    }

    fn parse(query: Value) -> LocationPredicate {
        LocationPredicate::parse(&query).unwrap()
    }

    #[test]
    fn predicates_match_ignoring_case_except_ids() {
        let a = row("A1", "url", "https://H.example/a.yaml");
        assert!(parse(json!({"TYPE": "URL"})).matches(&a));
        assert!(parse(json!({"target": {"$hasPrefix": "https://h.example/"}})).matches(&a));
        assert!(parse(json!({"id": {"$in": ["A1", "b"]}})).matches(&a));
        assert!(!parse(json!({"id": "a1"})).matches(&a));
        assert!(!parse(json!({"target": {"$contains": "x"}})).matches(&a));
        assert!(parse(json!({"$not": {"type": "file"}})).matches(&a));
        assert!(parse(json!({"$all": []})).matches(&a));
        assert!(!parse(json!({"$any": []})).matches(&a));
        assert!(
            parse(json!({"$any": [{"type": "file"}, {"type": "url", "id": "A1"}]})).matches(&a)
        );
    }

    #[test]
    fn bad_predicates_are_named() {
        let error = |q: Value| LocationPredicate::parse(&q).unwrap_err();
        assert_eq!(error(json!("url")), "Query must be an object");
        assert_eq!(
            error(json!({"kind": "x"})),
            "Invalid filter predicate, expected key to be 'id', 'type', or 'target', got 'kind'"
        );
        assert_eq!(
            error(json!({"$or": []})),
            "Invalid filter predicate, unknown logic operator '$or'"
        );
        assert!(error(json!({"type": {"$regex": "x"}})).contains("unknown matcher object"));
        assert!(error(json!({"type": null})).contains("unknown matcher object 'null'"));
        let mut deep = json!({"type": "url"});
        for _ in 0..40 {
            deep = json!({ "$not": deep });
        }
        assert!(error(deep).contains("nested more than"));
    }

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let body = json!({"query": {"type": "url"}, "limit": 2});
        let first = PageRequest::from_body(body.as_object().unwrap()).unwrap();
        let cursor = first.next_cursor("id-2");
        let next = PageRequest::from_body(json!({"cursor": cursor}).as_object().unwrap()).unwrap();
        assert_eq!(next.limit, 2);
        assert_eq!(next.after_id.as_deref(), Some("id-2"));
        assert_eq!(next.predicate, first.predicate);
        let refuse = |body: Value| PageRequest::from_body(body.as_object().unwrap()).unwrap_err();
        assert_eq!(refuse(json!({"cursor": ""})), "Cursor cannot be empty");
        assert_eq!(
            refuse(json!({"cursor": "%%%"})),
            "Malformed cursor, unknown encoding"
        );
        assert_eq!(
            refuse(json!({"limit": 0})),
            "Limit must be a positive integer >= 1"
        );
        assert_eq!(
            refuse(json!({"limit": 1.5})),
            "Limit must be a positive integer >= 1"
        );
    }
}
