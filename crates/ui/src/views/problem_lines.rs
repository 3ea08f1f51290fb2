//! Processing problems as the import and locations pages list them: what,
//! where (file, document, line, column, field) and what usually causes it.

use maud::{Markup, html};

use super::entity_page::hint;

/// One problem, already split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemLine {
    /// Backstage's error class (`YAMLError`, `InputError`, …).
    pub name: String,
    /// Where: `file:/srv/x/catalog-info.yaml, line 3, column 7`.
    pub place: String,
    pub message: String,
}

/// The problems as a list, each with its explanation.
pub fn list(problems: &[ProblemLine]) -> Markup {
    html! {
        ul.problem-lines {
            @for problem in problems {
                li {
                    strong { (problem.name) }
                    @if !problem.place.is_empty() {
                        " at " code { (problem.place) }
                    }
                    ": " (problem.message)
                    @if let Some(hint) = hint(&problem.name) {
                        div.small.muted { (hint) }
                    }
                }
            }
        }
    }
}

/// What to do when a location cannot be read at all, from the reason the
/// reader gave.
pub fn unreadable_hint(reason: &str) -> Option<&'static str> {
    if reason.contains("backend.reading.allow") {
        Some(
            "The server reads only URLs that backend.reading.allow in app-config.yaml permits. Ask your platform team to allow the host, or register a file on the server instead.",
        )
    } else if reason.contains("does not exist") {
        Some(
            "Paths are read on the server running Greenroom, not on your computer. Check the spelling and that the file is there (and readable) on the server.",
        )
    } else if reason.contains("outside the location's root folder") || reason.contains("escapes") {
        Some(
            "A location may only read files in its own folder (symbolic links are followed and checked). Register the folder that holds every file it needs.",
        )
    } else if reason.contains("over the limit") {
        Some("The file is larger than catalog.limits.maxFileBytes allows.")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_show_place_message_and_hint_escaped() {
        let html = list(&[ProblemLine {
            name: "YAMLError".to_owned(),
            place: "file:/srv/<x>/catalog-info.yaml, line 3".to_owned(),
            message: "did not find expected key".to_owned(),
        }])
        .into_string();
        assert!(html.contains("<strong>YAMLError</strong>"));
        assert!(html.contains("<code>file:/srv/&lt;x&gt;/catalog-info.yaml, line 3</code>"));
        assert!(html.contains("did not find expected key"));
        assert!(html.contains("greenroom validate"), "{html}");
    }

    #[test]
    fn unreadable_locations_are_explained() {
        assert!(
            unreadable_hint("URL not allowed by backend.reading.allow configuration: https://x")
                .is_some_and(|h| h.contains("platform team"))
        );
        assert!(unreadable_hint("file:/x does not exist").is_some_and(|h| h.contains("server")));
        assert_eq!(unreadable_hint("something else"), None);
    }
}
