//! The drift checks: the route table and the operation docs describe the
//! same operations, the document equals the committed snapshot, it covers
//! Backstage's catalog API, and it is structurally valid OpenAPI 3.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{TAGS, build, document, operations, own_schemas};
use crate::api_routes::HttpMethod;

/// The committed snapshot of the document.
const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

/// Set to `1` to rewrite the snapshot instead of comparing with it.
const UPDATE_VAR: &str = "GREENROOM_UPDATE_OPENAPI";

const REGENERATE: &str = "GREENROOM_UPDATE_OPENAPI=1 cargo test -p greenroom-web openapi";

/// Backstage catalog operations Greenroom does not route yet. An entry
/// that is routed makes the coverage test fail, so the list cannot go stale
/// silently.
const PENDING: &[&str] = &[];

/// Where Backstage's catalog API is mounted.
const CATALOG_PREFIX: &str = "/api/catalog";

/// Every (method, path, operation) of a document.
fn operations_of(doc: &Value) -> Vec<(HttpMethod, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (key, operation) in item.as_object().expect("path item") {
            if let Some(method) = HttpMethod::from_openapi_key(key) {
                out.push((method, path.clone(), operation));
            }
        }
    }
    out
}

#[test]
fn every_route_has_an_operation_doc_and_every_doc_a_route() {
    let routes: Vec<(HttpMethod, String)> = crate::route_table()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let docs: Vec<(HttpMethod, String)> = operations()
        .into_iter()
        .map(|d| (d.method, d.path.to_owned()))
        .collect();
    let route_set: BTreeSet<_> = routes.iter().cloned().collect();
    let doc_set: BTreeSet<_> = docs.iter().cloned().collect();
    assert_eq!(route_set.len(), routes.len(), "a route is registered twice");
    assert_eq!(
        doc_set.len(),
        docs.len(),
        "an operation is documented twice"
    );
    let undocumented: Vec<String> = route_set
        .difference(&doc_set)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let unrouted: Vec<String> = doc_set
        .difference(&route_set)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "the route table and the OpenAPI operation docs (crates/web/src/openapi/) disagree.\n\
         Routes without an operation doc: {undocumented:?}\n\
         Operation docs without a route: {unrouted:?}\n\
         Add an OperationDoc for each new route (or remove the doc of a removed one), \
         then run `{REGENERATE}`."
    );
}

#[test]
fn openapi_document_matches_the_committed_snapshot() {
    let generated = format!("{}\n", serde_json::to_string_pretty(document()).unwrap());
    if std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &generated).unwrap();
        eprintln!("wrote {SNAPSHOT}");
        return;
    }
    let committed = match std::fs::read_to_string(SNAPSHOT) {
        Ok(committed) => committed,
        Err(e) => panic!(
            "cannot read the OpenAPI snapshot crates/web/openapi/openapi.json ({e}); \
             generate it with `{REGENERATE}`"
        ),
    };
    if committed != generated {
        let first_difference = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one ends where the other goes on".to_owned(),
                |i| {
                    format!(
                        "first difference at line {}:\n  committed: {}\n  generated: {}",
                        i + 1,
                        committed.lines().nth(i).unwrap_or(""),
                        generated.lines().nth(i).unwrap_or("")
                    )
                },
            );
        panic!(
            "the OpenAPI document differs from the committed snapshot \
             crates/web/openapi/openapi.json ({first_difference}).\n\
             If the API change is intended, regenerate it with `{REGENERATE}` \
             and commit the reviewed diff."
        );
    }
}

/// `$GREENROOM_SHARED_DIR`, else `shared/` beside the repository.
fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = dir.join("reference/backstage/openapi");
    dir.is_dir().then_some(dir)
}

#[test]
fn openapi_document_covers_backstage_catalog_api() {
    let Some(dir) = shared_dir() else {
        eprintln!(
            "skipping the Backstage coverage check: the shared reference folder was not found \
             (set GREENROOM_SHARED_DIR)"
        );
        return;
    };
    let text = std::fs::read_to_string(dir.join("catalog-backend.openapi.json")).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let ours: BTreeMap<(HttpMethod, String), &Value> = operations_of(document())
        .into_iter()
        .map(|(m, p, op)| ((m, p), op))
        .collect();

    let mut problems = Vec::new();
    let mut seen_pending = BTreeSet::new();
    for (method, path, operation) in operations_of(&reference) {
        let id = operation["operationId"].as_str().unwrap();
        let served = format!("{CATALOG_PREFIX}{path}");
        let pending = PENDING.contains(&id);
        if pending {
            seen_pending.insert(id);
        }
        match (ours.get(&(method, served.clone())), pending) {
            (None, false) => problems.push(format!(
                "{id} ({method} {served}) is in Backstage's catalog API but not routed"
            )),
            (Some(_), true) => problems.push(format!(
                "{id} ({method} {served}) is routed now: remove it from PENDING"
            )),
            (Some(op), false) if op["operationId"] != id => problems.push(format!(
                "{method} {served} has operationId {}, Backstage's is {id}",
                op["operationId"]
            )),
            _ => {}
        }
    }
    for id in PENDING {
        if !seen_pending.contains(id) {
            problems.push(format!(
                "PENDING lists {id}, which Backstage's catalog API does not have"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names between braces in a path template.
fn template_params(path: &str) -> BTreeSet<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// `value`, or what its `$ref` points at.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => doc
            .pointer(target.strip_prefix('#').unwrap_or(target))
            .unwrap_or(&Value::Null),
        None => value,
    }
}

/// Every `$ref` in `value`, with the JSON pointer where it was found.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    out.push((at.clone(), target));
                } else {
                    refs(
                        child,
                        format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn openapi_document_is_structurally_valid_openapi_3_1() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Greenroom");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let problems = structural_problems(doc);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What makes `doc` invalid: `$ref`s that do not resolve inside it, path
/// template parameters not declared (or declared and not in the template,
/// or not required), missing or repeated operationIds, undeclared tags,
/// operations without responses.
fn structural_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut found = Vec::new();
    refs(doc, String::new(), &mut found);
    for (at, target) in found {
        let resolves = target
            .strip_prefix('#')
            .is_some_and(|pointer| doc.pointer(pointer).is_some());
        if !resolves {
            problems.push(format!(
                "{at}: $ref {target} does not resolve inside the document"
            ));
        }
    }

    let declared_tags: BTreeSet<&str> = TAGS.iter().map(|(name, _)| *name).collect();
    let mut ids = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with('/') {
            problems.push(format!("path {path} does not start with /"));
        }
        let wanted = template_params(path);
        for (key, operation) in item.as_object().unwrap() {
            let Some(method) = HttpMethod::from_openapi_key(key) else {
                problems.push(format!("{path}: unexpected key {key}"));
                continue;
            };
            let here = format!("{method} {path}");
            match operation["operationId"].as_str() {
                Some(id) => {
                    if let Some(other) = ids.insert(id.to_owned(), here.clone()) {
                        problems.push(format!("operationId {id} used by {other} and {here}"));
                    }
                }
                None => problems.push(format!("{here}: no operationId")),
            }
            for tag in operation["tags"].as_array().into_iter().flatten() {
                if !tag.as_str().is_some_and(|t| declared_tags.contains(t)) {
                    problems.push(format!("{here}: tag {tag} is not declared in TAGS"));
                }
            }
            match operation["responses"].as_object() {
                Some(responses) if !responses.is_empty() => {
                    for status in responses.keys() {
                        let ok = status == "default"
                            || (status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()));
                        if !ok {
                            problems.push(format!("{here}: response key {status}"));
                        }
                    }
                }
                _ => problems.push(format!("{here}: no responses")),
            }
            let parameters = item["parameters"]
                .as_array()
                .into_iter()
                .chain(operation["parameters"].as_array())
                .flatten()
                .map(|p| resolve(doc, p));
            let mut declared = BTreeSet::new();
            for parameter in parameters {
                let (Some(name), Some(location)) =
                    (parameter["name"].as_str(), parameter["in"].as_str())
                else {
                    problems.push(format!(
                        "{here}: a parameter without name or in: {parameter}"
                    ));
                    continue;
                };
                if location == "path" {
                    if parameter["required"] != true {
                        problems.push(format!("{here}: path parameter {name} is not required"));
                    }
                    declared.insert(name.to_owned());
                }
            }
            if declared != wanted {
                problems.push(format!(
                    "{here}: path parameters declared {declared:?}, template has {wanted:?}"
                ));
            }
        }
    }
    problems
}

#[test]
fn own_schemas_do_not_shadow_backstage_ones() {
    let backstage: Value = serde_json::from_str(super::BACKSTAGE_COMPONENTS).unwrap();
    for (name, _) in own_schemas() {
        assert!(
            backstage["schemas"].get(name).is_none(),
            "{name} is already one of Backstage's schemas"
        );
    }
}

#[test]
fn the_structural_check_catches_an_undocumented_route_and_a_dangling_ref() {
    let routes = vec![crate::api_routes::RouteInfo {
        method: HttpMethod::Get,
        path: "/not/documented/{id}".to_owned(),
    }];
    let mut doc = build(&routes);
    assert_eq!(
        doc["paths"]["/not/documented/{id}"]["get"]["summary"],
        "Undocumented route."
    );
    doc["components"]["schemas"]["Broken"] =
        serde_json::json!({"$ref": "#/components/schemas/Nope"});
    let problems = structural_problems(&doc);
    assert_eq!(
        problems,
        [
            "/components/schemas/Broken: $ref #/components/schemas/Nope does not resolve inside the document",
            "GET /not/documented/{id}: no operationId",
            "GET /not/documented/{id}: path parameters declared {}, template has {\"id\"}",
        ]
    );
}
