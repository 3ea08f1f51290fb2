//! One OpenAPI operation: its summary line (method badge, path, summary,
//! deprecation), then description, parameters, request body and responses.
//!
//! Handles both dialects: OpenAPI 3.x (`requestBody`, `content` per media
//! type, parameters with a `schema`) and Swagger 2.0 (`in: body`
//! parameters, `consumes`/`produces`, types on the parameter itself).

use std::collections::HashSet;

use maud::{Markup, html};
use serde_json::{Map, Value};

use super::document::{Document, ELEMENT_COST, Target, reference_name};
use super::schema::{schema_line, schema_tree};
use super::values::{array_field, flag, object_field, str_field, text_field};

/// An operation and where it was declared.
pub(crate) struct Operation<'a> {
    /// Lower-case HTTP method (`get`).
    pub method: &'static str,
    /// The path (`/pets/{petId}`), or the webhook's name.
    pub path: &'a str,
    /// The path item, for its shared parameters.
    pub path_item: &'a Value,
    pub operation: &'a Value,
}

/// A parameter once its reference is followed, or the reference that could
/// not be.
enum Parameter<'a> {
    Found(&'a Value),
    Unresolved(Markup),
}

/// The operation as a `<details>` with anchor `id`; `None` when the page
/// budget is spent.
pub(crate) fn render(
    document: &Document<'_>,
    operation: &Operation<'_>,
    id: &str,
) -> Option<Markup> {
    let op = operation.operation;
    let summary = text_field(op, "summary");
    let description = text_field(op, "description");
    let cost = 3 * ELEMENT_COST + summary.map_or(0, str::len) + description.map_or(0, str::len);
    if !document.charge(cost) {
        return None;
    }
    let deprecated = flag(op, "deprecated");
    let parameters = parameters(document, operation);
    let body = request_body(document, op, &parameters);
    let responses = responses(document, op);
    Some(html! {
        details.operation.deprecated[deprecated] id=(id) {
            summary.operation-summary {
                span class={ "method method-" (operation.method) } { (operation.method.to_ascii_uppercase()) }
                " "
                code.operation-path { (operation.path) }
                @if let Some(summary) = summary {
                    " " span.operation-title { (summary) }
                }
                @if deprecated {
                    " " span.badge-deprecated { "deprecated" }
                }
            }
            div.operation-body {
                p.operation-meta {
                    @if let Some(operation_id) = text_field(op, "operationId") {
                        "Operation ID " code { (operation_id) } " "
                    }
                    a.operation-anchor href={ "#" (id) } title="Link to this operation" { "¶" }
                }
                @if let Some(description) = description {
                    div.apidoc-text { (description) }
                }
                (parameter_table(document, &parameters))
                @if let Some(body) = body { (body) }
                (responses)
            }
        }
    })
}

/// Path-item parameters overridden by the operation's own (same name and
/// location), references followed.
fn parameters<'a>(document: &Document<'a>, operation: &Operation<'a>) -> Vec<Parameter<'a>> {
    let resolve = |declared: &'a Value| match document.follow(declared) {
        Target::Found { value, .. } => Parameter::Found(value),
        other => Parameter::Unresolved(unresolved(&other)),
    };
    let own: Vec<Parameter<'a>> = array_field(operation.operation, "parameters")
        .iter()
        .map(resolve)
        .collect();
    let overridden: HashSet<(Option<&str>, Option<&str>)> = own
        .iter()
        .filter_map(|parameter| match parameter {
            Parameter::Found(value) => Some(parameter_key(value)),
            Parameter::Unresolved(_) => None,
        })
        .collect();
    let mut found: Vec<Parameter<'a>> = array_field(operation.path_item, "parameters")
        .iter()
        .map(resolve)
        .filter(|parameter| match parameter {
            Parameter::Found(value) => !overridden.contains(&parameter_key(value)),
            Parameter::Unresolved(_) => true,
        })
        .collect();
    found.extend(own);
    found
}

/// What makes a parameter unique: its name and location.
fn parameter_key(parameter: &Value) -> (Option<&str>, Option<&str>) {
    (str_field(parameter, "name"), str_field(parameter, "in"))
}

fn unresolved(target: &Target<'_>) -> Markup {
    match target {
        Target::External(reference) => {
            html! { span.schema-external { "external reference " code { (reference) } } }
        }
        Target::Missing(reference) => {
            html! { span.schema-missing { "unresolved reference " code { (reference) } } }
        }
        Target::Loop(reference) => html! { span.schema-cycle { "↻ " (reference_name(reference)) } },
        Target::Found { .. } => html! {},
    }
}

fn is_body(parameter: &Value) -> bool {
    str_field(parameter, "in") == Some("body")
}

fn parameter_table(document: &Document<'_>, parameters: &[Parameter<'_>]) -> Markup {
    let rows: Vec<Markup> = parameters
        .iter()
        .filter(|parameter| !matches!(parameter, Parameter::Found(value) if is_body(value)))
        .map(|parameter| parameter_row(document, parameter))
        .collect();
    if rows.is_empty() {
        return html! {};
    }
    html! {
        section.operation-parameters {
            h4 { "Parameters" }
            table.apidoc-params {
                thead { tr { th { "Name" } th { "In" } th { "Type" } th { "Description" } } }
                tbody { @for row in &rows { (row) } }
            }
        }
    }
}

fn parameter_row(document: &Document<'_>, parameter: &Parameter<'_>) -> Markup {
    let value = match parameter {
        Parameter::Found(value) => *value,
        Parameter::Unresolved(marker) => return html! { tr { td colspan="4" { (marker) } } },
    };
    let description = text_field(value, "description");
    if !document.charge_text(description) {
        return html! {};
    }
    // 3.x: `schema`, or `content` with one media type; 2.0: the parameter.
    let schema = value
        .get("schema")
        .or_else(|| {
            object_field(value, "content")
                .and_then(|content| content.values().next())
                .and_then(|media| media.get("schema"))
        })
        .unwrap_or(value);
    html! {
        tr {
            td {
                code.param-name { (str_field(value, "name").unwrap_or("?")) }
                @if flag(value, "required") { " " span.required { "required" } }
                @if flag(value, "deprecated") { " " span.badge-deprecated { "deprecated" } }
            }
            td.param-in { (str_field(value, "in").unwrap_or("")) }
            td.param-type { (schema_line(document, schema)) }
            td.param-description {
                @if let Some(description) = description { (description) }
            }
        }
    }
}

/// The request body: 3.x `requestBody` or a 2.0 `in: body` parameter.
fn request_body(
    document: &Document<'_>,
    op: &Value,
    parameters: &[Parameter<'_>],
) -> Option<Markup> {
    if let Some(declared) = op.get("requestBody") {
        let body = match document.follow(declared) {
            Target::Found { value, .. } => value,
            other => return Some(request_section(false, None, unresolved(&other))),
        };
        let description = text_field(body, "description");
        if !document.charge_text(description) {
            return None;
        }
        let content = media_types(document, object_field(body, "content"));
        return Some(request_section(
            flag(body, "required"),
            description,
            content,
        ));
    }
    let body = parameters.iter().find_map(|parameter| match parameter {
        Parameter::Found(value) if is_body(value) => Some(*value),
        _ => None,
    })?;
    let description = text_field(body, "description");
    if !document.charge_text(description) {
        return None;
    }
    let consumes = swagger_media(document.root, op, "consumes");
    let content = html! {
        @if let Some(schema) = body.get("schema") {
            div.media-type {
                @if !consumes.is_empty() { div.media-type-name { code { (consumes.join(", ")) } } }
                (schema_tree(document, schema))
            }
        }
    };
    Some(request_section(
        flag(body, "required"),
        description,
        content,
    ))
}

fn request_section(required: bool, description: Option<&str>, content: Markup) -> Markup {
    html! {
        section.operation-request {
            h4 {
                "Request body"
                @if required { " " span.required { "required" } }
            }
            @if let Some(description) = description { div.apidoc-text { (description) } }
            (content)
        }
    }
}

/// A 3.x `content` map: each media type with its schema.
fn media_types(document: &Document<'_>, content: Option<&Map<String, Value>>) -> Markup {
    let Some(content) = content else {
        return html! {};
    };
    html! {
        @for (media_type, media) in content {
            @if document.charge(ELEMENT_COST) {
                div.media-type {
                    div.media-type-name { code { (media_type) } }
                    @if let Some(schema) = media.get("schema") {
                        (schema_tree(document, schema))
                    }
                }
            }
        }
    }
}

/// Swagger 2.0 `consumes`/`produces` of an operation, or the document's.
fn swagger_media<'a>(root: &'a Value, op: &'a Value, key: &str) -> Vec<&'a str> {
    let own = array_field(op, key);
    let list = if own.is_empty() {
        array_field(root, key)
    } else {
        own
    };
    list.iter().filter_map(Value::as_str).collect()
}

fn responses(document: &Document<'_>, op: &Value) -> Markup {
    let Some(responses) = object_field(op, "responses").filter(|responses| !responses.is_empty())
    else {
        return html! {};
    };
    let produces = swagger_media(document.root, op, "produces");
    html! {
        section.operation-responses {
            h4 { "Responses" }
            @for (status, declared) in responses {
                (response(document, status, declared, &produces))
            }
        }
    }
}

fn response(document: &Document<'_>, status: &str, declared: &Value, produces: &[&str]) -> Markup {
    let head = |description: Option<&str>| {
        html! {
            span class={ "response-status " (status_class(status)) } { (status) }
            @if let Some(description) = description {
                " " span.response-description { (description) }
            }
        }
    };
    let value = match document.follow(declared) {
        Target::Found { value, .. } => value,
        other => {
            return html! { div.response { div.response-head { (head(None)) " " (unresolved(&other)) } } };
        }
    };
    let description = text_field(value, "description");
    if !document.charge_text(description) {
        return html! {};
    }
    html! {
        div.response {
            div.response-head { (head(description)) }
            (media_types(document, object_field(value, "content")))
            @if let Some(schema) = value.get("schema") {
                div.media-type {
                    @if !produces.is_empty() { div.media-type-name { code { (produces.join(", ")) } } }
                    (schema_tree(document, schema))
                }
            }
        }
    }
}

/// `status-2xx` for 2XX, 200, 204…; `status-default` otherwise.
fn status_class(status: &str) -> &'static str {
    match status.as_bytes().first() {
        Some(b'1') => "status-1xx",
        Some(b'2') => "status-2xx",
        Some(b'3') => "status-3xx",
        Some(b'4') => "status-4xx",
        Some(b'5') => "status-5xx",
        _ => "status-default",
    }
}
