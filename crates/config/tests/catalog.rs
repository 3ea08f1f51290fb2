//! The typed `catalog` section: locations, rules, orphan strategy,
//! processing interval and limits.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a test failure"
)]

mod common;

use std::time::Duration;

use common::{Fixture, error_of, load_str};
use greenroom_config::{
    CatalogLocation, LocationConflictStrategy, LocationType, OrphanStrategy, ProcessingInterval,
};

#[test]
fn catalog_defaults() {
    let config = load_str("catalog: {}\n").unwrap();
    let catalog = config.catalog();
    assert!(catalog.locations.is_empty());
    assert_eq!(catalog.orphan_strategy, OrphanStrategy::Delete);
    assert_eq!(
        catalog.processing_interval,
        ProcessingInterval::Random {
            min: Duration::from_secs(100),
            max: Duration::from_secs(150)
        }
    );
    assert!(!catalog.readonly);
    assert_eq!(
        catalog.location_conflict_strategy,
        LocationConflictStrategy::Reject
    );
    assert_eq!(catalog.max_file_bytes, 4 * 1024 * 1024);
}

#[test]
fn scalar_settings() {
    let config = load_str(
        "catalog:\n  orphanStrategy: keep\n  readonly: 'true'\n  defaultLocationConflictStrategy: refresh\n  limits:\n    maxFileBytes: 1024\n",
    )
    .unwrap();
    let catalog = config.catalog();
    assert_eq!(catalog.orphan_strategy, OrphanStrategy::Keep);
    assert!(catalog.readonly);
    assert_eq!(
        catalog.location_conflict_strategy,
        LocationConflictStrategy::Refresh
    );
    assert_eq!(catalog.max_file_bytes, 1024);
}

#[test]
fn wrong_values_are_errors_with_position() {
    let fixture = Fixture::new();
    let path = fixture.write(
        "app-config.yaml",
        "catalog:\n  readonly: false\n  orphanStrategy: maybe\n",
    );
    let error = fixture.load(&["app-config.yaml"], &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "catalog.orphanStrategy: expected one of keep, delete, found \"maybe\" ({} line 3)",
            path.display()
        )
    );
    assert!(
        error_of("catalog:\n  readonly: yes please\n")
            .starts_with("catalog.readonly: expected true or false")
    );
    assert!(
        error_of("catalog:\n  limits:\n    maxFileBytes: 0\n")
            .starts_with("catalog.limits.maxFileBytes: expected a positive number")
    );
    assert!(
        error_of("catalog:\n  locations:\n    - type: github\n      target: x\n")
            .starts_with("catalog.locations[0].type: expected file or url")
    );
    assert!(
        error_of("catalog:\n  locations:\n    - type: url\n")
            .starts_with("catalog.locations[0].target: is required")
    );
    assert!(
        error_of("catalog:\n  locations:\n    - type: url\n      target: not a url\n")
            .starts_with("catalog.locations[0].target: expected an absolute URL")
    );
    assert!(error_of("catalog:\n  rules:\n    - allow: [Component]\n      locations:\n        - type: url\n          exact: a\n          pattern: b\n").contains("cannot have both exact and pattern"));
    assert!(
        error_of("catalog:\n  rules:\n    - locations: []\n")
            .starts_with("catalog.rules[0].allow: is required")
    );
}

#[test]
fn locations_resolve_file_targets_against_the_config_folder() {
    let fixture = Fixture::new();
    fixture.write(
        "packages/backend/app-config.yaml",
        "catalog:\n  locations:\n    - type: file\n      target: ../../examples/entities.yaml\n    - type: url\n      target: https://github.com/org/repo/blob/main/catalog-info.yaml\n",
    );
    let config = fixture
        .load(&["packages/backend/app-config.yaml"], &[])
        .unwrap();
    let entities = fixture.dir().join("examples/entities.yaml");
    assert_eq!(
        config.catalog().locations,
        vec![
            CatalogLocation {
                location_type: LocationType::File,
                target: entities.to_string_lossy().into_owned(),
            },
            CatalogLocation {
                location_type: LocationType::Url,
                target: "https://github.com/org/repo/blob/main/catalog-info.yaml".into(),
            },
        ]
    );
    assert_eq!(
        config.catalog().locations[1].reference(),
        "url:https://github.com/org/repo/blob/main/catalog-info.yaml"
    );
}

#[test]
fn default_rules_allow_component_api_and_location_only() {
    let config = load_str("catalog: {}\n").unwrap();
    let rules = &config.catalog().rules;
    for kind in ["Component", "component", "API", "Location"] {
        assert!(
            rules.is_allowed(kind, None, "url", "https://x/a.yaml"),
            "{kind}"
        );
    }
    for kind in ["Template", "User", "Group", "System"] {
        assert!(
            !rules.is_allowed(kind, Some("service"), "url", "https://x/a.yaml"),
            "{kind}"
        );
    }
}

#[test]
fn an_empty_rule_list_allows_nothing_but_location_rules() {
    let fixture = Fixture::new();
    fixture.write(
        "app-config.yaml",
        "catalog:\n  rules: []\n  locations:\n    - type: file\n      target: ./org.yaml\n      rules:\n        - allow: [User, Group]\n",
    );
    let config = fixture.load(&["app-config.yaml"], &[]).unwrap();
    let rules = &config.catalog().rules;
    let org = fixture.dir().join("org.yaml");
    let org = org.to_str().unwrap();
    assert!(!rules.is_allowed("Component", None, "url", "https://x/a.yaml"));
    assert!(rules.is_allowed("user", None, "file", org));
    assert!(rules.is_allowed("Group", None, "file", org));
    assert!(!rules.is_allowed("Component", None, "file", org));
    // Scoped to exactly that location.
    assert!(!rules.is_allowed("User", None, "file", "/elsewhere/org.yaml"));
    assert!(!rules.is_allowed("User", None, "url", org));
}

#[test]
fn rules_with_spec_type_and_location_matchers() {
    let fixture = Fixture::new();
    fixture.write(
        "app-config.yaml",
        "catalog:\n\
         \x20 rules:\n\
         \x20   - allow: [Component, API]\n\
         \x20   - allow:\n\
         \x20       - kind: Resource\n\
         \x20         spec.type: database\n\
         \x20   - allow: [Template]\n\
         \x20     locations:\n\
         \x20       - type: url\n\
         \x20         pattern: https://github.com/org/*/blob/main/template.yaml\n\
         \x20   - allow: [Group]\n\
         \x20     locations:\n\
         \x20       - type: url\n\
         \x20         exact: https://github.com/org/people/blob/main/groups.yaml\n\
         \x20   - allow: [System]\n\
         \x20     locations:\n\
         \x20       - type: file\n\
         \x20         pattern: '**/systems/*.yaml'\n\
         \x20   - allow: [Domain]\n\
         \x20     locations:\n\
         \x20       - type: file\n\
         \x20         exact: ./domains.yaml\n",
    );
    let config = fixture.load(&["app-config.yaml"], &[]).unwrap();
    let rules = &config.catalog().rules;
    let url = "https://github.com/org/x/blob/main/other.yaml";

    assert!(rules.is_allowed("Resource", Some("database"), "url", url));
    assert!(rules.is_allowed("resource", Some("DATABASE"), "url", url));
    assert!(!rules.is_allowed("Resource", Some("bucket"), "url", url));
    assert!(!rules.is_allowed("Resource", None, "url", url));

    // Patterns ignore case; `*` does not cross `/`.
    assert!(rules.is_allowed(
        "Template",
        None,
        "url",
        "https://github.com/org/repo/blob/main/template.yaml"
    ));
    assert!(rules.is_allowed(
        "Template",
        None,
        "url",
        "https://GITHUB.com/org/Repo/blob/main/Template.yaml"
    ));
    assert!(!rules.is_allowed(
        "Template",
        None,
        "url",
        "https://github.com/org/a/b/blob/main/template.yaml"
    ));
    assert!(!rules.is_allowed(
        "Template",
        None,
        "file",
        "https://github.com/org/repo/blob/main/template.yaml"
    ));

    assert!(rules.is_allowed(
        "Group",
        None,
        "url",
        "https://github.com/org/people/blob/main/groups.yaml"
    ));
    assert!(!rules.is_allowed(
        "Group",
        None,
        "url",
        "https://github.com/org/people/blob/main/groups.yml"
    ));

    // Patterns match dot files too.
    assert!(rules.is_allowed("System", None, "file", "/srv/.hidden/systems/.core.yaml"));
    assert!(!rules.is_allowed("System", None, "file", "/srv/other/core.yaml"));

    // A relative `exact` for files is resolved against the config folder.
    let domains = fixture.dir().join("domains.yaml");
    assert!(rules.is_allowed("Domain", None, "file", domains.to_str().unwrap()));
}

fn interval(yaml_value: &str) -> ProcessingInterval {
    load_str(&format!("catalog:\n  processingInterval: {yaml_value}\n"))
        .unwrap()
        .catalog()
        .processing_interval
}

fn random(min_ms: u64, max_ms: u64) -> ProcessingInterval {
    ProcessingInterval::Random {
        min: Duration::from_millis(min_ms),
        max: Duration::from_millis(max_ms),
    }
}

#[test]
fn processing_interval_forms() {
    assert_eq!(interval("{minutes: 5}"), random(300_000, 450_000));
    assert_eq!(
        interval("{hours: 1, minutes: 30}"),
        random(5_400_000, 8_100_000)
    );
    assert_eq!(interval("{milliseconds: 200}"), random(1_000, 1_500));
    assert_eq!(interval("{days: '1'}"), random(86_400_000, 129_600_000));
    assert_eq!(interval("PT5M"), random(300_000, 450_000));
    assert_eq!(interval("P1DT1S"), random(86_401_000, 129_601_500));
    assert_eq!(interval("5m"), random(300_000, 450_000));
    assert_eq!(interval("30s"), random(30_000, 45_000));
    assert_eq!(interval("'2 hours'"), random(7_200_000, 10_800_000));
    assert_eq!(interval("false"), ProcessingInterval::Disabled);
}

#[test]
fn processing_interval_errors() {
    for bad in ["true", "300", "soon", "{}", "[1]", "{minutes: -1}"] {
        let error = error_of(&format!("catalog:\n  processingInterval: {bad}\n"));
        assert!(
            error.starts_with("catalog.processingInterval"),
            "{bad}: {error}"
        );
    }
    let error = error_of("catalog:\n  processingInterval:\n    minuts: 5\n");
    assert!(
        error.starts_with("catalog.processingInterval.minuts: is not a duration unit"),
        "{error}"
    );
}
