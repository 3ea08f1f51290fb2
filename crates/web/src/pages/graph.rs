//! The graph tab: the entities around one, as an SVG graph.

use greenroom_ui::Markup;
use serde_json::Value;

use super::PageError;
use crate::AppState;

pub(super) async fn section(
    _state: &AppState,
    _entity: &Value,
    _query: Option<&str>,
) -> Result<Markup, PageError> {
    Ok(greenroom_ui::views::graph::section())
}
