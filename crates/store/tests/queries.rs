//! Catalog queries (filters, sorting, keyset paging, full text, facets,
//! lookups by ref and uid) on every backend, over final entities stitched
//! with the search rows `greenroom_model::search` builds.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

#[macro_use]
#[allow(dead_code, reason = "shared with the conformance suite")]
mod support;

use std::sync::Arc;

use greenroom_store::query::{
    Direction, EntityQuery, FullText, Keyset, Matcher, Predicate, SortKey, Tiebreak,
};
use greenroom_store::{CatalogStore, FinalEntityRow, SearchRow, StitchedEntity};
use serde_json::{Value, json};

conformance! {
    stores: [
        filters_match_flattened_paths,
        logical_operators_combine,
        sorting_requires_or_trails_missing_keys,
        keyset_pages_walk_forwards_and_backwards,
        offsets_page_in_ref_order,
        full_text_matches_substrings_of_chosen_fields,
        facets_count_values_as_written,
        lookups_by_refs_and_uid,
        restitching_replaces_search_rows,
        plans_agree_on_a_larger_catalog,
        a_bulk_loaded_catalog_is_searchable,
    ],
    persistent: [],
}

fn entity(kind: &str, namespace: &str, name: &str, spec: Value, extra: Value) -> Value {
    let mut metadata = json!({"name": name, "namespace": namespace});
    if let Value::Object(extra) = extra {
        metadata.as_object_mut().unwrap().extend(extra);
    }
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": metadata,
        "spec": spec,
    })
}

fn stitched(mut body: Value, relations: &[(&str, &str)]) -> StitchedEntity {
    let kind = body["kind"].as_str().unwrap().to_lowercase();
    let namespace = body["metadata"]["namespace"].as_str().unwrap().to_owned();
    let name = body["metadata"]["name"].as_str().unwrap().to_owned();
    let entity_ref = format!("{kind}:{namespace}/{name}").to_lowercase();
    body["metadata"]["uid"] = json!(format!("uid-{entity_ref}"));
    body["relations"] = relations
        .iter()
        .map(|(t, target)| json!({"type": t, "targetRef": target}))
        .collect();
    let search = greenroom_model::search::search_entries(&body)
        .into_iter()
        .map(|e| SearchRow {
            key: e.key,
            value: e.value,
            original: e.original,
        })
        .collect();
    let text = body.to_string();
    StitchedEntity {
        row: FinalEntityRow {
            entity_id: format!("uid-{entity_ref}"),
            entity_ref,
            kind,
            namespace: namespace.to_lowercase(),
            name: name.to_lowercase(),
            hash: format!("{:x}", text.len()) + &text[text.len().saturating_sub(40)..],
            body: text,
            stitched_at: 1,
        },
        search,
    }
}

/// A small organisation.
fn organisation() -> Vec<StitchedEntity> {
    vec![
        stitched(
            entity(
                "Component",
                "default",
                "petstore",
                json!({"type": "service", "owner": "team-a", "lifecycle": "production"}),
                json!({"title": "Pet Store", "tags": ["java", "web"]}),
            ),
            &[("ownedBy", "group:default/team-a")],
        ),
        stitched(
            entity(
                "Component",
                "default",
                "shop",
                json!({"type": "website", "owner": "team-b", "lifecycle": "experimental"}),
                json!({"title": "Shop Front", "tags": ["react"]}),
            ),
            &[("ownedBy", "group:default/team-b")],
        ),
        stitched(
            entity(
                "Component",
                "default",
                "lib-a",
                json!({"type": "library", "owner": "team-a", "lifecycle": "production"}),
                json!({"tags": ["java"]}),
            ),
            &[("ownedBy", "group:default/team-a")],
        ),
        stitched(
            entity(
                "Component",
                "other",
                "billing",
                json!({"type": "Service", "owner": "team-b", "lifecycle": "production"}),
                json!({"title": "Billing"}),
            ),
            &[("ownedBy", "group:default/team-b")],
        ),
        stitched(
            entity(
                "API",
                "default",
                "pets",
                json!({"type": "openapi", "owner": "team-a", "lifecycle": "production"}),
                json!({}),
            ),
            &[("ownedBy", "group:default/team-a")],
        ),
        stitched(
            entity(
                "Group",
                "default",
                "team-a",
                json!({"type": "team"}),
                json!({}),
            ),
            &[("ownerOf", "component:default/petstore")],
        ),
        stitched(
            entity(
                "Group",
                "default",
                "team-b",
                json!({"type": "team"}),
                json!({}),
            ),
            &[],
        ),
        stitched(
            entity("User", "default", "alice", json!({}), json!({})),
            &[("memberOf", "group:default/team-a")],
        ),
    ]
}

async fn seed(store: &Arc<dyn CatalogStore>, entities: Vec<StitchedEntity>) {
    store
        .write_stitched(entities, Vec::new(), Vec::new())
        .await
        .unwrap();
}

/// How many entities match `query` (paging ignored).
async fn count(store: &Arc<dyn CatalogStore>, query: &EntityQuery) -> u64 {
    let counting = EntityQuery {
        limit: Some(0),
        ..query.clone()
    };
    let (rows, total) = store.query_page(&counting, Some(u64::MAX)).await.unwrap();
    assert!(rows.is_empty());
    total.unwrap()
}

async fn refs(store: &Arc<dyn CatalogStore>, query: EntityQuery) -> Vec<String> {
    store
        .query_entities(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.row.entity_ref)
        .collect()
}

fn filtered(filter: Predicate) -> EntityQuery {
    EntityQuery {
        filter: Some(filter),
        ..EntityQuery::default()
    }
}

fn all(parts: Vec<Predicate>) -> Predicate {
    Predicate::All(parts)
}

fn field(key: &str, matcher: Matcher) -> Predicate {
    Predicate::Field {
        key: key.to_owned(),
        matcher,
    }
}

async fn filters_match_flattened_paths(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let by = |p| refs(&store, filtered(p));
    assert_eq!(
        by(all(vec![
            Predicate::equals("kind", "component"),
            Predicate::equals("spec.type", "service")
        ]))
        .await,
        ["component:default/petstore", "component:other/billing"]
    );
    assert_eq!(
        by(Predicate::exists("metadata.tags.java")).await,
        ["component:default/lib-a", "component:default/petstore"]
    );
    assert_eq!(
        by(Predicate::equals("metadata.tags", "react")).await,
        ["component:default/shop"]
    );
    assert_eq!(
        by(Predicate::equals(
            "relations.ownedby",
            "group:default/team-b"
        ))
        .await,
        ["component:default/shop", "component:other/billing"]
    );
    assert_eq!(
        by(Predicate::equals("metadata.namespace", "other")).await,
        ["component:other/billing"]
    );
    assert_eq!(
        by(field("metadata.name", Matcher::HasPrefix("team-".into()))).await,
        ["group:default/team-a", "group:default/team-b"]
    );
    assert_eq!(
        by(field(
            "kind",
            Matcher::AnyOf(vec!["user".into(), "api".into()])
        ))
        .await,
        ["api:default/pets", "user:default/alice"]
    );
    assert!(by(Predicate::equals("no.such.key", "x")).await.is_empty());
    assert!(by(field("kind", Matcher::AnyOf(vec![]))).await.is_empty());
    // LIKE wildcards in a prefix are plain characters.
    assert!(
        by(field("metadata.name", Matcher::HasPrefix("%".into())))
            .await
            .is_empty()
    );
}

async fn logical_operators_combine(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let by = |p| refs(&store, filtered(p));
    assert_eq!(
        by(Predicate::Any(vec![
            Predicate::equals("kind", "user"),
            all(vec![
                Predicate::equals("kind", "group"),
                Predicate::equals("metadata.name", "team-b")
            ]),
        ]))
        .await,
        ["group:default/team-b", "user:default/alice"]
    );
    assert_eq!(
        by(all(vec![
            Predicate::equals("kind", "component"),
            Predicate::Not(Box::new(Predicate::exists("metadata.tags")))
        ]))
        .await,
        ["component:other/billing"]
    );
    // Conditions the store restates on its own columns (kind, namespace,
    // name) combine with the others like any condition.
    assert_eq!(
        by(all(vec![
            field(
                "metadata.name",
                Matcher::AnyOf(vec!["shop".into(), "lib-a".into(), "nope".into()])
            ),
            Predicate::equals("kind", "component"),
            Predicate::equals("metadata.namespace", "default"),
            Predicate::Not(Box::new(Predicate::equals("spec.type", "website"))),
        ]))
        .await,
        ["component:default/lib-a"]
    );
    assert!(
        by(all(vec![
            Predicate::equals("kind", "group"),
            Predicate::equals("metadata.namespace", "other")
        ]))
        .await
        .is_empty()
    );
    assert_eq!(by(Predicate::All(vec![])).await.len(), 8);
    assert!(by(Predicate::Any(vec![])).await.is_empty());
}

fn sorted(key: &str, direction: Direction, require: bool) -> EntityQuery {
    EntityQuery {
        sort: vec![SortKey {
            key: key.to_owned(),
            direction,
        }],
        require_sort_keys: require,
        tiebreak: Tiebreak::Row,
        ..EntityQuery::default()
    }
}

async fn sorting_requires_or_trails_missing_keys(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    // Entities lacking metadata.title are left out when the key is required...
    let titles = refs(&store, sorted("metadata.title", Direction::Ascending, true)).await;
    assert_eq!(
        titles,
        [
            "component:other/billing",
            "component:default/petstore",
            "component:default/shop"
        ]
    );
    let descending = refs(
        &store,
        sorted("metadata.title", Direction::Descending, true),
    )
    .await;
    assert_eq!(descending, titles.iter().rev().cloned().collect::<Vec<_>>());
    // ...and sort after the others when it is not.
    let mut query = sorted("metadata.title", Direction::Descending, false);
    query.tiebreak = Tiebreak::EntityRef;
    let trailing = refs(&store, query).await;
    assert_eq!(trailing.len(), 8);
    assert_eq!(&trailing[..3], &descending[..]);
    // Ties (here: no title at all) break in the sort's direction.
    assert_eq!(trailing[3], "user:default/alice");
    assert_eq!(trailing[7], "api:default/pets");
}

async fn keyset_pages_walk_forwards_and_backwards(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    for direction in [Direction::Ascending, Direction::Descending] {
        let everything = refs(&store, sorted("spec.owner", direction, true)).await;
        assert_eq!(everything.len(), 5, "{everything:?}");
        let mut walked = Vec::new();
        let mut pages = Vec::new();
        let mut keyset = None;
        loop {
            let mut query = sorted("spec.owner", direction, true);
            query.limit = Some(2);
            query.keyset = keyset.clone();
            let page = store.query_entities(&query).await.unwrap();
            let Some(last) = page.last() else { break };
            keyset = Some(Keyset {
                sort_values: last.sort_values.clone(),
                tiebreak: last.tiebreak.clone(),
                backwards: false,
            });
            walked.extend(page.iter().map(|e| e.row.entity_ref.clone()));
            pages.push(page);
        }
        assert_eq!(walked, everything, "{direction:?}");
        // From the start of the last page, going backwards gives the
        // previous page in the query's order.
        let last_page = pages.last().unwrap();
        let first_of_last = &last_page[0];
        let mut query = sorted("spec.owner", direction, true);
        query.limit = Some(2);
        query.keyset = Some(Keyset {
            sort_values: first_of_last.sort_values.clone(),
            tiebreak: first_of_last.tiebreak.clone(),
            backwards: true,
        });
        let previous: Vec<String> = store
            .query_entities(&query)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.row.entity_ref)
            .collect();
        let expected: Vec<String> = pages[pages.len() - 2]
            .iter()
            .map(|e| e.row.entity_ref.clone())
            .collect();
        assert_eq!(previous, expected, "{direction:?}");
    }
    // A forged position is an invalid query, not a database error.
    let mut query = sorted("spec.owner", Direction::Ascending, true);
    query.keyset = Some(Keyset {
        sort_values: vec![Some("team-a".into())],
        tiebreak: "not-a-number".into(),
        backwards: false,
    });
    assert!(matches!(
        store.query_entities(&query).await,
        Err(greenroom_store::StoreError::InvalidQuery(_))
    ));
}

async fn offsets_page_in_ref_order(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let everything = refs(&store, EntityQuery::default()).await;
    let mut sorted_refs = everything.clone();
    sorted_refs.sort();
    assert_eq!(everything, sorted_refs);
    let page = refs(
        &store,
        EntityQuery {
            offset: 3,
            limit: Some(2),
            ..EntityQuery::default()
        },
    )
    .await;
    assert_eq!(page, &everything[3..5]);
    let rest = refs(
        &store,
        EntityQuery {
            offset: 6,
            ..EntityQuery::default()
        },
    )
    .await;
    assert_eq!(rest, &everything[6..]);
    let mut by_ref = EntityQuery {
        limit: Some(3),
        ..EntityQuery::default()
    };
    by_ref.keyset = Some(Keyset {
        sort_values: vec![],
        tiebreak: everything[2].clone(),
        backwards: false,
    });
    assert_eq!(refs(&store, by_ref).await, &everything[3..6]);
    assert_eq!(
        count(&store, &filtered(Predicate::equals("kind", "component"))).await,
        4
    );
}

async fn full_text_matches_substrings_of_chosen_fields(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let text = |term: &str, keys: &[&str]| EntityQuery {
        full_text: Some(FullText {
            term: term.to_owned(),
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        }),
        ..EntityQuery::default()
    };
    assert_eq!(
        refs(&store, text("sto", &["metadata.title"])).await,
        ["component:default/petstore"]
    );
    assert_eq!(refs(&store, text("e", &["metadata.name"])).await.len(), 5);
    let mut combined = text("team", &["metadata.name", "spec.owner"]);
    combined.filter = Some(Predicate::equals("kind", "component"));
    assert_eq!(refs(&store, combined.clone()).await.len(), 4);
    assert_eq!(count(&store, &combined).await, 4);
    // LIKE wildcards are literal.
    assert!(refs(&store, text("%", &["metadata.name"])).await.is_empty());
    assert!(refs(&store, text("_", &["metadata.name"])).await.is_empty());
    assert!(refs(&store, text("a", &["no.such.key"])).await.is_empty());
}

async fn facets_count_values_as_written(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let facets = store
        .facets(&["spec.type".to_owned(), "metadata.tags".to_owned()], None)
        .await
        .unwrap();
    assert_eq!(facets[0].key, "spec.type");
    let mut types = facets[0].values.clone();
    types.sort();
    assert_eq!(
        types,
        [
            ("Service".to_owned(), 1),
            ("library".to_owned(), 1),
            ("openapi".to_owned(), 1),
            ("service".to_owned(), 1),
            ("team".to_owned(), 2),
            ("website".to_owned(), 1),
        ]
    );
    assert_eq!(facets[1].values[0], ("java".to_owned(), 2));
    let only_components = store
        .facets(
            &["spec.lifecycle".to_owned()],
            Some(&Predicate::equals("kind", "component")),
        )
        .await
        .unwrap();
    assert_eq!(
        only_components[0].values,
        [("production".to_owned(), 3), ("experimental".to_owned(), 1)]
    );
    let unknown = store.facets(&["no.such".to_owned()], None).await.unwrap();
    assert!(unknown[0].values.is_empty());
}

async fn lookups_by_refs_and_uid(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let found = store
        .final_entities_by_refs(
            &[
                "user:default/alice".to_owned(),
                "component:default/nope".to_owned(),
                "group:default/team-a".to_owned(),
            ],
            Some(&Predicate::equals("kind", "group")),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].entity_ref, "group:default/team-a");
    let by_uid = store
        .final_entity_by_uid("uid-user:default/alice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_uid.entity_ref, "user:default/alice");
    assert!(store.final_entity_by_uid("nope").await.unwrap().is_none());
    assert!(store.final_entity_by_uid("a\0b").await.unwrap().is_none());
}

async fn restitching_replaces_search_rows(store: Arc<dyn CatalogStore>) {
    seed(&store, organisation()).await;
    let moved = stitched(
        entity(
            "Component",
            "default",
            "shop",
            json!({"type": "service", "owner": "team-a"}),
            json!({}),
        ),
        &[],
    );
    seed(&store, vec![moved]).await;
    let services = refs(&store, filtered(Predicate::equals("spec.type", "service"))).await;
    assert!(services.contains(&"component:default/shop".to_owned()));
    assert!(
        refs(&store, filtered(Predicate::equals("spec.type", "website")))
            .await
            .is_empty()
    );
    store
        .write_stitched(
            Vec::new(),
            vec!["component:default/shop".to_owned()],
            Vec::new(),
        )
        .await
        .unwrap();
    assert!(
        refs(&store, filtered(Predicate::equals("metadata.name", "shop")))
            .await
            .is_empty()
    );
}

/// Enough entities that SQLite's planner takes each of its paths (a
/// selective condition drives, a common one is probed, the sort index
/// drives); every path must give what filtering by hand gives.
async fn plans_agree_on_a_larger_catalog(store: Arc<dyn CatalogStore>) {
    let n = 3_000;
    let entities: Vec<StitchedEntity> = (0..n)
        .map(|i| {
            let kind_of = if i % 3 == 0 { "library" } else { "service" };
            stitched(
                entity(
                    "Component",
                    "default",
                    &format!("c{i:05}"),
                    json!({"type": kind_of, "owner": format!("team-{}", i % 7)}),
                    json!({"title": format!("Component {}", (i * 7919) % n)}),
                ),
                &[],
            )
        })
        .collect();
    seed(&store, entities).await;
    let expected_services: Vec<String> = (0..n)
        .filter(|i| i % 3 != 0)
        .map(|i| format!("component:default/c{i:05}"))
        .collect();
    let mut page = filtered(all(vec![
        Predicate::equals("kind", "component"),
        Predicate::equals("spec.type", "service"),
    ]));
    page.limit = Some(50);
    assert_eq!(refs(&store, page.clone()).await, &expected_services[..50]);
    assert_eq!(count(&store, &page).await, expected_services.len() as u64);
    // A bounded count stops at its cap, and is exact below it.
    for cap in [0, 1, 100, 5_000] {
        let (rows, total) = store.query_page(&page, Some(cap)).await.unwrap();
        assert_eq!(rows.len(), 50);
        assert_eq!(
            total,
            Some(cap.min(expected_services.len() as u64)),
            "cap {cap}"
        );
    }
    // Selective: one owner out of 7, one name.
    let one = refs(
        &store,
        filtered(Predicate::equals("metadata.name", "c01234")),
    )
    .await;
    assert_eq!(one, ["component:default/c01234"]);
    let mut sorted_page = sorted("metadata.title", Direction::Ascending, true);
    sorted_page.filter = Some(Predicate::equals("spec.owner", "team-3"));
    sorted_page.limit = Some(10);
    let got = store.query_entities(&sorted_page).await.unwrap();
    let mut titles: Vec<String> = (0..n)
        .filter(|i| i % 7 == 3)
        .map(|i| format!("component {}", (i * 7919) % n))
        .collect();
    titles.sort();
    let got_titles: Vec<String> = got
        .iter()
        .map(|e| e.sort_values[0].clone().unwrap())
        .collect();
    assert_eq!(got_titles, &titles[..10]);
}

/// A first load writes search rows while their index is dropped; once the
/// load ends every query answers as usual, page and count together.
async fn a_bulk_loaded_catalog_is_searchable(store: Arc<dyn CatalogStore>) {
    assert!(store.begin_bulk_load().await.unwrap());
    seed(&store, organisation()).await;
    store.end_bulk_load().await.unwrap();
    store.end_bulk_stitch().await.unwrap();
    let mut query = filtered(Predicate::equals("metadata.tags", "java"));
    query.full_text = Some(FullText {
        term: "a".to_owned(),
        keys: vec!["metadata.name".to_owned()],
    });
    query.limit = Some(1);
    let (page, total) = store.query_page(&query, Some(u64::MAX)).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].row.entity_ref, "component:default/lib-a");
    assert_eq!(total, Some(1));
    let facets = store.facets(&["kind".to_owned()], None).await.unwrap();
    assert_eq!(facets[0].values[0], ("Component".to_owned(), 4));
    // Once there are search rows, a later load keeps their index.
    assert!(store.begin_bulk_load().await.unwrap());
    store.end_bulk_load().await.unwrap();
    store.end_bulk_stitch().await.unwrap();
    assert_eq!(
        refs(&store, filtered(Predicate::equals("kind", "group"))).await,
        ["group:default/team-a", "group:default/team-b"]
    );
}
