//! The ingestion life cycle on catalogs of real files: a first ingest, passes
//! over unchanged files, edits, removals (orphans), conflicts between
//! locations, and a restart on the same database.

// Scenario helpers live outside #[test] functions; panicking is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use greenroom_catalog::OrphanStrategy;
use greenroom_catalog::StitchStats;

on_every_backend!(
    first_ingest_stitches_every_entity_with_annotations_and_relations,
    unchanged_files_are_not_reprocessed,
    an_edit_rewrites_only_its_entity_and_moves_relations,
    removed_entities_are_deleted,
    removed_entities_are_kept_as_orphans_and_come_back,
    the_first_location_keeps_a_conflicting_entity,
    a_moved_entity_keeps_its_identity_when_orphans_are_deleted,
    a_moved_entity_keeps_its_identity_when_orphans_are_kept,
    a_restart_keeps_everything_and_writes_nothing,
    location_cycles_are_walked_once,
    a_broken_location_keeps_walking_its_targets,
);

const ORG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  parent: engineering
  children: []
  members: [alice]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: engineering
spec:
  type: department
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-b
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  memberOf: [team-a]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team-a
";

fn checkout(owner: &str) -> String {
    format!(
        "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: {owner}
  system: shop
  providesApis: [checkout-api]
  dependsOn: [resource:db]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  system: shop
  definition: openapi
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: db
spec:
  type: database
  owner: team-a
"
    )
}

/// `catalog/catalog-info.yaml` → `org.yaml` and `services/checkout.yaml`.
fn shop(files: &Files) {
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./org.yaml", "./services/checkout.yaml"]),
    );
    files.write("catalog/org.yaml", ORG);
    files.write("catalog/services/checkout.yaml", &checkout("team-a"));
}

async fn first_ingest_stitches_every_entity_with_annotations_and_relations(db: Db) {
    let files = Files::new();
    shop(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    let report = refresh(&engine).await;
    assert_eq!(report.sources_seen, 3);
    assert_eq!(report.sources_processed, 3);
    assert_eq!(report.entities_written, 9);
    assert_eq!(report.stitched.written, 9);
    assert!(
        errors(&db.store).await.is_empty(),
        "{:?}",
        errors(&db.store).await
    );

    let store = &db.store;
    assert_eq!(
        all_refs(store).await,
        [
            "api:default/checkout-api",
            "component:default/checkout",
            "group:default/engineering",
            "group:default/team-a",
            "group:default/team-b",
            "location:default/root",
            "resource:default/db",
            "system:default/shop",
            "user:default/alice",
        ]
    );
    let mut counts = store.count_by_kind().await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("api".to_owned(), 1),
            ("component".to_owned(), 1),
            ("group".to_owned(), 3),
            ("location".to_owned(), 1),
            ("resource".to_owned(), 1),
            ("system".to_owned(), 1),
            ("user".to_owned(), 1),
        ]
    );

    let root_key = files.key("catalog/catalog-info.yaml");
    let mut uids = std::collections::HashSet::new();
    for (entity_ref, file) in [
        ("location:default/root", "catalog/catalog-info.yaml"),
        ("group:default/team-a", "catalog/org.yaml"),
        ("user:default/alice", "catalog/org.yaml"),
        ("system:default/shop", "catalog/org.yaml"),
        (
            "component:default/checkout",
            "catalog/services/checkout.yaml",
        ),
        ("resource:default/db", "catalog/services/checkout.yaml"),
    ] {
        let row = store.final_entity(entity_ref).await.unwrap().unwrap();
        let entity: serde_json::Value = serde_json::from_str(&row.body).unwrap();
        let uid = entity["metadata"]["uid"].as_str().unwrap();
        assert!(
            uuid::Uuid::parse_str(uid).is_ok(),
            "{entity_ref}: uid {uid}"
        );
        assert_eq!(uid, row.entity_id);
        assert!(uids.insert(uid.to_owned()), "{entity_ref}: uid reused");
        assert_eq!(entity["metadata"]["etag"].as_str(), Some(row.hash.as_str()));
        assert_eq!(entity["metadata"]["namespace"], "default");
        assert_eq!(
            annotation(&entity, "backstage.io/managed-by-location"),
            Some(files.key(file).as_str()),
            "{entity_ref}"
        );
        assert_eq!(
            annotation(&entity, "backstage.io/managed-by-origin-location"),
            Some(root_key.as_str()),
            "{entity_ref}"
        );
        assert_eq!(annotation(&entity, "backstage.io/orphan"), None);
        assert_no_status(&entity);
    }
    assert!(root_key.starts_with("file:/"));

    let expected = [
        (
            "component:default/checkout",
            rels(&[
                ("dependsOn", "resource:default/db"),
                ("ownedBy", "group:default/team-a"),
                ("partOf", "system:default/shop"),
                ("providesApi", "api:default/checkout-api"),
            ]),
        ),
        (
            "api:default/checkout-api",
            rels(&[
                ("apiProvidedBy", "component:default/checkout"),
                ("ownedBy", "group:default/team-a"),
                ("partOf", "system:default/shop"),
            ]),
        ),
        (
            "resource:default/db",
            rels(&[
                ("dependencyOf", "component:default/checkout"),
                ("ownedBy", "group:default/team-a"),
            ]),
        ),
        (
            "system:default/shop",
            rels(&[
                ("hasPart", "api:default/checkout-api"),
                ("hasPart", "component:default/checkout"),
                ("ownedBy", "group:default/team-a"),
            ]),
        ),
        (
            "group:default/team-a",
            rels(&[
                ("childOf", "group:default/engineering"),
                ("hasMember", "user:default/alice"),
                ("ownerOf", "api:default/checkout-api"),
                ("ownerOf", "component:default/checkout"),
                ("ownerOf", "resource:default/db"),
                ("ownerOf", "system:default/shop"),
            ]),
        ),
        (
            "group:default/engineering",
            rels(&[("parentOf", "group:default/team-a")]),
        ),
        ("group:default/team-b", rels(&[])),
        (
            "user:default/alice",
            rels(&[("memberOf", "group:default/team-a")]),
        ),
        ("location:default/root", rels(&[])),
    ];
    for (entity_ref, relations_expected) in expected {
        assert_eq!(
            relations(&must(store, entity_ref).await),
            relations_expected,
            "relations of {entity_ref}"
        );
    }
    // The spec comes through untouched.
    let checkout = must(store, "component:default/checkout").await;
    assert_eq!(checkout["spec"]["providesApis"][0], "checkout-api");
    assert_eq!(checkout["kind"], "Component");
}

async fn unchanged_files_are_not_reprocessed(db: Db) {
    let files = Files::new();
    shop(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    refresh(&engine).await;
    let before = db.store.final_entities(None, 100).await.unwrap();

    let report = refresh(&engine).await;
    assert_eq!(report.sources_seen, 3);
    assert_eq!(report.sources_processed, 0);
    assert_eq!(report.entities_written, 0);
    assert_eq!(report.entities_deleted + report.entities_orphaned, 0);
    assert_eq!(report.sources_removed, 0);
    assert_eq!(report.stitched, StitchStats::default());
    assert_eq!(db.store.final_entities(None, 100).await.unwrap(), before);
}

async fn an_edit_rewrites_only_its_entity_and_moves_relations(db: Db) {
    let files = Files::new();
    shop(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    let old = must(store, "component:default/checkout").await;
    let api_before = must(store, "api:default/checkout-api").await;
    let alice_before = store.final_entity("user:default/alice").await.unwrap();

    files.write("catalog/services/checkout.yaml", &checkout("team-b"));
    let report = refresh(&engine).await;
    assert_eq!(report.sources_processed, 1);
    assert_eq!(report.entities_written, 1);

    let new = must(store, "component:default/checkout").await;
    assert_eq!(new["spec"]["owner"], "team-b");
    assert_eq!(new["metadata"]["uid"], old["metadata"]["uid"]);
    assert_ne!(new["metadata"]["etag"], old["metadata"]["etag"]);
    assert!(relations(&new).contains(&("ownedBy".into(), "group:default/team-b".into())));
    assert!(!relations(&new).contains(&("ownedBy".into(), "group:default/team-a".into())));

    assert_eq!(
        relations(&must(store, "group:default/team-a").await),
        rels(&[
            ("childOf", "group:default/engineering"),
            ("hasMember", "user:default/alice"),
            ("ownerOf", "api:default/checkout-api"),
            ("ownerOf", "resource:default/db"),
            ("ownerOf", "system:default/shop"),
        ])
    );
    assert_eq!(
        relations(&must(store, "group:default/team-b").await),
        rels(&[("ownerOf", "component:default/checkout")])
    );
    // Entities the edit does not concern keep their stitched form.
    assert_eq!(must(store, "api:default/checkout-api").await, api_before);
    assert_eq!(
        store.final_entity("user:default/alice").await.unwrap(),
        alice_before
    );
}

/// `catalog/catalog-info.yaml` → `a.yaml` (x, y) and `sub/location.yaml` → `sub/z.yaml` (z).
fn nested(files: &Files) {
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./a.yaml", "./org.yaml", "./sub/location.yaml"]),
    );
    files.write(
        "catalog/a.yaml",
        &docs(&[&component("x", "team-a"), &component("y", "team-a")]),
    );
    files.write("catalog/org.yaml", &group("team-a"));
    files.write("catalog/sub/location.yaml", &location("sub", &["./z.yaml"]));
    files.write("catalog/sub/z.yaml", &component("z", "team-a"));
}

async fn removed_entities_are_deleted(db: Db) {
    let files = Files::new();
    nested(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .orphans(OrphanStrategy::Delete)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert!(entity(store, "component:default/y").await.is_some());

    files.write("catalog/a.yaml", &component("x", "team-a"));
    let report = refresh(&engine).await;
    assert_eq!(report.entities_deleted, 1);
    assert!(entity(store, "component:default/y").await.is_none());
    assert!(entity(store, "component:default/x").await.is_some());
    assert_eq!(
        relations(&must(store, "group:default/team-a").await),
        rels(&[
            ("ownerOf", "component:default/x"),
            ("ownerOf", "component:default/z"),
        ])
    );

    // Dropping a target removes everything below it.
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./a.yaml", "./org.yaml"]),
    );
    let report = refresh(&engine).await;
    assert_eq!(report.sources_removed, 2);
    assert_eq!(
        all_refs(store).await,
        [
            "component:default/x",
            "group:default/team-a",
            "location:default/root"
        ]
    );
    assert_eq!(
        relations(&must(store, "group:default/team-a").await),
        rels(&[("ownerOf", "component:default/x")])
    );
    assert!(errors(store).await.is_empty());
}

async fn removed_entities_are_kept_as_orphans_and_come_back(db: Db) {
    let files = Files::new();
    nested(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .orphans(OrphanStrategy::Keep)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    let y_before = must(store, "component:default/y").await;

    files.write("catalog/a.yaml", &component("x", "team-a"));
    let report = refresh(&engine).await;
    assert_eq!(report.entities_orphaned, 1);
    let y = must(store, "component:default/y").await;
    assert_eq!(annotation(&y, "backstage.io/orphan"), Some("true"));
    assert_eq!(y["spec"], y_before["spec"]);
    assert_eq!(
        annotation(
            &must(store, "component:default/x").await,
            "backstage.io/orphan"
        ),
        None
    );

    files.write(
        "catalog/a.yaml",
        &docs(&[&component("x", "team-a"), &component("y", "team-a")]),
    );
    refresh(&engine).await;
    let y = must(store, "component:default/y").await;
    assert_eq!(annotation(&y, "backstage.io/orphan"), None);
    assert_eq!(y["metadata"]["uid"], y_before["metadata"]["uid"]);
    assert_eq!(y, y_before);

    // Dropping a target orphans everything below it.
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./a.yaml", "./org.yaml"]),
    );
    let report = refresh(&engine).await;
    assert_eq!(report.sources_removed, 2);
    assert_eq!(report.entities_orphaned, 2);
    for orphan in ["location:default/sub", "component:default/z"] {
        assert_eq!(
            annotation(&must(store, orphan).await, "backstage.io/orphan"),
            Some("true"),
            "{orphan}"
        );
    }
    for kept in [
        "component:default/x",
        "component:default/y",
        "location:default/root",
    ] {
        assert_eq!(
            annotation(&must(store, kept).await, "backstage.io/orphan"),
            None,
            "{kept}"
        );
    }
    // And adding the target back adopts them again.
    nested(&files);
    refresh(&engine).await;
    for adopted in ["location:default/sub", "component:default/z"] {
        assert_eq!(
            annotation(&must(store, adopted).await, "backstage.io/orphan"),
            None,
            "{adopted}"
        );
    }
}

async fn the_first_location_keeps_a_conflicting_entity(db: Db) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./a.yaml", "./b.yaml"]),
    );
    files.write("catalog/a.yaml", &component("shared", "team-a"));
    files.write(
        "catalog/b.yaml",
        &docs(&[
            &component("shared", "team-b"),
            &component("b-only", "team-b"),
        ]),
    );
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;

    let shared = must(store, "component:default/shared").await;
    assert_eq!(shared["spec"]["owner"], "team-a");
    assert_eq!(
        annotation(&shared, "backstage.io/managed-by-location"),
        Some(files.key("catalog/a.yaml").as_str())
    );
    assert_no_status(&shared);
    assert!(entity(store, "component:default/b-only").await.is_some());

    let b_key = files.key("catalog/b.yaml");
    let conflict = errors_of(store, &b_key).await;
    assert_eq!(conflict.len(), 1, "{conflict:?}");
    assert!(conflict[0].starts_with("ConflictError: "), "{conflict:?}");
    assert!(
        conflict[0].contains("component:default/shared"),
        "{conflict:?}"
    );
    assert!(
        conflict[0].contains(&files.key("catalog/a.yaml")),
        "{conflict:?}"
    );
    assert_status(
        &must(store, "location:default/root").await,
        &["ConflictError", &b_key, "component:default/shared"],
    );

    // A second pass changes nothing: the first source still owns it.
    refresh(&engine).await;
    assert_eq!(
        must(store, "component:default/shared").await["spec"]["owner"],
        "team-a"
    );

    // Once the owner lets go, the other location takes over.
    files.write("catalog/a.yaml", &component("a-only", "team-a"));
    refresh(&engine).await;
    let shared = must(store, "component:default/shared").await;
    assert_eq!(shared["spec"]["owner"], "team-b");
    assert_eq!(
        annotation(&shared, "backstage.io/managed-by-location"),
        Some(b_key.as_str())
    );
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
    assert_no_status(&must(store, "location:default/root").await);
}

async fn a_moved_entity_keeps_its_identity_when_orphans_are_deleted(db: Db) {
    move_between_files(db, OrphanStrategy::Delete).await;
}

async fn a_moved_entity_keeps_its_identity_when_orphans_are_kept(db: Db) {
    move_between_files(db, OrphanStrategy::Keep).await;
}

/// Moves `mover` from a.yaml to b.yaml and back, each in one edit: one pass
/// hands it over, whatever order the two files are processed in.
async fn move_between_files(db: Db, orphans: OrphanStrategy) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./a.yaml", "./b.yaml"]),
    );
    files.write(
        "catalog/a.yaml",
        &docs(&[
            &component("a-only", "team-a"),
            &component("mover", "team-a"),
        ]),
    );
    files.write("catalog/b.yaml", &component("b-only", "team-a"));
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .orphans(orphans)
        .engine(db.store.clone());
    let store = &db.store;
    refresh(&engine).await;
    let before = must(store, "component:default/mover").await;

    for (from, to, owner) in [("a", "b", "team-b"), ("b", "a", "team-c")] {
        files.write(
            &format!("catalog/{from}.yaml"),
            &component(&format!("{from}-only"), "team-a"),
        );
        files.write(
            &format!("catalog/{to}.yaml"),
            &docs(&[
                &component(&format!("{to}-only"), "team-a"),
                &component("mover", owner),
            ]),
        );
        let report = refresh(&engine).await;
        assert_eq!(report.entities_deleted + report.entities_orphaned, 0);
        let moved = must(store, "component:default/mover").await;
        assert_eq!(moved["spec"]["owner"], owner);
        assert_eq!(moved["metadata"]["uid"], before["metadata"]["uid"]);
        assert_eq!(
            annotation(&moved, "backstage.io/managed-by-location"),
            Some(files.key(&format!("catalog/{to}.yaml")).as_str())
        );
        assert_eq!(annotation(&moved, "backstage.io/orphan"), None);
        assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
    }
}

async fn a_restart_keeps_everything_and_writes_nothing(db: Db) {
    let files = Files::new();
    shop(&files);
    let setup = || Setup::new(vec![files.root("catalog/catalog-info.yaml")]);
    let before = {
        let engine = setup().engine(db.reopen().await);
        refresh(&engine).await;
        engine.store().final_entities(None, 100).await.unwrap()
    };
    assert_eq!(before.len(), 9);

    let store = db.reopen().await;
    assert_eq!(store.final_entities(None, 100).await.unwrap(), before);
    let engine = setup().engine(store.clone());
    let report = refresh(&engine).await;
    assert_eq!(report.sources_processed, 0);
    assert_eq!(report.entities_written, 0);
    assert_eq!(report.stitched, StitchStats::default());
    assert_eq!(store.final_entities(None, 100).await.unwrap(), before);
}

async fn location_cycles_are_walked_once(db: Db) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &docs(&[
            &location("root", &["./catalog-info.yaml", "./b.yaml"]),
            &component("x", "team-a"),
        ]),
    );
    files.write(
        "catalog/b.yaml",
        &docs(&[
            &location("b", &["./catalog-info.yaml"]),
            &component("y", "team-a"),
        ]),
    );
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    let report = tokio::time::timeout(std::time::Duration::from_secs(30), engine.refresh())
        .await
        .expect("a cycle of locations must not loop")
        .unwrap();
    assert_eq!(report.sources_seen, 2);
    assert_eq!(
        all_refs(&db.store).await,
        [
            "component:default/x",
            "component:default/y",
            "location:default/b",
            "location:default/root"
        ]
    );
    assert!(errors(&db.store).await.is_empty());
}

async fn a_broken_location_keeps_walking_its_targets(db: Db) {
    let files = Files::new();
    nested(&files);
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")]).engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    let z = must(store, "component:default/z").await;

    // The Location in the middle breaks: what it pointed at stays, and is
    // still read.
    files.write(
        "catalog/sub/location.yaml",
        "kind: Location\nmetadata: [oops\n",
    );
    files.write("catalog/sub/z.yaml", &component("z", "team-b"));
    let report = refresh(&engine).await;
    assert_eq!(report.entities_deleted + report.sources_removed, 0);
    assert_status(
        &must(store, "location:default/sub").await,
        &[&files.key("catalog/sub/location.yaml"), "YAMLError"],
    );
    let z_now = must(store, "component:default/z").await;
    assert_eq!(z_now["spec"]["owner"], "team-b");
    assert_eq!(z_now["metadata"]["uid"], z["metadata"]["uid"]);

    // Deleted altogether, it still keeps its targets until it comes back.
    files.remove("catalog/sub/location.yaml");
    let report = refresh(&engine).await;
    assert_eq!(report.entities_deleted + report.sources_removed, 0);
    assert!(entity(store, "component:default/z").await.is_some());
    assert_status(
        &must(store, "location:default/root").await,
        &[&files.key("catalog/sub/location.yaml"), "NotFoundError"],
    );
    files.write("catalog/sub/location.yaml", &location("sub", &["./z.yaml"]));
    refresh(&engine).await;
    assert_no_status(&must(store, "location:default/sub").await);
    assert_no_status(&must(store, "location:default/root").await);
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
}
