//! The definition tab of an API entity.

use greenroom_ui::Markup;
use greenroom_ui::entity::EntityView;

pub(super) fn section(view: &EntityView<'_>) -> Markup {
    greenroom_ui::views::definition::section(
        view.spec_str("type").unwrap_or(""),
        view.spec_str("definition"),
    )
}
