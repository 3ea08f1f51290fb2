//! The relation types a graph knows: each pair of inverse relations, which
//! of the two is drawn, how people read it, and which way it points on the
//! page.
//!
//! Every relation is stored twice in the catalog (`ownedBy` on the
//! component, `ownerOf` on the group). A graph draws each pair once, as
//! Backstage's catalog graph does, in its "forward" form (`ownedBy`,
//! `partOf`, `providesApi`, `consumesApi`, `dependsOn`, `memberOf`,
//! `childOf`). The forward form also fixes the direction on the page, so a
//! picture always reads the same way: owners, systems, domains and parent
//! groups sit above what belongs to them; providers and consumers sit above
//! the APIs, and dependents above what they depend on.

use greenroom_model::relations as r;

/// Where the target of a forward relation is drawn relative to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The target sits above the source (`ownedBy`: the owner is above).
    Up,
    /// The target sits below the source (`providesApi`: the API is below).
    Down,
}

/// One pair of inverse relation types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelationPair {
    /// The type that is drawn (`ownedBy`).
    pub forward: &'static str,
    /// Its inverse (`ownerOf`).
    pub inverse: &'static str,
    /// How people read the forward type ("owned by").
    pub forward_label: &'static str,
    /// How people read the inverse type ("owner of").
    pub inverse_label: &'static str,
    /// What the pair is about, for the controls ("Ownership").
    pub topic: &'static str,
    pub flow: Flow,
    /// The CSS class of its edges (`edge-owned-by`).
    pub class: &'static str,
}

/// Every pair, in the order controls and legends list them.
pub const RELATION_PAIRS: &[RelationPair] = &[
    pair(
        r::OWNED_BY,
        r::OWNER_OF,
        "owned by",
        "owner of",
        "Ownership",
        Flow::Up,
        "edge-owned-by",
    ),
    pair(
        r::PART_OF,
        r::HAS_PART,
        "part of",
        "has part",
        "Parts",
        Flow::Up,
        "edge-part-of",
    ),
    pair(
        r::PROVIDES_API,
        r::API_PROVIDED_BY,
        "provides API",
        "API provided by",
        "Provided APIs",
        Flow::Down,
        "edge-provides-api",
    ),
    pair(
        r::CONSUMES_API,
        r::API_CONSUMED_BY,
        "consumes API",
        "API consumed by",
        "Consumed APIs",
        Flow::Down,
        "edge-consumes-api",
    ),
    pair(
        r::DEPENDS_ON,
        r::DEPENDENCY_OF,
        "depends on",
        "dependency of",
        "Dependencies",
        Flow::Down,
        "edge-depends-on",
    ),
    pair(
        r::MEMBER_OF,
        r::HAS_MEMBER,
        "member of",
        "has member",
        "Membership",
        Flow::Up,
        "edge-member-of",
    ),
    pair(
        r::CHILD_OF,
        r::PARENT_OF,
        "child of",
        "parent of",
        "Group hierarchy",
        Flow::Up,
        "edge-child-of",
    ),
];

const fn pair(
    forward: &'static str,
    inverse: &'static str,
    forward_label: &'static str,
    inverse_label: &'static str,
    topic: &'static str,
    flow: Flow,
    class: &'static str,
) -> RelationPair {
    RelationPair {
        forward,
        inverse,
        forward_label,
        inverse_label,
        topic,
        flow,
        class,
    }
}

/// The CSS class of edges whose type is not one of [`RELATION_PAIRS`].
pub const OTHER_EDGE_CLASS: &str = "edge-other";

/// Every known relation type (forward and inverse), in pair order.
pub fn all_types() -> impl Iterator<Item = &'static str> {
    RELATION_PAIRS.iter().flat_map(|p| [p.forward, p.inverse])
}

/// The known type spelled `name` (exactly, as Backstage spells types).
pub fn known_type(name: &str) -> Option<&'static str> {
    all_types().find(|t| *t == name)
}

/// The pair `relation_type` belongs to.
pub fn pair_of(relation_type: &str) -> Option<&'static RelationPair> {
    RELATION_PAIRS
        .iter()
        .find(|p| p.forward == relation_type || p.inverse == relation_type)
}

/// The forward form of `relation_type` and whether source and target swap
/// to reach it (`ownerOf` → `ownedBy`, swapped). Unknown types are kept.
pub fn forward(relation_type: &str) -> (&str, bool) {
    match pair_of(relation_type) {
        Some(pair) if pair.inverse == relation_type => (pair.forward, true),
        Some(pair) => (pair.forward, false),
        None => (relation_type, false),
    }
}

/// How people read `relation_type` ("owned by"); unknown types as written.
pub fn label(relation_type: &str) -> &str {
    match pair_of(relation_type) {
        Some(pair) if pair.inverse == relation_type => pair.inverse_label,
        Some(pair) => pair.forward_label,
        None => relation_type,
    }
}

/// Which way a (forward) type points on the page; unknown types point down.
pub fn flow(relation_type: &str) -> Flow {
    pair_of(relation_type).map_or(Flow::Down, |p| p.flow)
}

/// The CSS class of edges of `relation_type`.
pub fn edge_class(relation_type: &str) -> &'static str {
    pair_of(relation_type).map_or(OTHER_EDGE_CLASS, |p| p.class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_types_turn_into_their_forward_form() {
        assert_eq!(forward("ownerOf"), ("ownedBy", true));
        assert_eq!(forward("ownedBy"), ("ownedBy", false));
        assert_eq!(forward("apiConsumedBy"), ("consumesApi", true));
        assert_eq!(forward("parentOf"), ("childOf", true));
        assert_eq!(forward("custom"), ("custom", false));
    }

    #[test]
    fn every_model_relation_type_is_known() {
        assert_eq!(all_types().count(), 14);
        for relation_type in [
            r::OWNED_BY,
            r::OWNER_OF,
            r::PART_OF,
            r::HAS_PART,
            r::PROVIDES_API,
            r::API_PROVIDED_BY,
            r::CONSUMES_API,
            r::API_CONSUMED_BY,
            r::DEPENDS_ON,
            r::DEPENDENCY_OF,
            r::MEMBER_OF,
            r::HAS_MEMBER,
            r::CHILD_OF,
            r::PARENT_OF,
        ] {
            assert_eq!(known_type(relation_type), Some(relation_type));
        }
        assert_eq!(known_type("OwnedBy"), None);
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("ownerOf"), "owner of");
        assert_eq!(label("providesApi"), "provides API");
        assert_eq!(label("x-custom"), "x-custom");
        assert_eq!(edge_class("dependencyOf"), "edge-depends-on");
        assert_eq!(edge_class("x-custom"), OTHER_EDGE_CLASS);
        assert_eq!(flow("partOf"), Flow::Up);
        assert_eq!(flow("dependsOn"), Flow::Down);
    }
}
