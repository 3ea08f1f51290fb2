//! Operation docs for Greenroom's own routes: health probes, `/metrics`
//! and this document.

use serde_json::json;

use super::{OperationDoc, json_response, schema_ref};
use crate::api_routes::HttpMethod::Get;

pub(super) fn operations() -> Vec<OperationDoc> {
    let alive = || {
        json!({
            "200": json_response(
                "The process is up.",
                schema_ref("HealthStatus"),
            ),
        })
    };
    vec![
        OperationDoc::new(
            Get,
            "/healthcheck",
            json!({
                "operationId": "GetHealthcheck",
                "tags": ["Health"],
                "summary": "Liveness (legacy path).",
                "description": "The same answer as `/.backstage/health/v1/liveness`, at the path older \
                    Backstage backends served.",
                "responses": alive(),
            }),
        ),
        OperationDoc::new(
            Get,
            "/.backstage/health/v1/liveness",
            json!({
                "operationId": "GetLiveness",
                "tags": ["Health"],
                "summary": "Liveness probe.",
                "description": "Answers as long as the process serves HTTP.",
                "responses": alive(),
            }),
        ),
        OperationDoc::new(
            Get,
            "/.backstage/health/v1/readiness",
            json!({
                "operationId": "GetReadiness",
                "tags": ["Health"],
                "summary": "Readiness probe.",
                "description": "Ready when the database answers.",
                "responses": {
                    "200": json_response("The database answers.", schema_ref("HealthStatus")),
                    "503": json_response(
                        "The database does not answer; `message` says why.",
                        schema_ref("HealthStatus"),
                    ),
                },
            }),
        ),
        OperationDoc::new(
            Get,
            "/metrics",
            json!({
                "operationId": "GetMetrics",
                "tags": ["Metrics"],
                "summary": "Prometheus metrics.",
                "description": "Prometheus text exposition format 0.0.4 \
                    (`text/plain; version=0.0.4`): request counts and latency histograms per \
                    route (`greenroom_http_requests_total`, \
                    `greenroom_http_request_duration_seconds`), catalog gauges read when scraped \
                    (`greenroom_catalog_entities` by kind, `greenroom_catalog_stitch_queue_depth`, \
                    `greenroom_catalog_processing_errors`) and `process_resident_memory_bytes`. \
                    When the database does not answer the catalog gauges are left out and a \
                    comment says so.",
                "responses": {
                    "200": {
                        "description": "The metrics.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                },
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/openapi.json",
            json!({
                "operationId": "GetOpenApiDocument",
                "tags": ["OpenAPI"],
                "summary": "This OpenAPI 3.1 document.",
                "description":
                    "Generated from Greenroom's route table and the operation docs written beside it.",
                "responses": {
                    "200": json_response(
                        "An OpenAPI 3.1 document.",
                        json!({"type": "object", "additionalProperties": {}}),
                    ),
                },
            }),
        ),
    ]
}
