//! Syntax highlighting for API definitions shown as source (AsyncAPI,
//! GraphQL, gRPC, and the raw text behind a rendered OpenAPI document).
//!
//! Each language has a small hand-written lexer that only colours: it never
//! judges whether the text is valid, keeps going after anything it does not
//! understand, and cannot fail. Lexers produce byte ranges of the source;
//! [`highlight`] checks that they cover the source exactly before turning
//! them into `<span class="tok-…">` elements, so a lexer bug shows as plain
//! text, never as a panic or lost text. Every piece of text goes through
//! maud, which escapes it.

mod graphql;
mod json;
mod protobuf;
mod scan;
mod yaml;

use maud::{Markup, html};

use scan::Segment;

/// Sources larger than this are shown as plain text: colouring them would
/// cost more than it helps anyone reading.
pub const MAX_HIGHLIGHT_BYTES: usize = 2 * 1024 * 1024;

/// Sources that split into more pieces (tokens and the plain text between
/// them) than this are shown as plain text, so that a source made of tiny
/// tokens (`[a[a[a…`, a `<span>` per character) cannot multiply its size
/// in markup. An ordinary YAML definition of 2 MiB has about 400,000.
pub const MAX_HIGHLIGHT_TOKENS: usize = 500_000;

/// The languages [`highlight`] knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Yaml,
    Json,
    GraphQl,
    Protobuf,
    Plain,
}

impl Language {
    /// The language of an API definition, from the API's `spec.type` and,
    /// when the type does not say, from the first meaningful line of the
    /// source.
    pub fn guess(api_type: &str, source: &str) -> Language {
        match api_type.trim().to_ascii_lowercase().as_str() {
            "openapi" | "asyncapi" => {
                if source.trim_start().starts_with('{') {
                    Language::Json
                } else {
                    Language::Yaml
                }
            }
            "graphql" => Language::GraphQl,
            "grpc" | "protobuf" | "proto" => Language::Protobuf,
            _ => sniff(source),
        }
    }

    /// The name written in `data-language`.
    pub fn name(self) -> &'static str {
        match self {
            Language::Yaml => "yaml",
            Language::Json => "json",
            Language::GraphQl => "graphql",
            Language::Protobuf => "protobuf",
            Language::Plain => "plain",
        }
    }
}

/// `source` as `<pre class="code" data-language="…"><code>…</code></pre>`,
/// tokens wrapped in `<span class="tok-…">`. Sources over
/// [`MAX_HIGHLIGHT_BYTES`] or [`MAX_HIGHLIGHT_TOKENS`] are shown as plain
/// text (`data-language="plain"`).
pub fn highlight(source: &str, language: Language) -> Markup {
    let (language, segments) = if source.len() > MAX_HIGHLIGHT_BYTES {
        (Language::Plain, Vec::new())
    } else {
        let segments = tokenize(source, language);
        if segments.len() <= MAX_HIGHLIGHT_TOKENS && covers(source, &segments) {
            (language, segments)
        } else {
            (Language::Plain, Vec::new())
        }
    };
    html! {
        pre.code data-language=(language.name()) {
            code {
                @if segments.is_empty() {
                    (source)
                } @else {
                    @for segment in &segments {
                        @let text = source.get(segment.start..segment.end).unwrap_or("");
                        @match segment.kind {
                            Some(kind) => span class=(kind.class()) { (text) },
                            None => (text),
                        }
                    }
                }
            }
        }
    }
}

fn tokenize(source: &str, language: Language) -> Vec<Segment> {
    match language {
        Language::Yaml => yaml::tokenize(source),
        Language::Json => json::tokenize(source),
        Language::GraphQl => graphql::tokenize(source),
        Language::Protobuf => protobuf::tokenize(source),
        Language::Plain => Vec::new(),
    }
}

/// Whether `segments` cover `source` from start to end, in order, each on
/// character boundaries.
fn covers(source: &str, segments: &[Segment]) -> bool {
    let mut at = 0;
    for segment in segments {
        if segment.start != at || segment.end <= segment.start {
            return false;
        }
        if source.get(segment.start..segment.end).is_none() {
            return false;
        }
        at = segment.end;
    }
    at == source.len()
}

/// The language of a source whose API type says nothing, from its first
/// line that is neither blank nor a comment.
fn sniff(source: &str) -> Language {
    let Some(line) = source
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !is_comment_line(line))
    else {
        return Language::Plain;
    };
    let first_word = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if line.starts_with('{') || line.starts_with('[') {
        Language::Json
    } else if matches!(
        first_word,
        "syntax" | "package" | "option" | "message" | "service"
    ) || line.starts_with("import \"")
        || (first_word == "enum" && source.contains(';'))
    {
        Language::Protobuf
    } else if matches!(
        first_word,
        "type"
            | "schema"
            | "input"
            | "interface"
            | "union"
            | "scalar"
            | "directive"
            | "extend"
            | "enum"
            | "query"
            | "mutation"
            | "subscription"
            | "fragment"
    ) || line.starts_with('"')
    {
        Language::GraphQl
    } else if looks_like_yaml(line) {
        Language::Yaml
    } else {
        Language::Plain
    }
}

fn is_comment_line(line: &str) -> bool {
    line.starts_with('#')
        || line.starts_with("//")
        || line.starts_with("/*")
        || line.starts_with('*')
}

fn looks_like_yaml(line: &str) -> bool {
    if line.starts_with("---") || line.starts_with("%YAML") || line.starts_with("- ") {
        return true;
    }
    let key = match line.split_once(": ") {
        Some((key, _)) => key,
        None => match line.strip_suffix(':') {
            Some(key) => key,
            None => return false,
        },
    };
    !key.is_empty()
        && key.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '$' | '"' | '\'' | ' ')
        })
}

#[cfg(test)]
mod tests;
