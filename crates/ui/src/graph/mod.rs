//! Relationship graphs: the entities around one, drawn as SVG.
//!
//! Pure and dependency-free: [`model`] turns entities and relations into
//! nodes and edges (each pair of inverse relations drawn once),
//! [`layout()`] places them in layers top to bottom, and [`render_svg`]
//! writes the picture. The web crate fetches the entities; the graph view
//! (`views::graph`) puts the picture in a page with its controls, legend
//! and a text version.

pub mod layout;
pub mod model;
pub mod relations;
pub mod svg;
pub mod text;

pub use layout::{Layout, layout};
pub use model::{Edge, Graph, GraphBuilder, Node};
pub use svg::render_svg;
