//! Files that go bad: an entity keeps its last good version and says why,
//! its Location says so too, and fixing the file clears every error.
//! Hostile input is refused with an error naming the file, and nothing else
//! in the catalog is lost.

// Scenario helpers live outside #[test] functions; panicking is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use greenroom_catalog::KindPolicy;
use serde_json::Value;

on_every_backend!(
    a_yaml_syntax_error_keeps_the_last_good_version,
    a_schema_violation_keeps_the_last_good_version,
    a_rule_violation_keeps_the_last_good_version,
    a_deleted_target_keeps_the_last_good_version,
    hostile_input_is_refused_and_nothing_else_is_lost,
);

/// Refuses Components of `spec.type: experimental` (standing in for `catalog.rules`).
struct NoExperimental;

impl KindPolicy for NoExperimental {
    fn allows(&self, kind: &str, spec_type: Option<&str>, _: &str, _: &str) -> bool {
        !(kind.eq_ignore_ascii_case("component") && spec_type == Some("experimental"))
    }
}

const SVC: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
spec:
  type: service
  lifecycle: production
  owner: team-a
";

/// Ingests a good catalog, applies `breakage`, checks that `svc` kept its
/// last good version with an error containing `reason` on it and on its
/// Location, then restores the file and checks every error is gone.
async fn break_and_fix(db: Db, breakage: impl FnOnce(&Files), reason: &[&str]) {
    let files = Files::new();
    files.write(
        "catalog/catalog-info.yaml",
        &location("root", &["./svc.yaml", "./other.yaml"]),
    );
    files.write("catalog/svc.yaml", SVC);
    files.write("catalog/other.yaml", &component("other", "team-a"));
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .kinds(NoExperimental)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    let good = must(store, "component:default/svc").await;
    let other = must(store, "component:default/other").await;
    assert_no_status(&good);

    breakage(&files);
    refresh(&engine).await;
    let svc_key = files.key("catalog/svc.yaml");
    let mut parts = vec![svc_key.as_str()];
    parts.extend(reason);
    let broken = must(store, "component:default/svc").await;
    assert_eq!(broken["spec"], good["spec"], "the last good spec is kept");
    assert_eq!(broken["metadata"]["uid"], good["metadata"]["uid"]);
    assert_status(&broken, &parts);
    assert_status(&must(store, "location:default/root").await, &parts);
    assert!(!errors(store).await.is_empty());
    assert_eq!(must(store, "component:default/other").await, other);

    // A second pass over the still broken file changes nothing.
    let report = refresh(&engine).await;
    assert_eq!(report.entities_written, 0);
    assert_eq!(must(store, "component:default/svc").await, broken);

    files.write("catalog/svc.yaml", SVC);
    refresh(&engine).await;
    let fixed = must(store, "component:default/svc").await;
    assert_no_status(&fixed);
    assert_eq!(fixed["spec"], good["spec"]);
    assert_no_status(&must(store, "location:default/root").await);
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
}

async fn a_yaml_syntax_error_keeps_the_last_good_version(db: Db) {
    break_and_fix(
        db,
        |files| {
            files.write(
                "catalog/svc.yaml",
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  tags: [unclosed\nspec: {}\n",
            )
        },
        &["YAMLError", "line "],
    )
    .await;
}

async fn a_schema_violation_keeps_the_last_good_version(db: Db) {
    break_and_fix(
        db,
        |files| files.write("catalog/svc.yaml", &SVC.replace("  owner: team-a\n", "")),
        &["InputError", "owner"],
    )
    .await;
}

async fn a_rule_violation_keeps_the_last_good_version(db: Db) {
    break_and_fix(
        db,
        |files| {
            files.write(
                "catalog/svc.yaml",
                &SVC.replace("type: service", "type: experimental"),
            )
        },
        &["NotAllowedError", "not of an allowed kind"],
    )
    .await;
}

async fn a_deleted_target_keeps_the_last_good_version(db: Db) {
    break_and_fix(
        db,
        |files| files.remove("catalog/svc.yaml"),
        &["NotFoundError", "does not exist"],
    )
    .await;
}

/// One hostile case: the file `catalog/cases/<name>.yaml` first holds a good
/// Component `<name>`, then `hostile`; the error must show on `shown_on`.
struct Case {
    name: &'static str,
    hostile: Vec<u8>,
    shown_on: String,
    /// The source key the error must name (default: the case file).
    file: Option<String>,
    reason: &'static [&'static str],
}

const MAX_BYTES: usize = 4096;

fn billion_laughs() -> String {
    let mut yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n".to_owned();
    for i in 1..10 {
        let p = i - 1;
        yaml.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    yaml
}

fn hostile_cases(files: &Files) -> Vec<Case> {
    let outside_yaml = files.path("outside/secret.yaml");
    let entity = |name: &str| format!("component:default/{name}");
    let root = "location:default/root".to_owned();
    let with_description = |name: &str, description: &str| {
        component(name, "team-a").replace(
            &format!("  name: {name}\n"),
            &format!("  name: {name}\n  description: {description}\n"),
        )
    };
    vec![
        Case {
            name: "alias-bomb",
            hostile: billion_laughs().into_bytes(),
            shown_on: entity("alias-bomb"),
            file: None,
            reason: &["YAMLError", "alias expansion exceeds the limit"],
        },
        Case {
            name: "too-large",
            hostile: with_description("too-large", &"x".repeat(MAX_BYTES)).into_bytes(),
            shown_on: entity("too-large"),
            file: None,
            reason: &["over the limit of 4096 bytes"],
        },
        Case {
            name: "not-utf8",
            hostile: [
                component("not-utf8", "team-a").as_bytes(),
                b"  description: caf\xe9\n",
            ]
            .concat(),
            shown_on: entity("not-utf8"),
            file: None,
            reason: &["not valid UTF-8"],
        },
        Case {
            name: "list-document",
            hostile: docs(&[
                &component("list-document", "team-a"),
                "- a\n- b\n",
                &component("after-list", "team-a"),
            ])
            .into_bytes(),
            shown_on: root.clone(),
            file: None,
            reason: &["Expected object at root, got array"],
        },
        Case {
            name: "duplicate-keys",
            hostile: docs(&[
                &component("duplicate-keys", "team-b").replace(
                    "  name: duplicate-keys\n",
                    "  name: duplicate-keys\n  name: twice\n",
                ),
                &component("after-duplicate", "team-a"),
            ])
            .into_bytes(),
            shown_on: entity("duplicate-keys"),
            file: None,
            reason: &["YAMLError", "duplicate key"],
        },
        Case {
            name: "duplicate-entity",
            hostile: docs(&[
                &component("duplicate-entity", "team-a"),
                &component("duplicate-entity", "team-b"),
            ])
            .into_bytes(),
            shown_on: root.clone(),
            file: None,
            reason: &["ConflictError", "Duplicate entity component:default/duplicate-entity"],
        },
        Case {
            name: "unknown-kind",
            hostile: docs(&[
                &component("unknown-kind", "team-a"),
                "apiVersion: backstage.io/v1alpha1\nkind: Widget\nmetadata:\n  name: widget\nspec: {}\n",
            ])
            .into_bytes(),
            shown_on: root.clone(),
            file: None,
            reason: &["No processor recognized the entity"],
        },
        Case {
            name: "javascript-link",
            hostile: component("javascript-link", "team-b")
                .replace(
                    "spec:\n",
                    "  links:\n    - url: javascript:alert(1)\n      title: click\nspec:\n",
                )
                .into_bytes(),
            shown_on: entity("javascript-link"),
            file: None,
            reason: &["javascript:"],
        },
        Case {
            name: "escaping-target",
            hostile: docs(&[
                &component("escaping-target", "team-a"),
                &location("escaping-target-loc", &["../../outside/secret.yaml"]),
            ])
            .into_bytes(),
            shown_on: root.clone(),
            file: None,
            reason: &["escapes the location's root folder"],
        },
        Case {
            name: "absolute-target",
            hostile: docs(&[
                &component("absolute-target", "team-a"),
                &location(
                    "absolute-target-loc",
                    &[&outside_yaml.display().to_string()],
                ),
            ])
            .into_bytes(),
            shown_on: root.clone(),
            file: None,
            reason: &["escapes the location's root folder"],
        },
        Case {
            name: "symlink",
            hostile: docs(&[
                &component("symlink", "team-a"),
                &location("symlink-loc", &["./link.yaml"]),
            ])
            .into_bytes(),
            shown_on: "location:default/symlink-loc".to_owned(),
            file: Some(files.key("catalog/cases/link.yaml")),
            reason: &["NotAllowedError", "outside the location's root folder"],
        },
        Case {
            name: "text-escape",
            hostile: with_description(
                "text-escape",
                "{$text: ../../outside/secret.txt}",
            )
            .into_bytes(),
            shown_on: entity("text-escape"),
            file: None,
            reason: &["Placeholder $text could not read location ../../outside/secret.txt"],
        },
        Case {
            name: "text-missing",
            hostile: with_description("text-missing", "{$text: ./missing.txt}").into_bytes(),
            shown_on: entity("text-missing"),
            file: None,
            reason: &[
                "Placeholder $text could not read location ./missing.txt",
                "does not exist",
            ],
        },
    ]
}

async fn hostile_input_is_refused_and_nothing_else_is_lost(db: Db) {
    let files = Files::new();
    files.write("outside/secret.yaml", &component("stolen", "team-a"));
    files.write("outside/secret.txt", "TOP SECRET");
    std::fs::create_dir_all(files.path("catalog/cases")).unwrap();
    std::os::unix::fs::symlink(
        files.path("outside/secret.yaml"),
        files.path("catalog/cases/link.yaml"),
    )
    .unwrap();

    let cases = hostile_cases(&files);
    let mut targets = vec!["./good.yaml".to_owned()];
    targets.extend(cases.iter().map(|c| format!("./cases/{}.yaml", c.name)));
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    files.write("catalog/catalog-info.yaml", &location("root", &targets));
    files.write("catalog/good.yaml", &component("good", "team-a"));
    for case in &cases {
        files.write(
            &format!("catalog/cases/{}.yaml", case.name),
            &component(case.name, "team-a"),
        );
    }
    let engine = Setup::new(vec![files.root("catalog/catalog-info.yaml")])
        .max_bytes(MAX_BYTES)
        .engine(db.store.clone());
    refresh(&engine).await;
    let store = &db.store;
    assert!(errors(store).await.is_empty(), "{:?}", errors(store).await);
    let mut good_before = Vec::new();
    for case in &cases {
        good_before.push(must(store, &format!("component:default/{}", case.name)).await);
    }

    // Every file turns hostile at once, and good.yaml gains an entity.
    for case in &cases {
        files.write_bytes(&format!("catalog/cases/{}.yaml", case.name), &case.hostile);
    }
    files.write(
        "catalog/good.yaml",
        &docs(&[&component("good", "team-a"), &component("good-2", "team-a")]),
    );
    refresh(&engine).await;

    for (case, before) in cases.iter().zip(&good_before) {
        let file = case
            .file
            .clone()
            .unwrap_or_else(|| files.key(&format!("catalog/cases/{}.yaml", case.name)));
        let mut parts = vec![file.as_str()];
        parts.extend(case.reason);
        let shown_on = must(store, &case.shown_on).await;
        assert_status(&shown_on, &parts);
        // The case's own entity keeps its last good version.
        let now = must(store, &format!("component:default/{}", case.name)).await;
        assert_eq!(now["spec"], before["spec"], "{}", case.name);
        assert_eq!(now["metadata"].get("description"), None, "{}", case.name);
    }
    // The good documents next to bad ones, and the good file, made it.
    for name in ["good", "good-2", "after-list", "after-duplicate"] {
        assert_no_status(&must(store, &format!("component:default/{name}")).await);
    }
    // Nothing from outside the root was read.
    let refs = all_refs(store).await;
    assert!(
        !refs.contains(&"component:default/stolen".to_owned()),
        "{refs:?}"
    );
    assert!(
        !refs.contains(&"widget:default/widget".to_owned()),
        "{refs:?}"
    );
    for row in store.final_entities(None, 1000).await.unwrap() {
        assert!(!row.body.contains("TOP SECRET"), "{}", row.entity_ref);
        let body: Value = serde_json::from_str(&row.body).unwrap();
        let view_url = annotation(&body, "backstage.io/view-url").unwrap_or_default();
        assert!(!view_url.contains("javascript"), "{}", row.entity_ref);
    }
}
