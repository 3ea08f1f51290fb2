//! Entity pages: opened from the table, the about card, relation links to
//! other entities' pages, the Raw tab, the Refresh button, and the
//! friendly 404 page.

use crate::Outcome;
use crate::browser::Browser;
use crate::portal::{Portal, fixture_catalog};
use crate::webdriver::Result;

/// The hrefs of the links matching `css`, in page order.
fn hrefs(browser: &Browser, css: &str) -> Result<Vec<String>> {
    browser
        .find_all(css)?
        .iter()
        .map(|link| Ok(browser.attribute(link, "href")?.unwrap_or_default()))
        .collect()
}

#[test]
fn entity_page_shows_about_relations_raw_yaml_and_refreshes() -> Outcome {
    let Some(browser) = Browser::launch("entity")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());

    // From the table to the component's page.
    browser.goto(&portal.url("/catalog?filters[kind]=component"))?;
    let checkout = browser.find(
        ".catalog-table tbody td:first-child a[href='/catalog/default/component/checkout']",
    )?;
    browser.click(&checkout)?;
    browser.wait_for_page("checkout's page", |url| {
        url.path() == "/catalog/default/component/checkout"
    })?;
    browser.screenshot("checkout")?;
    assert_eq!(browser.text_of("h1")?, "checkout");
    assert_eq!(browser.title()?, "checkout (Component) · Greenroom");
    let about = browser.text_of(".about")?;
    for expected in [
        "Checkout service that takes orders.",
        "team-payments",
        "payments",
        "service",
        "production",
    ] {
        assert!(about.contains(expected), "{expected:?} in {about}");
    }
    // Its relations, each linked to the other entity's page.
    let related = hrefs(&browser, ".relations a.entity-link")?;
    for expected in [
        "/catalog/default/group/team-payments",
        "/catalog/default/system/payments",
        "/catalog/default/api/checkout-api",
        "/catalog/default/component/ledger",
    ] {
        assert!(
            related.iter().any(|h| h == expected),
            "{expected} in {related:?}"
        );
    }

    // The owner link leads to the group, which lists what it owns.
    let owner = browser.find(".about a[href='/catalog/default/group/team-payments']")?;
    browser.click(&owner)?;
    browser.wait_for_page("the owner's page", |url| {
        url.path() == "/catalog/default/group/team-payments"
    })?;
    browser.screenshot("owner-group")?;
    assert_eq!(browser.text_of("h1")?, "Payments Team");
    let owned = hrefs(&browser, "ul.owned a.entity-link")?;
    assert_eq!(
        owned,
        [
            "/catalog/default/api/checkout-api",
            "/catalog/default/component/checkout",
            "/catalog/default/component/ledger",
            "/catalog/default/system/payments",
        ],
        "owned entities"
    );
    let members = browser.text_of("ul.members")?;
    assert!(members.contains("alice"), "{members}");

    // Back on the component, the Raw tab shows the entity as YAML.
    browser.click(&browser.find("ul.owned a[href='/catalog/default/component/checkout']")?)?;
    browser.wait_for_page("checkout's page again", |url| {
        url.path() == "/catalog/default/component/checkout"
    })?;
    browser.click(&browser.find("nav.tabs a[href$='/raw']")?)?;
    browser.wait_for_page("the Raw tab", |url| {
        url.path() == "/catalog/default/component/checkout/raw"
    })?;
    browser.screenshot("raw")?;
    let current = browser.find("nav.tabs a[aria-current='page']")?;
    assert_eq!(browser.text(&current)?, "Raw");
    let yaml = browser.text_of("#raw-yaml + pre.code")?;
    for expected in [
        "apiVersion: backstage.io/v1alpha1",
        "kind: Component",
        "name: checkout",
        "owner: team-payments",
        "lifecycle: production",
    ] {
        assert!(yaml.contains(expected), "{expected:?} in the YAML:\n{yaml}");
    }

    // Refresh posts a form (same-origin, from the page) and says so.
    browser.click(&browser.find("nav.tabs a[href='/catalog/default/component/checkout']")?)?;
    browser.wait_for_page("the overview", |url| {
        url.path() == "/catalog/default/component/checkout"
    })?;
    browser.submit("form[action$='/refresh']")?;
    browser.wait_for_page("the page after a refresh", |url| {
        url.query() == Some("refreshed=1")
    })?;
    browser.screenshot("refreshed")?;
    let notice = browser.text_of(".callout[role=status]")?;
    assert!(notice.contains("Refresh requested"), "{notice}");

    browser.finish();
    Ok(())
}

#[test]
fn a_missing_entity_gets_the_friendly_404_page() -> Outcome {
    let Some(browser) = Browser::launch("not-found")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());
    let path = "/catalog/default/component/no-such-thing";

    let (status, body) = portal.get(path);
    assert_eq!(status, 404, "{body}");

    browser.goto(&portal.url(path))?;
    browser.screenshot("missing-entity")?;
    assert_eq!(browser.title()?, "Page not found · Greenroom");
    assert_eq!(browser.text_of(".error-page h1")?, "Page not found");
    let message = browser.text_of(".error-page")?;
    assert!(
        message.contains("No component named default/no-such-thing"),
        "{message}"
    );
    // It offers a way on, which works.
    browser.click(&browser.find(".error-page a[href='/catalog']")?)?;
    browser.wait_for_page("the catalog", |url| url.path() == "/catalog")?;

    browser.finish();
    Ok(())
}
