//! One measured run against a settled server: sequential latency of each
//! request with one keep-alive client, then throughput of each with wrk,
//! with the server's memory read before, between and after.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::client::Client;
use super::endpoints::Endpoint;
use super::manifest::Manifest;
use super::server::Server;
use super::stats::{self, Latency};
use super::wrk;

/// Sequential figures of one request kind.
#[derive(Debug, Clone)]
pub struct Sequential {
    pub latency: Latency,
    pub requests: usize,
    /// Median body size in bytes.
    pub body_bytes: f64,
    /// Entities (or facet values) in the last checked response.
    pub items: usize,
}

/// Everything measured for one request kind in one run.
#[derive(Debug, Clone)]
pub struct EndpointRun {
    pub endpoint: Endpoint,
    pub sequential: Sequential,
    pub throughput: Option<wrk::Report>,
    /// Peak RSS (MB) while wrk ran this request alone (or since the server
    /// started, when the kernel would not reset the peak).
    pub load_peak_mb: Option<f64>,
}

/// One run: a fresh server, every request kind measured.
#[derive(Debug, Clone)]
pub struct Run {
    pub settle: Duration,
    pub idle_rss_mb: f64,
    /// The highest RSS seen from start to the end of the load.
    pub peak_mb: f64,
    pub endpoints: Vec<EndpointRun>,
    pub sequential_time: Duration,
    pub load_time: Duration,
    /// The machine's 1-minute load average when measuring began: other
    /// work on the machine shows up in the figures.
    pub load_average: f64,
}

/// What to measure and how.
pub struct Plan<'a> {
    pub requests: Vec<(Endpoint, Vec<String>)>,
    pub sequential_requests: usize,
    pub wrk: Option<(&'a Path, wrk::Load)>,
    /// Where wrk's Lua script goes.
    pub scratch: &'a Path,
    pub manifest: &'a Manifest,
}

/// Measures every request of `plan` against `server`.
pub fn run(
    server: &mut Server,
    client: &Client,
    plan: &Plan,
    settle_limit: Duration,
) -> Result<Run> {
    let settle = server.wait_settled(client, settle_limit)?;
    eprintln!("    server settled in {:.1} s", settle.as_secs_f64());
    let idle = server.memory()?;
    let load_average = load_average().unwrap_or(f64::NAN);

    let started = Instant::now();
    let mut endpoints = Vec::new();
    for (endpoint, paths) in &plan.requests {
        let figures = sequential(
            client,
            *endpoint,
            paths,
            plan.sequential_requests,
            plan.manifest,
        )?;
        eprintln!(
            "    {:<36} p50 {:>8.2} ms  p99 {:>8.2} ms  ({} requests)",
            endpoint.label(),
            figures.latency.p50,
            figures.latency.p99,
            figures.requests
        );
        endpoints.push(EndpointRun {
            endpoint: *endpoint,
            sequential: figures,
            throughput: None,
            load_peak_mb: None,
        });
    }
    server.check_log()?;
    let sequential_time = started.elapsed();
    let mut peak_mb = server.memory()?.peak_mb;

    let started = Instant::now();
    if let Some((wrk_path, load)) = plan.wrk {
        let mut cumulative_noted = false;
        for (run, (_, paths)) in endpoints.iter_mut().zip(&plan.requests) {
            if !server.reset_peak() && !cumulative_noted {
                eprintln!(
                    "    note: the kernel would not reset the peak RSS; each peak under load includes the requests before it"
                );
                cumulative_noted = true;
            }
            let report = wrk::run(wrk_path, &server.url, paths, load, plan.scratch)?;
            let memory = server.memory()?;
            eprintln!(
                "    {:<36} {:>9.0} req/s  p99 {:>8.2} ms  peak RSS {:.0} MB",
                run.endpoint.label(),
                report.requests_per_sec,
                report.p99_ms,
                memory.peak_mb
            );
            peak_mb = peak_mb.max(memory.peak_mb);
            run.throughput = Some(report);
            run.load_peak_mb = Some(memory.peak_mb);
        }
        server.check_log()?;
    }
    Ok(Run {
        settle,
        idle_rss_mb: idle.rss_mb,
        peak_mb,
        endpoints,
        sequential_time,
        load_time: started.elapsed(),
        load_average,
    })
}

/// The 1-minute load average from `/proc/loadavg`.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Warm-up, then `requests` timed requests cycling through `paths`; every
/// response must be a 200 that passes the endpoint's check (checked outside
/// the timed span; repeated full lists of the same size are not re-parsed).
fn sequential(
    client: &Client,
    endpoint: Endpoint,
    paths: &[String],
    requests: usize,
    manifest: &Manifest,
) -> Result<Sequential> {
    if paths.is_empty() {
        bail!("{}: nothing to request", endpoint.label());
    }
    let warmup = endpoint.warmup_requests();
    let requests = endpoint.sequential_requests(requests);
    let mut body = Vec::new();
    let mut samples = Vec::with_capacity(requests);
    let mut sizes = Vec::with_capacity(requests);
    let mut items = 0;
    let mut checked_len = None;
    for (i, path) in paths.iter().cycle().take(warmup + requests).enumerate() {
        let (status, took) = client.get(path, &mut body)?;
        if status != 200 {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            );
        }
        let unchanged_list = endpoint == Endpoint::FullList && checked_len == Some(body.len());
        if !unchanged_list {
            items = endpoint.check(path, &body, manifest)?;
            checked_len = Some(body.len());
        }
        if i >= warmup {
            samples.push(took.as_secs_f64() * 1000.0);
            sizes.push(body.len() as f64);
        }
    }
    Ok(Sequential {
        latency: stats::latency(&samples),
        requests: samples.len(),
        body_bytes: crate::fixture::median(sizes.into_iter()),
        items,
    })
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;

    /// A keep-alive HTTP server answering every request with `status` and
    /// `body`; returns its base URL.
    fn serve(status: u16, body: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    loop {
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                        }
                        // One write: a separate body write would wait for
                        // the delayed ACK of the head (Nagle).
                        let response = format!(
                            "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(response.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        format!("http://{address}")
    }

    fn manifest() -> Manifest {
        serde_json::from_value(serde_json::json!({
            "entities": 2,
            "counts": {"Component": 1, "Location": 1},
            "root_location": "all.yaml",
            "sample": {"component": "a", "search_word": "a", "search_word_component_count": 1}
        }))
        .unwrap()
    }

    const ENTITY: &str =
        r#"{"kind":"Component","metadata":{"name":"a"},"spec":{"type":"service"}}"#;

    #[test]
    fn times_checked_responses() {
        let client = Client::new(&serve(200, ENTITY));
        let paths = ["/api/catalog/entities/by-name/component/default/a".to_owned()];
        let figures = sequential(&client, Endpoint::ByName, &paths, 7, &manifest()).unwrap();
        assert_eq!(figures.requests, 7);
        assert_eq!(figures.items, 1);
        assert_eq!(figures.body_bytes, ENTITY.len() as f64);
        assert!(figures.latency.p50 > 0.0 && figures.latency.p50 <= figures.latency.p99);
    }

    #[test]
    fn an_error_status_stops_the_benchmark() {
        let client = Client::new(&serve(404, r#"{"error":{"name":"NotFoundError"}}"#));
        let paths = ["/api/catalog/entities/by-name/component/default/a".to_owned()];
        let error = sequential(&client, Endpoint::ByName, &paths, 5, &manifest()).unwrap_err();
        assert!(error.to_string().contains("answered 404"), "{error:#}");
    }

    #[test]
    fn a_wrong_answer_stops_the_benchmark() {
        let client = Client::new(&serve(200, ENTITY));
        let paths = ["/api/catalog/entities/by-name/component/default/b".to_owned()];
        let error = sequential(&client, Endpoint::ByName, &paths, 5, &manifest()).unwrap_err();
        assert!(
            format!("{error:#}").contains("expected component b"),
            "{error:#}"
        );
    }
}
