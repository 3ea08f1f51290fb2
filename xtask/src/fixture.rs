//! What every benchmark sets up before it measures: the release `greenroom`
//! binary, a generated catalog (cached by size), the app-config that points
//! at it, a fresh database, and a timed `greenroom ingest` into it.
//!
//! `bench-ingest` measures the ingest itself; `bench-api` uses it to fill
//! the database it then serves. Both must see the same input and the same
//! database setup, so both take it from here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use serde_json::Value;

/// A database backend a benchmark runs against.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
pub enum Database {
    Sqlite,
    Postgres,
}

impl Database {
    pub fn label(self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite",
            Database::Postgres => "PostgreSQL",
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Builds the release `greenroom` binary and returns its path.
pub fn build_greenroom() -> Result<PathBuf> {
    let root = workspace_root();
    let mut cargo = Command::new("cargo");
    cargo
        .args(["build", "--release", "--quiet", "-p", "greenroom"])
        .current_dir(&root);
    // `cargo run` gave this process the package variables of xtask; build
    // scripts that track one (ring's tracks CARGO_MANIFEST_DIR) would
    // otherwise see a change and rebuild greenroom on every benchmark.
    for (name, _) in std::env::vars_os() {
        if let Some(name) = name.to_str()
            && is_package_variable(name)
        {
            cargo.env_remove(name);
        }
    }
    let status = cargo.status().context("cargo build")?;
    if !status.success() {
        bail!("building greenroom failed");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target_dir.join("release/greenroom"))
}

/// The variables `cargo run` sets for the package it runs.
fn is_package_variable(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || matches!(
            name,
            "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
        )
}

/// A generated catalog and the app-config that ingests it.
pub struct Catalog {
    /// The generator's output folder (`all.yaml`, `repos/`, `manifest.json`).
    pub dir: PathBuf,
    /// An app-config.yaml whose only location is `dir/all.yaml`.
    pub config: PathBuf,
    /// How long generation took, or `None` when a cached catalog was reused.
    pub generated_in: Option<Duration>,
}

/// Generates the catalog of `size` entities under `work` with
/// `shared/bench/gen_catalog.py` unless it is already there (the output is
/// a pure function of the size), and writes its app-config.
///
/// The config turns the periodic refresh off: `greenroom ingest` runs one
/// pass regardless, and a server being measured must not start a pass in
/// the middle of a measurement (the file watcher stays on; nothing changes).
pub fn catalog(work: &Path, size: usize) -> Result<Catalog> {
    std::fs::create_dir_all(work).with_context(|| format!("creating {}", work.display()))?;
    let dir = work.join(format!("catalog-{size}"));
    let mut generated_in = None;
    if !dir.join("manifest.json").exists() {
        let generator = std::env::var_os("GREENROOM_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("../shared"))
            .join("bench/gen_catalog.py");
        eprintln!(
            "  generating {size} entities into {} (minutes at 1,000,000)",
            dir.display()
        );
        let started = Instant::now();
        let out = Command::new("python3")
            .arg(&generator)
            .args(["--entities", &size.to_string(), "--out"])
            .arg(&dir)
            .output()
            .with_context(|| format!("running {}", generator.display()))?;
        if !out.status.success() {
            bail!(
                "gen_catalog.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        generated_in = Some(started.elapsed());
    }
    let config = work.join(format!("app-config-{size}.yaml"));
    std::fs::write(
        &config,
        format!(
            "catalog:\n  processingInterval: false\n  limits:\n    maxFileBytes: 268435456\n  locations:\n    - type: file\n      target: {}\n  rules:\n    - allow: [Component, API, Resource, System, Domain, Group, User, Location]\n",
            dir.join("all.yaml").display()
        ),
    )
    .with_context(|| format!("writing {}", config.display()))?;
    Ok(Catalog {
        dir,
        config,
        generated_in,
    })
}

/// An empty database for one run.
pub struct FreshDatabase {
    /// `--data-dir` (the SQLite database lives here).
    pub data_dir: PathBuf,
    /// `--database-url` for PostgreSQL; `None` for SQLite in `data_dir`.
    pub url: Option<String>,
}

/// Empties `work/data` and, for PostgreSQL, recreates `greenroom_bench` on
/// the server at `postgres_url`.
pub fn fresh_database(
    work: &Path,
    database: Database,
    postgres_url: &str,
) -> Result<FreshDatabase> {
    let data_dir = work.join("data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("removing {}", data_dir.display()))?;
    }
    let url = match database {
        Database::Sqlite => None,
        Database::Postgres => Some(fresh_postgres(postgres_url)?),
    };
    Ok(FreshDatabase { data_dir, url })
}

/// Recreates the `greenroom_bench` database and returns its URL. `FORCE`
/// ends connections a killed server may have left behind.
fn fresh_postgres(url: &str) -> Result<String> {
    for sql in [
        "DROP DATABASE IF EXISTS greenroom_bench WITH (FORCE)",
        "CREATE DATABASE greenroom_bench",
    ] {
        let out = Command::new("psql")
            .args([url, "-qtAc", sql])
            .output()
            .context("running psql")?;
        if !out.status.success() {
            bail!("psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let base = url.rsplit_once('/').map(|(base, _)| base).unwrap_or(url);
    Ok(format!("{base}/greenroom_bench"))
}

/// One measured `greenroom ingest` run.
pub struct IngestRun {
    /// Wall seconds, process start to exit (all entities stitched).
    pub wall: f64,
    pub cpu: f64,
    pub rss_mb: f64,
    /// Stitched entities, from the report.
    pub entities: u64,
}

/// Runs `greenroom ingest` with `config` into `database`.
pub fn ingest(binary: &Path, config: &Path, database: &FreshDatabase) -> Result<IngestRun> {
    let mut command = Command::new(binary);
    command
        .arg("ingest")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(&database.data_dir)
        .env("RUST_LOG", "error");
    if let Some(url) = &database.url {
        command.args(["--database-url", url]);
    }
    let started = Instant::now();
    let out = command.output().context("running greenroom ingest")?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "greenroom ingest failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report: Value = serde_json::from_slice(&out.stdout).context("ingest report")?;
    Ok(IngestRun {
        wall,
        cpu: report["cpuSeconds"].as_f64().unwrap_or(f64::NAN),
        rss_mb: report["peakRssBytes"].as_f64().unwrap_or(f64::NAN) / 1_048_576.0,
        entities: report["entities"].as_u64().unwrap_or(0),
    })
}

/// The median (the upper one of an even count); NaN when empty.
pub fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::{is_package_variable, median};

    #[test]
    fn package_variables_of_cargo_run() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_MANIFEST_PATH",
            "CARGO_PKG_NAME",
            "CARGO_CRATE_NAME",
            "CARGO_PRIMARY_PACKAGE",
        ] {
            assert!(is_package_variable(name), "{name}");
        }
        for name in ["CARGO_TARGET_DIR", "CARGO_HOME", "CARGO", "PATH"] {
            assert!(!is_package_variable(name), "{name}");
        }
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 3.0, 2.0].into_iter()), 3.0);
        assert!(median(std::iter::empty()).is_nan());
    }
}
