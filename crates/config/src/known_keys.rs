//! Warnings for config keys Greenroom will not act on, so nothing is ignored
//! silently.
//!
//! The table in `known_keys.txt` lists the keys Backstage's packages know
//! and marks those Greenroom uses. After loading, the merged tree is walked
//! against it, giving two kinds of warning:
//! - a key nobody knows (likely a typo), with the closest known sibling as a
//!   suggestion (`catalog.orphanStategy` → `catalog.orphanStrategy`);
//! - a Backstage setting Greenroom does not use yet (`app.title`,
//!   `techdocs`), reported once at the outermost such key.

use std::fmt;
use std::path::PathBuf;
use std::sync::LazyLock;

use serde_json::Value;

use crate::origin::{KeyPath, Origins, Source};

/// A key of the loaded configuration that Greenroom will not act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// Dotted config key.
    pub key: String,
    /// Which kind of warning this is.
    pub kind: WarningKind,
    /// Human-readable explanation.
    pub message: String,
    /// File that set the key, when a file did.
    pub file: Option<PathBuf>,
    /// 1-based line in `file`, when known.
    pub line: Option<usize>,
}

/// The two kinds of [`ConfigWarning`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// Neither Greenroom nor Backstage knows the key; `suggestion` is the
    /// dotted key of the closest known one, if any is close.
    Unknown {
        /// Likely intended key.
        suggestion: Option<String>,
    },
    /// A Backstage setting Greenroom does not use yet.
    NotUsedYet,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)?;
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, " ({} line {line})", file.display()),
            (Some(file), None) => write!(f, " ({})", file.display()),
            _ => Ok(()),
        }
    }
}

/// One key of the table.
#[derive(Debug, Default)]
struct KeyNode {
    name: String,
    /// Marked `+`: Greenroom acts on it.
    used: bool,
    /// It or a key below it is used by Greenroom.
    any_used: bool,
    children: Vec<KeyNode>,
}

impl KeyNode {
    fn child(&self, name: &str) -> Option<&KeyNode> {
        self.children
            .iter()
            .find(|child| child.name == name)
            .or_else(|| self.children.iter().find(|child| child.name == "*"))
    }
}

static TABLE: LazyLock<KeyNode> = LazyLock::new(|| parse_table(include_str!("known_keys.txt")));

/// Units of a Backstage duration object (`key @duration` in the table).
const DURATION_UNITS: [&str; 8] = [
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
];

/// Parses the indented table. Malformed indentation attaches a line to the
/// nearest shallower key, so parsing cannot fail; a unit test checks the
/// table's shape.
fn parse_table(text: &str) -> KeyNode {
    let mut root = KeyNode::default();
    // Path of child indices from the root to the last key read, by depth.
    let mut path: Vec<usize> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let depth = (line.len() - line.trim_start().len()) / 2;
        let mut entry = line.trim();
        let duration = entry.ends_with(" @duration");
        if duration {
            entry = entry.trim_end_matches(" @duration");
        }
        let used = entry.starts_with('+');
        let name = entry.trim_start_matches('+').to_owned();
        let mut node = KeyNode {
            name,
            used,
            ..KeyNode::default()
        };
        if duration {
            node.children = DURATION_UNITS
                .iter()
                .map(|unit| KeyNode {
                    name: (*unit).to_owned(),
                    used,
                    ..KeyNode::default()
                })
                .collect();
        }
        path.truncate(depth);
        let mut parent = &mut root;
        for &index in &path {
            parent = &mut parent.children[index];
        }
        parent.children.push(node);
        path.push(parent.children.len() - 1);
    }
    mark_any_used(&mut root);
    root
}

fn mark_any_used(node: &mut KeyNode) -> bool {
    let mut any = node.used;
    for child in &mut node.children {
        any |= mark_any_used(child);
    }
    node.any_used = any;
    any
}

/// Walks the merged tree and reports every key Greenroom will not act on.
pub(crate) fn check(root: &Value, origins: &Origins) -> Vec<ConfigWarning> {
    let mut warnings = Vec::new();
    walk(
        root,
        &TABLE,
        &KeyPath::root(),
        false,
        origins,
        &mut warnings,
    );
    warnings
}

fn walk(
    value: &Value,
    known: &KeyNode,
    path: &KeyPath,
    inside_unused: bool,
    origins: &Origins,
    warnings: &mut Vec<ConfigWarning>,
) {
    match value {
        Value::Object(map) => {
            for (key, child_value) in map {
                let child_path = path.key(key);
                let Some(child_known) = known.child(key) else {
                    let suggestion = suggest(known, key).map(|name| match path.last_key() {
                        Some(_) => format!("{path}.{name}"),
                        None => name.to_owned(),
                    });
                    let message = match (&suggestion, path.last_key()) {
                        (Some(suggestion), _) => {
                            format!("unknown setting, ignored; did you mean {suggestion}?")
                        }
                        (None, None) => "unknown section, ignored: neither a Greenroom setting nor one of the Backstage core settings Greenroom knows (plugin settings are not used)".to_owned(),
                        (None, Some(_)) => "unknown setting, ignored".to_owned(),
                    };
                    warnings.push(warning(
                        &child_path,
                        WarningKind::Unknown { suggestion },
                        message,
                        origins,
                    ));
                    continue;
                };
                let unused_here = !inside_unused && !child_known.any_used;
                if unused_here {
                    warnings.push(warning(
                        &child_path,
                        WarningKind::NotUsedYet,
                        "recognised Backstage setting, not used by Greenroom yet".to_owned(),
                        origins,
                    ));
                }
                if !child_known.children.is_empty() {
                    walk(
                        child_value,
                        child_known,
                        &child_path,
                        inside_unused || unused_here,
                        origins,
                        warnings,
                    );
                }
            }
        }
        Value::Array(items) => {
            let Some(item_known) = known.children.iter().find(|child| child.name == "[]") else {
                return;
            };
            for (index, item) in items.iter().enumerate() {
                walk(
                    item,
                    item_known,
                    &path.index(index),
                    inside_unused,
                    origins,
                    warnings,
                );
            }
        }
        _ => {}
    }
}

fn warning(path: &KeyPath, kind: WarningKind, message: String, origins: &Origins) -> ConfigWarning {
    let (file, line) = match origins.locate(&path.pointer()) {
        Source::File { path, line } => (Some(path), line),
        _ => (None, None),
    };
    ConfigWarning {
        key: path.to_string(),
        kind,
        message,
        file,
        line,
    }
}

/// The known sibling closest to `key`, if it is close enough to be a typo.
fn suggest<'t>(known: &'t KeyNode, key: &str) -> Option<&'t str> {
    let key_lower = key.to_ascii_lowercase();
    known
        .children
        .iter()
        .filter(|child| child.name != "*" && child.name != "[]")
        .map(|child| {
            (
                edit_distance(&key_lower, &child.name.to_ascii_lowercase()),
                child,
            )
        })
        .filter(|(distance, child)| *distance <= (child.name.chars().count() / 4).clamp(1, 3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, child)| child.name.as_str())
}

/// Levenshtein distance, counting characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'t>(path: &[&str]) -> Option<&'t KeyNode> {
        let mut node: &KeyNode = &TABLE;
        for part in path {
            node = node.children.iter().find(|child| child.name == *part)?;
        }
        Some(node)
    }

    #[test]
    fn table_has_the_expected_shape() {
        for top in [
            "app",
            "backend",
            "catalog",
            "integrations",
            "auth",
            "techdocs",
            "scaffolder",
        ] {
            assert!(find(&[top]).is_some(), "{top}");
        }
        let port = find(&["backend", "listen", "port"]).unwrap();
        assert!(port.used);
        let interval = find(&["catalog", "processingInterval", "minutes"]).unwrap();
        assert!(interval.used);
        let spec_type = find(&["catalog", "rules", "[]", "allow", "[]", "spec.type"]).unwrap();
        assert!(spec_type.used);
        assert!(!find(&["backend", "cors"]).unwrap().any_used);
        assert!(find(&["backend"]).unwrap().any_used);
        assert!(!find(&["app"]).unwrap().any_used);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("orphanstategy", "orphanstrategy"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
