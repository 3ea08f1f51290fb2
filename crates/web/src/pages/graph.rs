//! The graph tab: the entities around one, found breadth-first over their
//! relations, drawn as an SVG graph.
//!
//! `?depth=` (1–4) says how many relation steps to follow and
//! `?relations=` (repeated or comma-separated) which relation types; both
//! are parsed strictly, a bad value is a 400 page naming the parameter.
//! Systems and domains default to two steps over the relations that make
//! up a system (parts, APIs, dependencies), so their page shows the whole
//! system or domain; other entities default to one step over every
//! relation. Each step is one store query for the entities it reaches; at
//! most [`MAX_NODES`] entities are drawn and the page says when there were
//! more. Relations among the entities of the last step are drawn too (a
//! system's component and the team owning both), without adding entities.
//!
//! Relation targets that are not in the catalog are drawn as dashed nodes
//! without a link: their page would only say "not found", and the node's
//! tooltip and the list say that already.

use std::collections::{HashMap, HashSet};

use greenroom_model::relations as r;
use greenroom_model::{DEFAULT_NAMESPACE, EntityRef};
use greenroom_ui::Markup;
use greenroom_ui::entity::{EntityView, entity_href};
use greenroom_ui::graph::{GraphBuilder, relations};
use greenroom_ui::views::graph::{self as view, GraphSection};
use serde_json::Value;

use super::PageError;
use crate::AppState;
use crate::error::ApiError;
use crate::query::error::excerpt;
use crate::query::{QueryError, RawQuery};

/// Most relation steps a graph follows.
pub const MAX_DEPTH: u8 = 4;
/// Most entities a graph draws.
pub const MAX_NODES: usize = 300;

/// The relation types a system or domain graph follows by default: what a
/// system is made of, its APIs and dependencies. Owners are left out: each
/// would draw an edge from every part it owns, burying the architecture
/// under ownership lines (one tick in the form brings them back).
const SYSTEM_RELATIONS: &[&str] = &[
    r::PART_OF,
    r::HAS_PART,
    r::PROVIDES_API,
    r::API_PROVIDED_BY,
    r::CONSUMES_API,
    r::API_CONSUMED_BY,
    r::DEPENDS_ON,
    r::DEPENDENCY_OF,
];

pub(super) async fn section(
    state: &AppState,
    entity: &Value,
    query: Option<&str>,
) -> Result<Markup, PageError> {
    let view = EntityView::new(entity);
    let reference = view
        .reference()
        .ok_or_else(|| ApiError::Internal("a stored entity has no ref".to_owned()))?;
    let raw = RawQuery::parse(query)?;
    let request = GraphRequest::parse(&raw, view.kind())?;
    let found = collect(state, entity, reference.canonical(), &request).await?;

    let mut builder = GraphBuilder::new(format!(
        "Relationship graph of {} {}",
        view.kind().to_lowercase(),
        view.display_name()
    ));
    for (canonical, entity) in &found.entities {
        match entity {
            Some(value) => {
                builder.entity(value, canonical == reference.canonical());
            }
            None => {
                if let Ok(missing) = EntityRef::parse(canonical, None, DEFAULT_NAMESPACE) {
                    builder.missing(&missing);
                }
            }
        }
    }
    for (source, relation_type, target) in &found.relations {
        builder.relation(source, relation_type, target);
    }
    Ok(view::section(&GraphSection {
        base: entity_href(&reference),
        depth: request.depth,
        max_depth: MAX_DEPTH,
        selected: request.relations,
        graph: builder.build(),
        capped_at: found.capped.then_some(MAX_NODES),
    }))
}

/// What the URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GraphRequest {
    depth: u8,
    /// In the order of the controls.
    relations: Vec<&'static str>,
}

impl GraphRequest {
    /// Reads `depth` and `relations`; other parameters are ignored.
    fn parse(raw: &RawQuery, kind: &str) -> Result<Self, QueryError> {
        let whole = kind.eq_ignore_ascii_case("system") || kind.eq_ignore_ascii_case("domain");
        let depth = match raw.single("depth")?.map(str::trim) {
            None | Some("") => {
                if whole {
                    2
                } else {
                    1
                }
            }
            Some(value) => value
                .parse::<u8>()
                .ok()
                .filter(|d| (1..=MAX_DEPTH).contains(d))
                .ok_or_else(|| {
                    QueryError::param(
                        "depth",
                        format!("must be a whole number from 1 to {MAX_DEPTH}"),
                    )
                })?,
        };
        let relations = if raw.has("relations") {
            let mut chosen = HashSet::new();
            for value in raw.values("relations") {
                for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let known = relations::known_type(name).ok_or_else(|| {
                        QueryError::param(
                            "relations",
                            format!(
                                "'{}' is not a relation type (use {})",
                                excerpt(name),
                                relations::all_types().collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })?;
                    chosen.insert(known);
                }
            }
            relations::all_types()
                .filter(|t| chosen.contains(t))
                .collect()
        } else if whole {
            relations::all_types()
                .filter(|t| SYSTEM_RELATIONS.contains(t))
                .collect()
        } else {
            relations::all_types().collect()
        };
        Ok(GraphRequest { depth, relations })
    }
}

/// The entities reached and the relations followed.
#[derive(Debug, Default)]
struct Found {
    /// In the order they were reached, the root first; `None` for
    /// relation targets that are not in the catalog.
    entities: Vec<(String, Option<Value>)>,
    /// `(source, type, target)`, canonical refs.
    relations: Vec<(String, String, String)>,
    /// Whether more entities were related than [`MAX_NODES`].
    capped: bool,
}

/// Breadth-first from `root`: one store query per step.
async fn collect(
    state: &AppState,
    root: &Value,
    root_ref: &str,
    request: &GraphRequest,
) -> Result<Found, ApiError> {
    let mut found = Found::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    index.insert(root_ref.to_owned(), 0);
    found
        .entities
        .push((root_ref.to_owned(), Some(root.clone())));
    let mut frontier: Vec<usize> = vec![0];
    let mut steps = 0;
    while steps < request.depth && !frontier.is_empty() && !found.capped {
        steps += 1;
        let mut next: Vec<String> = Vec::new();
        let mut queued: HashSet<String> = HashSet::new();
        for &at in &frontier {
            let Some(value) = &found.entities[at].1 else {
                continue;
            };
            let source = found.entities[at].0.clone();
            for (relation_type, target) in followed(value, request) {
                let target = target.canonical().to_owned();
                found
                    .relations
                    .push((source.clone(), relation_type.to_owned(), target.clone()));
                if !index.contains_key(&target) && queued.insert(target.clone()) {
                    next.push(target);
                }
            }
        }
        let room = MAX_NODES.saturating_sub(found.entities.len());
        if next.len() > room {
            next.truncate(room);
            found.capped = true;
        }
        if next.is_empty() {
            frontier.clear();
            break;
        }
        let mut rows: HashMap<String, Value> = state
            .store
            .final_entities_by_refs(&next, None)
            .await?
            .into_iter()
            .filter_map(|row| Some((row.entity_ref, serde_json::from_str(&row.body).ok()?)))
            .collect();
        frontier = Vec::with_capacity(next.len());
        for target in next {
            let value = rows.remove(&target);
            index.insert(target.clone(), found.entities.len());
            frontier.push(found.entities.len());
            found.entities.push((target, value));
        }
    }
    // Relations among the entities of the last step (their other relations
    // would add entities beyond the depth).
    for &at in &frontier {
        let Some(value) = &found.entities[at].1 else {
            continue;
        };
        let source = found.entities[at].0.clone();
        for (relation_type, target) in followed(value, request) {
            if index.contains_key(target.canonical()) {
                found.relations.push((
                    source.clone(),
                    relation_type.to_owned(),
                    target.canonical().to_owned(),
                ));
            }
        }
    }
    Ok(found)
}

/// The relations of `entity` whose type the request follows.
fn followed<'a>(entity: &'a Value, request: &GraphRequest) -> Vec<(&'a str, EntityRef)> {
    EntityView::new(entity)
        .relations()
        .into_iter()
        .filter(|(relation_type, _)| request.relations.contains(relation_type))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str, kind: &str) -> Result<GraphRequest, String> {
        let raw = RawQuery::parse(Some(query)).map_err(|e| e.to_string())?;
        GraphRequest::parse(&raw, kind).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_depend_on_the_kind() {
        let component = parse("", "Component").unwrap();
        assert_eq!(component.depth, 1);
        assert_eq!(component.relations.len(), 14);
        let system = parse("", "System").unwrap();
        assert_eq!(system.depth, 2);
        assert!(system.relations.contains(&"hasPart") && system.relations.contains(&"partOf"));
        assert!(!system.relations.contains(&"hasMember"));
        assert_eq!(parse("", "domain").unwrap().depth, 2);
    }

    #[test]
    fn relations_may_repeat_or_be_listed() {
        let request = parse(
            "depth=3&relations=ownerOf,hasMember&relations=partOf",
            "Group",
        )
        .unwrap();
        assert_eq!(request.depth, 3);
        assert_eq!(request.relations, vec!["ownerOf", "partOf", "hasMember"]);
        // The form's empty marker alone means "none".
        assert!(parse("relations=", "Group").unwrap().relations.is_empty());
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for query in ["depth=0", "depth=5", "depth=two", "depth=-1"] {
            assert_eq!(
                parse(query, "Component").unwrap_err(),
                "Invalid depth, must be a whole number from 1 to 4",
                "{query}"
            );
        }
        assert_eq!(
            parse("depth=1&depth=2", "Component").unwrap_err(),
            "Invalid depth, must be given at most once"
        );
        let err = parse("relations=ownedBy,<script>", "Component").unwrap_err();
        assert!(
            err.starts_with("Invalid relations, '<script>' is not a relation type"),
            "{err}"
        );
        assert!(
            parse("relations=%zz", "Component")
                .unwrap_err()
                .starts_with("Invalid relations,")
        );
    }
}
