//! The one error type of request parsing. Its `Display` is the message a
//! client reads in the 400 envelope, so every variant names the parameter
//! or JSON path at fault and the reason, in Backstage's wording where
//! Backstage has one ("Invalid limit, must be greater than zero",
//! "Missing facet parameter", "Malformed cursor, ...").

use crate::error::ApiError;

/// A request the catalog API cannot answer as asked (always a 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The query string as a whole (size, parameter count, a name that is
    /// not text).
    #[error("Invalid query string, {0}")]
    QueryString(String),
    /// A query parameter or a key of a JSON body has a bad value.
    #[error("Invalid {param}, {reason}")]
    Param { param: String, reason: String },
    /// A required parameter is absent or empty.
    #[error("Missing {0} parameter")]
    Missing(String),
    /// A JSON filter predicate is malformed at `path` (e.g.
    /// `query.$all[2].spec.type`).
    #[error("Invalid filter predicate at {path}: {reason}")]
    Predicate { path: String, reason: String },
    /// A paging cursor (`cursor`, or the legacy `after`) cannot be used.
    #[error("Malformed {param}, {reason}")]
    Cursor { param: String, reason: String },
}

impl QueryError {
    pub(crate) fn param(param: impl Into<String>, reason: impl Into<String>) -> Self {
        QueryError::Param {
            param: param.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn predicate(path: impl Into<String>, reason: impl Into<String>) -> Self {
        QueryError::Predicate {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn cursor(param: impl Into<String>, reason: impl Into<String>) -> Self {
        QueryError::Cursor {
            param: param.into(),
            reason: reason.into(),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::Input(e.to_string())
    }
}

/// At most 100 characters of `text` for quoting client input in a message
/// (a hostile parameter can be 64 KiB long).
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 100;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_place_and_reason() {
        assert_eq!(
            QueryError::param("limit", "must be greater than zero").to_string(),
            "Invalid limit, must be greater than zero"
        );
        assert_eq!(
            QueryError::Missing("facet".into()).to_string(),
            "Missing facet parameter"
        );
        assert_eq!(
            QueryError::predicate("query.$all[2].spec.type", "expected a string").to_string(),
            "Invalid filter predicate at query.$all[2].spec.type: expected a string"
        );
        assert_eq!(
            QueryError::cursor("cursor", "not valid base64").to_string(),
            "Malformed cursor, not valid base64"
        );
    }

    #[test]
    fn maps_to_an_input_error() {
        let api: ApiError = QueryError::param("offset", "must be zero or greater").into();
        assert!(
            matches!(api, ApiError::Input(ref m) if m == "Invalid offset, must be zero or greater")
        );
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(1000);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 101);
        assert!(cut.ends_with('…'));
    }
}
