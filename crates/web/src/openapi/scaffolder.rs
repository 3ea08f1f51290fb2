//! Operation docs for the Scaffolder API (`/api/scaffolder`), following
//! Backstage's scaffolder-backend spec.

use serde_json::json;

use super::{OperationDoc, error_response, json_response, param_ref, responses, schema_ref};
use crate::api_routes::HttpMethod::Get;

pub(super) fn operations() -> Vec<OperationDoc> {
    vec![OperationDoc::new(
        Get,
        "/api/scaffolder/v2/templates/{namespace}/{kind}/{name}/parameter-schema",
        json!({
            "operationId": "GetTemplateParameterSchema",
            "tags": ["Scaffolder"],
            "summary": "Get a template's parameter schema.",
            "description": "The form steps of a `scaffolder.backstage.io/v1beta3` template from \
                the catalog: each `spec.parameters` entry as a JSON Schema with its title (note \
                the order namespace/kind/name). 400 when the entity is not a usable template.",
            "parameters": [param_ref("namespace"), param_ref("kind"), param_ref("name")],
            "responses": responses(
                "200",
                json_response("The parameter schema.", schema_ref("TemplateParameterSchema")),
                json!({"400": error_response(), "404": error_response(), "default": error_response()}),
            ),
        }),
    )]
}
