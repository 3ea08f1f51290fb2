//! Reading bytes from files and URLs, refusing what must not be read: files
//! outside the root's sandbox (also through symlinks), inputs over the size
//! limit, and URLs that `backend.reading.allow` does not permit (checked
//! again on every redirect hop).
//!
//! Reads are blocking; the engine calls them from worker threads.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

/// Decides which URLs may be fetched (`backend.reading.allow`).
pub trait UrlPolicy: Send + Sync {
    fn allows(&self, url: &Url) -> bool;
}

/// A policy that allows nothing (Backstage's behaviour without an allow list).
pub struct DenyAllUrls;

impl UrlPolicy for DenyAllUrls {
    fn allows(&self, _url: &Url) -> bool {
        false
    }
}

/// Why a read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("{target} resolves to {resolved}, outside the location's root folder {root}")]
    EscapesRoot {
        target: String,
        resolved: String,
        root: String,
    },
    #[error("{target} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        target: String,
        size: u64,
        limit: u64,
    },
    #[error("URL not allowed by backend.reading.allow configuration: {0}")]
    NotAllowed(String),
    #[error("could not read {target}: {reason}")]
    Failed { target: String, reason: String },
}

impl ReadError {
    /// The Backstage error class for this failure.
    pub fn error_name(&self) -> &'static str {
        match self {
            ReadError::NotFound(_) => "NotFoundError",
            ReadError::EscapesRoot { .. } | ReadError::NotAllowed(_) => "NotAllowedError",
            ReadError::TooLarge { .. } | ReadError::Failed { .. } => "InputError",
        }
    }
}

/// Reads files and URLs within the configured limits.
#[derive(Clone)]
pub struct Reader {
    max_bytes: u64,
    urls: Arc<dyn UrlPolicy>,
    agent: ureq::Agent,
}

const MAX_REDIRECTS: usize = 5;

impl Reader {
    /// A reader with a size limit and a URL policy.
    pub fn new(max_bytes: usize, urls: Arc<dyn UrlPolicy>) -> Self {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build();
        Reader {
            max_bytes: u64::try_from(max_bytes).unwrap_or(u64::MAX),
            urls,
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Whether `url` may be fetched (`http`/`https` and allowed by
    /// `backend.reading.allow`).
    pub fn allows_url(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https") && self.urls.allows(url)
    }

    /// Reads a file that must lie inside `sandbox` (after resolving symlinks).
    pub fn read_file(&self, path: &Path, sandbox: Option<&Path>) -> Result<Vec<u8>, ReadError> {
        let shown = path.display().to_string();
        let resolved = match std::fs::canonicalize(path) {
            Ok(resolved) => resolved,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::NotFound(shown));
            }
            Err(e) => {
                return Err(ReadError::Failed {
                    target: shown,
                    reason: e.to_string(),
                });
            }
        };
        if let Some(root) = sandbox {
            let root_resolved = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
            if !resolved.starts_with(&root_resolved) {
                return Err(ReadError::EscapesRoot {
                    target: shown,
                    resolved: resolved.display().to_string(),
                    root: root_resolved.display().to_string(),
                });
            }
        }
        let failed = |e: std::io::Error| ReadError::Failed {
            target: shown.clone(),
            reason: e.to_string(),
        };
        let file = std::fs::File::open(&resolved).map_err(failed)?;
        let meta = file.metadata().map_err(failed)?;
        if meta.is_dir() {
            return Err(ReadError::Failed {
                target: shown,
                reason: "it is a folder, not a file".to_owned(),
            });
        }
        if meta.len() > self.max_bytes {
            return Err(ReadError::TooLarge {
                target: shown,
                size: meta.len(),
                limit: self.max_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(failed)?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(ReadError::TooLarge {
                target: shown,
                size: bytes.len() as u64,
                limit: self.max_bytes,
            });
        }
        Ok(bytes)
    }

    /// Fetches a URL, following redirects only to allowed URLs.
    pub fn read_url(&self, url: &Url) -> Result<Vec<u8>, ReadError> {
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            if !matches!(current.scheme(), "http" | "https") || !self.urls.allows(&current) {
                return Err(ReadError::NotAllowed(current.to_string()));
            }
            let failed = |reason: String| ReadError::Failed {
                target: current.to_string(),
                reason,
            };
            let response = self
                .agent
                .get(current.as_str())
                .call()
                .map_err(|e| failed(e.to_string()))?;
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        failed(format!("redirect {status} without a Location header"))
                    })?;
                current = current
                    .join(next)
                    .map_err(|e| failed(format!("redirect to an invalid URL {next:?}: {e}")))?;
                continue;
            }
            if status.as_u16() == 404 {
                return Err(ReadError::NotFound(current.to_string()));
            }
            if !status.is_success() {
                return Err(failed(format!("the server answered {status}")));
            }
            let mut body = response.into_body();
            let bytes = body
                .with_config()
                .limit(self.max_bytes + 1)
                .read_to_vec()
                .map_err(|e| failed(e.to_string()))?;
            if bytes.len() as u64 > self.max_bytes {
                return Err(ReadError::TooLarge {
                    target: current.to_string(),
                    size: bytes.len() as u64,
                    limit: self.max_bytes,
                });
            }
            return Ok(bytes);
        }
        Err(ReadError::Failed {
            target: url.to_string(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_outside_the_sandbox_are_refused_even_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        std::fs::write(root.join("ok.yaml"), "ok").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.yaml")).unwrap();
        let reader = Reader::new(1024, Arc::new(DenyAllUrls));
        assert_eq!(
            reader
                .read_file(&root.join("ok.yaml"), Some(&root))
                .unwrap(),
            b"ok"
        );
        #[cfg(unix)]
        assert!(matches!(
            reader.read_file(&root.join("link.yaml"), Some(&root)),
            Err(ReadError::EscapesRoot { .. })
        ));
        assert!(matches!(
            reader.read_file(&root.join("missing.yaml"), Some(&root)),
            Err(ReadError::NotFound(_))
        ));
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.yaml"), vec![b'a'; 2048]).unwrap();
        let reader = Reader::new(1024, Arc::new(DenyAllUrls));
        let err = reader
            .read_file(&dir.path().join("big.yaml"), None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    size: 2048,
                    limit: 1024,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn urls_need_the_allow_list() {
        let reader = Reader::new(1024, Arc::new(DenyAllUrls));
        let err = reader
            .read_url(&Url::parse("http://127.0.0.1:9/x.yaml").unwrap())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "URL not allowed by backend.reading.allow configuration: http://127.0.0.1:9/x.yaml"
        );
    }
}
