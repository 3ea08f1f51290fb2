//! Typed requests of the catalog read endpoints, built from the query
//! string ([`RawQuery`]) and/or a JSON body, each fully validated so a
//! handler only runs the query and shapes the answer:
//!
//! - [`ListRequest`]: `GET /entities`
//! - [`ByQueryRequest`]: `GET` and `POST /entities/by-query`
//! - [`ByRefsRequest`]: `POST /entities/by-refs`
//! - [`FacetsRequest`]: `GET` and `POST /entity-facets`
//!
//! JSON bodies are read as Backstage does: unknown keys are ignored (its
//! request schemas allow additional properties), and a `null` for an
//! optional key counts as absent.

mod by_query;
mod by_refs;
mod facets;
mod list;

pub use by_query::{ByQueryPage, ByQueryRequest, DEFAULT_BY_QUERY_LIMIT, InitialPage};
pub use by_refs::{ByRefsRequest, MAX_ENTITY_REFS};
pub use facets::{Facet, FacetsRequest, MAX_FACETS};
pub use list::{ListRequest, Paging};

use serde_json::{Map, Value};

use super::error::QueryError;
use super::raw::RawQuery;

/// Largest page any endpoint serves.
pub const MAX_LIMIT: u64 = 10_000;

/// An integer query parameter, read as strictly as Backstage (the decimal
/// digits of an `i64`, nothing more: no `+`, no leading zeros, no spaces).
pub(crate) fn integer_param(query: &RawQuery, name: &str) -> Result<Option<i64>, QueryError> {
    let Some(text) = query.single(name)? else {
        return Ok(None);
    };
    match text.parse::<i64>() {
        Ok(number) if number.to_string() == text => Ok(Some(number)),
        _ => Err(QueryError::param(name, "not an integer")),
    }
}

/// A JSON number that is an integer (`7` or `7.0`, as JavaScript's
/// `Number.isInteger`), within `i64`.
pub(crate) fn json_integer(value: &Value) -> Option<i64> {
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(integer) = number.as_i64() {
        return Some(integer);
    }
    let float = number.as_f64()?;
    // The range check keeps the cast exact.
    (float.fract() == 0.0 && float.abs() < 9.0e18).then_some(float as i64)
}

/// The object of a JSON body (`null`, i.e. no body, reads as `{}`).
pub(crate) fn body_object<'a>(
    body: &'a Value,
    empty: &'a Map<String, Value>,
) -> Result<&'a Map<String, Value>, QueryError> {
    match body {
        Value::Object(object) => Ok(object),
        Value::Null => Ok(empty),
        _ => Err(QueryError::param("request body", "expected a JSON object")),
    }
}

/// A present, non-null key of a body.
pub(crate) fn body_key<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|value| !value.is_null())
}

/// An optional array of strings at `path`.
pub(crate) fn body_strings<'a>(
    value: Option<&'a Value>,
    path: &str,
) -> Result<Option<Vec<&'a str>>, QueryError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(QueryError::param(path, "expected an array of strings"));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_str()
                .ok_or_else(|| QueryError::param(format!("{path}[{index}]"), "expected a string"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// An optional string at `path`.
pub(crate) fn body_string<'a>(
    value: Option<&'a Value>,
    path: &str,
) -> Result<Option<&'a str>, QueryError> {
    match value {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(QueryError::param(path, "expected a string")),
    }
}

/// An optional integer at `path`.
pub(crate) fn body_integer(value: Option<&Value>, path: &str) -> Result<Option<i64>, QueryError> {
    value
        .map(|value| json_integer(value).ok_or_else(|| QueryError::param(path, "not an integer")))
        .transpose()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn query(text: &str) -> RawQuery {
        RawQuery::parse(Some(text)).unwrap()
    }

    #[test]
    fn integers_are_read_strictly() {
        assert_eq!(
            integer_param(&query("limit=20"), "limit").unwrap(),
            Some(20)
        );
        assert_eq!(
            integer_param(&query("limit=-3"), "limit").unwrap(),
            Some(-3)
        );
        assert_eq!(integer_param(&query(""), "limit").unwrap(), None);
        for bad in [
            "",
            "abc",
            "1.5",
            "+1",
            "01",
            "-0",
            " 1",
            "1e3",
            "99999999999999999999",
        ] {
            let text = format!("limit={}", bad.replace('+', "%2B").replace(' ', "+"));
            assert_eq!(
                integer_param(&query(&text), "limit")
                    .unwrap_err()
                    .to_string(),
                "Invalid limit, not an integer",
                "{bad}"
            );
        }
        assert!(integer_param(&query("limit=1&limit=2"), "limit").is_err());
    }

    #[test]
    fn json_integers() {
        assert_eq!(json_integer(&json!(5)), Some(5));
        assert_eq!(json_integer(&json!(-5)), Some(-5));
        assert_eq!(json_integer(&json!(5.0)), Some(5));
        assert_eq!(json_integer(&json!(5.5)), None);
        assert_eq!(json_integer(&json!(1e300)), None);
        assert_eq!(json_integer(&json!(u64::MAX)), None);
        assert_eq!(json_integer(&json!("5")), None);
    }

    #[test]
    fn body_helpers() {
        let empty = Map::new();
        assert!(body_object(&json!(null), &empty).unwrap().is_empty());
        assert_eq!(
            body_object(&json!([1]), &empty).unwrap_err().to_string(),
            "Invalid request body, expected a JSON object"
        );
        let body = json!({"fields": ["a", 1], "n": null});
        let object = body_object(&body, &empty).unwrap();
        assert_eq!(body_key(object, "n"), None);
        assert_eq!(
            body_strings(body_key(object, "fields"), "fields")
                .unwrap_err()
                .to_string(),
            "Invalid fields[1], expected a string"
        );
        assert_eq!(
            body_string(Some(&json!(1)), "cursor")
                .unwrap_err()
                .to_string(),
            "Invalid cursor, expected a string"
        );
        assert_eq!(
            body_integer(Some(&json!("1")), "limit")
                .unwrap_err()
                .to_string(),
            "Invalid limit, not an integer"
        );
    }
}
