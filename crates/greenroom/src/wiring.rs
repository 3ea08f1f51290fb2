//! Turning configuration and flags into the running parts: logging, the
//! database, the processor with its policies, the catalog roots, the engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use greenroom_catalog::location::TargetSpec;
use greenroom_catalog::{Engine, KindPolicy, OrphanStrategy, Processor, Reader, Root, UrlPolicy};
use greenroom_config::{
    CatalogRules, DatabaseConfig, LoadedConfig, LocationType, ReadingAllowList, SqliteLocation,
};
use greenroom_store::{CatalogStore, DatabaseTarget};

use crate::cli::CatalogArgs;
use crate::demo;

/// Logs go to stderr; `RUST_LOG` overrides the level.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "info,sqlx=warn",
        1 => "debug,sqlx=warn",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Loads the config files, printing their warnings.
pub fn load_config(paths: &[PathBuf]) -> Result<LoadedConfig> {
    let config = greenroom_config::load(paths, &greenroom_config::ProcessEnvironment)
        .context("could not load the configuration")?;
    for warning in config.warnings() {
        let place = match (&warning.file, warning.line) {
            (Some(file), Some(line)) => format!(" ({}:{line})", file.display()),
            (Some(file), None) => format!(" ({})", file.display()),
            _ => String::new(),
        };
        tracing::warn!("config key {}: {}{place}", warning.key, warning.message);
    }
    Ok(config)
}

/// Which database to open.
pub fn database_target(args: &CatalogArgs, config: &LoadedConfig) -> DatabaseTarget {
    if let Some(url) = &args.database_url {
        if let Some(path) = url.strip_prefix("sqlite:") {
            return if path == ":memory:" {
                DatabaseTarget::SqliteMemory
            } else {
                DatabaseTarget::SqliteFile(PathBuf::from(path))
            };
        }
        return DatabaseTarget::Postgres(url.clone());
    }
    match &config.backend().database {
        DatabaseConfig::Sqlite(SqliteLocation::Memory) => DatabaseTarget::SqliteMemory,
        DatabaseConfig::Sqlite(SqliteLocation::File(path)) => {
            DatabaseTarget::SqliteFile(path.clone())
        }
        DatabaseConfig::Sqlite(SqliteLocation::Default) => DatabaseTarget::SqliteFile(
            args.data_dir
                .join(greenroom_config::defaults::SQLITE_FILE_NAME),
        ),
        DatabaseConfig::Postgres { url, .. } => DatabaseTarget::Postgres(url.expose().clone()),
    }
}

/// Opens the database, saying which one without leaking passwords.
pub async fn open_store(target: &DatabaseTarget) -> Result<Arc<dyn CatalogStore>> {
    let shown = match target {
        DatabaseTarget::SqliteFile(path) => format!("SQLite file {}", path.display()),
        DatabaseTarget::SqliteMemory => "in-memory SQLite".to_owned(),
        DatabaseTarget::Postgres(url) => {
            format!("PostgreSQL {}", greenroom_config::redact_url_password(url))
        }
    };
    greenroom_store::connect(target)
        .await
        .with_context(|| format!("could not open the database ({shown})"))
}

struct RulesPolicy(CatalogRules);

impl KindPolicy for RulesPolicy {
    fn allows(
        &self,
        kind: &str,
        spec_type: Option<&str>,
        origin_type: &str,
        origin_target: &str,
    ) -> bool {
        self.0
            .is_allowed(kind, spec_type, origin_type, origin_target)
    }
}

struct AllowListPolicy(ReadingAllowList);

impl UrlPolicy for AllowListPolicy {
    fn allows(&self, url: &url::Url) -> bool {
        self.0.is_allowed(url)
    }
}

/// The catalog roots: configured locations, `--catalog` folders, the demo.
pub fn roots(args: &CatalogArgs, config: &LoadedConfig) -> Result<Vec<Root>> {
    let mut roots = Vec::new();
    for location in &config.catalog().locations {
        let target = match location.location_type {
            LocationType::File => TargetSpec::File {
                pattern: greenroom_catalog::location::normalize(Path::new(&location.target)),
            },
            LocationType::Url => TargetSpec::Url {
                url: url::Url::parse(&location.target).with_context(|| {
                    format!(
                        "catalog.locations: {:?} is not a valid URL",
                        location.target
                    )
                })?,
            },
        };
        roots.push(Root {
            target,
            all_kinds: false,
        });
    }
    for dir in &args.catalog {
        let dir = std::fs::canonicalize(dir)
            .with_context(|| format!("--catalog {}: folder not found", dir.display()))?;
        anyhow::ensure!(dir.is_dir(), "--catalog {}: not a folder", dir.display());
        roots.push(Root {
            target: TargetSpec::Discover { dir },
            all_kinds: true,
        });
    }
    if args.demo {
        let root = extract_demo(&args.data_dir.join("demo-catalog"))?;
        roots.push(Root {
            target: TargetSpec::File { pattern: root },
            all_kinds: true,
        });
    }
    Ok(roots)
}

/// The folders file roots live in (watched for changes).
pub fn watched_folders(roots: &[Root]) -> Vec<PathBuf> {
    roots
        .iter()
        .filter_map(|root| greenroom_catalog::location::sandbox_of(&root.target))
        .collect()
}

/// The engine for a store, configured from `config`.
pub fn engine(store: Arc<dyn CatalogStore>, config: &LoadedConfig, roots: Vec<Root>) -> Engine {
    let catalog = config.catalog();
    let reader = Reader::new(
        catalog.max_file_bytes,
        Arc::new(AllowListPolicy(config.backend().reading.clone())),
    );
    let fingerprint = settings_fingerprint(config);
    let processor = Processor::new(
        reader,
        Arc::new(RulesPolicy(catalog.rules.clone())),
        fingerprint,
    );
    let orphans = match catalog.orphan_strategy {
        greenroom_config::OrphanStrategy::Keep => OrphanStrategy::Keep,
        greenroom_config::OrphanStrategy::Delete => OrphanStrategy::Delete,
    };
    Engine::new(store, processor, roots, orphans)
}

/// Settings that change processing results: when they change, every source
/// is reprocessed even if its bytes did not.
fn settings_fingerprint(config: &LoadedConfig) -> u128 {
    let catalog = config.catalog();
    let text = format!(
        "v1|{:?}|{}|{:?}|{}",
        catalog.rules,
        catalog.max_file_bytes,
        config.backend().reading,
        env!("CARGO_PKG_VERSION")
    );
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

/// Writes the embedded demo catalog below `dir` (replacing an older copy)
/// and returns the path of its root `catalog-info.yaml`.
fn extract_demo(dir: &Path) -> Result<PathBuf> {
    for (relative, bytes) in demo::DEMO_FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        if std::fs::read(&path).ok().as_deref() != Some(*bytes) {
            std::fs::write(&path, bytes)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
    }
    let root = std::path::absolute(dir.join("catalog-info.yaml")).context("no current folder")?;
    Ok(greenroom_catalog::location::normalize(&root))
}
