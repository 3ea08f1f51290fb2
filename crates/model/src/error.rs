//! The one error type of this crate, for the few operations that fail with a
//! single reason (parsing a reference, reading an entity's own identity).
//! Validation problems are not errors of this kind: they are collected as
//! [`crate::Issue`]s so that a person sees every problem of a file at once.

/// Why a model operation failed. The texts of the reference variants are
/// Backstage's own, so users searching for them find the same explanations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The reference string was empty.
    #[error("Entity reference must not be empty")]
    EmptyRef,
    /// An explicit kind, namespace or name part was empty (`:foo`, `a:/b`, `ns/`).
    #[error("Entity reference \"{0}\" was not on the form [<kind>:][<namespace>/]<name>")]
    MalformedRef(String),
    /// No kind in the reference and no default kind for the field.
    /// The payload is the reference as a JSON string literal (with its quotes).
    #[error(
        "Entity reference {0} had missing or empty kind (e.g. did not start with \"component:\" or similar)"
    )]
    MissingKind(String),
    /// The entity JSON lacks a string `kind` or `metadata.name`, or has a
    /// non-string `metadata.namespace`.
    #[error("entity has no valid {0}")]
    MissingIdentity(&'static str),
}
