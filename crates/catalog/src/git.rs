//! Running the `git` program safely: a hardened environment (no prompts,
//! no system or user configuration, no hooks, no redirects, only the
//! protocols the caller allows), a deadline, and bounded output. Used to
//! clone repositories for analysis and, by the Scaffolder, to publish new
//! ones.

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How one `git` command runs.
#[derive(Debug, Clone, Copy)]
pub struct GitOptions<'a> {
    /// `GIT_ALLOW_PROTOCOL` (e.g. `http:https:file`).
    pub protocols: &'a str,
    /// When the command is killed.
    pub deadline: Instant,
    /// Most bytes of standard output kept.
    pub max_output: usize,
    /// Extra environment variables (author names, credential helpers).
    pub env: &'a [(&'a str, &'a str)],
}

/// Why a `git` command failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GitError {
    #[error("could not run git: {0}")]
    Spawn(String),
    #[error("git did not finish in time")]
    Timeout,
    /// The last line git wrote to standard error.
    #[error("{0}")]
    Failed(String),
}

/// Runs `git args…` in `cwd`, returning its standard output.
pub fn run(
    args: &[&OsStr],
    cwd: Option<&Path>,
    options: &GitOptions<'_>,
) -> Result<Vec<u8>, GitError> {
    let mut command = Command::new("git");
    command
        .args([
            "-c",
            "http.followRedirects=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ALLOW_PROTOCOL", options.protocols)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in options.env {
        command.env(name, value);
    }
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let mut child = command
        .spawn()
        .map_err(|e| GitError::Spawn(e.to_string()))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let max_output = options.max_output;
    let out = std::thread::spawn(move || read_limited(stdout, max_output));
    let err = std::thread::spawn(move || read_limited(stderr, 64 * 1024));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= options.deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(GitError::Spawn(format!("waiting for git: {e}"))),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let text = String::from_utf8_lossy(&stderr);
        let message = text
            .lines()
            .map(str::trim)
            .rfind(|line| !line.is_empty())
            .unwrap_or("git failed")
            .to_owned();
        Err(GitError::Failed(message))
    }
}

/// Reads a pipe to its end, keeping at most `limit` bytes (the rest is
/// drained so the child never blocks on a full pipe).
fn read_limited(pipe: Option<impl Read>, limit: usize) -> Vec<u8> {
    let Some(mut pipe) = pipe else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                let room = limit.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
        }
    }
}
