//! The query string as ordered `(name, value)` pairs.
//!
//! Backstage's parameters repeat (`filter=a&filter=b` means "a or b"),
//! which axum's `Query` extractor cannot express, so the catalog handlers
//! parse the raw query string here. Decoding is strict: `+` is a space,
//! `%XY` must be a valid escape, and the decoded bytes must be UTF-8, or
//! the request is refused naming the parameter. The whole string is
//! bounded ([`MAX_QUERY_BYTES`]) and so is the number of parameters
//! ([`MAX_PARAMS`]), before anything is decoded.

use super::error::{QueryError, excerpt};

/// Longest accepted query string, in bytes.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// Most parameters accepted in one query string.
pub const MAX_PARAMS: usize = 1_000;

/// A decoded query string, in the order the parameters were given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawQuery {
    pairs: Vec<(String, String)>,
}

impl RawQuery {
    /// Parses `uri.query()` (`None` or `""` is an empty query).
    pub fn parse(query: Option<&str>) -> Result<Self, QueryError> {
        let query = query.unwrap_or_default();
        if query.len() > MAX_QUERY_BYTES {
            return Err(QueryError::QueryString(format!(
                "it is {} bytes long, at most {MAX_QUERY_BYTES} are accepted",
                query.len()
            )));
        }
        let pieces = query.split('&').filter(|piece| !piece.is_empty());
        if pieces.clone().count() > MAX_PARAMS {
            return Err(QueryError::QueryString(format!(
                "it has more than {MAX_PARAMS} parameters"
            )));
        }
        let mut pairs = Vec::new();
        for piece in pieces {
            let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
            let name = decode(raw_name).map_err(|reason| {
                QueryError::QueryString(format!(
                    "the parameter name '{}' {reason}",
                    excerpt(raw_name)
                ))
            })?;
            let value = decode(raw_value).map_err(|reason| QueryError::param(&name, reason))?;
            pairs.push((name, value));
        }
        Ok(RawQuery { pairs })
    }

    /// Every parameter in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The values of every parameter called `name`, in order.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + Clone + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is given at all.
    pub fn has(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    /// The value of a parameter that may be given at most once.
    pub fn single(&self, name: &str) -> Result<Option<&str>, QueryError> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(QueryError::param(name, "must be given at most once"));
        }
        Ok(first)
    }
}

/// Percent-decodes one name or value of `application/x-www-form-urlencoded`
/// text, strictly.
fn decode(raw: &str) -> Result<String, String> {
    if !raw.contains(['%', '+']) {
        return Ok(raw.to_owned());
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let byte = bytes.get(i + 1..i + 3).and_then(|hex| {
                    let high = char::from(hex[0]).to_digit(16)?;
                    let low = char::from(hex[1]).to_digit(16)?;
                    u8::try_from(high * 16 + low).ok()
                });
                match byte {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => {
                        return Err(format!(
                            "has a malformed percent escape at byte {i} (write a literal % as %25)"
                        ));
                    }
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "is not valid UTF-8 after percent-decoding".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        RawQuery::parse(Some(query)).unwrap().pairs().to_vec()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn keeps_repeated_names_in_order() {
        let q = RawQuery::parse(Some("filter=kind=user&fields=kind&filter=kind=group")).unwrap();
        assert_eq!(
            q.values("filter").collect::<Vec<_>>(),
            ["kind=user", "kind=group"]
        );
        assert_eq!(q.values("fields").collect::<Vec<_>>(), ["kind"]);
        assert!(q.has("fields"));
        assert!(!q.has("order"));
        assert_eq!(q.pairs().len(), 3);
    }

    #[test]
    fn empty_and_missing_queries() {
        assert!(RawQuery::parse(None).unwrap().pairs().is_empty());
        assert!(RawQuery::parse(Some("")).unwrap().pairs().is_empty());
        assert_eq!(pairs("&&a=1&&"), [pair("a", "1")]);
    }

    #[test]
    fn names_without_values_and_values_with_equals() {
        assert_eq!(pairs("a"), [pair("a", "")]);
        assert_eq!(pairs("a="), [pair("a", "")]);
        // Only the first `=` separates; filters carry more.
        assert_eq!(
            pairs("filter=spec.type=service"),
            [pair("filter", "spec.type=service")]
        );
    }

    #[test]
    fn decodes_percent_escapes_and_plus() {
        assert_eq!(
            pairs("filter=metadata.name%3Dmy+app&x%5By%5D=%C3%A9"),
            [pair("filter", "metadata.name=my app"), pair("x[y]", "é")]
        );
        assert_eq!(pairs("a=%2B%25"), [pair("a", "+%")]);
        assert_eq!(pairs("a=%e2%82%ac"), [pair("a", "€")]);
    }

    #[test]
    fn invalid_utf8_names_the_parameter() {
        let err = RawQuery::parse(Some("filter=%ff")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid filter, is not valid UTF-8 after percent-decoding"
        );
        let err = RawQuery::parse(Some("fields=kind&limit=%C3%28")).unwrap_err();
        assert!(err.to_string().starts_with("Invalid limit,"), "{err}");
        let err = RawQuery::parse(Some("%ff=1")).unwrap_err();
        assert!(
            matches!(err, QueryError::QueryString(ref m) if m.contains("'%ff'") && m.contains("UTF-8")),
            "{err}"
        );
    }

    #[test]
    fn malformed_escapes_are_refused() {
        for query in ["a=%", "a=%4", "a=%zz", "a=%+1", "a=100%"] {
            let err = RawQuery::parse(Some(query)).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("Invalid a, has a malformed percent escape"),
                "{query}: {err}"
            );
        }
    }

    #[test]
    fn single_values() {
        let q = RawQuery::parse(Some("limit=1&limit=2&offset=3")).unwrap();
        assert_eq!(q.single("offset").unwrap(), Some("3"));
        assert_eq!(q.single("after").unwrap(), None);
        assert_eq!(
            q.single("limit").unwrap_err().to_string(),
            "Invalid limit, must be given at most once"
        );
    }

    #[test]
    fn too_long_query_strings_are_refused() {
        let long = format!("filter={}", "a".repeat(MAX_QUERY_BYTES));
        let err = RawQuery::parse(Some(&long)).unwrap_err();
        assert!(err.to_string().contains("at most 65536"), "{err}");
        // A 1 MB filter is refused before any decoding.
        let huge = format!("filter={}", "%41".repeat(350_000));
        assert!(RawQuery::parse(Some(&huge)).is_err());
        let fits = format!("a={}", "b".repeat(MAX_QUERY_BYTES - 2));
        assert!(RawQuery::parse(Some(&fits)).is_ok());
    }

    #[test]
    fn too_many_parameters_are_refused() {
        let many = vec!["filter=kind"; MAX_PARAMS + 1].join("&");
        let err = RawQuery::parse(Some(&many)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid query string, it has more than 1000 parameters"
        );
        let thousands = vec!["a"; 5_000].join("&");
        assert!(RawQuery::parse(Some(&thousands)).is_err());
        let enough = vec!["filter=kind"; MAX_PARAMS].join("&");
        assert_eq!(
            RawQuery::parse(Some(&enough)).unwrap().pairs().len(),
            MAX_PARAMS
        );
    }
}
