//! Safe YAML loading for every YAML input Greenroom reads (catalog descriptors,
//! `app-config.yaml`, `$yaml` placeholders, templates).
//!
//! API contract (fixed; other crates code against it):
//! - `parse_documents` reads a multi-document stream into JSON values plus a
//!   source map from JSON-pointer paths to line/column positions.
//! - Hostile input is refused with a positioned error, never a panic or an
//!   unbounded allocation: size limit, alias-expansion budget, depth limit,
//!   duplicate keys, non-UTF-8 bytes.
//!
//! Scalars resolve by the YAML 1.2 core schema as Backstage's JavaScript
//! `yaml` library does (see `scalar`); merge keys (`<<`) are plain keys, as
//! Backstage disables them. Aliases are expanded, but every expansion is
//! charged its full size against [`Limits::max_nodes`] before anything is
//! copied. The budget counts JSON values (plain scalar mapping keys are free)
//! of the documents returned; a refused document is not charged. Modules: `input` (size, UTF-8, BOM), `stream` (documents and
//! recovery after syntax errors), `builder` (events to JSON), `scalar`,
//! `source_map`, `lines`.

mod builder;
mod input;
mod lines;
mod scalar;
mod source_map;
mod stream;

use serde_json::Value;

pub use source_map::SourceMap;

/// Budgets that bound the work and memory one YAML input may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Largest number of nodes (scalars, sequences, mappings) all documents of
    /// one input may expand to, counting every alias expansion in full.
    pub max_nodes: usize,
    /// Deepest accepted nesting of sequences and mappings.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_nodes: 1_000_000,
            max_depth: 128,
        }
    }
}

/// A 1-based line and column in the input text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// One successfully parsed document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// 1-based number of the document in its stream (empty documents are
    /// skipped but still counted, so numbers match what an editor shows).
    pub index: usize,
    /// The document as JSON, aliases expanded.
    pub value: Value,
    /// Positions of the document's nodes.
    pub source_map: SourceMap,
}

impl Document {
    /// Position of the node at JSON `pointer`, or of its nearest existing
    /// ancestor (see [`SourceMap::locate`]).
    pub fn position(&self, pointer: &str) -> Option<Position> {
        self.source_map.locate(pointer)
    }
}

/// A document that could not be parsed; the other documents of the same
/// stream are still returned where the parser could recover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document {index}{}: {message}", position.map(|p| format!(" at line {}, column {}", p.line, p.column)).unwrap_or_default())]
pub struct DocumentError {
    /// 1-based number of the document in its stream.
    pub index: usize,
    /// Where the problem was found, when known.
    pub position: Option<Position>,
    /// What is wrong (the parser's own message for syntax errors).
    pub message: String,
}

/// Problems that make a whole input unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Larger than [`Limits::max_bytes`]; refused before parsing.
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    /// Not UTF-8; `position` is that of the first bad byte.
    #[error("input is not valid UTF-8 at line {}, column {}", position.line, position.column)]
    NotUtf8 { position: Position },
}

/// Parses every document of a YAML stream.
///
/// Documents come back in stream order; empty ones (a trailing `---`, a
/// stream of comments) are left out but keep their number. A document that
/// cannot be parsed becomes a [`DocumentError`] and the others are still read.
pub fn parse_documents(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Result<Document, DocumentError>>, InputError> {
    let text = input::decode(bytes, limits)?;
    Ok(stream::parse_stream(text, limits))
}

/// Parses a stream that must hold exactly one document (config files,
/// `$yaml` placeholders). Zero or several documents is an error.
///
/// The first document error, if any, is returned before the count is checked.
pub fn parse_single(bytes: &[u8], limits: &Limits) -> Result<Document, SingleError> {
    let mut documents = parse_documents(bytes, limits)?;
    if let Some(position) = documents.iter().position(Result::is_err) {
        return documents.swap_remove(position).map_err(SingleError::from);
    }
    let count = documents.len();
    match documents.pop() {
        Some(Ok(document)) if count == 1 => Ok(document),
        _ => Err(SingleError::DocumentCount(count)),
    }
}

/// Why [`parse_single`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SingleError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error("expected exactly one YAML document, found {0}")]
    DocumentCount(usize),
}
