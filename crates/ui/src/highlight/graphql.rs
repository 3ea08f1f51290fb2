//! GraphQL SDL and query colouring: keywords, type names, field and argument
//! names (a name followed by `:` or `(`), strings and block strings (`"""`),
//! comments (`#`), numbers, directives and punctuation.

use super::scan::{Kind, Scanner, Segment, is_word, quoted_on_line, skip_ahead};

const KEYWORDS: &[&str] = &[
    "type",
    "input",
    "enum",
    "interface",
    "union",
    "schema",
    "scalar",
    "directive",
    "query",
    "mutation",
    "subscription",
    "extend",
    "implements",
    "fragment",
    "on",
    "repeatable",
    "true",
    "false",
    "null",
];

const BUILT_IN_TYPES: &[&str] = &["Int", "Float", "String", "Boolean", "ID"];

pub(super) fn tokenize(source: &str) -> Vec<Segment> {
    let mut scanner = Scanner::new(source);
    while let Some(b) = scanner.peek() {
        match b {
            b'#' => scanner.token_to_line_end(Kind::Comment),
            b'"' if scanner.starts_with("\"\"\"") => block_string(&mut scanner),
            b'"' => quoted_on_line(&mut scanner, b'"', true),
            b'@' => {
                let start = scanner.pos();
                scanner.bump();
                scanner.eat_while(is_word);
                scanner.emit(Kind::Keyword, start);
            }
            b'-' | b'0'..=b'9' => {
                let start = scanner.pos();
                scanner.bump();
                scanner.eat_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'));
                scanner.emit(Kind::Number, start);
            }
            b'.' if scanner.starts_with("...") => scanner.token_ascii(Kind::Punct, 3),
            b'{' | b'}' | b'(' | b')' | b'[' | b']' | b':' | b'!' | b'=' | b'|' | b'&' | b','
            | b'$' => scanner.token_ascii(Kind::Punct, 1),
            _ if b.is_ascii_alphabetic() || b == b'_' => name(&mut scanner),
            _ => scanner.bump(),
        }
    }
    scanner.finish()
}

fn name(scanner: &mut Scanner<'_>) {
    let start = scanner.pos();
    scanner.eat_while(is_word);
    let text = scanner.text(start, scanner.pos());
    let offset = skip_ahead(scanner, |b| b == b' ' || b == b'\t');
    let kind = if matches!(scanner.peek_at(offset), Some(b':' | b'(')) {
        Some(Kind::Key)
    } else if KEYWORDS.contains(&text) {
        Some(Kind::Keyword)
    } else if BUILT_IN_TYPES.contains(&text) {
        Some(Kind::Type)
    } else if text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.bytes().any(|b| b.is_ascii_lowercase())
    {
        // Capitalised names are types; ALL_CAPS ones are enum values.
        Some(Kind::Type)
    } else {
        None
    };
    if let Some(kind) = kind {
        scanner.emit(kind, start);
    }
}

/// A `"""` block string, up to the closing `"""` (`\"""` does not close it)
/// or the end of the source.
fn block_string(scanner: &mut Scanner<'_>) {
    let start = scanner.pos();
    scanner.bump_ascii(3);
    while !scanner.at_end() {
        if scanner.starts_with("\\\"\"\"") {
            scanner.bump_ascii(4);
        } else if scanner.starts_with("\"\"\"") {
            scanner.bump_ascii(3);
            break;
        } else {
            scanner.bump();
        }
    }
    scanner.emit(Kind::String, start);
}
