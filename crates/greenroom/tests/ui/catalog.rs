//! The catalog table: filters that submit themselves, sorting by a column,
//! the back button, and paging through more than one page.

use url::Url;

use crate::Outcome;
use crate::browser::{Browser, query_values};
use crate::portal::{FIXTURE_ENTITIES, GENERATED_USERS, Portal, fixture_catalog};
use crate::webdriver::Result;

/// The names in the table's first column, in order.
fn names(browser: &Browser) -> Result<Vec<String>> {
    browser.texts_of(".catalog-table tbody td:first-child a.entity-link")
}

fn has(url: &Url, name: &str, values: &[&str]) -> bool {
    query_values(url, name) == values
}

#[test]
fn catalog_filters_sorts_goes_back_and_pages() -> Outcome {
    let Some(browser) = Browser::launch("catalog")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    for portal in Portal::on_each_database(catalog.path()) {
        let db = portal.database;
        browser.goto(&portal.url("/catalog"))?;
        browser.screenshot(&format!("{db}-all"))?;
        let total = FIXTURE_ENTITIES.to_string();
        assert!(browser.text_of(".subtitle")?.starts_with(&total), "{db}");

        // Choosing a kind submits the form by itself: the URL says so.
        browser.select_option("#filter-kind", "component")?;
        browser.wait_for_page("the kind filter in the URL", |url| {
            has(url, "filters[kind]", &["component"])
        })?;
        assert_eq!(names(&browser)?, ["checkout", "ledger"], "{db}");
        browser.screenshot(&format!("{db}-components"))?;

        // Then a type, within the kind.
        browser.select_option("#filter-type", "service")?;
        browser.wait_for_page("the type filter in the URL", |url| {
            has(url, "filters[kind]", &["component"]) && has(url, "filters[type]", &["service"])
        })?;
        assert_eq!(names(&browser)?, ["checkout"], "{db}");
        assert_eq!(browser.chosen_options("#filter-type")?, ["service"], "{db}");
        browser.screenshot(&format!("{db}-services"))?;

        // Back: the previous filters, in the table and in the form.
        browser.back()?;
        browser.wait_for_page("the kind-only page again", |url| {
            has(url, "filters[kind]", &["component"]) && has(url, "filters[type]", &[])
        })?;
        browser.wait_until("the table of both components", |_| {
            Ok((names(&browser)? == ["checkout", "ledger"]).then_some(()))
        })?;
        assert_eq!(
            browser.chosen_options("#filter-kind")?,
            ["component"],
            "{db}"
        );
        assert_eq!(
            browser.chosen_options("#filter-type")?,
            Vec::<String>::new(),
            "{db}: after going back, the form shows the page's own filters"
        );

        // Sorting by a column header: lifecycle puts experimental first.
        let lifecycle = browser.find(".catalog-table thead a[href*='sort=lifecycle']")?;
        browser.click(&lifecycle)?;
        browser.wait_for_page("the lifecycle order in the URL", |url| {
            has(url, "sort", &["lifecycle"]) && has(url, "filters[kind]", &["component"])
        })?;
        assert_eq!(names(&browser)?, ["ledger", "checkout"], "{db}");
        let header = browser.find(".catalog-table thead th[aria-sort='ascending']")?;
        let label = browser.text(&header)?;
        assert!(label.eq_ignore_ascii_case("lifecycle"), "{db}: {label}");
        browser.screenshot(&format!("{db}-by-lifecycle"))?;
        // Again: descending.
        let lifecycle = browser.find(".catalog-table thead a[href*='sort=lifecycle']")?;
        browser.click(&lifecycle)?;
        browser.wait_for_page("the descending order in the URL", |url| {
            has(url, "direction", &["desc"])
        })?;
        assert_eq!(names(&browser)?, ["checkout", "ledger"], "{db}");

        // Paging: the users fill a page and a bit.
        browser.goto(&portal.url("/catalog?filters[kind]=user"))?;
        let first_page = names(&browser)?;
        assert_eq!(first_page.len(), 50, "{db}");
        assert_eq!(first_page[0], "alice", "{db}");
        assert!(
            browser
                .text_of(".table-foot")?
                .contains("Showing 1–50 of 61")
        );
        browser.click(&browser.find(".pager a[rel=next]")?)?;
        browser.wait_for_page("the second page", |url| {
            !query_values(url, "cursor").is_empty()
        })?;
        browser.screenshot(&format!("{db}-users-page-2"))?;
        let second_page = names(&browser)?;
        let expected: Vec<String> = (50..=GENERATED_USERS)
            .map(|i| format!("person-{i:03}"))
            .collect();
        assert_eq!(second_page, expected, "{db}");
        assert!(
            browser.find_all(".pager a[rel=next]")?.is_empty(),
            "{db}: no page after the last"
        );
        browser.click(&browser.find(".pager a[rel=prev]")?)?;
        browser.wait_until("the first page again", |_| {
            Ok((names(&browser)? == first_page).then_some(()))
        })?;
    }
    browser.finish();
    Ok(())
}
