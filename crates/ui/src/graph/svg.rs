//! A [`Layout`] as inline SVG.
//!
//! Everything visual comes from classes the stylesheet (`graph.css`)
//! colours with the theme's custom properties, so the picture follows light
//! and dark mode and needs no `style` attribute (the Content-Security-Policy
//! forbids them). Nodes in the catalog are SVG links to their pages; long
//! names are cut and the full name is in the node's `<title>` (a tooltip).
//! The picture is a named group for assistive technology (`role="group"`,
//! named by its `<title>` and described by its `<desc>`), not
//! `role="img"`: an image's content is presentational, so links inside one
//! are an accessibility error (axe: nested-interactive). Each node link is
//! named by its own `<title>`. The links are left out of the tab order (a
//! big graph would be hundreds of stops); the list that goes with the
//! picture has the same entities and links in reading order.
//!
//! Every SVG element is written with an explicit end tag: in HTML, a
//! `<path …>` without one would swallow the elements after it.

use maud::{Markup, html};

use super::layout::{Layout, PlacedEdge, PlacedNode, Point};
use super::relations::{self, RELATION_PAIRS};

/// Kinds with a colour of their own; others use `node-other`.
pub const KIND_CLASSES: [&str; 9] = [
    "component",
    "api",
    "resource",
    "system",
    "domain",
    "group",
    "user",
    "template",
    "location",
];

/// The CSS class that colours nodes of `kind` (`node-component`).
pub fn kind_class(kind: &str) -> String {
    let kind = kind.to_ascii_lowercase();
    match KIND_CLASSES.iter().find(|k| **k == kind) {
        Some(known) => format!("node-{known}"),
        None => "node-other".to_owned(),
    }
}

/// The SVG of `layout`.
pub fn render_svg(layout: &Layout) -> Markup {
    let id = &layout.dom_id;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let nodes = layout.nodes.len();
    let edges = layout.edges.len();
    let mut degree = vec![0usize; nodes];
    for edge in &layout.edges {
        for end in [edge.from, edge.to] {
            if let Some(count) = degree.get_mut(end) {
                *count += 1;
            }
        }
    }
    html! {
        svg.graph xmlns="http://www.w3.org/2000/svg" role="group"
            aria-labelledby=(title_id) aria-describedby=(desc_id)
            width=(num(layout.width)) height=(num(layout.height))
            viewBox={ "0 0 " (num(layout.width)) " " (num(layout.height)) } {
            title id=(title_id) { (layout.title) }
            desc id=(desc_id) {
                (nodes) @if nodes == 1 { " entity" } @else { " entities" }
                " and " (edges) @if edges == 1 { " relation" } @else { " relations" }
                ". The same entities are listed as text after the picture (Show as list)."
            }
            defs {
                @for class in marker_classes() {
                    marker id=(marker_id(id, class)) class={ "arrow " (class) }
                        viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
                        markerUnits="userSpaceOnUse" orient="auto-start-reverse" {
                        path d="M0,1 L9,5 L0,9 z" {}
                    }
                }
            }
            g.edges {
                @for edge in &layout.edges { (edge_markup(layout, edge, &degree)) }
            }
            g.nodes {
                @for (at, node) in layout.nodes.iter().enumerate() { (node_markup(at, node)) }
            }
            g.edge-labels aria-hidden="true" {
                @for edge in &layout.edges {
                    @if let Some(label) = &edge.label {
                        text.edge-label x=(num(label.at.x)) y=(num(label.at.y)) text-anchor="middle" dominant-baseline="central" { (label.text) }
                    }
                }
            }
        }
    }
}

fn marker_classes() -> impl Iterator<Item = &'static str> {
    RELATION_PAIRS
        .iter()
        .map(|p| p.class)
        .chain([relations::OTHER_EDGE_CLASS])
}

fn marker_id(dom_id: &str, class: &str) -> String {
    format!("{dom_id}-arrow-{class}")
}

/// Edges at a node with more than this many are drawn lighter: a fan of a
/// hundred lines would otherwise hide everything near it.
const CROWDED: usize = 24;

fn edge_markup(layout: &Layout, edge: &PlacedEdge, degree: &[usize]) -> Markup {
    let class = edge
        .types
        .first()
        .map_or(relations::OTHER_EDGE_CLASS, |t| relations::edge_class(t));
    let name = |at: usize| layout.nodes.get(at).map_or("", |n| n.node.name.as_str());
    let root = |at: usize| layout.nodes.get(at).is_some_and(|n| n.node.root);
    let crowded = |at: usize| degree.get(at).is_some_and(|d| *d > CROWDED);
    let d = path_data(&edge.points);
    html! {
        g class={
            "edge " (class)
            @if root(edge.from) || root(edge.to) { " edge-root" }
            @if crowded(edge.from) || crowded(edge.to) { " edge-crowded" }
        }
            data-from=(edge.from) data-to=(edge.to) {
            title { (name(edge.from)) " " (edge.label_text()) " " (name(edge.to)) }
            path.edge-hit d=(d) {}
            path.edge-line d=(d) marker-end={ "url(#" (marker_id(&layout.dom_id, class)) ")" } {}
        }
    }
}

fn node_markup(at: usize, node: &PlacedNode) -> Markup {
    let mut class = format!("node {}", kind_class(&node.node.kind));
    if node.node.root {
        class.push_str(" node-root");
    }
    if node.node.missing {
        class.push_str(" node-missing");
    }
    let tooltip = if node.node.missing {
        format!("{} (not in the catalog)", node.node.reference)
    } else {
        format!("{} ({})", node.node.name, node.node.reference)
    };
    let body = html! {
        title { (tooltip) }
        rect.node-box x=(num(node.x)) y=(num(node.y)) width=(num(node.width)) height=(num(node.height)) rx="8" {}
        path.node-bar d=(bar_path(node)) {}
        text.node-kind x=(num(node.center_x() + 2.0)) y=(num(node.y + 17.0)) text-anchor="middle" { (node.kind_text) }
        text.node-name x=(num(node.center_x() + 2.0)) y=(num(node.y + 35.0)) text-anchor="middle" { (node.name_text) }
    };
    html! {
        @match (&node.node.href, node.node.root) {
            (Some(href), false) => a class=(class) href=(href) tabindex="-1" data-node=(at) { (body) },
            (Some(href), true) => a class=(class) href=(href) tabindex="-1" aria-current="page" data-node=(at) { (body) },
            (None, _) => g class=(class) data-node=(at) { (body) },
        }
    }
}

/// The coloured bar along a box's left side, following its rounded
/// corners.
fn bar_path(node: &PlacedNode) -> String {
    const RADIUS: f64 = 8.0;
    const WIDTH: f64 = 5.0;
    let (x, y, h) = (node.x, node.y, node.height);
    format!(
        "M{} {}H{}V{}H{}A{r} {r} 0 0 1 {} {}V{}A{r} {r} 0 0 1 {} {}Z",
        num(x + RADIUS),
        num(y),
        num(x + RADIUS + WIDTH),
        num(y + h),
        num(x + RADIUS),
        num(x),
        num(y + h - RADIUS),
        num(y + RADIUS),
        num(x + RADIUS),
        num(y),
        r = num(RADIUS),
    )
}

/// SVG path data through `points`: cubic curves with vertical tangents.
pub(crate) fn path_data(points: &[Point]) -> String {
    let mut d = String::new();
    let Some(first) = points.first() else {
        return d;
    };
    d.push_str(&format!("M{} {}", num(first.x), num(first.y)));
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mid = (a.y + b.y) / 2.0;
        d.push_str(&format!(
            "C{} {} {} {} {} {}",
            num(a.x),
            num(mid),
            num(b.x),
            num(mid),
            num(b.x),
            num(b.y)
        ));
    }
    d
}

/// A coordinate with at most one decimal.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-3.5), "-3.5");
    }

    #[test]
    fn paths_are_curves_through_every_point() {
        let points = [
            Point { x: 0.0, y: 0.0 },
            Point { x: 10.0, y: 50.0 },
            Point { x: 20.0, y: 100.0 },
        ];
        assert_eq!(
            path_data(&points),
            "M0 0C0 25 10 25 10 50C10 75 20 75 20 100"
        );
    }

    #[test]
    fn kinds_map_to_classes() {
        assert_eq!(kind_class("Component"), "node-component");
        assert_eq!(kind_class("API"), "node-api");
        assert_eq!(kind_class("\"><script>"), "node-other");
    }
}
