//! The definition tab of an API entity: OpenAPI and AsyncAPI documents
//! rendered as operations and channels, other types as highlighted source
//! (see [`crate::apidoc`]).

use maud::{Markup, html};

/// The rendered definition of an API of `api_type`.
pub fn section(api_type: &str, definition: Option<&str>) -> Markup {
    html! {
        section.card aria-labelledby="definition-heading" {
            h2 #definition-heading { "Definition" span.muted { " (" (api_type) ")" } }
            @match definition {
                Some(definition) => (crate::apidoc::render_definition(api_type, definition)),
                None => p.empty { "This API has no definition." },
            }
        }
    }
}
