//! Browser-side protections of the pages: the Content-Security-Policy sent
//! with every response, and the same-origin check on form posts.
//!
//! Pages contain no inline script, style or event handler, so the policy
//! can allow only the portal's own files. Form posts change the catalog
//! (refresh, register, unregister); browsers say where a request came
//! from (`Sec-Fetch-Site`, or else `Origin`), and a post from another
//! site is refused, which is what stops cross-site request forgery.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;

/// The policy: the portal's own scripts, styles, images and form targets,
/// nothing inline, no framing, no plugins.
pub const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Middleware adding the policy and its companions to every response.
pub async fn content_security_policy(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Refuses a form post that a browser says came from another site.
///
/// `Sec-Fetch-Site` decides when present (every current browser sends
/// it); otherwise `Origin` must name this host. A request with neither
/// header is not from a browser page (curl, scripts) and cannot be forged
/// by one, so it passes.
pub fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let refused = || {
        ApiError::NotAllowed(
            "This form was sent from another site; open the page in the portal and send it again."
                .to_owned(),
        )
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(refused()),
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest);
    match (origin_host, host) {
        (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host) => Ok(()),
        _ => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn posts_from_the_portal_pass() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(
            same_origin(&headers(&[
                ("origin", "http://127.0.0.1:7007"),
                ("host", "127.0.0.1:7007")
            ]))
            .is_ok()
        );
        assert!(
            same_origin(&headers(&[])).is_ok(),
            "no browser headers: not a browser"
        );
    }

    #[test]
    fn posts_from_other_sites_are_refused() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-site")])).is_err());
        assert!(
            same_origin(&headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:7007")
            ]))
            .is_err()
        );
        assert!(same_origin(&headers(&[("origin", "null"), ("host", "127.0.0.1:7007")])).is_err());
    }
}
