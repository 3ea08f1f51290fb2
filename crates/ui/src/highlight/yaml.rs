//! YAML colouring: mapping keys, quoted and plain scalars, numbers,
//! booleans and nulls, comments, anchors, aliases and tags, and block scalars
//! (`|` and `>`), whose indented lines are all string.
//!
//! Works line by line; the only state carried from one line to the next is
//! whether a block scalar is open and how deep its owner was indented.
//! Scalars spanning lines are coloured line by line, which is close enough.

use super::scan::{Kind, Scanner, Segment, skip_ahead, skip_quoted_on_line};

pub(super) fn tokenize(source: &str) -> Vec<Segment> {
    let mut scanner = Scanner::new(source);
    // Column of the key or dash owning an open block scalar: its content
    // lines are the ones indented deeper (or blank).
    let mut block_owner: Option<usize> = None;
    while !scanner.at_end() {
        let line_start = scanner.pos();
        scanner.eat_while(|b| b == b' ');
        let indent = scanner.pos() - line_start;
        let blank = matches!(scanner.peek(), None | Some(b'\n' | b'\r'));
        match block_owner {
            Some(owner) if blank || indent > owner => scanner.token_to_line_end(Kind::String),
            _ => block_owner = line(&mut scanner, line_start),
        }
        // Past the rest of the line and its newline.
        scanner.eat_line();
        scanner.bump();
    }
    scanner.finish()
}

fn is_space(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Colours one line from its first non-space character; returns the owner
/// column when the line opens a block scalar.
fn line(scanner: &mut Scanner<'_>, line_start: usize) -> Option<usize> {
    if scanner.pos() == line_start {
        if scanner.peek() == Some(b'%') {
            scanner.token_to_line_end(Kind::Keyword);
            return None;
        }
        if (scanner.starts_with("---") || scanner.starts_with("..."))
            && is_space(scanner.peek_at(3))
        {
            scanner.token_ascii(Kind::Punct, 3);
        }
    }
    let mut owner = scanner.pos() - line_start;
    // Sequence entries and explicit keys: `- `, `- - `, `? `.
    while matches!(scanner.peek(), Some(b'-' | b'?')) && is_space(scanner.peek_at(1)) {
        owner = scanner.pos() - line_start;
        scanner.token_ascii(Kind::Punct, 1);
        scanner.eat_while(|b| b == b' ' || b == b'\t');
    }
    rest_of_line(scanner, line_start, owner)
}

/// Colours the rest of a line: keys, scalars, flow collections, comments.
/// Returns the owner column when a block scalar starts here.
fn rest_of_line(scanner: &mut Scanner<'_>, line_start: usize, mut owner: usize) -> Option<usize> {
    let mut node_start = true;
    let mut flow_depth = 0usize;
    while let Some(b) = scanner.peek() {
        match b {
            b'\n' => break,
            b' ' | b'\t' | b'\r' => scanner.bump(),
            b'#' if node_start || matches!(scanner.previous(), Some(b' ' | b'\t')) => {
                scanner.token_to_line_end(Kind::Comment);
            }
            b'"' | b'\'' => {
                let start = scanner.pos();
                if b == b'"' {
                    skip_quoted_on_line(scanner, b'"', true);
                } else {
                    single_quoted(scanner);
                }
                if key_colon_follows(scanner, flow_depth) {
                    owner = start - line_start;
                    scanner.emit(Kind::Key, start);
                } else {
                    scanner.emit(Kind::String, start);
                }
                node_start = false;
            }
            b'&' | b'*' | b'!' => {
                let start = scanner.pos();
                scanner.bump();
                scanner.eat_while(|b| !is_space(Some(b)) && !is_flow_indicator(b));
                scanner.emit(Kind::Type, start);
            }
            b'|' | b'>' if node_start && flow_depth == 0 => {
                let start = scanner.pos();
                scanner.bump();
                scanner.eat_while(|b| b.is_ascii_digit() || b == b'+' || b == b'-');
                scanner.emit(Kind::Punct, start);
                scanner.eat_while(|b| b == b' ' || b == b'\t');
                if scanner.peek() == Some(b'#') {
                    scanner.token_to_line_end(Kind::Comment);
                }
                return Some(owner);
            }
            b'[' | b'{' => {
                flow_depth += 1;
                scanner.token_ascii(Kind::Punct, 1);
                node_start = true;
            }
            b']' | b'}' => {
                flow_depth = flow_depth.saturating_sub(1);
                scanner.token_ascii(Kind::Punct, 1);
                node_start = false;
            }
            b',' if flow_depth > 0 => {
                scanner.token_ascii(Kind::Punct, 1);
                node_start = true;
            }
            b':' if ends_plain(scanner.peek_at(1), flow_depth) => {
                scanner.token_ascii(Kind::Punct, 1);
                node_start = true;
            }
            _ => {
                let start = scanner.pos();
                plain(scanner, flow_depth);
                if scanner.pos() == start {
                    scanner.bump();
                }
                let text = scanner.text(start, scanner.pos()).trim_end();
                let end = start + text.len();
                if key_colon_follows(scanner, flow_depth) {
                    owner = start - line_start;
                    scanner.emit_range(Kind::Key, start, end);
                } else {
                    scanner.emit_range(scalar_kind(text), start, end);
                }
                node_start = false;
            }
        }
    }
    None
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// Whether a `:` followed by `next` ends a plain scalar (and so is the
/// mapping value indicator).
fn ends_plain(next: Option<u8>, flow_depth: usize) -> bool {
    is_space(next) || (flow_depth > 0 && next.is_some_and(is_flow_indicator))
}

/// Whether the next non-blank character on the line is a mapping value `:`.
fn key_colon_follows(scanner: &Scanner<'_>, flow_depth: usize) -> bool {
    let offset = skip_ahead(scanner, |b| b == b' ' || b == b'\t');
    scanner.peek_at(offset) == Some(b':') && ends_plain(scanner.peek_at(offset + 1), flow_depth)
}

/// Moves over a plain scalar: to the end of the line, a ` #` comment, a
/// `: ` indicator, or (inside flow collections) a flow indicator.
fn plain(scanner: &mut Scanner<'_>, flow_depth: usize) {
    while let Some(b) = scanner.peek() {
        let stop = match b {
            b'\n' => true,
            b'#' => matches!(scanner.previous(), Some(b' ' | b'\t')),
            b':' => ends_plain(scanner.peek_at(1), flow_depth),
            _ => flow_depth > 0 && is_flow_indicator(b),
        };
        if stop {
            break;
        }
        scanner.bump();
    }
}

/// A single-quoted scalar (`''` is an escaped quote), ending at the closing
/// quote or the end of the line.
fn single_quoted(scanner: &mut Scanner<'_>) {
    scanner.bump();
    while let Some(b) = scanner.peek() {
        if b == b'\n' {
            break;
        }
        scanner.bump();
        if b == b'\'' {
            if scanner.peek() == Some(b'\'') {
                scanner.bump();
            } else {
                break;
            }
        }
    }
}

/// How a plain scalar resolves in the YAML 1.2 core schema.
fn scalar_kind(text: &str) -> Kind {
    match text {
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" | "null" | "Null" | "NULL" | "~" => {
            Kind::Keyword
        }
        _ if is_number(text) => Kind::Number,
        _ => Kind::String,
    }
}

fn is_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return !octal.is_empty() && octal.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole)
        && fraction.is_none_or(digits)
        && (!whole.is_empty() || fraction.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}
