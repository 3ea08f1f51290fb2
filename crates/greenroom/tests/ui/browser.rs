//! The browser a test drives: headless Chromium through its own
//! chromedriver, with a fresh profile, screenshots named after the test,
//! and waits that poll with a deadline instead of sleeping.
//!
//! When Chromium or chromedriver is missing, [`Browser::launch`] prints a
//! notice and returns `None`, so the tests pass on a machine without them;
//! with `GREENROOM_REQUIRE_BROWSER=1` (CI) a missing browser fails instead.

use std::cell::Cell;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;
use url::Url;

use crate::webdriver::{Driver, LogEntry, Result, Session, WebDriverError};

/// How long any wait may take: generous, for a loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Set to `1` to make a missing browser a failure rather than a skip.
pub const REQUIRE_VAR: &str = "GREENROOM_REQUIRE_BROWSER";

/// Where every test's screenshots go.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots")
}

/// The two programs the tests need.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Finds Chromium and chromedriver (`GREENROOM_CHROMIUM` and
/// `GREENROOM_CHROMEDRIVER` override the search), or says what is missing.
fn find_tools() -> Result<Tools, String> {
    let find = |variable: &str, defaults: &[&str]| -> Result<PathBuf, String> {
        if let Some(path) = std::env::var_os(variable) {
            let path = PathBuf::from(path);
            return if path.is_file() {
                Ok(path)
            } else {
                Err(format!("{variable}={} is not a file", path.display()))
            };
        }
        let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        defaults
            .iter()
            .flat_map(|name| {
                std::iter::once(PathBuf::from("/usr/bin").join(name))
                    .chain(path_dirs.iter().map(move |dir| dir.join(name)))
            })
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| format!("no {} found (set {variable})", defaults.join(" or ")))
    };
    let chromium = find("GREENROOM_CHROMIUM", &["chromium", "chromium-browser"]);
    let chromedriver = find("GREENROOM_CHROMEDRIVER", &["chromedriver"]);
    match (chromium, chromedriver) {
        (Ok(chromium), Ok(chromedriver)) => Ok(Tools {
            chromium,
            chromedriver,
        }),
        (Err(a), Err(b)) => Err(format!("{a}; {b}")),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Whether pages may run their scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaScript {
    Enabled,
    Disabled,
}

/// One headless Chromium for one test. Dereferences to its [`Session`]
/// for the WebDriver commands.
pub struct Browser {
    // Field order is drop order: the session closes the browser, then
    // chromedriver is killed, then the profile folder is removed.
    session: Session,
    _driver: Driver,
    _profile: tempfile::TempDir,
    test: String,
    shots: Cell<u32>,
    finished: bool,
}

impl Deref for Browser {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Browser {
    /// A browser for the test named `test` (used in screenshot names), or
    /// `None` after a notice when the browser is not installed.
    pub fn launch(test: &str) -> Result<Option<Browser>> {
        Self::launch_with(test, JavaScript::Enabled)
    }

    /// Like [`Browser::launch`], with scripts disabled in every page.
    pub fn launch_without_javascript(test: &str) -> Result<Option<Browser>> {
        Self::launch_with(test, JavaScript::Disabled)
    }

    fn launch_with(test: &str, javascript: JavaScript) -> Result<Option<Browser>> {
        let tools = match find_tools() {
            Ok(tools) => tools,
            Err(missing) => {
                assert!(
                    std::env::var(REQUIRE_VAR).as_deref() != Ok("1"),
                    "{REQUIRE_VAR}=1 but the browser tests cannot run: {missing} \
                     (install the chromium and chromium-driver packages)"
                );
                notice(&format!("skipping browser tests: {missing}"));
                return Ok(None);
            }
        };
        let profile = tempfile::tempdir()
            .map_err(|e| WebDriverError::new("launch", "profile folder", e.to_string()))?;
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        if javascript == JavaScript::Disabled {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": args,
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let driver = Driver::spawn(&tools.chromedriver)?;
        let session = Session::create(&driver, capabilities)?;
        session.set_timeouts(DEADLINE * 2, DEADLINE)?;
        clear_old_screenshots(test);
        Ok(Some(Browser {
            session,
            _driver: driver,
            _profile: profile,
            test: test.to_owned(),
            shots: Cell::new(0),
            finished: false,
        }))
    }

    /// Polls `check` until it returns `Some`, or fails at the
    /// [`DEADLINE`] naming `what` and the last error seen. Errors count as
    /// "not yet": a page being replaced makes elements stale for a moment.
    pub fn wait_until<T>(
        &self,
        what: &str,
        mut check: impl FnMut(&Session) -> Result<Option<T>>,
    ) -> Result<T> {
        let start = Instant::now();
        loop {
            let last = match check(&self.session) {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => "condition not met".to_owned(),
                Err(e) => e.to_string(),
            };
            if start.elapsed() > DEADLINE {
                let url = self.session.current_url().unwrap_or_default();
                return Err(WebDriverError::new(
                    format!("wait until {what}"),
                    "timeout",
                    format!("not reached within {DEADLINE:?} (at {url}; last: {last})"),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the browser shows a page whose URL `accept`s, loaded
    /// completely (its deferred script has run, so its handlers are in
    /// place), and returns the URL.
    pub fn wait_for_page(&self, what: &str, accept: impl Fn(&Url) -> bool) -> Result<Url> {
        self.wait_until(what, |session| {
            let url = Url::parse(&session.current_url()?)
                .map_err(|e| WebDriverError::new("GET /url", "not a URL", e.to_string()))?;
            if !accept(&url) {
                return Ok(None);
            }
            let state = session.execute("return document.readyState;", vec![])?;
            Ok((state == "complete").then_some(url))
        })
    }

    /// The text of the first element matching `css`.
    pub fn text_of(&self, css: &str) -> Result<String> {
        self.text(&self.find(css)?)
    }

    /// The texts of every element matching `css`, in page order.
    pub fn texts_of(&self, css: &str) -> Result<Vec<String>> {
        self.find_all(css)?
            .iter()
            .map(|element| self.text(element))
            .collect()
    }

    /// The values of the chosen options of the select matching `css`.
    pub fn chosen_options(&self, css: &str) -> Result<Vec<String>> {
        let select = self.find(css)?;
        let values = self.execute(
            "return Array.from(arguments[0].selectedOptions, o => o.value);",
            vec![select.to_json()],
        )?;
        Ok(values
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The `id` of the focused element (empty when it has none).
    pub fn focused_id(&self) -> Result<String> {
        Ok(self
            .execute(
                "return document.activeElement ? document.activeElement.id : '';",
                vec![],
            )?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Chooses the `<option>` with `value` in the select matching
    /// `select_css`, as a click would (a multiple select toggles it).
    pub fn select_option(&self, select_css: &str, value: &str) -> Result<()> {
        let select = self.find(select_css)?;
        let option = self.find_in(&select, &format!("option[value=\"{}\"]", css_string(value)))?;
        self.click(&option)
    }

    /// Submits the form matching `form_css` with its submit button, the
    /// way a person does (works with scripts disabled).
    pub fn submit(&self, form_css: &str) -> Result<()> {
        let form = self.find(form_css)?;
        let button = self.find_in(&form, "button[type=submit], input[type=submit]")?;
        self.click(&button)
    }

    /// Console entries since the last call that point at a broken page:
    /// script errors and Content-Security-Policy violations. (Failed
    /// loads, such as the missing favicon or a page answering 404 on
    /// purpose, are left to the tests that care.)
    pub fn page_errors(&self) -> Result<Vec<LogEntry>> {
        Ok(self
            .browser_log()?
            .into_iter()
            .filter(|entry| entry.source == "javascript" || is_csp_violation(entry))
            .collect())
    }

    /// Saves a screenshot of the viewport as
    /// `ui-screenshots/<test>-<NN>-<step>.png` and returns its path.
    pub fn screenshot(&self, step: &str) -> Result<PathBuf> {
        let number = self.shots.get() + 1;
        self.shots.set(number);
        let dir = screenshot_dir();
        let path = dir.join(format!("{}-{number:02}-{step}.png", self.test));
        let png = self.session.screenshot()?;
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, png))
            .map_err(|e| {
                WebDriverError::new("screenshot", path.display().to_string(), e.to_string())
            })?;
        Ok(path)
    }

    /// Ends a test that went well: says where its screenshots are.
    pub fn finish(mut self) {
        self.finished = true;
        notice(&format!(
            "{}: {} screenshots in {}",
            self.test,
            self.shots.get(),
            screenshot_dir().display()
        ));
    }
}

impl Drop for Browser {
    /// A test that did not [`finish`](Browser::finish) failed: keep a
    /// picture of where it stopped.
    fn drop(&mut self) {
        if !self.finished {
            match self.screenshot("failed") {
                Ok(path) => eprintln!("{}: failed here: {}", self.test, path.display()),
                Err(e) => eprintln!("{}: no failure screenshot: {e}", self.test),
            }
        }
    }
}

/// Prints a line even when the test harness captures the test's output
/// (it captures `print!` and `eprint!`, not the stream itself): skipped
/// tests and screenshot folders should be seen.
fn notice(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether a console entry reports a Content-Security-Policy violation.
pub fn is_csp_violation(entry: &LogEntry) -> bool {
    entry.message.contains("Content Security Policy")
}

/// Removes the screenshots a previous run of `test` left.
fn clear_old_screenshots(test: &str) {
    let Ok(entries) = std::fs::read_dir(screenshot_dir()) else {
        return;
    };
    let prefix = format!("{test}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let numbered = name.strip_prefix(&prefix).is_some_and(|rest| {
            rest.len() > 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        });
        if numbered && name.ends_with(".png") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `value` escaped for a double-quoted CSS string.
fn css_string(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The values of a query parameter (`filters[kind]`) in `url`.
pub fn query_values(url: &Url, name: &str) -> Vec<String> {
    url.query_pairs()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .collect()
}
