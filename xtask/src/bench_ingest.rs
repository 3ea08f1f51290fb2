//! `cargo xtask bench-ingest`: runs the release `greenroom ingest` on
//! generated catalogs against SQLite and PostgreSQL, and reports medians over
//! repeated runs: wall time from process start to all entities stitched,
//! entities per second, CPU seconds, peak RSS, and the time of a second
//! refresh pass over the unchanged catalog.

use std::path::Path;

use anyhow::{Result, bail};

use crate::fixture::{self, Database, median};

pub fn run(
    sizes: &[usize],
    databases: &[Database],
    runs: usize,
    work: &Path,
    pg: &str,
) -> Result<()> {
    let binary = fixture::build_greenroom()?;
    println!(
        "| entities | database | stitched (s) | entities/s | CPU (s) | peak RSS (MB) | unchanged refresh (s) |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for &size in sizes {
        let catalog = fixture::catalog(work, size)?;
        for &database in databases {
            let mut first = Vec::new();
            let mut again = Vec::new();
            for _ in 0..runs {
                let db = fixture::fresh_database(work, database, pg)?;
                first.push(fixture::ingest(&binary, &catalog.config, &db)?);
                again.push(fixture::ingest(&binary, &catalog.config, &db)?);
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
