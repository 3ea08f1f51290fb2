//! `GET /entities`: `filter`, `fields`, `order`, and the legacy paging
//! parameters `limit`, `offset` and `after`.
//!
//! Without any paging parameter the endpoint streams every matching
//! entity; with one it serves a page. As in Backstage an `after` cursor's
//! own `limit` and `offset` replace the parameters, `offset` must be zero
//! or more, `limit` more than zero and `after` non-empty; in addition a
//! page holds at most [`MAX_LIMIT`] entities.

use greenroom_store::query::{EntityQuery, Predicate, SortKey};

use super::super::cursor::{decode_after, encode_after};
use super::super::error::QueryError;
use super::super::fields::{FieldSelection, parse_fields};
use super::super::filter::parse_filter_params;
use super::super::order::parse_order_params;
use super::super::raw::RawQuery;
use super::{MAX_LIMIT, integer_param};

/// Which page of `GET /entities` to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// At most this many entities (`None`: all from `offset` on).
    pub limit: Option<u64>,
    pub offset: u64,
}

impl Paging {
    /// The `after` cursor of the page following this one (when it has a
    /// limit), for the `Link: <…>; rel="next"` header.
    pub fn next_after(&self) -> Option<String> {
        self.limit
            .map(|limit| encode_after(limit, self.offset.saturating_add(limit)))
    }
}

/// A parsed `GET /entities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRequest {
    pub filter: Option<Predicate>,
    pub fields: Option<FieldSelection>,
    /// `order` parameters in order (empty: by entity ref).
    pub order: Vec<SortKey>,
    /// `None`: no paging parameter, stream everything.
    pub paging: Option<Paging>,
}

impl ListRequest {
    pub fn from_query(query: &RawQuery) -> Result<Self, QueryError> {
        Ok(ListRequest {
            filter: parse_filter_params(query.values("filter"))?,
            fields: parse_fields(query.values("fields"))?,
            order: parse_order_params(query.values("order"))?,
            paging: paging(query)?,
        })
    }

    /// The store query (filter, order, and the page when there is one).
    pub fn entity_query(&self) -> EntityQuery {
        EntityQuery {
            filter: self.filter.clone(),
            sort: self.order.clone(),
            offset: self.paging.map_or(0, |p| p.offset),
            limit: self.paging.and_then(|p| p.limit),
            ..EntityQuery::default()
        }
    }
}

fn paging(query: &RawQuery) -> Result<Option<Paging>, QueryError> {
    let offset = integer_param(query, "offset")?;
    let limit = integer_param(query, "limit")?;
    let after = query.single("after")?;
    if offset.is_none() && limit.is_none() && after.is_none() {
        return Ok(None);
    }
    let mut offset = match offset {
        None => 0,
        Some(offset) => u64::try_from(offset)
            .map_err(|_| QueryError::param("offset", "must be zero or greater"))?,
    };
    let mut limit = limit.map(check_limit).transpose()?;
    if let Some(after) = after {
        if after.is_empty() {
            return Err(QueryError::param("after", "must not be empty"));
        }
        let cursor = decode_after(after)?;
        limit = cursor.limit.or(limit);
        offset = cursor.offset.unwrap_or(offset);
    }
    Ok(Some(Paging { limit, offset }))
}

fn check_limit(limit: i64) -> Result<u64, QueryError> {
    match u64::try_from(limit) {
        Ok(0) | Err(_) => Err(QueryError::param("limit", "must be greater than zero")),
        Ok(limit) if limit > MAX_LIMIT => Err(QueryError::param(
            "limit",
            format!(
                "must be at most {MAX_LIMIT} (omit limit, offset and after to stream every matching entity)"
            ),
        )),
        Ok(limit) => Ok(limit),
    }
}

#[cfg(test)]
mod tests {
    use greenroom_store::query::{Direction, Tiebreak};

    use super::*;

    fn parse(text: &str) -> Result<ListRequest, QueryError> {
        ListRequest::from_query(&RawQuery::parse(Some(text))?)
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn everything_absent() {
        let request = parse("").unwrap();
        assert_eq!(
            request,
            ListRequest {
                filter: None,
                fields: None,
                order: vec![],
                paging: None
            }
        );
        assert_eq!(request.entity_query(), EntityQuery::default());
    }

    #[test]
    fn all_parameters() {
        let request = parse(
            "filter=kind=component&filter=kind=api&fields=metadata.name&order=desc:metadata.name&limit=10&offset=20",
        )
        .unwrap();
        assert_eq!(
            request.filter,
            Some(Predicate::Any(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("kind", "api"),
            ]))
        );
        assert!(request.fields.is_some());
        assert_eq!(
            request.paging,
            Some(Paging {
                limit: Some(10),
                offset: 20
            })
        );
        let query = request.entity_query();
        assert_eq!(query.sort[0].direction, Direction::Descending);
        assert_eq!(query.tiebreak, Tiebreak::EntityRef);
        assert!(!query.require_sort_keys);
        assert_eq!((query.offset, query.limit), (20, Some(10)));
    }

    #[test]
    fn any_paging_parameter_pages() {
        assert_eq!(
            parse("offset=5").unwrap().paging,
            Some(Paging {
                limit: None,
                offset: 5
            })
        );
        assert_eq!(
            parse("limit=5").unwrap().paging,
            Some(Paging {
                limit: Some(5),
                offset: 0
            })
        );
    }

    #[test]
    fn after_replaces_limit_and_offset() {
        let after = encode_after(3, 9);
        let request = parse(&format!("limit=50&offset=1&after={after}")).unwrap();
        assert_eq!(
            request.paging,
            Some(Paging {
                limit: Some(3),
                offset: 9
            })
        );
        assert_eq!(
            request.paging.unwrap().next_after(),
            Some(encode_after(3, 12))
        );
        assert_eq!(
            Paging {
                limit: None,
                offset: 3
            }
            .next_after(),
            None
        );
    }

    #[test]
    fn paging_errors() {
        assert_eq!(err("offset=-1"), "Invalid offset, must be zero or greater");
        assert_eq!(err("limit=0"), "Invalid limit, must be greater than zero");
        assert_eq!(err("limit=-5"), "Invalid limit, must be greater than zero");
        assert_eq!(err("after="), "Invalid after, must not be empty");
        assert_eq!(err("limit=ten"), "Invalid limit, not an integer");
        assert_eq!(err("offset=1.5"), "Invalid offset, not an integer");
        assert_eq!(
            err("limit=99999999999999999999999"),
            "Invalid limit, not an integer"
        );
        assert_eq!(
            err("limit=1&limit=2"),
            "Invalid limit, must be given at most once"
        );
        assert!(err("after=%%%").starts_with("Invalid after,"));
        assert!(err("after=zzzz").starts_with("Malformed after cursor"));
    }

    #[test]
    fn huge_limits_point_at_streaming() {
        assert_eq!(
            err("limit=10001"),
            "Invalid limit, must be at most 10000 (omit limit, offset and after to stream every matching entity)"
        );
        assert!(parse("limit=10000").is_ok());
        assert!(err("limit=9223372036854775807").contains("at most 10000"));
    }

    #[test]
    fn parts_report_their_errors() {
        assert!(err("filter=__proto__=1").contains("reserved path segment"));
        assert!(err("fields=metadata.tags[0]").contains("array type fields"));
        assert!(err("order=up:kind").starts_with("Invalid order,"));
        assert!(err("filter=%ff").starts_with("Invalid filter,"));
    }
}
