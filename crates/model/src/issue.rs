//! One problem found in an entity, located by a JSON pointer so that callers
//! holding a source map can turn it into a file position.

use serde::Serialize;

/// A single validation or processing problem of one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// RFC 6901 JSON pointer to the offending field (`""` for the whole
    /// entity). For a missing required field it points at where the field
    /// should be, e.g. `/spec/owner`.
    pub pointer: String,
    /// A sentence for a person: names the field, what was expected and what
    /// was found.
    pub message: String,
}

impl Issue {
    /// Builds an issue from a pointer and a message.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} (at {})", self.message, self.pointer)
        }
    }
}
