//! The catalog's entity read API in Backstage's paths and shapes:
//! listing (streamed, or paged with `Link` headers), cursor queries, lookups
//! by refs, uid and name, ancestry, facets, and deletion by uid.
//!
//! Handlers parse with [`crate::query`], ask the store, and shape the
//! answer; every failure becomes Backstage's error envelope through
//! [`Req::fail`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use greenroom_store::query::{EntityQuery, Keyset, QueriedEntity};
use greenroom_store::{CatalogStore, FinalEntityRow};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::api_routes::ApiRoutes;
use crate::error::{ApiError, ApiFailure};
use crate::query::{
    ByQueryPage, ByQueryRequest, ByRefsRequest, FacetsRequest, FieldSelection, ItemPosition,
    ListRequest, QueryCursor, RawQuery,
};
use crate::request::{self, Origin};

/// Entities per database round trip when streaming a whole list.
const STREAM_PAGE: u64 = 1_000;
/// Longest processing-parent chain followed for `/ancestry`.
const MAX_ANCESTRY: usize = 64;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .get("/entities", list_entities)
        .get("/entities/by-query", query_entities_get)
        .post("/entities/by-query", query_entities_post)
        .post("/entities/by-refs", entities_by_refs)
        .get("/entities/by-uid/{uid}", entity_by_uid)
        .delete("/entities/by-uid/{uid}", delete_entity_by_uid)
        .get(
            "/entities/by-name/{kind}/{namespace}/{name}",
            entity_by_name,
        )
        .get(
            "/entities/by-name/{kind}/{namespace}/{name}/ancestry",
            entity_ancestry,
        )
        .get("/entity-facets", facets_get)
        .post("/entity-facets", facets_post)
}

/// The request being answered: its origin (for error envelopes) and the
/// URI as the catalog router sees it, without `/api/catalog`, which
/// Backstage's `Link` headers are relative to.
pub(crate) struct Req {
    origin: Origin,
    uri: Uri,
}

impl Req {
    pub(crate) fn fail(&self, error: impl Into<ApiError>) -> ApiFailure {
        self.origin.fail(error)
    }

    fn boxed(&self, error: impl Into<ApiError>) -> Box<ApiFailure> {
        Box::new(self.fail(error))
    }

    /// Path parameters, or a 400 naming what is wrong with them (e.g. bytes
    /// that are not UTF-8).
    pub(crate) fn path<T>(
        &self,
        path: Result<Path<T>, PathRejection>,
    ) -> Result<T, Box<ApiFailure>> {
        path.map(|Path(parts)| parts).map_err(|e| {
            self.boxed(ApiError::Input(format!(
                "Invalid path parameter: {}",
                e.body_text()
            )))
        })
    }

    /// The query string, parsed strictly.
    fn query(&self) -> Result<RawQuery, Box<ApiFailure>> {
        RawQuery::parse(self.uri.query()).map_err(|e| self.boxed(e))
    }

    /// An optional JSON object body, read like every other endpoint's
    /// ([`request::json_object`]: content type, size limit); `null` when
    /// empty.
    async fn json_body(&self, headers: &HeaderMap, body: Body) -> Result<Value, Box<ApiFailure>> {
        match request::json_object(headers, body, false).await {
            Ok(object) => Ok(object.map_or(Value::Null, Value::Object)),
            Err(e) => Err(self.boxed(e)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let origin = Origin::from_request_parts(parts, state).await?;
        Ok(Req {
            origin,
            uri: parts.uri.clone(),
        })
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// An entity's JSON as served: the stored body, or its selected fields.
fn entity_json(row: &FinalEntityRow, fields: Option<&FieldSelection>) -> String {
    match fields {
        None => row.body.clone(),
        Some(fields) => match serde_json::from_str::<Value>(&row.body) {
            Ok(entity) => fields.apply(&entity).to_string(),
            Err(_) => "{}".to_owned(),
        },
    }
}

fn entity_value(row: &FinalEntityRow, fields: Option<&FieldSelection>) -> Value {
    let entity: Value = serde_json::from_str(&row.body).unwrap_or(Value::Null);
    match fields {
        None => entity,
        Some(fields) => fields.apply(&entity),
    }
}

fn push_array(out: &mut String, items: impl Iterator<Item = String>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&item);
    }
    out.push(']');
}

// ---------------------------------------------------------------------------
// GET /entities

async fn list_entities(State(state): State<AppState>, req: Req) -> Result<Response, ApiFailure> {
    let raw = req.query()?;
    let request = ListRequest::from_query(&raw).map_err(|e| req.fail(e))?;
    let mut query = request.entity_query();
    let Some(paging) = request.paging else {
        return Ok(stream_all(state.store.clone(), query, request.fields));
    };
    // One extra row tells whether a next page exists.
    let limit = paging.limit;
    query.limit = limit.map(|l| l.saturating_add(1));
    let mut rows = state
        .store
        .query_entities(&query)
        .await
        .map_err(|e| req.fail(e))?;
    let more = limit.is_some_and(|l| rows.len() as u64 > l);
    if let Some(limit) = limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let mut body = String::with_capacity(rows.len() * 1024);
    push_array(
        &mut body,
        rows.iter()
            .map(|e| entity_json(&e.row, request.fields.as_ref())),
    );
    let mut response = json_response(StatusCode::OK, body);
    if more && let Some(after) = paging.next_after() {
        let link = next_link(&req.uri, &raw, &after);
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

/// `</entities?<the request's parameters without offset/after>&after=…>;
/// rel="next"`, relative to the catalog API like Backstage's.
fn next_link(uri: &Uri, raw: &RawQuery, after: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in raw.pairs() {
        if name != "offset" && name != "after" {
            query.append_pair(name, value);
        }
    }
    query.append_pair("after", after);
    format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish())
}

/// The whole result as one JSON array, read page by page (keyset pages in
/// ref order, or offset pages for a custom order) and written as it is
/// read, so memory stays flat whatever the catalog's size.
fn stream_all(
    store: Arc<dyn CatalogStore>,
    query: EntityQuery,
    fields: Option<FieldSelection>,
) -> Response {
    struct Cursor {
        store: Arc<dyn CatalogStore>,
        query: EntityQuery,
        fields: Option<FieldSelection>,
        started: bool,
        finished: bool,
        wrote_any: bool,
    }
    let cursor = Cursor {
        store,
        query,
        fields,
        started: false,
        finished: false,
        wrote_any: false,
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        if c.finished {
            return None;
        }
        let mut chunk = String::new();
        if !c.started {
            c.started = true;
            chunk.push('[');
        }
        let mut page = c.query.clone();
        page.limit = Some(STREAM_PAGE);
        let rows = match c.store.query_entities(&page).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!("streaming entities failed midway: {e}");
                c.finished = true;
                return Some((Err(std::io::Error::other(e.to_string())), c));
            }
        };
        for entity in &rows {
            if c.wrote_any {
                chunk.push(',');
            }
            c.wrote_any = true;
            chunk.push_str(&entity_json(&entity.row, c.fields.as_ref()));
        }
        if (rows.len() as u64) < STREAM_PAGE {
            c.finished = true;
            chunk.push(']');
        } else if c.query.sort.is_empty() {
            if let Some(last) = rows.last() {
                c.query.keyset = Some(Keyset {
                    sort_values: Vec::new(),
                    tiebreak: last.tiebreak.clone(),
                    backwards: false,
                });
            }
        } else {
            c.query.offset += STREAM_PAGE;
        }
        Some((Ok::<_, std::io::Error>(Bytes::from(chunk)), c))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// GET / POST /entities/by-query

async fn query_entities_get(
    State(state): State<AppState>,
    req: Req,
) -> Result<Response, ApiFailure> {
    let raw = req.query()?;
    let request = ByQueryRequest::from_query(&raw).map_err(|e| req.fail(e))?;
    answer_by_query(&state, &req, request).await
}

async fn query_entities_post(
    State(state): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let body = req.json_body(&headers, body).await?;
    let request = ByQueryRequest::from_body(&body).map_err(|e| req.fail(e))?;
    answer_by_query(&state, &req, request).await
}

fn position(entity: &QueriedEntity) -> ItemPosition {
    ItemPosition {
        sort_values: entity.sort_values.clone(),
        uid: entity.tiebreak.clone(),
    }
}

async fn answer_by_query(
    state: &AppState,
    req: &Req,
    request: ByQueryRequest,
) -> Result<Response, ApiFailure> {
    let mut query = request.entity_query();
    let backwards = query.keyset.as_ref().is_some_and(|k| k.backwards);
    let limit = request.limit;
    // One extra row tells whether another page follows; a limit of 0 asks
    // for the count alone.
    query.limit = Some(if limit == 0 {
        0
    } else {
        limit.saturating_add(1)
    });
    let count = matches!(&request.page, ByQueryPage::Initial(initial) if initial.include_total);
    let (mut rows, counted) = state
        .store
        .query_page(&query, count.then_some(u64::MAX))
        .await
        .map_err(|e| req.fail(e))?;
    let limit_len = usize::try_from(limit).unwrap_or(usize::MAX);
    let extra = rows.len() > limit_len;
    if extra {
        if backwards {
            rows.remove(0);
        } else {
            rows.truncate(limit_len);
        }
    }

    let (total_items, first, at_start) = match &request.page {
        ByQueryPage::Initial(initial) => {
            let first = rows.first().map(position);
            (counted, first, initial.offset == 0)
        }
        ByQueryPage::Cursor(cursor) => {
            let at_start = if backwards {
                !extra
            } else {
                rows.first().map(position).as_ref() == Some(&cursor.first)
            };
            (cursor.total_items, Some(cursor.first.clone()), at_start)
        }
    };

    let spec = request.spec().clone();
    let cursor_at = |entity: &QueriedEntity, backwards: bool| -> Option<String> {
        let first = first.clone()?;
        Some(
            QueryCursor {
                spec: spec.clone(),
                keyset: Keyset {
                    sort_values: entity.sort_values.clone(),
                    tiebreak: entity.tiebreak.clone(),
                    backwards,
                },
                total_items,
                first,
            }
            .encode(),
        )
    };
    let has_next = if backwards { true } else { extra };
    let mut page_info = Map::new();
    if has_next
        && let Some(last) = rows.last()
        && let Some(next) = cursor_at(last, false)
    {
        page_info.insert("nextCursor".to_owned(), Value::String(next));
    }
    if !at_start
        && let Some(head) = rows.first()
        && let Some(prev) = cursor_at(head, true)
    {
        page_info.insert("prevCursor".to_owned(), Value::String(prev));
    }

    let mut body = String::with_capacity(rows.len() * 1024 + 128);
    body.push_str("{\"items\":");
    push_array(
        &mut body,
        rows.iter()
            .map(|e| entity_json(&e.row, request.fields.as_ref())),
    );
    if let Some(total) = total_items {
        body.push_str(&format!(",\"totalItems\":{total}"));
    }
    body.push_str(",\"pageInfo\":");
    body.push_str(&Value::Object(page_info).to_string());
    body.push('}');
    Ok(json_response(StatusCode::OK, body))
}

// ---------------------------------------------------------------------------
// POST /entities/by-refs

async fn entities_by_refs(
    State(state): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let raw = req.query()?;
    let body = req.json_body(&headers, body).await?;
    let request = ByRefsRequest::parse(&raw, &body).map_err(|e| req.fail(e))?;
    let lookups: Vec<String> = request
        .entity_refs
        .iter()
        .filter_map(|r| canonical_ref(r))
        .collect();
    let rows = state
        .store
        .final_entities_by_refs(&lookups, request.filter.as_ref())
        .await
        .map_err(|e| req.fail(e))?;
    let by_ref: HashMap<&str, &FinalEntityRow> =
        rows.iter().map(|r| (r.entity_ref.as_str(), r)).collect();
    let wanted: Vec<Option<String>> = request
        .entity_refs
        .iter()
        .map(|r| canonical_ref(r))
        .collect();
    let mut out = String::with_capacity(rows.len() * 1024 + 16);
    out.push_str("{\"items\":");
    push_array(
        &mut out,
        wanted.iter().map(|r| {
            r.as_deref().and_then(|r| by_ref.get(r)).map_or_else(
                || "null".to_owned(),
                |row| entity_json(row, request.fields.as_ref()),
            )
        }),
    );
    out.push('}');
    Ok(json_response(StatusCode::OK, out))
}

/// `kind:namespace/name` in lower case (namespace `default` when left
/// out); `None` for text that is not an entity ref.
fn canonical_ref(text: &str) -> Option<String> {
    let (kind, rest) = text.split_once(':')?;
    let (namespace, name) = rest.split_once('/').unwrap_or(("default", rest));
    if kind.is_empty() || namespace.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some(format!("{kind}:{namespace}/{name}").to_lowercase())
}

// ---------------------------------------------------------------------------
// by uid, by name, ancestry

async fn entity_by_uid(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: Req,
) -> Result<Response, ApiFailure> {
    let uid = req.path(path)?;
    match state
        .store
        .final_entity_by_uid(&uid)
        .await
        .map_err(|e| req.fail(e))?
    {
        Some(row) => Ok(json_response(StatusCode::OK, row.body)),
        None => Err(req.fail(ApiError::NotFound(format!("No entity with uid {uid}")))),
    }
}

async fn delete_entity_by_uid(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    req: Req,
) -> Result<Response, ApiFailure> {
    let uid = req.path(path)?;
    crate::ensure_writable(&state).map_err(|e| req.fail(e))?;
    if state
        .store
        .delete_entity_by_uid(&uid)
        .await
        .map_err(|e| req.fail(e))?
    {
        // Stitch what pointed at it and let a still-registered source bring
        // it back, as Backstage does.
        let _ = state.refresh.try_send(());
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(req.fail(ApiError::NotFound(format!("No entity with uid {uid}"))))
    }
}

fn entity_ref(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind}:{namespace}/{name}").to_lowercase()
}

async fn entity_by_name(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    req: Req,
) -> Result<Response, ApiFailure> {
    let (kind, namespace, name) = req.path(path)?;
    match state
        .store
        .final_entity(&entity_ref(&kind, &namespace, &name))
        .await
        .map_err(|e| req.fail(e))?
    {
        Some(row) => Ok(json_response(StatusCode::OK, row.body)),
        None => Err(req.fail(ApiError::NotFound(format!(
            "No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        )))),
    }
}

async fn entity_ancestry(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    req: Req,
) -> Result<Response, ApiFailure> {
    let (kind, namespace, name) = req.path(path)?;
    let root = entity_ref(&kind, &namespace, &name);
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut current = Some(root.clone());
    while let Some(entity_ref) = current.take() {
        if items.len() >= MAX_ANCESTRY || !seen.insert(entity_ref.clone()) {
            break;
        }
        let Some(row) = state
            .store
            .final_entity(&entity_ref)
            .await
            .map_err(|e| req.fail(e))?
        else {
            if items.is_empty() {
                return Err(req.fail(ApiError::NotFound(format!("No such entity {root}"))));
            }
            break;
        };
        let parent = state
            .store
            .entity_parent(&entity_ref)
            .await
            .map_err(|e| req.fail(e))?
            .flatten();
        items.push(json!({
            "entity": entity_value(&row, None),
            "parentEntityRefs": parent.iter().collect::<Vec<_>>(),
        }));
        current = parent;
    }
    let body = json!({"rootEntityRef": root, "items": items});
    Ok(json_response(StatusCode::OK, body.to_string()))
}

// ---------------------------------------------------------------------------
// GET / POST /entity-facets

async fn facets_get(State(state): State<AppState>, req: Req) -> Result<Response, ApiFailure> {
    let raw = req.query()?;
    let request = FacetsRequest::from_query(&raw).map_err(|e| req.fail(e))?;
    answer_facets(&state, &req, request).await
}

async fn facets_post(
    State(state): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    let body = req.json_body(&headers, body).await?;
    let request = FacetsRequest::from_body(&body).map_err(|e| req.fail(e))?;
    answer_facets(&state, &req, request).await
}

async fn answer_facets(
    state: &AppState,
    req: &Req,
    request: FacetsRequest,
) -> Result<Response, ApiFailure> {
    let keys: Vec<String> = request.facets.iter().map(|f| f.key.clone()).collect();
    let counts = state
        .store
        .facets(&keys, request.filter.as_ref())
        .await
        .map_err(|e| req.fail(e))?;
    let mut facets = Map::new();
    for (facet, counts) in request.facets.iter().zip(counts) {
        facets.insert(
            facet.name.clone(),
            Value::Array(
                counts
                    .values
                    .into_iter()
                    .map(|(value, count)| json!({"value": value, "count": count}))
                    .collect(),
            ),
        );
    }
    Ok(json_response(
        StatusCode::OK,
        json!({ "facets": facets }).to_string(),
    ))
}
