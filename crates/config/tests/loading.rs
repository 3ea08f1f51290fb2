//! Layering, includes, `${VAR}` substitution and `APP_CONFIG_*` overrides.

mod common;

use common::{Fixture, env};
use greenroom_config::{ConfigError, Source, load};
use serde_json::json;

#[test]
fn later_files_win_mappings_merge_and_lists_are_replaced() {
    let fixture = Fixture::new();
    fixture.write(
        "app-config.yaml",
        "app:\n  title: Base\n  baseUrl: http://base\n\
         backend:\n  listen:\n    port: 7007\n\
         catalog:\n  rules:\n    - allow: [Component]\n    - allow: [API]\n",
    );
    fixture.write(
        "app-config.local.yaml",
        "app:\n  title: Local\n\
         backend:\n  listen:\n    host: 0.0.0.0\n\
         catalog:\n  rules:\n    - allow: [Group]\n",
    );
    let config = fixture
        .load(&["app-config.yaml", "app-config.local.yaml"], &[])
        .unwrap();

    assert_eq!(
        config.raw()["app"],
        json!({"title": "Local", "baseUrl": "http://base"})
    );
    let listen = &config.backend().listen;
    assert_eq!((listen.host.as_str(), listen.port), ("0.0.0.0", 7007));
    assert_eq!(
        config.raw()["catalog"]["rules"],
        json!([{"allow": ["Group"]}])
    );
    let rules = &config.catalog().rules;
    assert!(rules.is_allowed("Group", None, "url", "https://x/y.yaml"));
    assert!(!rules.is_allowed("Component", None, "url", "https://x/y.yaml"));

    // Origins follow the layer that set each value.
    let local = fixture.dir().join("app-config.local.yaml");
    let base = fixture.dir().join("app-config.yaml");
    assert_eq!(
        config.source("/app/title"),
        Source::File {
            path: local.clone(),
            line: Some(2)
        }
    );
    assert_eq!(
        config.source("/app/baseUrl"),
        Source::File {
            path: base,
            line: Some(3)
        }
    );

    // The other order gives the other winner.
    let reversed = fixture
        .load(&["app-config.local.yaml", "app-config.yaml"], &[])
        .unwrap();
    assert_eq!(reversed.raw()["app"]["title"], json!("Base"));
}

#[test]
fn null_resets_a_setting_to_its_default() {
    let fixture = Fixture::new();
    fixture.write("a.yaml", "backend:\n  listen:\n    port: 8080\n");
    fixture.write("b.yaml", "backend:\n  listen:\n    port: null\n");
    let config = fixture.load(&["a.yaml", "b.yaml"], &[]).unwrap();
    assert_eq!(config.backend().listen.port, 7007);
}

#[test]
fn empty_files_are_empty_configs_and_non_mappings_are_refused() {
    let fixture = Fixture::new();
    fixture.write("empty.yaml", "# nothing here yet\n");
    fixture.write("list.yaml", "- a\n- b\n");
    assert!(fixture.load(&["empty.yaml"], &[]).is_ok());
    let error = fixture.load(&["list.yaml"], &[]).unwrap_err();
    assert!(matches!(error, ConfigError::NotAMapping { .. }), "{error}");
    assert!(error.to_string().contains("list.yaml"), "{error}");
}

#[test]
fn unreadable_and_invalid_files_are_named() {
    let fixture = Fixture::new();
    let error = fixture.load(&["missing.yaml"], &[]).unwrap_err();
    assert!(matches!(error, ConfigError::ReadFile { .. }));
    assert!(error.to_string().contains("missing.yaml"), "{error}");

    fixture.write("bad.yaml", "backend:\n  listen: [\n");
    let error = fixture.load(&["bad.yaml"], &[]).unwrap_err();
    assert!(matches!(error, ConfigError::Yaml { .. }), "{error}");
    assert!(error.to_string().contains("bad.yaml"), "{error}");
}

#[test]
fn variables_are_substituted_with_fallbacks_and_escapes() {
    let fixture = Fixture::new();
    fixture.write(
        "app-config.yaml",
        "app:\n\
         \x20 title: ${TITLE} (${STAGE:-dev})\n\
         \x20 literal: $${NOT_A_VAR}\n\
         \x20 template: ${{ parameters.name }}\n\
         \x20 list: [\"${TITLE}\", 'x${EMPTY:-y}']\n",
    );
    let config = fixture
        .load(
            &["app-config.yaml"],
            &[("TITLE", "  Portal "), ("EMPTY", "")],
        )
        .unwrap();
    assert_eq!(
        config.raw()["app"],
        json!({
            "title": "Portal (dev)",
            "literal": "${NOT_A_VAR}",
            "template": "${{ parameters.name }}",
            "list": ["Portal", "xy"],
        })
    );
}

#[test]
fn an_unset_variable_is_an_error_naming_key_file_line_and_variable() {
    let fixture = Fixture::new();
    let path = fixture.write(
        "app-config.yaml",
        "app:\n  title: x\nbackend:\n  database:\n    client: pg\n    connection: postgres://backstage:${PGPASSWORD}@db/backstage\n",
    );
    let error = fixture.load(&["app-config.yaml"], &[]).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "backend.database.connection: environment variable PGPASSWORD is not set ({} line 6)",
            path.display()
        )
    );
}

#[test]
fn env_and_file_includes_resolve_relative_to_the_including_file() {
    let fixture = Fixture::new();
    fixture.write("conf/secrets/token.txt", "s3cret-token  \n\n");
    fixture.write(
        "conf/app-config.yaml",
        "integrations:\n\
         \x20 github:\n\
         \x20   - host: github.com\n\
         \x20     token:\n\
         \x20       $file: ./secrets/token.txt\n\
         \x20   - host: ghe.example.com\n\
         \x20     token:\n\
         \x20       $env: GHE_TOKEN\n",
    );
    let config = fixture
        .load(&["conf/app-config.yaml"], &[("GHE_TOKEN", " ghe ")])
        .unwrap();
    assert_eq!(
        config.raw()["integrations"]["github"],
        json!([
            {"host": "github.com", "token": "s3cret-token"},
            {"host": "ghe.example.com", "token": "ghe"},
        ])
    );
}

#[test]
fn include_inlines_yaml_and_json_with_an_optional_dot_path() {
    let fixture = Fixture::new();
    fixture.write(
        "shared/catalog.yaml",
        "catalog:\n\
         \x20 settings:\n\
         \x20   readonly: true\n\
         \x20   orphanStrategy: keep\n\
         \x20   locations:\n\
         \x20     - type: file\n\
         \x20       target: ./entities.yaml\n\
         \x20   secret:\n\
         \x20     $file: ./pw.txt\n",
    );
    fixture.write("shared/pw.txt", "pw-from-shared\n");
    fixture.write("listen.json", r#"{"port": 9000, "host": "${HOST}"}"#);
    fixture.write(
        "app-config.yaml",
        "backend:\n\
         \x20 listen:\n\
         \x20   $include: ./listen.json\n\
         catalog:\n\
         \x20 $include: shared/catalog.yaml#catalog.settings\n",
    );
    let config = fixture
        .load(&["app-config.yaml"], &[("HOST", "10.0.0.1")])
        .unwrap();

    let listen = &config.backend().listen;
    assert_eq!((listen.host.as_str(), listen.port), ("10.0.0.1", 9000));
    let catalog = config.catalog();
    assert!(catalog.readonly);
    assert_eq!(
        catalog.orphan_strategy,
        greenroom_config::OrphanStrategy::Keep
    );
    // Paths inside the included file are relative to that file.
    assert_eq!(config.raw()["catalog"]["secret"], json!("pw-from-shared"));
    let expected_target = fixture.dir().join("shared/entities.yaml");
    assert_eq!(
        catalog.locations[0].target,
        expected_target.to_string_lossy()
    );
    // Values from an included file point into that file.
    match config.source("/catalog/orphanStrategy") {
        Source::File { path, line } => {
            assert_eq!(path, fixture.dir().join("shared/catalog.yaml"));
            assert_eq!(line, Some(4));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn failing_includes_name_the_key_and_the_file() {
    let fixture = Fixture::new();
    let path = fixture.write("app-config.yaml", "app:\n  title:\n    $file: ./nope.txt\n");
    let error = fixture
        .load(&["app-config.yaml"], &[])
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("app.title: $file cannot read ./nope.txt ("),
        "{error}"
    );
    assert!(
        error.ends_with(&format!("({} line 3)", path.display())),
        "{error}"
    );

    fixture.write("inc.yaml", "app:\n  $include: ./other.yaml#a.b\n");
    fixture.write("other.yaml", "a:\n  c: 1\n");
    let error = fixture.load(&["inc.yaml"], &[]).unwrap_err().to_string();
    assert!(
        error.starts_with("app: $include of ./other.yaml: there is no value at 'a.b'"),
        "{error}"
    );

    fixture.write("txt.yaml", "app:\n  $include: ./notes.txt\n");
    let error = fixture.load(&["txt.yaml"], &[]).unwrap_err().to_string();
    assert!(error.contains("only .yaml, .yml and .json"), "{error}");

    fixture.write("adjacent.yaml", "app:\n  $env: A\n  other: 1\n");
    let error = fixture
        .load(&["adjacent.yaml"], &[("A", "x")])
        .unwrap_err()
        .to_string();
    assert!(error.contains("must be the only key"), "{error}");

    fixture.write("env.yaml", "app:\n  title:\n    $env: UNSET_VAR\n");
    let error = fixture.load(&["env.yaml"], &[]).unwrap_err().to_string();
    assert!(
        error.starts_with("app.title: environment variable UNSET_VAR is not set"),
        "{error}"
    );
}

#[test]
fn include_cycles_are_refused() {
    let fixture = Fixture::new();
    fixture.write("a.yaml", "app:\n  $include: ./b.yaml\n");
    fixture.write("b.yaml", "nested:\n  $include: ./a.yaml\n");
    let error = fixture.load(&["a.yaml"], &[]).unwrap_err().to_string();
    assert!(error.contains("would include itself"), "{error}");
}

#[test]
fn other_dollar_keys_are_ordinary_keys() {
    let config = common::load_str(
        "app:\n  extensions:\n    - entity-card:x:\n        config:\n          filter:\n            $not: { kind: { $in: [Group, User] } }\n",
    )
    .unwrap();
    assert_eq!(
        config.raw()["app"]["extensions"][0]["entity-card:x"]["config"]["filter"],
        json!({"$not": {"kind": {"$in": ["Group", "User"]}}})
    );
}

#[test]
fn app_config_variables_override_everything() {
    let fixture = Fixture::new();
    fixture.write(
        "app-config.yaml",
        "app:\n  title: From file\nbackend:\n  listen:\n    port: 7007\n    host: 127.0.0.1\n",
    );
    let config = fixture
        .load(
            &["app-config.yaml"],
            &[
                ("APP_CONFIG_backend_listen_port", "8080"),
                ("APP_CONFIG_app_title", "Not JSON, so a string"),
                ("APP_CONFIG_app_flags", r#"{"beta": true}"#),
                ("APP_CONFIG_catalog_readonly", "true"),
                ("APP_CONFIG_organization_name", r#""false""#),
                ("APP_CONFIG_ignored_when_empty", ""),
                ("UNRELATED", "x"),
            ],
        )
        .unwrap();
    assert_eq!(config.backend().listen.port, 8080);
    assert_eq!(config.backend().listen.host, "127.0.0.1");
    assert_eq!(config.raw()["app"]["title"], json!("Not JSON, so a string"));
    assert_eq!(config.raw()["app"]["flags"], json!({"beta": true}));
    assert_eq!(config.raw()["organization"]["name"], json!("false"));
    assert!(config.raw().get("ignored").is_none());
    assert!(config.catalog().readonly);
    assert_eq!(
        config.source("/backend/listen/port"),
        Source::Environment {
            var: "APP_CONFIG_backend_listen_port".into()
        }
    );
}

#[test]
fn overrides_work_without_files_and_bad_names_are_refused() {
    let config = load(&[], &env(&[("APP_CONFIG_backend_listen", "\":9000\"")])).unwrap();
    assert_eq!(config.backend().listen.port, 9000);
    assert_eq!(config.backend().listen.host, "0.0.0.0");

    let error = load(&[], &env(&[("APP_CONFIG_app__title", "x")])).unwrap_err();
    assert!(matches!(error, ConfigError::Override { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("environment variable APP_CONFIG_app__title:")
    );

    let error = load(
        &[],
        &env(&[("APP_CONFIG_app", "1"), ("APP_CONFIG_app_title", "x")]),
    )
    .unwrap_err();
    assert!(error.to_string().contains("cannot nest"), "{error}");
}
