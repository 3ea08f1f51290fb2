//! The relationship graph tab: controls (depth, relation types), the SVG
//! picture, its legend, and the same graph as a list of links.
//!
//! The controls are a plain GET form, so every view of the graph is a URL
//! and works without JavaScript. The list (inside "Show as list") is the
//! accessible version of the picture: every entity with each of its
//! relations in the graph, read from its side ("owner of", "part of").

use std::collections::BTreeSet;

use maud::{Markup, html};

use crate::format::plural;
use crate::graph::relations::{self, RELATION_PAIRS};
use crate::graph::svg::{KIND_CLASSES, kind_class};
use crate::graph::{Graph, Layout, layout, render_svg};
use crate::views::catalog::capitalize;

/// Everything the graph tab shows.
#[derive(Debug, Clone)]
pub struct GraphSection {
    /// The entity page's URL; the form submits to `{base}/graph`.
    pub base: String,
    /// How many relation steps were followed, and the most allowed.
    pub depth: u8,
    pub max_depth: u8,
    /// The relation types followed, checked in the form.
    pub selected: Vec<&'static str>,
    pub graph: Graph,
    /// The most entities a graph shows, when this one reached it (more were
    /// related).
    pub capped_at: Option<usize>,
}

/// The tab's content.
pub fn section(data: &GraphSection) -> Markup {
    let drawing = layout(&data.graph);
    let action = format!("{}/graph", data.base);
    let edges = data.graph.edges.len();
    html! {
        section.card.graph-card aria-labelledby="graph-heading" {
            header {
                h2 #graph-heading { "Relationship graph" }
                p.graph-summary {
                    (plural(data.graph.nodes.len() as i64, "entity")) " · "
                    (plural(edges as i64, "relation")) " · "
                    (plural(i64::from(data.depth), "step")) " out"
                }
            }
            (controls(data, &action))
            @if let Some(cap) = data.capped_at {
                div.callout.callout-warning role="status" {
                    p {
                        "More entities are related than a graph shows: only the first "
                        (cap) " found are drawn. Lower the depth or follow fewer relation types to see the rest."
                    }
                }
            }
            @if drawing.dropped_edges > 0 {
                div.callout.callout-warning role="status" {
                    p { (plural(drawing.dropped_edges as i64, "relation")) " between these entities are not drawn (too many)." }
                }
            }
            @if data.selected.is_empty() {
                div.callout.callout-info role="status" {
                    p { "No relation types are selected, so only the entity itself is shown." }
                }
            }
            div.graph-scroll { (render_svg(&drawing)) }
            (legend(&drawing))
            (list(&drawing))
        }
    }
}

/// A small depth-1 picture for another page (the entity overview), with a
/// link to the full graph tab.
pub fn mini(graph: &Graph, graph_href: &str) -> Markup {
    let drawing = layout(graph);
    html! {
        section.card.graph-card aria-labelledby={ (drawing.dom_id) "-heading" } {
            header {
                h2 id={ (drawing.dom_id) "-heading" } { "Relations at a glance" }
                a.small href=(graph_href) { "Open the graph" }
            }
            div.graph-scroll { (render_svg(&drawing)) }
        }
    }
}

fn controls(data: &GraphSection, action: &str) -> Markup {
    html! {
        form.graph-controls method="get" action=(action) {
            fieldset.graph-relations {
                legend { "Follow relations" }
                // Present even when every box is cleared, so that "none"
                // is a choice and not "the default".
                input type="hidden" name="relations" value="";
                div.relation-choices {
                    @for pair in RELATION_PAIRS {
                        div.relation-choice {
                            span.topic { (pair.topic) }
                            @for (relation_type, label) in [(pair.forward, pair.forward_label), (pair.inverse, pair.inverse_label)] {
                                label {
                                    input type="checkbox" name="relations" value=(relation_type)
                                        checked[data.selected.contains(&relation_type)];
                                    (label)
                                }
                            }
                        }
                    }
                }
            }
            div.graph-actions {
                div.field {
                    label for="graph-depth" { "Depth" }
                    select #graph-depth name="depth" {
                        @for depth in 1..=data.max_depth {
                            option value=(depth) selected[depth == data.depth] {
                                (depth) @if depth == 1 { " (direct relations)" } @else { " steps" }
                            }
                        }
                    }
                }
                div.graph-buttons {
                    button.button-primary type="submit" { "Update" }
                    a.button href=(action) { "Reset" }
                }
            }
        }
    }
}

fn legend(drawing: &Layout) -> Markup {
    let kinds: BTreeSet<usize> = drawing
        .nodes
        .iter()
        .map(|n| {
            let class = kind_class(&n.node.kind);
            KIND_CLASSES
                .iter()
                .position(|k| class == format!("node-{k}"))
                .unwrap_or(KIND_CLASSES.len())
        })
        .collect();
    let missing = drawing.nodes.iter().any(|n| n.node.missing);
    let edge_classes: BTreeSet<usize> = drawing
        .edges
        .iter()
        .flat_map(|e| e.types.iter())
        .filter_map(|t| RELATION_PAIRS.iter().position(|p| p.forward == t))
        .collect();
    html! {
        ul.graph-legend aria-label="Legend" {
            @for at in &kinds {
                @match KIND_CLASSES.get(*at) {
                    Some(kind) => li { span class={ "swatch node-" (kind) } {} (kind_name(kind)) },
                    None => li { span.swatch {} "Other kinds" },
                }
            }
            @if missing {
                li { span.swatch.node-missing {} "Not in the catalog" }
            }
            @for at in &edge_classes {
                @let pair = &RELATION_PAIRS[*at];
                li {
                    svg class={ "legend-edge " (pair.class) } width="28" height="10" aria-hidden="true" {
                        line x1="0" y1="5" x2="28" y2="5" {}
                    }
                    (pair.forward_label)
                }
            }
        }
    }
}

fn kind_name(kind: &str) -> String {
    match kind {
        "api" => "API".to_owned(),
        other => capitalize(other),
    }
}

/// The graph as text: every entity, then each relation it has in the graph.
fn list(drawing: &Layout) -> Markup {
    let mut order: Vec<usize> = (0..drawing.nodes.len()).collect();
    order.sort_by_cached_key(|&v| {
        let node = &drawing.nodes[v].node;
        (
            !node.root,
            node.kind.to_lowercase(),
            node.name.to_lowercase(),
        )
    });
    html! {
        details.graph-list {
            summary { "Show as list" }
            ul.plain-list {
                @for v in order {
                    @let node = &drawing.nodes[v].node;
                    li {
                        span {
                            @match &node.href {
                                Some(href) => a.entity-link href=(href) { (node.name) },
                                None => span { (node.name) },
                            }
                            " " span.kind-label { (node.kind) }
                            @if node.root { " " span.badge.badge-accent { "this entity" } }
                            @if node.missing {
                                " " span.badge.badge-warning title="No entity with this ref is in the catalog" { "missing" }
                            }
                        }
                        @let related = relations_of(drawing, v);
                        @if !related.is_empty() {
                            ul {
                                @for (label, other) in related {
                                    li { (label) " " (drawing.nodes[other].node.name) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `(how node v relates, the other node)` for every edge at `v`.
fn relations_of(drawing: &Layout, v: usize) -> Vec<(&'static str, usize)> {
    let mut out = Vec::new();
    for edge in &drawing.edges {
        for relation_type in &edge.types {
            let pair = relations::pair_of(relation_type);
            if edge.from == v {
                out.push((pair.map_or("related to", |p| p.forward_label), edge.to));
            } else if edge.to == v {
                out.push((pair.map_or("related to", |p| p.inverse_label), edge.from));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::GraphBuilder;
    use greenroom_model::EntityRef;
    use serde_json::json;

    fn sample() -> GraphSection {
        let mut b = GraphBuilder::new("Relations of parcel-tracker");
        b.entity(
            &json!({"kind": "Component", "metadata": {"name": "parcel-tracker"}, "spec": {"type": "service"}}),
            true,
        );
        b.entity(
            &json!({"kind": "Group", "metadata": {"name": "<script>alert(1)</script>", "title": "\"><img src=x onerror=alert(1)>"}}),
            false,
        );
        b.missing(&EntityRef::parse("resource:default/gone", None, "default").unwrap());
        b.relation(
            "component:default/parcel-tracker",
            "ownedBy",
            "group:default/<script>alert(1)</script>",
        );
        b.relation(
            "component:default/parcel-tracker",
            "dependsOn",
            "resource:default/gone",
        );
        GraphSection {
            base: "/catalog/default/component/parcel-tracker".to_owned(),
            depth: 2,
            max_depth: 4,
            selected: vec!["ownedBy", "dependsOn"],
            graph: b.build(),
            capped_at: None,
        }
    }

    #[test]
    fn the_form_keeps_the_choices() {
        let html = section(&sample()).into_string();
        assert!(html.contains(r#"action="/catalog/default/component/parcel-tracker/graph""#));
        assert!(
            html.contains(r#"<option value="2" selected>2 steps</option>"#),
            "{html}"
        );
        assert!(html.contains(r#"value="ownedBy" checked"#));
        assert!(!html.contains(r#"value="ownerOf" checked"#));
        assert!(html.contains(r#"<button class="button-primary" type="submit">Update</button>"#));
    }

    #[test]
    fn hostile_names_are_text() {
        let html = section(&sample()).into_string();
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;"));
        // The group's page link is percent-encoded.
        assert!(html.contains("/catalog/default/group/%3Cscript%3Ealert%281%29%3C%2Fscript%3E"));
        assert!(!html.contains(" style="));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn the_picture_has_a_name_links_and_closed_elements() {
        let html = section(&sample()).into_string();
        assert!(html.contains(
            r#"role="group" aria-labelledby="graph-title" aria-describedby="graph-desc""#
        ));
        assert!(html.contains(r#"<title id="graph-title">Relations of parcel-tracker</title>"#));
        assert!(html.contains(r#"<a class="node node-component node-root" href="/catalog/default/component/parcel-tracker""#));
        // The missing resource is drawn, but not as a link.
        assert!(html.contains(r#"<g class="node node-resource node-missing" data-node="2">"#));
        assert!(html.contains("resource:default/gone (not in the catalog)"));
        // SVG elements always have end tags.
        for element in ["path", "rect", "line"] {
            assert_eq!(
                html.matches(&format!("<{element} ")).count(),
                html.matches(&format!("</{element}>")).count(),
                "{element}"
            );
        }
    }

    #[test]
    fn legend_and_list_describe_the_graph() {
        let html = section(&sample()).into_string();
        assert!(html.contains("Not in the catalog"));
        assert!(html.contains(r#"<svg class="legend-edge edge-owned-by""#));
        assert!(html.contains("<summary>Show as list</summary>"));
        // Read from each side.
        assert!(html.contains("<li>owned by &quot;&gt;&lt;img src=x onerror=alert(1)&gt;</li>"));
        assert!(html.contains("<li>owner of parcel-tracker</li>"));
        assert!(html.contains("3 entities · 2 relations · 2 steps out"));
    }

    #[test]
    fn a_mini_graph_has_ids_of_its_own_and_links_to_the_tab() {
        let mut graph = sample().graph;
        graph.dom_id = "mini-graph".to_owned();
        let html = mini(&graph, "/catalog/default/component/parcel-tracker/graph").into_string();
        assert!(html.contains(r#"aria-labelledby="mini-graph-title""#));
        assert!(html.contains(r#"id="mini-graph-arrow-edge-owned-by""#));
        assert!(html.contains(r#"<a class="small" href="/catalog/default/component/parcel-tracker/graph">Open the graph</a>"#));
        assert!(!html.contains(r#"id="graph-title""#));
    }

    #[test]
    fn the_cap_and_an_empty_selection_are_explained() {
        let mut data = sample();
        data.capped_at = Some(300);
        data.selected.clear();
        let html = section(&data).into_string();
        assert!(html.contains("only the first 300 found are drawn"));
        assert!(html.contains("No relation types are selected"));
    }
}
