//! Protocol Buffers colouring: keywords, scalar and message types, strings,
//! numbers, `//` and `/* */` comments, and punctuation.

use super::scan::{Kind, Scanner, Segment, quoted_on_line};

const KEYWORDS: &[&str] = &[
    "syntax",
    "edition",
    "package",
    "import",
    "public",
    "weak",
    "option",
    "message",
    "enum",
    "service",
    "rpc",
    "returns",
    "stream",
    "repeated",
    "optional",
    "required",
    "map",
    "oneof",
    "reserved",
    "extensions",
    "extend",
    "to",
    "max",
    "group",
    "true",
    "false",
];

const SCALAR_TYPES: &[&str] = &[
    "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32",
    "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
];

pub(super) fn tokenize(source: &str) -> Vec<Segment> {
    let mut scanner = Scanner::new(source);
    while let Some(b) = scanner.peek() {
        match b {
            b'/' if scanner.peek_at(1) == Some(b'/') => scanner.token_to_line_end(Kind::Comment),
            b'/' if scanner.peek_at(1) == Some(b'*') => block_comment(&mut scanner),
            b'"' | b'\'' => quoted_on_line(&mut scanner, b, true),
            b'0'..=b'9' => number(&mut scanner),
            b'-' | b'.' if scanner.peek_at(1).is_some_and(|b| b.is_ascii_digit()) => {
                number(&mut scanner)
            }
            b'{' | b'}' | b'(' | b')' | b'[' | b']' | b'<' | b'>' | b';' | b'=' | b',' | b':' => {
                scanner.token_ascii(Kind::Punct, 1)
            }
            _ if b.is_ascii_alphabetic() || b == b'_' || b == b'.' => identifier(&mut scanner),
            _ => scanner.bump(),
        }
    }
    scanner.finish()
}

/// A possibly dotted identifier: keywords, scalar types, and names whose
/// last part is capitalised (message and enum types) are coloured.
fn identifier(scanner: &mut Scanner<'_>) {
    let start = scanner.pos();
    scanner.eat_while(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    let text = scanner.text(start, scanner.pos());
    let last = text.rsplit('.').next().unwrap_or(text);
    let kind = if KEYWORDS.contains(&text) {
        Some(Kind::Keyword)
    } else if SCALAR_TYPES.contains(&text)
        || (last.starts_with(|c: char| c.is_ascii_uppercase())
            && last.bytes().any(|b| b.is_ascii_lowercase()))
    {
        Some(Kind::Type)
    } else {
        None
    };
    if let Some(kind) = kind {
        scanner.emit(kind, start);
    }
}

fn number(scanner: &mut Scanner<'_>) {
    let start = scanner.pos();
    scanner.bump();
    while let Some(b) = scanner.peek() {
        let exponent_sign =
            matches!(b, b'+' | b'-') && matches!(scanner.previous(), Some(b'e' | b'E'));
        if b.is_ascii_alphanumeric() || b == b'.' || exponent_sign {
            scanner.bump();
        } else {
            break;
        }
    }
    scanner.emit(Kind::Number, start);
}

/// A `/* */` comment, up to its end or the end of the source.
fn block_comment(scanner: &mut Scanner<'_>) {
    let start = scanner.pos();
    scanner.bump_ascii(2);
    while !scanner.at_end() {
        if scanner.starts_with("*/") {
            scanner.bump_ascii(2);
            break;
        }
        scanner.bump();
    }
    scanner.emit(Kind::Comment, start);
}
