//! The home page: counts by kind, processing errors, and the search box
//! that "/" focuses from anywhere.

use crate::Outcome;
use crate::browser::{Browser, query_values};
use crate::portal::{BROKEN_FILE, GENERATED_USERS, Portal, fixture_catalog};
use crate::webdriver::keys;

#[test]
fn home_counts_kinds_lists_errors_and_searches_with_the_slash_key() -> Outcome {
    let Some(browser) = Browser::launch("home")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());

    browser.goto(&portal.url("/"))?;
    assert_eq!(browser.title()?, "Home · Greenroom");
    browser.screenshot("home")?;

    // One card per kind, with its count, linking to the filtered table.
    let mut counts = Vec::new();
    for card in browser.find_all(".kind-counts a.stat")? {
        let label = browser.text(&browser.find_in(&card, ".stat-label")?)?;
        let count = browser.text(&browser.find_in(&card, ".stat-value")?)?;
        let href = browser.attribute(&card, "href")?.unwrap_or_default();
        let kind = href
            .strip_prefix("/catalog?filters[kind]=")
            .unwrap_or_else(|| panic!("{label} links to {href}"))
            .to_owned();
        counts.push((kind, label, count));
    }
    let users = (GENERATED_USERS + 1).to_string();
    let expected = [
        ("api", "APIs", "1"),
        ("component", "Components", "2"),
        ("group", "Groups", "1"),
        ("system", "Systems", "1"),
        ("user", "Users", users.as_str()),
    ];
    assert_eq!(
        counts,
        expected.map(|(k, l, c)| (k.to_owned(), l.to_owned(), c.to_owned())),
        "kind cards"
    );

    // The owner-less component is listed with its file and reason.
    let problems = browser.text_of(".problem-list")?;
    assert!(
        problems.contains(BROKEN_FILE) && problems.contains("spec.owner"),
        "{problems}"
    );

    // "/" moves the focus to the header's search box, from the page body.
    assert_ne!(browser.focused_id()?, "site-search");
    browser.press_keys("/")?;
    browser.wait_until("\"/\" focuses the search box", |_| {
        Ok((browser.focused_id()? == "site-search").then_some(()))
    })?;
    // Typing goes into the box; Enter searches the catalog.
    browser.press_keys(&format!("ledger{}", keys::ENTER))?;
    let url = browser.wait_for_page("the search results", |url| {
        url.path() == "/catalog" && query_values(url, "filters[text]") == ["ledger"]
    })?;
    browser.screenshot("search-results")?;
    assert_eq!(
        browser.property(&browser.find("#site-search")?, "value")?,
        "ledger",
        "the results page keeps the term in the box ({url})"
    );
    let names = browser.texts_of(".catalog-table tbody td:first-child a")?;
    assert!(names.contains(&"ledger".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"checkout".to_owned()),
        "only matches are listed: {names:?}"
    );

    browser.finish();
    Ok(())
}
