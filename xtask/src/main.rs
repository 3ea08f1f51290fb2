//! Project tasks that are programs rather than tests: `cargo xtask bench-ingest`.
//!
//! The ingestion benchmark generates catalogs with `shared/bench/gen_catalog.py`
//! (the same input Backstage was measured on), runs the release `greenroom
//! ingest` on them against SQLite and PostgreSQL, and reports medians over
//! repeated runs: wall time from process start to all entities stitched,
//! entities per second, CPU seconds, peak RSS, and the time of a second
//! refresh pass over the unchanged catalog.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::Value;

#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Benchmark catalog ingestion on generated catalogs.
    BenchIngest {
        /// Catalog sizes (entities).
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        sizes: Vec<usize>,
        /// Databases to measure.
        #[arg(
            long,
            value_delimiter = ',',
            value_enum,
            default_value = "sqlite,postgres"
        )]
        databases: Vec<Database>,
        /// Runs per measurement (the median is reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Where generated catalogs and databases go.
        #[arg(long, default_value = "/tmp/greenroom-bench")]
        work_dir: PathBuf,
        /// PostgreSQL server URL (a database `greenroom_bench` is recreated on it).
        #[arg(
            long,
            env = "GREENROOM_BENCH_POSTGRES_URL",
            default_value = "postgres://postgres@127.0.0.1:5432/test"
        )]
        postgres_url: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum, Debug)]
enum Database {
    Sqlite,
    Postgres,
}

fn main() -> Result<()> {
    match Cli::parse().task {
        Task::BenchIngest {
            sizes,
            databases,
            runs,
            work_dir,
            postgres_url,
        } => bench_ingest(&sizes, &databases, runs.max(1), &work_dir, &postgres_url),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One measured `greenroom ingest` run.
struct Run {
    wall: f64,
    cpu: f64,
    rss_mb: f64,
    entities: u64,
}

fn bench_ingest(
    sizes: &[usize],
    databases: &[Database],
    runs: usize,
    work: &Path,
    pg: &str,
) -> Result<()> {
    let root = workspace_root();
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "-p", "greenroom"])
        .current_dir(&root)
        .status()
        .context("cargo build")?;
    if !status.success() {
        bail!("building greenroom failed");
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target_dir.join("release/greenroom");
    let generator = std::env::var_os("GREENROOM_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"))
        .join("bench/gen_catalog.py");
    std::fs::create_dir_all(work)?;

    println!(
        "| entities | database | stitched (s) | entities/s | CPU (s) | peak RSS (MB) | unchanged refresh (s) |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let catalog = work.join(format!("catalog-{size}"));
        if !catalog.join("manifest.json").exists() {
            let out = Command::new("python3")
                .arg(&generator)
                .args(["--entities", &size.to_string(), "--out"])
                .arg(&catalog)
                .output()
                .context("running gen_catalog.py")?;
            if !out.status.success() {
                bail!(
                    "gen_catalog.py failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        let config = work.join(format!("app-config-{size}.yaml"));
        std::fs::write(
            &config,
            format!(
                "catalog:\n  locations:\n    - type: file\n      target: {}\n  rules:\n    - allow: [Component, API, Resource, System, Domain, Group, User, Location]\n",
                catalog.join("all.yaml").display()
            ),
        )?;
        for &database in databases {
            let mut first = Vec::new();
            let mut again = Vec::new();
            for _ in 0..runs {
                let data_dir = work.join("data");
                let _ = std::fs::remove_dir_all(&data_dir);
                let url = match database {
                    Database::Sqlite => None,
                    Database::Postgres => Some(fresh_postgres(pg)?),
                };
                first.push(ingest(&binary, &config, &data_dir, url.as_deref())?);
                again.push(ingest(&binary, &config, &data_dir, url.as_deref())?);
            }
            let entities = first[0].entities;
            if entities < size as u64 * 99 / 100 {
                bail!("only {entities} of {size} entities were stitched");
            }
            let wall = median(first.iter().map(|r| r.wall));
            println!(
                "| {size} | {database:?} | {wall:.2} | {:.0} | {:.2} | {:.0} | {:.2} |",
                entities as f64 / wall,
                median(first.iter().map(|r| r.cpu)),
                median(first.iter().map(|r| r.rss_mb)),
                median(again.iter().map(|r| r.wall)),
            );
        }
    }
    println!(
        "\n(medians of {runs} runs; wall time is the whole `greenroom ingest` process, start to all entities stitched)"
    );
    Ok(())
}

/// Recreates the `greenroom_bench` database and returns its URL.
fn fresh_postgres(url: &str) -> Result<String> {
    for sql in [
        "DROP DATABASE IF EXISTS greenroom_bench",
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

fn ingest(
    binary: &Path,
    config: &Path,
    data_dir: &Path,
    database_url: Option<&str>,
) -> Result<Run> {
    let mut command = Command::new(binary);
    command
        .arg("ingest")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "error");
    if let Some(url) = database_url {
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
    Ok(Run {
        wall,
        cpu: report["cpuSeconds"].as_f64().unwrap_or(f64::NAN),
        rss_mb: report["peakRssBytes"].as_f64().unwrap_or(f64::NAN) / 1_048_576.0,
        entities: report["entities"].as_u64().unwrap_or(0),
    })
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}
