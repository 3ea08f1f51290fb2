//! The relationship graph tab.

use maud::{Markup, html};

pub fn section() -> Markup {
    html! { section.card { h2 { "Relationship graph" } } }
}
