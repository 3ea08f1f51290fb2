//! Verdict test: Backstage's own example entities and templates, read from
//! the shared reference folder, must be judged exactly as Backstage judges
//! them: only `components/invalid-component.yaml` is rejected.
//!
//! The folder is `$GREENROOM_SHARED_DIR/reference/backstage/examples`
//! (default `../../../shared` from this crate); without it the tests print a
//! notice and pass.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use greenroom_model::{Issue, find_placeholders, relations_of, substitute, validate_entity};
use greenroom_yaml::{Limits, parse_documents};
use serde_json::Value;

fn examples_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("reference/backstage/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "NOTICE: {} not found; example verdict tests skipped",
            dir.display()
        );
        None
    }
}

fn yaml_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// What became of the documents of one file.
#[derive(Default)]
struct Verdict {
    accepted: usize,
    /// (entity name, issues) per rejected entity.
    rejected: Vec<(String, Vec<Issue>)>,
    /// Documents that are not entities (no `apiVersion` and no `kind`).
    not_entities: usize,
}

/// Parses every document, substitutes placeholders with a dummy string
/// (as the catalog would with the file content) and validates.
fn judge(path: &Path) -> Verdict {
    let bytes = std::fs::read(path).unwrap();
    let documents = parse_documents(&bytes, &Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut verdict = Verdict::default();
    for document in documents {
        let mut entity = document
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .value;
        if entity.get("apiVersion").is_none() && entity.get("kind").is_none() {
            verdict.not_entities += 1;
            continue;
        }
        let placeholders = find_placeholders(&entity).unwrap();
        for p in placeholders {
            let dummy = Value::String(format!("content of {}", p.target));
            assert!(substitute(&mut entity, &p.pointer, dummy));
        }
        let issues = validate_entity(&entity);
        if issues.is_empty() {
            relations_of(&entity).unwrap_or_else(|e| {
                panic!("{}: accepted but relations fail: {e:?}", path.display())
            });
            verdict.accepted += 1;
        } else {
            let name = entity["metadata"]["name"]
                .as_str()
                .unwrap_or("?")
                .to_owned();
            verdict.rejected.push((name, issues));
        }
    }
    verdict
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn catalog_model_examples_only_the_invalid_component_is_rejected() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let root = examples.join("catalog-model");
    let mut files = Vec::new();
    yaml_files_under(&root, &mut files);
    assert!(
        files.len() > 40,
        "expected the full example set, found {}",
        files.len()
    );

    let mut rejected: BTreeMap<String, Vec<(String, Vec<Issue>)>> = BTreeMap::new();
    let mut not_entities = Vec::new();
    let mut accepted = 0;
    for path in &files {
        let verdict = judge(path);
        accepted += verdict.accepted;
        if verdict.not_entities > 0 {
            not_entities.push(relative(&root, path));
        }
        if !verdict.rejected.is_empty() {
            rejected.insert(relative(&root, path), verdict.rejected);
        }
    }
    println!(
        "catalog-model: {} files, {accepted} entities accepted",
        files.len()
    );

    // The OpenAPI document next to the webhook API is read through `$text`,
    // never as a catalog file; it is the only non-entity document.
    assert_eq!(not_entities, vec!["apis/petstore-webhook.oas.yaml"]);
    assert_eq!(
        rejected.keys().collect::<Vec<_>>(),
        vec!["components/invalid-component.yaml"],
        "{rejected:#?}"
    );
    let (name, issues) = &rejected["components/invalid-component.yaml"][0];
    assert_eq!(name, "invalid component");
    // Both reasons are real: the name and the tag "go 1.15.3" contain spaces.
    let messages: Vec<(&str, &str)> = issues
        .iter()
        .map(|i| (i.pointer.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(messages[0].0, "/metadata/name");
    assert!(messages[0].1.starts_with("\"metadata.name\" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found \"invalid component\""));
    assert_eq!(messages[1].0, "/metadata/tags/1");
    assert!(messages[1].1.contains("found \"go 1.15.3\""));
    assert!(accepted > 50, "only {accepted} entities accepted");
}

#[test]
fn templates_and_app_entities_are_accepted() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let mut files = Vec::new();
    for dir in [
        "sample-templates",
        "software-templates/scaffolder-templates",
    ] {
        for entry in std::fs::read_dir(examples.join(dir)).unwrap() {
            let template_dir = entry.unwrap().path();
            for file in std::fs::read_dir(&template_dir).into_iter().flatten() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "yaml") {
                    files.push(file);
                }
            }
        }
    }
    for file in [
        "create-app-0.9.2/default-app-examples/template/template.yaml",
        "create-app-0.9.2/default-app-examples/entities.yaml",
        "create-app-0.9.2/default-app-examples/org.yaml",
        "demo-repo/demo-template/template/template.yaml",
        "demo-repo/catalog-info.yaml",
        "demo-repo/examples/ai-resources.yaml",
        "demo-repo/examples/mcp-server-api.yaml",
    ] {
        files.push(examples.join(file));
    }
    files.sort();
    assert!(files.len() >= 20, "found only {} files", files.len());

    let mut accepted = 0;
    let mut failures = Vec::new();
    for path in &files {
        let verdict = judge(path);
        assert_eq!(verdict.not_entities, 0, "{}", path.display());
        accepted += verdict.accepted;
        for (name, issues) in verdict.rejected {
            failures.push(format!(
                "{} ({name}): {issues:#?}",
                relative(&examples, path)
            ));
        }
    }
    println!(
        "templates and app entities: {} files, {accepted} entities accepted",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Throughput of `validate_entity` + `relations_of` over the example
/// entities. Run with
/// `cargo test --release -p greenroom-model --test examples -- --ignored --nocapture`.
#[test]
#[ignore = "measurement, run in release mode on demand"]
fn validation_throughput() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let mut files = Vec::new();
    yaml_files_under(&examples.join("catalog-model"), &mut files);
    yaml_files_under(&examples.join("sample-templates"), &mut files);
    let mut entities = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for document in parse_documents(&bytes, &Limits::default()).unwrap() {
            let mut entity = document.unwrap().value;
            if entity.get("kind").is_none() {
                continue;
            }
            for p in find_placeholders(&entity).unwrap() {
                substitute(&mut entity, &p.pointer, Value::String("x".into()));
            }
            entities.push(entity);
        }
    }
    let _ = validate_entity(&entities[0]); // compile the schemas outside the timing
    let rounds = 200;
    let start = std::time::Instant::now();
    let (mut issues, mut relations) = (0, 0);
    for _ in 0..rounds {
        for entity in &entities {
            issues += validate_entity(entity).len();
            relations += relations_of(entity).map_or(0, |r| r.len());
        }
    }
    let elapsed = start.elapsed();
    let per_entity = elapsed / (rounds * entities.len()) as u32;
    println!(
        "{} validations in {elapsed:?}: {per_entity:?} per entity ({issues} issues, {relations} relations)",
        rounds * entities.len()
    );
}

/// Relations of two real examples, in both directions, with namespaces
/// taken from the referencing entity unless the reference names one.
#[test]
fn example_relations_follow_the_referencing_namespace() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let triples = |file: &str| -> Vec<String> {
        let bytes = std::fs::read(examples.join("catalog-model").join(file)).unwrap();
        let documents = parse_documents(&bytes, &Limits::default()).unwrap();
        let entity = documents.into_iter().next().unwrap().unwrap().value;
        relations_of(&entity)
            .unwrap()
            .iter()
            .map(|r| format!("{} {} {}", r.source, r.type_, r.target))
            .collect()
    };
    assert_eq!(
        triples("components/different-namespace.yaml"),
        vec![
            "component:alternative/different-namespace ownedBy group:default/team-a",
            "group:default/team-a ownerOf component:alternative/different-namespace",
        ]
    );
    assert_eq!(
        triples("systems/podcast-system.yaml"),
        vec![
            "domain:default/playback hasPart system:default/podcast",
            "system:default/podcast ownedBy user:default/team-b",
            "system:default/podcast partOf domain:default/playback",
            "user:default/team-b ownerOf system:default/podcast",
        ]
    );
}
