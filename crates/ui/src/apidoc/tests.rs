//! `render_definition` on the Backstage example APIs, the demo's APIs and
//! small inline documents that each exercise one rule.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;

fn render(api_type: &str, definition: &str) -> String {
    render_definition(api_type, definition).into_string()
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// Operations rendered (each is one `<details class="operation…">`).
fn operations(html: &str) -> usize {
    count(html, "<details class=\"operation")
}

fn assert_contains(html: &str, needle: &str) {
    assert!(
        html.contains(needle),
        "missing {needle:?} in:\n{}",
        shown(html)
    );
}

/// The start of `html`, enough to see what went wrong.
fn shown(html: &str) -> String {
    html.chars().take(4_000).collect()
}

fn demo_file(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../greenroom/demo")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A file of Backstage's example catalog, or `None` (with a notice) when the
/// shared reference checkout is not on this machine.
fn backstage_example(name: &str) -> Option<String> {
    let shared = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let path = shared
        .join("reference/backstage/examples/catalog-model/apis")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(error) => {
            eprintln!(
                "skipping: {} not readable ({error}); set GREENROOM_SHARED_DIR",
                path.display()
            );
            None
        }
    }
}

/// `spec.type` and `spec.definition` of a Backstage example API entity.
fn backstage_api(name: &str) -> Option<(String, String)> {
    let text = backstage_example(name)?;
    let entity = greenroom_yaml::parse_single(text.as_bytes(), &greenroom_yaml::Limits::default())
        .unwrap_or_else(|error| panic!("{name}: {error}"))
        .value;
    let spec = &entity["spec"];
    let api_type = spec["type"].as_str().unwrap_or_default().to_owned();
    let definition = spec["definition"].as_str().unwrap_or_default().to_owned();
    Some((api_type, definition))
}

#[test]
fn petstore_lists_operations_with_parameters_and_resolved_schemas() {
    let Some((api_type, definition)) = backstage_api("petstore-api.yaml") else {
        return;
    };
    let html = render(&api_type, &definition);
    assert_eq!(operations(&html), 3, "{}", shown(&html));
    assert_contains(&html, r#"<h3 class="apidoc-title">Swagger Petstore</h3>"#);
    assert_contains(&html, "Version 1.0.0");
    assert_contains(
        &html,
        r#"<code class="server-url">http://petstore.swagger.io/v1</code>"#,
    );
    assert_contains(&html, "<h3>pets</h3>");
    assert_contains(&html, r#"<details class="operation" id="op-listPets">"#);
    assert_contains(
        &html,
        r#"<span class="method method-get">GET</span> <code class="operation-path">/pets</code>"#,
    );
    assert_contains(&html, r#"<span class="method method-post">POST</span>"#);
    // The `limit` query parameter, with its type and format.
    assert_contains(&html, r#"<code class="param-name">limit</code>"#);
    assert_contains(&html, r#"<td class="param-in">query</td>"#);
    assert_contains(&html, "integer (int32)");
    assert_contains(&html, "How many items to return at one time (max 100)");
    // `Pets` is an array of `Pet`: Pet's properties are shown.
    assert_contains(&html, "array of Pet");
    assert_contains(&html, r#"<code class="prop-name">tag</code>"#);
    assert_contains(
        &html,
        r#"<code class="prop-name">name</code> <span class="required">required</span>"#,
    );
    assert_contains(&html, r#"<span class="schema-ref">Error</span>"#);
    assert_contains(
        &html,
        r#"<span class="response-status status-2xx">201</span> <span class="response-description">Null response</span>"#,
    );
    assert_contains(
        &html,
        r#"<span class="response-status status-default">default</span>"#,
    );
    // Then the source, folded, highlighted as YAML.
    assert_contains(&html, "<h3>Definition source</h3><details><summary>");
    assert_contains(&html, r#"<pre class="code" data-language="yaml">"#);
    assert!(!html.contains("apidoc-error"), "{}", shown(&html));
}

#[test]
fn webhook_only_documents_list_their_webhooks() {
    let Some(definition) = backstage_example("petstore-webhook.oas.yaml") else {
        return;
    };
    let html = render("openapi", &definition);
    assert_eq!(operations(&html), 1, "{}", shown(&html));
    assert_contains(&html, "<h3>Webhooks</h3>");
    assert_contains(&html, r#"<code class="operation-path">newPet</code>"#);
    assert_contains(&html, r#"id="op-post-newPet""#);
    assert_contains(&html, "Information about a new pet in the system");
    assert_contains(&html, r#"<code class="prop-name">id</code>"#);
}

#[test]
fn streetlights_summarises_its_channels() {
    let Some((api_type, definition)) = backstage_api("streetlights-api.yaml") else {
        return;
    };
    let html = render(&api_type, &definition);
    assert_eq!(
        count(&html, r#"<code class="channel-name">"#),
        4,
        "{}",
        shown(&html)
    );
    assert_contains(
        &html,
        r#"<code class="channel-name">smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured</code>"#,
    );
    assert_contains(
        &html,
        r#"<span class="action action-subscribe">subscribe</span> <code>receiveLightMeasurement</code>"#,
    );
    assert_contains(
        &html,
        r#"<span class="action action-publish">publish</span> <code>turnOn</code>"#,
    );
    for message in ["lightMeasured", "turnOnOff", "dimLight"] {
        assert_contains(
            &html,
            &format!(r#"<code class="message-name">{message}</code>"#),
        );
    }
    assert_contains(&html, "api.streetlights.smartylighting.com:{port}");
    // The source is open below the summary.
    assert_contains(&html, "<h3>Definition source</h3><details open><summary>");
}

#[test]
fn grpc_and_graphql_are_highlighted_source_and_others_guessed() {
    if let Some((api_type, definition)) = backstage_api("hello-world-api.yaml") {
        let html = render(&api_type, &definition);
        assert_contains(&html, r#"<pre class="code" data-language="protobuf">"#);
        assert_contains(
            &html,
            r#"<span class="tok-keyword">service</span> <span class="tok-type">Greeter</span>"#,
        );
        assert!(!html.contains("Definition source"), "{}", shown(&html));
    }
    if let Some((api_type, definition)) = backstage_api("hello-world-trpc-api.yaml") {
        let html = render(&api_type, &definition);
        assert_contains(&html, r#"<pre class="code" data-language="plain">"#);
        assert_contains(
            &html,
            "import { z } from &#39;zod&#39;;"
                .replace("&#39;", "'")
                .as_str(),
        );
    }
    let html = render("graphql", &demo_file("apis/merchant-api.graphql"));
    assert_contains(
        &html,
        r#"<div class="apidoc" data-api-type="graphql"><pre class="code" data-language="graphql">"#,
    );
    assert_contains(
        &html,
        r#"<span class="tok-keyword">type</span> <span class="tok-type">Query</span>"#,
    );
    let html = render(
        "grpc",
        &demo_file("services/route-optimizer/route_planner.proto"),
    );
    assert_contains(
        &html,
        r#"<span class="tok-keyword">rpc</span> <span class="tok-type">PlanDepotDay</span>"#,
    );
    assert_contains(
        &html,
        r#"<span class="tok-type">google.protobuf.Duration</span>"#,
    );
}

#[test]
fn demo_booking_api_groups_by_tag_and_resolves_shared_parts() {
    let html = render(
        "openapi",
        &demo_file("services/booking-service/booking-api.openapi.yaml"),
    );
    assert_eq!(operations(&html), 7, "{}", shown(&html));
    let tags: Vec<usize> = [
        "<h3>quotes</h3>",
        "<h3>shipments</h3>",
        "<h3>labels</h3>",
        "<h3>pickups</h3>",
    ]
    .iter()
    .map(|heading| html.find(heading).unwrap_or_else(|| panic!("no {heading}")))
    .collect();
    assert!(
        tags.windows(2).all(|pair| pair[0] < pair[1]),
        "tags out of order: {tags:?}"
    );
    // A path-level parameter reference reaches the operation's table.
    let get_shipment = section_of(&html, r#"id="op-getShipment""#);
    assert_contains(
        get_shipment,
        r#"<code class="param-name">shipmentId</code> <span class="required">required</span>"#,
    );
    assert_contains(get_shipment, r#"<td class="param-in">path</td>"#);
    // A response reference brings its description and schema.
    assert_contains(get_shipment, "No such shipment for this merchant.");
    assert_contains(get_shipment, r#"<span class="schema-ref">Problem</span>"#);
    // A component parameter with its constraints.
    assert_contains(&html, r#"<code class="param-name">Idempotency-Key</code>"#);
    assert_contains(&html, "length ≤ 255");
    // An enum reached through a reference.
    assert_contains(&html, "one of: <code>economy</code>, <code>standard</code>");
    assert_contains(&html, r#"<code>application/pdf</code>"#);
}

/// The markup of the operation whose `<details>` carries `marker`.
fn section_of<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &html[start..];
    let end = rest
        .find("</details><details class=\"operation")
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn demo_tracking_api_shows_compositions_and_webhooks() {
    let html = render(
        "openapi",
        &demo_file("services/parcel-tracker/tracking-api.openapi.yaml"),
    );
    assert_eq!(operations(&html), 9, "8 operations and a webhook");
    assert_contains(&html, "<h3>Webhooks</h3>");
    assert_contains(&html, r#"<span class="schema-combinator">all of</span>"#);
    assert_contains(&html, r#"<span class="schema-combinator">one of</span>"#);
    assert_contains(
        &html,
        r#"<p class="apidoc-summary">Where is my parcel, and what happened to it on the way?</p>"#,
    );
    assert_contains(&html, "OpenAPI 3.1.0");
}

#[test]
fn demo_asyncapi_lists_channels_and_messages() {
    let html = render("asyncapi", &demo_file("apis/parcel-events.asyncapi.yaml"));
    assert_eq!(
        count(&html, r#"<code class="channel-name">"#),
        2,
        "{}",
        shown(&html)
    );
    assert_contains(
        &html,
        r#"<code class="message-name">ParcelStatusChanged</code>"#,
    );
    assert_contains(
        &html,
        r#"<code class="message-name">DeliveryException</code>"#,
    );
    assert_contains(&html, r#"<code>onDeliveryException</code>"#);
    assert_contains(&html, "(kafka-secure)");
}

#[test]
fn asyncapi_3_operations_find_their_channels() {
    let definition = r##"
asyncapi: 3.0.0
info: {title: Lights, version: 1.0.0}
channels:
  lightMeasured:
    address: lights/{id}/measured
    messages:
      measured: {$ref: '#/components/messages/Measured'}
operations:
  onMeasured:
    action: receive
    channel: {$ref: '#/channels/lightMeasured'}
  sendMeasured:
    action: send
    summary: Report a measurement
    channel: {$ref: '#/channels/lightMeasured'}
components:
  messages:
    Measured: {name: LightMeasured, payload: {type: object}}
"##;
    let html = render("asyncapi", definition);
    assert_contains(
        &html,
        r#"<code class="channel-name">lights/{id}/measured</code>"#,
    );
    assert_contains(
        &html,
        r#"<span class="action action-receive">receive</span> <code>onMeasured</code>"#,
    );
    assert_contains(
        &html,
        r#"<span class="action action-send">send</span> <code>sendMeasured</code> <span class="operation-title">Report a measurement</span>"#,
    );
    assert_contains(&html, r#"<code class="message-name">LightMeasured</code>"#);
}

const TREE: &str = r##"
openapi: 3.0.0
info: {title: Trees, version: '1'}
paths:
  /nodes:
    get:
      responses:
        '200':
          description: A tree
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {type: string}
        parent: {$ref: '#/components/schemas/Node'}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
        owner: {$ref: '#/components/schemas/Person'}
    Person:
      type: object
      properties:
        manages: {$ref: '#/components/schemas/Node'}
"##;

#[test]
fn recursive_schemas_show_a_marker_instead_of_expanding_again() {
    let html = render("openapi", TREE);
    assert_contains(
        &html,
        r#"<span class="schema-ref">Node</span> <span class="schema-type">object</span>"#,
    );
    // Direct, through an array, and through another schema.
    assert_contains(
        &html,
        r#"<code class="prop-name">parent</code> <span class="schema-cycle" title="recursive reference to Node">↻ Node</span>"#,
    );
    assert_contains(
        &html,
        r#"<code class="prop-name">children</code> <span class="schema-type">array of Node</span> <span class="schema-cycle" title="recursive reference to Node">↻</span>"#,
    );
    assert_contains(
        &html,
        r#"<code class="prop-name">manages</code> <span class="schema-cycle" title="recursive reference to Node">↻ Node</span>"#,
    );
    assert_eq!(count(&html, "↻ Node"), 2, "{}", shown(&html));
    assert_eq!(count(&html, "↻"), 3, "{}", shown(&html));
}

#[test]
fn descriptions_and_names_are_text_never_markup() {
    let definition = r##"
openapi: 3.1.0
info:
  title: <script>alert('title')</script>
  version: '1'
  description: <img src=x onerror=alert(1)> **markdown** stays text
tags:
  - name: <b>tag</b>
    description: <i>tag description</i>
paths:
  /x/<script>:
    get:
      tags: [<b>tag</b>]
      summary: <script>alert('summary')</script>
      description: <script>alert('description')</script>
      operationId: <script>id
      parameters:
        - name: <script>param
          in: query
          description: <script>alert('param')</script>
          schema: {type: string, enum: [<script>enum]}
      responses:
        '200':
          description: <script>alert('response')</script>
          content:
            text/<script>:
              schema:
                type: object
                description: <script>alert('schema')</script>
                properties:
                  <script>prop: {type: string, default: <script>default}
"##;
    let html = render("openapi", definition);
    assert!(!html.contains("<script"), "{}", shown(&html));
    assert!(!html.contains("<img"), "{}", shown(&html));
    assert!(!html.contains("<b>"), "{}", shown(&html));
    assert!(!html.contains("<i>"), "{}", shown(&html));
    for text in [
        "&lt;script&gt;alert('title')&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt; **markdown** stays text",
        "&lt;script&gt;alert('summary')",
        "&lt;script&gt;alert('param')",
        "&lt;script&gt;alert('response')",
        "&lt;script&gt;alert('schema')",
        "&lt;script&gt;prop",
        "&lt;script&gt;enum",
        "&lt;script&gt;default",
        "&lt;b&gt;tag&lt;/b&gt;",
    ] {
        assert_contains(&html, text);
    }
    // The anchor keeps only fragment-safe characters.
    assert_contains(&html, r#"id="op-script-id""#);
    assert_contains(&html, r##"href="#op-script-id""##);
}

#[test]
fn an_alias_bomb_is_an_error_message_not_a_hang() {
    let mut definition = String::from("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..30 {
        let previous = level - 1;
        definition.push_str(&format!(
            "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
        ));
    }
    let started = Instant::now();
    let html = render("openapi", &definition);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_contains(&html, "This definition could not be read.");
    assert_contains(&html, "alias expansion exceeds the limit");
    assert_contains(&html, r#"<pre class="code" data-language="plain">"#);
    assert_contains(&html, "a29: &amp;a29");
}

#[test]
fn a_syntax_error_names_its_line_and_keeps_the_source() {
    let definition = "openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n";
    let html = render("openapi", definition);
    assert_contains(&html, "This definition could not be read.");
    assert_contains(&html, "not valid YAML or JSON: document 1 at line");
    assert_contains(
        &html,
        r#"<pre class="code" data-language="plain"><code>openapi: 3.0.0"#,
    );
    let html = render("asyncapi", "asyncapi: 2.0.0\nasyncapi: 2.0.1\n");
    assert_contains(&html, "line 2");
}

#[test]
fn a_document_of_the_wrong_kind_says_so_and_shows_highlighted_source() {
    let html = render("openapi", "asyncapi: 2.0.0\nchannels: {}\n");
    assert_contains(
        &html,
        "not an OpenAPI document: it has no `openapi` or `swagger` field",
    );
    assert_contains(&html, r#"<pre class="code" data-language="yaml">"#);
    let html = render("asyncapi", "[1, 2]");
    assert_contains(
        &html,
        "not an AsyncAPI document: its top level is not a mapping",
    );
    let html = render("openapi", "  \n");
    assert_contains(
        &html,
        "This API&#39;s definition is empty."
            .replace("&#39;", "'")
            .as_str(),
    );
}

#[test]
fn external_and_missing_references_are_shown_as_text() {
    let definition = r##"
openapi: 3.0.0
info: {title: Refs, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: 'common.yaml#/parameters/Page'
        - $ref: '#/components/parameters/Missing'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  remote: {$ref: 'https://example.com/schemas/Pet.json'}
                  gone: {$ref: '#/components/schemas/Gone'}
        '404': {$ref: '#/components/responses/Nope'}
"##;
    let html = render("openapi", definition);
    assert_contains(
        &html,
        r#"external reference <code>common.yaml#/parameters/Page</code>"#,
    );
    assert_contains(
        &html,
        r#"unresolved reference <code>#/components/parameters/Missing</code>"#,
    );
    assert_contains(
        &html,
        r#"<code class="prop-name">remote</code> <span class="schema-external">external reference <code>https://example.com/schemas/Pet.json</code></span>"#,
    );
    assert_contains(
        &html,
        r#"unresolved reference <code>#/components/schemas/Gone</code>"#,
    );
    assert_contains(
        &html,
        r#"unresolved reference <code>#/components/responses/Nope</code>"#,
    );
}

#[test]
fn swagger_2_json_with_body_parameters_and_definitions() {
    let definition = r##"{
  "swagger": "2.0",
  "info": {"title": "Legacy", "version": "0.9"},
  "host": "api.example.com",
  "basePath": "/v1",
  "schemes": ["https"],
  "consumes": ["application/json"],
  "produces": ["application/json"],
  "paths": {
    "/pets/{id}": {
      "parameters": [{"$ref": "#/parameters/PetId"}],
      "put": {
        "operationId": "updatePet",
        "deprecated": true,
        "parameters": [
          {"name": "pet", "in": "body", "required": true, "description": "The new pet", "schema": {"$ref": "#/definitions/Pet"}},
          {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "Updated", "schema": {"$ref": "#/definitions/Pet"}},
          "404": {"$ref": "#/responses/NotFound"}
        }
      }
    }
  },
  "parameters": {"PetId": {"name": "id", "in": "path", "required": true, "type": "integer", "format": "int64"}},
  "responses": {"NotFound": {"description": "No such pet"}},
  "definitions": {
    "Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "nick": {"type": ["string", "null"]}}}
  }
}"##;
    let html = render("openapi", definition);
    assert_eq!(operations(&html), 1, "{}", shown(&html));
    assert_contains(
        &html,
        r#"<details class="operation deprecated" id="op-updatePet">"#,
    );
    assert_contains(&html, r#"<span class="badge-deprecated">deprecated</span>"#);
    assert_contains(
        &html,
        r#"<code class="server-url">https://api.example.com/v1</code>"#,
    );
    assert_contains(&html, "Swagger 2.0");
    assert_contains(&html, r#"<code class="param-name">id</code>"#);
    assert_contains(&html, "integer (int64)");
    assert_contains(&html, "array of string");
    // The body parameter is the request body, not a table row.
    assert!(
        !html.contains(r#"<code class="param-name">pet</code>"#),
        "{}",
        shown(&html)
    );
    assert_contains(
        &html,
        r#"<h4>Request body <span class="required">required</span></h4><div class="apidoc-text">The new pet</div>"#,
    );
    assert_contains(
        &html,
        r#"<code class="prop-name">name</code> <span class="required">required</span>"#,
    );
    assert_contains(
        &html,
        r#"<code class="prop-name">nick</code> <span class="schema-type">string</span> <span class="schema-facet">nullable</span>"#,
    );
    assert_contains(&html, "No such pet");
    assert_contains(&html, r#"<pre class="code" data-language="json">"#);
}

#[test]
fn a_schema_that_doubles_at_every_level_stops_within_budget() {
    let mut definition = String::from(
        "openapi: 3.0.0\ninfo: {title: Big, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\ncomponents:\n  schemas:\n",
    );
    for level in 0..40 {
        let next = level + 1;
        definition.push_str(&format!(
            "    S{level}:\n      type: object\n      properties:\n        left: {{$ref: '#/components/schemas/S{next}'}}\n        right: {{$ref: '#/components/schemas/S{next}'}}\n"
        ));
    }
    definition.push_str("    S40: {type: string}\n");
    let started = Instant::now();
    let html = render("openapi", &definition);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(html.len() < 4_000_000, "{} bytes", html.len());
    assert_contains(&html, "nested too deep to show here");
    // Many operations sharing it exhaust the page budget, which says so.
    let mut many = definition.replace("  /a:\n", "  /a0:\n");
    let operation = "    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/S0'}\n";
    let extra: String = (1..100)
        .map(|index| format!("  /a{index}:\n{operation}"))
        .collect();
    many = many.replace("components:\n", &format!("{extra}components:\n"));
    let html = render("openapi", &many);
    assert!(html.len() < 6_000_000, "{} bytes", html.len());
    assert_contains(&html, "Only part of this definition is shown");
    assert!(operations(&html) < 100, "{}", operations(&html));
}

#[test]
fn operation_anchors_are_unique() {
    let definition = r##"
openapi: 3.0.0
info: {title: Twins, version: '1'}
paths:
  /a: {get: {operationId: same, responses: {}}}
  /b: {get: {operationId: same, responses: {}}, post: {responses: {}}}
"##;
    let html = render("openapi", definition);
    assert_eq!(operations(&html), 3);
    assert_contains(&html, r#"id="op-same""#);
    assert_contains(&html, r#"id="op-same-2""#);
    assert_contains(&html, r#"id="op-post-b""#);
    assert_contains(&html, "<h3>Operations</h3>");
}

/// A one-operation document whose response body is `schema` (YAML flow),
/// with `components` (YAML block, indented two spaces) beside it.
fn with_schema(schema: &str, components: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo: {{title: S, version: '1'}}\npaths:\n  /s:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\ncomponents:\n{components}"
    )
}

#[test]
fn schema_lines_show_types_constraints_and_values() {
    let html = render(
        "openapi",
        &with_schema(
            "{type: object, properties: {n: {type: number, exclusiveMinimum: 0, maximum: 10, multipleOf: 0.5}, \
             tags: {type: array, items: {type: string}, uniqueItems: true}, \
             mode: {enum: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v]}, \
             kind: {const: fixed}, old: {type: string, deprecated: true, readOnly: true}, \
             pet: {$ref: '#/components/schemas/Pet', description: Beside the reference}}, \
             additionalProperties: {type: integer}}",
            "  schemas:\n    Pet: {type: object, description: The pet itself, properties: {name: {type: string}}}\n",
        ),
    );
    assert_contains(
        &html,
        r#"<span class="schema-facet">&gt; 0</span> <span class="schema-facet">≤ 10</span> <span class="schema-facet">multiple of 0.5</span>"#,
    );
    assert_contains(
        &html,
        r#"array of string</span> <span class="schema-facet">unique items</span>"#,
    );
    assert_contains(&html, "<code>t</code> … and 2 more");
    assert_contains(&html, "constant: <code>fixed</code>");
    assert_contains(
        &html,
        r#"<span class="schema-facet schema-deprecated">deprecated</span> <span class="schema-facet">read-only</span>"#,
    );
    // A description beside a `$ref` wins over the target's.
    assert_contains(
        &html,
        r#"<p class="schema-description">Beside the reference</p>"#,
    );
    let rendered = html.split("apidoc-source").next().unwrap_or_default();
    assert!(!rendered.contains("The pet itself"), "{}", shown(rendered));
    assert_contains(
        &html,
        r#"<em class="prop-name">additional properties</em> <span class="schema-type">integer</span>"#,
    );
}

#[test]
fn deeply_nested_inline_schemas_stop_with_a_marker() {
    let mut schema = String::from("{type: string}");
    for _ in 0..40 {
        schema = format!("{{type: object, properties: {{inner: {schema}}}}}");
    }
    let html = render("openapi", &with_schema(&schema, "  schemas: {}\n"));
    assert_contains(&html, "nested too deep to show here");
    assert_eq!(count(&html, "nested too deep"), 1);
}

#[test]
fn mutually_recursive_alternatives_end() {
    let html = render(
        "openapi",
        &with_schema(
            "{$ref: '#/components/schemas/Expr'}",
            "  schemas:\n    Expr: {oneOf: [{$ref: '#/components/schemas/Sum'}, {type: integer}]}\n    Sum: {type: object, properties: {terms: {type: array, items: {$ref: '#/components/schemas/Expr'}}, loop: {$ref: '#/components/schemas/Loop'}}}\n    Loop: {$ref: '#/components/schemas/Loop'}\n",
        ),
    );
    assert_contains(&html, r#"<span class="schema-type">Sum | integer</span>"#);
    assert_contains(&html, r#"<span class="schema-combinator">one of</span>"#);
    assert_contains(
        &html,
        r#"array of Expr</span> <span class="schema-cycle" title="recursive reference to Expr">↻</span>"#,
    );
    // A reference that only refers to itself.
    assert_contains(
        &html,
        r#"<code class="prop-name">loop</code> <span class="schema-cycle" title="recursive reference to Loop">↻ Loop</span>"#,
    );
}

#[test]
fn large_lists_render_in_linear_time() {
    // 50,000 parameters (50 overriding shared ones), 5,000
    // operations with one id and a tag each, a schema requiring 20,000
    // properties: quadratic bookkeeping would take minutes.
    let parameter = |index: usize| format!(r#"{{"name":"p{index}","in":"query"}}"#);
    let shared: Vec<String> = (0..100).map(parameter).collect();
    let own: Vec<String> = (50..50_050).map(parameter).collect();
    let names: Vec<String> = (0..20_000).map(|index| format!("\"f{index}\"")).collect();
    let properties: Vec<String> = (0..20_000)
        .map(|index| format!("\"f{index}\":{{}}"))
        .collect();
    let mut paths = vec![format!(
        r#""/big":{{"parameters":[{}],"get":{{"operationId":"same","tags":["big"],"parameters":[{}],"responses":{{"200":{{"description":"ok","content":{{"application/json":{{"schema":{{"required":[{}],"properties":{{{}}}}}}}}}}}}}}}}}"#,
        shared.join(","),
        own.join(","),
        names.join(","),
        properties.join(","),
    )];
    for index in 0..5_000 {
        paths.push(format!(
            r#""/p{index}":{{"get":{{"operationId":"same","tags":["t{index}"],"responses":{{}}}}}}"#
        ));
    }
    let definition = format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"Big","version":"1"}},"paths":{{{}}}}}"#,
        paths.join(",")
    );
    let started = Instant::now();
    let html = render("openapi", &definition);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_contains(&html, "Only part of this definition is shown");
    // An own parameter replaces the shared one of the same name.
    assert_eq!(count(&html, r#"<code class="param-name">p50</code>"#), 1);
    assert_contains(&html, r#"<code class="param-name">p0</code>"#);
    assert_contains(
        &html,
        r#"<code class="prop-name">f0</code> <span class="required">required</span>"#,
    );
    // Properties past the schema's budget are left out with one marker.
    assert!(!html.contains(r#"<code class="prop-name">f19999</code>"#));
    assert_eq!(
        count(&html, "too large to show here"),
        1,
        "{}",
        shown(&html)
    );
}
