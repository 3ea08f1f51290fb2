//! Keeping secrets out of logs: the [`Secret`] wrapper for typed values and
//! redaction of the raw configuration tree.
//!
//! A key counts as secret when its name contains (ignoring case) one of
//! `password`, `passphrase`, `secret`, `token`, `privateKey`, `apiKey`,
//! `accountKey`, `credential` or `connectionString`, which covers Backstage's
//! `clientSecret`, `webhookSecret`, `personalAccessToken`, `sasToken`,
//! `credentials` and friends. Secret keys lose their whole value. Elsewhere
//! the password of a URL (`postgres://u:pw@h/db`) is blanked.

use std::fmt;

use serde_json::Value;

/// Text shown in place of a secret.
pub const REDACTED: &str = "<redacted>";

/// Fragments of key names that mark a secret, lower-cased.
const SECRET_KEY_PARTS: [&str; 9] = [
    "password",
    "passphrase",
    "secret",
    "token",
    "privatekey",
    "apikey",
    "accountkey",
    "credential",
    "connectionstring",
];

/// A value that must not appear in logs: `Debug` and `Display` print
/// `<redacted>`. Use [`Secret::expose`] where the value is really needed.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret itself.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Whether a config key's name marks a secret value.
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|part| lower.contains(part))
}

/// A copy of `value` with every secret replaced by `<redacted>`.
pub(crate) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let child = if is_secret_key(key) && !child.is_null() {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact(child)
                    };
                    (key.clone(), child)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(text) => Value::String(redact_url_password(text)),
        other => other.clone(),
    }
}

/// `text` with the password of a `scheme://user:password@host` URL blanked;
/// other text is returned unchanged.
pub fn redact_url_password(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let scheme = &text[..scheme_end];
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return text.to_owned();
    }
    let authority_start = scheme_end + 3;
    let authority_len = text[authority_start..]
        .find(['/', '?', '#'])
        .unwrap_or(text.len() - authority_start);
    let authority = &text[authority_start..authority_start + authority_len];
    let Some(at) = authority.rfind('@') else {
        return text.to_owned();
    };
    let Some(colon) = authority[..at].find(':') else {
        return text.to_owned();
    };
    let password_start = authority_start + colon + 1;
    let password_end = authority_start + at;
    format!(
        "{}{REDACTED}{}",
        &text[..password_start],
        &text[password_end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_prints_redacted() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?} {secret}"), "<redacted> <redacted>");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn secret_keys_are_recognised_ignoring_case() {
        for key in [
            "password",
            "clientSecret",
            "webhookSecret",
            "token",
            "personalAccessToken",
            "privateKey",
            "apiKey",
            "credentials",
            "PASSWORD",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["host", "user", "clientId", "baseUrl", "appId"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn url_passwords_are_blanked() {
        assert_eq!(
            redact_url_password("postgres://u:pw@h/db"),
            "postgres://u:<redacted>@h/db"
        );
        assert_eq!(
            redact_url_password("postgresql://u:p%40ss@h:5432/db?sslmode=require"),
            "postgresql://u:<redacted>@h:5432/db?sslmode=require"
        );
        assert_eq!(
            redact_url_password("https://user@host/x"),
            "https://user@host/x"
        );
        assert_eq!(
            redact_url_password("https://host/a:b@c"),
            "https://host/a:b@c"
        );
        assert_eq!(redact_url_password("plain text: a@b"), "plain text: a@b");
    }

    #[test]
    fn redact_walks_the_tree() {
        let value = json!({
            "integrations": {"github": [{"host": "github.com", "token": "ghp_x"}]},
            "backend": {"database": {"connection": "postgres://u:pw@h/db"}},
            "auth": {"providers": {"github": {"development": {"clientId": "id", "clientSecret": "s"}}}}
        });
        assert_eq!(
            redact(&value),
            json!({
                "integrations": {"github": [{"host": "github.com", "token": "<redacted>"}]},
                "backend": {"database": {"connection": "postgres://u:<redacted>@h/db"}},
                "auth": {"providers": {"github": {"development": {"clientId": "id", "clientSecret": "<redacted>"}}}}
            })
        );
    }
}
