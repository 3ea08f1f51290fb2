//! Greenroom's web pages, rendered on the server as HTML.
//!
//! This crate is pure: it turns data the web crate already fetched (entity
//! JSON, counts, locations) into markup, and knows nothing of HTTP or the
//! database. Markup is built with `maud`, which escapes every interpolated
//! value, so a catalog value can never become markup; links to catalog
//! values go through [`links::safe_href`], which allows only `http`, `https`
//! and `mailto`. Pages carry no inline scripts, styles or event handlers, so
//! the web crate can send a strict Content-Security-Policy.

pub mod apidoc;
pub mod assets;
pub mod entity;
pub mod format;
pub mod graph;
pub mod highlight;
pub mod layout;
pub mod links;
pub mod views;
pub mod yaml_text;

pub use maud::Markup;
