//! An AsyncAPI 2.x or 3.x document summarised: what the API is, its
//! servers, and a table of channels with their operations and message
//! names. Message payloads are left to the source shown below it.
//!
//! 2.x declares operations inside channels (`publish`/`subscribe`, one
//! message or `oneOf` several); 3.x declares them separately (`operations`
//! with `action: send|receive` and a `$ref` to their channel) and lists a
//! channel's messages under the channel.

use std::collections::{HashMap, HashSet};

use maud::{Markup, html};
use serde_json::Value;

use super::document::{Document, ELEMENT_COST, Target, reference_name};
use super::values::{array_field, object_field, scalar_text, str_field, text_field};

/// One operation on a channel.
struct ChannelOperation<'a> {
    action: &'a str,
    id: Option<&'a str>,
    summary: Option<&'a str>,
}

/// One row of the channel table.
struct Channel<'a> {
    name: &'a str,
    description: Option<&'a str>,
    operations: Vec<ChannelOperation<'a>>,
    messages: Vec<String>,
}

/// The summary; `root` is the parsed definition (an object with `asyncapi`).
pub(super) fn render(root: &Value) -> Markup {
    let document = Document::new(root);
    let version = scalar_text(root.get("asyncapi").unwrap_or(&Value::Null));
    let channels = if version.starts_with('2') || version.starts_with('1') {
        channels_v2(&document)
    } else {
        channels_v3(&document)
    };
    let empty = Value::Null;
    let info = root.get("info").unwrap_or(&empty);
    html! {
        div.apidoc-info {
            h3.apidoc-title { (text_field(info, "title").unwrap_or("Untitled API")) }
            p.apidoc-meta {
                @if let Some(version) = info.get("version").filter(|v| !v.is_null()) {
                    span.apidoc-version { "Version " (scalar_text(version)) }
                    " · "
                }
                span.apidoc-spec { "AsyncAPI " (version) }
            }
            @if let Some(description) = text_field(info, "description") {
                div.apidoc-text { (description) }
            }
        }
        (servers(root))
        @if channels.is_empty() {
            p.apidoc-notice { "This definition declares no channels." }
        } @else {
            section.apidoc-channels {
                h3 { "Channels" }
                table.apidoc-channel-table {
                    thead { tr { th { "Channel" } th { "Operations" } th { "Messages" } } }
                    tbody {
                        @for channel in &channels {
                            tr {
                                td {
                                    code.channel-name { (channel.name) }
                                    @if let Some(description) = channel.description {
                                        div.channel-description { (description) }
                                    }
                                }
                                td {
                                    @for operation in &channel.operations {
                                        div.channel-operation {
                                            span class={ "action action-" (action_class(operation.action)) } { (operation.action) }
                                            @if let Some(id) = operation.id { " " code { (id) } }
                                            @if let Some(summary) = operation.summary { " " span.operation-title { (summary) } }
                                        }
                                    }
                                }
                                td {
                                    @for (index, message) in channel.messages.iter().enumerate() {
                                        @if index > 0 { ", " }
                                        code.message-name { (message) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if document.exhausted() {
            p.apidoc-notice { "Only part of this definition is summarised; the source below has all of it." }
        }
    }
}

fn action_class(action: &str) -> &'static str {
    match action {
        "publish" => "publish",
        "subscribe" => "subscribe",
        "send" => "send",
        "receive" => "receive",
        _ => "other",
    }
}

fn servers(root: &Value) -> Markup {
    let Some(servers) = object_field(root, "servers").filter(|servers| !servers.is_empty()) else {
        return html! {};
    };
    html! {
        section.apidoc-servers {
            h3 { "Servers" }
            ul {
                @for (name, server) in servers {
                    li {
                        strong { (name) } " "
                        // 2.x `url`; 3.x `host` and `pathname`.
                        code.server-url {
                            (str_field(server, "url").or_else(|| str_field(server, "host")).unwrap_or(""))
                            (str_field(server, "pathname").unwrap_or(""))
                        }
                        @if let Some(protocol) = text_field(server, "protocol") {
                            " (" (protocol) ")"
                        }
                        @if let Some(description) = text_field(server, "description") {
                            " — " (description)
                        }
                    }
                }
            }
        }
    }
}

fn channels_v2<'a>(document: &Document<'a>) -> Vec<Channel<'a>> {
    let mut channels = Vec::new();
    for (name, declared) in object_field(document.root, "channels")
        .into_iter()
        .flatten()
    {
        let Some(channel) = charged_channel(document, declared) else {
            break;
        };
        let mut operations = Vec::new();
        let mut messages = Messages::default();
        for action in ["publish", "subscribe"] {
            let Some(operation) = channel.get(action).and_then(|op| document.resolve(op)) else {
                continue;
            };
            operations.push(ChannelOperation {
                action,
                id: text_field(operation, "operationId"),
                summary: text_field(operation, "summary"),
            });
            if let Some(message) = operation.get("message") {
                let alternatives = document
                    .resolve(message)
                    .map(|resolved| array_field(resolved, "oneOf"));
                match alternatives {
                    Some(alternatives) if !alternatives.is_empty() => {
                        for alternative in alternatives {
                            messages.push(message_name(document, alternative));
                        }
                    }
                    _ => messages.push(message_name(document, message)),
                }
            }
        }
        channels.push(Channel {
            name,
            description: text_field(channel, "description"),
            operations,
            messages: messages.names,
        });
    }
    channels
}

fn channels_v3<'a>(document: &Document<'a>) -> Vec<Channel<'a>> {
    let root = document.root;
    // Operations by the channel reference they name.
    let mut operations_of: HashMap<&str, Vec<ChannelOperation<'a>>> = HashMap::new();
    for (id, operation) in object_field(root, "operations").into_iter().flatten() {
        let Some(channel) = operation
            .get("channel")
            .and_then(|channel| str_field(channel, "$ref"))
        else {
            continue;
        };
        operations_of
            .entry(channel)
            .or_default()
            .push(ChannelOperation {
                action: str_field(operation, "action").unwrap_or("operation"),
                id: Some(id.as_str()),
                summary: text_field(operation, "summary"),
            });
    }
    let mut channels = Vec::new();
    for (key, declared) in object_field(root, "channels").into_iter().flatten() {
        let Some(channel) = charged_channel(document, declared) else {
            break;
        };
        let mut messages = Messages::default();
        for message in object_field(channel, "messages")
            .into_iter()
            .flatten()
            .map(|(_, m)| m)
        {
            messages.push(message_name(document, message));
        }
        let own_reference = format!("#/channels/{}", key.replace('~', "~0").replace('/', "~1"));
        channels.push(Channel {
            // The address is what clients use; the key is only the name.
            name: str_field(channel, "address").unwrap_or(key),
            description: text_field(channel, "description"),
            operations: operations_of
                .remove(own_reference.as_str())
                .unwrap_or_default(),
            messages: messages.names,
        });
    }
    channels
}

/// The channel behind `declared`, charged to the page budget; `None` once
/// the budget is spent.
fn charged_channel<'a>(document: &Document<'a>, declared: &'a Value) -> Option<&'a Value> {
    let channel = document.resolve(declared).unwrap_or(&Value::Null);
    let description = text_field(channel, "description");
    document
        .charge(ELEMENT_COST * 4 + description.map_or(0, str::len))
        .then_some(channel)
}

/// A message's `name`, else its `title`, else the name of its reference.
fn message_name(document: &Document<'_>, message: &Value) -> String {
    match document.follow(message) {
        Target::Found { value, reference } => text_field(value, "name")
            .or_else(|| text_field(value, "title"))
            .map(str::to_owned)
            .or_else(|| reference.map(reference_name))
            .unwrap_or_else(|| "(unnamed message)".to_owned()),
        Target::External(reference) | Target::Missing(reference) | Target::Loop(reference) => {
            reference_name(reference)
        }
    }
}

/// Message names in order of first mention, each once.
#[derive(Default)]
struct Messages {
    names: Vec<String>,
    seen: HashSet<String>,
}

impl Messages {
    fn push(&mut self, name: String) {
        if self.seen.insert(name.clone()) {
            self.names.push(name);
        }
    }
}
