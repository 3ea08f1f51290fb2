//! Edge geometry: where edges leave and enter their boxes, the curves they
//! follow, and where their labels go.
//!
//! Edges leave a box's bottom and enter the next box's top; several edges at
//! one side are spread along it in the order of their other ends, so they
//! do not cross right at the box. Between points an edge is a cubic curve
//! with vertical tangents (through the bends of long edges too). A label
//! sits on its curve where it hides no box and no other label; when a box
//! fans out many edges with the same label, only one of them carries it.

use std::collections::{BTreeMap, HashMap};

use super::{EdgeLabel, NODE_HEIGHT, PlacedEdge, PlacedNode, Point, round};
use crate::graph::model::Graph;
use crate::graph::text;

/// A box on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    fn around(center: Point, width: f64, height: f64) -> Rect {
        Rect {
            x: center.x - width / 2.0,
            y: center.y - height / 2.0,
            width,
            height,
        }
    }

    fn grown(self, by: f64) -> Rect {
        Rect {
            x: self.x - by,
            y: self.y - by,
            width: self.width + 2.0 * by,
            height: self.height + 2.0 * by,
        }
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

/// Spread of the ports along a side: at most this share of the box width,
/// and at most this far apart.
const PORT_SHARE: f64 = 0.7;
const PORT_STEP: f64 = 12.0;

/// The x of each of `count` ports along a side of a box centred at
/// `center`, `width` wide, left to right.
pub(super) fn ports(center: f64, width: f64, count: usize) -> Vec<f64> {
    if count <= 1 {
        return vec![center; count];
    }
    let span = (width * PORT_SHARE).min(PORT_STEP * (count - 1) as f64);
    let step = span / (count - 1) as f64;
    (0..count)
        .map(|i| center - span / 2.0 + step * i as f64)
        .collect()
}

/// The point at `t` (0–1) along the curve from `a` to `b`.
pub(super) fn along(a: Point, b: Point, t: f64) -> Point {
    let mid = (a.y + b.y) / 2.0;
    let u = 1.0 - t;
    let (w0, w1, w2, w3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    Point {
        x: w0 * a.x + w1 * a.x + w2 * b.x + w3 * b.x,
        y: w0 * a.y + (w1 + w2) * mid + w3 * b.y,
    }
}

/// Label sizes.
pub(super) const LABEL_HEIGHT: f64 = 14.0;
const LABEL_PADDING: f64 = 8.0;
/// Free space kept around boxes and labels.
const CLEARANCE: f64 = 3.0;
/// Where along a curve a label may sit, best first.
const SPOTS: [f64; 7] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8];

/// Places labels without overlaps.
#[derive(Debug)]
pub(super) struct LabelPlacer {
    taken: Vec<Rect>,
}

impl LabelPlacer {
    /// Starts with the boxes of the nodes as obstacles.
    pub fn new(boxes: impl IntoIterator<Item = Rect>) -> Self {
        LabelPlacer {
            taken: boxes.into_iter().map(|r| r.grown(CLEARANCE)).collect(),
        }
    }

    /// The centre of a free spot for a label `text_width` wide on the path
    /// through `points`, if there is one (it is then taken).
    pub fn place(&mut self, points: &[Point], text_width: f64) -> Option<Point> {
        let width = text_width + LABEL_PADDING;
        let segments = points.len().checked_sub(1)?;
        // The middle segment first, then outwards.
        let middle = segments / 2;
        let mut order: Vec<usize> = (0..segments).collect();
        order.sort_by_key(|&s| s.abs_diff(middle));
        for s in order {
            for t in SPOTS {
                let center = along(points[s], points[s + 1], t);
                let rect = Rect::around(center, width, LABEL_HEIGHT);
                if !self.taken.iter().any(|r| r.overlaps(&rect)) {
                    self.taken.push(rect.grown(CLEARANCE));
                    return Some(center);
                }
            }
        }
        None
    }
}

/// Paths and labels of every edge: `chains` holds, per edge, its nodes
/// from the upper end to the lower (bends between), `x` the centre of every
/// node and `top` the top of every node's row.
pub(super) fn edges(
    graph: &Graph,
    nodes: &[PlacedNode],
    chains: &[Vec<usize>],
    x: &[f64],
    top: &[f64],
) -> Vec<PlacedEdge> {
    // Ports: edges leave a box's bottom and enter its top, ordered by where
    // their next point is.
    let mut bottom: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut above: HashMap<usize, Vec<usize>> = HashMap::new();
    for (e, chain) in chains.iter().enumerate() {
        bottom.entry(chain[0]).or_default().push(e);
        above.entry(chain[chain.len() - 1]).or_default().push(e);
    }
    let mut start_x = vec![0.0; chains.len()];
    let mut end_x = vec![0.0; chains.len()];
    for (v, list) in &mut bottom {
        list.sort_by(|&a, &b| x[chains[a][1]].total_cmp(&x[chains[b][1]]).then(a.cmp(&b)));
        let node = &nodes[*v];
        for (&e, port) in list
            .iter()
            .zip(ports(node.center_x(), node.width, list.len()))
        {
            start_x[e] = port;
        }
    }
    for (v, list) in &mut above {
        let before = |e: usize| x[chains[e][chains[e].len() - 2]];
        list.sort_by(|&a, &b| before(a).total_cmp(&before(b)).then(a.cmp(&b)));
        let node = &nodes[*v];
        for (&e, port) in list
            .iter()
            .zip(ports(node.center_x(), node.width, list.len()))
        {
            end_x[e] = port;
        }
    }

    let mut edges: Vec<PlacedEdge> = graph
        .edges
        .iter()
        .zip(chains)
        .enumerate()
        .map(|(e, (edge, chain))| {
            let upper = &nodes[chain[0]];
            let lower = &nodes[chain[chain.len() - 1]];
            let mut points = vec![Point {
                x: round(start_x[e]),
                y: upper.y + upper.height,
            }];
            for &bend in &chain[1..chain.len() - 1] {
                points.push(Point {
                    x: x[bend],
                    y: top[bend] + NODE_HEIGHT / 2.0,
                });
            }
            points.push(Point {
                x: round(end_x[e]),
                y: lower.y,
            });
            if edge.from != chain[0] {
                points.reverse();
            }
            PlacedEdge {
                from: edge.from,
                to: edge.to,
                types: edge.types.clone(),
                points,
                label: None,
            }
        })
        .collect();

    // Labels: one per fan (edges at the same side of the same box with the
    // same text), edges at the root first.
    let mut fans: BTreeMap<(bool, usize, bool, String), Vec<usize>> = BTreeMap::new();
    for (e, chain) in chains.iter().enumerate() {
        let (upper, lower) = (chain[0], chain[chain.len() - 1]);
        let fan_out = bottom.get(&upper).map_or(0, Vec::len);
        let fan_in = above.get(&lower).map_or(0, Vec::len);
        let (hub, at_bottom) = if fan_out >= fan_in {
            (upper, true)
        } else {
            (lower, false)
        };
        let touches_root = graph.nodes[upper].root || graph.nodes[lower].root;
        fans.entry((!touches_root, hub, at_bottom, edges[e].label_text()))
            .or_default()
            .push(e);
    }
    let mut placer = LabelPlacer::new(nodes.iter().map(|n| Rect {
        x: n.x,
        y: n.y,
        width: n.width,
        height: n.height,
    }));
    for ((_, _, at_bottom, text), mut members) in fans {
        // Try the edge in the middle of the fan first.
        let port = |e: usize| if at_bottom { start_x[e] } else { end_x[e] };
        members.sort_by(|&a, &b| port(a).total_cmp(&port(b)).then(a.cmp(&b)));
        let middle = members.len() / 2;
        let mut tries: Vec<(usize, usize)> = members
            .iter()
            .enumerate()
            .map(|(at, &e)| (at.abs_diff(middle), e))
            .collect();
        tries.sort();
        let width = text::EDGE_LABEL.width(&text);
        for (_, e) in tries {
            if let Some(at) = placer.place(&edges[e].points, width) {
                edges[e].label = Some(EdgeLabel {
                    text: text.clone(),
                    at: Point {
                        x: round(at.x),
                        y: round(at.y),
                    },
                });
                break;
            }
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_spread_around_the_centre() {
        assert_eq!(ports(100.0, 150.0, 1), vec![100.0]);
        assert_eq!(ports(100.0, 150.0, 3), vec![88.0, 100.0, 112.0]);
        let many = ports(100.0, 100.0, 11);
        assert!((many[0] - 65.0).abs() < 1e-9 && (many[10] - 135.0).abs() < 1e-9);
    }

    #[test]
    fn curves_start_and_end_at_their_points() {
        let (a, b) = (Point { x: 0.0, y: 0.0 }, Point { x: 100.0, y: 80.0 });
        assert_eq!(along(a, b, 0.0), a);
        assert_eq!(along(a, b, 1.0), b);
        assert_eq!(along(a, b, 0.5), Point { x: 50.0, y: 40.0 });
    }

    #[test]
    fn labels_avoid_boxes_and_each_other() {
        let boxes = [Rect {
            x: 0.0,
            y: 80.0,
            width: 200.0,
            height: 20.0,
        }];
        let mut placer = LabelPlacer::new(boxes);
        let path = [Point { x: 100.0, y: 0.0 }, Point { x: 100.0, y: 200.0 }];
        let first = placer.place(&path, 40.0).unwrap();
        // The middle of the curve is inside the box, so the label moves.
        let half = LABEL_HEIGHT / 2.0 + CLEARANCE;
        assert!(
            first.y >= 100.0 + half || first.y <= 80.0 - half,
            "{first:?}"
        );
        let second = placer.place(&path, 40.0).unwrap();
        assert!((second.y - first.y).abs() >= LABEL_HEIGHT);
        while placer.place(&path, 40.0).is_some() {}
        assert!(placer.place(&path, 40.0).is_none());
    }
}
