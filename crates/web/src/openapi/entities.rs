//! Operation docs for the catalog's entity API (`/api/catalog`), following
//! Backstage's catalog-backend spec: its operationIds, parameters, bodies
//! and response schemas, with what Greenroom does differently or adds (page
//! limits, 404s, streaming) said in each description.

use serde_json::{Value, json};

use super::{
    OperationDoc, error_response, json_request, json_response, param_ref, responses, schema_ref,
};
use crate::api_routes::HttpMethod::{Delete, Get, Post};

/// The usual error responses: 400 (the message names the parameter) and
/// anything else.
fn errors() -> Value {
    json!({"400": error_response(), "default": error_response()})
}

/// [`errors`] plus a 404 `NotFoundError`.
fn errors_with_not_found() -> Value {
    json!({"400": error_response(), "404": error_response(), "default": error_response()})
}

fn entity_ref_params() -> Value {
    json!([param_ref("kind"), param_ref("namespace"), param_ref("name")])
}

/// A JSON predicate (the `query` of POST bodies).
fn predicate() -> Value {
    json!({
        "allOf": [schema_ref("JsonObject")],
        "description": "A filter predicate: field objects `{\"<path>\": value}` (every pair must \
            hold; a value is a string, number or boolean, or `{\"$exists\": bool}`, \
            `{\"$in\": [...]}`, `{\"$hasPrefix\": \"s\"}`, `{\"$contains\": value}`), combined with \
            `{\"$all\": [...]}`, `{\"$any\": [...]}` and `{\"$not\": predicate}`. At most 16 levels \
            deep and 2,000 nodes.",
    })
}

fn string_array() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

pub(super) fn operations() -> Vec<OperationDoc> {
    vec![
        OperationDoc::new(
            Get,
            "/api/catalog/entities",
            json!({
                "operationId": "GetEntities",
                "tags": ["Entity"],
                "summary": "Get all entities matching a given filter.",
                "description": "Without `limit`, `offset` or `after` every matching entity is \
                    returned as one JSON array, streamed from the database page by page. With \
                    any of them one page is served (`limit` at most 10,000), with a \
                    `Link: <...>; rel=\"next\"` header when more entities follow. Entities are \
                    ordered by entity ref unless `order` says otherwise.",
                "parameters": [
                    param_ref("fields"),
                    param_ref("limit"),
                    param_ref("filter"),
                    param_ref("offset"),
                    param_ref("after"),
                    {
                        "name": "order",
                        "in": "query",
                        "description":
                            "Sort keys, each `asc:<field>` or `desc:<field>` (at most 10).",
                        "required": false,
                        "allowReserved": true,
                        "schema": string_array(),
                        "examples": {"By name": {"value": ["asc:metadata.name"]}},
                    },
                ],
                "responses": responses(
                    "200",
                    json!({
                        "description": "The matching entities.",
                        "headers": {
                            "Link": {
                                "description": "`</api/catalog/entities?...&after=...>; rel=\"next\"` \
                                    when a paged request has more entities.",
                                "schema": {"type": "string"},
                            },
                        },
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": schema_ref("Entity")},
                            },
                        },
                    }),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/entities/by-query",
            json!({
                "operationId": "GetEntitiesByQuery",
                "tags": ["Entity"],
                "summary": "Search for entities by a given query.",
                "description": "Cursor-paged entities. `limit` defaults to 200 (at most 10,000; \
                    0 returns only `totalItems`). Only the first `orderField` sorts. With \
                    `cursor`, only `limit` and `fields` are read: the cursor carries the query.",
                "parameters": [
                    param_ref("fields"),
                    param_ref("limit"),
                    param_ref("offset"),
                    param_ref("orderField"),
                    param_ref("cursor"),
                    param_ref("filter"),
                    param_ref("totalItems"),
                    {
                        "name": "fullTextFilterTerm",
                        "in": "query",
                        "description": "Text search term (case-insensitive substring).",
                        "required": false,
                        "allowReserved": true,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "fullTextFilterFields",
                        "in": "query",
                        "description": "A comma separated list of fields the term is searched in \
                            (default: the sort field, else `metadata.uid`).",
                        "required": false,
                        "allowReserved": true,
                        "schema": string_array(),
                        "explode": false,
                        "style": "form",
                    },
                ],
                "responses": responses(
                    "200",
                    json_response("A page of entities.", schema_ref("EntitiesQueryResponse")),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/entities/by-query",
            json!({
                "operationId": "QueryEntitiesByPredicate",
                "tags": ["Entity"],
                "summary": "Query entities using predicate-based filters.",
                "description": "The body form of `GET /entities/by-query`: `query` is a JSON \
                    predicate instead of `filter` parameters, `orderBy` a list of \
                    `{field, order}`. The answer and its cursors are the same.",
                "requestBody": json_request(false, json!({
                    "type": "object",
                    "properties": {
                        "cursor": {"type": "string"},
                        "limit": {"type": "number"},
                        "offset": {"type": "number"},
                        "orderBy": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["field", "order"],
                                "properties": {
                                    "field": {"type": "string"},
                                    "order": {"type": "string", "enum": ["asc", "desc"]},
                                },
                            },
                        },
                        "fullTextFilter": {
                            "type": "object",
                            "properties": {
                                "term": {"type": "string"},
                                "fields": string_array(),
                            },
                        },
                        "fields": string_array(),
                        "totalItems": {"type": "string", "enum": ["include", "exclude"]},
                        "query": predicate(),
                    },
                })),
                "responses": responses(
                    "200",
                    json_response("A page of entities.", schema_ref("EntitiesQueryResponse")),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/entities/by-refs",
            json!({
                "operationId": "GetEntitiesByRefs",
                "tags": ["Entity"],
                "summary": "Get a batch set of entities given an array of entityRefs.",
                "description": "One item per requested ref, in order; `null` where no entity \
                    has that ref or it does not pass the filters. The `filter` parameter and \
                    the body's `query` must both hold; `fields` may come from the body and the \
                    query string. At most 10,000 refs.",
                "parameters": [param_ref("filter"), param_ref("fields")],
                "requestBody": json_request(true, json!({
                    "type": "object",
                    "required": ["entityRefs"],
                    "properties": {
                        "entityRefs": string_array(),
                        "fields": string_array(),
                        "query": predicate(),
                    },
                })),
                "responses": responses(
                    "200",
                    json_response(
                        "The entities, in the order of the refs.",
                        schema_ref("EntitiesBatchResponse"),
                    ),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/entities/by-uid/{uid}",
            json!({
                "operationId": "GetEntityByUid",
                "tags": ["Entity"],
                "summary": "Get a single entity by the UID.",
                "parameters": [param_ref("uid")],
                "responses": responses(
                    "200",
                    json_response("The entity.", schema_ref("Entity")),
                    errors_with_not_found(),
                ),
            }),
        ),
        OperationDoc::new(
            Delete,
            "/api/catalog/entities/by-uid/{uid}",
            json!({
                "operationId": "DeleteEntityByUid",
                "tags": ["Entity"],
                "summary": "Delete a single entity by UID.",
                "description": "Removes the entity and schedules a refresh: entities that pointed \
                    at it are stitched again, and a source that still emits it brings it back. \
                    With `catalog.readonly` the deletion is refused with a 403 \
                    `NotAllowedError`.",
                "parameters": [param_ref("uid")],
                "responses": responses(
                    "204",
                    json!({"description": "Deleted successfully."}),
                    json!({
                        "400": error_response(),
                        "403": error_response(),
                        "404": error_response(),
                        "default": error_response(),
                    }),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/entities/by-name/{kind}/{namespace}/{name}",
            json!({
                "operationId": "GetEntityByName",
                "tags": ["Entity"],
                "summary": "Get an entity by an entity ref.",
                "description": "Kind, namespace and name match case-insensitively.",
                "parameters": entity_ref_params(),
                "responses": responses(
                    "200",
                    json_response("The entity.", schema_ref("Entity")),
                    errors_with_not_found(),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            json!({
                "operationId": "GetEntityAncestryByName",
                "tags": ["Entity"],
                "summary": "Get an entity's ancestry by entity ref.",
                "description": "The entity, then the Location entities it was read through, \
                    each with its parent's ref, up to the root (at most 64 levels).",
                "parameters": entity_ref_params(),
                "responses": responses(
                    "200",
                    json_response(
                        "The ancestry, starting at the entity.",
                        schema_ref("EntityAncestryResponse"),
                    ),
                    errors_with_not_found(),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/entity-facets",
            json!({
                "operationId": "GetEntityFacets",
                "tags": ["Entity"],
                "summary": "Get all entity facets that match the given filters.",
                "description": "For each `facet` (a field path, at most 100), the distinct values \
                    among the matching entities and how many entities have each. The answer is \
                    keyed by the facet as written.",
                "parameters": [
                    {
                        "in": "query",
                        "name": "facet",
                        "required": true,
                        "allowReserved": true,
                        "schema": string_array(),
                        "examples": {
                            "Entities by kind": {"value": ["kind"]},
                            "Entities by spec type": {"value": ["spec.type"]},
                        },
                    },
                    param_ref("filter"),
                ],
                "responses": responses(
                    "200",
                    json_response("The facets.", schema_ref("EntityFacetsResponse")),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/entity-facets",
            json!({
                "operationId": "QueryEntityFacetsByPredicate",
                "tags": ["Entity"],
                "summary": "Get entity facets using predicate-based filters.",
                "description": "The body form of `GET /entity-facets`, with a JSON predicate as \
                    the filter.",
                "requestBody": json_request(true, json!({
                    "type": "object",
                    "required": ["facets"],
                    "properties": {
                        "facets": string_array(),
                        "query": predicate(),
                    },
                })),
                "responses": responses(
                    "200",
                    json_response("The facets.", schema_ref("EntityFacetsResponse")),
                    errors(),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/refresh",
            json!({
                "operationId": "RefreshEntity",
                "tags": ["Entity"],
                "summary": "Refresh the entity related to entityRef.",
                "description": "Marks the entity so that the next refresh pass reprocesses the \
                    source that emits it and every source above it, up to its root location, \
                    even if their bytes did not change; wakes the refresh loop and answers at \
                    once, without waiting for the pass (as Backstage does). `entityRef` is \
                    `<kind>:[<namespace>/]<name>` (the namespace defaults to `default`), matched \
                    ignoring case; an invalid ref answers 400, an unknown entity 404, a body over \
                    4 MiB 413. `authorizationToken` is accepted and ignored (Greenroom has no \
                    per-user permissions). Allowed with `catalog.readonly`.",
                "requestBody": json_request(true, json!({
                    "type": "object",
                    "properties": {
                        "authorizationToken": {"type": "string"},
                        "entityRef": {
                            "type": "string",
                            "description":
                                "The reference to a single entity that should be refreshed",
                        },
                    },
                    "required": ["entityRef"],
                    "description": "Options for requesting a refresh of entities in the catalog.",
                })),
                "responses": {
                    "200": {"description": "Refresh scheduled."},
                    "400": error_response(),
                    "404": error_response(),
                    "413": error_response(),
                    "default": error_response(),
                },
            }),
        ),
    ]
}
