//! Command-line interface definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Greenroom: an internal developer portal that reads Backstage's files and
/// answers Backstage's APIs.
#[derive(Debug, Parser)]
#[command(name = "greenroom", version, about)]
pub struct Cli {
    /// More log output (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal: ingest the catalog, keep it current, serve the web UI and the API.
    Serve(ServeArgs),
    /// Ingest the catalog once, stitch it, print a report and exit.
    Ingest(IngestArgs),
    /// Check catalog-info.yaml files the way ingestion does.
    Validate(ValidateArgs),
    /// Work with app-config.yaml files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

/// Where the catalog comes from and where it is stored.
#[derive(Debug, Args, Clone)]
pub struct CatalogArgs {
    /// An app-config.yaml file (repeatable; later files override earlier ones).
    #[arg(long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Folder for Greenroom's data (the SQLite database, the demo catalog).
    #[arg(long, value_name = "DIR", default_value = "./greenroom-data")]
    pub data_dir: PathBuf,
    /// Discover every catalog-info.yaml below DIR (honouring .gitignore) and
    /// ingest it with all kinds allowed (repeatable).
    #[arg(long = "catalog", value_name = "DIR")]
    pub catalog: Vec<PathBuf>,
    /// Ingest the demo organisation that ships inside the binary.
    #[arg(long)]
    pub demo: bool,
    /// Database URL overriding backend.database (postgres://… or sqlite:PATH).
    #[arg(long, value_name = "URL", env = "GREENROOM_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,
    /// Address to listen on, overriding backend.listen (e.g. 127.0.0.1:7007).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Files or folders (folders: every catalog-info.yaml below them).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Largest accepted file, in bytes.
    #[arg(long, default_value_t = greenroom_config::defaults::MAX_FILE_BYTES)]
    pub max_file_bytes: usize,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the merged configuration with secrets redacted, and its warnings.
    Check {
        /// An app-config.yaml file (repeatable; later files override earlier ones).
        #[arg(long = "config", value_name = "FILE")]
        config: Vec<PathBuf>,
    },
}
