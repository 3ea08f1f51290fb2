//! Operation docs for the catalog's location API (`/api/catalog/locations`,
//! `/analyze-location`) and `/validate-entity`, following Backstage's
//! catalog-backend spec: its operationIds, bodies and response schemas, with
//! what Greenroom does differently said in each description (`file`
//! locations, registration processing at once, readonly mode, body limits).

use serde_json::{Value, json};

use super::{OperationDoc, error_response, json_request, json_response, responses, schema_ref};
use crate::api_routes::HttpMethod::{Delete, Get, Post, Put};

/// The envelope error responses for these statuses, plus `default`.
fn errors(statuses: &[&str]) -> Value {
    let mut out = serde_json::Map::new();
    for status in statuses {
        out.insert((*status).to_owned(), error_response());
    }
    out.insert("default".to_owned(), error_response());
    Value::Object(out)
}

/// The `{id}` path parameter of `/locations/{id}`.
fn id_param() -> Value {
    json!({
        "in": "path",
        "name": "id",
        "required": true,
        "description": "The location's id (assigned at registration).",
        "schema": {"type": "string"},
    })
}

/// `{kind}`, `{namespace}`, `{name}` as Backstage declares them for
/// `/locations/by-entity` (inline, unlike the entity routes' components).
fn entity_path_params() -> Value {
    let param = |name: &str| {
        json!({
            "in": "path",
            "name": name,
            "required": true,
            "schema": {"type": "string"},
        })
    };
    json!([param("kind"), param("namespace"), param("name")])
}

/// A `{type, target}` request body, with what Greenroom accepts.
fn location_input(description: &str) -> Value {
    json!({
        "allOf": [schema_ref("LocationInput")],
        "description": description,
    })
}

const LOCATION_TYPES: &str = "`type` is `url` (an `http`/`https` URL that \
    `backend.reading.allow` permits) or, unlike Backstage, `file` (an absolute path without `..` \
    segments to a file, a glob, or a folder whose `catalog-info.yaml` files are discovered; its \
    reads stay inside its own folder).";

pub(super) fn operations() -> Vec<OperationDoc> {
    vec![
        OperationDoc::new(
            Post,
            "/api/catalog/locations",
            json!({
                "operationId": "CreateLocation",
                "tags": ["Locations"],
                "summary": "Create a location for a given target.",
                "description": format!("Registers a location, after checking that its target \
                    can be read (400 otherwise). {LOCATION_TYPES}\n\n\
                    Unlike Backstage, which answers `entities: []` and processes later, Greenroom \
                    processes the new location at once: `entities` are the stitched entities it \
                    brought in, in walk order, starting with the Location entity that stands for \
                    it (`location.entityRef`); entities that failed processing are left out.\n\n\
                    With `dryRun=true` nothing is stored: the location's tree is walked in \
                    memory (at most 10,000 sources) and `entities` are the entities it would \
                    bring in, `location.id` is `type:target` and `exists` says whether it is \
                    registered already. Duplicate entities or processing problems answer 400.\n\n\
                    Registering a location that exists answers 409 `ConflictError`, unless \
                    `onConflict=refresh` (or `catalog.defaultLocationConflictStrategy: refresh`), \
                    which refreshes it at once and answers 201 with `exists: true`.\n\n\
                    With `catalog.readonly`, registering answers 403 `NotAllowedError` (dry runs \
                    are allowed). A body over 4 MiB answers 413."),
                "parameters": [
                    {
                        "in": "query",
                        "name": "dryRun",
                        "required": false,
                        "allowReserved": true,
                        "description": "`true` (also `yes`, `y`, `1`, `on` or empty) for a dry \
                            run, `false` (also `no`, `n`, `0`, `off`; the default) to register. \
                            Any other value answers 400 (Backstage reads it as `false`).",
                        "schema": {"type": "string"},
                    },
                    {
                        "in": "query",
                        "name": "onConflict",
                        "required": false,
                        "allowReserved": true,
                        "description": "Behavior when the location already exists. 'reject' \
                            returns a 409 error, 'refresh' triggers a refresh of the existing \
                            location and returns 201. The default is \
                            `catalog.defaultLocationConflictStrategy` (`reject` unless \
                            configured). Any other value answers 400.",
                        "schema": {"type": "string", "enum": ["refresh", "reject"]},
                    },
                ],
                "requestBody": json_request(true, location_input(
                    "The location to register; other fields (such as `presence`) are ignored.",
                )),
                "responses": responses(
                    "201",
                    json_response(
                        "Created (or, with `dryRun`, what would be).",
                        json!({
                            "type": "object",
                            "properties": {
                                "exists": {
                                    "type": "boolean",
                                    "description": "Always present in a dry run (whether the \
                                        location is registered); otherwise only `true`, when \
                                        `onConflict=refresh` refreshed an existing location.",
                                },
                                "entities": {
                                    "type": "array",
                                    "items": schema_ref("Entity"),
                                },
                                "location": schema_ref("Location"),
                            },
                            "required": ["entities", "location"],
                        }),
                    ),
                    errors(&["400", "403", "409", "413"]),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/locations",
            json!({
                "operationId": "GetLocations",
                "tags": ["Locations"],
                "summary": "Get all locations",
                "description": "The locations registered through the API, oldest first. As in \
                    Backstage, locations from `catalog.locations` (and `--catalog`/`--demo`) are \
                    not listed.",
                "responses": responses(
                    "200",
                    json_response(
                        "The registered locations.",
                        json!({
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"data": schema_ref("Location")},
                                "required": ["data"],
                            },
                        }),
                    ),
                    errors(&[]),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/locations/by-query",
            json!({
                "operationId": "GetLocationsByQuery",
                "tags": ["Locations"],
                "summary": "Query for locations",
                "description": "Registered locations, ordered by id, in pages of `limit` \
                    (default 1,000) with a `pageInfo.nextCursor` when more follow. With \
                    `cursor`, the cursor alone decides (it carries the query and the limit). \
                    An empty body lists every registered location.",
                "requestBody": json_request(false, json!({
                    "type": "object",
                    "properties": {
                        "cursor": {"type": "string"},
                        "limit": {"type": "number", "description": "An integer >= 1."},
                        "query": {
                            "allOf": [schema_ref("JsonObject")],
                            "description": "A filter predicate on `id`, `type` and `target` \
                                (keys ignoring case): a field object `{\"<field>\": value}` \
                                whose value is a string, number or boolean (equality, ignoring \
                                case except for `id`), `{\"$in\": [...]}`, \
                                `{\"$hasPrefix\": \"s\"}` (ignoring case), \
                                `{\"$exists\": bool}` or `{\"$contains\": value}` (matches \
                                nothing: no field is an array); combined with \
                                `{\"$all\": [...]}`, `{\"$any\": [...]}` and \
                                `{\"$not\": predicate}`, at most 32 levels deep.",
                        },
                    },
                })),
                "responses": responses(
                    "200",
                    json_response(
                        "A page of locations.",
                        schema_ref("LocationsQueryResponse"),
                    ),
                    errors(&["400", "413"]),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/locations/{id}",
            json!({
                "operationId": "GetLocation",
                "tags": ["Locations"],
                "summary": "Get a location by id.",
                "parameters": [id_param()],
                "responses": responses(
                    "200",
                    json_response("The location.", schema_ref("Location")),
                    errors(&["404"]),
                ),
            }),
        ),
        OperationDoc::new(
            Put,
            "/api/catalog/locations/{id}",
            json!({
                "operationId": "UpdateLocation",
                "tags": ["Locations"],
                "summary": "Update the type and target of an existing location by id.",
                "description": format!("Replaces the location's type and target (the same \
                    ones answer the location unchanged). The new target must be readable \
                    (400 otherwise); what the old target brought in is removed at once and the \
                    new target is processed at once. {LOCATION_TYPES} A type and target that \
                    another location has answer 409, an unknown id 404. With \
                    `catalog.readonly` the change answers 403 `NotAllowedError`. A body over \
                    4 MiB answers 413."),
                "parameters": [id_param()],
                "requestBody": json_request(true, location_input(
                    "The new type and target; other fields are ignored.",
                )),
                "responses": responses(
                    "200",
                    json_response("The updated location.", schema_ref("Location")),
                    errors(&["400", "403", "404", "409", "413"]),
                ),
            }),
        ),
        OperationDoc::new(
            Delete,
            "/api/catalog/locations/{id}",
            json!({
                "operationId": "DeleteLocation",
                "tags": ["Locations"],
                "summary": "Delete a location by id.",
                "description": "Unregisters the location and deletes the entities it brought in \
                    at once, whatever `catalog.orphanStrategy` says. An unknown id answers 404. \
                    With `catalog.readonly` the deletion answers 403 `NotAllowedError`.",
                "parameters": [id_param()],
                "responses": responses(
                    "204",
                    json!({"description": "No content"}),
                    errors(&["403", "404"]),
                ),
            }),
        ),
        OperationDoc::new(
            Get,
            "/api/catalog/locations/by-entity/{kind}/{namespace}/{name}",
            json!({
                "operationId": "getLocationByEntity",
                "tags": ["Locations"],
                "summary": "Get a location for entity.",
                "description": "The registered location the entity originates from (its \
                    `backstage.io/managed-by-origin-location` annotation). Kind, namespace and \
                    name match ignoring case. 404 when there is no such entity, it has no origin \
                    annotation, or its origin is not a registered location (for instance one \
                    from `catalog.locations`).",
                "parameters": entity_path_params(),
                "responses": responses(
                    "200",
                    json_response("The location.", schema_ref("Location")),
                    errors(&["404"]),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/analyze-location",
            json!({
                "operationId": "AnalyzeLocation",
                "tags": ["Locations"],
                "summary": "Validate a given location.",
                "description": "What a git repository or folder already holds for the catalog: \
                    each entity of its catalog files (`catalog-info.yaml` and \
                    `catalog-info.yml`, or only `catalogFilename`; at most 100 files) with the \
                    location to register and whether it is registered; when there is none, the \
                    entity Backstage's analyzer would propose.\n\n\
                    A `url` location is a git repository: an `http`/`https` URL that \
                    `backend.reading.allow` permits, or a local `file://` repository, cloned \
                    shallowly with `git` (within 60 seconds). Unlike Backstage, a `file` \
                    location (an absolute path to a folder or a file on the server, without \
                    `..`) is read in place. Stores nothing, so it is allowed with \
                    `catalog.readonly`.\n\n\
                    400 when the type is neither, the target is not a URL, the URL is not \
                    allowed, `git` fails or times out, or a catalog file has problems (named in \
                    the message). A body over 4 MiB answers 413.",
                "requestBody": json_request(true, json!({
                    "type": "object",
                    "properties": {
                        "catalogFilename": {
                            "type": "string",
                            "description": "Only files with exactly this name (a plain file \
                                name) are catalog files. The spelling Backstage's code reads.",
                        },
                        "catalogFileName": {
                            "type": "string",
                            "description": "The spelling of Backstage's OpenAPI document, \
                                read when `catalogFilename` is absent.",
                        },
                        "location": schema_ref("LocationInput"),
                    },
                    "required": ["location"],
                })),
                "responses": responses(
                    "200",
                    json_response(
                        "The analysis.",
                        schema_ref("AnalyzeLocationResponse"),
                    ),
                    errors(&["400", "413"]),
                ),
            }),
        ),
        OperationDoc::new(
            Post,
            "/api/catalog/validate-entity",
            json!({
                "operationId": "ValidateEntity",
                "tags": ["Entity"],
                "summary": "Validate that a passed in entity has no errors in schema.",
                "description": "Runs the checks ingestion runs on one entity (placeholders, \
                    location annotations, validation, and `catalog.rules` judged by \
                    `location`), storing nothing, so it is allowed with `catalog.readonly`. As \
                    in Backstage, `location` must be a `url:<target>` location ref, and every \
                    refusal, a malformed body included, answers 400 with `{errors}` rather than \
                    the error envelope; a problem found in a field of the entity also names that \
                    `field`. A body over 4 MiB answers 413 in the error envelope.",
                "requestBody": json_request(true, json!({
                    "type": "object",
                    "properties": {
                        "location": {
                            "type": "string",
                            "description": "`url:<target>`, e.g. \
                                `url:https://host/path/catalog-info.yaml`.",
                        },
                        "entity": {"type": "object", "additionalProperties": {}},
                    },
                    "required": ["location", "entity"],
                })),
                "responses": {
                    "200": {"description": "Ok: the entity is valid (empty body)."},
                    "400": json_response(
                        "Validation errors.",
                        json!({
                            "type": "object",
                            "properties": {
                                "errors": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "name": {"type": "string"},
                                            "message": {"type": "string"},
                                            "field": {
                                                "type": "string",
                                                "description": "The entity field the problem \
                                                    concerns (Greenroom's addition).",
                                            },
                                        },
                                        "required": ["name", "message"],
                                        "additionalProperties": {},
                                    },
                                },
                            },
                            "required": ["errors"],
                        }),
                    ),
                    "413": error_response(),
                    "default": error_response(),
                },
            }),
        ),
    ]
}
