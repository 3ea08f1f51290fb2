//! The portal's pages in a real browser: the `greenroom` binary serves a
//! small fixture catalog and headless Chromium, driven over WebDriver,
//! uses the pages as a person would (keyboard shortcut, filters, sorting,
//! paging, links, back button, forms without JavaScript) and checks what
//! it shows, that the Content-Security-Policy holds, and saves screenshots.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium`,
//! `chromium-driver`); without them every test prints "skipping browser
//! tests" and passes, unless `GREENROOM_REQUIRE_BROWSER=1` (CI).
//! Screenshots land in `$CARGO_TARGET_TMPDIR/ui-screenshots/`, named
//! `<test>-<NN>-<step>.png`; a failing test leaves `<test>-<NN>-failed.png`.
//!
//! Adding a test: in the module of the page (or a new one listed below),
//!
//! ```text
//! #[test]
//! fn graph_tab_draws_the_neighbours() -> Outcome {
//!     let Some(browser) = Browser::launch("graph")? else { return Ok(()) };
//!     let catalog = fixture_catalog();
//!     let portal = Portal::start(catalog.path());
//!     browser.goto(&portal.url("/catalog/default/component/checkout/graph"))?;
//!     browser.screenshot("graph")?;
//!     // assertions on browser.find(..), browser.text_of(..), …
//!     browser.finish();
//!     Ok(())
//! }
//! ```
//!
//! Each test has its own chromedriver, browser and portal, so tests run in
//! parallel with each other and with the rest of the workspace; every wait
//! polls with [`browser::DEADLINE`].

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod portal;
mod webdriver;

mod catalog;
mod entity;
mod home;
mod security;
mod without_javascript;
mod workflows;

/// What a browser test returns: WebDriver failures as errors (they name
/// the command), wrong pages as assertion panics.
pub type Outcome = Result<(), webdriver::WebDriverError>;
