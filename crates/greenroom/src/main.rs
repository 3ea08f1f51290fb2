//! The `greenroom` binary: parse the command line, load configuration, wire
//! the crates together, run. Everything else lives in the library crates.

mod cli;
mod commands;
mod demo;
mod process_stats;
mod wiring;

use clap::Parser;

/// mimalloc: ingestion allocates many short-lived strings and JSON values
/// across threads, where it is markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    wiring::init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}
