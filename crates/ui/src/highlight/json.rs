//! JSON colouring: object keys (a string followed by `:`), string values,
//! numbers, `true`/`false`/`null` and punctuation. Strings end at their
//! closing quote or, unterminated, at the end of their line.

use super::scan::{Kind, Scanner, Segment, is_word, skip_ahead, skip_quoted_on_line};

pub(super) fn tokenize(source: &str) -> Vec<Segment> {
    let mut scanner = Scanner::new(source);
    while let Some(b) = scanner.peek() {
        match b {
            b'"' => {
                let start = scanner.pos();
                skip_quoted_on_line(&mut scanner, b'"', true);
                let offset = skip_ahead(&scanner, |b| b.is_ascii_whitespace());
                let kind = if scanner.peek_at(offset) == Some(b':') {
                    Kind::Key
                } else {
                    Kind::String
                };
                scanner.emit(kind, start);
            }
            b'-' | b'0'..=b'9' => {
                let start = scanner.pos();
                scanner.bump();
                scanner.eat_while(|b| {
                    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
                });
                scanner.emit(Kind::Number, start);
            }
            b'{' | b'}' | b'[' | b']' | b':' | b',' => scanner.token_ascii(Kind::Punct, 1),
            _ if is_word(b) => {
                let start = scanner.pos();
                scanner.eat_while(is_word);
                if matches!(
                    scanner.text(start, scanner.pos()),
                    "true" | "false" | "null"
                ) {
                    scanner.emit(Kind::Keyword, start);
                }
            }
            _ => scanner.bump(),
        }
    }
    scanner.finish()
}
