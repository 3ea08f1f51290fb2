//! Mangled input never panics, never loses document order, and never hits an
//! internal inconsistency in alias expansion, whatever the parser makes of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use greenroom_yaml::{Limits, parse_documents};

const SEEDS: [&str; 3] = [
    "a: &a [1, *a]\n---\nb: {x: &y 1, *y : 2}\n--- |\n  text\n...\n%YAML 1.2\n---\n? [a, &k b]\n: *k\n- x\n",
    "kind: C\nmetadata:\n  name: x\n  tags: [a, b]\n  annotations:\n    a/b: 'q'\n---\nspec: \"open\n---\n- - - x\n  - y\n",
    "&a a: &b [*a, {c: *b}]\n---\n!!int 3\n--- !!str\n--- &x\n---\n[*x]\n",
];

/// Small deterministic generator (no dependency needed for a smoke fuzz).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % bound
    }
}

#[test]
fn mutated_streams_are_handled() {
    let alphabet: &[u8] = b"-:[]{},&*!?|>'\"\n #~\t.0a1%";
    let limits = Limits {
        max_nodes: 2000,
        max_depth: 20,
        ..Limits::default()
    };
    let mut rng = Lcg(0x1234_5678);
    for round in 0..5000 {
        let mut bytes = SEEDS[round % SEEDS.len()].as_bytes().to_vec();
        for _ in 0..=rng.next(12) {
            let at = rng.next(bytes.len() + 1);
            let byte = alphabet[rng.next(alphabet.len())];
            match rng.next(3) {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => {}
            }
        }
        let input = String::from_utf8_lossy(&bytes).into_owned();
        let results = parse_documents(&bytes, &limits).unwrap();
        let mut previous = 0;
        for result in &results {
            let index = match result {
                Ok(doc) => {
                    assert!(doc.source_map.locate("").is_some(), "{input:?}");
                    doc.index
                }
                Err(err) => {
                    assert!(!err.message.contains("internal"), "{err} in {input:?}");
                    err.index
                }
            };
            assert!(index > previous, "documents out of order in {input:?}");
            previous = index;
        }
    }
}
