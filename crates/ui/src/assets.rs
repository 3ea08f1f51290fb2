//! The stylesheet and script every page links to, embedded in the binary.
//!
//! They are served under names that carry a fingerprint of their content
//! (`/static/app-<hash>.css`), so browsers may cache them forever and a new
//! build is picked up at once. Several source files make up the stylesheet
//! (one per part of the UI that owns its styles); they are concatenated in a
//! fixed order.

use std::sync::OnceLock;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The path it is served at, fingerprint included.
    pub path: String,
    pub content_type: &'static str,
    pub body: &'static str,
}

const STYLESHEET: &str = concat!(
    include_str!("../assets/app.css"),
    include_str!("../assets/apidoc.css"),
    include_str!("../assets/graph.css"),
);

const SCRIPT: &str = include_str!("../assets/app.js");

/// The stylesheet.
pub fn stylesheet() -> &'static Asset {
    static ASSET: OnceLock<Asset> = OnceLock::new();
    ASSET.get_or_init(|| fingerprinted("app", "css", "text/css; charset=utf-8", STYLESHEET))
}

/// The script.
pub fn script() -> &'static Asset {
    static ASSET: OnceLock<Asset> = OnceLock::new();
    ASSET.get_or_init(|| fingerprinted("app", "js", "text/javascript; charset=utf-8", SCRIPT))
}

/// The asset served at `path`, if any.
pub fn find(path: &str) -> Option<&'static Asset> {
    [stylesheet(), script()]
        .into_iter()
        .find(|asset| asset.path == path)
}

fn fingerprinted(
    stem: &str,
    extension: &str,
    content_type: &'static str,
    body: &'static str,
) -> Asset {
    Asset {
        path: format!("/static/{stem}-{:016x}.{extension}", fnv1a(body.as_bytes())),
        content_type,
        body,
    }
}

/// FNV-1a: a stable fingerprint (not a security measure).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_found_by_their_fingerprinted_path() {
        let css = stylesheet();
        assert!(css.path.starts_with("/static/app-") && css.path.ends_with(".css"));
        assert!(std::ptr::eq(
            find(&css.path).map_or(std::ptr::null(), |a| a),
            css
        ));
        assert!(find("/static/app.css").is_none());
        assert_ne!(stylesheet().path, script().path);
    }
}
