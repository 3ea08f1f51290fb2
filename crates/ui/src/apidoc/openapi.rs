//! An OpenAPI 3.0/3.1 or Swagger 2.0 document as a page section: what the
//! API is (info), where it is served (servers), then its operations grouped
//! by their first tag, then webhooks (3.1).

use std::collections::{HashMap, HashSet};

use maud::{Markup, html};
use serde_json::Value;

use super::document::Document;
use super::operation::{self, Operation};
use super::values::{array_field, object_field, str_field, text_field};

/// HTTP methods a path item may hold, in the order they are shown.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Longest operation anchor, before a uniqueness suffix.
const MAX_ID_CHARS: usize = 80;

/// The rendered document; `root` is the parsed definition (an object with
/// `openapi` or `swagger`).
pub(super) fn render(root: &Value) -> Markup {
    let document = Document::new(root);
    let mut ids = Ids::default();
    let operations = operation_groups(&document, &mut ids);
    let webhooks = webhooks(&document, &mut ids);
    html! {
        (info(root))
        (servers(root))
        @if operations.is_empty() && webhooks.is_none() {
            p.apidoc-notice { "This definition declares no operations." }
        }
        @for group in &operations { (group) }
        @if let Some(webhooks) = webhooks { (webhooks) }
        @if document.exhausted() {
            p.apidoc-notice {
                "Only part of this definition is shown: it expands to more than one page can hold. "
                "The definition source below has all of it."
            }
        }
    }
}

fn info(root: &Value) -> Markup {
    let empty = Value::Null;
    let info = root.get("info").unwrap_or(&empty);
    let specification = match (str_field(root, "openapi"), str_field(root, "swagger")) {
        (Some(version), _) => format!("OpenAPI {version}"),
        (None, Some(version)) => format!("Swagger {version}"),
        (None, None) => "OpenAPI".to_owned(),
    };
    let license = info
        .get("license")
        .and_then(|license| text_field(license, "name"));
    let contact = info.get("contact");
    let contact_name = contact.and_then(|contact| text_field(contact, "name"));
    let contact_email = contact.and_then(|contact| text_field(contact, "email"));
    html! {
        div.apidoc-info {
            h3.apidoc-title { (text_field(info, "title").unwrap_or("Untitled API")) }
            p.apidoc-meta {
                @if let Some(version) = info.get("version").filter(|v| !v.is_null()) {
                    span.apidoc-version { "Version " (super::values::scalar_text(version)) }
                    " · "
                }
                span.apidoc-spec { (specification) }
                @if let Some(license) = license { " · License: " (license) }
                @if contact_name.is_some() || contact_email.is_some() {
                    " · Contact: "
                    @if let Some(name) = contact_name { (name) }
                    @if let Some(email) = contact_email {
                        @if contact_name.is_some() { " " }
                        "<" (email) ">"
                    }
                }
            }
            @if let Some(summary) = text_field(info, "summary") {
                p.apidoc-summary { (summary) }
            }
            @if let Some(description) = text_field(info, "description") {
                div.apidoc-text { (description) }
            }
        }
    }
}

/// 3.x `servers`, or 2.0 `schemes` × `host` + `basePath`.
fn servers(root: &Value) -> Markup {
    let mut entries: Vec<Markup> = Vec::new();
    for server in array_field(root, "servers") {
        let Some(url) = str_field(server, "url") else {
            continue;
        };
        let variables = object_field(server, "variables");
        entries.push(html! {
            code.server-url { (url) }
            @if let Some(description) = text_field(server, "description") {
                " — " (description)
            }
            @if let Some(variables) = variables.filter(|variables| !variables.is_empty()) {
                ul.server-variables {
                    @for (name, variable) in variables {
                        li {
                            code { "{" (name) "}" }
                            @if let Some(default) = variable.get("default") {
                                " default " code { (super::values::scalar_text(default)) }
                            }
                            @let choices = array_field(variable, "enum");
                            @if !choices.is_empty() {
                                " (one of "
                                @for (index, choice) in choices.iter().enumerate() {
                                    @if index > 0 { ", " }
                                    code { (super::values::scalar_text(choice)) }
                                }
                                ")"
                            }
                            @if let Some(description) = text_field(variable, "description") {
                                " — " (description)
                            }
                        }
                    }
                }
            }
        });
    }
    if let Some(host) = text_field(root, "host") {
        let base = str_field(root, "basePath").unwrap_or("");
        let schemes: Vec<&str> = array_field(root, "schemes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if schemes.is_empty() {
            entries.push(html! { code.server-url { (host) (base) } });
        }
        for scheme in schemes {
            entries.push(html! { code.server-url { (scheme) "://" (host) (base) } });
        }
    }
    if entries.is_empty() {
        return html! {};
    }
    html! {
        section.apidoc-servers {
            h3 { "Servers" }
            ul { @for entry in &entries { li { (entry) } } }
        }
    }
}

/// Operations of `paths`, grouped by their first tag: the document's
/// `tags` order first, then tags in order of first use; untagged last.
fn operation_groups(document: &Document<'_>, ids: &mut Ids) -> Vec<Markup> {
    let root = document.root;
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for declared in array_field(root, "tags") {
        if let Some(name) = str_field(declared, "name")
            && !by_name.contains_key(name)
        {
            by_name.insert(name, groups.len());
            groups.push(Group {
                tag: Some(name),
                description: text_field(declared, "description"),
                operations: Vec::new(),
            });
        }
    }
    let mut untagged = Vec::new();
    for (path, declared) in object_field(root, "paths").into_iter().flatten() {
        for operation in path_operations(document, path, declared) {
            let tag = array_field(operation.operation, "tags")
                .iter()
                .find_map(Value::as_str);
            let Some(tag) = tag else {
                untagged.push(operation);
                continue;
            };
            let index = *by_name.entry(tag).or_insert_with(|| {
                groups.push(Group {
                    tag: Some(tag),
                    description: None,
                    operations: Vec::new(),
                });
                groups.len() - 1
            });
            if let Some(group) = groups.get_mut(index) {
                group.operations.push(operation);
            }
        }
    }
    let any_tagged = groups.iter().any(|group| !group.operations.is_empty());
    groups.push(Group {
        tag: None,
        description: None,
        operations: untagged,
    });
    let mut rendered = Vec::new();
    for group in groups {
        let items: Vec<Markup> = group
            .operations
            .iter()
            .map_while(|operation| operation::render(document, operation, &ids.next(operation)))
            .collect();
        if items.is_empty() {
            continue;
        }
        let heading = match group.tag {
            Some(tag) => tag,
            None if any_tagged => "Other operations",
            None => "Operations",
        };
        rendered.push(html! {
            section.apidoc-tag {
                h3 { (heading) }
                @if let Some(description) = group.description {
                    p.apidoc-tag-description { (description) }
                }
                div.operations { @for item in &items { (item) } }
            }
        });
    }
    rendered
}

/// Operations shown under one heading.
struct Group<'a> {
    tag: Option<&'a str>,
    description: Option<&'a str>,
    operations: Vec<Operation<'a>>,
}

/// The operations of one path item (following a `$ref` to a shared one).
fn path_operations<'a>(
    document: &Document<'a>,
    path: &'a str,
    declared: &'a Value,
) -> Vec<Operation<'a>> {
    let Some(path_item) = document.resolve(declared) else {
        return Vec::new();
    };
    METHODS
        .iter()
        .filter_map(|method| {
            let operation = path_item
                .get(*method)
                .filter(|operation| operation.is_object())?;
            Some(Operation {
                method,
                path,
                path_item,
                operation,
            })
        })
        .collect()
}

/// OpenAPI 3.1 webhooks, by name.
fn webhooks(document: &Document<'_>, ids: &mut Ids) -> Option<Markup> {
    let declared = object_field(document.root, "webhooks")?;
    let items: Vec<Markup> = declared
        .iter()
        .flat_map(|(name, item)| path_operations(document, name, item))
        .map_while(|operation| operation::render(document, &operation, &ids.next(&operation)))
        .collect();
    if items.is_empty() {
        return None;
    }
    Some(html! {
        section.apidoc-tag.apidoc-webhooks {
            h3 { "Webhooks" }
            p.apidoc-tag-description { "Requests this API sends to its subscribers." }
            div.operations { @for item in &items { (item) } }
        }
    })
}

/// The anchors given out on one page.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    /// Next suffix to try per base anchor.
    next_suffix: HashMap<String, usize>,
}

impl Ids {
    /// `op-` and the operation id (or method and path, or method and
    /// webhook name) in characters safe in a URL fragment, made unique on
    /// the page.
    fn next(&mut self, operation: &Operation<'_>) -> String {
        let source = match str_field(operation.operation, "operationId") {
            Some(id) if !id.trim().is_empty() => id.to_owned(),
            _ => format!("{}-{}", operation.method, operation.path),
        };
        let mut slug = String::new();
        for c in source.chars() {
            if slug.len() >= MAX_ID_CHARS {
                break;
            }
            if c.is_ascii_alphanumeric() || c == '_' {
                slug.push(c);
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_matches('-');
        let base = if slug.is_empty() {
            "op-operation".to_owned()
        } else {
            format!("op-{slug}")
        };
        let mut id = base.clone();
        let suffix = self.next_suffix.entry(base.clone()).or_insert(2);
        while self.used.contains(&id) {
            id = format!("{base}-{suffix}");
            *suffix += 1;
        }
        self.used.insert(id.clone());
        id
    }
}
