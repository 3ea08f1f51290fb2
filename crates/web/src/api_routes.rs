//! The route table: every HTTP route is declared once, through
//! [`ApiRoutes`], which registers the handler on the axum router *and*
//! records `(method, path)` in a list. The OpenAPI document is generated
//! from that list ([`crate::openapi`]) and its tests fail when a route has
//! no operation doc or a doc has no route, so the two cannot drift.
//!
//! Paths use axum's `{param}` syntax, which is also OpenAPI's.

use std::fmt;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};

use crate::AppState;

/// The HTTP methods routes are registered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Patch,
}

impl HttpMethod {
    /// Every method, in the order operations are listed under a path.
    pub const ALL: [HttpMethod; 5] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Patch,
    ];

    /// The key of the operation in an OpenAPI path item (`get`, `post`, …).
    pub fn openapi_key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Patch => "patch",
        }
    }

    /// The method for an OpenAPI path item key, if it is one we route.
    pub fn from_openapi_key(key: &str) -> Option<HttpMethod> {
        HttpMethod::ALL.into_iter().find(|m| m.openapi_key() == key)
    }

    fn filter(self) -> MethodFilter {
        match self {
            HttpMethod::Get => MethodFilter::GET,
            HttpMethod::Put => MethodFilter::PUT,
            HttpMethod::Post => MethodFilter::POST,
            HttpMethod::Delete => MethodFilter::DELETE,
            HttpMethod::Patch => MethodFilter::PATCH,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.openapi_key().to_ascii_uppercase())
    }
}

/// One registered route: a method on a path, as served (nest prefixes
/// included).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteInfo {
    pub method: HttpMethod,
    pub path: String,
}

impl fmt::Display for RouteInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// An axum router being built, with the table of what it routes.
///
/// ```
/// use greenroom_web::api_routes::ApiRoutes;
///
/// let api = ApiRoutes::<()>::new().nest(
///     "/api/catalog",
///     ApiRoutes::new()
///         .get("/locations", || async { "[]" })
///         .delete("/locations/{id}", || async { "" }),
/// );
/// let listed: Vec<String> = api.routes().iter().map(ToString::to_string).collect();
/// assert_eq!(listed, ["GET /api/catalog/locations", "DELETE /api/catalog/locations/{id}"]);
/// let (_router, _table) = api.into_parts();
/// ```
pub struct ApiRoutes<S = AppState> {
    router: Router<S>,
    routes: Vec<RouteInfo>,
}

impl<S: Clone + Send + Sync + 'static> Default for ApiRoutes<S> {
    fn default() -> Self {
        ApiRoutes::new()
    }
}

impl<S: Clone + Send + Sync + 'static> ApiRoutes<S> {
    pub fn new() -> Self {
        ApiRoutes {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    /// Routes `method path` to `handler` (axum panics at start-up if the
    /// same method and path are routed twice).
    pub fn route<H, T>(mut self, method: HttpMethod, path: &str, handler: H) -> Self
    where
        H: Handler<T, S>,
        T: 'static,
    {
        self.router = self.router.route(path, on(method.filter(), handler));
        self.routes.push(RouteInfo {
            method,
            path: path.to_owned(),
        });
        self
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(HttpMethod::Get, path, handler)
    }

    pub fn put<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(HttpMethod::Put, path, handler)
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(HttpMethod::Post, path, handler)
    }

    pub fn delete<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(HttpMethod::Delete, path, handler)
    }

    pub fn patch<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.route(HttpMethod::Patch, path, handler)
    }

    /// Adds `other`'s routes as they are.
    pub fn merge(mut self, other: ApiRoutes<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.routes.extend(other.routes);
        self
    }

    /// Adds `other`'s routes under `prefix` (e.g. `/api/catalog`; not `/`).
    /// The same prefix may be nested more than once.
    pub fn nest(mut self, prefix: &str, other: ApiRoutes<S>) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.routes
            .extend(other.routes.into_iter().map(|route| RouteInfo {
                method: route.method,
                path: format!("{prefix}{}", route.path),
            }));
        self
    }

    /// The routes registered so far, in registration order.
    pub fn routes(&self) -> &[RouteInfo] {
        &self.routes
    }

    /// The axum router and the table of its routes.
    pub fn into_parts(self) -> (Router<S>, Vec<RouteInfo>) {
        (self.router, self.routes)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    async fn status(router: &Router, method: &str, uri: &str) -> StatusCode {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        router.clone().oneshot(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn routes_are_registered_and_recorded_with_their_prefix() {
        let first = ApiRoutes::<()>::new()
            .get("/things", || async { "list" })
            .post("/things", || async { "create" })
            .delete("/things/{id}", || async { StatusCode::NO_CONTENT });
        // A second module nested under the same prefix, as the catalog's
        // entity and location routes are.
        let second = ApiRoutes::<()>::new().put("/others/{id}", || async { "put" });
        let all = ApiRoutes::<()>::new()
            .get("/health", || async { "ok" })
            .nest("/api/x", first)
            .nest("/api/x", second);
        let (router, routes) = all.into_parts();
        let listed: Vec<String> = routes.iter().map(ToString::to_string).collect();
        assert_eq!(
            listed,
            [
                "GET /health",
                "GET /api/x/things",
                "POST /api/x/things",
                "DELETE /api/x/things/{id}",
                "PUT /api/x/others/{id}",
            ]
        );
        assert_eq!(status(&router, "GET", "/health").await, StatusCode::OK);
        assert_eq!(
            status(&router, "GET", "/api/x/things").await,
            StatusCode::OK
        );
        assert_eq!(
            status(&router, "POST", "/api/x/things").await,
            StatusCode::OK
        );
        assert_eq!(
            status(&router, "DELETE", "/api/x/things/7").await,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            status(&router, "PUT", "/api/x/others/7").await,
            StatusCode::OK
        );
        assert_eq!(
            status(&router, "PUT", "/api/x/things").await,
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    #[test]
    fn methods_round_trip_through_openapi_keys() {
        for method in HttpMethod::ALL {
            assert_eq!(
                HttpMethod::from_openapi_key(method.openapi_key()),
                Some(method)
            );
        }
        assert_eq!(HttpMethod::from_openapi_key("parameters"), None);
    }
}
