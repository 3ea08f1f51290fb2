//! Unknown and not-yet-used keys come back as warnings; secrets are redacted.

mod common;

use common::{Fixture, load_str};
use greenroom_config::WarningKind;
use serde_json::json;

#[test]
fn a_typo_is_reported_with_the_closest_known_key() {
    let fixture = Fixture::new();
    let path = fixture.write(
        "app-config.yaml",
        "catalog:\n  readonly: true\n  orphanStategy: keep\n",
    );
    let config = fixture.load(&["app-config.yaml"], &[]).unwrap();
    let warnings = config.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert_eq!(warning.key, "catalog.orphanStategy");
    assert_eq!(
        warning.kind,
        WarningKind::Unknown {
            suggestion: Some("catalog.orphanStrategy".into())
        }
    );
    assert_eq!(warning.file.as_deref(), Some(path.as_path()));
    assert_eq!(warning.line, Some(3));
    assert_eq!(
        warning.to_string(),
        format!(
            "catalog.orphanStategy: unknown setting, ignored; did you mean catalog.orphanStrategy? ({} line 3)",
            path.display()
        )
    );
    // The typo is not acted on: the default stays.
    assert_eq!(
        config.catalog().orphan_strategy,
        greenroom_config::OrphanStrategy::Delete
    );
}

#[test]
fn unknown_keys_without_a_close_match_and_inside_lists() {
    let config = load_str(
        "costInsights:\n  engineerCost: 1\nbakend:\n  x: 1\ncatalog:\n  locations:\n    - type: url\n      target: https://x/y.yaml\n      rulez: []\n  bogusSetting: 1\n",
    )
    .unwrap();
    let found: Vec<(&str, &WarningKind)> = config
        .warnings()
        .iter()
        .map(|w| (w.key.as_str(), &w.kind))
        .collect();
    assert_eq!(
        found,
        vec![
            ("costInsights", &WarningKind::Unknown { suggestion: None }),
            (
                "bakend",
                &WarningKind::Unknown {
                    suggestion: Some("backend".into())
                }
            ),
            (
                "catalog.locations[0].rulez",
                &WarningKind::Unknown {
                    suggestion: Some("catalog.locations[0].rules".into())
                }
            ),
            (
                "catalog.bogusSetting",
                &WarningKind::Unknown { suggestion: None }
            ),
        ]
    );
    assert!(config.warnings()[0].message.starts_with("unknown section"));
}

#[test]
fn backstage_settings_greenroom_does_not_use_are_reported_once() {
    let config = load_str(
        "app:\n  title: Portal\n  baseUrl: http://localhost:3000\n\
         backend:\n  cors:\n    origin: http://localhost:3000\n  listen:\n    port: 7007\n\
         techdocs:\n  builder: local\n  generator:\n    runIn: docker\n\
         catalog:\n  orphanProviderStrategy: keep\n",
    )
    .unwrap();
    let found: Vec<(&str, &WarningKind)> = config
        .warnings()
        .iter()
        .map(|w| (w.key.as_str(), &w.kind))
        .collect();
    assert_eq!(
        found,
        vec![
            ("app", &WarningKind::NotUsedYet),
            ("backend.cors", &WarningKind::NotUsedYet),
            ("techdocs", &WarningKind::NotUsedYet),
            ("catalog.orphanProviderStrategy", &WarningKind::NotUsedYet),
        ]
    );
    assert_eq!(
        config.warnings()[0].message,
        "recognised Backstage setting, not used by Greenroom yet"
    );
}

#[test]
fn typos_inside_backstage_sections_are_still_caught() {
    let config = load_str("techdocs:\n  buildr: local\n").unwrap();
    let keys: Vec<(&str, &WarningKind)> = config
        .warnings()
        .iter()
        .map(|w| (w.key.as_str(), &w.kind))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("techdocs", &WarningKind::NotUsedYet),
            (
                "techdocs.buildr",
                &WarningKind::Unknown {
                    suggestion: Some("techdocs.builder".into())
                }
            ),
        ]
    );
}

#[test]
fn every_supported_key_loads_without_warnings() {
    let config = load_str(
        "backend:\n\
         \x20 baseUrl: http://localhost:7007\n\
         \x20 listen:\n    host: 127.0.0.1\n    port: 7007\n\
         \x20 database:\n    client: pg\n    connection:\n      host: db\n      port: 5432\n      user: u\n      password: p\n      database: d\n      ssl:\n        rejectUnauthorized: true\n        ca: PEM\n\
         \x20 reading:\n    allow:\n      - host: example.com\n        paths: [/docs]\n\
         catalog:\n\
         \x20 readonly: false\n  orphanStrategy: delete\n  defaultLocationConflictStrategy: reject\n\
         \x20 processingInterval: {minutes: 2, seconds: 30}\n\
         \x20 limits:\n    maxFileBytes: 1000\n\
         \x20 rules:\n    - allow: [Component, {kind: Resource, spec.type: db}]\n      locations:\n        - type: url\n          pattern: https://x/*\n\
         \x20 locations:\n    - type: url\n      target: https://x/y.yaml\n      rules:\n        - allow: [Group]\n",
    )
    .unwrap();
    assert_eq!(config.warnings(), &[]);
}

#[test]
fn redacted_hides_secret_keys_and_url_passwords() {
    let config = load_str(
        "backend:\n\
         \x20 database:\n    client: pg\n    connection: postgres://u:pw@h/db\n\
         \x20 auth:\n    keys:\n      - secret: abc\n\
         integrations:\n  github:\n    - host: github.com\n      token: ghp_123\n      apps:\n        - appId: 1\n          privateKey: KEY\n          clientSecret: cs\n          webhookSecret: ws\n\
         auth:\n  providers:\n    github:\n      development:\n        clientId: id\n        clientSecret: cs\n\
         other:\n  apiKey: k\n  Password: P\n  credentials: {user: a, pass: b}\n  url: https://h/x\n",
    )
    .unwrap();
    let redacted = config.redacted();
    assert_eq!(
        redacted["backend"]["database"]["connection"],
        json!("postgres://u:<redacted>@h/db")
    );
    assert_eq!(
        redacted["backend"]["auth"]["keys"][0]["secret"],
        json!("<redacted>")
    );
    assert_eq!(
        redacted["integrations"]["github"][0],
        json!({
            "host": "github.com",
            "token": "<redacted>",
            "apps": [{"appId": 1, "privateKey": "<redacted>", "clientSecret": "<redacted>", "webhookSecret": "<redacted>"}]
        })
    );
    assert_eq!(
        redacted["auth"]["providers"]["github"]["development"],
        json!({"clientId": "id", "clientSecret": "<redacted>"})
    );
    assert_eq!(
        redacted["other"],
        json!({"apiKey": "<redacted>", "Password": "<redacted>", "credentials": "<redacted>", "url": "https://h/x"})
    );
    // The raw tree keeps the values; Debug shows the redacted one.
    assert_eq!(
        config.raw()["integrations"]["github"][0]["token"],
        json!("ghp_123")
    );
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("ghp_123") && !debug.contains(":pw@"),
        "{debug}"
    );
}
