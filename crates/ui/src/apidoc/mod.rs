//! API definitions (`spec.definition` of API entities) as page sections.
//!
//! OpenAPI (3.0, 3.1, Swagger 2.0) becomes a readable list of operations
//! grouped by tag, with parameters, request bodies, responses and their
//! schemas, local `$ref`s expanded; AsyncAPI becomes a short summary of its
//! channels. Both are followed by their source. GraphQL, gRPC and anything
//! else are shown as highlighted source only.
//!
//! The definition is written by whoever commits the API's descriptor, so it
//! is hostile input: it is parsed with the size, depth and alias limits of
//! `greenroom-yaml`, reference expansion is bounded (cycles, depth, a
//! page budget), descriptions are shown as text, never as HTML, and a
//! definition that cannot be read shows why next to its raw text: the
//! source is never hidden. Modules: `load` (text to JSON), `document`
//! (references and budget), `openapi`, `operation`, `schema`, `asyncapi`,
//! `values` (loose JSON readers).

mod asyncapi;
mod document;
mod load;
mod openapi;
mod operation;
mod schema;
mod values;

use maud::{Markup, html};

use crate::highlight::{Language, highlight};
use load::{LoadError, load_kind};

/// `definition` (the text of an API entity's `spec.definition`) rendered for
/// an API of type `api_type` (`openapi`, `asyncapi`, `graphql`, `grpc`, …),
/// inside `<div class="apidoc">`.
pub fn render_definition(api_type: &str, definition: &str) -> Markup {
    let kind = api_type.trim().to_ascii_lowercase();
    let language = Language::guess(api_type, definition);
    let content = if definition.trim().is_empty() {
        html! { p.apidoc-notice { "This API's definition is empty." } }
    } else {
        match kind.as_str() {
            "openapi" => match load_kind(definition, "an OpenAPI", &["openapi", "swagger"]) {
                Ok(root) => html! {
                    (openapi::render(&root))
                    (source_section(definition, language, false))
                },
                Err(error) => unreadable(&error, definition, language),
            },
            "asyncapi" => match load_kind(definition, "an AsyncAPI", &["asyncapi"]) {
                Ok(root) => html! {
                    (asyncapi::render(&root))
                    (source_section(definition, language, true))
                },
                Err(error) => unreadable(&error, definition, language),
            },
            _ => highlight(definition, language),
        }
    };
    html! {
        div.apidoc data-api-type=(kind) { (content) }
    }
}

/// The raw definition, folded unless `open`.
fn source_section(definition: &str, language: Language, open: bool) -> Markup {
    let lines = definition.lines().count();
    html! {
        section.apidoc-source {
            h3 { "Definition source" }
            details open[open] {
                summary { "Show the definition (" (lines) @if lines == 1 { " line)" } @else { " lines)" } }
                (highlight(definition, language))
            }
        }
    }
}

/// Why the definition could not be shown as a document, then its text:
/// plain when it is not even YAML, highlighted when it only lacks the
/// expected fields.
fn unreadable(error: &LoadError, definition: &str, language: Language) -> Markup {
    let language = match error {
        LoadError::Syntax(_) | LoadError::Empty => Language::Plain,
        LoadError::NotThisKind { .. } => language,
    };
    html! {
        div.apidoc-error {
            p { strong { "This definition could not be read." } " " (error.to_string()) }
        }
        (highlight(definition, language))
    }
}

#[cfg(test)]
mod tests;
