//! Drives the real `greenroom` binary: spawn it, find its URL, poll with
//! deadlines (never fixed sleeps), stop it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn greenroom() -> Command {
    Command::new(env!("CARGO_BIN_EXE_greenroom"))
}

/// A running `greenroom serve`, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `greenroom serve --listen 127.0.0.1:0 ARGS...` and waits for
    /// the line announcing its URL.
    pub fn start(args: &[&str]) -> Server {
        let mut child = greenroom()
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn greenroom");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("greenroom exited before announcing its URL")
                .expect("read stdout");
            if let Some(url) = line.strip_prefix("Greenroom is listening on ") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        get(&format!("{}{path}", self.url))
    }

    /// Polls `path` until `check` accepts the response, or panics at the deadline.
    pub fn wait_for(
        &self,
        path: &str,
        deadline: Duration,
        check: impl Fn(u16, &str) -> bool,
    ) -> (u16, String) {
        let start = Instant::now();
        loop {
            let (status, body) = self.get(path);
            if check(status, &body) {
                return (status, body);
            }
            assert!(
                start.elapsed() < deadline,
                "timed out waiting for {path}: last answer {status} {body}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    match agent.get(url).call() {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string().unwrap_or_default();
            (status, body)
        }
        Err(e) => (0, e.to_string()),
    }
}

pub fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

pub fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("reference/backstage").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: shared/ reference folder not found at {}",
            dir.display()
        );
        None
    }
}
