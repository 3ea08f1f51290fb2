//! What a graph shows: entities as nodes, relations as directed edges.
//!
//! [`GraphBuilder`] takes entities and relations as the catalog stores
//! them and makes the graph a picture needs: one node per ref, each pair of
//! inverse relations as one edge in its forward form
//! ([`super::relations::forward`]), several relation types between the same
//! two entities as one edge with several labels, no edges to entities that
//! are not nodes and no edges from an entity to itself.

use std::collections::HashMap;

use greenroom_model::EntityRef;
use serde_json::Value;

use super::relations;
use crate::entity::{EntityView, entity_href, humanize};

/// Most edges a graph keeps; more are dropped (and counted).
pub const MAX_EDGES: usize = 3_000;

/// One entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Canonical ref (`component:default/parcel-tracker`).
    pub reference: String,
    /// Kind as written (`Component`; lower case for missing entities, whose
    /// kind comes from a ref).
    pub kind: String,
    /// What people call it: the title, else the name (with its namespace
    /// when that is not `default`).
    pub name: String,
    /// `spec.type`, when the entity has one.
    pub detail: Option<String>,
    /// Its page; `None` for entities that are not in the catalog.
    pub href: Option<String>,
    /// The entity the graph is about.
    pub root: bool,
    /// Named by a relation but not in the catalog.
    pub missing: bool,
}

/// Relations from one node to another, in forward form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// Forward relation types, in [`relations::RELATION_PAIRS`] order.
    pub types: Vec<String>,
}

/// Nodes and edges, ready for [`super::layout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// What the picture shows ("Relations of parcel-tracker"), its
    /// accessible name.
    pub title: String,
    /// Prefix of the ids inside the SVG (markers, title), unique on the
    /// page.
    pub dom_id: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Edges left out because there were more than [`MAX_EDGES`].
    pub dropped_edges: usize,
}

impl Graph {
    /// The root node, if there is one.
    pub fn root(&self) -> Option<&Node> {
        self.nodes.iter().find(|n| n.root)
    }
}

/// Builds a [`Graph`] from entities and their relations.
#[derive(Debug)]
pub struct GraphBuilder {
    graph: Graph,
    index: HashMap<String, usize>,
    edge_index: HashMap<(usize, usize), usize>,
}

impl GraphBuilder {
    pub fn new(title: impl Into<String>) -> Self {
        GraphBuilder {
            graph: Graph {
                title: title.into(),
                dom_id: "graph".to_owned(),
                nodes: Vec::new(),
                edges: Vec::new(),
                dropped_edges: 0,
            },
            index: HashMap::new(),
            edge_index: HashMap::new(),
        }
    }

    /// Sets the id prefix; anything but ASCII letters, digits and `-` is
    /// dropped (an empty result keeps `graph`).
    pub fn dom_id(mut self, id: &str) -> Self {
        let clean: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        if clean.starts_with(|c: char| c.is_ascii_alphabetic()) {
            self.graph.dom_id = clean;
        }
        self
    }

    /// Adds an entity from its JSON; `None` when it has no valid ref. An
    /// entity already present is kept (and becomes the root if asked).
    pub fn entity(&mut self, entity: &Value, root: bool) -> Option<usize> {
        let view = EntityView::new(entity);
        let reference = view.reference()?;
        let name = match view.title() {
            Some(title) => title.to_owned(),
            None => humanize(&reference, Some(reference.kind())),
        };
        Some(self.insert(Node {
            reference: reference.canonical().to_owned(),
            kind: view.kind().to_owned(),
            name,
            detail: view.spec_str("type").map(str::to_owned),
            href: Some(entity_href(&reference)),
            root,
            missing: false,
        }))
    }

    /// Adds an entity a relation names that is not in the catalog.
    pub fn missing(&mut self, reference: &EntityRef) -> usize {
        self.insert(Node {
            reference: reference.canonical().to_owned(),
            kind: reference.kind().to_owned(),
            name: humanize(reference, Some(reference.kind())),
            detail: None,
            href: None,
            root: false,
            missing: true,
        })
    }

    /// Adds the relation `source` —`relation_type`→ `target` (canonical
    /// refs). Returns whether the graph gained an edge or a label: `false`
    /// when either end is not a node, for a relation of an entity with
    /// itself, for the other half of a pair already drawn, and beyond
    /// [`MAX_EDGES`].
    pub fn relation(&mut self, source: &str, relation_type: &str, target: &str) -> bool {
        let (Some(&a), Some(&b)) = (self.index.get(source), self.index.get(target)) else {
            return false;
        };
        if a == b {
            return false;
        }
        let (forward, swapped) = relations::forward(relation_type);
        let (from, to) = if swapped { (b, a) } else { (a, b) };
        if let Some(&at) = self.edge_index.get(&(from, to)) {
            let types = &mut self.graph.edges[at].types;
            if types.iter().any(|t| t == forward) {
                return false;
            }
            types.push(forward.to_owned());
            types.sort_by_key(|t| order_of(t));
            return true;
        }
        if self.graph.edges.len() >= MAX_EDGES {
            self.graph.dropped_edges += 1;
            return false;
        }
        self.edge_index.insert((from, to), self.graph.edges.len());
        self.graph.edges.push(Edge {
            from,
            to,
            types: vec![forward.to_owned()],
        });
        true
    }

    /// Whether `reference` (canonical) is a node.
    pub fn contains(&self, reference: &str) -> bool {
        self.index.contains_key(reference)
    }

    pub fn len(&self) -> usize {
        self.graph.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.nodes.is_empty()
    }

    pub fn build(self) -> Graph {
        self.graph
    }

    fn insert(&mut self, node: Node) -> usize {
        if let Some(&at) = self.index.get(&node.reference) {
            if node.root {
                self.graph.nodes[at].root = true;
            }
            return at;
        }
        let at = self.graph.nodes.len();
        self.index.insert(node.reference.clone(), at);
        self.graph.nodes.push(node);
        at
    }
}

/// Position of a type in the pair table (unknown types last, by name).
fn order_of(relation_type: &str) -> (usize, String) {
    let at = relations::RELATION_PAIRS
        .iter()
        .position(|p| p.forward == relation_type)
        .unwrap_or(usize::MAX);
    (at, relation_type.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(kind: &str, name: &str) -> Value {
        json!({"kind": kind, "metadata": {"name": name}, "spec": {"type": "service"}})
    }

    fn builder() -> GraphBuilder {
        let mut b = GraphBuilder::new("test");
        b.entity(&entity("Component", "svc"), true);
        b.entity(&entity("Group", "team"), false);
        b.entity(&entity("API", "api"), false);
        b
    }

    #[test]
    fn inverse_pairs_are_drawn_once_in_forward_form() {
        let mut b = builder();
        assert!(b.relation("component:default/svc", "ownedBy", "group:default/team"));
        assert!(!b.relation("group:default/team", "ownerOf", "component:default/svc"));
        assert!(b.relation("api:default/api", "apiProvidedBy", "component:default/svc"));
        let graph = b.build();
        assert_eq!(
            graph.edges,
            vec![
                Edge {
                    from: 0,
                    to: 1,
                    types: vec!["ownedBy".to_owned()]
                },
                Edge {
                    from: 0,
                    to: 2,
                    types: vec!["providesApi".to_owned()]
                },
            ]
        );
    }

    #[test]
    fn several_types_between_two_entities_share_an_edge() {
        let mut b = builder();
        b.relation("component:default/svc", "consumesApi", "api:default/api");
        b.relation("api:default/api", "apiProvidedBy", "component:default/svc");
        let graph = b.build();
        assert_eq!(graph.edges.len(), 1);
        assert_eq!(graph.edges[0].types, vec!["providesApi", "consumesApi"]);
    }

    #[test]
    fn relations_to_unknown_nodes_and_to_self_are_left_out() {
        let mut b = builder();
        assert!(!b.relation("component:default/svc", "dependsOn", "resource:default/db"));
        assert!(!b.relation(
            "component:default/svc",
            "dependsOn",
            "component:default/svc"
        ));
        assert!(b.build().edges.is_empty());
    }

    #[test]
    fn nodes_read_like_people_name_them() {
        let mut b = builder();
        b.entity(
            &json!({"kind": "System", "metadata": {"name": "s", "namespace": "ops", "title": "Shipping"}}),
            false,
        );
        b.entity(
            &json!({"kind": "System", "metadata": {"name": "t", "namespace": "ops"}}),
            false,
        );
        let missing = EntityRef::parse("resource:default/db", None, "default").unwrap();
        b.missing(&missing);
        let graph = b.build();
        assert_eq!(graph.root().map(|n| n.name.as_str()), Some("svc"));
        assert_eq!(graph.nodes[3].name, "Shipping");
        assert_eq!(graph.nodes[4].name, "ops/t");
        assert_eq!(
            graph.nodes[4].href.as_deref(),
            Some("/catalog/ops/system/t")
        );
        assert!(graph.nodes[5].missing && graph.nodes[5].href.is_none());
        assert_eq!(graph.nodes[0].detail.as_deref(), Some("service"));
    }

    #[test]
    fn dom_ids_are_sanitised() {
        assert_eq!(
            GraphBuilder::new("t").dom_id("mini-graph").build().dom_id,
            "mini-graph"
        );
        assert_eq!(GraphBuilder::new("t").dom_id("\"><x").build().dom_id, "x");
        assert_eq!(GraphBuilder::new("t").dom_id("1").build().dom_id, "graph");
    }
}
