//! `GET /`: the home page.

use axum::extract::State;
use greenroom_catalog::problem::problems_from_json;
use greenroom_model::EntityRef;
use greenroom_ui::views::home::{self, HomeData, ProblemSummary};
use serde_json::Value;

use super::{PageResult, html, now_millis};
use crate::AppState;

const RECENT: usize = 10;
const PROBLEMS: usize = 10;

pub(super) async fn show(State(state): State<AppState>) -> PageResult {
    let store = &state.store;
    let kinds = store.count_by_kind().await?;
    let recent = store
        .recent_entities(RECENT)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some((
                serde_json::from_str::<Value>(&row.body).ok()?,
                row.stitched_at,
            ))
        })
        .collect();
    let problems = distinct_problems(
        store
            .processing_errors(PROBLEMS)
            .await?
            .into_iter()
            .map(|row| ProblemSummary {
                entity: (!row.is_source)
                    .then(|| EntityRef::parse(&row.subject, None, "").ok())
                    .flatten(),
                messages: messages(&row.errors),
                subject: row.subject,
            })
            .collect(),
    );
    let problem_counts = store.count_processing_errors().await?;
    Ok(html(home::page(&HomeData {
        kinds,
        recent,
        problems,
        problem_counts,
        now: now_millis(),
    })))
}

/// A source's problems are also recorded on the entities it emitted; a
/// source whose every message is already listed for an entity is left out,
/// so each problem shows once.
fn distinct_problems(problems: Vec<ProblemSummary>) -> Vec<ProblemSummary> {
    let of_entities: std::collections::HashSet<String> = problems
        .iter()
        .filter(|p| p.entity.is_some())
        .flat_map(|p| p.messages.iter().cloned())
        .collect();
    problems
        .into_iter()
        .filter(|p| p.entity.is_some() || !p.messages.iter().all(|m| of_entities.contains(m)))
        .collect()
}

/// Each stored problem as one line: class, place and message.
pub(super) fn messages(errors: &str) -> Vec<String> {
    problems_from_json(errors)
        .iter()
        .map(|problem| format!("{}: {}", problem.name, problem.describe()))
        .collect()
}
