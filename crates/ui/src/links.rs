//! Which catalog-supplied URLs may become links.
//!
//! Catalog values are written by anyone who can commit a YAML file, so a
//! `links[].url` of `javascript:alert(1)` must stay text. Only absolute
//! `http`, `https` and `mailto` URLs are linked; relative URLs and every
//! other scheme are refused (callers then show the value as plain text).

/// `url` when it may be used as an `href`, `None` otherwise.
pub fn safe_href(url: &str) -> Option<&str> {
    let trimmed = url.trim();
    if trimmed.is_empty() || trimmed.len() > 4096 || trimmed.chars().any(char::is_control) {
        return None;
    }
    let (scheme, rest) = trimmed.split_once(':')?;
    let allowed = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => rest.starts_with("//") && rest.len() > 2,
        "mailto" => !rest.is_empty(),
        _ => false,
    };
    allowed.then_some(trimmed)
}

/// Encodes `value` for one path segment or query value of a URL we build
/// (entity names may hold characters that mean something in a URL).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_and_mail_links_are_allowed() {
        assert_eq!(
            safe_href("https://example.com/x"),
            Some("https://example.com/x")
        );
        assert_eq!(
            safe_href(" HTTP://example.com "),
            Some("HTTP://example.com")
        );
        assert_eq!(
            safe_href("mailto:team@example.com"),
            Some("mailto:team@example.com")
        );
    }

    #[test]
    fn script_and_odd_schemes_are_refused() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "//evil.example.com",
            "/relative/path",
            "https:",
            "https:evil",
            "",
        ] {
            assert_eq!(safe_href(url), None, "{url:?} must not be linked");
        }
    }

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode_component("plain-name_1.x"), "plain-name_1.x");
    }
}
