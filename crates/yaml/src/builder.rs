//! Builds one document's JSON value and source map from parser events,
//! enforcing the node budget, the depth limit and unique keys.
//!
//! Aliases are the dangerous part (a "billion laughs" file expands
//! exponentially), so they are never copied while parsing: an alias leaves a
//! placeholder and is charged the full expanded size of its anchor against the
//! budget. Only when the whole document is within budget are the placeholders
//! filled, in document order, by copying the (by then complete) anchored node
//! out of the tree. A hostile file therefore fails after tiny work and memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, ScalarStyle, Span};
use serde_json::{Map, Value};

use crate::source_map::{SourceMap, Step};
use crate::{Limits, Position, scalar};

/// Why a document could not be built (the caller adds the document number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildError {
    pub(crate) position: Position,
    pub(crate) message: String,
}

/// A finished, non-empty document.
pub(crate) struct Built {
    pub(crate) value: Value,
    pub(crate) source_map: SourceMap,
    /// Nodes charged against the stream's budget.
    pub(crate) nodes: usize,
}

/// Where an anchored node's value can be found.
enum Target {
    /// A node of the document tree, by source-map id.
    Node(u32),
    /// A copy, for anchors inside mapping keys (which have no source-map id).
    Value(Value),
}

struct Anchor {
    target: Target,
    /// Nodes the anchored value expands to.
    size: usize,
    /// Nesting levels of collections the anchored value holds.
    height: usize,
}

enum AnchorState {
    /// The anchored node is still being built: an alias to it is recursive.
    Open,
    Done(Anchor),
}

enum Container {
    Seq(Vec<Value>),
    Map(Map<String, Value>),
}

/// A collection being built.
struct Frame {
    container: Container,
    /// Source-map id; `None` inside a mapping key, which has no JSON pointer.
    node: Option<u32>,
    anchor: usize,
    /// For a mapping: the key waiting for its value, and where it was.
    key: Option<(String, Position)>,
    /// Whether this collection is (part of) a mapping key.
    in_key: bool,
    /// Budget used before this collection started.
    nodes_before: usize,
    /// Deepest nesting among the children so far.
    height: usize,
    position: Position,
}

/// Where the next node goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Root,
    /// The key of the mapping on top of the stack.
    Key,
    /// Inside a collection that is itself a mapping key.
    InKey,
    /// A value with a place in the JSON tree.
    Value,
}

/// Builds one document from its events (everything between `DocumentStart`
/// and `DocumentEnd`).
pub(crate) struct DocBuilder<'l> {
    limits: &'l Limits,
    /// Nodes this document may use (the stream's remaining budget).
    available: usize,
    used: usize,
    line_offset: usize,
    frames: Vec<Frame>,
    root: Option<Value>,
    map: SourceMap,
    anchors: HashMap<usize, AnchorState>,
    /// Placeholders (source-map id, anchor id), in document order.
    patches: Vec<(u32, usize)>,
    empty: bool,
}

impl<'l> DocBuilder<'l> {
    /// `line_offset` is added to parser lines (the text parsed may start
    /// part-way through the input); `shape` (nodes, key bytes) sizes the
    /// source map.
    pub(crate) fn new(
        limits: &'l Limits,
        available: usize,
        line_offset: usize,
        shape: (usize, usize),
    ) -> Self {
        DocBuilder {
            limits,
            available,
            used: 0,
            line_offset,
            frames: Vec::new(),
            root: None,
            map: SourceMap::with_capacity(shape.0, shape.1),
            anchors: HashMap::new(),
            patches: Vec::new(),
            empty: false,
        }
    }

    fn position(&self, marker: Marker) -> Position {
        Position {
            line: marker.line() + self.line_offset,
            column: marker.col() + 1,
        }
    }

    /// Feeds one event of the document's content.
    pub(crate) fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), BuildError> {
        let position = self.position(span.start);
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let empty = text.is_empty() && style == ScalarStyle::Plain && tag.is_none();
                let value = scalar::resolve(text, style, tag.as_deref())
                    .map_err(|message| BuildError { position, message })?;
                self.scalar(value, anchor, position, empty)
            }
            Event::SequenceStart(anchor, _) => {
                self.open(Container::Seq(Vec::new()), anchor, position)
            }
            Event::MappingStart(anchor, _) => {
                self.open(Container::Map(Map::new()), anchor, position)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, position),
            // Stream and document events are handled by the caller.
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
        }
    }

    fn slot(&self) -> Slot {
        match self.frames.last() {
            None => Slot::Root,
            Some(top) if matches!(top.container, Container::Map(_)) && top.key.is_none() => {
                Slot::Key
            }
            Some(top) if top.in_key => Slot::InKey,
            Some(_) => Slot::Value,
        }
    }

    /// Records a source-map entry for a node in a `Root` or `Value` slot.
    fn record(&mut self, position: Position) -> u32 {
        match self.frames.last() {
            None => self.map.open(None, Step::Index(0), position),
            Some(top) => {
                let step = match (&top.container, &top.key) {
                    (Container::Seq(items), _) => Step::Index(items.len()),
                    (Container::Map(_), Some((key, _))) => Step::Key(key),
                    // Unreachable for Value slots: a map without a pending key
                    // is a Key slot.
                    (Container::Map(_), None) => Step::Key(""),
                };
                self.map.open(top.node, step, position)
            }
        }
    }

    fn charge(&mut self, nodes: usize, position: Position, alias: bool) -> Result<(), BuildError> {
        let total = self.used.saturating_add(nodes);
        if total > self.available {
            let limit = self.limits.max_nodes;
            let message = if alias {
                format!("YAML alias expansion exceeds the limit of {limit} nodes")
            } else {
                format!("YAML input exceeds the limit of {limit} nodes")
            };
            return Err(BuildError { position, message });
        }
        self.used = total;
        Ok(())
    }

    fn too_deep(&self, position: Position) -> BuildError {
        BuildError {
            position,
            message: format!(
                "YAML nesting exceeds the limit of {} levels",
                self.limits.max_depth
            ),
        }
    }

    fn scalar(
        &mut self,
        value: Value,
        anchor: usize,
        position: Position,
        empty: bool,
    ) -> Result<(), BuildError> {
        let slot = self.slot();
        if slot != Slot::Key {
            self.charge(1, position, false)?;
        }
        match slot {
            Slot::Root | Slot::Value => {
                if slot == Slot::Root && empty && anchor == 0 {
                    self.empty = true;
                }
                let node = self.record(position);
                if anchor != 0 {
                    self.finish_anchor(anchor, Target::Node(node), 1, 0);
                }
            }
            Slot::Key | Slot::InKey => {
                if anchor != 0 {
                    self.finish_anchor(anchor, Target::Value(value.clone()), 1, 0);
                }
            }
        }
        self.place(value, 0, position)
    }

    fn finish_anchor(&mut self, anchor: usize, target: Target, size: usize, height: usize) {
        self.anchors.insert(
            anchor,
            AnchorState::Done(Anchor {
                target,
                size,
                height,
            }),
        );
    }

    fn open(
        &mut self,
        container: Container,
        anchor: usize,
        position: Position,
    ) -> Result<(), BuildError> {
        if self.frames.len() >= self.limits.max_depth {
            return Err(self.too_deep(position));
        }
        let slot = self.slot();
        let nodes_before = self.used;
        self.charge(1, position, false)?;
        let node = match slot {
            Slot::Root | Slot::Value => Some(self.record(position)),
            Slot::Key | Slot::InKey => None,
        };
        if anchor != 0 {
            self.anchors.insert(anchor, AnchorState::Open);
        }
        self.frames.push(Frame {
            container,
            node,
            anchor,
            key: None,
            in_key: matches!(slot, Slot::Key | Slot::InKey),
            nodes_before,
            height: 0,
            position,
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), BuildError> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        let value = match frame.container {
            Container::Seq(items) => Value::Array(items),
            Container::Map(map) => Value::Object(map),
        };
        let height = frame.height + 1;
        if let Some(node) = frame.node {
            self.map.close(node);
        }
        if frame.anchor != 0 {
            let size = self.used - frame.nodes_before;
            let target = match frame.node {
                Some(node) => Target::Node(node),
                None => {
                    // A copy is kept for anchors inside keys: charge it.
                    self.charge(size, frame.position, false)?;
                    Target::Value(value.clone())
                }
            };
            self.finish_anchor(frame.anchor, target, size, height);
        }
        self.place(value, height, frame.position)
    }

    fn alias(&mut self, id: usize, position: Position) -> Result<(), BuildError> {
        let (size, height) = match self.anchors.get(&id) {
            Some(AnchorState::Done(anchor)) => (anchor.size, anchor.height),
            Some(AnchorState::Open) => {
                return Err(BuildError {
                    position,
                    message: "recursive alias: the alias is inside the node it refers to"
                        .to_owned(),
                });
            }
            None => {
                return Err(BuildError {
                    position,
                    message: "unknown alias: no anchor of that name earlier in this document"
                        .to_owned(),
                });
            }
        };
        if self.frames.len() + height > self.limits.max_depth {
            return Err(self.too_deep(position));
        }
        self.charge(size, position, true)?;
        match self.slot() {
            Slot::Key | Slot::InKey => {
                // Keys are turned into strings right away, so expand now
                // (already charged above).
                let value = self.materialize(id, 0, position)?;
                self.place(value, height, position)
            }
            Slot::Root | Slot::Value => {
                let node = self.record(position);
                self.patches.push((node, id));
                self.place(Value::Null, height, position)
            }
        }
    }

    /// Puts a finished node where it belongs: the root, an item, a mapping
    /// value, or (turned into a string) a mapping key.
    fn place(&mut self, value: Value, height: usize, position: Position) -> Result<(), BuildError> {
        let Some(top) = self.frames.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        match &mut top.container {
            Container::Seq(items) => {
                items.push(value);
                top.height = top.height.max(height);
            }
            Container::Map(map) => match top.key.take() {
                Some((key, _)) => {
                    map.insert(key, value);
                    top.height = top.height.max(height);
                }
                None => {
                    let key = scalar::key_string(value);
                    if map.contains_key(&key) {
                        return Err(BuildError {
                            position,
                            message: format!("duplicate key {key:?}"),
                        });
                    }
                    top.key = Some((key, position));
                }
            },
        }
        Ok(())
    }

    /// A full copy of anchor `id`'s value. Placeholders from index `applied`
    /// on have not been filled in the tree yet, so those inside the anchored
    /// node are expanded into the copy.
    fn materialize(
        &self,
        id: usize,
        applied: usize,
        position: Position,
    ) -> Result<Value, BuildError> {
        let node = match self.anchors.get(&id) {
            Some(AnchorState::Done(Anchor {
                target: Target::Value(value),
                ..
            })) => return Ok(value.clone()),
            Some(AnchorState::Done(Anchor {
                target: Target::Node(node),
                ..
            })) => *node,
            _ => return Err(internal(position)),
        };
        let mut value = self
            .node_value(node)
            .ok_or_else(|| internal(position))?
            .clone();
        let first = self.patches.partition_point(|&(p, _)| p < node);
        for (index, &(placeholder, inner)) in self.patches.iter().enumerate().skip(first) {
            if !self.map.contains(node, placeholder) {
                break;
            }
            if index < applied {
                continue;
            }
            let expanded = self.materialize(inner, applied, position)?;
            let path = self.map.path_from(node, placeholder);
            *value_at_mut(&mut value, &path).ok_or_else(|| internal(position))? = expanded;
        }
        Ok(value)
    }

    /// The finished node `node`, found under the nearest collection still
    /// being built, or under the root once the document is complete.
    fn node_value(&self, node: u32) -> Option<&Value> {
        let mut ancestor = self.map.parent(node);
        while let Some(candidate) = ancestor {
            if let Some(frame) = self.frames.iter().find(|f| f.node == Some(candidate)) {
                let path = self.map.path_from(candidate, node);
                let (first, rest) = path.split_first()?;
                let child = match (&frame.container, first) {
                    (Container::Seq(items), Step::Index(i)) => items.get(*i)?,
                    (Container::Map(map), Step::Key(k)) => map.get(*k)?,
                    _ => return None,
                };
                return value_at(child, rest);
            }
            ancestor = self.map.parent(candidate);
        }
        value_at(self.root.as_ref()?, &self.map.path_from(0, node))
    }

    /// Ends the document: fills alias placeholders and returns the result,
    /// or `None` for an empty document.
    pub(crate) fn finish(mut self, position: Position) -> Result<Option<Built>, BuildError> {
        if self.empty {
            return Ok(None);
        }
        if !self.frames.is_empty() || self.root.is_none() {
            return Err(internal(position));
        }
        for index in 0..self.patches.len() {
            let (placeholder, anchor) = self.patches[index];
            let expanded = self.materialize(anchor, index, position)?;
            let path = self.map.path_from(0, placeholder);
            let slot = self
                .root
                .as_mut()
                .and_then(|root| value_at_mut(root, &path))
                .ok_or_else(|| internal(position))?;
            *slot = expanded;
        }
        self.map.shrink();
        Ok(Some(Built {
            value: self.root.take().unwrap_or_default(),
            source_map: self.map,
            nodes: self.used,
        }))
    }
}

fn internal(position: Position) -> BuildError {
    BuildError {
        position,
        message: "internal error while expanding an alias".to_owned(),
    }
}

fn value_at<'v>(mut value: &'v Value, path: &[Step<'_>]) -> Option<&'v Value> {
    for step in path {
        value = match step {
            Step::Index(i) => value.as_array()?.get(*i)?,
            Step::Key(k) => value.as_object()?.get(*k)?,
        };
    }
    Some(value)
}

fn value_at_mut<'v>(mut value: &'v mut Value, path: &[Step<'_>]) -> Option<&'v mut Value> {
    for step in path {
        value = match step {
            Step::Index(i) => value.as_array_mut()?.get_mut(*i)?,
            Step::Key(k) => value.as_object_mut()?.get_mut(*k)?,
        };
    }
    Some(value)
}
