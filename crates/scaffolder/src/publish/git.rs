//! `publish:git`: commits a folder of the workspace and pushes it to any
//! git remote: an absolute local path, `file://`, `git://`, SSH
//! (`ssh://` or `user@host:path`) or HTTP(S), with a token sent as an
//! `Authorization` header taken from the environment of the one `git`
//! process (never its arguments, never a message).
//!
//! The repository lives in a private folder outside the workspace
//! (`--git-dir`), so the workspace gains no `.git` and later steps see the
//! files as they were. Pushing never forces: a remote branch that already
//! has commits is refused by git and reported.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use greenroom_catalog::git::{self, GitError, GitOptions};

/// Longest a publish may take (commit and push).
const TIMEOUT: Duration = Duration::from_secs(300);
/// Protocols `publish:git` may push over.
const PROTOCOLS: &str = "file:git:ssh:http:https";

/// The inputs of `publish:git`.
#[derive(Debug, Clone)]
pub struct PublishGit {
    pub remote_url: String,
    /// Branch to create (default `main`).
    pub default_branch: String,
    pub commit_message: String,
    pub author_name: String,
    pub author_email: String,
    /// Folder of the workspace to publish (default: all of it).
    pub source_path: Option<String>,
    /// Token for HTTP(S) remotes (from `integrations` config), sent as a
    /// bearer token.
    pub token: Option<String>,
}

impl PublishGit {
    /// The inputs with Backstage's defaults for everything but the remote.
    pub fn to(remote_url: impl Into<String>) -> Self {
        PublishGit {
            remote_url: remote_url.into(),
            default_branch: "main".to_owned(),
            commit_message: "Initial commit".to_owned(),
            author_name: "Scaffolder".to_owned(),
            author_email: "scaffolder@greenroom.invalid".to_owned(),
            source_path: None,
            token: None,
        }
    }
}

/// What `publish:git` outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub remote_url: String,
    pub default_branch: String,
    pub commit_hash: String,
}

/// Why publishing failed (messages never contain the token).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PublishError {
    #[error("{field}: {reason}")]
    Input { field: &'static str, reason: String },
    #[error("could not push to {remote}: {reason}")]
    Git { remote: String, reason: String },
}

/// Commits `workspace/source_path` and pushes it to the remote.
pub fn publish_git(workspace: &Path, request: &PublishGit) -> Result<Published, PublishError> {
    check_remote(&request.remote_url)?;
    check_branch(&request.default_branch)?;
    let source = match &request.source_path {
        Some(path) => workspace.join(relative_inside(path)?),
        None => workspace.to_path_buf(),
    };
    if !source.is_dir() {
        return Err(PublishError::Input {
            field: "sourcePath",
            reason: format!("{} is not a folder of the workspace", source.display()),
        });
    }
    // A private folder for the repository, removed when publishing ends.
    let repository = tempfile::tempdir().map_err(|e| PublishError::Input {
        field: "remoteUrl",
        reason: format!("could not prepare a repository folder: {e}"),
    })?;
    let git_dir = repository.path().join("repo.git");
    let deadline = Instant::now() + TIMEOUT;
    let header = request.token.as_ref().map(|token| {
        format!(
            "Authorization: Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{token}"))
        )
    });
    let mut env: Vec<(&str, &str)> = vec![
        ("GIT_AUTHOR_NAME", &request.author_name),
        ("GIT_AUTHOR_EMAIL", &request.author_email),
        ("GIT_COMMITTER_NAME", &request.author_name),
        ("GIT_COMMITTER_EMAIL", &request.author_email),
    ];
    if let Some(header) = &header {
        env.extend([
            ("GIT_CONFIG_COUNT", "1"),
            ("GIT_CONFIG_KEY_0", "http.extraHeader"),
            ("GIT_CONFIG_VALUE_0", header.as_str()),
        ]);
    }
    let options = GitOptions {
        protocols: PROTOCOLS,
        deadline,
        max_output: 1024 * 1024,
        env: &env,
    };
    let failed = |e: GitError| PublishError::Git {
        remote: redact(&request.remote_url, request.token.as_deref()),
        reason: match e {
            GitError::Timeout => format!("git did not finish within {} seconds", TIMEOUT.as_secs()),
            other => redact(&other.to_string(), request.token.as_deref()),
        },
    };
    let git_dir_arg = format!("--git-dir={}", git_dir.display());
    let work_tree_arg = format!("--work-tree={}", source.display());
    let with_dirs = |rest: &[&str]| -> Vec<String> {
        let mut args = vec![git_dir_arg.clone(), work_tree_arg.clone()];
        args.extend(rest.iter().map(|s| (*s).to_owned()));
        args
    };
    let run = |args: Vec<String>| {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        git::run(&args, Some(&source), &options)
    };
    let result = (|| {
        let initial_branch = format!("--initial-branch={}", request.default_branch);
        run(with_dirs(&["init", "--quiet", &initial_branch]))?;
        run(with_dirs(&["add", "--all", "--force", "."]))?;
        run(with_dirs(&[
            "commit",
            "--quiet",
            "--no-verify",
            "--allow-empty",
            "-m",
            &request.commit_message,
        ]))?;
        let hash = run(with_dirs(&["rev-parse", "HEAD"]))?;
        let refspec = format!("HEAD:refs/heads/{}", request.default_branch);
        run(with_dirs(&[
            "push",
            "--quiet",
            "--",
            &request.remote_url,
            &refspec,
        ]))?;
        Ok::<_, GitError>(String::from_utf8_lossy(&hash).trim().to_owned())
    })();
    let commit_hash = result.map_err(failed)?;
    Ok(Published {
        remote_url: request.remote_url.clone(),
        default_branch: request.default_branch.clone(),
        commit_hash,
    })
}

/// Remotes `publish:git` pushes to. Options smuggled as URLs (`-…`),
/// git's `ext::` transport and relative paths are refused.
fn check_remote(remote: &str) -> Result<(), PublishError> {
    let refuse = |reason: &str| PublishError::Input {
        field: "remoteUrl",
        reason: format!("'{remote}' {reason}"),
    };
    if remote.is_empty() || remote.len() > 2048 || remote.chars().any(char::is_control) {
        return Err(refuse("is not a usable remote"));
    }
    if remote.starts_with('-') {
        return Err(refuse("must not start with '-'"));
    }
    if remote.starts_with('/') {
        return Ok(());
    }
    if let Some((scheme, _)) = remote.split_once("://") {
        return match scheme.to_ascii_lowercase().as_str() {
            "file" | "git" | "ssh" | "http" | "https" => Ok(()),
            _ => Err(refuse(
                "uses a protocol publish:git does not push over (file, git, ssh, http, https)",
            )),
        };
    }
    // scp-like SSH: user@host:path
    match remote.split_once(':') {
        Some((host, path)) if host.contains('@') && !host.contains('/') && !path.is_empty() => {
            Ok(())
        }
        _ => Err(refuse("is neither an absolute path nor a git URL")),
    }
}

fn check_branch(branch: &str) -> Result<(), PublishError> {
    let valid = !branch.is_empty()
        && branch.len() <= 200
        && !branch.starts_with(['-', '/'])
        && !branch.ends_with(['/', '.'])
        && !branch.contains("..")
        && !branch.contains("//")
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if valid {
        Ok(())
    } else {
        Err(PublishError::Input {
            field: "defaultBranch",
            reason: format!("'{branch}' is not a valid branch name"),
        })
    }
}

/// `path` as a relative path that stays inside its base.
fn relative_inside(path: &str) -> Result<PathBuf, PublishError> {
    let refuse = || PublishError::Input {
        field: "sourcePath",
        reason: format!("'{path}' must be a folder inside the workspace"),
    };
    let mut out = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return Err(refuse()),
        }
    }
    Ok(out)
}

fn redact(text: &str, token: Option<&str>) -> String {
    match token {
        Some(token) if !token.is_empty() => text.replace(token, "[REDACTED]"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
