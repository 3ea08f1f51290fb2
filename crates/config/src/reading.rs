//! `backend.reading.allow`: which URLs outside the SCM integrations the
//! backend may fetch with plain HTTP (SURVEY §4.2).
//!
//! - `host` is an exact host name, or `*.suffix` for subdomains of `suffix`
//!   (never `suffix` itself). It may carry `:port` or a range
//!   `:3000-3005`; without one only URLs on the scheme's default port match.
//! - `paths`, when present, limits the entry to these paths: each matches
//!   itself and anything below it at a segment boundary (`/docs` allows
//!   `/docs` and `/docs/a`, not `/docs2`); with a trailing slash only what is
//!   below (`/docs/` allows `/docs/a`, not `/docs`). Both sides are
//!   normalised first, so `..` cannot climb out of an allowed path.
//! - No list, or an empty one, allows nothing. Only `http` and `https` URLs
//!   are ever allowed.

use url::Url;

use crate::error::ConfigError;
use crate::typed::Node;

/// The parsed allow list, with its matcher.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingAllowList {
    entries: Vec<AllowEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowEntry {
    host: HostPattern,
    /// Inclusive port range; `None` means "default port only".
    ports: Option<(u16, u16)>,
    /// Normalised allowed paths; `None` allows every path.
    paths: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// Lower-cased host as `Url::host_str` prints it (IPv6 in brackets).
    Exact(String),
    /// Lower-cased `.suffix`, matching hosts that end with it.
    Subdomains(String),
}

const HOST_EXPECTED: &str =
    "a host name or '*.domain', optionally followed by ':port' or ':first-last'";

impl ReadingAllowList {
    /// Whether the backend may fetch `url`.
    pub fn is_allowed(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let path = normalize_url_path(url.path());
        self.entries
            .iter()
            .any(|entry| entry.matches(&host, url, &path))
    }

    /// Whether the list allows nothing at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn read(node: &Node<'_>) -> Result<Self, ConfigError> {
        node.expect_mapping()?;
        let Some(items) = node.get("allow").opt_list()? else {
            return Ok(ReadingAllowList::default());
        };
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            item.expect_mapping()?;
            if !item.is_set() {
                return Err(item.invalid("a mapping with host and optional paths"));
            }
            let host_node = item.get("host");
            let (host, ports) =
                parse_host(host_node.req_str()?).ok_or_else(|| host_node.invalid(HOST_EXPECTED))?;
            let paths_node = item.get("paths");
            let paths = paths_node
                .opt_str_list()?
                .map(|paths| {
                    paths
                        .into_iter()
                        .map(|path| {
                            if path.starts_with('/') {
                                Ok(normalize_url_path(path))
                            } else {
                                Err(paths_node
                                    .invalid("a list of absolute paths (starting with '/')"))
                            }
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?;
            entries.push(AllowEntry { host, ports, paths });
        }
        Ok(ReadingAllowList { entries })
    }
}

impl AllowEntry {
    fn matches(&self, host: &str, url: &Url, path: &str) -> bool {
        let host_ok = match &self.host {
            HostPattern::Exact(exact) => host == exact,
            HostPattern::Subdomains(suffix) => host.ends_with(suffix.as_str()),
        };
        let port_ok = match self.ports {
            // `Url::port` is `None` when the URL uses its scheme's default.
            None => url.port().is_none(),
            Some((first, last)) => url
                .port_or_known_default()
                .is_some_and(|port| (first..=last).contains(&port)),
        };
        let path_ok = match &self.paths {
            None => true,
            Some(paths) => paths.iter().any(|allowed| path_allows(allowed, path)),
        };
        host_ok && port_ok && path_ok
    }
}

/// Whether `allowed` (normalised) admits the normalised request `path`.
fn path_allows(allowed: &str, path: &str) -> bool {
    if allowed.ends_with('/') {
        path.starts_with(allowed)
    } else {
        path == allowed
            || path
                .strip_prefix(allowed)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Parses `host`, `*.suffix`, `[v6]`, each optionally with `:port` or
/// `:first-last`.
fn parse_host(text: &str) -> Option<(HostPattern, Option<(u16, u16)>)> {
    let text = text.trim().to_ascii_lowercase();
    let (name, port) = if let Some(rest) = text.strip_prefix('[') {
        let close = rest.find(']')?;
        let name = format!("[{}]", &rest[..close]);
        match &rest[close + 1..] {
            "" => (name, None),
            tail => (name, Some(tail.strip_prefix(':')?.to_owned())),
        }
    } else {
        match text.split_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port.to_owned())),
            None => (text.clone(), None),
        }
    };
    let ports = match port {
        None => None,
        Some(port) => Some(parse_ports(&port)?),
    };
    let host = match name.strip_prefix("*.") {
        Some(suffix) if is_host_name(suffix) => HostPattern::Subdomains(format!(".{suffix}")),
        Some(_) => return None,
        None if name.starts_with('[') || is_host_name(&name) => HostPattern::Exact(name),
        None => return None,
    };
    Some((host, ports))
}

fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn parse_ports(text: &str) -> Option<(u16, u16)> {
    let (first, last) = match text.split_once('-') {
        Some((first, last)) => (first.parse().ok()?, last.parse().ok()?),
        None => {
            let port = text.parse().ok()?;
            (port, port)
        }
    };
    (first > 0 && first <= last).then_some((first, last))
}

/// Normalises a URL path like Node's `path.posix.normalize`: collapses
/// repeated slashes, drops `.` segments and resolves `..` (never above the
/// root); a trailing slash is kept.
fn normalize_url_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_paths() {
        assert_eq!(normalize_url_path("/a/b/../c"), "/a/c");
        assert_eq!(normalize_url_path("//a///b/"), "/a/b/");
        assert_eq!(normalize_url_path("/a/.."), "/");
        assert_eq!(normalize_url_path("/../../x"), "/x");
        assert_eq!(normalize_url_path(""), "/");
    }

    #[test]
    fn parses_hosts_and_ports() {
        assert_eq!(
            parse_host("Example.com:3000-3005"),
            Some((HostPattern::Exact("example.com".into()), Some((3000, 3005))))
        );
        assert_eq!(
            parse_host("*.example.com"),
            Some((HostPattern::Subdomains(".example.com".into()), None))
        );
        assert_eq!(
            parse_host("[::1]:8080"),
            Some((HostPattern::Exact("[::1]".into()), Some((8080, 8080))))
        );
        for bad in [
            "",
            "prod.*.example.com",
            "*",
            "a.com:",
            "a.com:x",
            "a.com:5-3",
            "a.com:0",
            "a.com:1:2",
        ] {
            assert_eq!(parse_host(bad), None, "{bad}");
        }
    }
}
