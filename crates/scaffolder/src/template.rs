//! Software templates as the Scaffolder reads them: a catalog entity of
//! kind `Template` (`scaffolder.backstage.io/v1beta3`) turned into its
//! form steps, action steps and output.
//!
//! The catalog already validated the entity against Backstage's schema;
//! this module reads what the Scaffolder needs and refuses, naming the
//! field, what would stop a task later (a step without an action, two
//! steps with one id, a parameter step that is not an object).

use std::collections::HashSet;

use greenroom_model::{EntityRef, TEMPLATE_API_VERSION};
use serde_json::{Map, Value, json};

/// Title Backstage gives a form step that has none.
const DEFAULT_STEP_TITLE: &str = "Please enter the following information";

/// Why an entity cannot be used as a template.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error(
        "{reference} is not a template (kind {kind}, apiVersion {api_version}); the Scaffolder runs kind Template, apiVersion {TEMPLATE_API_VERSION}"
    )]
    NotATemplate {
        reference: String,
        kind: String,
        api_version: String,
    },
    #[error("{reference}: {field}: {reason}")]
    Invalid {
        reference: String,
        field: String,
        reason: String,
    },
}

/// One page of the template's form: a JSON Schema object (with `ui:`
/// options) and its title.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterStep {
    pub title: String,
    pub description: Option<String>,
    /// The step as written: the schema the form renders and validates.
    pub schema: Value,
}

/// One action step (`spec.steps[]`), templates not yet rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionStep {
    pub id: String,
    pub name: String,
    pub action: String,
    pub input: Value,
    pub condition: Option<Value>,
    pub each: Option<Value>,
}

/// A template, read from its entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub reference: EntityRef,
    pub title: String,
    pub description: Option<String>,
    pub parameters: Vec<ParameterStep>,
    pub steps: Vec<ActionStep>,
    /// `spec.output` (links, text, other values), templates not rendered.
    pub output: Value,
    /// `spec.presentation` (button labels), passed to the form.
    pub presentation: Option<Value>,
}

impl Template {
    /// Reads a template entity (a final entity's JSON).
    pub fn from_entity(entity: &Value) -> Result<Template, TemplateError> {
        let reference = EntityRef::of_entity(entity).map_err(|e| TemplateError::Invalid {
            reference: "entity".to_owned(),
            field: "metadata".to_owned(),
            reason: e.to_string(),
        })?;
        let text = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or("").to_owned();
        let kind = text(entity.get("kind"));
        let api_version = text(entity.get("apiVersion"));
        if !kind.eq_ignore_ascii_case("template") || api_version != TEMPLATE_API_VERSION {
            return Err(TemplateError::NotATemplate {
                reference: reference.canonical().to_owned(),
                kind,
                api_version,
            });
        }
        let invalid = |field: String, reason: &str| TemplateError::Invalid {
            reference: reference.canonical().to_owned(),
            field,
            reason: reason.to_owned(),
        };
        let metadata = entity.get("metadata");
        let spec = entity.get("spec").cloned().unwrap_or(Value::Null);

        let parameters = match spec.get("parameters") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(step)) => vec![parameter_step(step)],
            Some(Value::Array(steps)) => steps
                .iter()
                .enumerate()
                .map(|(index, step)| match step {
                    Value::Object(step) => Ok(parameter_step(step)),
                    _ => Err(invalid(
                        format!("spec.parameters[{index}]"),
                        "a form step must be an object (a JSON Schema)",
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(invalid(
                    "spec.parameters".to_owned(),
                    "must be an object or a list of objects",
                ));
            }
        };

        let mut steps = Vec::new();
        let mut ids = HashSet::new();
        let written = match spec.get("steps") {
            None | Some(Value::Null) => &Vec::new(),
            Some(Value::Array(steps)) => steps,
            Some(_) => return Err(invalid("spec.steps".to_owned(), "must be a list")),
        };
        for (index, step) in written.iter().enumerate() {
            let field = |name: &str| format!("spec.steps[{index}].{name}");
            let Value::Object(step) = step else {
                return Err(invalid(format!("spec.steps[{index}]"), "must be an object"));
            };
            let action = step
                .get("action")
                .and_then(Value::as_str)
                .filter(|a| !a.trim().is_empty())
                .ok_or_else(|| invalid(field("action"), "every step needs an action"))?;
            let id = match step.get("id") {
                Some(Value::String(id)) if !id.is_empty() => id.clone(),
                None | Some(Value::Null) => format!("step-{}", index + 1),
                Some(_) => return Err(invalid(field("id"), "must be a non-empty string")),
            };
            if !ids.insert(id.clone()) {
                return Err(invalid(
                    field("id"),
                    &format!("another step already has the id '{id}'"),
                ));
            }
            let input = match step.get("input") {
                None | Some(Value::Null) => json!({}),
                Some(input @ Value::Object(_)) => input.clone(),
                Some(_) => return Err(invalid(field("input"), "must be an object")),
            };
            steps.push(ActionStep {
                name: step
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(&id)
                    .to_owned(),
                id,
                action: action.to_owned(),
                input,
                condition: step.get("if").cloned(),
                each: step.get("each").cloned(),
            });
        }

        Ok(Template {
            title: metadata
                .and_then(|m| m.get("title"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .unwrap_or(reference.name())
                .to_owned(),
            description: metadata
                .and_then(|m| m.get("description"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            parameters,
            steps,
            output: spec.get("output").cloned().unwrap_or_else(|| json!({})),
            presentation: spec.get("presentation").cloned(),
            reference,
        })
    }

    /// Backstage's `GET /v2/templates/{ns}/{kind}/{name}/parameter-schema`
    /// answer: `{title, description?, presentation?, steps: [{title,
    /// description?, schema}]}`.
    pub fn parameter_schema(&self) -> Value {
        let mut out = Map::new();
        out.insert("title".to_owned(), Value::String(self.title.clone()));
        if let Some(description) = &self.description {
            out.insert("description".to_owned(), Value::String(description.clone()));
        }
        if let Some(presentation) = &self.presentation {
            out.insert("presentation".to_owned(), presentation.clone());
        }
        let steps: Vec<Value> = self
            .parameters
            .iter()
            .map(|step| {
                let mut item = Map::new();
                item.insert("title".to_owned(), Value::String(step.title.clone()));
                if let Some(description) = &step.description {
                    item.insert("description".to_owned(), Value::String(description.clone()));
                }
                item.insert("schema".to_owned(), step.schema.clone());
                Value::Object(item)
            })
            .collect();
        out.insert("steps".to_owned(), Value::Array(steps));
        Value::Object(out)
    }
}

fn parameter_step(step: &Map<String, Value>) -> ParameterStep {
    let text = |key: &str| step.get(key).and_then(Value::as_str).map(str::to_owned);
    ParameterStep {
        title: text("title").unwrap_or_else(|| DEFAULT_STEP_TITLE.to_owned()),
        description: text("description"),
        schema: Value::Object(step.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(spec: Value) -> Value {
        json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3",
            "kind": "Template",
            "metadata": {"name": "rust-service", "title": "Rust service", "description": "A new service"},
            "spec": spec,
        })
    }

    #[test]
    fn steps_and_parameters_are_read() {
        let parsed = Template::from_entity(&template(json!({
            "type": "service",
            "parameters": [
                {"title": "Name", "required": ["name"], "properties": {"name": {"type": "string"}}},
                {"properties": {"repoUrl": {"type": "string", "ui:field": "RepoUrlPicker"}}}
            ],
            "steps": [
                {"id": "fetch", "name": "Fetch", "action": "fetch:template", "input": {"url": "./skeleton"}},
                {"action": "debug:log", "if": "${{ parameters.verbose }}"}
            ],
            "output": {"links": [{"title": "Repo", "url": "${{ steps.publish.output.remoteUrl }}"}]}
        })))
        .unwrap();
        assert_eq!(parsed.title, "Rust service");
        assert_eq!(parsed.steps[0].id, "fetch");
        assert_eq!(parsed.steps[1].id, "step-2");
        assert_eq!(parsed.steps[1].name, "step-2");
        assert_eq!(
            parsed.steps[1].condition,
            Some(json!("${{ parameters.verbose }}"))
        );
        assert_eq!(parsed.steps[1].input, json!({}));
        let schema = parsed.parameter_schema();
        assert_eq!(schema["title"], "Rust service");
        assert_eq!(schema["description"], "A new service");
        assert_eq!(schema["steps"][0]["title"], "Name");
        assert_eq!(schema["steps"][0]["schema"]["required"], json!(["name"]));
        assert_eq!(schema["steps"][1]["title"], DEFAULT_STEP_TITLE);
        assert_eq!(
            schema["steps"][1]["schema"]["properties"]["repoUrl"]["ui:field"],
            "RepoUrlPicker"
        );
    }

    #[test]
    fn one_parameter_object_is_one_step() {
        let parsed = Template::from_entity(&template(json!({
            "parameters": {"properties": {"name": {"type": "string"}}}
        })))
        .unwrap();
        assert_eq!(parsed.parameters.len(), 1);
        assert!(parsed.steps.is_empty());
    }

    #[test]
    fn unusable_templates_are_refused_naming_the_field() {
        let error = |spec: Value| {
            Template::from_entity(&template(spec))
                .unwrap_err()
                .to_string()
        };
        assert!(
            error(json!({"steps": [{"id": "a"}]}))
                .contains("spec.steps[0].action: every step needs an action")
        );
        assert!(
            error(json!({"steps": [{"id": "a", "action": "x"}, {"id": "a", "action": "y"}]}))
                .contains("spec.steps[1].id: another step already has the id 'a'")
        );
        assert!(error(json!({"parameters": ["text"]})).contains("spec.parameters[0]"));
        assert!(
            error(json!({"steps": [{"action": "x", "input": "text"}]}))
                .contains("spec.steps[0].input")
        );
        let component = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"}});
        assert!(matches!(
            Template::from_entity(&component),
            Err(TemplateError::NotATemplate { .. })
        ));
    }

    #[test]
    fn backstage_sample_templates_are_read() {
        let shared = std::env::var_os("GREENROOM_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
            });
        let dir = shared.join("reference/backstage/examples/sample-templates");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipping: no sample templates at {}", dir.display());
            return;
        };
        let mut read = 0;
        for entry in entries.flatten() {
            for file in std::fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let path = file.path();
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let documents =
                    greenroom_yaml::parse_documents(&bytes, &greenroom_yaml::Limits::default())
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                for document in documents.into_iter().flatten() {
                    if document.value.get("kind").and_then(Value::as_str) == Some("Template") {
                        let parsed = Template::from_entity(&document.value)
                            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                        assert!(!parsed.steps.is_empty(), "{}", path.display());
                        assert!(!parsed.parameters.is_empty(), "{}", path.display());
                        read += 1;
                    }
                }
            }
        }
        assert!(
            read >= 3,
            "only {read} sample templates read from {}",
            dir.display()
        );
    }
}
