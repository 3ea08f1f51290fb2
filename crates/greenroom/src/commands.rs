//! One function per subcommand.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use greenroom_catalog::validate::{FileReport, files_for, validate_file};
use greenroom_catalog::{AllowAllKinds, DenyAllUrls, Engine, Processor, Reader};
use greenroom_config::ProcessingInterval;
use serde_json::json;
use tokio::sync::mpsc;

use crate::cli::{Cli, Command, ConfigCommand, Format, IngestArgs, ServeArgs, ValidateArgs};
use crate::wiring;

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => runtime()?.block_on(serve(args)),
        Command::Ingest(args) => runtime()?.block_on(ingest(args)),
        Command::Validate(args) => validate(&args),
        Command::Config {
            command: ConfigCommand::Check { config },
        } => config_check(&config),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

async fn serve(args: ServeArgs) -> Result<ExitCode> {
    let config = wiring::load_config(&args.catalog.config)?;
    let store = wiring::open_store(&wiring::database_target(&args.catalog, &config)).await?;
    let roots = wiring::roots(&args.catalog, &config)?;
    let folders = wiring::watched_folders(&roots);
    let engine = Arc::new(wiring::engine(store.clone(), &config, roots));

    let (wake_tx, wake_rx) = mpsc::channel(1);
    let _watch = match greenroom_catalog::watch::watch_folders(&folders, wake_tx.clone()) {
        Ok(watch) => Some(watch),
        Err(e) => {
            tracing::warn!("file changes will only be seen on the refresh interval: {e}");
            None
        }
    };

    let listen = match &args.listen {
        Some(listen) => listen.clone(),
        None => {
            let l = &config.backend().listen;
            format!("{}:{}", l.host, l.port)
        }
    };
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("could not listen on {listen}"))?;
    let address = listener.local_addr().context("no local address")?;
    println!("Greenroom is listening on http://{address}");

    let catalog = config.catalog();
    if catalog.readonly {
        tracing::info!("the catalog is read-only (catalog.readonly)");
    }
    let state = greenroom_web::AppState {
        store,
        refresh: wake_tx,
        metrics: std::sync::Arc::default(),
        engine: engine.clone(),
        pages: std::sync::Arc::default(),
        writes: greenroom_web::WritePolicy {
            readonly: catalog.readonly,
            refresh_on_conflict: catalog.location_conflict_strategy
                == greenroom_config::LocationConflictStrategy::Refresh,
        },
    };
    tokio::spawn(refresh_loop(
        engine.clone(),
        wake_rx,
        catalog.processing_interval,
        state.clone(),
    ));
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    greenroom_web::serve(listener, state, shutdown)
        .await
        .context("the HTTP server failed")?;
    Ok(ExitCode::SUCCESS)
}

/// Refreshes at start, then on every wake-up (file change, API call) and on
/// the processing interval. After the first pass and after every pass that
/// changed the catalog, the pages' cached counts are recounted.
async fn refresh_loop(
    engine: Arc<Engine>,
    mut wake: mpsc::Receiver<()>,
    interval: ProcessingInterval,
    pages: greenroom_web::AppState,
) {
    let mut first = true;
    loop {
        match engine.refresh().await {
            Ok(report) => {
                let changed = report.entities_written
                    + report.stitched.written
                    + report.entities_deleted
                    + report.entities_orphaned
                    > 0;
                if first || changed {
                    let pages = pages.clone();
                    tokio::spawn(async move { greenroom_web::pages::recount(&pages).await });
                }
                first = false;
                tracing::info!(
                    sources = report.sources_seen,
                    processed = report.sources_processed,
                    written = report.entities_written,
                    stitched = report.stitched.written,
                    removed = report.entities_deleted + report.entities_orphaned,
                    millis = report.duration.as_millis() as u64,
                    "catalog refreshed"
                );
            }
            Err(e) => tracing::error!("catalog refresh failed: {e}"),
        }
        let sleep = async {
            match interval {
                ProcessingInterval::Random { min, max } => {
                    tokio::time::sleep(jitter(min, max)).await
                }
                ProcessingInterval::Disabled => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = sleep => {}
            woken = wake.recv() => {
                if woken.is_none() {
                    return;
                }
                // Let a burst of file events settle into one pass.
                tokio::time::sleep(Duration::from_millis(100)).await;
                while wake.try_recv().is_ok() {}
            }
        }
    }
}

/// A wait between `min` and `max`, spread so replicas do not refresh in step.
fn jitter(min: Duration, max: Duration) -> Duration {
    let spread = max.saturating_sub(min).as_millis().max(1);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    min + Duration::from_millis(u64::try_from(u128::from(nanos) % spread).unwrap_or(0))
}

async fn ingest(args: IngestArgs) -> Result<ExitCode> {
    let config = wiring::load_config(&args.catalog.config)?;
    let store = wiring::open_store(&wiring::database_target(&args.catalog, &config)).await?;
    let roots = wiring::roots(&args.catalog, &config)?;
    let engine = wiring::engine(store.clone(), &config, roots);
    let report = engine.refresh().await?;
    let kinds: serde_json::Map<String, serde_json::Value> = store
        .count_by_kind()
        .await?
        .into_iter()
        .map(|(kind, count)| (kind, json!(count)))
        .collect();
    let error_rows = store.processing_errors(usize::MAX).await?;
    let errors = error_rows.len();
    // The first problems, so a CI job sees what is wrong without a server.
    let problems: Vec<serde_json::Value> = error_rows
        .iter()
        .take(50)
        .flat_map(|row| {
            greenroom_catalog::problem::problems_from_json(&row.errors)
                .into_iter()
                .map(move |p| json!({"subject": row.subject, "name": p.name, "problem": p.describe()}))
        })
        .collect();
    let total: u64 = kinds.values().filter_map(serde_json::Value::as_u64).sum();
    let out = json!({
        "database": store.backend_name(),
        "entities": total,
        "entitiesByKind": kinds,
        "withErrors": errors,
        "problems": problems,
        "sourcesSeen": report.sources_seen,
        "sourcesProcessed": report.sources_processed,
        "entitiesWritten": report.entities_written,
        "entitiesStitched": report.stitched.written,
        "entitiesDeleted": report.entities_deleted,
        "entitiesOrphaned": report.entities_orphaned,
        "sourcesRemoved": report.sources_removed,
        "millis": report.duration.as_millis() as u64,
        "phaseMillis": {
            "processingWait": report.timings.processing_wait.as_millis() as u64,
            "commit": report.timings.commit.as_millis() as u64,
            "stitch": report.timings.stitch.as_millis() as u64,
        },
        "cpuSeconds": crate::process_stats::cpu_seconds(),
        "peakRssBytes": crate::process_stats::peak_rss_bytes(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn validate(args: &ValidateArgs) -> Result<ExitCode> {
    let processor = Processor::new(
        Reader::new(args.max_file_bytes, Arc::new(DenyAllUrls)),
        Arc::new(AllowAllKinds),
        0,
    )
    .offline();
    let mut reports: Vec<FileReport> = Vec::new();
    for path in &args.paths {
        if !path.exists() {
            reports.push(FileReport {
                path: path.clone(),
                valid_entities: Vec::new(),
                problems: vec![greenroom_catalog::problem::Problem::new(
                    "NotFoundError",
                    "no such file or folder",
                    greenroom_catalog::problem::ProblemPlace {
                        source: path.display().to_string(),
                        ..Default::default()
                    },
                )],
            });
            continue;
        }
        for file in files_for(path) {
            reports.push(validate_file(&processor, &file));
        }
    }
    let invalid = reports.iter().filter(|r| !r.is_valid()).count();
    match args.format {
        Format::Json => {
            let out = json!({
                "valid": invalid == 0,
                "files": reports.iter().map(|r| json!({
                    "path": r.path,
                    "valid": r.is_valid(),
                    "entities": r.valid_entities,
                    "problems": r.problems.iter().map(|p| json!({
                        "name": p.name,
                        "message": p.message,
                        "file": r.path,
                        "document": p.place.document,
                        "line": p.place.line,
                        "column": p.place.column,
                        "field": p.place.field,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            for report in &reports {
                if report.is_valid() {
                    println!(
                        "ok    {} ({} entities)",
                        report.path.display(),
                        report.valid_entities.len()
                    );
                    continue;
                }
                println!("error {}", report.path.display());
                for problem in &report.problems {
                    let mut place = Vec::new();
                    if let Some(d) = problem.place.document {
                        place.push(format!("document {d}"));
                    }
                    if let Some(l) = problem.place.line {
                        place.push(format!("line {l}"));
                    }
                    if let Some(c) = problem.place.column {
                        place.push(format!("column {c}"));
                    }
                    if let Some(f) = &problem.place.field {
                        place.push(f.clone());
                    }
                    let place = if place.is_empty() {
                        String::new()
                    } else {
                        format!("{}: ", place.join(", "))
                    };
                    println!("  {}:{place}{}", report.path.display(), problem.message);
                }
            }
            println!(
                "{} file(s) checked, {} valid, {} with errors",
                reports.len(),
                reports.len() - invalid,
                invalid
            );
        }
    }
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn config_check(paths: &[std::path::PathBuf]) -> Result<ExitCode> {
    let config = wiring::load_config(paths)?;
    println!("{}", serde_json::to_string_pretty(&config.redacted())?);
    for warning in config.warnings() {
        eprintln!("warning: {}: {}", warning.key, warning.message);
    }
    Ok(ExitCode::SUCCESS)
}
