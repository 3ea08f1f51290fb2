//! Sort parameters as [`SortKey`]s: the legacy `order=asc:metadata.name`
//! of `GET /entities` and the `orderField=metadata.name,desc` of the
//! by-query endpoint (direction optional, ascending by default; the caller
//! uses only the first). Fields become lower-cased search keys (see
//! [`super::keys`]), and at most [`MAX_SORT_FIELDS`] are accepted since
//! each one costs the database a join.

use greenroom_store::query::{Direction, SortKey};

use super::error::{QueryError, excerpt};
use super::keys::normalize_key;

/// Most sort parameters in one request.
pub const MAX_SORT_FIELDS: usize = 10;

/// `asc` or `desc` (exactly, as Backstage).
pub fn parse_direction(text: &str) -> Option<Direction> {
    match text {
        "asc" => Some(Direction::Ascending),
        "desc" => Some(Direction::Descending),
        _ => None,
    }
}

/// The wire name of a direction.
pub fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Ascending => "asc",
        Direction::Descending => "desc",
    }
}

/// A sort key for `field` (trimmed, lower-cased), or the reason it is not
/// one.
pub(crate) fn sort_key(field: &str, direction: Direction) -> Result<SortKey, String> {
    Ok(SortKey {
        key: normalize_key(field.trim())?,
        direction,
    })
}

fn check_count(param: &str, count: usize) -> Result<(), QueryError> {
    if count > MAX_SORT_FIELDS {
        return Err(QueryError::param(
            param,
            format!("at most {MAX_SORT_FIELDS} sort fields are accepted"),
        ));
    }
    Ok(())
}

/// Parses the legacy `order` values (`<asc|desc>:<field>`), in order.
pub fn parse_order_params<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    for value in values {
        check_count("order", keys.len() + 1)?;
        let malformed = || {
            QueryError::param(
                "order",
                format!(
                    "\"{}\" is not of the form \"<asc or desc>:<field name>\"",
                    excerpt(value)
                ),
            )
        };
        let (direction, field) = value.split_once(':').ok_or_else(malformed)?;
        let direction = parse_direction(direction).ok_or_else(malformed)?;
        if field.trim().is_empty() {
            return Err(malformed());
        }
        keys.push(sort_key(field, direction).map_err(|reason| QueryError::param("order", reason))?);
    }
    Ok(keys)
}

/// Parses the by-query `orderField` values (`<field>[,asc|desc]`), in
/// order.
pub fn parse_order_field_params<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    for value in values {
        check_count("orderField", keys.len() + 1)?;
        let mut parts = value.split(',');
        let field = parts.next().unwrap_or_default();
        let direction = match parts.next() {
            None => Direction::Ascending,
            Some(text) => parse_direction(text.trim())
                .ok_or_else(|| QueryError::param("orderField", "order must be asc or desc"))?,
        };
        if parts.next().is_some() {
            return Err(QueryError::param(
                "orderField",
                format!(
                    "\"{}\" is not of the form \"<field name>[,asc or desc]\"",
                    excerpt(value)
                ),
            ));
        }
        if field.trim().is_empty() {
            return Err(QueryError::param("orderField", "the field name is empty"));
        }
        keys.push(
            sort_key(field, direction).map_err(|reason| QueryError::param("orderField", reason))?,
        );
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str, direction: Direction) -> SortKey {
        SortKey {
            key: key.to_owned(),
            direction,
        }
    }

    #[test]
    fn legacy_order() {
        assert_eq!(
            parse_order_params(["asc:metadata.name", "desc:Spec.Type"]).unwrap(),
            [
                key("metadata.name", Direction::Ascending),
                key("spec.type", Direction::Descending)
            ]
        );
        assert_eq!(parse_order_params([]).unwrap(), []);
        // The field may itself contain colons.
        assert_eq!(
            parse_order_params(["asc:metadata.annotations.a:b"]).unwrap(),
            [key("metadata.annotations.a:b", Direction::Ascending)]
        );
    }

    #[test]
    fn legacy_order_errors() {
        for bad in [
            "metadata.name",
            "ascending:metadata.name",
            "ASC:x",
            "asc:",
            "asc: ",
            ":x",
            "",
        ] {
            let err = parse_order_params([bad]).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "Invalid order, \"{bad}\" is not of the form \"<asc or desc>:<field name>\""
                )
            );
        }
        assert!(
            parse_order_params(["asc:metadata.__proto__"])
                .unwrap_err()
                .to_string()
                .contains("reserved path segment")
        );
    }

    #[test]
    fn order_fields() {
        assert_eq!(
            parse_order_field_params(["metadata.name", "Spec.Owner,desc", "kind,asc"]).unwrap(),
            [
                key("metadata.name", Direction::Ascending),
                key("spec.owner", Direction::Descending),
                key("kind", Direction::Ascending),
            ]
        );
    }

    #[test]
    fn order_field_errors() {
        assert_eq!(
            parse_order_field_params(["metadata.name,up"])
                .unwrap_err()
                .to_string(),
            "Invalid orderField, order must be asc or desc"
        );
        assert_eq!(
            parse_order_field_params([",asc"]).unwrap_err().to_string(),
            "Invalid orderField, the field name is empty"
        );
        assert!(parse_order_field_params(["a,asc,b"]).is_err());
        assert!(parse_order_field_params(["prototype"]).is_err());
    }

    #[test]
    fn at_most_ten_sort_fields() {
        let many = vec!["asc:kind"; MAX_SORT_FIELDS + 1];
        assert_eq!(
            parse_order_params(many).unwrap_err().to_string(),
            "Invalid order, at most 10 sort fields are accepted"
        );
        let many = vec!["kind"; 1_000];
        assert!(parse_order_field_params(many).is_err());
        assert!(parse_order_field_params(vec!["kind"; MAX_SORT_FIELDS]).is_ok());
    }

    #[test]
    fn direction_names_round_trip() {
        for direction in [Direction::Ascending, Direction::Descending] {
            assert_eq!(parse_direction(direction_name(direction)), Some(direction));
        }
    }
}
