//! Backstage's field-format policy: the exact character rules for names,
//! namespaces, kinds, apiVersions, label and annotation keys and values,
//! tags and link URLs (`KubernetesValidatorFunctions`,
//! `FieldFormatEntityPolicy`). Runs after the envelope schema, so the types
//! of these fields are already known to be right.
//!
//! One deliberate difference: link URLs with a `javascript:`, `data:` or
//! `vbscript:` scheme are rejected (Backstage accepts any absolute URL).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::Issue;
use crate::display::{field_name, quote};
use crate::pointer::{push_index, push_token};

const NAME_EXPECTATION: &str = "a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total";
const DNS_LABEL_EXPECTATION: &str =
    "a string that is sequences of [a-z0-9] separated by [-], at most 63 characters in total";
const PREFIX_SUFFIX_EXPECTATION: &str = "a valid prefix and/or suffix";
const KIND_EXPECTATION: &str =
    "a string that is a sequence of [a-zA-Z][a-z0-9A-Z], at most 63 characters in total";
const TAG_EXPECTATION: &str =
    "a string that is sequences of [a-z0-9:+#] separated by [-], at most 63 characters in total";

/// Schemes refused in `metadata.links[].url`: they run code or embed
/// content when a person clicks the link.
const UNSAFE_LINK_SCHEMES: &[&str] = &["javascript", "data", "vbscript"];

fn regex(pattern: &str) -> Regex {
    // The patterns are literals of this module, covered by the tests below;
    // an invalid one is a build defect, so failing loudly on first use is right.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("format patterns are valid regular expressions")
}

static OBJECT_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$"));
static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$"));
static KIND: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-zA-Z][a-z0-9A-Z]*$"));
static API_VERSION_SUFFIX: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9A-Z]+$"));
static TAG: LazyLock<Regex> = LazyLock::new(|| regex(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"));

fn length_ok(s: &str, max: usize) -> bool {
    // Backstage measures JavaScript string length (UTF-16 units); the
    // patterns only admit ASCII, where both agree.
    (1..=max).contains(&s.len())
}

/// Entity names: 1–63 characters, `[A-Za-z0-9]` groups joined by `-_.`.
pub(crate) fn is_valid_object_name(s: &str) -> bool {
    length_ok(s, 63) && OBJECT_NAME.is_match(s)
}

/// Namespaces and DNS labels: lower case, 1–63 characters.
pub(crate) fn is_valid_dns_label(s: &str) -> bool {
    length_ok(s, 63) && DNS_LABEL.is_match(s)
}

fn is_valid_dns_subdomain(s: &str) -> bool {
    length_ok(s, 253) && s.split('.').all(is_valid_dns_label)
}

/// `[prefix/]suffix` with at most one `/`.
fn is_valid_prefix_and_or_suffix(
    s: &str,
    prefix_ok: fn(&str) -> bool,
    suffix_ok: fn(&str) -> bool,
) -> bool {
    let mut parts = s.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(suffix), None, None) => suffix_ok(suffix),
        (Some(prefix), Some(suffix), None) => prefix_ok(prefix) && suffix_ok(suffix),
        _ => false,
    }
}

pub(crate) fn is_valid_kind(s: &str) -> bool {
    length_ok(s, 63) && KIND.is_match(s)
}

pub(crate) fn is_valid_api_version(s: &str) -> bool {
    is_valid_prefix_and_or_suffix(s, is_valid_dns_subdomain, |suffix| {
        length_ok(suffix, 63) && API_VERSION_SUFFIX.is_match(suffix)
    })
}

/// Label and annotation keys.
pub(crate) fn is_valid_key(s: &str) -> bool {
    is_valid_prefix_and_or_suffix(s, is_valid_dns_subdomain, is_valid_object_name)
}

fn is_valid_label_value(s: &str) -> bool {
    s.is_empty() || is_valid_object_name(s)
}

pub(crate) fn is_valid_tag(s: &str) -> bool {
    length_ok(s, 63) && TAG.is_match(s)
}

fn not_valid(pointer: &str, expectation: &str, found: &str) -> Issue {
    Issue::new(
        pointer,
        format!(
            "\"{}\" is not valid; expected {expectation} but found {}",
            field_name(pointer),
            quote(found)
        ),
    )
}

fn check_str(
    issues: &mut Vec<Issue>,
    pointer: &str,
    value: Option<&Value>,
    valid: fn(&str) -> bool,
    expectation: &str,
) {
    match value {
        Some(Value::String(s)) if valid(s) => {}
        Some(Value::String(s)) => issues.push(not_valid(pointer, expectation, s)),
        // Absent optional fields are fine; wrong types were reported by the schema.
        _ => {}
    }
}

/// Runs every field-format rule; reports all violations, not just the first.
pub(crate) fn check_formats(entity: &Value) -> Vec<Issue> {
    let mut issues = Vec::new();
    check_str(
        &mut issues,
        "/apiVersion",
        entity.get("apiVersion"),
        is_valid_api_version,
        "a valid prefix and/or suffix, like \"backstage.io/v1alpha1\"",
    );
    check_str(
        &mut issues,
        "/kind",
        entity.get("kind"),
        is_valid_kind,
        KIND_EXPECTATION,
    );
    let Some(metadata) = entity.get("metadata") else {
        return issues;
    };
    check_str(
        &mut issues,
        "/metadata/name",
        metadata.get("name"),
        is_valid_object_name,
        NAME_EXPECTATION,
    );
    check_str(
        &mut issues,
        "/metadata/namespace",
        metadata.get("namespace"),
        is_valid_dns_label,
        DNS_LABEL_EXPECTATION,
    );
    if let Some(Value::Object(labels)) = metadata.get("labels") {
        for (key, value) in labels {
            let pointer = push_token("/metadata/labels", key);
            if !is_valid_key(key) {
                issues.push(key_not_valid(&pointer, key));
            }
            if let Value::String(v) = value
                && !is_valid_label_value(v)
            {
                issues.push(not_valid(&pointer, NAME_EXPECTATION, v));
            }
        }
    }
    if let Some(Value::Object(annotations)) = metadata.get("annotations") {
        for (key, value) in annotations {
            let pointer = push_token("/metadata/annotations", key);
            if !is_valid_key(key) {
                issues.push(key_not_valid(&pointer, key));
            }
            if !value.is_string() {
                issues.push(Issue::new(
                    &pointer,
                    format!(
                        "\"{}\" is not valid; expected a string but found {}",
                        field_name(&pointer),
                        crate::display::describe(value)
                    ),
                ));
            }
        }
    }
    if let Some(Value::Array(tags)) = metadata.get("tags") {
        for (i, tag) in tags.iter().enumerate() {
            check_str(
                &mut issues,
                &push_index("/metadata/tags", i),
                Some(tag),
                is_valid_tag,
                TAG_EXPECTATION,
            );
        }
    }
    if let Some(Value::Array(links)) = metadata.get("links") {
        for (i, link) in links.iter().enumerate() {
            let pointer = push_index("/metadata/links", i);
            if let Some(Value::String(url)) = link.get("url")
                && let Some(issue) = check_link_url(&push_token(&pointer, "url"), url)
            {
                issues.push(issue);
            }
            for optional in ["title", "icon"] {
                if let Some(Value::String(s)) = link.get(optional)
                    && s.trim().is_empty()
                {
                    let p = push_token(&pointer, optional);
                    issues.push(not_valid(&p, "a non empty string", s));
                }
            }
        }
    }
    issues
}

fn key_not_valid(pointer: &str, key: &str) -> Issue {
    Issue::new(
        pointer,
        format!(
            "\"{}\" is not valid; expected the key to be {PREFIX_SUFFIX_EXPECTATION} (an optional DNS subdomain and \"/\", then {NAME_EXPECTATION}) but found {}",
            field_name(pointer),
            quote(key)
        ),
    )
}

fn check_link_url(pointer: &str, url: &str) -> Option<Issue> {
    match url::Url::parse(url) {
        Err(_) => Some(not_valid(
            pointer,
            "a string that is a valid absolute url",
            url,
        )),
        Ok(parsed) if UNSAFE_LINK_SCHEMES.contains(&parsed.scheme()) => Some(Issue::new(
            pointer,
            format!(
                "\"{}\" is not allowed; links with a \"{}:\" scheme can run code or embed content when clicked, use an http(s) URL instead (found {})",
                field_name(pointer),
                parsed.scheme(),
                quote(url)
            ),
        )),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "a-b_c.d", "LoremService", "x1", &"a".repeat(63)] {
            assert!(is_valid_object_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a b",
            "invalid component",
            "ä",
            &"a".repeat(64),
        ] {
            assert!(!is_valid_object_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_and_kinds() {
        assert!(is_valid_dns_label("my-ns"));
        assert!(is_valid_dns_label("a--b"));
        assert!(!is_valid_dns_label("My-Ns"));
        assert!(!is_valid_dns_label("a_b"));
        assert!(is_valid_kind("AiResource"));
        assert!(!is_valid_kind("1Kind"));
        assert!(!is_valid_kind("my-kind"));
    }

    #[test]
    fn api_versions() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("1.0"));
        assert!(!is_valid_api_version("a/b/c"));
        assert!(!is_valid_api_version("Backstage.io/v1"));
    }

    #[test]
    fn keys_and_tags() {
        assert!(is_valid_key("backstage.io/managed-by-location"));
        assert!(is_valid_key("goVersion"));
        assert!(!is_valid_key("a/b/c"));
        assert!(!is_valid_key("bad prefix/x"));
        assert!(is_valid_tag("c++"));
        assert!(is_valid_tag("lang:go"));
        assert!(is_valid_tag("c#"));
        assert!(!is_valid_tag("Java"));
        assert!(!is_valid_tag("go 1.15.3"));
        assert!(!is_valid_tag("a--b"));
    }

    #[test]
    fn link_urls() {
        assert!(check_link_url("/u", "https://example.com/x").is_none());
        assert!(check_link_url("/u", "mailto:team@example.com").is_none());
        assert!(check_link_url("/u", "/relative").is_some());
        let issue = check_link_url("/metadata/links/0/url", " JavaScript:alert(1)").unwrap();
        assert!(
            issue.message.contains("\"javascript:\" scheme"),
            "{}",
            issue.message
        );
        assert!(check_link_url("/u", "data:text/html,<b>x</b>").is_some());
    }
}
