//! Processing errors as users see them: what went wrong, and exactly where
//! (source, document, line, column, field).
//!
//! They are stored as JSON on sources and entities and become
//! `status.items` of stitched entities, so their shape is part of the API.

use serde::{Deserialize, Serialize};

/// Where in a source a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProblemPlace {
    /// Location key of the file or URL (`file:/abs/catalog-info.yaml`).
    pub source: String,
    /// 1-based document number within a multi-document file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// Dotted field path (`spec.owner`, `metadata.tags[1]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl std::fmt::Display for ProblemPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(document) = self.document {
            write!(f, ", document {document}")?;
        }
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        Ok(())
    }
}

/// One processing error (Backstage's serialized error: `name` and `message`,
/// plus where it happened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Backstage error class: `InputError`, `NotFoundError`, `NotAllowedError`,
    /// `ConflictError`, `YAMLError`.
    pub name: String,
    /// What is wrong, for a person.
    pub message: String,
    pub place: ProblemPlace,
}

impl Problem {
    /// A problem of the given class at a place.
    pub fn new(name: &str, message: impl Into<String>, place: ProblemPlace) -> Self {
        Problem {
            name: name.to_owned(),
            message: message.into(),
            place,
        }
    }

    /// The one-line form printed by `greenroom validate` and shown in the UI.
    pub fn describe(&self) -> String {
        format!("{}: {}", self.place, self.message)
    }
}

/// Serializes problems to the JSON stored in the database.
pub fn problems_to_json(problems: &[Problem]) -> String {
    serde_json::to_string(problems).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads problems back from stored JSON (unreadable JSON yields none).
pub fn problems_from_json(json: &str) -> Vec<Problem> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Turns a JSON pointer (`/metadata/tags/1`) into the dotted path people
/// read (`metadata.tags[1]`).
pub fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&segment);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_dotted_paths() {
        assert_eq!(pointer_to_field("/metadata/tags/1"), "metadata.tags[1]");
        assert_eq!(
            pointer_to_field("/metadata/annotations/backstage.io~1source-location"),
            "metadata.annotations.backstage.io/source-location"
        );
        assert_eq!(pointer_to_field(""), "");
    }

    #[test]
    fn problems_describe_their_place() {
        let problem = Problem::new(
            "InputError",
            "spec.owner is required",
            ProblemPlace {
                source: "file:/x/catalog-info.yaml".into(),
                document: Some(2),
                line: Some(7),
                column: Some(3),
                field: Some("spec".into()),
            },
        );
        assert_eq!(
            problem.describe(),
            "file:/x/catalog-info.yaml, document 2, line 7, column 3, field spec: spec.owner is required"
        );
        let json = problems_to_json(std::slice::from_ref(&problem));
        assert_eq!(problems_from_json(&json), vec![problem]);
    }
}
