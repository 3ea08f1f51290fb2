//! Where every value of the merged configuration came from.
//!
//! Config values travel far from their file (includes, layering, environment
//! overrides) before a typed reader looks at them, so each node's origin is
//! recorded on the way in. Error messages and warnings then name the key in
//! Backstage's dotted form and point at the file and line that set it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Where one value of the merged configuration was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A config file, or a file one of them included; `line` is 1-based and
    /// unknown for JSON includes.
    File {
        /// The file as it was named (relative paths stay relative).
        path: PathBuf,
        /// 1-based line of the value, when known.
        line: Option<usize>,
    },
    /// An `APP_CONFIG_*` environment variable.
    Environment {
        /// Name of the variable.
        var: String,
    },
    /// Nobody set it: Greenroom's built-in default applies.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File {
                path,
                line: Some(line),
            } => write!(f, "{} line {line}", path.display()),
            Source::File { path, line: None } => write!(f, "{}", path.display()),
            Source::Environment { var } => write!(f, "environment variable {var}"),
            Source::Default => f.write_str("built-in default"),
        }
    }
}

/// One step of a path into the configuration tree.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A path into the configuration tree, printable both as Backstage's dotted
/// key (`catalog.locations[2].target`) and as a JSON pointer
/// (`/catalog/locations/2/target`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The root of the configuration.
    pub(crate) fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// The path of `key` below this one.
    pub(crate) fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        KeyPath(segments)
    }

    /// The path of list item `index` below this one.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        KeyPath(segments)
    }

    /// JSON pointer form (RFC 6901), the key of [`Origins`].
    pub(crate) fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            out.push('/');
            match segment {
                Segment::Key(key) => out.push_str(&escape_pointer(key)),
                Segment::Index(index) => out.push_str(&index.to_string()),
            }
        }
        out
    }

    /// Last key name on the path, ignoring list indices.
    pub(crate) fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|segment| match segment {
            Segment::Key(key) => Some(key.as_str()),
            Segment::Index(_) => None,
        })
    }

    /// Whether any key on the path names a secret (see [`crate::secret`]).
    pub(crate) fn is_secret(&self) -> bool {
        self.0.iter().any(|segment| match segment {
            Segment::Key(key) => crate::secret::is_secret_key(key),
            Segment::Index(_) => false,
        })
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("<top level>");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Origins of the nodes of one configuration tree, keyed by JSON pointer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins(BTreeMap<String, Source>);

impl Origins {
    /// Records where the node at `pointer` came from.
    pub(crate) fn insert(&mut self, pointer: String, source: Source) {
        self.0.insert(pointer, source);
    }

    /// Origin of the node at `pointer`, or of its nearest recorded ancestor
    /// (a missing key is reported at the mapping that lacks it).
    pub(crate) fn locate(&self, pointer: &str) -> Source {
        let mut current = pointer;
        loop {
            if let Some(source) = self.0.get(current) {
                return source.clone();
            }
            match current.rfind('/') {
                Some(cut) => current = &current[..cut],
                None => return Source::Default,
            }
        }
    }

    /// Forgets the node at `pointer` and everything below it.
    pub(crate) fn remove_subtree(&mut self, pointer: &str) {
        self.0.remove(pointer);
        let prefix = format!("{pointer}/");
        let doomed: Vec<String> = self
            .0
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(key, _)| key.clone())
            .collect();
        for key in doomed {
            self.0.remove(&key);
        }
    }

    /// Takes over every entry of `other`, replacing existing ones.
    pub(crate) fn extend(&mut self, other: Origins) {
        self.0.extend(other.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_path_prints_dotted_and_pointer_forms() {
        let path = KeyPath::root()
            .key("catalog")
            .key("locations")
            .index(2)
            .key("a/b~c");
        assert_eq!(path.to_string(), "catalog.locations[2].a/b~c");
        assert_eq!(path.pointer(), "/catalog/locations/2/a~1b~0c");
        assert_eq!(KeyPath::root().to_string(), "<top level>");
    }

    #[test]
    fn locate_falls_back_to_the_nearest_ancestor() {
        let mut origins = Origins::default();
        let file = |line| Source::File {
            path: "a.yaml".into(),
            line: Some(line),
        };
        origins.insert("/backend".into(), file(1));
        origins.insert("/backend/listen".into(), file(2));
        assert_eq!(origins.locate("/backend/listen/port"), file(2));
        assert_eq!(origins.locate("/backend/baseUrl"), file(1));
        assert_eq!(origins.locate("/catalog"), Source::Default);
    }

    #[test]
    fn remove_subtree_keeps_siblings_with_a_common_prefix() {
        let mut origins = Origins::default();
        let file = Source::File {
            path: "a.yaml".into(),
            line: None,
        };
        for pointer in ["/a", "/a/0", "/a/1/x", "/ab", "/b"] {
            origins.insert(pointer.into(), file.clone());
        }
        origins.remove_subtree("/a");
        assert_eq!(origins.locate("/a/1/x"), Source::Default);
        assert_eq!(origins.locate("/ab"), file);
        assert_eq!(origins.locate("/b"), file);
    }
}
