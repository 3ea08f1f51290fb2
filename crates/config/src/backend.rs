//! The `backend` section: where to listen, the public base URL and the
//! database, read in Backstage's shapes.

use std::path::{Path, PathBuf};

use serde_json::Value;
use url::Url;

use crate::defaults;
use crate::error::ConfigError;
use crate::file::{absolute, normalize};
use crate::reading::ReadingAllowList;
use crate::secret::Secret;
use crate::typed::Node;

/// The typed `backend` section.
#[derive(Debug, Clone)]
pub struct BackendConfig {
    /// `backend.listen`.
    pub listen: ListenConfig,
    /// `backend.baseUrl`: the backend's URL as browsers and clients see it.
    pub base_url: Url,
    /// `backend.database`.
    pub database: DatabaseConfig,
    /// `backend.reading.allow`.
    pub reading: ReadingAllowList,
}

/// Where the HTTP server binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenConfig {
    /// Interface address or host name.
    pub host: String,
    /// TCP port (0 lets the system pick one).
    pub port: u16,
}

/// Which database Greenroom stores its state in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseConfig {
    /// `client: better-sqlite3` or `sqlite3` (and the default).
    Sqlite(SqliteLocation),
    /// `client: pg`.
    Postgres {
        /// A `postgres://` URL, built from the object form if need be.
        url: Secret<String>,
        /// PEM text of `connection.ssl.ca`, to trust instead of the system
        /// roots.
        ca_certificate: Option<String>,
    },
}

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    /// `connection: ':memory:'`: nothing survives a restart.
    Memory,
    /// A database file (absolute; relative paths in the config are resolved
    /// against the folder of the config file that names them).
    File(PathBuf),
    /// Nothing configured: the binary picks its default file.
    Default,
}

impl BackendConfig {
    pub(crate) fn read(node: &Node<'_>) -> Result<Self, ConfigError> {
        node.expect_mapping()?;
        let listen = read_listen(&node.get("listen"))?;
        let base_url = read_base_url(&node.get("baseUrl"), listen.port)?;
        let database = read_database(&node.get("database"))?;
        let reading = ReadingAllowList::read(&node.get("reading"))?;
        Ok(BackendConfig {
            listen,
            base_url,
            database,
            reading,
        })
    }
}

const LISTEN_EXPECTED: &str = "a port, a '<host>:<port>' string, or a mapping with host and port";
const PORT_EXPECTED: &str = "a port number (0-65535)";

/// `listen: 7007`, `listen: '127.0.0.1:7007'`, `listen: ':7007'` (every
/// interface) or `listen: {host, port}`.
fn read_listen(node: &Node<'_>) -> Result<ListenConfig, ConfigError> {
    let host_or_all = |host: &str| {
        if host.is_empty() {
            defaults::ALL_INTERFACES.to_owned()
        } else {
            host.to_owned()
        }
    };
    match node.value() {
        None => Ok(ListenConfig {
            host: defaults::LISTEN_HOST.to_owned(),
            port: defaults::LISTEN_PORT,
        }),
        Some(Value::Number(_)) => Ok(ListenConfig {
            host: defaults::LISTEN_HOST.to_owned(),
            port: read_port(node, PORT_EXPECTED)?.unwrap_or(defaults::LISTEN_PORT),
        }),
        Some(Value::String(text)) => {
            let (host, port) = match text.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') || is_bracketed(host) => (
                    Some(host_or_all(
                        host.trim_start_matches('[').trim_end_matches(']'),
                    )),
                    port,
                ),
                Some(_) => return Err(node.invalid(LISTEN_EXPECTED)),
                None => (None, text.as_str()),
            };
            let port = port
                .parse::<u16>()
                .map_err(|_| node.invalid(LISTEN_EXPECTED))?;
            Ok(ListenConfig {
                host: host.unwrap_or_else(|| defaults::LISTEN_HOST.to_owned()),
                port,
            })
        }
        Some(Value::Object(_)) => {
            let host = node
                .get("host")
                .opt_str()?
                .map_or_else(|| defaults::LISTEN_HOST.to_owned(), host_or_all);
            let port =
                read_port(&node.get("port"), PORT_EXPECTED)?.unwrap_or(defaults::LISTEN_PORT);
            Ok(ListenConfig { host, port })
        }
        Some(_) => Err(node.invalid(LISTEN_EXPECTED)),
    }
}

fn is_bracketed(host: &str) -> bool {
    host.starts_with('[') && host.ends_with(']')
}

fn read_port(node: &Node<'_>, expected: &str) -> Result<Option<u16>, ConfigError> {
    node.opt_u64(expected)?
        .map(|port| u16::try_from(port).map_err(|_| node.invalid(expected)))
        .transpose()
}

fn read_base_url(node: &Node<'_>, port: u16) -> Result<Url, ConfigError> {
    const EXPECTED: &str = "an absolute http(s) URL";
    let text = node
        .opt_str()?
        .map_or_else(|| defaults::base_url(port), str::to_owned);
    let url = Url::parse(&text).map_err(|_| node.invalid(EXPECTED))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(node.invalid(EXPECTED));
    }
    Ok(url)
}

const CLIENTS: [&str; 3] = ["better-sqlite3", "sqlite3", "pg"];

fn read_database(node: &Node<'_>) -> Result<DatabaseConfig, ConfigError> {
    node.expect_mapping()?;
    let client_node = node.get("client");
    let connection = node.get("connection");
    let client = match client_node.opt_str()? {
        Some(client) => client,
        None if connection.is_set() => {
            return Err(client_node.problem(format!(
                "is required when a connection is set (one of {})",
                CLIENTS.join(", ")
            )));
        }
        None => return Ok(DatabaseConfig::Sqlite(SqliteLocation::Default)),
    };
    match client {
        "better-sqlite3" | "sqlite3" => read_sqlite(&connection).map(DatabaseConfig::Sqlite),
        "pg" => read_postgres(&connection),
        _ => Err(client_node.invalid(format!(
            "one of {} (other Backstage clients are not supported by Greenroom)",
            CLIENTS.join(", ")
        ))),
    }
}

fn read_sqlite(node: &Node<'_>) -> Result<SqliteLocation, ConfigError> {
    const EXPECTED: &str = "':memory:', a file path, or a mapping with directory or filename";
    let file_location = |node: &Node<'_>, path: &str| {
        if path == ":memory:" {
            SqliteLocation::Memory
        } else {
            SqliteLocation::File(resolve_path(node, Path::new(path)))
        }
    };
    match node.value() {
        None => Ok(SqliteLocation::Default),
        Some(Value::String(path)) if path.is_empty() => Err(node.invalid(EXPECTED)),
        Some(Value::String(path)) => Ok(file_location(node, path)),
        Some(Value::Object(_)) => {
            let directory = node.get("directory");
            let filename = node.get("filename");
            match (directory.opt_str()?, filename.opt_str()?) {
                (Some(_), Some(_)) => {
                    Err(node.problem("set either directory or filename, not both"))
                }
                (Some(dir), None) => Ok(SqliteLocation::File(
                    resolve_path(&directory, Path::new(dir)).join(defaults::SQLITE_FILE_NAME),
                )),
                (None, Some(file)) => Ok(file_location(&filename, file)),
                (None, None) => Err(node.invalid(EXPECTED)),
            }
        }
        Some(_) => Err(node.invalid(EXPECTED)),
    }
}

fn read_postgres(node: &Node<'_>) -> Result<DatabaseConfig, ConfigError> {
    const EXPECTED: &str =
        "a postgres:// connection string or a mapping with host, port, user, password, database";
    match node.value() {
        Some(Value::String(text)) => Ok(DatabaseConfig::Postgres {
            url: Secret::new(check_postgres_url(node, text)?),
            ca_certificate: None,
        }),
        Some(Value::Object(_)) => {
            let kind = node.get("type");
            if let Some(kind) = kind.opt_str()?
                && kind != "default"
            {
                return Err(node.get("type").invalid(
                    "'default' (cloudsql, azure and rds connections are not supported by Greenroom)",
                ));
            }
            let (ssl_mode, ca_certificate) = read_ssl(&node.get("ssl"))?;
            let connection_string = node.get("connectionString");
            let mut url = match connection_string.opt_str()? {
                Some(text) => Url::parse(&check_postgres_url(&connection_string, text)?)
                    .map_err(|_| connection_string.invalid(EXPECTED))?,
                None => build_postgres_url(node)?,
            };
            if let Some(mode) = ssl_mode {
                url.query_pairs_mut().append_pair("sslmode", mode);
            }
            Ok(DatabaseConfig::Postgres {
                url: Secret::new(url.to_string()),
                ca_certificate,
            })
        }
        _ => Err(node.invalid(EXPECTED)),
    }
}

fn check_postgres_url(node: &Node<'_>, text: &str) -> Result<String, ConfigError> {
    let url = Url::parse(text).map_err(|_| node.invalid("a postgres:// or postgresql:// URL"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") || !url.has_host() {
        return Err(node.invalid("a postgres:// or postgresql:// URL"));
    }
    Ok(text.to_owned())
}

/// `postgres://user:password@host:port/database` with every part
/// percent-encoded.
fn build_postgres_url(node: &Node<'_>) -> Result<Url, ConfigError> {
    let host_node = node.get("host");
    let host = host_node.req_str()?;
    let host = if host.contains(':') && !is_bracketed(host) {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let mut url = Url::parse(&format!("postgres://{host}"))
        .ok()
        .filter(Url::has_host)
        .ok_or_else(|| host_node.invalid("a host name or IP address"))?;
    let port = read_port(&node.get("port"), PORT_EXPECTED)?;
    let user = node.get("user").opt_str()?;
    let password = node.get("password").opt_str()?;
    let database = node.get("database").opt_str()?;
    // These setters only fail for URLs without a host, excluded above.
    let unexpected = || node.problem("cannot form a connection URL");
    url.set_port(port).map_err(|()| unexpected())?;
    if let Some(user) = user {
        url.set_username(user).map_err(|()| unexpected())?;
    }
    if let Some(password) = password {
        if user.is_none() {
            return Err(node
                .get("user")
                .problem("is required when a password is set"));
        }
        url.set_password(Some(password))
            .map_err(|()| unexpected())?;
    }
    if let Some(database) = database {
        url.path_segments_mut()
            .map_err(|()| unexpected())?
            .push(database);
    }
    Ok(url)
}

/// `ssl: true | false | {rejectUnauthorized?, ca?}` → (`sslmode`, CA PEM).
fn read_ssl(node: &Node<'_>) -> Result<(Option<&'static str>, Option<String>), ConfigError> {
    match node.value() {
        None => Ok((None, None)),
        Some(Value::Object(_)) => {
            let verify = node.get("rejectUnauthorized").opt_bool()?.unwrap_or(true);
            let ca = node.get("ca").opt_str()?.map(str::to_owned);
            Ok((Some(if verify { "verify-full" } else { "require" }), ca))
        }
        Some(_) => match node.opt_bool() {
            Ok(Some(true)) => Ok((Some("require"), None)),
            Ok(_) => Ok((Some("disable"), None)),
            Err(_) => Err(node.invalid("true, false, or a mapping with rejectUnauthorized and ca")),
        },
    }
}

/// `path` resolved against the folder of the config file that set `node`
/// (or the working directory for values from the environment).
pub(crate) fn resolve_path(node: &Node<'_>, path: &Path) -> PathBuf {
    let base = node
        .file()
        .map(|file| absolute(&file))
        .and_then(|file| file.parent().map(Path::to_owned));
    match base {
        Some(dir) => normalize(&dir.join(path)),
        None => absolute(path),
    }
}
