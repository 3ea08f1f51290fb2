//! A minimal W3C WebDriver client: just enough of the protocol to drive
//! chromedriver through the portal's pages (navigate, find elements, read
//! them, click, type, run a script, read the console, take screenshots).
//!
//! Written here rather than taken from a crate because the tests need a
//! dozen commands over plain HTTP+JSON, which `ureq` and `serde_json`
//! already do; a full client (fantoccini, thirtyfour) would bring an async
//! stack into the test build. Every command returns a [`WebDriverError`]
//! naming the command and the driver's own error and message.

#![allow(
    dead_code,
    reason = "a client for tests to come: not every command is used yet"
)]

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// The key WebDriver uses to mark an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long one HTTP exchange with the driver may take (a navigation
/// waits for the page to load, on a busy machine).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(90);

/// How long chromedriver may take to announce its port.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Keys that have no character of their own (WebDriver's code points).
pub mod keys {
    pub const ENTER: char = '\u{E007}';
}

/// A failed WebDriver command.
pub struct WebDriverError {
    /// What was asked (`POST /element css=#site-search`).
    pub command: String,
    /// WebDriver's error code (`no such element`), or what went wrong
    /// around the protocol (`transport`, `timeout`).
    pub error: String,
    pub message: String,
}

impl WebDriverError {
    pub fn new(
        command: impl Into<String>,
        error: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            command: command.into(),
            error: error.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WebDriver command `{}` failed: {}: {}",
            self.command, self.error, self.message
        )
    }
}

// Tests print the `Debug` form of an error they return: keep it readable.
impl fmt::Debug for WebDriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for WebDriverError {}

pub type Result<T, E = WebDriverError> = std::result::Result<T, E>;

/// A running chromedriver on a port it chose itself, killed on drop.
pub struct Driver {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Driver {
    /// Starts `program --port=0` and waits for the line announcing the
    /// port (no port is guessed, so parallel tests never collide).
    pub fn spawn(program: &Path) -> Result<Driver> {
        let command = format!("{} --port=0", program.display());
        let mut child = Command::new(program)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| WebDriverError::new(&command, "spawn", e.to_string()))?;
        let stdout = child.stdout.take();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut announced = false;
            // Keep draining after the announcement so the pipe never fills.
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if !announced && let Some(port) = announced_port(&line) {
                    announced = true;
                    let _ = sender.send(port);
                }
            }
        });
        let mut driver = Driver {
            child,
            url: String::new(),
        };
        let port = receiver.recv_timeout(START_TIMEOUT).map_err(|_| {
            WebDriverError::new(
                &command,
                "start",
                format!("no port announced within {START_TIMEOUT:?}"),
            )
        })?;
        driver.url = format!("http://127.0.0.1:{port}");
        Ok(driver)
    }
}

/// `ChromeDriver was started successfully on port 42055.` → 42055.
fn announced_port(line: &str) -> Option<u16> {
    let (_, rest) = line.split_once("started successfully on port ")?;
    rest.trim_end_matches('.').trim().parse().ok()
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An element of the current page, as the driver refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

impl Element {
    fn from_json(value: &Value) -> Option<Element> {
        value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Element(id.to_owned()))
    }

    /// The element as a script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// One entry of the browser's console log.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, … (shown when a test fails)
    pub level: String,
    /// `javascript`, `network`, `security`, `console-api`, …
    pub source: String,
    pub message: String,
}

/// A browser session, deleted (closing the browser) on drop.
pub struct Session {
    agent: ureq::Agent,
    /// `http://127.0.0.1:<port>/session/<id>`.
    base: String,
}

impl Session {
    /// Opens a session on `driver` with these capabilities (`alwaysMatch`).
    pub fn create(driver: &Driver, capabilities: Value) -> Result<Session> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(COMMAND_TIMEOUT))
            .build()
            .into();
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value = exchange(
            &agent,
            "POST /session",
            "POST",
            &format!("{}/session", driver.url),
            Some(&body),
        )?;
        let id = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                WebDriverError::new(
                    "POST /session",
                    "protocol",
                    format!("no sessionId in {value}"),
                )
            })?;
        Ok(Session {
            agent,
            base: format!("{}/session/{id}", driver.url),
        })
    }

    /// Sends one command (`path` is relative to the session).
    fn command(&self, method: &str, path: &str, body: Option<Value>, what: &str) -> Result<Value> {
        let label = if what.is_empty() {
            format!("{method} {path}")
        } else {
            format!("{method} {path} {what}")
        };
        let url = format!("{}{path}", self.base);
        exchange(&self.agent, &label, method, &url, body.as_ref())
    }

    pub fn set_timeouts(&self, page_load: Duration, script: Duration) -> Result<()> {
        let body = json!({
            "pageLoad": page_load.as_millis() as u64,
            "script": script.as_millis() as u64,
            "implicit": 0,
        });
        self.command("POST", "/timeouts", Some(body), "").map(drop)
    }

    /// Navigates to `url` and waits for it to load.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.command("POST", "/url", Some(json!({ "url": url })), url)
            .map(drop)
    }

    pub fn current_url(&self) -> Result<String> {
        string(self.command("GET", "/url", None, "")?, "GET /url")
    }

    pub fn title(&self) -> Result<String> {
        string(self.command("GET", "/title", None, "")?, "GET /title")
    }

    /// The browser's back button.
    pub fn back(&self) -> Result<()> {
        self.command("POST", "/back", Some(json!({})), "").map(drop)
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Result<Element> {
        let what = format!("css={css}");
        element(
            self.command("POST", "/element", Some(locator(css)), &what)?,
            &what,
        )
    }

    /// Every element matching a CSS selector (possibly none).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let what = format!("css={css}");
        elements(
            self.command("POST", "/elements", Some(locator(css)), &what)?,
            &what,
        )
    }

    /// The first element matching a CSS selector inside `parent`.
    pub fn find_in(&self, parent: &Element, css: &str) -> Result<Element> {
        let what = format!("css={css}");
        element(
            self.command(
                "POST",
                &format!("/element/{}/element", parent.0),
                Some(locator(css)),
                &what,
            )?,
            &what,
        )
    }

    /// Every element matching a CSS selector inside `parent`.
    pub fn find_all_in(&self, parent: &Element, css: &str) -> Result<Vec<Element>> {
        let what = format!("css={css}");
        elements(
            self.command(
                "POST",
                &format!("/element/{}/elements", parent.0),
                Some(locator(css)),
                &what,
            )?,
            &what,
        )
    }

    /// The element's rendered text.
    pub fn text(&self, element: &Element) -> Result<String> {
        let path = format!("/element/{}/text", element.0);
        string(self.command("GET", &path, None, "")?, &path)
    }

    /// An attribute as written in the markup (`None` when absent).
    pub fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>> {
        let path = format!("/element/{}/attribute/{name}", element.0);
        Ok(self
            .command("GET", &path, None, "")?
            .as_str()
            .map(str::to_owned))
    }

    /// A DOM property (`value`, `selected`, `href` resolved to a URL).
    pub fn property(&self, element: &Element, name: &str) -> Result<Value> {
        let path = format!("/element/{}/property/{name}", element.0);
        self.command("GET", &path, None, "")
    }

    /// Clicks the element (scrolling it into view first). Clicking an
    /// `<option>` selects it and fires the select's `change` event.
    pub fn click(&self, element: &Element) -> Result<()> {
        let path = format!("/element/{}/click", element.0);
        self.command("POST", &path, Some(json!({})), "").map(drop)
    }

    /// Types `text` into the element (focusing it first); [`keys`] holds
    /// the special keys.
    pub fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        let path = format!("/element/{}/value", element.0);
        self.command("POST", &path, Some(json!({ "text": text })), text)
            .map(drop)
    }

    /// Types `text` on the keyboard, into whatever has the focus (the
    /// document itself when nothing does), as a person would.
    pub fn press_keys(&self, text: &str) -> Result<()> {
        let mut actions = Vec::new();
        for key in text.chars() {
            actions.push(json!({ "type": "keyDown", "value": key.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": key.to_string() }));
        }
        let body = json!({
            "actions": [{ "type": "key", "id": "keyboard", "actions": actions }]
        });
        self.command("POST", "/actions", Some(body), text)?;
        self.command("DELETE", "/actions", None, "").map(drop)
    }

    /// Runs `script` as a function body (`return …` for a value) with
    /// `args` as `arguments`.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        let body = json!({ "script": script, "args": args });
        self.command("POST", "/execute/sync", Some(body), script)
    }

    /// The browser console entries since the last call (needs the
    /// `goog:loggingPrefs` capability; chromedriver's own endpoint).
    pub fn browser_log(&self) -> Result<Vec<LogEntry>> {
        let value = self.command("POST", "/se/log", Some(json!({ "type": "browser" })), "")?;
        let entries = value.as_array().ok_or_else(|| {
            WebDriverError::new("POST /se/log", "protocol", format!("not a list: {value}"))
        })?;
        Ok(entries
            .iter()
            .map(|entry| {
                let field = |name: &str| {
                    entry
                        .get(name)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                LogEntry {
                    level: field("level"),
                    source: field("source"),
                    message: field("message"),
                }
            })
            .collect())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let value = self.command("GET", "/screenshot", None, "")?;
        let encoded = value.as_str().ok_or_else(|| {
            WebDriverError::new("GET /screenshot", "protocol", "the answer is not a string")
        })?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| WebDriverError::new("GET /screenshot", "protocol", e.to_string()))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Closes the browser; the driver's own drop kills anything left.
        let _ = self.agent.delete(&self.base).call();
    }
}

/// One HTTP exchange with the driver: the `value` of a success, or the
/// driver's error as a [`WebDriverError`].
fn exchange(
    agent: &ureq::Agent,
    label: &str,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value> {
    let transport = |e: ureq::Error| WebDriverError::new(label, "transport", e.to_string());
    let response = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", body) => agent
            .post(url)
            .header("Content-Type", "application/json")
            .send(body.unwrap_or(&json!({})).to_string()),
        _ => {
            return Err(WebDriverError::new(
                label,
                "client",
                format!("unsupported method {method}"),
            ));
        }
    };
    let mut response = response.map_err(transport)?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .map_err(transport)?;
    let json: Value = serde_json::from_str(&text).map_err(|e| {
        WebDriverError::new(
            label,
            "protocol",
            format!("{status}, not JSON ({e}): {text}"),
        )
    })?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(value);
    }
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Err(WebDriverError::new(
        label,
        format!("{} (HTTP {status})", field("error")),
        field("message"),
    ))
}

fn locator(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

fn element(value: Value, what: &str) -> Result<Element> {
    Element::from_json(&value)
        .ok_or_else(|| WebDriverError::new(what, "protocol", format!("not an element: {value}")))
}

fn elements(value: Value, what: &str) -> Result<Vec<Element>> {
    value
        .as_array()
        .map(|list| list.iter().filter_map(Element::from_json).collect())
        .ok_or_else(|| WebDriverError::new(what, "protocol", format!("not a list: {value}")))
}

fn string(value: Value, what: &str) -> Result<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| WebDriverError::new(what, "protocol", format!("not a string: {value}")))
}

#[test]
fn chromedrivers_announcement_gives_the_port() {
    assert_eq!(
        announced_port("ChromeDriver was started successfully on port 42055."),
        Some(42055)
    );
    assert_eq!(announced_port("Only local connections are allowed."), None);
}
