//! Where each node of a parsed document came from, stored compactly.
//!
//! Parsing is on the catalog's hot path and error reporting is not, so the
//! map keeps one small fixed-size entry per node in document order plus one
//! shared buffer of mapping keys, and resolves JSON pointers only when asked.
//! No pointer string is ever built while parsing.

use crate::Position;

/// Marks an entry whose parent is a sequence: `key` then holds the index.
const SEQUENCE_ITEM: u32 = u32::MAX;
/// Parent of the root entry.
const NO_PARENT: u32 = u32::MAX;

/// One node: its position, how its parent names it, and where its subtree
/// ends (entries are in document order, so a subtree is a contiguous range).
#[derive(Debug, Clone, Copy)]
struct Entry {
    parent: u32,
    /// Offset of the mapping key in `keys`, or the sequence index.
    key: u32,
    /// Length of the mapping key, or [`SEQUENCE_ITEM`].
    key_len: u32,
    line: u32,
    column: u32,
    /// One past the last entry of this node's subtree.
    end: u32,
}

/// Where each node of one document came from, keyed by JSON pointer
/// (`""` is the document root, `/spec/owner`, `/metadata/tags/0`).
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    entries: Vec<Entry>,
    keys: String,
}

/// How a node is reached from its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SourceMap {
    /// Position of the node at `pointer`, or of its nearest ancestor that
    /// exists (so a missing required field points at the object lacking it).
    ///
    /// Returns `None` for an empty map or a string that is not a JSON pointer
    /// (non-empty and not starting with `/`).
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        let (node, _) = self.find(pointer)?;
        Some(self.position_of(node))
    }

    /// Position of the node at `pointer` only if that exact node exists.
    pub fn locate_exact(&self, pointer: &str) -> Option<Position> {
        match self.find(pointer)? {
            (node, true) => Some(self.position_of(node)),
            (_, false) => None,
        }
    }

    /// Number of nodes with a recorded position.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no position was recorded (an empty document).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The deepest existing node on the path of `pointer`, and whether it is
    /// the node the pointer names.
    fn find(&self, pointer: &str) -> Option<(u32, bool)> {
        if self.entries.is_empty() {
            return None;
        }
        if pointer.is_empty() {
            return Some((0, true));
        }
        let rest = pointer.strip_prefix('/')?;
        let mut node = 0_u32;
        for raw in rest.split('/') {
            let segment = unescape(raw);
            match self.child(node, &segment) {
                Some(child) => node = child,
                None => return Some((node, false)),
            }
        }
        Some((node, true))
    }

    /// The child of `node` named by the pointer segment `segment`.
    fn child(&self, node: u32, segment: &str) -> Option<u32> {
        let end = self.entries[node as usize].end;
        let index = segment.parse::<u32>().ok();
        let mut child = node + 1;
        while child < end {
            let entry = &self.entries[child as usize];
            let matches = if entry.key_len == SEQUENCE_ITEM {
                Some(entry.key) == index
            } else {
                self.key_text(entry) == segment
            };
            if matches {
                return Some(child);
            }
            child = entry.end;
        }
        None
    }

    fn key_text(&self, entry: &Entry) -> &str {
        let start = entry.key as usize;
        self.keys
            .get(start..start + entry.key_len as usize)
            .unwrap_or_default()
    }

    fn position_of(&self, node: u32) -> Position {
        let entry = &self.entries[node as usize];
        Position {
            line: entry.line as usize,
            column: entry.column as usize,
        }
    }

    // ---- building (crate-internal) ----

    /// An empty map with room for `nodes` nodes and `key_bytes` of keys
    /// (documents of one stream tend to look alike: sizing from the previous
    /// one saves most of the growing).
    pub(crate) fn with_capacity(nodes: usize, key_bytes: usize) -> Self {
        SourceMap {
            entries: Vec::with_capacity(nodes),
            keys: String::with_capacity(key_bytes),
        }
    }

    /// Bytes of mapping keys stored.
    pub(crate) fn key_bytes(&self) -> usize {
        self.keys.len()
    }

    /// Records a node and returns its id; its subtree is closed by [`Self::close`].
    /// `parent` is `None` for the root; `step` names the node within its parent.
    pub(crate) fn open(&mut self, parent: Option<u32>, step: Step<'_>, position: Position) -> u32 {
        let id = to_u32(self.entries.len());
        let (key, key_len) = match (parent, step) {
            (None, _) => (0, 0),
            (Some(_), Step::Index(i)) => (to_u32(i), SEQUENCE_ITEM),
            (Some(_), Step::Key(k)) => {
                let offset = to_u32(self.keys.len());
                self.keys.push_str(k);
                (offset, to_u32(k.len()))
            }
        };
        self.entries.push(Entry {
            parent: parent.unwrap_or(NO_PARENT),
            key,
            key_len,
            line: to_u32(position.line),
            column: to_u32(position.column),
            end: id + 1,
        });
        id
    }

    /// Marks the end of `node`'s subtree: every node recorded since belongs to it.
    pub(crate) fn close(&mut self, node: u32) {
        let end = to_u32(self.entries.len());
        if let Some(entry) = self.entries.get_mut(node as usize) {
            entry.end = end;
        }
    }

    /// Whether `node` lies in the subtree of `ancestor` (or is it).
    pub(crate) fn contains(&self, ancestor: u32, node: u32) -> bool {
        node >= ancestor && node < self.entries[ancestor as usize].end
    }

    /// The steps leading from `ancestor` down to `node`. `ancestor` must be
    /// an ancestor of `node` (or `node` itself).
    pub(crate) fn path_from(&self, ancestor: u32, node: u32) -> Vec<Step<'_>> {
        let mut steps = Vec::new();
        let mut current = node;
        while current != ancestor && current != NO_PARENT {
            let entry = &self.entries[current as usize];
            steps.push(if entry.key_len == SEQUENCE_ITEM {
                Step::Index(entry.key as usize)
            } else {
                Step::Key(self.key_text(entry))
            });
            current = entry.parent;
        }
        steps.reverse();
        steps
    }

    /// The parent of `node` (`None` for the root).
    pub(crate) fn parent(&self, node: u32) -> Option<u32> {
        let parent = self.entries[node as usize].parent;
        (parent != NO_PARENT).then_some(parent)
    }

    /// Heap bytes held by the map (for memory tests).
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>() + self.keys.capacity()
    }

    /// Frees spare capacity once the document is complete.
    pub(crate) fn shrink(&mut self) {
        self.entries.shrink_to_fit();
        self.keys.shrink_to_fit();
    }
}

/// Undoes RFC 6901 escaping (`~1` is `/`, `~0` is `~`).
fn unescape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    /// `{"a/b": [x, {"~k": y}], "c": z}` built by hand.
    fn sample() -> SourceMap {
        let mut map = SourceMap::default();
        let root = map.open(None, Step::Index(0), pos(1, 1));
        let seq = map.open(Some(root), Step::Key("a/b"), pos(2, 3));
        let x = map.open(Some(seq), Step::Index(0), pos(3, 5));
        map.close(x);
        let obj = map.open(Some(seq), Step::Index(1), pos(4, 5));
        let y = map.open(Some(obj), Step::Key("~k"), pos(4, 10));
        map.close(y);
        map.close(obj);
        map.close(seq);
        let z = map.open(Some(root), Step::Key("c"), pos(5, 4));
        map.close(z);
        map.close(root);
        map
    }

    #[test]
    fn locates_escaped_pointers() {
        let map = sample();
        assert_eq!(map.locate(""), Some(pos(1, 1)));
        assert_eq!(map.locate("/a~1b"), Some(pos(2, 3)));
        assert_eq!(map.locate("/a~1b/0"), Some(pos(3, 5)));
        assert_eq!(map.locate("/a~1b/1/~0k"), Some(pos(4, 10)));
        assert_eq!(map.locate("/c"), Some(pos(5, 4)));
    }

    #[test]
    fn missing_nodes_fall_back_to_nearest_ancestor() {
        let map = sample();
        assert_eq!(map.locate("/a~1b/1/missing/deeper"), Some(pos(4, 5)));
        assert_eq!(map.locate("/a~1b/7"), Some(pos(2, 3)));
        assert_eq!(map.locate("/nope"), Some(pos(1, 1)));
        assert_eq!(map.locate_exact("/nope"), None);
        assert_eq!(map.locate_exact("/c"), Some(pos(5, 4)));
        assert_eq!(map.locate("not-a-pointer"), None);
        assert_eq!(SourceMap::default().locate(""), None);
    }

    #[test]
    fn paths_between_nodes() {
        let map = sample();
        assert_eq!(
            map.path_from(0, 4),
            vec![Step::Key("a/b"), Step::Index(1), Step::Key("~k")]
        );
        assert_eq!(map.path_from(1, 4), vec![Step::Index(1), Step::Key("~k")]);
        assert!(map.contains(1, 4));
        assert!(!map.contains(1, 5));
        assert_eq!(map.parent(4), Some(3));
        assert_eq!(map.parent(0), None);
    }
}
