//! Line arithmetic on the input text, counted the way the YAML parser counts
//! (`\n`, `\r\n` and a lone `\r` each end a line; columns are characters).
//!
//! Used to report positions the parser cannot (bad UTF-8) and to find the
//! document-start lines where parsing can resume after a syntax error.

use crate::Position;

/// The 1-based position just after `text`.
pub(crate) fn position_after(text: &str) -> Position {
    let mut line = 1;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                line += 1;
                line_start = i;
            }
            b'\r' | b'\n' => {
                i += 1;
                line += 1;
                line_start = i;
            }
            _ => i += 1,
        }
    }
    let column = text[line_start..].chars().count() + 1;
    Position { line, column }
}

/// Byte offsets where each line of a text starts.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    starts.push(i);
                }
                b'\r' | b'\n' => {
                    i += 1;
                    starts.push(i);
                }
                _ => i += 1,
            }
        }
        LineIndex { starts }
    }

    /// Byte offset where the 0-based line `line` starts (the text's length
    /// past the last line).
    pub(crate) fn start(&self, line: usize, text: &str) -> usize {
        self.starts.get(line).copied().unwrap_or(text.len())
    }

    /// The first 0-based line at or after `from` that begins a new document:
    /// `---` in column 1 followed by a space, a tab or the end of the line.
    pub(crate) fn next_document_start(&self, from: usize, text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        (from..self.starts.len()).find(|&line| {
            let start = self.starts[line];
            bytes.get(start..start + 3) == Some(b"---")
                && matches!(
                    bytes.get(start + 3),
                    None | Some(b' ' | b'\t' | b'\r' | b'\n')
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_all_line_breaks() {
        assert_eq!(position_after(""), Position { line: 1, column: 1 });
        assert_eq!(position_after("ab"), Position { line: 1, column: 3 });
        assert_eq!(
            position_after("a\r\nb\rc\né"),
            Position { line: 4, column: 2 }
        );
    }

    #[test]
    fn finds_document_markers() {
        let text = "a\n---\n----\n--- x\n ---\n---";
        let lines = LineIndex::new(text);
        assert_eq!(lines.next_document_start(0, text), Some(1));
        assert_eq!(lines.next_document_start(2, text), Some(3));
        assert_eq!(lines.next_document_start(4, text), Some(5));
        assert_eq!(lines.next_document_start(6, text), None);
        assert_eq!(lines.start(3, text), 11);
    }
}
