//! Checking the values a person entered against a template's form: every
//! form step's JSON Schema (`required`, types, `pattern`, lengths, ranges,
//! `enum`, `dependencies`, …) must accept them, as Backstage checks before
//! it creates a task. Each problem names the field and the step, so the
//! form can show it next to the field.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::template::{Template, TemplateError};

/// One value the form must correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Index of the form step whose schema refused it.
    pub step: usize,
    /// JSON pointer of the field in the values (`/name`, `/owner/team`);
    /// `""` for the values as a whole.
    pub field: String,
    pub message: String,
}

/// Most problems reported for one submission.
const MAX_ERRORS: usize = 100;

impl Template {
    /// The problems of `values` (the whole form's values, one object)
    /// against every form step; empty when they are accepted. A step whose
    /// schema cannot be compiled (an external `$ref`, a malformed keyword)
    /// is the template's fault and an error.
    pub fn validate_values(&self, values: &Value) -> Result<Vec<FieldError>, TemplateError> {
        if !values.is_object() {
            return Ok(vec![FieldError {
                step: 0,
                field: String::new(),
                message: "the values must be a JSON object".to_owned(),
            }]);
        }
        let mut problems = Vec::new();
        for (index, step) in self.parameters.iter().enumerate() {
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&step.schema)
                .map_err(|e| TemplateError::Invalid {
                    reference: self.reference.canonical().to_owned(),
                    field: format!("spec.parameters[{index}]"),
                    reason: format!("the form step's schema is not usable: {e}"),
                })?;
            for error in validator.iter_errors(values) {
                if problems.len() >= MAX_ERRORS {
                    return Ok(problems);
                }
                let path = error.instance_path().as_str().to_owned();
                let (field, message) = match error.kind() {
                    ValidationErrorKind::Required { property } => {
                        let name = property.as_str().unwrap_or_default();
                        (format!("{path}/{}", escape(name)), "is required".to_owned())
                    }
                    _ => (path, error.to_string()),
                };
                problems.push(FieldError {
                    step: index,
                    field,
                    message,
                });
            }
        }
        Ok(problems)
    }
}

/// A property name as one JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn template(parameters: Value) -> Template {
        Template::from_entity(&json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3",
            "kind": "Template",
            "metadata": {"name": "t"},
            "spec": {"parameters": parameters, "steps": [{"action": "debug:log"}]},
        }))
        .unwrap()
    }

    fn form() -> Template {
        template(json!([
            {
                "title": "Service",
                "required": ["name", "owner"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 20},
                    "owner": {"type": "string", "ui:field": "OwnerPicker"},
                    "replicas": {"type": "integer", "minimum": 1, "maximum": 5}
                }
            },
            {
                "title": "Database",
                "properties": {"database": {"type": "boolean"}},
                "dependencies": {
                    "database": {
                        "oneOf": [
                            {"properties": {"database": {"const": false}}},
                            {"properties": {"database": {"const": true}, "engine": {"enum": ["postgres", "mysql"]}},
                             "required": ["engine"]}
                        ]
                    }
                }
            }
        ]))
    }

    #[test]
    fn good_values_pass() {
        let values = json!({"name": "payments", "owner": "group:team-a", "replicas": 2,
                            "database": true, "engine": "postgres"});
        assert_eq!(form().validate_values(&values).unwrap(), Vec::new());
    }

    #[test]
    fn each_problem_names_its_field_and_step() {
        let values = json!({"name": "Bad Name!", "replicas": 9, "database": true});
        let problems = form().validate_values(&values).unwrap();
        let fields: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.step, p.field.as_str()))
            .collect();
        assert!(fields.contains(&(0, "/owner")), "{problems:?}");
        assert!(fields.contains(&(0, "/name")), "{problems:?}");
        assert!(fields.contains(&(0, "/replicas")), "{problems:?}");
        assert!(
            fields.iter().any(|(step, _)| *step == 1),
            "the conditional field: {problems:?}"
        );
        let owner = problems.iter().find(|p| p.field == "/owner").unwrap();
        assert_eq!(owner.message, "is required");
    }

    #[test]
    fn values_must_be_an_object_and_schemas_usable() {
        let problems = form().validate_values(&json!(["x"])).unwrap();
        assert_eq!(problems[0].field, "");
        let broken =
            template(json!({"properties": {"x": {"$ref": "https://evil.example/schema.json"}}}));
        let error = broken.validate_values(&json!({})).unwrap_err().to_string();
        assert!(error.contains("spec.parameters[0]"), "{error}");
    }
}
