//! `cargo xtask bench-api`: load benchmark of the catalog REST API.
//!
//! Per catalog size and database: ingest a generated catalog with the
//! release `greenroom ingest`, start `greenroom serve` on that database,
//! wait until it has settled, then measure the requests of
//! [`endpoints::Endpoint`] — sequential latency with one keep-alive client,
//! throughput and latency under load with `wrk` (8 connections), and the
//! server's RSS idle and under load — and print a markdown table of medians
//! over `--runs` next to the targets and Backstage's figures.

mod client;
pub mod endpoints;
mod manifest;
mod measure;
mod report;
mod server;
mod stats;
mod wrk;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::fixture::{self, Database};
use endpoints::Endpoint;

/// Component names read for by-name requests (more than warm-up plus the
/// default request count, so no name repeats within a series).
const NAMES: usize = 1_000;

/// The command line of `bench-api`.
pub struct Options {
    pub sizes: Vec<usize>,
    pub databases: Vec<Database>,
    pub only: Vec<Endpoint>,
    pub runs: usize,
    pub requests: usize,
    pub duration: Duration,
    pub work_dir: PathBuf,
    pub postgres_url: String,
}

pub fn run(options: &Options) -> Result<()> {
    let wrk_path = wrk::find();
    if wrk_path.is_none() {
        eprintln!(
            "wrk is not installed (not found on PATH): throughput under load will not be measured. \
             Install it with `apt-get install wrk` for the full benchmark."
        );
    }
    let load = wrk::Load {
        threads: 2,
        connections: 8,
        duration: options.duration,
    };
    let selected: Vec<Endpoint> = Endpoint::ALL
        .into_iter()
        .filter(|e| options.only.is_empty() || options.only.contains(e))
        .collect();

    eprintln!("building the release greenroom binary");
    let binary = fixture::build_greenroom()?;
    let work = &options.work_dir;
    for &size in &options.sizes {
        eprintln!("[{size}] catalog");
        let catalog = fixture::catalog(work, size)?;
        match catalog.generated_in {
            Some(took) => eprintln!("  generated in {:.1} s", took.as_secs_f64()),
            None => eprintln!("  reusing {}", catalog.dir.display()),
        }
        let manifest = manifest::read(&catalog.dir)?;
        let started = Instant::now();
        let names = manifest::component_names(&catalog.dir, &manifest, NAMES)?;
        eprintln!(
            "  {} component names for by-name read in {:.1} s",
            names.len(),
            started.elapsed().as_secs_f64()
        );
        let requests: Vec<(Endpoint, Vec<String>)> = selected
            .iter()
            .map(|&e| (e, e.paths(&manifest, &names)))
            .collect();
        let plan = measure::Plan {
            requests,
            sequential_requests: options.requests,
            wrk: wrk_path.as_deref().map(|p| (p, load)),
            scratch: work,
            manifest: &manifest,
        };
        for &database in &options.databases {
            eprintln!("[{size} {}] ingest", database.label());
            let db = fixture::fresh_database(work, database, &options.postgres_url)?;
            let ingest = fixture::ingest(&binary, &catalog.config, &db)?;
            eprintln!(
                "  {} entities in {:.1} s (peak RSS {:.0} MB)",
                ingest.entities, ingest.wall, ingest.rss_mb
            );
            if ingest.entities as u64 != manifest.entities {
                bail!(
                    "ingest stitched {} entities, the manifest has {}: measuring would be worthless",
                    ingest.entities,
                    manifest.entities
                );
            }
            let mut runs = Vec::new();
            for i in 0..options.runs {
                eprintln!(
                    "[{size} {}] run {}/{}",
                    database.label(),
                    i + 1,
                    options.runs
                );
                runs.push(one_run(&binary, &catalog.config, &db, &plan, size)?);
            }
            let setting = report::Setting {
                size,
                database,
                sequential_requests: options.requests,
                load: plan.wrk.map(|(_, load)| load),
                generated_in: catalog.generated_in,
                ingest: &ingest,
            };
            println!("{}", report::render(&setting, &runs));
        }
    }
    Ok(())
}

fn one_run(
    binary: &Path,
    config: &Path,
    db: &fixture::FreshDatabase,
    plan: &measure::Plan,
    size: usize,
) -> Result<measure::Run> {
    let mut server = server::Server::start(binary, config, db)?;
    let client = client::Client::new(&server.url);
    // The first pass re-reads every file; allow a millisecond per entity
    // on top of five minutes.
    let settle_limit = Duration::from_secs(300) + Duration::from_millis(size as u64);
    measure::run(&mut server, &client, plan, settle_limit)
}
