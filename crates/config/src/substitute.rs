//! `${VAR}` substitution in config strings, with Backstage's syntax.
//!
//! A reference is `${NAME}` where the part between the braces holds no brace
//! (so scaffolder expressions like `${{ parameters.name }}` pass through
//! untouched). `${NAME:-fallback}` uses `fallback` when the variable is unset
//! or empty, and `$${...}` is an escape that yields a literal `${...}`.
//! Variable values are trimmed, as Backstage does.
//!
//! Backstage turns the whole value into "undefined" when a variable is unset;
//! Greenroom reports the variable instead (see [`Unresolved`]).

use crate::environment::Environment;

/// Why a string could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unresolved {
    /// `${NAME}` names an unset variable.
    Unset(String),
    /// `${}` or `${  }`: no variable name at all.
    EmptyName,
}

/// Replaces every variable reference in `input`.
pub(crate) fn substitute(input: &str, env: &dyn Environment) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        let (before, from_dollar) = rest.split_at(dollar);
        out.push_str(before);
        // `$${inner}`: the escape, yielding `${inner}` literally.
        if let Some(after) = from_dollar.strip_prefix('$')
            && let Some(len) = reference_len(after)
        {
            out.push_str(&after[..len]);
            rest = &after[len..];
            continue;
        }
        if let Some(len) = reference_len(from_dollar) {
            let inner = &from_dollar[2..len - 1];
            out.push_str(&resolve(inner, env)?);
            rest = &from_dollar[len..];
            continue;
        }
        out.push('$');
        rest = &from_dollar[1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Length of a `${...}` reference at the start of `text` (braces included),
/// if there is one whose inside holds no `{` or `}`.
fn reference_len(text: &str) -> Option<usize> {
    let inner = text.strip_prefix("${")?;
    let end = inner.find(['{', '}'])?;
    (inner.as_bytes()[end] == b'}').then_some(end + 3)
}

/// The value of one reference's inside: `NAME` or `NAME:-fallback`.
fn resolve(inner: &str, env: &dyn Environment) -> Result<String, Unresolved> {
    let inner = inner.trim();
    let (name, fallback) = match inner.split_once(":-") {
        Some((name, fallback)) => (name.trim(), Some(fallback)),
        None => (inner, None),
    };
    if name.is_empty() {
        return Err(Unresolved::EmptyName);
    }
    let value = env.var(name).map(|v| v.trim().to_owned());
    match (value, fallback) {
        (Some(value), Some(fallback)) if value.is_empty() => Ok(fallback.to_owned()),
        (Some(value), _) => Ok(value),
        (None, Some(fallback)) => Ok(fallback.to_owned()),
        (None, None) => Err(Unresolved::Unset(name.to_owned())),
    }
}

/// The value of a variable named by `$env: NAME` (trimmed, like `${NAME}`).
pub(crate) fn lookup(name: &str, env: &dyn Environment) -> Result<String, Unresolved> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Unresolved::EmptyName);
    }
    env.var(name)
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| Unresolved::Unset(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env() -> HashMap<String, String> {
        HashMap::from([
            ("SECRET".to_owned(), "my-secret".to_owned()),
            ("TOKEN".to_owned(), "  my-token\n".to_owned()),
            ("EMPTY".to_owned(), String::new()),
        ])
    }

    fn sub(input: &str) -> Result<String, Unresolved> {
        substitute(input, &env())
    }

    #[test]
    fn substitutes_and_trims() {
        assert_eq!(sub("hello ${SECRET}").unwrap(), "hello my-secret");
        assert_eq!(
            sub("${SECRET      } $${} ${ TOKEN }").unwrap(),
            "my-secret ${} my-token"
        );
        assert_eq!(
            sub("foo ${SECRET} ${SECRET}").unwrap(),
            "foo my-secret my-secret"
        );
        assert_eq!(
            sub("no references, just $ signs $").unwrap(),
            "no references, just $ signs $"
        );
    }

    #[test]
    fn escapes_yield_literal_references() {
        assert_eq!(
            sub("foo ${SECRET} $$${ESCAPE_ME}").unwrap(),
            "foo my-secret $${ESCAPE_ME}"
        );
        assert_eq!(
            sub("foo $${ESCAPE_ME} $$${ESCAPE_ME_TOO} $${}").unwrap(),
            "foo ${ESCAPE_ME} $${ESCAPE_ME_TOO} ${}"
        );
    }

    #[test]
    fn fallbacks_apply_when_unset_or_empty() {
        assert_eq!(sub("${MISSING:-dflt}").unwrap(), "dflt");
        assert_eq!(sub("${EMPTY:-dflt}").unwrap(), "dflt");
        assert_eq!(sub("${SECRET:-dflt}").unwrap(), "my-secret");
        assert_eq!(sub("x${MISSING:-}y").unwrap(), "xy");
        assert_eq!(sub("${EMPTY}").unwrap(), "");
    }

    #[test]
    fn unset_variables_and_empty_names_are_reported() {
        assert_eq!(
            sub("foo ${MISSING} ${SECRET}"),
            Err(Unresolved::Unset("MISSING".into()))
        );
        assert_eq!(sub("empty ${}"), Err(Unresolved::EmptyName));
    }

    #[test]
    fn braces_inside_are_not_references() {
        assert_eq!(
            sub("${{ parameters.name }} and ${SECRET}").unwrap(),
            "${{ parameters.name }} and my-secret"
        );
        assert_eq!(sub("${unterminated").unwrap(), "${unterminated");
    }

    #[test]
    fn env_lookup_reports_unset() {
        assert_eq!(lookup(" TOKEN ", &env()).unwrap(), "my-token");
        assert_eq!(
            lookup("NOPE", &env()),
            Err(Unresolved::Unset("NOPE".into()))
        );
    }
}
