use serde_json::json;

use super::*;

fn context() -> Value {
    json!({
        "parameters": {
            "name": "payments",
            "owner": "group:default/team-a",
            "repoUrl": "github.com?owner=acme&repo=payments",
            "replicas": 3,
            "tags": ["rust", "grpc"],
            "enabled": false,
            "script": "<script>alert(1)</script>"
        },
        "steps": {"publish": {"output": {"remoteUrl": "https://git.example/acme/payments"}}}
    })
}

fn render(value: Value) -> Result<Value, TemplatingError> {
    Templater::default().render_value("input", &value, &context())
}

#[test]
fn a_lone_expression_keeps_its_json_type() {
    let rendered = render(json!({
        "tags": "${{ parameters.tags }}",
        "replicas": "${{ parameters.replicas }}",
        "enabled": " ${{ parameters.enabled }} ",
        "repo": "${{ parameters.repoUrl | parseRepoUrl }}",
        "text": "replicas: ${{ parameters.replicas }}",
        "literal": "true",
        "nested": [{"url": "${{ steps.publish.output.remoteUrl }}"}],
        "number": 5,
        "missing": "${{ parameters.nothing.deeper }}"
    }))
    .unwrap();
    assert_eq!(
        rendered,
        json!({
            "tags": ["rust", "grpc"],
            "replicas": 3,
            "enabled": false,
            "repo": {"host": "github.com", "owner": "acme", "repo": "payments"},
            "text": "replicas: 3",
            "literal": "true",
            "nested": [{"url": "https://git.example/acme/payments"}],
            "number": 5,
            "missing": null
        })
    );
}

#[test]
fn text_templates_use_nunjucks_syntax_and_filters() {
    let templater = Templater::default();
    let text = templater
        .render_str(
            "README.md",
            "# ${{ parameters.name | upper }}\n{% for tag in parameters.tags %}- ${{ tag }}\n{% endfor %}\
             {% if parameters.enabled %}on{% else %}off{% endif %} ${{ parameters.tags | join(', ') }} \
             ${{ parameters.tags | length }} ${{ parameters.missing | default('none') }} \
             ${{ parameters.name | replace('pay', 'Pay') }} ${{ parameters.tags | dump }}",
            &context(),
        )
        .unwrap();
    assert_eq!(
        text,
        "# PAYMENTS\n- rust\n- grpc\noff rust, grpc 2 none Payments [\"rust\",\"grpc\"]"
    );
    // Values are not HTML-escaped: templates write code, not pages.
    assert_eq!(
        templater
            .render_str("x", "${{ parameters.script }}", &context())
            .unwrap(),
        "<script>alert(1)</script>"
    );
}

#[test]
fn backstage_filters() {
    let templater = Templater::default();
    let eval = |expression: &str| templater.evaluate("x", expression, &context()).unwrap();
    assert_eq!(
        eval("parameters.repoUrl | projectSlug"),
        json!("acme/payments")
    );
    assert_eq!(
        eval("parameters.owner | parseEntityRef"),
        json!({"kind": "group", "namespace": "default", "name": "team-a"})
    );
    assert_eq!(
        eval("'team-b' | parseEntityRef({'defaultKind': 'Group', 'defaultNamespace': 'ops'})"),
        json!({"kind": "Group", "namespace": "ops", "name": "team-b"})
    );
    assert_eq!(eval("parameters | pick('name')"), json!("payments"));
    assert_eq!(
        eval("steps | pick('publish.output.remoteUrl')"),
        json!("https://git.example/acme/payments")
    );
    assert_eq!(
        eval("'gitlab.com?organization=acme&repo=x&project=p' | parseRepoUrl"),
        json!({"host": "gitlab.com", "organization": "acme", "repo": "x", "project": "p"})
    );
    let error = templater
        .evaluate(
            "steps[0].input.repo",
            "'github.com?owner=acme' | parseRepoUrl",
            &context(),
        )
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("steps[0].input.repo: "), "{error}");
    assert!(error.contains("it has no repo"), "{error}");
    assert!(
        templater
            .evaluate("x", "'kind:' | parseEntityRef", &context())
            .unwrap_err()
            .to_string()
            .contains("Invalid entity ref")
    );
}

#[test]
fn errors_name_the_place_and_the_reason() {
    let error =
        render(json!({"steps": [{"input": {"name": "${{ parameters.name | nosuchfilter }}"}}]}))
            .unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("input.steps[0].input.name: "), "{text}");
    assert!(text.contains("nosuchfilter"), "{text}");
    let syntax = Templater::default()
        .render_str("skeleton/README.md", "line\n{% if %}", &context())
        .unwrap_err()
        .to_string();
    assert!(syntax.starts_with("skeleton/README.md: "), "{syntax}");
    assert!(syntax.contains("line 2"), "{syntax}");
}

#[test]
fn the_sandbox_bounds_work_output_and_input() {
    let templater = Templater::default();
    let forever = templater
        .render_str(
            "x",
            "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}",
            &context(),
        )
        .unwrap_err();
    assert!(
        matches!(forever, TemplatingError::OutOfFuel { .. }),
        "{forever}"
    );
    let huge = templater
        .render_str("x", "${{ 'x' * 99999999 }}", &context())
        .unwrap_err();
    assert!(
        matches!(huge, TemplatingError::OutputTooLarge { .. }),
        "{huge}"
    );
    let too_big = "a".repeat(2 * 1024 * 1024);
    assert!(matches!(
        templater.render_str("x", &too_big, &context()),
        Err(TemplatingError::TemplateTooLarge { .. })
    ));
    // No file, environment or network access: there is nothing to call.
    for escape in [
        "{% include '/etc/passwd' %}",
        "{% import 'x' as y %}",
        "${{ env.HOME }}${{ environ }}",
        "${{ lipsum() }}",
        "${{ self.__init__ }}",
        "${{ ''.__class__ }}",
    ] {
        let result = templater.render_str("x", escape, &context());
        assert!(
            result.as_ref().is_err() || result.as_ref().is_ok_and(|text| text.is_empty()),
            "{escape} gave {result:?}"
        );
    }
    // The many small strings of a large value count towards the output bound too.
    let small = Templater::new(
        Delimiters::Backstage,
        Limits {
            max_output_bytes: 10,
            ..Limits::default()
        },
    );
    let many = small.render_value(
        "v",
        &json!(["${{ 'abcdef' }}", "${{ 'ghijkl' }}"]),
        &context(),
    );
    assert!(
        matches!(many, Err(TemplatingError::OutputTooLarge { .. })),
        "{many:?}"
    );
}

#[test]
fn cookiecutter_mode_uses_plain_braces() {
    let templater = Templater::new(Delimiters::Cookiecutter, Limits::default());
    let context = json!({"cookiecutter": {"name": "svc", "tags": ["a"]}});
    assert_eq!(
        templater
            .render_str(
                "x",
                "{{ cookiecutter.name }} ${{ x }} {{ cookiecutter.tags | jsonify }}",
                &context
            )
            .unwrap(),
        "svc $ [\"a\"]"
    );
}
