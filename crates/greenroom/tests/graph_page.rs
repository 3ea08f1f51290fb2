//! The relationship graph tab end to end: the real `greenroom serve` on a
//! small catalog, its graph pages fetched over HTTP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

mod common;

use std::time::Duration;

use common::{ServedCatalog, write};

const CATALOG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: retail
spec:
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team-a
  domain: retail
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: "<script>alert(1)</script> Web"
spec:
  type: website
  lifecycle: production
  owner: team-a
  system: shop
  providesApis: [orders]
  consumesApis: [payments]
  dependsOn: [resource:db]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  system: shop
  definition: "openapi: 3.0.0"
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments
spec:
  type: openapi
  lifecycle: production
  owner: team-b
  definition: "openapi: 3.0.0"
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
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
"#;

fn serve() -> ServedCatalog {
    let served = ServedCatalog::start(false, |catalog| {
        write(&catalog.join("catalog-info.yaml"), CATALOG);
    })
    .expect("SQLite needs no configuration");
    served.server.wait_for(
        "/api/catalog/entities/by-name/user/default/alice",
        Duration::from_secs(30),
        |status, _| status == 200,
    );
    served
}

#[test]
fn graph_pages_draw_the_entities_around_one() {
    let ServedCatalog { server, .. } = &serve();

    // A component, one step out over every relation: its owner, system and
    // APIs, and the resource it names that is not in the catalog. The
    // relations among them (the system's owner, the API's system) are
    // drawn too, each pair of inverse relations once.
    let (status, html) = server.get("/catalog/default/component/web/graph");
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("6 entities · 8 relations · 1 step out"),
        "{html}"
    );
    assert!(html.contains(r#"<svg class="graph""#));
    assert!(html.contains(r#"href="/catalog/default/group/team-a""#));
    assert!(html.contains(r#"<g class="node node-resource node-missing""#));
    assert!(html.contains("resource:default/db (not in the catalog)"));
    assert!(!html.contains("<script>alert"), "a title became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Web"));
    assert!(html.contains("<summary>Show as list</summary>"));

    // One relation type: only the owner.
    let (status, html) = server.get("/catalog/default/component/web/graph?relations=ownedBy");
    assert_eq!(status, 200);
    assert!(
        html.contains("2 entities · 1 relation · 1 step out"),
        "{html}"
    );

    // A system shows the whole system by default: two steps over its parts,
    // APIs and dependencies, not its owners.
    let (status, html) = server.get("/catalog/default/system/shop/graph");
    assert_eq!(status, 200);
    assert!(html.contains("2 steps out"));
    for part in [
        "domain/retail",
        "component/web",
        "api/orders",
        "api/payments",
    ] {
        assert!(
            html.contains(&format!("/catalog/default/{part}\"")),
            "{part}"
        );
    }
    assert!(!html.contains(r#"href="/catalog/default/group/team-a""#));
    assert!(html.contains(r#"value="hasPart" checked"#));
    assert!(!html.contains(r#"value="ownedBy" checked"#));

    // A group: its members and what it owns.
    let (_, html) = server.get("/catalog/default/group/team-a/graph?depth=1");
    assert!(html.contains(r#"href="/catalog/default/user/alice""#));
    assert!(html.contains(r#"href="/catalog/default/component/web""#));
}

#[test]
fn bad_graph_parameters_are_a_400_page_naming_them() {
    let ServedCatalog { server, .. } = &serve();
    let (status, html) = server.get("/catalog/default/component/web/graph?depth=9");
    assert_eq!(status, 400);
    assert!(
        html.contains("Invalid depth, must be a whole number from 1 to 4"),
        "{html}"
    );
    let (status, html) = server.get("/catalog/default/component/web/graph?relations=ownedBy,knows");
    assert_eq!(status, 400);
    assert!(
        html.contains("Invalid relations, &#39;knows&#39; is not a relation type")
            || html.contains("Invalid relations, 'knows' is not a relation type"),
        "{html}"
    );
    let (status, _) = server.get("/catalog/default/component/nothing/graph");
    assert_eq!(status, 404);
}
