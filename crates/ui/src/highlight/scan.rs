//! The cursor every lexer walks its source with, and the token list it fills.
//!
//! Lexers only ever decide on ASCII bytes (every delimiter of the languages
//! we highlight is ASCII), and the scanner keeps its position on character
//! boundaries, so a token can never split a multi-byte character. Text no
//! lexer claims becomes plain segments: the segments always cover the whole
//! source, in order.

/// What a highlighted token is; each becomes one `tok-*` CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Key,
    String,
    Number,
    Keyword,
    Comment,
    Punct,
    Type,
}

impl Kind {
    pub(crate) fn class(self) -> &'static str {
        match self {
            Kind::Key => "tok-key",
            Kind::String => "tok-string",
            Kind::Number => "tok-number",
            Kind::Keyword => "tok-keyword",
            Kind::Comment => "tok-comment",
            Kind::Punct => "tok-punct",
            Kind::Type => "tok-type",
        }
    }
}

/// A byte range of the source and its token kind (`None`: plain text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub start: usize,
    pub end: usize,
    pub kind: Option<Kind>,
}

/// A position in the source plus the segments emitted so far.
pub(crate) struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    emitted_to: usize,
    segments: Vec<Segment>,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Scanner {
            src,
            pos: 0,
            emitted_to: 0,
            segments: Vec::new(),
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }

    /// The byte at the position, if any.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// The byte `offset` bytes after the position, if any.
    pub(crate) fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src
            .as_bytes()
            .get(self.pos.saturating_add(offset))
            .copied()
    }

    /// The byte just before the position, if any.
    pub(crate) fn previous(&self) -> Option<u8> {
        self.pos
            .checked_sub(1)
            .and_then(|at| self.src.as_bytes().get(at).copied())
    }

    pub(crate) fn starts_with(&self, prefix: &str) -> bool {
        self.src
            .as_bytes()
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
    }

    /// Moves past one character (always at least one byte, so loops end).
    pub(crate) fn bump(&mut self) {
        if self.at_end() {
            return;
        }
        self.pos += 1;
        self.snap();
    }

    /// Moves past `count` bytes; the caller has checked they are ASCII.
    pub(crate) fn bump_ascii(&mut self, count: usize) {
        self.pos = self.pos.saturating_add(count).min(self.src.len());
        self.snap();
    }

    /// Moves past every byte `accept` takes. `accept` should answer the same
    /// for all bytes >= 0x80; the position is put back on a character
    /// boundary anyway.
    pub(crate) fn eat_while(&mut self, accept: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&accept) {
            self.pos += 1;
        }
        self.snap();
    }

    /// Moves to the end of the line (before the `\n`).
    pub(crate) fn eat_line(&mut self) {
        self.eat_while(|b| b != b'\n');
    }

    /// Moves to the end of the line and marks what was passed as `kind`.
    pub(crate) fn token_to_line_end(&mut self, kind: Kind) {
        let start = self.pos;
        self.eat_line();
        self.emit(kind, start);
    }

    /// Moves past `count` ASCII bytes and marks them as `kind`.
    pub(crate) fn token_ascii(&mut self, kind: Kind, count: usize) {
        let start = self.pos;
        self.bump_ascii(count);
        self.emit(kind, start);
    }

    /// Marks `start..position` as `kind`; text skipped before `start` becomes
    /// plain. Empty or overlapping ranges are ignored.
    pub(crate) fn emit(&mut self, kind: Kind, start: usize) {
        self.emit_range(kind, start, self.pos);
    }

    /// Marks `start..end` (already passed) as `kind`; text skipped before
    /// `start` becomes plain. Empty, overlapping or future ranges are ignored.
    pub(crate) fn emit_range(&mut self, kind: Kind, start: usize, end: usize) {
        if start < self.emitted_to || start >= end || end > self.pos {
            return;
        }
        self.push(None, self.emitted_to, start);
        self.push(Some(kind), start, end);
        self.emitted_to = end;
    }

    /// The text of `start..end`, or "" when that is not a valid range.
    pub(crate) fn text(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    /// Every segment, covering the whole source.
    pub(crate) fn finish(mut self) -> Vec<Segment> {
        let end = self.src.len();
        self.push(None, self.emitted_to, end);
        self.segments
    }

    fn push(&mut self, kind: Option<Kind>, start: usize, end: usize) {
        if start >= end {
            return;
        }
        match self.segments.last_mut() {
            Some(last) if last.kind == kind && last.end == start => last.end = end,
            _ => self.segments.push(Segment { start, end, kind }),
        }
    }

    fn snap(&mut self) {
        while self.pos < self.src.len() && !self.src.is_char_boundary(self.pos) {
            self.pos += 1;
        }
    }
}

/// ASCII letters, digits and `_`.
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Moves past a string opened by `quote` at the position: up to the closing
/// quote (backslash escapes it when `backslash` is set) or the end of the
/// line, whichever comes first. Unterminated strings end with their line.
pub(crate) fn skip_quoted_on_line(scanner: &mut Scanner<'_>, quote: u8, backslash: bool) {
    scanner.bump();
    while let Some(b) = scanner.peek() {
        if b == b'\n' {
            break;
        }
        scanner.bump();
        if b == quote {
            break;
        }
        if backslash && b == b'\\' && scanner.peek() != Some(b'\n') {
            scanner.bump();
        }
    }
}

/// Like [`skip_quoted_on_line`], marking the string as [`Kind::String`].
pub(crate) fn quoted_on_line(scanner: &mut Scanner<'_>, quote: u8, backslash: bool) {
    let start = scanner.pos();
    skip_quoted_on_line(scanner, quote, backslash);
    scanner.emit(Kind::String, start);
}

/// The offset of the first byte after the position that `skip` does not
/// take (0 when the position's byte is not taken), without moving.
pub(crate) fn skip_ahead(scanner: &Scanner<'_>, skip: impl Fn(u8) -> bool) -> usize {
    let mut offset = 0;
    while scanner.peek_at(offset).is_some_and(&skip) {
        offset += 1;
    }
    offset
}
