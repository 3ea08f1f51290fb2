//! The raw entity, as YAML (how it is usually written) and JSON (what the
//! API returns).

use maud::{Markup, html};
use serde_json::Value;

use crate::highlight::{Language, highlight};
use crate::yaml_text::to_yaml;

pub(super) fn section(entity: &Value) -> Markup {
    let json = serde_json::to_string_pretty(entity).unwrap_or_default();
    html! {
        div.stack {
            section.card aria-labelledby="raw-yaml" {
                h2 #raw-yaml { "YAML" }
                (highlight(&to_yaml(entity), Language::Yaml))
            }
            section.card aria-labelledby="raw-json" {
                h2 #raw-json { "JSON" }
                details {
                    summary { "Show the entity as the API returns it" }
                    (highlight(&json, Language::Json))
                }
            }
        }
    }
}
