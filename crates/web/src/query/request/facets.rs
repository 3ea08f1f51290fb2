//! `GET /entity-facets?facet=…&filter=…` and `POST /entity-facets` with a
//! body `{facets: [string], query?: predicate}`.
//!
//! At least one non-blank facet is required ("Missing facet parameter", as
//! Backstage), at most [`MAX_FACETS`]. Each facet keeps the name the client
//! wrote (the answer is keyed by it) and gets the lower-cased search key
//! its values are counted from.

use greenroom_store::query::Predicate;
use serde_json::{Map, Value};

use super::super::error::QueryError;
use super::super::filter::parse_filter_params;
use super::super::keys::normalize_key;
use super::super::predicate::parse_predicate;
use super::super::raw::RawQuery;
use super::{body_key, body_object, body_strings};

/// Most facets in one request.
pub const MAX_FACETS: usize = 100;

/// One requested facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// As written (trimmed): the key of this facet in the answer.
    pub name: String,
    /// The search key whose values are counted.
    pub key: String,
}

/// A parsed facets request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetsRequest {
    /// Distinct facets, in the order given.
    pub facets: Vec<Facet>,
    pub filter: Option<Predicate>,
}

impl FacetsRequest {
    /// From `GET /entity-facets` parameters.
    pub fn from_query(query: &RawQuery) -> Result<Self, QueryError> {
        Ok(FacetsRequest {
            facets: facets(query.values("facet"), "facet")?,
            filter: parse_filter_params(query.values("filter"))?,
        })
    }

    /// From a `POST /entity-facets` JSON body.
    pub fn from_body(body: &Value) -> Result<Self, QueryError> {
        let empty = Map::new();
        let object = body_object(body, &empty)?;
        let names = body_strings(body_key(object, "facets"), "facets")?.unwrap_or_default();
        Ok(FacetsRequest {
            facets: facets(names, "facets")?,
            filter: body_key(object, "query")
                .map(|value| parse_predicate(value, "query"))
                .transpose()?,
        })
    }
}

fn facets<'a>(
    names: impl IntoIterator<Item = &'a str>,
    param: &str,
) -> Result<Vec<Facet>, QueryError> {
    let mut facets: Vec<Facet> = Vec::new();
    for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
        if facets.iter().any(|facet| facet.name == name) {
            continue;
        }
        if facets.len() == MAX_FACETS {
            return Err(QueryError::param(
                param,
                format!("at most {MAX_FACETS} facets are accepted per request"),
            ));
        }
        let key = normalize_key(name).map_err(|reason| QueryError::param(param, reason))?;
        facets.push(Facet {
            name: name.to_owned(),
            key,
        });
    }
    if facets.is_empty() {
        return Err(QueryError::Missing(param.to_owned()));
    }
    Ok(facets)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn get(text: &str) -> Result<FacetsRequest, QueryError> {
        FacetsRequest::from_query(&RawQuery::parse(Some(text))?)
    }

    fn facet(name: &str, key: &str) -> Facet {
        Facet {
            name: name.to_owned(),
            key: key.to_owned(),
        }
    }

    #[test]
    fn get_facets_and_filter() {
        let request = get("facet=kind&facet=Spec.Type&facet=kind&filter=kind=component").unwrap();
        assert_eq!(
            request.facets,
            [facet("kind", "kind"), facet("Spec.Type", "spec.type")]
        );
        assert_eq!(request.filter, Some(Predicate::equals("kind", "component")));
    }

    #[test]
    fn get_requires_a_facet() {
        for text in ["", "facet=", "facet=+&facet=", "filter=kind=x"] {
            assert_eq!(
                get(text).unwrap_err().to_string(),
                "Missing facet parameter",
                "{text}"
            );
        }
    }

    #[test]
    fn post_facets_and_query() {
        let request = FacetsRequest::from_body(&json!({
            "facets": ["metadata.tags", "relations.ownedBy"],
            "query": {"kind": "Component"}
        }))
        .unwrap();
        assert_eq!(
            request.facets,
            [
                facet("metadata.tags", "metadata.tags"),
                facet("relations.ownedBy", "relations.ownedby")
            ]
        );
        assert_eq!(request.filter, Some(Predicate::equals("kind", "component")));
    }

    #[test]
    fn post_errors() {
        for body in [
            json!({}),
            json!(null),
            json!({"facets": []}),
            json!({"facets": [""]}),
        ] {
            assert_eq!(
                FacetsRequest::from_body(&body).unwrap_err().to_string(),
                "Missing facets parameter",
                "{body}"
            );
        }
        assert_eq!(
            FacetsRequest::from_body(&json!({"facets": "kind"}))
                .unwrap_err()
                .to_string(),
            "Invalid facets, expected an array of strings"
        );
        assert!(
            FacetsRequest::from_body(&json!({"facets": ["kind"], "query": [1]}))
                .unwrap_err()
                .to_string()
                .starts_with("Invalid filter predicate at query")
        );
    }

    #[test]
    fn hostile_facets() {
        assert!(
            get("facet=metadata.__proto__")
                .unwrap_err()
                .to_string()
                .contains("reserved")
        );
        let many: Vec<String> = (0..=MAX_FACETS).map(|i| format!("facet=f{i}")).collect();
        assert_eq!(
            get(&many.join("&")).unwrap_err().to_string(),
            "Invalid facet, at most 100 facets are accepted per request"
        );
        let enough: Vec<String> = (0..MAX_FACETS).map(|i| format!("facet=f{i}")).collect();
        assert_eq!(get(&enough.join("&")).unwrap().facets.len(), MAX_FACETS);
        let long = format!("facet={}", "k".repeat(201));
        assert!(
            get(&long)
                .unwrap_err()
                .to_string()
                .contains("longer than 200")
        );
    }
}
