//! One keep-alive HTTP client for sequential latency: each request is timed
//! from sending it to the last byte of the body, and the body is kept for
//! checking (outside the timed span).

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    /// A client for the server at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(600)))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// GETs `path`, reading the whole body into `body`; returns the status
    /// and the time from sending to the last byte.
    pub fn get(&self, path: &str, body: &mut Vec<u8>) -> Result<(u16, Duration)> {
        body.clear();
        let url = format!("{}{path}", self.base);
        let started = Instant::now();
        let mut response = self
            .agent
            .get(&url)
            .call()
            .with_context(|| format!("GET {url}"))?;
        response
            .body_mut()
            .as_reader()
            .read_to_end(body)
            .with_context(|| format!("reading the body of GET {url}"))?;
        let elapsed = started.elapsed();
        Ok((response.status().as_u16(), elapsed))
    }

    /// GETs `path` as text (for probes).
    pub fn get_text(&self, path: &str) -> Result<(u16, String)> {
        let mut body = Vec::new();
        let (status, _) = self.get(path, &mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}
