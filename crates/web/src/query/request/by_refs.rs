//! `POST /entities/by-refs`: a body `{entityRefs: [string], fields?:
//! [string], query?: predicate}` plus the `filter` and `fields` query
//! parameters. The parameter filter and the body query must both hold;
//! fields from both places are selected. Refs are kept as written (the
//! answer lists one item per ref, in order, so the handler matches them
//! itself); at most [`MAX_ENTITY_REFS`].

use greenroom_store::query::Predicate;
use serde_json::{Map, Value};

use super::super::error::QueryError;
use super::super::fields::{FieldSelection, parse_fields};
use super::super::filter::parse_filter_params;
use super::super::predicate::parse_predicate;
use super::super::raw::RawQuery;
use super::{body_key, body_object, body_strings};

/// Most refs in one request.
pub const MAX_ENTITY_REFS: usize = 10_000;

/// A parsed by-refs request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByRefsRequest {
    /// As given, in order (duplicates kept: each gets its own answer).
    pub entity_refs: Vec<String>,
    pub filter: Option<Predicate>,
    pub fields: Option<FieldSelection>,
}

impl ByRefsRequest {
    pub fn parse(query: &RawQuery, body: &Value) -> Result<Self, QueryError> {
        let empty = Map::new();
        let object = body_object(body, &empty)?;
        let refs = body_key(object, "entityRefs").ok_or_else(|| {
            QueryError::param("entityRefs", "must be given as an array of entity refs")
        })?;
        if refs
            .as_array()
            .is_some_and(|refs| refs.len() > MAX_ENTITY_REFS)
        {
            return Err(QueryError::param(
                "entityRefs",
                format!("at most {MAX_ENTITY_REFS} refs are accepted per request"),
            ));
        }
        let entity_refs: Vec<String> = body_strings(Some(refs), "entityRefs")?
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect();

        let body_fields = body_strings(body_key(object, "fields"), "fields")?.unwrap_or_default();
        let fields = parse_fields(query.values("fields").chain(body_fields))?;

        let param_filter = parse_filter_params(query.values("filter"))?;
        let body_filter = body_key(object, "query")
            .map(|value| parse_predicate(value, "query"))
            .transpose()?;
        let filter = match (param_filter, body_filter) {
            (Some(a), Some(b)) => Some(Predicate::All(vec![a, b])),
            (a, b) => a.or(b),
        };
        Ok(ByRefsRequest {
            entity_refs,
            filter,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(query: &str, body: Value) -> Result<ByRefsRequest, QueryError> {
        ByRefsRequest::parse(&RawQuery::parse(Some(query))?, &body)
    }

    fn err(query: &str, body: Value) -> String {
        parse(query, body).unwrap_err().to_string()
    }

    #[test]
    fn refs_only() {
        let request = parse(
            "",
            json!({"entityRefs": ["component:default/a", "Component:Default/A", "component:default/a"]}),
        )
        .unwrap();
        assert_eq!(
            request.entity_refs,
            [
                "component:default/a",
                "Component:Default/A",
                "component:default/a"
            ]
        );
        assert_eq!(request.filter, None);
        assert_eq!(request.fields, None);
        assert!(
            parse("", json!({"entityRefs": []}))
                .unwrap()
                .entity_refs
                .is_empty()
        );
    }

    #[test]
    fn filters_from_both_places_must_hold() {
        let request = parse(
            "filter=kind=component",
            json!({"entityRefs": ["a"], "query": {"spec.type": "service"}}),
        )
        .unwrap();
        assert_eq!(
            request.filter,
            Some(Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("spec.type", "service"),
            ]))
        );
        let only_param = parse("filter=kind=api", json!({"entityRefs": ["a"]})).unwrap();
        assert_eq!(only_param.filter, Some(Predicate::equals("kind", "api")));
        let only_body = parse("", json!({"entityRefs": ["a"], "query": {"kind": "api"}})).unwrap();
        assert_eq!(only_body.filter, Some(Predicate::equals("kind", "api")));
    }

    #[test]
    fn fields_from_both_places() {
        let request = parse(
            "fields=kind",
            json!({"entityRefs": ["a"], "fields": ["metadata.name"]}),
        )
        .unwrap();
        let entity = json!({"kind": "K", "metadata": {"name": "n", "uid": "u"}, "spec": {}});
        assert_eq!(
            request.fields.unwrap().apply(&entity),
            json!({"kind": "K", "metadata": {"name": "n"}})
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("", json!({})),
            "Invalid entityRefs, must be given as an array of entity refs"
        );
        assert_eq!(
            err("", json!(null)),
            "Invalid entityRefs, must be given as an array of entity refs"
        );
        assert_eq!(
            err("", json!({"entityRefs": "a"})),
            "Invalid entityRefs, expected an array of strings"
        );
        assert_eq!(
            err("", json!({"entityRefs": ["a", 2]})),
            "Invalid entityRefs[1], expected a string"
        );
        assert_eq!(
            err("", json!("x")),
            "Invalid request body, expected a JSON object"
        );
        assert!(
            err("", json!({"entityRefs": [], "query": 1}))
                .starts_with("Invalid filter predicate at query")
        );
        assert!(err("filter=__proto__", json!({"entityRefs": []})).contains("reserved"));
        assert!(
            err("", json!({"entityRefs": [], "fields": ["a[0]"]})).contains("array type fields")
        );
    }

    #[test]
    fn at_most_ten_thousand_refs() {
        let refs: Vec<String> = (0..MAX_ENTITY_REFS)
            .map(|i| format!("component:default/c{i}"))
            .collect();
        assert!(parse("", json!({"entityRefs": refs})).is_ok());
        let refs: Vec<String> = (0..=MAX_ENTITY_REFS).map(|i| format!("c{i}")).collect();
        assert_eq!(
            err("", json!({"entityRefs": refs})),
            "Invalid entityRefs, at most 10000 refs are accepted per request"
        );
    }
}
