//! Prometheus metrics at `/metrics`: request counts and latencies per route
//! (recorded by a middleware around every request), and catalog gauges
//! read from the store when scraped (entities by kind, the stitch queue,
//! processing errors).
//!
//! Hand-written text exposition (format 0.0.4): a handful of series does not
//! earn a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Series of one (method, route).
#[derive(Default)]
struct RouteSeries {
    /// Requests by status code.
    by_status: BTreeMap<u16, u64>,
    /// Cumulative counts per bucket (last: +Inf).
    buckets: [u64; BUCKETS.len() + 1],
    seconds_sum: f64,
}

/// Request metrics recorded since the process started.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteSeries>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut routes) = self.routes.lock() else {
            return;
        };
        let series = routes
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        *series.by_status.entry(status).or_default() += 1;
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        series.buckets[bucket] += 1;
        series.seconds_sum += seconds;
    }

    fn render_requests(&self, out: &mut String) {
        let Ok(routes) = self.routes.lock() else {
            return;
        };
        out.push_str(
            "# HELP greenroom_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE greenroom_http_requests_total counter\n");
        for ((method, route), series) in routes.iter() {
            for (status, count) in &series.by_status {
                let _ = writeln!(
                    out,
                    "greenroom_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP greenroom_http_request_duration_seconds Time to answer HTTP requests, by route.\n");
        out.push_str("# TYPE greenroom_http_request_duration_seconds histogram\n");
        for ((method, route), series) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += series.buckets[i];
                let _ = writeln!(
                    out,
                    "greenroom_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += series.buckets[BUCKETS.len()];
            let _ = writeln!(
                out,
                "greenroom_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
            );
            let _ = writeln!(
                out,
                "greenroom_http_request_duration_seconds_sum{{{labels}}} {}",
                series.seconds_sum
            );
            let _ = writeln!(
                out,
                "greenroom_http_request_duration_seconds_count{{{labels}}} {cumulative}"
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware: times every request and counts it under its route pattern
/// (unmatched paths share one series, so hostile URLs cannot grow it).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    state.metrics.render_requests(&mut out);
    match catalog_gauges(&state, &mut out).await {
        Ok(()) => {}
        Err(e) => {
            tracing::warn!("metrics: could not read catalog gauges: {e}");
            out.push_str("# catalog gauges unavailable: the database did not answer\n");
        }
    }
    process_gauges(&mut out);
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

async fn catalog_gauges(
    state: &AppState,
    out: &mut String,
) -> Result<(), greenroom_store::StoreError> {
    let kinds = state.store.count_by_kind().await?;
    out.push_str("# HELP greenroom_catalog_entities Stitched entities in the catalog, by kind.\n");
    out.push_str("# TYPE greenroom_catalog_entities gauge\n");
    for (kind, count) in kinds {
        let _ = writeln!(
            out,
            "greenroom_catalog_entities{{kind=\"{}\"}} {count}",
            escape(&kind)
        );
    }
    let queue = state.store.stitch_queue_len().await?;
    out.push_str("# HELP greenroom_catalog_stitch_queue_depth Entities waiting to be stitched.\n");
    out.push_str("# TYPE greenroom_catalog_stitch_queue_depth gauge\n");
    let _ = writeln!(out, "greenroom_catalog_stitch_queue_depth {queue}");
    let (entities, sources) = state.store.count_processing_errors().await?;
    out.push_str("# HELP greenroom_catalog_processing_errors Entities and sources that currently have processing errors.\n");
    out.push_str("# TYPE greenroom_catalog_processing_errors gauge\n");
    let _ = writeln!(
        out,
        "greenroom_catalog_processing_errors{{subject=\"entity\"}} {entities}"
    );
    let _ = writeln!(
        out,
        "greenroom_catalog_processing_errors{{subject=\"source\"}} {sources}"
    );
    Ok(())
}

/// Resident memory, from `/proc` where there is one.
fn process_gauges(out: &mut String) {
    let Some(rss) = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
    else {
        return;
    };
    out.push_str("# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
    out.push_str("# TYPE process_resident_memory_bytes gauge\n");
    let _ = writeln!(out, "process_resident_memory_bytes {}", rss * 4096);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_labelled() {
        let metrics = Metrics::default();
        metrics.record("GET", "/api/catalog/entities", 200, 0.0004);
        metrics.record("GET", "/api/catalog/entities", 200, 0.003);
        metrics.record("GET", "/api/catalog/entities", 400, 7.0);
        let mut out = String::new();
        metrics.render_requests(&mut out);
        assert!(out.contains(
            "greenroom_http_requests_total{method=\"GET\",route=\"/api/catalog/entities\",status=\"200\"} 2"
        ));
        assert!(out.contains(
            "greenroom_http_requests_total{method=\"GET\",route=\"/api/catalog/entities\",status=\"400\"} 1"
        ));
        assert!(out.contains("le=\"0.0005\"} 1\n"));
        assert!(out.contains("le=\"0.005\"} 2\n"));
        assert!(out.contains("le=\"5\"} 2\n"));
        assert!(out.contains("le=\"+Inf\"} 3\n"));
        assert!(out.contains("_count{method=\"GET\",route=\"/api/catalog/entities\"} 3\n"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
