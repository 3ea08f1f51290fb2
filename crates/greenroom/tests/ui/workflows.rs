//! The pages that need more than a table: the relationship graph, an API's
//! definition, and registering an existing component (analyze, preview,
//! import, then find it and its location), including a broken file whose
//! preview explains what is wrong.

use crate::Outcome;
use crate::browser::Browser;
use crate::common::write;
use crate::portal::{Portal, fixture_catalog};

#[test]
fn the_graph_draws_neighbours_and_follows_links() -> Outcome {
    let Some(browser) = Browser::launch("graph")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());
    browser.goto(&portal.url("/catalog/default/component/checkout/graph"))?;
    browser.screenshot("component")?;
    let nodes = browser.find_all("svg.graph [data-node]")?;
    assert!(
        nodes.len() >= 4,
        "checkout, its owner, system, API and ledger: {}",
        nodes.len()
    );
    let root = browser.find("svg.graph a[aria-current='page']")?;
    assert_eq!(
        browser.attribute(&root, "href")?.as_deref(),
        Some("/catalog/default/component/checkout")
    );
    // One step further reaches more entities (the group's members).
    browser.select_option("#graph-depth", "2")?;
    browser.submit("form.graph-controls")?;
    browser.wait_for_page("the depth-2 graph", |url| {
        url.query_pairs().any(|(k, v)| k == "depth" && v == "2")
    })?;
    let deeper = browser.find_all("svg.graph [data-node]")?;
    assert!(
        deeper.len() > nodes.len(),
        "{} > {}",
        deeper.len(),
        nodes.len()
    );
    // Nodes are links to their entities.
    let owner = browser.find("svg.graph a[href='/catalog/default/group/team-payments']")?;
    browser.click(&owner)?;
    browser.wait_for_page("the owner's page", |url| {
        url.path() == "/catalog/default/group/team-payments"
    })?;
    // A system's graph shows its parts.
    browser.goto(&portal.url("/catalog/default/system/payments/graph"))?;
    browser.screenshot("system")?;
    for part in ["component/checkout", "component/ledger", "api/checkout-api"] {
        browser.find(&format!("svg.graph a[href='/catalog/default/{part}']"))?;
    }
    assert!(browser.page_errors()?.is_empty(), "no script or CSP errors");
    browser.finish();
    Ok(())
}

#[test]
fn an_api_definition_reads_as_operations() -> Outcome {
    let Some(browser) = Browser::launch("definition")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());
    browser.goto(&portal.url("/catalog/default/api/checkout-api"))?;
    browser.click(&browser.find("nav.tabs a[href$='/definition']")?)?;
    browser.wait_for_page("the definition tab", |url| {
        url.path().ends_with("/definition")
    })?;
    browser.screenshot("openapi")?;
    let operation = browser.text_of("details.operation summary")?;
    assert!(operation.contains("GET"), "{operation}");
    assert!(operation.contains("/orders"), "{operation}");
    assert!(operation.contains("List orders"), "{operation}");
    browser.finish();
    Ok(())
}

#[test]
fn registering_a_component_imports_it_and_explains_broken_files() -> Outcome {
    let Some(browser) = Browser::launch("register")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let good = elsewhere.path().join("inventory/catalog-info.yaml");
    write(
        &good,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: inventory\n  title: Inventory service\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n",
    );
    let broken = elsewhere.path().join("broken/catalog-info.yaml");
    write(
        &broken,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\n",
    );

    // Analyze → preview.
    browser.goto(&portal.url("/catalog-import"))?;
    browser.screenshot("form")?;
    let field = browser.find("#import-target")?;
    browser.send_keys(&field, &good.display().to_string())?;
    browser.submit("form:has(#import-target)")?;
    browser.wait_for_page("the preview", |url| url.path() == "/catalog-import/analyze")?;
    browser.screenshot("preview")?;
    let preview = browser.text_of("main")?;
    assert!(preview.contains("inventory"), "{preview}");

    // Import → the result links the new entity, whose page exists.
    browser.submit("form[action='/catalog-import/register']")?;
    browser.wait_for_page("the import result", |url| {
        url.path() == "/catalog-import/register"
    })?;
    browser.screenshot("imported")?;
    let link = browser.find("a.entity-link[href='/catalog/default/component/inventory']")?;
    browser.click(&link)?;
    browser.wait_for_page("the new entity", |url| {
        url.path() == "/catalog/default/component/inventory"
    })?;
    assert_eq!(browser.text_of("h1")?, "Inventory service");

    // The locations page lists the new location.
    browser.goto(&portal.url("/locations"))?;
    browser.screenshot("locations")?;
    let locations = browser.text_of("main")?;
    assert!(
        locations.contains(&good.display().to_string()),
        "{locations}"
    );

    // A broken file: the preview says what is wrong and where.
    browser.goto(&portal.url("/catalog-import"))?;
    let field = browser.find("#import-target")?;
    browser.send_keys(&field, &broken.display().to_string())?;
    browser.submit("form:has(#import-target)")?;
    browser.wait_for_page("the broken preview", |url| {
        url.path() == "/catalog-import/analyze"
    })?;
    browser.screenshot("broken")?;
    let explained = browser.text_of("main")?;
    assert!(
        explained.contains("YAMLError") && explained.contains("line 5"),
        "the YAML error names its place: {explained}"
    );
    assert!(
        explained.contains("not valid YAML"),
        "and what to do: {explained}"
    );
    assert!(
        browser
            .find_all("form[action='/catalog-import/register'] button.button-primary")?
            .is_empty()
            || explained.contains("anyway"),
        "a broken file is not offered as a plain import"
    );
    assert!(browser.page_errors()?.is_empty(), "no script or CSP errors");
    browser.finish();
    Ok(())
}
