//! The HTML pages over HTTP (the browser tests in `ui/` drive Chromium;
//! these check what needs no browser): hostile catalog values are escaped
//! and unsafe links dropped, filters, sorting and paging of the catalog
//! table, friendly error pages with the right status, the security headers
//! and the same-origin check on form posts. Each scenario runs on SQLite
//! and, when `GREENROOM_TEST_POSTGRES_URL` is set, PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure here is a test failure"
)]

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use common::{PgSchema, ServedCatalog, Server, write};

/// Generated services, enough for two pages of 50 with the others.
const SERVICES: usize = 57;

fn write_catalog(dir: &Path) {
    write(
        &dir.join("hostile/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile
  title: "<img src=x onerror=alert(1)>Hostile"
  description: "<script>alert('description')</script> & friends"
  tags: [xss]
  links:
    - url: "file:///etc/passwd"
      title: Click me
    - url: "https://docs.example.com/hostile"
      title: "Docs \"quoted\""
  annotations:
    backstage.io/view-url: "javascript:alert(2)"
spec:
  type: service
  lifecycle: "production\"><b>"
  owner: team-a
"#,
    );
    write(
        &dir.join("refused/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: refused
  links:
    - url: "javascript:alert(1)"
spec:
  type: service
  lifecycle: production
  owner: team-a
"#,
    );
    write(
        &dir.join("org/catalog-info.yaml"),
        r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-b
spec:
  type: team
  children: []
"#,
    );
    let mut services = String::new();
    for index in 0..SERVICES {
        let owner = if index.is_multiple_of(3) {
            "team-b"
        } else {
            "team-a"
        };
        let kind = if index.is_multiple_of(2) {
            "service"
        } else {
            "library"
        };
        write!(
            services,
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{index:03}\n  \
             tags: [{}]\nspec:\n  type: {kind}\n  lifecycle: production\n  owner: {owner}\n",
            if index == 7 { "needle" } else { "bulk" }
        )
        .unwrap();
    }
    write(&dir.join("services/catalog-info.yaml"), &services);
}

/// A served fixture catalog on one database.
struct Portal {
    server: Server,
    _dir: tempfile::TempDir,
    _schema: Option<PgSchema>,
}

impl Portal {
    fn start(postgres: bool) -> Option<Portal> {
        let ServedCatalog {
            server,
            dir,
            schema,
        } = ServedCatalog::start(postgres, write_catalog)?;
        let portal = Portal {
            server,
            _dir: dir,
            _schema: schema,
        };
        // Stitching is done when the owners list what they own.
        portal.server.wait_for(
            "/api/catalog/entities/by-name/group/default/team-b",
            Duration::from_secs(30),
            |status, body| status == 200 && body.contains("component:default/svc-054"),
        );
        portal.server.wait_for(
            "/api/catalog/entities/by-name/group/default/team-a",
            Duration::from_secs(30),
            |status, body| status == 200 && body.contains("component:default/hostile"),
        );
        Some(portal)
    }

    fn get(&self, path: &str) -> Page {
        request(&format!("{}{path}", self.server.url), "GET", &[])
    }

    fn post(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        request(&format!("{}{path}", self.server.url), "POST", headers)
    }
}

/// An answer, redirects not followed.
struct Page {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The names of the entities the catalog table lists, in order.
    fn table_names(&self) -> Vec<String> {
        let table = self
            .body
            .split("<tbody>")
            .nth(1)
            .and_then(|rest| rest.split("</tbody>").next())
            .unwrap_or_else(|| panic!("no table body in {}", self.body));
        table
            .split("<tr>")
            .skip(1)
            .filter_map(|row| {
                let href = row.split("href=\"/catalog/").nth(1)?;
                let path = href.split('"').next()?;
                Some(path.rsplit('/').next()?.to_owned())
            })
            .collect()
    }

    /// The value of the `rel` link in the pager (`next`/`prev`), decoded
    /// from HTML.
    fn pager(&self, rel: &str) -> Option<String> {
        let marker = format!("rel=\"{rel}\" href=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].replace("&amp;", "&"))
    }
}

fn request(url: &str, method: &str, headers: &[(&str, &str)]) -> Page {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let result = match method {
        "GET" => {
            let mut request = agent.get(url).header("Accept", "text/html");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
        _ => {
            let mut request = agent.post(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.send_empty()
        }
    };
    let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Page {
        status: response.status().as_u16(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
        headers,
    }
}

macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $scenario() { if let Some(p) = super::Portal::start(false) { super::$scenario(&p) } })*
        }
        mod postgres {
            $(#[test] fn $scenario() { if let Some(p) = super::Portal::start(true) { super::$scenario(&p) } })*
        }
    };
}

on_both_databases!(
    hostile_values_are_escaped_and_unsafe_links_dropped,
    catalog_filters_narrow_the_table,
    catalog_pages_forwards_and_back,
    errors_are_friendly_pages_with_their_status,
    refresh_posts_must_come_from_the_portal,
);

fn hostile_values_are_escaped_and_unsafe_links_dropped(portal: &Portal) {
    let page = portal.get("/catalog/default/component/hostile");
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("&lt;script&gt;alert('description')&lt;/script&gt; &amp; friends"));
    assert!(body.contains("&lt;img src=x onerror=alert(1)&gt;Hostile"));
    assert!(
        !body.contains("<script>alert"),
        "a catalog value became a script"
    );
    assert!(
        !body.contains("<img src=x"),
        "a catalog value became an element"
    );
    assert!(
        !body.contains("<b>"),
        "an attribute value escaped its quotes"
    );
    let lower = body.to_ascii_lowercase();
    assert!(!lower.contains("href=\"javascript:") && !lower.contains("href=\"file:"));
    // The unsafe link is shown as text, the safe one is linked.
    assert!(
        body.contains("file:///etc/passwd"),
        "the unsafe URL is still shown"
    );
    assert!(body.contains(r#"href="https://docs.example.com/hostile""#));
    assert!(body.contains("Docs \"quoted\"") || body.contains("Docs &quot;quoted&quot;"));
    // A descriptor refused for its `javascript:` link is a processing
    // error on the home page, its message escaped.
    let home = portal.get("/");
    assert!(
        home.body
            .contains("links with a &quot;javascript:&quot; scheme can run code"),
        "{}",
        home.body
    );
    // The catalog table escapes the same values.
    let table = portal.get("/catalog?filters[tags]=xss");
    assert_eq!(table.table_names(), ["hostile"]);
    assert!(!table.body.contains("<script>alert"));
    // So does the raw tab.
    let raw = portal.get("/catalog/default/component/hostile/raw");
    assert_eq!(raw.status, 200);
    assert!(raw.body.contains("&lt;script&gt;"));
    assert!(!raw.body.contains("<script>alert"));
}

fn catalog_filters_narrow_the_table(portal: &Portal) {
    let all = portal.get("/catalog?filters[kind]=component&filters[type]=service");
    assert_eq!(all.status, 200, "{}", all.body);
    // svc-000, svc-002, … (29 services) and `hostile`.
    assert!(all.body.contains("30 matching"), "{}", all.body);
    let owned = portal.get(
        "/catalog?filters[kind]=Component&filters[type]=service&filters[owner]=team-b&filters[lifecycle]=production",
    );
    let names = owned.table_names();
    // Multiples of 6 below 57: owned by team-b (÷3) and services (even).
    let expected: Vec<String> = (0..SERVICES)
        .filter(|i| i.is_multiple_of(6))
        .map(|i| format!("svc-{i:03}"))
        .collect();
    assert_eq!(names, expected);
    // Free text finds the tag; two values of one filter mean either.
    let text = portal.get("/catalog?filters[text]=NEEDLE");
    assert_eq!(text.table_names(), ["svc-007"]);
    let either = portal.get("/catalog?filters[tags]=needle&filters[tags]=xss");
    assert_eq!(either.table_names(), ["hostile", "svc-007"]);
    // Sorting by a column the page links to.
    let by_owner = portal.get("/catalog?filters[kind]=component&sort=owner&direction=desc");
    let first = by_owner.table_names();
    assert_eq!(first.len(), 50);
    assert!(
        first[..19].iter().all(|n| n.starts_with("svc-") && {
            let i: usize = n[4..].parse().unwrap();
            i.is_multiple_of(3)
        }),
        "team-b's 19 components come first: {first:?}"
    );
    // The filter panel offers the kinds and, within a kind, the types.
    assert!(all.body.contains(r#"<option value="group""#));
    assert!(all.body.contains(r#"<option value="library""#));
}

fn catalog_pages_forwards_and_back(portal: &Portal) {
    let mut seen = Vec::new();
    let mut page = portal.get("/catalog?filters[kind]=component");
    assert!(
        page.pager("prev").is_none(),
        "the first page has no previous page"
    );
    let mut pages = vec![page.table_names()];
    seen.extend(page.table_names());
    while let Some(next) = page.pager("next") {
        page = portal.get(&next);
        assert_eq!(page.status, 200, "{next}: {}", page.body);
        pages.push(page.table_names());
        seen.extend(page.table_names());
        assert!(pages.len() < 5, "paging does not end");
    }
    let mut expected: Vec<String> = (0..SERVICES).map(|i| format!("svc-{i:03}")).collect();
    expected.insert(0, "hostile".to_owned());
    assert_eq!(seen, expected, "every component once, in name order");
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [50, 8]);
    // Back from the last page gives the first page again.
    let previous = page.pager("prev").expect("the last page links back");
    let back = portal.get(&previous);
    assert_eq!(back.table_names(), pages[0]);
    assert!(back.pager("next").is_some());
    // A sort other than name pages by offset, also both ways.
    let sorted = portal.get("/catalog?filters[kind]=component&sort=type");
    let next = sorted.pager("next").expect("a second page");
    let second = portal.get(&next);
    assert_eq!(second.table_names().len(), 8);
    assert_eq!(
        portal.get(&second.pager("prev").unwrap()).table_names(),
        sorted.table_names()
    );
}

fn errors_are_friendly_pages_with_their_status(portal: &Portal) {
    let missing = portal.get("/catalog/default/component/does-not-exist");
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .body
            .contains("<title>Page not found · Greenroom</title>")
    );
    assert!(
        missing
            .body
            .contains("No component named default/does-not-exist")
    );
    let unknown = portal.get("/no/such/page");
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("Page not found"));
    for bad in [
        "/catalog?sort=colour",
        "/catalog?cursor=garbage!",
        "/catalog?filters[kind]=%ff",
        "/catalog/default/component/hostile/graph?depth=99",
    ] {
        let page = portal.get(bad);
        assert_eq!(page.status, 400, "{bad}: {}", page.body);
        assert!(page.body.contains("<h1>"), "{bad} is a page");
    }
    // The API keeps its JSON envelope for unknown paths.
    let api = request(
        &format!("{}/api/catalog/nope", portal.server.url),
        "GET",
        &[],
    );
    assert_eq!(api.status, 404);
    assert!(api.body.contains("NotFoundError"));
    // Every answer carries the security headers.
    for page in [&missing, &api, &portal.get("/")] {
        let csp = page.header("content-security-policy").expect("a CSP");
        assert!(csp.contains("script-src 'self'") && csp.contains("object-src 'none'"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
}

fn refresh_posts_must_come_from_the_portal(portal: &Portal) {
    let path = "/catalog/default/component/svc-001/refresh";
    let forged = portal.post(path, &[("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(forged.status, 403, "{}", forged.body);
    let forged = portal.post(
        path,
        &[
            ("Origin", "https://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    );
    assert_eq!(forged.status, 403);
    let ok = portal.post(path, &[("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(
        ok.header("location"),
        Some("/catalog/default/component/svc-001?refreshed=1")
    );
    let after = portal.get("/catalog/default/component/svc-001?refreshed=1");
    assert!(after.body.contains("Refresh requested"));
    let unknown = portal.post(
        "/catalog/default/component/nope/refresh",
        &[("Sec-Fetch-Site", "same-origin")],
    );
    assert_eq!(unknown.status, 404);
}
