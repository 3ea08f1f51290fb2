//! Drives the parser over a multi-document stream: numbers documents, hands
//! each one's events to a [`DocBuilder`], and recovers from syntax errors.
//!
//! The parser cannot continue after a syntax error, but a line starting with
//! `---` always begins a new document, so after an error in document N the
//! rest of the text is parsed again from the first such line after the start
//! of document N. The parser may report an error only after reading ahead
//! into the next document; then document N is parsed again on its own, cut
//! off at that line, so the error lands on the right document.

use saphyr_parser::{Event, Marker, Parser};

use crate::builder::{BuildError, DocBuilder};
use crate::lines::LineIndex;
use crate::{Document, DocumentError, Limits, Position};

/// Parses every document of `text`, in stream order.
pub(crate) fn parse_stream(text: &str, limits: &Limits) -> Vec<Result<Document, DocumentError>> {
    let mut stream = Stream {
        text,
        limits,
        used_nodes: 0,
        shape: (0, 0),
        results: Vec::new(),
        lines: None,
    };
    stream.parse_all();
    stream.results
}

struct Stream<'t> {
    text: &'t str,
    limits: &'t Limits,
    /// Nodes of the documents returned so far (the budget spans the stream).
    used_nodes: usize,
    /// Source-map size (nodes, key bytes) of the last document, as a guess
    /// for the next one.
    shape: (usize, usize),
    results: Vec<Result<Document, DocumentError>>,
    /// Built on the first syntax error only.
    lines: Option<LineIndex>,
}

/// A document being built.
struct OpenDocument<'l> {
    index: usize,
    builder: Result<DocBuilder<'l>, BuildError>,
}

/// How one parser run over a part of the text ended.
enum RunEnd {
    /// The end of the text was reached; `next_index` numbers the next document.
    Complete { next_index: usize },
    /// A syntax error on line `error_line`, attributed to document `index`,
    /// which began on the absolute 1-based line `start_line`. `error` is what
    /// to report: the document's own earlier error (say, too deep) if it had
    /// one, else the syntax error.
    Failed {
        index: usize,
        start_line: usize,
        error_line: usize,
        error: DocumentError,
    },
}

impl<'t> Stream<'t> {
    fn parse_all(&mut self) {
        // 0-based first line of the next run, its optional (exclusive) last
        // line, and the number of its first document.
        let mut from = 0;
        let mut until: Option<usize> = None;
        let mut index = 1;
        loop {
            match self.run(from, until, index) {
                RunEnd::Complete { next_index } => match until {
                    Some(end) => {
                        from = end;
                        until = None;
                        index = next_index;
                    }
                    None => return,
                },
                RunEnd::Failed {
                    index: failed,
                    start_line,
                    error_line,
                    error,
                } => {
                    if let Some(end) = until {
                        // A run cut short is already one document.
                        self.results.push(Err(error));
                        from = end;
                        until = None;
                        index = failed + 1;
                        continue;
                    }
                    let text = self.text;
                    let lines = self.lines.get_or_insert_with(|| LineIndex::new(text));
                    // 0-based line `start_line` is the line after the start.
                    let Some(next) = lines.next_document_start(start_line, text) else {
                        self.results.push(Err(error));
                        return;
                    };
                    if error_line <= next {
                        // The error lies before the next document marker.
                        self.results.push(Err(error));
                        from = next;
                        index = failed + 1;
                    } else {
                        // Found while reading ahead: parse the document alone.
                        from = start_line - 1;
                        until = Some(next);
                        index = failed;
                    }
                }
            }
        }
    }

    /// Parses lines `from..until` (0-based), numbering documents from `index`.
    fn run(&mut self, from: usize, until: Option<usize>, mut index: usize) -> RunEnd {
        let text = self.slice(from, until);
        let limits = self.limits;
        let position = |marker: &Marker| Position {
            line: marker.line() + from,
            column: marker.col() + 1,
        };
        let mut parser = Parser::new_from_str(text);
        let mut open: Option<OpenDocument<'_>> = None;
        // Line where the current (or next) document starts.
        let mut start_line = from + 1;
        loop {
            let (event, span) = match parser.next_event() {
                None => return RunEnd::Complete { next_index: index },
                Some(Ok(event)) => event,
                Some(Err(error)) => {
                    let error_position = position(error.marker());
                    let (error_index, earlier) = match open {
                        Some(doc) => (doc.index, doc.builder.err()),
                        None => (index, None),
                    };
                    let error = match earlier {
                        Some(BuildError { position, message }) => DocumentError {
                            index: error_index,
                            position: Some(position),
                            message,
                        },
                        None => DocumentError {
                            index: error_index,
                            position: Some(error_position),
                            message: syntax_message(error.info(), limits),
                        },
                    };
                    return RunEnd::Failed {
                        index: error_index,
                        start_line,
                        error_line: error_position.line,
                        error,
                    };
                }
            };
            match event {
                Event::StreamEnd => return RunEnd::Complete { next_index: index },
                Event::StreamStart | Event::Nothing => {}
                Event::DocumentStart(_) => {
                    start_line = position(&span.start).line;
                    let available = limits.max_nodes.saturating_sub(self.used_nodes);
                    open = Some(OpenDocument {
                        index,
                        builder: Ok(DocBuilder::new(limits, available, from, self.shape)),
                    });
                    index += 1;
                }
                Event::DocumentEnd => {
                    start_line = position(&span.start).line;
                    if let Some(doc) = open.take() {
                        self.finish(doc, position(&span.start));
                    }
                }
                event => {
                    if let Some(OpenDocument {
                        builder: builder @ Ok(_),
                        ..
                    }) = &mut open
                        && let Ok(b) = builder
                        && let Err(error) = b.event(event, span)
                    {
                        *builder = Err(error);
                    }
                }
            }
        }
    }

    /// The text of lines `from..until`.
    fn slice(&mut self, from: usize, until: Option<usize>) -> &'t str {
        let text = self.text;
        if from == 0 && until.is_none() {
            return text;
        }
        let lines = self.lines.get_or_insert_with(|| LineIndex::new(text));
        let start = lines.start(from, text);
        let end = until.map_or(text.len(), |line| lines.start(line, text));
        text.get(start..end).unwrap_or_default()
    }

    fn finish(&mut self, doc: OpenDocument<'_>, end: Position) {
        let index = doc.index;
        let built = doc.builder.and_then(|builder| builder.finish(end));
        match built {
            Ok(None) => {}
            Ok(Some(built)) => {
                self.used_nodes = self.used_nodes.saturating_add(built.nodes);
                // Capped, so one huge document does not oversize the rest.
                self.shape = (
                    built.source_map.len().min(4096),
                    built.source_map.key_bytes().min(64 * 1024),
                );
                self.results.push(Ok(Document {
                    index,
                    value: built.value,
                    source_map: built.source_map,
                }));
            }
            Err(error) => self.results.push(Err(DocumentError {
                index,
                position: Some(error.position),
                message: error.message,
            })),
        }
    }
}

/// The parser's message, except that its own nesting limit (255 levels of
/// flow collections, hit before any event reaches the builder) is reported
/// like ours.
fn syntax_message(info: &str, limits: &Limits) -> String {
    if info == "recursion limit exceeded" {
        format!(
            "YAML nesting exceeds the limit of {} levels",
            limits.max_depth.min(255)
        )
    } else {
        info.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::time::{Duration, Instant};

    /// About 1 MB of catalog entities, one per document.
    fn catalog(bytes: usize) -> (String, usize) {
        let mut text = String::new();
        let mut count = 0;
        while text.len() < bytes {
            let i = count;
            text.push_str(&format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: service-{i}\n  \
                 description: The service number {i} of the catalog\n  annotations:\n    \
                 backstage.io/source-location: url:https://github.com/acme/service-{i}\n    \
                 github.com/project-slug: acme/service-{i}\n  tags:\n    - rust\n    - web\n  links:\n    \
                 - url: https://example.com/{i}\n      title: Dashboard\nspec:\n  type: service\n  \
                 lifecycle: production\n  owner: team-{}\n  system: sys\n  providesApis: [api-{i}]\n",
                i % 10
            ));
            count += 1;
        }
        (text, count)
    }

    /// Heap bytes a parsed value certainly holds: one `Value` per node plus
    /// the text of its strings and keys (ignoring allocator and map overhead).
    fn value_heap_lower_bound(value: &Value) -> usize {
        let own = std::mem::size_of::<Value>();
        match value {
            Value::String(s) => own + s.len(),
            Value::Array(items) => own + items.iter().map(value_heap_lower_bound).sum::<usize>(),
            Value::Object(map) => {
                own + map
                    .iter()
                    .map(|(k, v)| k.len() + value_heap_lower_bound(v))
                    .sum::<usize>()
            }
            _ => own,
        }
    }

    #[test]
    fn a_megabyte_parses_quickly_with_a_compact_source_map() {
        let (text, count) = catalog(1_000_000);
        // Best of five, interleaved with the bare parser on the same text, so
        // a busy machine slows both alike.
        let mut elapsed = Duration::MAX;
        let mut bare = Duration::MAX;
        let mut results = Vec::new();
        let rounds = if cfg!(debug_assertions) { 1 } else { 5 };
        for _ in 0..rounds {
            let started = Instant::now();
            let mut parser = Parser::new_from_str(&text);
            while let Some(Ok(_)) = parser.next_event() {}
            bare = bare.min(started.elapsed());
            drop(std::mem::take(&mut results));
            let started = Instant::now();
            results = parse_stream(&text, &Limits::default());
            elapsed = elapsed.min(started.elapsed());
        }
        let mut map_bytes = 0;
        let mut value_bytes = 0;
        for (i, result) in results.iter().enumerate() {
            let doc = result.as_ref().expect("valid document");
            assert_eq!(doc.index, i + 1);
            map_bytes += doc.source_map.heap_bytes();
            value_bytes += value_heap_lower_bound(&doc.value);
        }
        eprintln!(
            "{} bytes, {count} documents in {elapsed:?} (bare parser {bare:?}); \
             source maps {map_bytes} B, values > {value_bytes} B",
            text.len()
        );
        let last = results[count - 1].as_ref().expect("valid document");
        let owner_line = last.position("/spec/owner").map(|p| p.line);
        assert_eq!(owner_line, Some(text.lines().count() - 2));
        assert!(
            map_bytes * 2 < value_bytes,
            "source maps {map_bytes} B vs values {value_bytes} B"
        );
        // Building values and positions must cost well under what the
        // parser itself does (about 45 ms per MB on a quiet machine).
        if !cfg!(debug_assertions) {
            assert!(elapsed < bare * 2, "took {elapsed:?}, bare parser {bare:?}");
        }
    }
}
