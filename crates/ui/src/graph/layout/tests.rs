//! Properties every drawing must have, on graphs shaped like real catalogs.

use serde_json::json;

use super::route::Rect;
use super::*;
use crate::graph::model::GraphBuilder;

fn entity(kind: &str, name: &str) -> serde_json::Value {
    json!({"kind": kind, "metadata": {"name": name}})
}

fn reference(kind: &str, name: &str) -> String {
    format!("{}:default/{name}", kind.to_lowercase())
}

/// A domain with systems, each with components, APIs and resources, owned
/// by groups with members: 61 nodes with relations stored in both
/// directions, as the catalog stores them, and a dependency cycle.
fn organisation() -> Graph {
    let mut b = GraphBuilder::new("organisation");
    let mut relations: Vec<(String, &str, String)> = Vec::new();
    let add = |b: &mut GraphBuilder, kind: &str, name: &str| {
        b.entity(&entity(kind, name), false);
        reference(kind, name)
    };
    let domain = add(&mut b, "Domain", "logistics");
    let groups: Vec<String> = (0..3)
        .map(|g| add(&mut b, "Group", &format!("team-{g}")))
        .collect();
    for (g, group) in groups.iter().enumerate() {
        for u in 0..7 {
            let user = add(&mut b, "User", &format!("person-{g}-{u}"));
            relations.push((user.clone(), "memberOf", group.clone()));
            relations.push((group.clone(), "hasMember", user));
        }
    }
    for s in 0..4 {
        let system = add(&mut b, "System", &format!("system-{s}"));
        relations.push((system.clone(), "partOf", domain.clone()));
        relations.push((domain.clone(), "hasPart", system.clone()));
        relations.push((system.clone(), "ownedBy", groups[s % 3].clone()));
        for c in 0..3 {
            let component = add(&mut b, "Component", &format!("service-{s}-{c}"));
            let api = add(&mut b, "API", &format!("api-{s}-{c}"));
            relations.push((component.clone(), "partOf", system.clone()));
            relations.push((system.clone(), "hasPart", component.clone()));
            relations.push((component.clone(), "ownedBy", groups[(s + c) % 3].clone()));
            relations.push((groups[(s + c) % 3].clone(), "ownerOf", component.clone()));
            relations.push((component.clone(), "providesApi", api.clone()));
            relations.push((api.clone(), "apiProvidedBy", component.clone()));
            relations.push((
                component.clone(),
                "consumesApi",
                reference("API", &format!("api-{}-{}", (s + 1) % 4, c)),
            ));
        }
        let db = add(&mut b, "Resource", &format!("database-{s}"));
        let queue = add(&mut b, "Resource", &format!("queue-{s}"));
        relations.push((
            reference("Component", &format!("service-{s}-0")),
            "dependsOn",
            db.clone(),
        ));
        relations.push((
            db,
            "dependencyOf",
            reference("Component", &format!("service-{s}-0")),
        ));
        relations.push((
            reference("Component", &format!("service-{s}-1")),
            "dependsOn",
            queue,
        ));
    }
    // A cycle: service-0-1 → service-0-2 → service-0-1.
    relations.push((
        reference("Component", "service-0-1"),
        "dependsOn",
        reference("Component", "service-0-2"),
    ));
    relations.push((
        reference("Component", "service-0-2"),
        "dependsOn",
        reference("Component", "service-0-1"),
    ));
    b.entity(&entity("Domain", "logistics"), true);
    for (source, relation_type, target) in &relations {
        b.relation(source, relation_type, target);
    }
    b.build()
}

/// One group owning `count` components.
fn star(count: usize) -> Graph {
    let mut b = GraphBuilder::new("star");
    b.entity(&entity("Group", "big-team"), true);
    for i in 0..count {
        b.entity(
            &entity("Component", &format!("component-number-{i}")),
            false,
        );
        b.relation(
            &reference("Component", &format!("component-number-{i}")),
            "ownedBy",
            &reference("Group", "big-team"),
        );
    }
    b.build()
}

fn boxes_overlap(a: &PlacedNode, b: &PlacedNode) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

fn assert_sound(layout: &Layout) {
    for (i, a) in layout.nodes.iter().enumerate() {
        assert!(a.x >= 0.0 && a.y >= 0.0, "{} is off the page", a.node.name);
        assert!(a.x + a.width <= layout.width && a.y + a.height <= layout.height);
        for b in &layout.nodes[i + 1..] {
            assert!(
                !boxes_overlap(a, b),
                "{} overlaps {}",
                a.node.name,
                b.node.name
            );
        }
    }
    for edge in &layout.edges {
        let (first, last) = (edge.points[0], edge.points[edge.points.len() - 1]);
        assert!(
            layout.nodes[edge.from].touches(first),
            "{edge:?} does not start at its source"
        );
        assert!(
            layout.nodes[edge.to].touches(last),
            "{edge:?} does not end at its target"
        );
    }
}

#[test]
fn sixty_nodes_without_overlaps_and_edges_between_their_nodes() {
    let graph = organisation();
    assert_eq!(graph.nodes.len(), 61);
    let layout = layout(&graph);
    assert_eq!(layout.nodes.len(), 61);
    assert_eq!(layout.edges.len(), graph.edges.len());
    assert_sound(&layout);
}

#[test]
fn inverse_pairs_become_one_edge() {
    let graph = organisation();
    // Every (source, target) pair appears once, whichever way it was stored.
    let mut pairs: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .map(|e| (e.from.min(e.to), e.from.max(e.to)))
        .collect();
    let before = pairs.len();
    pairs.sort();
    pairs.dedup();
    // Only the deliberate dependency cycle is a pair in both directions.
    assert_eq!(before - pairs.len(), 1);
    assert!(graph.edges.iter().all(|e| e.types.iter().all(|t| {
        [
            "ownedBy",
            "partOf",
            "providesApi",
            "consumesApi",
            "dependsOn",
            "memberOf",
        ]
        .contains(&t.as_str())
    })));
}

#[test]
fn owners_and_systems_sit_above_and_apis_below() {
    let layout = layout(&organisation());
    let at = |name: &str| {
        layout
            .nodes
            .iter()
            .find(|n| n.node.name == name)
            .map(|n| n.y)
            .unwrap()
    };
    assert!(at("logistics") < at("system-1"));
    assert!(at("system-1") < at("service-1-0"));
    assert!(at("service-1-0") < at("api-1-0"));
    assert!(at("team-0") < at("person-0-0"));
    assert!(at("service-1-0") < at("database-1"));
    // Arrows point from the relation's source to its target.
    for edge in &layout.edges {
        let (first, last) = (edge.points[0], edge.points[edge.points.len() - 1]);
        match relations::flow(&edge.types[0]) {
            Flow::Up => assert!(last.y < first.y, "{edge:?}"),
            // (but for the dependency cycle, which must point up once)
            Flow::Down if edge.types[0] != "dependsOn" => assert!(last.y > first.y, "{edge:?}"),
            Flow::Down => {}
        }
    }
}

#[test]
fn the_same_graph_gives_the_same_drawing() {
    assert_eq!(layout(&organisation()), layout(&organisation()));
}

#[test]
fn wide_layers_wrap_so_the_picture_stays_readable() {
    let layout = layout(&star(120));
    assert_sound(&layout);
    assert!(
        layout.width <= MAX_ROW_WIDTH + 2.0 * MARGIN,
        "{} wide",
        layout.width
    );
    // Names are never shrunk: every box keeps its full size.
    assert!(layout.nodes.iter().all(|n| n.width >= MIN_NODE_WIDTH));
    // One "owned by" label for the whole fan, not 120.
    let labels = layout.edges.iter().filter(|e| e.label.is_some()).count();
    assert_eq!(labels, 1);
}

#[test]
fn rows_pulled_towards_their_neighbours_stay_within_the_page() {
    // A parent group, eight child groups with twelve members each: every
    // row wants to sit under its own group, far left or far right.
    let mut b = GraphBuilder::new("org");
    b.entity(&entity("Group", "org"), true);
    for g in 0..8 {
        let group = format!("department-number-{g}");
        b.entity(&entity("Group", &group), false);
        b.relation(
            &reference("Group", &group),
            "childOf",
            &reference("Group", "org"),
        );
        for u in 0..12 {
            let user = format!("user-with-a-long-name-{g}-{u}");
            b.entity(&entity("User", &user), false);
            b.relation(
                &reference("User", &user),
                "memberOf",
                &reference("Group", &group),
            );
        }
    }
    let layout = layout(&b.build());
    assert_eq!(layout.nodes.len(), 105);
    assert_sound(&layout);
    assert!(
        layout.width <= MAX_ROW_WIDTH + 2.0 * MARGIN,
        "{} wide",
        layout.width
    );
}

#[test]
fn three_hundred_nodes_are_laid_out() {
    let layout = layout(&star(300));
    assert_eq!(layout.nodes.len(), 301);
    assert_sound(&layout);
}

#[test]
fn labels_never_cover_boxes_or_each_other() {
    let layout = layout(&organisation());
    let labels: Vec<Rect> = layout
        .edges
        .iter()
        .filter_map(|e| e.label.as_ref())
        .map(|l| {
            let width = text::EDGE_LABEL.width(&l.text);
            Rect {
                x: l.at.x - width / 2.0,
                y: l.at.y - route::LABEL_HEIGHT / 2.0,
                width,
                height: route::LABEL_HEIGHT,
            }
        })
        .collect();
    assert!(!labels.is_empty());
    for (i, a) in labels.iter().enumerate() {
        for node in &layout.nodes {
            let b = Rect {
                x: node.x,
                y: node.y,
                width: node.width,
                height: node.height,
            };
            assert!(!overlap(a, &b), "a label covers {}", node.node.name);
        }
        for b in &labels[i + 1..] {
            assert!(!overlap(a, b), "two labels overlap");
        }
    }
}

fn overlap(a: &Rect, b: &Rect) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

#[test]
fn long_names_are_cut_and_boxes_stay_bounded() {
    let mut b = GraphBuilder::new("long");
    let name = "x".repeat(63);
    b.entity(&entity("Component", &name), true);
    b.entity(
        &json!({"kind": "Component", "metadata": {"name": "titled", "title": "Ω".repeat(300)}}),
        false,
    );
    let layout = layout(&b.build());
    for node in &layout.nodes {
        assert!(node.width <= MAX_NODE_WIDTH);
        assert!(node.name_cut);
        assert!(node.name_text.ends_with('…'));
    }
}

#[test]
fn an_entity_without_relations_is_one_box() {
    let mut b = GraphBuilder::new("alone");
    b.entity(&entity("Component", "alone"), true);
    let layout = layout(&b.build());
    assert_eq!(layout.nodes.len(), 1);
    assert!(layout.edges.is_empty());
    assert_sound(&layout);
}
