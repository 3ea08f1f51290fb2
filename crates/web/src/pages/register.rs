//! `/catalog-import` (Backstage's route): the form, `POST …/analyze` (the
//! preview: analysis and dry run, nothing stored) and `POST …/register`
//! (registers and shows what came in). The work is
//! [`crate::registration`]'s; this module reads forms and turns the
//! service's answers into the views' data.

use std::collections::HashSet;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use greenroom_catalog::problem::Problem;
use greenroom_ui::entity::{EntityView, parse_ref};
use greenroom_ui::views::problem_lines::ProblemLine;
use greenroom_ui::views::register::{
    self as views, AnalysisView, EntityPreview, FormPage, ImportOutcome, Imported, InCatalog,
    LocationPreview, PreviewPage, Proposal, ProposalField, ResultPage, SourcePreview,
};
use greenroom_ui::yaml_text::to_yaml;
use serde::Deserialize;

use super::{PageError, PageResult, html, problem_line, same_origin};
use crate::AppState;
use crate::error::ApiError;
use crate::readonly::ensure_writable;
use crate::registration::{
    self, ImportInput, ImportPlan, LocationSpec, OnConflict, Registered, Registrations,
};

/// Largest analyze form (one field of at most 2048 characters, encoded).
pub(super) const ANALYZE_LIMIT: usize = 16 * 1024;

/// Largest register form (hidden type and target pairs).
pub(super) const REGISTER_LIMIT: usize = 256 * 1024;

/// Most locations one import registers (an analysis finds at most 100
/// catalog files).
const MAX_IMPORT_LOCATIONS: usize = 100;

/// Most problems listed per imported location.
const MAX_RESULT_PROBLEMS: usize = 50;

#[derive(Debug, Deserialize)]
pub(super) struct AnalyzeForm {
    #[serde(default)]
    target: String,
}

/// `GET /catalog-import`.
pub(super) async fn show(State(state): State<AppState>) -> PageResult {
    Ok(html(views::form_page(&FormPage {
        readonly: state.writes.readonly,
        ..FormPage::default()
    })))
}

/// `POST /catalog-import/analyze`: the preview (nothing is stored, so a
/// read-only catalog answers it too).
pub(super) async fn analyze(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<AnalyzeForm>, FormRejection>,
) -> PageResult {
    same_origin(&headers)?;
    let Form(form) = form.map_err(form_error)?;
    let readonly = state.writes.readonly;
    let input = match ImportInput::parse(&form.target) {
        Ok(input) => input,
        Err(error) => {
            let page = views::form_page(&FormPage {
                input: form.target,
                error: Some(error.to_string()),
                readonly,
            });
            return Ok((StatusCode::BAD_REQUEST, html(page)).into_response());
        }
    };
    let plan = Registrations::new(&state).plan_import(input).await?;
    Ok(html(views::preview_page(&preview_page(
        form.target.trim(),
        plan,
        readonly,
    ))))
}

/// `POST /catalog-import/register`: registers each `type`/`target` pair
/// (refreshing those registered already) and shows what came in.
pub(super) async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> PageResult {
    same_origin(&headers)?;
    ensure_writable(&state)?;
    let Form(pairs) = form.map_err(form_error)?;
    let specs = locations_of(pairs)?;
    let service = Registrations::new(&state);
    let mut outcomes = Vec::with_capacity(specs.len());
    for spec in specs {
        let result = match service.register(&spec, OnConflict::Refresh).await {
            Ok(registered) => Ok(imported(&service, &spec, registered).await?),
            Err(ApiError::Internal(message)) => return Err(ApiError::Internal(message).into()),
            Err(refused) => Err(refused.to_string()),
        };
        outcomes.push(ImportOutcome {
            location_type: spec.location_type,
            target: spec.target,
            result,
        });
    }
    Ok(html(views::result_page(&ResultPage { outcomes })))
}

fn form_error(rejection: FormRejection) -> PageError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError(ApiError::PayloadTooLarge(
            "The form is larger than this page accepts.".to_owned(),
        ))
    } else {
        PageError(ApiError::Input(format!(
            "The form could not be read: {}",
            rejection.body_text()
        )))
    }
}

/// The locations of the import form: `type` and `target` fields in pairs.
fn locations_of(pairs: Vec<(String, String)>) -> Result<Vec<LocationSpec>, ApiError> {
    let refuse = |why: &str| ApiError::Input(format!("The import form is not valid: {why}."));
    let mut specs = Vec::new();
    let mut pending: Option<String> = None;
    for (name, value) in pairs {
        match (name.as_str(), pending.take()) {
            ("type", None) => pending = Some(value),
            ("target", Some(location_type)) => {
                if value.chars().count() > registration::MAX_INPUT_CHARS {
                    return Err(refuse("a target is too long"));
                }
                specs.push(LocationSpec::new(location_type, value));
            }
            ("type" | "target", _) => return Err(refuse("type and target must come in pairs")),
            _ => return Err(refuse("it has unknown fields")),
        }
        if specs.len() > MAX_IMPORT_LOCATIONS {
            return Err(refuse("it names too many locations"));
        }
    }
    if pending.is_some() {
        return Err(refuse("type and target must come in pairs"));
    }
    if specs.is_empty() {
        return Err(refuse("it names no location; analyze one first"));
    }
    Ok(specs)
}

/// What one registration brought in, for the result page.
async fn imported(
    service: &Registrations,
    spec: &LocationSpec,
    registered: Registered,
) -> Result<Imported, ApiError> {
    let location_ref = spec.entity_ref();
    let mut stitched: HashSet<String> = HashSet::new();
    let mut entities = Vec::new();
    for entity in registered.entities {
        let Some(reference) = EntityView::new(&entity).reference() else {
            continue;
        };
        stitched.insert(reference.canonical().to_owned());
        if reference.canonical() != location_ref {
            entities.push(entity);
        }
    }
    let missing = registered
        .refs
        .into_iter()
        .filter(|r| !stitched.contains(r))
        .collect();
    let problems = service
        .problems_of(spec, MAX_RESULT_PROBLEMS)
        .await?
        .iter()
        .map(|p| format!("{}: {}", p.name, p.describe()))
        .collect();
    Ok(Imported {
        existed: registered.existed,
        location_entity: parse_ref(&location_ref, None, "default"),
        entities,
        missing,
        problems,
    })
}

fn lines(problems: &[Problem]) -> Vec<ProblemLine> {
    problems.iter().map(problem_line).collect()
}

/// The preview view's data from the service's plan.
fn preview_page(input: &str, plan: ImportPlan, readonly: bool) -> PreviewPage {
    let analysis = match plan.analysis {
        None => AnalysisView::SingleFile,
        Some(Err(failure)) => AnalysisView::Failed {
            message: failure.error.to_string(),
            problems: lines(&failure.problems),
        },
        Some(Ok(analysis)) if analysis.existing.is_empty() => AnalysisView::Proposed(
            analysis
                .generate
                .iter()
                .map(|proposed| Proposal {
                    yaml: to_yaml(&proposed.entity),
                    fields: proposed
                        .fields
                        .iter()
                        .map(|field| ProposalField {
                            field: field.field.clone(),
                            needs_input: field.state == "needsUserInput",
                            value: field.value.clone(),
                            description: field.description.clone(),
                        })
                        .collect(),
                })
                .collect(),
        ),
        Some(Ok(analysis)) => {
            let mut files: Vec<views::FoundFile> = Vec::new();
            for found in analysis.existing {
                let same = |file: &views::FoundFile| {
                    file.location_type == found.location.location_type
                        && file.target == found.location.target
                };
                match files.iter_mut().find(|file| same(file)) {
                    Some(file) => file.entities.push(found.entity),
                    None => files.push(views::FoundFile {
                        location_type: found.location.location_type,
                        target: found.location.target,
                        registered: found.is_registered,
                        entities: vec![found.entity],
                    }),
                }
            }
            AnalysisView::Found(files)
        }
    };
    PreviewPage {
        input: input.to_owned(),
        understood_as: plan.input.describe().to_owned(),
        analysis,
        locations: plan.previews.iter().map(location_preview).collect(),
        not_previewed: plan
            .not_previewed
            .into_iter()
            .map(|spec| (spec.location_type, spec.target))
            .collect(),
        readonly,
    }
}

fn location_preview(preview: &registration::LocationPreview) -> LocationPreview {
    let own_origin = preview.spec.reference();
    let source_keys: HashSet<&str> = preview
        .preview
        .sources
        .iter()
        .map(|source| source.key.as_str())
        .collect();
    let in_catalog = |entity_ref: &str| {
        let found = preview.in_catalog.get(entity_ref)?;
        let origin = found.origin.clone().unwrap_or_default();
        Some(if origin == own_origin {
            InCatalog::FromHere
        } else if found
            .source
            .as_deref()
            .is_some_and(|source| source_keys.contains(source))
        {
            InCatalog::SameFile { origin }
        } else {
            InCatalog::Conflict { origin }
        })
    };
    LocationPreview {
        location_type: preview.spec.location_type.clone(),
        target: preview.spec.target.clone(),
        registered: preview.registered.is_some(),
        refused: preview.refused.clone(),
        failure: preview.failure.clone(),
        sources: preview
            .preview
            .sources
            .iter()
            .map(|source| SourcePreview {
                key: source.key.clone(),
                generated: source.key.starts_with("registered:"),
                problems: lines(&source.problems),
                entities: source
                    .entities
                    .iter()
                    .map(|entity| EntityPreview {
                        entity_ref: entity.entity_ref.clone(),
                        entity: entity.entity.clone(),
                        problems: lines(&entity.problems),
                        in_catalog: in_catalog(&entity.entity_ref),
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn import_forms_are_read_in_pairs() {
        let specs = locations_of(pairs(&[
            ("type", "file"),
            ("target", "/srv/a.yaml"),
            ("type", "url"),
            ("target", "https://x.example/b.yaml"),
        ]))
        .unwrap();
        assert_eq!(
            specs,
            vec![
                LocationSpec::new("file", "/srv/a.yaml"),
                LocationSpec::new("url", "https://x.example/b.yaml")
            ]
        );
    }

    #[test]
    fn broken_import_forms_are_refused() {
        for (form, needle) in [
            (pairs(&[]), "names no location"),
            (pairs(&[("target", "/srv/a.yaml")]), "pairs"),
            (pairs(&[("type", "file")]), "pairs"),
            (pairs(&[("type", "file"), ("type", "url")]), "pairs"),
            (
                pairs(&[("type", "file"), ("colour", "red")]),
                "unknown fields",
            ),
        ] {
            let error = locations_of(form).unwrap_err().to_string();
            assert!(error.contains(needle), "{error}");
        }
        let long = "x".repeat(registration::MAX_INPUT_CHARS + 1);
        assert!(locations_of(pairs(&[("type", "file"), ("target", &long)])).is_err());
        let many: Vec<(String, String)> = (0..=MAX_IMPORT_LOCATIONS)
            .flat_map(|i| {
                [
                    ("type".to_owned(), "file".to_owned()),
                    ("target".to_owned(), format!("/srv/{i}.yaml")),
                ]
            })
            .collect();
        assert!(
            locations_of(many)
                .unwrap_err()
                .to_string()
                .contains("too many")
        );
    }
}
