//! A billion-laughs file must be refused before any expansion is copied.
//!
//! Alone in its test binary so that the process's peak memory (Linux
//! `VmHWM`) reflects this parse only.

#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use greenroom_yaml::{Limits, parse_documents};

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn billion_laughs_uses_tiny_memory() {
    let mut text = String::from("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let items = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{items}]\n", pair[1], pair[1]));
    }
    // A budget so large that only the copying itself could stop it:
    // 9^9 expanded nodes would need tens of gigabytes.
    let limits = Limits {
        max_nodes: 10_000_000,
        ..Limits::default()
    };
    let before = peak_rss_kib();
    let results = parse_documents(text.as_bytes(), &limits).unwrap();
    let after = peak_rss_kib();
    let err = results[0].as_ref().unwrap_err();
    assert!(err.message.contains("alias expansion exceeds"), "{err}");
    // Expanding even the 6 million nodes below the limit would cost
    // hundreds of megabytes.
    eprintln!("peak memory {before} KiB -> {after} KiB");
    assert!(
        after - before < 16 * 1024,
        "peak grew by {} KiB",
        after - before
    );
}
