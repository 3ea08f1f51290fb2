//! Backstage's legacy `filter` query parameters as a [`Predicate`].
//!
//! Each `filter` parameter is one alternative and the alternatives are
//! OR-ed; inside one, comma-separated conditions are AND-ed. A condition is
//! `key=value` (equality), `key=` (equals the empty string) or a bare `key`
//! (exists). The same key repeated inside one parameter collects its values
//! into "any of" (`kind=component,kind=api`). As in Backstage, repetitions
//! are grouped by the key as written (before lower-casing), a key with both
//! a bare and a valued condition asks for the values, and empty parameters
//! and empty conditions are skipped.
//!
//! Keys and values are trimmed and lower-cased (see [`super::keys`]), and
//! the whole is bounded: [`MAX_FILTER_PARAMS`] parameters and
//! [`MAX_FILTER_CONDITIONS`] conditions.

use greenroom_store::query::{Matcher, Predicate};

use super::error::{QueryError, excerpt};
use super::keys::{normalize_key, normalize_value};

/// Most `filter` parameters in one request.
pub const MAX_FILTER_PARAMS: usize = 100;
/// Most conditions over all `filter` parameters of one request.
pub const MAX_FILTER_CONDITIONS: usize = 500;

const PARAM: &str = "filter";

/// Parses every `filter` value of a request; `None` when there is no
/// condition at all (every entity matches).
pub fn parse_filter_params<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Option<Predicate>, QueryError> {
    let mut alternatives = Vec::new();
    let mut params = 0;
    let mut conditions = 0;
    for value in values {
        params += 1;
        if params > MAX_FILTER_PARAMS {
            return Err(QueryError::param(
                PARAM,
                format!("at most {MAX_FILTER_PARAMS} filter parameters are accepted"),
            ));
        }
        if let Some(alternative) = parse_filter_string(value, &mut conditions)? {
            alternatives.push(alternative);
        }
    }
    Ok(match alternatives.len() {
        0 => None,
        1 => alternatives.pop(),
        _ => Some(Predicate::Any(alternatives)),
    })
}

/// One condition group, before normalisation: values in order, or none
/// for an existence check.
struct Group<'a> {
    key: &'a str,
    values: Vec<&'a str>,
}

/// Parses one `filter` value into the AND of its conditions; `None` when
/// it holds none. `conditions` counts conditions across parameters.
fn parse_filter_string(
    filter: &str,
    conditions: &mut usize,
) -> Result<Option<Predicate>, QueryError> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for statement in filter.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        *conditions += 1;
        if *conditions > MAX_FILTER_CONDITIONS {
            return Err(QueryError::param(
                PARAM,
                format!("at most {MAX_FILTER_CONDITIONS} conditions are accepted over all filters"),
            ));
        }
        let (key, value) = match statement.split_once('=') {
            Some((key, value)) => (key.trim(), Some(value.trim())),
            None => (statement, None),
        };
        if key.is_empty() {
            return Err(QueryError::param(
                PARAM,
                format!(
                    "'{}' is not a valid statement (expected a string on the form a=b or a= or a)",
                    excerpt(statement)
                ),
            ));
        }
        let index = match groups.iter().position(|group| group.key == key) {
            Some(index) => index,
            None => {
                groups.push(Group {
                    key,
                    values: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if let Some(value) = value {
            groups[index].values.push(value);
        }
    }

    let mut fields = Vec::with_capacity(groups.len());
    for group in groups {
        let key = normalize_key(group.key).map_err(|reason| QueryError::param(PARAM, reason))?;
        let matcher = if group.values.is_empty() {
            Matcher::Exists
        } else {
            let mut values: Vec<String> = Vec::with_capacity(group.values.len());
            for raw in group.values {
                let value =
                    normalize_value(raw).map_err(|reason| QueryError::param(PARAM, reason))?;
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            Matcher::AnyOf(values)
        };
        fields.push(Predicate::Field { key, matcher });
    }
    Ok(match fields.len() {
        0 => None,
        1 => fields.pop(),
        _ => Some(Predicate::All(fields)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<Option<Predicate>, QueryError> {
        parse_filter_params(values.iter().copied())
    }

    fn any_of(key: &str, values: &[&str]) -> Predicate {
        Predicate::Field {
            key: key.to_owned(),
            matcher: Matcher::AnyOf(values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    #[test]
    fn no_filter_is_none() {
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(parse(&["", " , ,"]).unwrap(), None);
    }

    #[test]
    fn a_single_condition_is_just_the_field() {
        assert_eq!(
            parse(&["kind=component"]).unwrap(),
            Some(Predicate::equals("kind", "component"))
        );
    }

    #[test]
    fn conditions_are_anded_and_params_ored() {
        let got = parse(&[
            "kind=user,metadata.namespace=default",
            "kind=group,spec.type",
        ])
        .unwrap();
        assert_eq!(
            got,
            Some(Predicate::Any(vec![
                Predicate::All(vec![
                    Predicate::equals("kind", "user"),
                    Predicate::equals("metadata.namespace", "default"),
                ]),
                Predicate::All(vec![
                    Predicate::equals("kind", "group"),
                    Predicate::exists("spec.type"),
                ]),
            ]))
        );
    }

    #[test]
    fn condition_forms() {
        assert_eq!(
            parse(&["metadata.tags.java"]).unwrap(),
            Some(Predicate::exists("metadata.tags.java"))
        );
        assert_eq!(
            parse(&["spec.owner="]).unwrap(),
            Some(Predicate::equals("spec.owner", ""))
        );
        // Only the first `=` splits.
        assert_eq!(
            parse(&["metadata.annotations.a=b=c"]).unwrap(),
            Some(Predicate::equals("metadata.annotations.a", "b=c"))
        );
    }

    #[test]
    fn repeated_keys_collect_values() {
        assert_eq!(
            parse(&["kind=component,kind=api,kind=component"]).unwrap(),
            Some(any_of("kind", &["component", "api"]))
        );
        // A value wins over a bare existence check of the same key.
        assert_eq!(
            parse(&["spec.type,spec.type=service"]).unwrap(),
            Some(any_of("spec.type", &["service"]))
        );
        // Across parameters keys are not merged.
        assert_eq!(
            parse(&["kind=component", "kind=api"]).unwrap(),
            Some(Predicate::Any(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("kind", "api"),
            ]))
        );
    }

    #[test]
    fn keys_group_as_written_like_backstage() {
        assert_eq!(
            parse(&["kind=component,Kind=api"]).unwrap(),
            Some(Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("kind", "api"),
            ]))
        );
    }

    #[test]
    fn keys_and_values_are_trimmed_and_lower_cased() {
        assert_eq!(
            parse(&["  Kind = Component , Relations.OwnedBy=Group:Default/Team-A "]).unwrap(),
            Some(Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("relations.ownedby", "group:default/team-a"),
            ]))
        );
    }

    #[test]
    fn empty_keys_are_refused() {
        let err = parse(&["kind=user,=x"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid filter, '=x' is not a valid statement (expected a string on the form a=b or a= or a)"
        );
        assert!(parse(&[" = "]).is_err());
    }

    #[test]
    fn reserved_segments_are_refused() {
        for filter in [
            "__proto__=x",
            "metadata.__proto__.polluted=1",
            "constructor",
            "spec.prototype=x",
        ] {
            let err = parse(&[filter]).unwrap_err();
            assert!(
                err.to_string().starts_with("Invalid filter, the key")
                    && err.to_string().contains("reserved path segment"),
                "{filter}: {err}"
            );
        }
    }

    #[test]
    fn dollar_keys_and_nul_are_refused() {
        assert!(parse(&["$all=x"]).is_err());
        assert!(parse(&["kind=a\0b"]).is_err());
    }

    #[test]
    fn too_many_filter_params() {
        let many = vec!["kind=user"; MAX_FILTER_PARAMS + 1];
        let err = parse(&many).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid filter, at most 100 filter parameters are accepted"
        );
        assert!(parse(&vec!["kind=user"; MAX_FILTER_PARAMS]).is_ok());
    }

    #[test]
    fn too_many_conditions() {
        let one = vec!["a=1"; MAX_FILTER_CONDITIONS + 1].join(",");
        let err = parse(&[one.as_str()]).unwrap_err();
        assert!(err.to_string().contains("at most 500 conditions"), "{err}");
        // Counted over all parameters.
        let half = vec!["a=1"; 251].join(",");
        assert!(parse(&[half.as_str(), half.as_str()]).is_err());
        let exact = vec!["a=1"; MAX_FILTER_CONDITIONS].join(",");
        assert!(parse(&[exact.as_str()]).is_ok());
    }

    #[test]
    fn long_keys_and_values_are_refused() {
        let key = format!("{}=x", "k".repeat(201));
        assert!(
            parse(&[key.as_str()])
                .unwrap_err()
                .to_string()
                .contains("longer than 200")
        );
        let value = format!("kind={}", "v".repeat(1_001));
        assert!(
            parse(&[value.as_str()])
                .unwrap_err()
                .to_string()
                .contains("longer than 1000")
        );
    }

    #[test]
    fn a_megabyte_filter_is_refused_quickly_and_quoted_briefly() {
        let huge = format!("kind={}", "x".repeat(1 << 20));
        let err = parse(&[huge.as_str()]).unwrap_err().to_string();
        assert!(err.len() < 300, "{err}");
        let huge_key = "k".repeat(1 << 20);
        assert!(parse(&[huge_key.as_str()]).is_err());
    }
}
