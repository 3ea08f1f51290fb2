//! The Content-Security-Policy: sent with every page and asset, and no
//! page breaks it (nothing inline, no script errors) when a browser that
//! enforces it uses the pages.

use crate::Outcome;
use crate::browser::{Browser, is_csp_violation};
use crate::portal::{Portal, fixture_catalog};

/// Pages visited, covering every view the portal has; add new pages
/// (register, locations) here when they land.
const PAGES: [&str; 9] = [
    "/",
    "/catalog",
    "/catalog?filters[kind]=component&sort=lifecycle",
    "/catalog/default/component/checkout",
    "/catalog/default/component/checkout/graph",
    "/catalog/default/group/team-payments",
    "/catalog/default/api/checkout-api/definition",
    "/catalog/default/component/checkout/raw",
    "/catalog/default/component/no-such-thing",
];

#[test]
fn pages_send_a_strict_csp_and_never_violate_it() -> Outcome {
    let Some(browser) = Browser::launch("csp")? else {
        return Ok(());
    };
    let catalog = fixture_catalog();
    let portal = Portal::start(catalog.path());

    // The header, on pages and on the static files they load.
    let script = portal.get("/").1;
    let script_path = script
        .split("script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page loads a script")
        .to_owned();
    for path in PAGES.iter().copied().chain([script_path.as_str()]) {
        let (status, policy) = portal.header(path, "content-security-policy");
        let policy = policy.unwrap_or_else(|| panic!("no CSP on {path} ({status})"));
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
    }

    // In the browser: every page, and the script's behaviour on one.
    browser.browser_log()?; // start from an empty log
    for (index, path) in PAGES.iter().enumerate() {
        browser.goto(&portal.url(path))?;
        browser.find("footer.site-footer")?;
        if index < 2 {
            browser.screenshot(&format!("page-{index}"))?;
        }
    }
    browser.press_keys("/")?;
    browser.wait_until("the script runs (\"/\" focuses the search box)", |_| {
        Ok((browser.focused_id()? == "site-search").then_some(()))
    })?;
    let errors = browser.page_errors()?;
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // The check above can see a violation: an inline script and an inline
    // style added to the page are refused and reported.
    browser.execute(
        "const s = document.createElement('script');
         s.textContent = 'document.title = \"inline ran\"';
         document.body.appendChild(s);
         const d = document.createElement('div');
         d.setAttribute('style', 'color: red');
         document.body.appendChild(d);",
        vec![],
    )?;
    let mut seen = Vec::new();
    let reported = browser.wait_until("the injected violations in the console", |session| {
        seen.extend(session.browser_log()?.into_iter().filter(is_csp_violation));
        Ok((seen.len() >= 2).then(|| seen.clone()))
    })?;
    assert!(
        reported.iter().any(|e| e.message.contains("script-src")),
        "{reported:#?}"
    );
    assert!(
        reported.iter().any(|e| e.message.contains("style-src")),
        "{reported:#?}"
    );
    assert_ne!(
        browser.title()?,
        "inline ran",
        "the inline script was blocked"
    );

    browser.finish();
    Ok(())
}
