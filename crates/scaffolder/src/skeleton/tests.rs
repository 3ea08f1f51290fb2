use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use super::*;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn skeleton() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "README.md",
        "# ${{ values.name }}\nOwned by ${{ values.owner }}.\n",
    );
    write(
        root,
        "src/${{ values.name }}.rs",
        "// ${{ values.name | upper }}\n",
    );
    write(root, "${{ 'ci.yaml' if values.ci else '' }}", "ci: true\n");
    write(root, "raw/keep.txt", "${{ not rendered }}\n");
    write(
        root,
        "catalog-info.yaml",
        "metadata:\n  name: ${{ values.name }}\n",
    );
    fs::write(root.join("logo.bin"), [0xff_u8, 0x00, 0x24, 0x7b, 0x7b]).unwrap();
    let script = root.join("run.sh");
    fs::write(&script, "echo ${{ values.name }}\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn values() -> Value {
    json!({"name": "payments", "owner": "team-a", "ci": false})
}

#[test]
fn names_and_contents_are_rendered() {
    let source = skeleton();
    let target = tempfile::tempdir().unwrap();
    let options = SkeletonOptions {
        copy_without_templating: vec!["raw/**".to_owned()],
        ..SkeletonOptions::default()
    };
    let report = render_skeleton(source.path(), target.path(), &values(), &options).unwrap();
    let out = target.path();
    assert_eq!(read(out, "README.md"), "# payments\nOwned by team-a.\n");
    assert_eq!(read(out, "src/payments.rs"), "// PAYMENTS\n");
    assert_eq!(read(out, "raw/keep.txt"), "${{ not rendered }}\n");
    assert_eq!(
        read(out, "catalog-info.yaml"),
        "metadata:\n  name: payments\n"
    );
    assert_eq!(
        fs::read(out.join("logo.bin")).unwrap(),
        [0xff, 0x00, 0x24, 0x7b, 0x7b]
    );
    let mode = fs::metadata(out.join("run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
    // The optional CI file rendered an empty name and was left out.
    assert!(!out.join("ci.yaml").exists());
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.written.len(), 6);
}

#[test]
fn existing_files_are_kept_unless_replace() {
    let source = skeleton();
    let target = tempfile::tempdir().unwrap();
    write(target.path(), "README.md", "mine\n");
    render_skeleton(
        source.path(),
        target.path(),
        &values(),
        &SkeletonOptions::default(),
    )
    .unwrap();
    assert_eq!(read(target.path(), "README.md"), "mine\n");
    let replace = SkeletonOptions {
        replace: true,
        ..SkeletonOptions::default()
    };
    render_skeleton(source.path(), target.path(), &values(), &replace).unwrap();
    assert_eq!(
        read(target.path(), "README.md"),
        "# payments\nOwned by team-a.\n"
    );
}

#[test]
fn template_file_extension_and_cookiecutter() {
    let source = tempfile::tempdir().unwrap();
    write(source.path(), "app.py.njk", "name = '${{ values.name }}'\n");
    write(source.path(), "plain.txt", "${{ values.name }}\n");
    let target = tempfile::tempdir().unwrap();
    let options = SkeletonOptions {
        template_file_extension: Some(".njk".to_owned()),
        ..SkeletonOptions::default()
    };
    render_skeleton(source.path(), target.path(), &values(), &options).unwrap();
    assert_eq!(read(target.path(), "app.py"), "name = 'payments'\n");
    assert_eq!(read(target.path(), "plain.txt"), "${{ values.name }}\n");

    let source = tempfile::tempdir().unwrap();
    write(
        source.path(),
        "{{ cookiecutter.name }}/README",
        "{{ cookiecutter.name }}\n",
    );
    let target = tempfile::tempdir().unwrap();
    let options = SkeletonOptions {
        cookiecutter_compat: true,
        ..SkeletonOptions::default()
    };
    render_skeleton(source.path(), target.path(), &values(), &options).unwrap();
    assert_eq!(read(target.path(), "payments/README"), "payments\n");
}

#[test]
fn nothing_leaves_the_target() {
    let outside = tempfile::tempdir().unwrap();
    for hostile in [
        "../escaped",
        "..",
        "/tmp/absolute",
        "a/../../b",
        "nested/evil",
    ] {
        let source = tempfile::tempdir().unwrap();
        write(source.path(), "${{ values.name }}", "x\n");
        let target = outside.path().join("target");
        let values = json!({ "name": hostile });
        let error = render_skeleton(source.path(), &target, &values, &SkeletonOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("would leave its folder"),
            "{hostile}: {error}"
        );
    }
    assert!(!outside.path().join("escaped").exists());
    assert_eq!(
        fs::read_dir(outside.path().join("target")).unwrap().count(),
        0
    );

    // A symbolic link in the skeleton is refused.
    let source = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/etc/passwd", source.path().join("passwd")).unwrap();
    let target = tempfile::tempdir().unwrap();
    let error = render_skeleton(
        source.path(),
        target.path(),
        &values(),
        &SkeletonOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("symbolic links are not allowed"), "{error}");

    // So is writing through a link an earlier step left in the target.
    let source = tempfile::tempdir().unwrap();
    write(source.path(), "docs/index.md", "x\n");
    let target = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), target.path().join("docs")).unwrap();
    let error = render_skeleton(
        source.path(),
        target.path(),
        &values(),
        &SkeletonOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("symbolic link in the workspace"), "{error}");
    assert!(!outside.path().join("index.md").exists());
}

#[test]
fn bad_templates_and_options_are_named() {
    let source = tempfile::tempdir().unwrap();
    write(source.path(), "broken.txt", "{% if %}\n");
    let target = tempfile::tempdir().unwrap();
    let error = render_skeleton(
        source.path(),
        target.path(),
        &values(),
        &SkeletonOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("broken.txt: "), "{error}");
    let options = SkeletonOptions {
        template_file_extension: Some(".njk".to_owned()),
        cookiecutter_compat: true,
        ..SkeletonOptions::default()
    };
    assert!(matches!(
        render_skeleton(source.path(), target.path(), &values(), &options),
        Err(SkeletonError::Options { .. })
    ));
    let options = SkeletonOptions {
        copy_without_templating: vec!["a[".to_owned()],
        ..SkeletonOptions::default()
    };
    assert!(matches!(
        render_skeleton(source.path(), target.path(), &values(), &options),
        Err(SkeletonError::Glob { .. })
    ));
}

#[test]
fn the_demo_template_renders_through_its_own_inputs() {
    // The demo's "Create a Rust service": render the step's input from
    // form values, then its skeleton, as the task will.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../greenroom/demo/templates/create-rust-service");
    let bytes = fs::read(root.join("template.yaml")).unwrap();
    let document =
        greenroom_yaml::parse_single(&bytes, &greenroom_yaml::Limits::default()).unwrap();
    let template = crate::Template::from_entity(&document.value).unwrap();
    let fetch = template
        .steps
        .iter()
        .find(|s| s.action == "fetch:template")
        .unwrap();
    let parameters = json!({"parameters": {
        "name": "route-optimizer",
        "description": "Finds shorter routes.",
        "owner": "group:default/routing-team",
        "repoUrl": "github.com?owner=northwind&repo=route-optimizer"
    }});
    let input = Templater::default()
        .render_value("steps[0].input", &fetch.input, &parameters)
        .unwrap();
    assert_eq!(input["values"]["name"], "route-optimizer");
    let target = tempfile::tempdir().unwrap();
    let report = render_skeleton(
        &root.join("skeleton"),
        target.path(),
        &input["values"],
        &SkeletonOptions::default(),
    )
    .unwrap();
    assert_eq!(report.written.len(), 7, "{report:?}");
    let catalog = read(target.path(), "catalog-info.yaml");
    assert!(catalog.contains("route-optimizer"), "{catalog}");
    assert!(catalog.contains("group:default/routing-team"), "{catalog}");
    assert!(!catalog.contains("${{"), "{catalog}");
    // The rendered descriptor is a valid entity.
    let entity =
        greenroom_yaml::parse_single(catalog.as_bytes(), &greenroom_yaml::Limits::default())
            .unwrap()
            .value;
    assert_eq!(entity["metadata"]["name"], "route-optimizer");
}
