//! A crash mid-ingest leaves a consistent catalog that the next run
//! completes: `greenroom ingest` is killed partway and run again.

mod common;

use std::time::Duration;

use common::{greenroom, write};

/// A catalog of `teams` groups, each owning `per_team` components, listed by
/// one root Location.
fn write_catalog(root: &std::path::Path, teams: usize, per_team: usize) -> usize {
    let mut targets = String::new();
    for t in 0..teams {
        let mut docs = format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-{t}\nspec:\n  type: team\n  children: []\n"
        );
        for c in 0..per_team {
            docs.push_str(&format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{t}-{c}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-{t}\n  dependsOn: [component:svc-{t}-{}]\n",
                (c + 1) % per_team
            ));
        }
        write(
            &root.join(format!("repos/team-{t}/catalog-info.yaml")),
            &docs,
        );
        targets.push_str(&format!("    - ./repos/team-{t}/catalog-info.yaml\n"));
    }
    write(
        &root.join("all.yaml"),
        &format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  type: file\n  targets:\n{targets}"
        ),
    );
    teams * (per_team + 1) + 1
}

#[test]
fn an_ingest_killed_midway_is_completed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let expected = write_catalog(dir.path(), 150, 12);
    let config = dir.path().join("app-config.yaml");
    write(
        &config,
        &format!(
            "catalog:\n  locations:\n    - type: file\n      target: {}\n  rules:\n    - allow: [Component, Group, Location]\n",
            dir.path().join("all.yaml").display()
        ),
    );
    let data = dir.path().join("data");
    let ingest = || {
        let mut command = greenroom();
        command
            .arg("ingest")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .env("RUST_LOG", "error");
        command
    };

    for delay in [150, 400] {
        let mut child = ingest()
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
    }

    let out = ingest().output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["entities"].as_u64(),
        Some(expected as u64),
        "{report}"
    );
    assert_eq!(report["withErrors"].as_u64(), Some(0), "{report}");

    // And the run after that finds nothing to do.
    let out = ingest().output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["entities"].as_u64(), Some(expected as u64));
    assert_eq!(report["entitiesWritten"].as_u64(), Some(0), "{report}");
    assert_eq!(report["entitiesStitched"].as_u64(), Some(0), "{report}");
}
