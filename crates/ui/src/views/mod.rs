//! One module per page: each takes the data its page shows (already
//! fetched by the web crate) and returns the whole page.

pub mod catalog;
pub mod definition;
pub mod entity_page;
pub mod errors;
pub mod graph;
pub mod home;
pub mod locations;
pub mod problem_lines;
pub mod register;
