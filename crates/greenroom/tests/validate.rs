//! `greenroom validate` end to end.

mod common;

use common::{greenroom, shared_dir, write};

#[test]
fn a_valid_file_passes_with_exit_status_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog-info.yaml");
    write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    let out = greenroom().arg("validate").arg(&file).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn problems_name_file_document_line_column_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalog-info.yaml");
    write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ok\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bad name\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./missing.yaml\n",
    );
    let out = greenroom()
        .args(["validate", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let problems = report["files"][0]["problems"].as_array().unwrap();
    let name = problems
        .iter()
        .find(|p| p["field"] == "metadata.name")
        .expect("name problem");
    assert_eq!(
        (
            name["document"].as_u64(),
            name["line"].as_u64(),
            name["column"].as_u64()
        ),
        (Some(2), Some(13), Some(9))
    );
    assert!(name["message"].as_str().unwrap().contains("bad name"));
    let placeholder = problems
        .iter()
        .find(|p| p["message"].as_str().unwrap().contains("missing.yaml"))
        .expect("placeholder problem");
    assert_eq!(placeholder["field"], "spec.definition");

    let text = greenroom().arg("validate").arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("document 2, line 13, column 9, metadata.name"),
        "{stdout}"
    );
}

#[test]
fn hostile_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.yaml");
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        text.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    write(&bomb, &text);
    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, b"kind: Component\nmetadata:\n  name: \xff\xfe\n").unwrap();
    let list = dir.path().join("list.yaml");
    write(&list, "- a\n- b\n");
    let dupes = dir.path().join("dupes.yaml");
    write(
        &dupes,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nkind: API\nmetadata:\n  name: x\n",
    );
    let big = dir.path().join("big.yaml");
    write(
        &big,
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  description: {}\n",
            "x".repeat(5000)
        ),
    );
    for (file, expected) in [
        (&bomb, "alias"),
        (&binary, "UTF-8"),
        (&list, "Expected object at root, got array"),
        (&dupes, "duplicate key"),
    ] {
        let out = greenroom().arg("validate").arg(file).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains(expected),
            "{}: expected {expected:?} in {stdout}",
            file.display()
        );
    }
    let out = greenroom()
        .args(["validate", "--max-file-bytes", "1000"])
        .arg(&big)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("over the limit of 1000 bytes"), "{stdout}");
}

/// Backstage's validators reject exactly `components/invalid-component.yaml`
/// of its catalog-model examples.
#[test]
fn verdicts_on_backstage_examples_match_backstage() {
    let Some(shared) = shared_dir() else { return };
    let examples = shared.join("reference/backstage/examples/catalog-model");
    let out = greenroom()
        .args(["validate", "--format", "json"])
        .arg(&examples)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rejected: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["valid"] == false)
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(rejected[0].ends_with("components/invalid-component.yaml"));
    assert_eq!(out.status.code(), Some(1));
    let checked = report["files"].as_array().unwrap().len();
    assert!(checked > 30, "only {checked} files checked");
}
