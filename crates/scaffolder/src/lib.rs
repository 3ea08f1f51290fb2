//! Greenroom's Scaffolder: software templates that create new projects.
//!
//! Backstage's templates (`scaffolder.backstage.io/v1beta3`) describe a
//! form (`parameters`), steps that run actions, and an `output`; every
//! string in a step's input, `if`, `each` and in the output may hold
//! `${{ }}` expressions. This crate starts with that templating engine
//! ([`templating`]) and the templates themselves ([`template`]): Nunjucks-compatible syntax and value typing, the
//! filters Backstage's templates use, and a sandbox (no file, environment
//! or network access; bounded work, output and input).

pub mod parameters;
pub mod publish;
pub mod skeleton;
pub mod template;
pub mod templating;

pub use parameters::FieldError;
pub use template::{Template, TemplateError};
pub use templating::{Templater, TemplatingError};
