//! Backstage's own example app-configs load, with the locations and rules
//! Backstage would derive from them.
//!
//! The examples live in the shared reference folder
//! (`$GREENROOM_SHARED_DIR`, default `../../../shared` from this crate);
//! when it is absent the tests print a notice and pass.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

mod common;

use std::path::PathBuf;

use greenroom_config::{DatabaseConfig, LocationType, SqliteLocation, WarningKind, load};
use url::Url;

fn examples_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let dir = shared.join("reference/backstage/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no Backstage examples at {}", dir.display());
        None
    }
}

#[test]
fn create_app_configs_load_with_production_overrides() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let base = examples.join("create-app-0.9.2/app-config.yaml.hbs");
    let production = examples.join("create-app-0.9.2/app-config.production.yaml");
    let env = common::env(&[
        ("GITHUB_TOKEN", "ghp_example"),
        ("POSTGRES_HOST", "db.internal"),
        ("POSTGRES_PORT", "5432"),
        ("POSTGRES_USER", "backstage"),
        ("POSTGRES_PASSWORD", "s3cret/pw"),
    ]);

    // The development config alone.
    let config = load(std::slice::from_ref(&base), &env).unwrap();
    assert_eq!(
        config.backend().database,
        DatabaseConfig::Sqlite(SqliteLocation::Memory)
    );
    assert_eq!(config.backend().listen.port, 7007);
    let dir = base.parent().unwrap();
    let file = |relative: &str| greenroom_config_path(&dir.join(relative));
    let catalog = config.catalog();
    let targets: Vec<(LocationType, String)> = catalog
        .locations
        .iter()
        .map(|l| (l.location_type, l.target.clone()))
        .collect();
    assert_eq!(
        targets,
        vec![
            (LocationType::File, file("../../examples/entities.yaml")),
            (
                LocationType::File,
                file("../../examples/template/template.yaml")
            ),
            (LocationType::File, file("../../examples/org.yaml")),
        ]
    );
    let rules = &catalog.rules;
    let entities = file("../../examples/entities.yaml");
    let template = file("../../examples/template/template.yaml");
    let org = file("../../examples/org.yaml");
    for kind in ["Component", "System", "API", "Resource", "Location"] {
        assert!(rules.is_allowed(kind, None, "file", &entities), "{kind}");
    }
    assert!(!rules.is_allowed("Template", None, "file", &entities));
    assert!(rules.is_allowed("Template", None, "file", &template));
    assert!(!rules.is_allowed("User", None, "file", &template));
    assert!(rules.is_allowed("User", None, "file", &org));
    assert!(rules.is_allowed("Group", None, "file", &org));
    assert!(!rules.is_allowed("Domain", None, "file", &org));
    // Frontend and plugin sections come back as "not used yet", not as typos.
    assert!(
        config
            .warnings()
            .iter()
            .any(|w| w.key == "app" && w.kind == WarningKind::NotUsedYet)
    );
    assert!(
        config
            .warnings()
            .iter()
            .all(|w| matches!(w.kind, WarningKind::NotUsedYet)),
        "{:#?}",
        config.warnings()
    );

    // With the production layer: Postgres, every interface, relative targets.
    let config = load(&[base.clone(), production.clone()], &env).unwrap();
    let backend = config.backend();
    assert_eq!(
        (backend.listen.host.as_str(), backend.listen.port),
        ("0.0.0.0", 7007)
    );
    match &backend.database {
        DatabaseConfig::Postgres { url, .. } => assert_eq!(
            url.expose(),
            "postgres://backstage:s3cret%2Fpw@db.internal:5432"
        ),
        other => panic!("{other:?}"),
    }
    let prod_dir = production.parent().unwrap();
    let targets: Vec<String> = config
        .catalog()
        .locations
        .iter()
        .map(|l| l.target.clone())
        .collect();
    assert_eq!(
        targets,
        vec![
            greenroom_config_path(&prod_dir.join("examples/entities.yaml")),
            greenroom_config_path(&prod_dir.join("examples/template/template.yaml")),
            greenroom_config_path(&prod_dir.join("examples/org.yaml")),
        ]
    );
    assert_eq!(
        config.redacted()["backend"]["database"]["connection"]["password"],
        serde_json::json!("<redacted>")
    );

    // Without the variables the production file names what is missing.
    let error = load(&[base, production], &common::env(&[("GITHUB_TOKEN", "x")])).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "backend.database.connection.host: environment variable POSTGRES_HOST is not set"
        ),
        "{error}"
    );
}

#[test]
fn demo_config_loads() {
    let Some(examples) = examples_dir() else {
        return;
    };
    let path = examples.join("demo-repo/app-config.yaml");
    let env = common::env(&[
        ("GITHUB_TOKEN", "ghp_example"),
        ("GITHUB_DEVELOPMENT_CLIENT_ID", "client-id"),
        ("GITHUB_DEVELOPMENT_CLIENT_SECRET", "client-secret"),
        ("GITHUB_WEBHOOK_SECRET", "hook"),
    ]);
    let config = load(std::slice::from_ref(&path), &env).unwrap();
    let catalog = config.catalog();
    assert!(catalog.readonly);
    assert_eq!(catalog.locations.len(), 12);
    assert!(
        catalog
            .locations
            .iter()
            .all(|l| l.location_type == LocationType::Url)
    );
    assert_eq!(
        catalog.locations[0].target,
        "https://github.com/backstage/backstage/blob/master/packages/catalog-model/examples/all-components.yaml"
    );
    let rules = &catalog.rules;
    let components = &catalog.locations[0].target;
    let template =
        "https://github.com/backstage/demo/blob/master/demo-template/template/template.yaml";
    assert_eq!(catalog.locations[11].target, template);
    for kind in [
        "Component",
        "API",
        "System",
        "Domain",
        "Resource",
        "Location",
        "User",
        "Group",
        "AiResource",
    ] {
        assert!(rules.is_allowed(kind, None, "url", components), "{kind}");
    }
    assert!(!rules.is_allowed("Template", None, "url", components));
    assert!(rules.is_allowed("Template", None, "url", template));

    let reading = &config.backend().reading;
    assert!(
        reading.is_allowed(&Url::parse("https://demo.backstage.io/api/graphql/schema").unwrap())
    );
    assert!(!reading.is_allowed(&Url::parse("https://demo.backstage.io/api/graphql").unwrap()));

    // Community plugin sections are unknown to Greenroom; core ones are not.
    let unknown: Vec<&str> = config
        .warnings()
        .iter()
        .filter(|w| matches!(w.kind, WarningKind::Unknown { .. }))
        .map(|w| w.key.as_str())
        .collect();
    assert_eq!(
        unknown,
        vec!["costInsights", "explore", "notificationsTester"]
    );
    let redacted = config.redacted();
    assert_eq!(
        redacted["auth"]["providers"]["github"]["development"]["clientSecret"],
        serde_json::json!("<redacted>")
    );
    assert_eq!(
        redacted["integrations"]["github"][0]["token"],
        serde_json::json!("<redacted>")
    );
}

/// An absolute path as the config crate spells location targets.
fn greenroom_config_path(path: &std::path::Path) -> String {
    let mut out = PathBuf::new();
    for component in std::path::absolute(path).unwrap().components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out.to_string_lossy().into_owned()
}
