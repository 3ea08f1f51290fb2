//! The pages without JavaScript: the filter form's Apply button, the
//! header search and the links do everything the scripts only speed up.

use crate::Outcome;
use crate::browser::{Browser, query_values};
use crate::portal::{Portal, fixture_catalog};
use crate::webdriver::keys;

#[test]
fn filters_and_search_work_without_javascript() -> Outcome {
    let Some(browser) = Browser::launch_without_javascript("no-javascript")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());

    browser.goto(&portal.url("/catalog"))?;
    // Scripts really are off: "/" does not reach the search box.
    browser.press_keys("/")?;
    assert_ne!(browser.focused_id()?, "site-search", "app.js ran");

    // Choosing a kind changes nothing by itself; Apply filters.
    browser.select_option("#filter-kind", "component")?;
    browser.screenshot("kind-chosen")?;
    browser.submit("form.filters")?;
    let url = browser.wait_for_page("the filtered catalog", |url| {
        query_values(url, "filters[kind]") == ["component"]
    })?;
    browser.screenshot("filtered")?;
    let names = browser.texts_of(".catalog-table tbody td:first-child a.entity-link")?;
    assert_eq!(names, ["checkout", "ledger"], "{url}");

    // The header search submits with Enter.
    browser.send_keys(
        &browser.find("#site-search")?,
        &format!("bookkeeping{}", keys::ENTER),
    )?;
    browser.wait_for_page("the search results", |url| {
        query_values(url, "filters[text]") == ["bookkeeping"]
    })?;
    let names = browser.texts_of(".catalog-table tbody td:first-child a.entity-link")?;
    assert_eq!(names, ["ledger"]);

    browser.finish();
    Ok(())
}
