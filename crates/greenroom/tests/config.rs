//! `greenroom config check` and configuration errors end to end.

mod common;

use common::{greenroom, write};

#[test]
fn config_check_prints_the_merged_config_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("app-config.yaml");
    let local = dir.path().join("app-config.local.yaml");
    write(
        &base,
        "backend:\n  listen:\n    port: 7007\n  database:\n    client: pg\n    connection: postgres://app:${DB_PASSWORD}@db.internal:5432/portal\ncatalog:\n  orphanStrategy: keep\n",
    );
    write(&local, "backend:\n  listen:\n    port: 7100\n");
    let out = greenroom()
        .args(["config", "check", "--config"])
        .arg(&base)
        .arg("--config")
        .arg(&local)
        .env("DB_PASSWORD", "hunter2")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(
        stdout.contains("7100"),
        "later files override earlier ones: {stdout}"
    );
    assert!(stdout.contains("keep"));
}

#[test]
fn a_missing_variable_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("app-config.yaml");
    write(
        &base,
        "backend:\n  database:\n    client: pg\n    connection: postgres://app:${GREENROOM_TEST_UNSET_VAR}@db/portal\n",
    );
    let out = greenroom()
        .args(["config", "check", "--config"])
        .arg(&base)
        .env_remove("GREENROOM_TEST_UNSET_VAR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("backend.database.connection")
            && stderr.contains("GREENROOM_TEST_UNSET_VAR"),
        "{stderr}"
    );
}

#[test]
fn unknown_keys_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("app-config.yaml");
    write(&base, "catalog:\n  orphanStategy: keep\n");
    let out = greenroom()
        .args(["config", "check", "--config"])
        .arg(&base)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("catalog.orphanStategy"), "{stderr}");
}
