//! The `greenroom serve` process under measurement: starting it on the
//! benchmark's database and config, waiting until its first refresh pass
//! has settled (so the pass does not land in the measurements), and reading
//! its memory and CPU from `/proc`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::client::Client;
use crate::fixture::FreshDatabase;

/// What the server's log says about its refresh passes.
enum Event {
    Refreshed,
    Failed(String),
}

/// A running `greenroom serve`, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
    events: mpsc::Receiver<Event>,
}

/// Resident memory of the server, in MB (2^20 bytes).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`: now.
    pub rss_mb: f64,
    /// `VmHWM`: the peak since start (or since [`Server::reset_peak`]).
    pub peak_mb: f64,
}

impl Server {
    /// Starts `greenroom serve` on a free loopback port and waits for the
    /// line announcing its URL.
    pub fn start(binary: &Path, config: &Path, database: &FreshDatabase) -> Result<Server> {
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(&database.data_dir)
            .args(["--listen", "127.0.0.1:0"])
            // The refresh summaries, and nothing per request.
            .env("RUST_LOG", "warn,greenroom::commands=info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(url) = &database.url {
            command.args(["--database-url", url]);
        }
        let mut child = command.spawn().context("starting greenroom serve")?;
        let (url_tx, url_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("Greenroom is listening on ") {
                        let _ = url_tx.send(url.trim().to_owned());
                    }
                }
            });
        }
        let (events_tx, events) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let event = if line.contains("catalog refreshed") {
                        Event::Refreshed
                    } else if line.contains("ERROR") {
                        Event::Failed(line)
                    } else {
                        continue;
                    };
                    if events_tx.send(event).is_err() {
                        break;
                    }
                }
            });
        }
        let mut server = Server {
            child,
            url: String::new(),
            events,
        };
        server.url = match url_rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                bail!(
                    "greenroom serve did not announce its URL within 120 s (exit status: {status:?})"
                );
            }
        };
        Ok(server)
    }

    /// Waits until the catalog answers, the first refresh pass has finished
    /// with nothing left to stitch, and the process has been idle for a
    /// second; returns how long that took.
    pub fn wait_settled(&mut self, client: &Client, deadline: Duration) -> Result<Duration> {
        let started = Instant::now();
        let remaining = || deadline.saturating_sub(started.elapsed());
        let probe = "/api/catalog/entities?filter=kind=location&limit=1";
        loop {
            if let Ok((200, body)) = client.get_text(probe)
                && body.trim_start().starts_with('[')
                && body.len() > 2
            {
                break;
            }
            self.check_alive()?;
            if remaining().is_zero() {
                bail!("{probe} did not list a Location within {deadline:?}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        match self.events.recv_timeout(remaining()) {
            Ok(Event::Refreshed) => {}
            Ok(Event::Failed(line)) => bail!("greenroom serve logged an error: {line}"),
            Err(_) => bail!("the first refresh pass did not finish within {deadline:?}"),
        }
        loop {
            let (status, metrics) = client.get_text("/metrics")?;
            if status == 200
                && metrics
                    .lines()
                    .any(|l| l.trim() == "greenroom_catalog_stitch_queue_depth 0")
            {
                break;
            }
            if remaining().is_zero() {
                bail!("the stitch queue did not drain within {deadline:?}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        // Quiet: under 5% of a core for a whole second (background work
        // such as a WAL checkpoint or autovacuum on our side ends first).
        let mut before = self.cpu_seconds()?;
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let now = self.cpu_seconds()?;
            if now - before < 0.05 {
                break;
            }
            before = now;
            if remaining().is_zero() {
                eprintln!("  note: the server never went idle; measuring anyway");
                break;
            }
        }
        Ok(started.elapsed())
    }

    fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => bail!("greenroom serve exited ({status})"),
            Err(e) => bail!("greenroom serve: {e}"),
        }
    }

    /// Fails if the server logged an error since it settled.
    pub fn check_log(&self) -> Result<()> {
        while let Ok(event) = self.events.try_recv() {
            if let Event::Failed(line) = event {
                bail!("greenroom serve logged an error: {line}");
            }
        }
        Ok(())
    }

    /// Current and peak resident memory.
    pub fn memory(&self) -> Result<Memory> {
        let path = format!("/proc/{}/status", self.child.id());
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        Ok(Memory {
            rss_mb: status_kib(&status, "VmRSS:").context("no VmRSS")? / 1024.0,
            peak_mb: status_kib(&status, "VmHWM:").context("no VmHWM")? / 1024.0,
        })
    }

    /// Resets `VmHWM` to the current RSS (Linux `clear_refs` 5), so the
    /// next [`Server::memory`] shows the peak of what ran in between.
    /// False when the kernel refused (the peak then spans everything).
    pub fn reset_peak(&self) -> bool {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").is_ok()
    }

    /// User plus system CPU seconds used so far.
    pub fn cpu_seconds(&self) -> Result<f64> {
        let path = format!("/proc/{}/stat", self.child.id());
        let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        stat_cpu_seconds(&stat).with_context(|| format!("reading {path}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `kB` figure of `/proc/<pid>/status`.
fn status_kib(status: &str, key: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// utime + stime of `/proc/<pid>/stat`, at 100 ticks per second (the value
/// on every Linux configuration we run on).
fn stat_cpu_seconds(stat: &str) -> Option<f64> {
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_figures() {
        let status = "Name:\tgreenroom\nVmHWM:\t  204800 kB\nVmRSS:\t   51200 kB\n";
        assert_eq!(status_kib(status, "VmHWM:"), Some(204_800.0));
        assert_eq!(status_kib(status, "VmRSS:"), Some(51_200.0));
        assert_eq!(status_kib(status, "VmSwap:"), None);
        let stat = "4242 (green room) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0";
        assert_eq!(stat_cpu_seconds(stat), Some(3.0));
        assert_eq!(stat_cpu_seconds("garbage"), None);
    }

    #[test]
    fn reads_its_own_process() {
        if cfg!(target_os = "linux") {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            assert!(status_kib(&status, "VmHWM:").unwrap() > 0.0);
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
            assert!(stat_cpu_seconds(&stat).unwrap() >= 0.0);
        }
    }
}
