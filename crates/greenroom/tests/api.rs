//! The catalog REST API end to end: the real `greenroom serve` on a small
//! catalog folder, driven over HTTP for every read endpoint and its errors,
//! on SQLite and (when `GREENROOM_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Answer, PgSchema, ServedCatalog, Server, send, write};
use serde_json::{Value, json};

/// Entities in the fixture catalog.
const ENTITIES: usize = 10;

fn write_catalog(dir: &Path) {
    write(
        &dir.join("petstore/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: petstore
  title: Pet Store
  tags: [java, web]
  annotations:
    example.com/tier: gold
spec:
  type: service
  lifecycle: production
  owner: team-a
  providesApis: [pets]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: pets
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition: "openapi: 3.0.0"
"#,
    );
    write(
        &dir.join("shop/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shop
  title: Shop Front
  tags: [react]
spec:
  type: website
  lifecycle: experimental
  owner: team-b
"#,
    );
    write(
        &dir.join("lib/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: lib-a
  tags: [java]
spec:
  type: library
  lifecycle: production
  owner: team-a
"#,
    );
    write(
        &dir.join("billing/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  namespace: other
  title: Billing
spec:
  type: Service
  lifecycle: production
  owner: group:default/team-b
"#,
    );
    write(
        &dir.join("org/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
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
"#,
    );
    write(
        &dir.join("more/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: more
spec:
  targets: [./extra/extra.yaml]
"#,
    );
    write(
        &dir.join("more/extra/extra.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: extra
spec:
  type: service
  lifecycle: production
  owner: team-b
"#,
    );
}

/// A served fixture catalog on one database.
struct Api {
    server: Server,
    _dir: tempfile::TempDir,
    _schema: Option<PgSchema>,
}

impl Api {
    fn start(postgres: bool) -> Option<Api> {
        let ServedCatalog {
            server,
            dir,
            schema,
        } = ServedCatalog::start(postgres, write_catalog)?;
        let api = Api {
            server,
            _dir: dir,
            _schema: schema,
        };
        api.server.wait_for(
            "/api/catalog/entities?filter=kind=component,metadata.name=extra&fields=kind",
            Duration::from_secs(30),
            |status, body| status == 200 && body.contains("Component"),
        );
        // Stitching is done when every relation has both sides.
        api.server.wait_for(
            "/api/catalog/entities/by-name/group/default/team-b",
            Duration::from_secs(30),
            |status, body| status == 200 && body.contains("component:other/billing"),
        );
        Some(api)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/catalog{path}", self.server.url)
    }

    fn get(&self, path: &str) -> Answer {
        send("GET", &self.url(path), None)
    }

    fn post(&self, path: &str, body: &Value) -> Answer {
        send(
            "POST",
            &self.url(path),
            Some(("application/json", &body.to_string())),
        )
    }

    fn ok(&self, path: &str) -> Value {
        let answer = self.get(path);
        assert_eq!(answer.status, 200, "GET {path}: {}", answer.body);
        answer.json()
    }

    fn names(&self, path: &str) -> Vec<String> {
        names(&self.ok(path))
    }
}

fn names(list: &Value) -> Vec<String> {
    let items = list
        .get("items")
        .unwrap_or(list)
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    items
        .iter()
        .map(|e| {
            if e.is_null() {
                "null".to_owned()
            } else {
                e["metadata"]["name"].as_str().unwrap().to_owned()
            }
        })
        .collect()
}

/// Asserts a Backstage error envelope with `status` and a message
/// containing `needle`.
fn assert_error(answer: &Answer, status: u16, name: &str, needle: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["error"]["name"], name, "{body}");
    assert_eq!(body["response"]["statusCode"], status, "{body}");
    assert!(body["request"]["method"].is_string(), "{body}");
    assert!(body["request"]["url"].is_string(), "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "message {message:?} lacks {needle:?}"
    );
}

macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    if let Some(api) = super::Api::start(false) {
                        super::$test(&api);
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    if let Some(api) = super::Api::start(true) {
                        super::$test(&api);
                    }
                }
            )*
        }
    };
}

on_both_databases![
    list_filters_match_backstage_semantics,
    list_fields_and_order,
    list_pages_follow_link_headers,
    full_list_streams_every_entity,
    by_query_pages_with_cursors,
    by_query_predicates_and_full_text,
    by_refs_keeps_order_with_nulls,
    by_uid_and_delete,
    by_name_and_ancestry,
    facets_count_values,
    malformed_requests_get_400s,
    hostile_requests_get_400s_and_the_server_stays_up,
    metrics_count_requests_and_entities,
];

fn list_filters_match_backstage_semantics(api: &Api) {
    assert_eq!(
        api.names("/entities?filter=kind=component,spec.type=service"),
        ["extra", "petstore", "billing"]
    );
    // Keys and values are case-insensitive.
    assert_eq!(
        api.names("/entities?filter=KIND=Component,Spec.Type=SERVICE"),
        ["extra", "petstore", "billing"]
    );
    // Several filter params are OR-ed; a repeated key is any-of.
    assert_eq!(
        api.names("/entities?filter=kind=user&filter=kind=api"),
        ["pets", "alice"]
    );
    assert_eq!(
        api.names("/entities?filter=kind=user,kind=api"),
        ["pets", "alice"]
    );
    // Arrays match by element and by the `path.element` existence form.
    assert_eq!(
        api.names("/entities?filter=metadata.tags.java"),
        ["lib-a", "petstore"]
    );
    assert_eq!(api.names("/entities?filter=metadata.tags=react"), ["shop"]);
    assert_eq!(
        api.names("/entities?filter=relations.ownedby=group:default/team-b"),
        ["extra", "shop", "billing"]
    );
    assert_eq!(
        api.names("/entities?filter=metadata.annotations.example.com/tier=gold"),
        ["petstore"]
    );
    assert_eq!(
        api.names("/entities?filter=kind=group,relations.hasmember=user:default/alice"),
        ["team-a"]
    );
    assert!(api.names("/entities?filter=kind=nope").is_empty());
    // `key=` compares with the empty string, a bare key asks for presence.
    assert!(api.names("/entities?filter=spec.type=").is_empty());
    assert_eq!(api.names("/entities?filter=spec.memberof").len(), 1);
}

fn list_fields_and_order(api: &Api) {
    let list = api.ok(
        "/entities?filter=metadata.name=petstore&fields=kind,metadata.name,metadata.annotations.example.com/tier",
    );
    assert_eq!(
        list,
        json!([{"kind": "Component", "metadata": {"name": "petstore", "annotations": {"example.com/tier": "gold"}}}])
    );
    assert_eq!(
        api.names("/entities?filter=kind=component&order=desc:metadata.name"),
        ["shop", "petstore", "lib-a", "extra", "billing"]
    );
    assert_eq!(
        api.names(
            "/entities?filter=kind=component&order=asc:metadata.title&order=asc:metadata.name"
        ),
        ["billing", "petstore", "shop", "extra", "lib-a"]
    );
}

fn list_pages_follow_link_headers(api: &Api) {
    let everything = api.names("/entities");
    assert_eq!(everything.len(), ENTITIES);
    let mut walked = Vec::new();
    let mut next = Some(format!("{}/api/catalog/entities?limit=3", api.server.url));
    let mut pages = 0;
    while let Some(url) = next.take() {
        let answer = send("GET", &url, None);
        assert_eq!(answer.status, 200, "{}", answer.body);
        walked.extend(names(&answer.json()));
        pages += 1;
        if let Some(link) = answer.link {
            let target = link
                .strip_prefix('<')
                .and_then(|l| l.split_once(">; rel=\"next\""))
                .map(|(target, _)| target.to_owned())
                .unwrap_or_else(|| panic!("bad Link header {link}"));
            assert!(target.starts_with("/entities?"), "{target}");
            assert!(target.contains("limit=3"), "{target}");
            next = Some(format!("{}/api/catalog{target}", api.server.url));
        }
    }
    assert_eq!(pages, ENTITIES.div_ceil(3));
    assert_eq!(walked, everything);
    assert_eq!(
        api.names("/entities?offset=9"),
        &everything[9..],
        "offset without limit gives the rest"
    );
    assert_eq!(api.names("/entities?offset=2&limit=2"), &everything[2..4]);
}

fn full_list_streams_every_entity(api: &Api) {
    let answer = api.get("/entities");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let list = answer.json();
    assert_eq!(list.as_array().unwrap().len(), ENTITIES);
    assert!(list[0]["metadata"]["uid"].is_string());
    assert!(answer.link.is_none());
    let filtered = api.ok("/entities?filter=kind=group&fields=metadata.name");
    assert_eq!(
        filtered,
        json!([{"metadata": {"name": "team-a"}}, {"metadata": {"name": "team-b"}}])
    );
}

fn by_query_pages_with_cursors(api: &Api) {
    let first =
        api.ok("/entities/by-query?filter=kind=component&orderField=metadata.name,asc&limit=2");
    assert_eq!(first["totalItems"], 5);
    assert_eq!(names(&first), ["billing", "extra"]);
    assert!(first["pageInfo"].get("prevCursor").is_none());
    let cursor = first["pageInfo"]["nextCursor"].as_str().unwrap();
    let second = api.ok(&format!("/entities/by-query?cursor={cursor}&limit=2"));
    assert_eq!(names(&second), ["lib-a", "petstore"]);
    assert_eq!(second["totalItems"], 5);
    let previous = second["pageInfo"]["prevCursor"].as_str().unwrap();
    assert_eq!(
        names(&api.ok(&format!("/entities/by-query?cursor={previous}&limit=2"))),
        ["billing", "extra"]
    );
    let cursor = second["pageInfo"]["nextCursor"].as_str().unwrap();
    let last = api.ok(&format!("/entities/by-query?cursor={cursor}&limit=2"));
    assert_eq!(names(&last), ["shop"]);
    assert!(last["pageInfo"].get("nextCursor").is_none());
    assert!(last["pageInfo"].get("prevCursor").is_some());

    // Descending, with fields; entities lacking the sort field are left out.
    let titled = api.ok("/entities/by-query?orderField=metadata.title,desc&fields=metadata.name");
    assert_eq!(names(&titled), ["shop", "petstore", "billing"]);
    assert_eq!(titled["totalItems"], 3);
    assert_eq!(titled["items"][0], json!({"metadata": {"name": "shop"}}));
    // Default order (internal id) still pages through everything once.
    let mut seen = Vec::new();
    let mut page = api.ok("/entities/by-query?limit=4&totalItems=exclude");
    assert!(page.get("totalItems").is_none());
    loop {
        seen.extend(names(&page));
        let Some(next) = page["pageInfo"]["nextCursor"].as_str() else {
            break;
        };
        page = api.ok(&format!("/entities/by-query?cursor={next}&limit=4"));
    }
    seen.sort();
    let mut everything = api.names("/entities");
    everything.sort();
    assert_eq!(seen, everything);
}

fn by_query_predicates_and_full_text(api: &Api) {
    let query = |body: Value| {
        let answer = api.post("/entities/by-query", &body);
        assert_eq!(answer.status, 200, "{body}: {}", answer.body);
        names(&answer.json())
    };
    let sorted = json!([{"field": "metadata.name", "order": "asc"}]);
    assert_eq!(
        query(
            json!({"query": {"$all": [{"kind": "component"}, {"$not": {"metadata.tags": {"$exists": true}}}]}, "orderBy": sorted})
        ),
        ["billing", "extra"]
    );
    assert_eq!(
        query(json!({"query": {"kind": {"$in": ["User", "API"]}}, "orderBy": sorted})),
        ["alice", "pets"]
    );
    assert_eq!(
        query(json!({"query": {"metadata.name": {"$hasPrefix": "TEAM-"}}, "orderBy": sorted})),
        ["team-a", "team-b"]
    );
    assert_eq!(
        query(
            json!({"query": {"relations": {"$contains": {"type": "ownedBy", "targetRef": "group:default/team-a"}}}, "orderBy": sorted})
        ),
        ["lib-a", "pets", "petstore"]
    );
    assert_eq!(
        query(json!({"query": {"metadata.tags": {"$contains": "java"}}, "orderBy": sorted})),
        ["lib-a", "petstore"]
    );
    assert_eq!(
        query(
            json!({"query": {"$any": [{"kind": "user"}, {"spec.type": "website"}]}, "orderBy": sorted})
        ),
        ["alice", "shop"]
    );
    // Full text: a case-insensitive substring of the chosen fields.
    assert_eq!(
        api.names(
            "/entities/by-query?fullTextFilterTerm=STORE&fullTextFilterFields=metadata.title"
        ),
        ["petstore"]
    );
    assert_eq!(
        query(
            json!({"fullTextFilter": {"term": "team", "fields": ["metadata.name", "spec.owner"]}, "query": {"kind": "group"}, "orderBy": sorted})
        ),
        ["team-a", "team-b"]
    );
    let counted = api.post(
        "/entities/by-query",
        &json!({"fullTextFilter": {"term": "a", "fields": ["metadata.name"]}, "limit": 1}),
    );
    let counted = counted.json();
    assert_eq!(counted["items"].as_array().unwrap().len(), 1);
    // alice, extra, lib-a, team-a, team-b: 5 names with an "a".
    assert_eq!(counted["totalItems"], 5);
}

fn by_refs_keeps_order_with_nulls(api: &Api) {
    let answer = api.post(
        "/entities/by-refs",
        &json!({"entityRefs": ["user:default/alice", "component:default/nope", "Component:Default/Petstore"]}),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(names(&answer.json()), ["alice", "null", "petstore"]);
    let filtered = api.post(
        "/entities/by-refs?filter=kind=component",
        &json!({"entityRefs": ["user:default/alice", "component:default/shop"], "fields": ["metadata.name"]}),
    );
    assert_eq!(
        filtered.json(),
        json!({"items": [null, {"metadata": {"name": "shop"}}]})
    );
    let by_query = api.post(
        "/entities/by-refs",
        &json!({"entityRefs": ["component:default/shop", "component:default/lib-a"], "query": {"spec.type": "library"}}),
    );
    assert_eq!(names(&by_query.json()), ["null", "lib-a"]);
}

fn by_uid_and_delete(api: &Api) {
    let shop = api.ok("/entities/by-name/component/default/shop");
    let uid = shop["metadata"]["uid"].as_str().unwrap().to_owned();
    assert_eq!(api.ok(&format!("/entities/by-uid/{uid}")), shop);
    assert_error(
        &api.get("/entities/by-uid/no-such-uid"),
        404,
        "NotFoundError",
        "no-such-uid",
    );
    let deleted = send("DELETE", &api.url(&format!("/entities/by-uid/{uid}")), None);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(api.get(&format!("/entities/by-uid/{uid}")).status, 404);
    assert_error(
        &send("DELETE", &api.url(&format!("/entities/by-uid/{uid}")), None),
        404,
        "NotFoundError",
        &uid,
    );
    // Its file still describes it, so the pass the deletion wakes brings it
    // back (as a new entity).
    api.server.wait_for(
        "/api/catalog/entities/by-name/component/default/shop",
        Duration::from_secs(30),
        |status, _| status == 200,
    );
}

fn by_name_and_ancestry(api: &Api) {
    assert_eq!(
        api.ok("/entities/by-name/Component/Default/PetStore")["metadata"]["name"],
        "petstore"
    );
    assert_error(
        &api.get("/entities/by-name/component/default/nope"),
        404,
        "NotFoundError",
        "No entity named 'nope' found, with kind 'component' in namespace 'default'",
    );
    let ancestry = api.ok("/entities/by-name/component/default/extra/ancestry");
    assert_eq!(ancestry["rootEntityRef"], "component:default/extra");
    let items = ancestry["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{ancestry}");
    assert_eq!(items[0]["entity"]["metadata"]["name"], "extra");
    assert_eq!(
        items[0]["parentEntityRefs"],
        json!(["location:default/more"])
    );
    assert_eq!(items[1]["entity"]["kind"], "Location");
    assert_eq!(items[1]["parentEntityRefs"], json!([]));
    assert_eq!(
        api.get("/entities/by-name/component/default/nope/ancestry")
            .status,
        404
    );
}

fn facets_count_values(api: &Api) {
    let facets = api.ok("/entity-facets?facet=spec.type&facet=metadata.tags&filter=kind=component");
    let mut types: Vec<(String, u64)> = facets["facets"]["spec.type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["value"].as_str().unwrap().to_owned(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            ("Service".to_owned(), 1),
            ("library".to_owned(), 1),
            ("service".to_owned(), 2),
            ("website".to_owned(), 1)
        ]
    );
    assert_eq!(
        facets["facets"]["metadata.tags"][0],
        json!({"value": "java", "count": 2})
    );
    let posted = api.post(
        "/entity-facets",
        &json!({"facets": ["kind"], "query": {"metadata.namespace": "other"}}),
    );
    assert_eq!(
        posted.json(),
        json!({"facets": {"kind": [{"value": "Component", "count": 1}]}})
    );
    assert_error(
        &api.get("/entity-facets"),
        400,
        "InputError",
        "Missing facet parameter",
    );
}

fn malformed_requests_get_400s(api: &Api) {
    for (path, needle) in [
        ("/entities?filter==component", "filter"),
        (
            "/entities?fields=metadata.tags[0]",
            "array type fields are not supported",
        ),
        ("/entities?order=sideways:metadata.name", "order"),
        ("/entities?limit=0", "limit"),
        ("/entities?offset=-1", "offset"),
        ("/entities?limit=abc", "limit"),
        ("/entities?after=", "after"),
        ("/entities?after=!!!", "after"),
        ("/entities/by-query?cursor=garbage", "cursor"),
        ("/entities/by-query?totalItems=maybe", "totalItems"),
        (
            "/entities/by-query?orderField=metadata.name,upwards",
            "orderField",
        ),
    ] {
        assert_error(&api.get(path), 400, "InputError", needle);
    }
    let bad_json = send(
        "POST",
        &api.url("/entities/by-query"),
        Some(("application/json", "{not json")),
    );
    assert_error(&bad_json, 400, "InputError", "JSON");
    let not_json = send(
        "POST",
        &api.url("/entities/by-refs"),
        Some(("text/plain", "entityRefs")),
    );
    assert_error(&not_json, 400, "InputError", "application/json");
    assert_error(
        &api.post(
            "/entities/by-refs",
            &json!({"entityRefs": "user:default/alice"}),
        ),
        400,
        "InputError",
        "entityRefs",
    );
    assert_error(
        &api.post(
            "/entities/by-query",
            &json!({"query": {"kind": {"$regex": "."}}}),
        ),
        400,
        "InputError",
        "$regex",
    );
    assert_error(
        &api.post("/entities/by-query", &json!({"query": "component"})),
        400,
        "InputError",
        "query",
    );
    assert_error(
        &api.post("/entity-facets", &json!({"query": {"kind": "user"}})),
        400,
        "InputError",
        "facets",
    );
}

fn hostile_requests_get_400s_and_the_server_stays_up(api: &Api) {
    assert_error(
        &api.get("/entities?filter=__proto__.polluted=yes"),
        400,
        "InputError",
        "__proto__",
    );
    assert_error(
        &api.post(
            "/entities/by-query",
            &json!({"query": {"constructor": "x"}}),
        ),
        400,
        "InputError",
        "constructor",
    );
    let many = vec!["filter=kind=user"; 2_000].join("&");
    assert_error(
        &api.get(&format!("/entities?{many}")),
        400,
        "InputError",
        "",
    );
    let long = "a".repeat(20_000);
    assert_error(
        &api.get(&format!("/entities?filter=kind={long}")),
        400,
        "InputError",
        "",
    );
    let mut deep = json!({"kind": "user"});
    for _ in 0..50 {
        deep = json!({"$not": deep});
    }
    assert_error(
        &api.post("/entities/by-query", &json!({"query": deep})),
        400,
        "InputError",
        "",
    );
    assert_error(
        &api.get("/entities?limit=99999999999999"),
        400,
        "InputError",
        "limit",
    );
    assert_error(
        &api.get("/entities/by-query?limit=1000000"),
        400,
        "InputError",
        "limit",
    );
    assert_error(
        &api.get("/entities?filter=kind=%ff"),
        400,
        "InputError",
        "filter",
    );
    assert_error(
        &api.get("/entities/by-name/component/default/%ff%fe"),
        400,
        "InputError",
        "path",
    );
    assert_error(
        &api.get("/entities/by-uid/%c3%28"),
        400,
        "InputError",
        "path",
    );
    let refs: Vec<String> = (0..10_001)
        .map(|i| format!("component:default/c{i}"))
        .collect();
    assert_error(
        &api.post("/entities/by-refs", &json!({"entityRefs": refs})),
        400,
        "InputError",
        "entityRefs",
    );
    // Still healthy, and nothing was lost.
    assert_eq!(
        send("GET", &format!("{}/healthcheck", api.server.url), None).status,
        200
    );
    assert_eq!(api.names("/entities").len(), ENTITIES);
}

fn metrics_count_requests_and_entities(api: &Api) {
    api.ok("/entities?filter=kind=user");
    api.get("/entities?limit=0");
    let metrics = send("GET", &format!("{}/metrics", api.server.url), None);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let text = metrics.body;
    for needle in [
        "greenroom_http_requests_total{method=\"GET\",route=\"/api/catalog/entities\",status=\"200\"}",
        "greenroom_http_requests_total{method=\"GET\",route=\"/api/catalog/entities\",status=\"400\"} 1",
        "greenroom_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/catalog/entities\",le=\"+Inf\"}",
        "greenroom_catalog_entities{kind=\"component\"} 5",
        "greenroom_catalog_entities{kind=\"group\"} 2",
        "greenroom_catalog_stitch_queue_depth 0",
        "greenroom_catalog_processing_errors{subject=\"entity\"} 0",
    ] {
        assert!(text.contains(needle), "metrics lack {needle}:\n{text}");
    }
}
