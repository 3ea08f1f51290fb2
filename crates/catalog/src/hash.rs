//! Content fingerprints for change detection (not for security): a source
//! whose bytes fingerprint the same as last time is not reprocessed, and an
//! entity whose result fingerprints the same is not rewritten.

use xxhash_rust::xxh3::Xxh3;

/// Incremental 128-bit fingerprint; every part is length-prefixed so that
/// `("ab", "c")` and `("a", "bc")` differ.
pub struct Fingerprint(Xxh3);

impl Fingerprint {
    pub fn new() -> Self {
        Fingerprint(Xxh3::new())
    }

    /// Adds one length-prefixed part.
    pub fn add(&mut self, bytes: &[u8]) {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn add_u128(&mut self, value: u128) {
        self.0.update(&value.to_le_bytes());
    }

    /// The fingerprint as 32 lower-case hex digits.
    pub fn finish(&self) -> String {
        format!("{:032x}", self.0.digest128())
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

/// Fingerprint of one byte string.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut fp = Fingerprint::new();
    fp.add(bytes);
    fp.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_delimited() {
        let mut a = Fingerprint::new();
        a.add(b"ab");
        a.add(b"c");
        let mut b = Fingerprint::new();
        b.add(b"a");
        b.add(b"bc");
        assert_ne!(a.finish(), b.finish());
        assert_eq!(fingerprint(b"x"), fingerprint(b"x"));
        assert_eq!(fingerprint(b"x").len(), 32);
    }
}
