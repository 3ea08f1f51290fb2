//! A layered (Sugiyama-style) drawing of a [`Graph`], top to bottom.
//!
//! The steps, one module each:
//! 1. [`layers`]: every edge points the way its relation reads
//!    ([`Flow`]), cycles are broken, every node gets a layer; edges that
//!    span several layers get a bend point ("dummy node") per layer.
//! 2. [`order`]: the order inside each layer, by barycenter sweeps and
//!    adjacent swaps, to cross few edges.
//! 3. [`place`]: wide layers wrap into rows (so 300 nodes become a tall
//!    picture that scrolls, never a thin strip), then x positions pull each
//!    node under its neighbours.
//! 4. [`route`]: edge ports, curves and labels.
//!
//! Box widths come from the label lengths ([`super::text`]). Everything is
//! deterministic: the same graph gives the same drawing.

mod layers;
mod order;
mod place;
mod route;

use super::model::{Graph, Node};
use super::relations::{self, Flow};
use super::text;

/// Height of every node box.
pub const NODE_HEIGHT: f64 = 46.0;
/// Narrowest and widest node box.
pub const MIN_NODE_WIDTH: f64 = 120.0;
pub const MAX_NODE_WIDTH: f64 = 280.0;
/// Room beside the text inside a box (the kind bar and padding).
const NODE_PADDING: f64 = 32.0;
/// A layer wider than this wraps into several rows.
pub const MAX_ROW_WIDTH: f64 = 1180.0;
/// Space around the drawing.
pub const MARGIN: f64 = 24.0;
/// Between layers (room for edge labels), between the rows of a wrapped
/// layer, between boxes in a row, and beside the bends of long edges.
const LAYER_GAP: f64 = 76.0;
const ROW_GAP: f64 = 30.0;
const NODE_GAP: f64 = 28.0;
const BEND_GAP: f64 = 10.0;
const BEND_WIDTH: f64 = 4.0;

/// A point on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A node with its box.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    pub node: Node,
    /// Top-left corner.
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// The kind line as shown ("COMPONENT · SERVICE", cut to fit).
    pub kind_text: String,
    /// The name as shown (cut to fit with "…").
    pub name_text: String,
    /// Whether the name was cut.
    pub name_cut: bool,
}

impl PlacedNode {
    pub fn center_x(&self) -> f64 {
        self.x + self.width / 2.0
    }

    /// Whether `point` lies on the box's border or inside it.
    pub fn touches(&self, point: Point) -> bool {
        const EPSILON: f64 = 0.01;
        point.x >= self.x - EPSILON
            && point.x <= self.x + self.width + EPSILON
            && point.y >= self.y - EPSILON
            && point.y <= self.y + self.height + EPSILON
    }
}

/// An edge label and where its centre is.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLabel {
    pub text: String,
    pub at: Point,
}

/// An edge with its path.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedEdge {
    /// Source and target node (indices into [`Layout::nodes`]).
    pub from: usize,
    pub to: usize,
    /// Forward relation types.
    pub types: Vec<String>,
    /// From the source's box to the target's box; consecutive points are
    /// joined by curves with vertical tangents.
    pub points: Vec<Point>,
    /// `None` when there was no free spot, or another edge of the same fan
    /// carries the same label.
    pub label: Option<EdgeLabel>,
}

impl PlacedEdge {
    /// The label text: the relation types as people read them.
    pub fn label_text(&self) -> String {
        self.types
            .iter()
            .map(|t| relations::label(t))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// The whole drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub title: String,
    pub dom_id: String,
    pub width: f64,
    pub height: f64,
    /// In the graph's node order.
    pub nodes: Vec<PlacedNode>,
    /// In the graph's edge order.
    pub edges: Vec<PlacedEdge>,
    pub dropped_edges: usize,
}

/// Lays `graph` out.
pub fn layout(graph: &Graph) -> Layout {
    let n = graph.nodes.len();
    let texts: Vec<NodeText> = graph.nodes.iter().map(NodeText::of).collect();
    let rank = rank(graph);

    // 1. Layers, with a bend node per layer crossed by a long edge.
    let oriented: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .map(
            |e| match e.types.first().map_or(Flow::Down, |t| relations::flow(t)) {
                Flow::Up => (e.to, e.from),
                Flow::Down => (e.from, e.to),
            },
        )
        .collect();
    let layering = layers::assign(n, &oriented, &rank);
    let mut widths: Vec<f64> = texts.iter().map(|t| t.width).collect();
    let mut layer_of = layering.layer.clone();
    let chains = add_bends(&oriented, &layering.flipped, &mut widths, &mut layer_of);
    let total = widths.len();
    let mut up = vec![Vec::new(); total];
    let mut down = vec![Vec::new(); total];
    for chain in &chains {
        for pair in chain.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
    }

    // 2. Order inside layers: first as a depth-first walk meets them.
    let layer_count = layer_of.iter().copied().max().map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for v in order::walk(n, total, &rank, &up, &down) {
        layers[layer_of[v]].push(v);
    }
    order::reduce_crossings(
        &mut layers,
        &order::Adjacency {
            up: &up,
            down: &down,
        },
        total,
    );

    // 3. Rows and coordinates.
    let rows = place::wrap(&layers, &widths, n, NODE_GAP, MAX_ROW_WIDTH);
    let weights: Vec<f64> = (0..total).map(|v| if v < n { 1.0 } else { 2.0 }).collect();
    let mut spacing = place::Spacing {
        widths: &widths,
        weights: &weights,
        boxes: n,
        box_gap: NODE_GAP,
        bend_gap: BEND_GAP,
        band: f64::INFINITY,
    };
    spacing.band = rows
        .iter()
        .map(|row| place::row_width(row, &spacing))
        .fold(MAX_ROW_WIDTH, f64::max)
        / 2.0;
    let mut x = place::x_positions(&rows, &spacing, &up, &down);
    let left = (0..total)
        .map(|v| x[v] - widths[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if left.is_finite() { MARGIN - left } else { 0.0 };
    for value in &mut x {
        *value = round(*value + shift);
    }
    let (top, height) = row_tops(&rows, total);
    let width = (0..total)
        .map(|v| x[v] + widths[v] / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;

    let nodes: Vec<PlacedNode> = graph
        .nodes
        .iter()
        .zip(texts)
        .enumerate()
        .map(|(v, (node, text))| PlacedNode {
            node: node.clone(),
            x: round(x[v] - widths[v] / 2.0),
            y: top[v],
            width: widths[v],
            height: NODE_HEIGHT,
            kind_text: text.kind,
            name_text: text.name,
            name_cut: text.cut,
        })
        .collect();

    // 4. Edges.
    let edges = route::edges(graph, &nodes, &chains, &x, &top);
    Layout {
        title: graph.title.clone(),
        dom_id: graph.dom_id.clone(),
        width: round(width.max(MIN_NODE_WIDTH + 2.0 * MARGIN)),
        height,
        nodes,
        edges,
        dropped_edges: graph.dropped_edges,
    }
}

/// Every edge as the chain of nodes it passes, upper end first, with a new
/// bend node (thin, in `widths` and `layer_of`) in each layer it crosses.
fn add_bends(
    oriented: &[(usize, usize)],
    flipped: &[bool],
    widths: &mut Vec<f64>,
    layer_of: &mut Vec<usize>,
) -> Vec<Vec<usize>> {
    let mut chains = Vec::with_capacity(oriented.len());
    for (&(a, b), &flip) in oriented.iter().zip(flipped) {
        let (upper, lower) = if flip { (b, a) } else { (a, b) };
        let mut chain = vec![upper];
        for layer in layer_of[upper] + 1..layer_of[lower] {
            chain.push(widths.len());
            widths.push(BEND_WIDTH);
            layer_of.push(layer);
        }
        chain.push(lower);
        chains.push(chain);
    }
    chains
}

/// The top of every node's row (rows of one layer close together, layers
/// further apart for the edge labels), and the height of the drawing.
fn row_tops(rows: &[place::Row], total: usize) -> (Vec<f64>, f64) {
    let mut top = vec![0.0; total];
    let mut y = MARGIN;
    for (at, row) in rows.iter().enumerate() {
        if at > 0 {
            let same_layer = rows[at - 1].layer == row.layer;
            y += NODE_HEIGHT + if same_layer { ROW_GAP } else { LAYER_GAP };
        }
        for &v in &row.nodes {
            top[v] = y;
        }
    }
    let height = if rows.is_empty() {
        2.0 * MARGIN
    } else {
        y + NODE_HEIGHT + MARGIN
    };
    (top, height)
}

/// Text and width of a node's box.
struct NodeText {
    kind: String,
    name: String,
    cut: bool,
    width: f64,
}

impl NodeText {
    fn of(node: &Node) -> Self {
        let room = MAX_NODE_WIDTH - NODE_PADDING;
        let mut kind = node.kind.to_uppercase();
        if let Some(detail) = &node.detail {
            kind.push_str(" · ");
            kind.push_str(&detail.to_uppercase());
        }
        let (kind, _) = text::KIND.fit(&kind, room);
        let (name, cut) = text::NAME.fit(&node.name, room);
        let width = (text::KIND.width(&kind).max(text::NAME.width(&name)) + NODE_PADDING)
            .clamp(MIN_NODE_WIDTH, MAX_NODE_WIDTH)
            .ceil();
        NodeText {
            kind,
            name,
            cut,
            width,
        }
    }
}

/// The order every choice follows: the root, then by kind (domains,
/// systems and groups first), then by name.
fn rank(graph: &Graph) -> Vec<usize> {
    const KINDS: [&str; 8] = [
        "domain",
        "system",
        "group",
        "user",
        "component",
        "api",
        "resource",
        "template",
    ];
    let mut order: Vec<usize> = (0..graph.nodes.len()).collect();
    order.sort_by_cached_key(|&v| {
        let node = &graph.nodes[v];
        let kind = node.kind.to_ascii_lowercase();
        (
            !node.root,
            KINDS.iter().position(|k| *k == kind).unwrap_or(KINDS.len()),
            node.name.to_lowercase(),
            node.reference.clone(),
        )
    });
    let mut rank = vec![0; order.len()];
    for (at, v) in order.into_iter().enumerate() {
        rank[v] = at;
    }
    rank
}

/// Rounds to a tenth of a pixel (shorter SVG, same picture).
pub(super) fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests;
