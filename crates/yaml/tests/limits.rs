//! Hostile input: alias bombs, depth bombs and node budgets fail with a
//! positioned document error, quickly, and without stopping other documents.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use std::time::{Duration, Instant};

use greenroom_yaml::{DocumentError, Limits, Position, parse_documents};
use serde_json::json;

/// The classic "billion laughs": each level holds nine aliases of the last.
fn billion_laughs() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, next) = (pair[0], pair[1]);
        let items = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{next}: &{next} [{items}]\n"));
    }
    text
}

#[test]
fn billion_laughs_fails_fast() {
    let text = format!("{}---\nafter: ok\n", billion_laughs());
    let started = Instant::now();
    let results = parse_documents(text.as_bytes(), &Limits::default()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(
        err.message,
        "YAML alias expansion exceeds the limit of 1000000 nodes"
    );
    // Level f alone expands to 597,871 nodes; its first use in g overflows.
    assert_eq!(err.position, Some(Position { line: 7, column: 8 }));
    assert_eq!(results[1].as_ref().unwrap().value, json!({"after": "ok"}));
}

#[test]
fn alias_budget_counts_every_expansion_in_full() {
    // 1 mapping + 1 sequence + 3 items = 5 nodes, plus the alias expanding to 4.
    let text = b"a: &a [1, 2, 3]\nb: *a\n";
    let within = Limits {
        max_nodes: 9,
        ..Limits::default()
    };
    assert!(parse_documents(text, &within).unwrap()[0].is_ok());
    let over = Limits {
        max_nodes: 8,
        ..Limits::default()
    };
    let results = parse_documents(text, &over).unwrap();
    assert_eq!(
        results[0].as_ref().unwrap_err(),
        &DocumentError {
            index: 1,
            position: Some(Position { line: 2, column: 4 }),
            message: "YAML alias expansion exceeds the limit of 8 nodes".to_owned(),
        }
    );
}

#[test]
fn node_budget_spans_the_whole_stream() {
    let limits = Limits {
        max_nodes: 6,
        ..Limits::default()
    };
    // Each document is 3 nodes: the third goes over.
    let results = parse_documents(b"[1, 2]\n---\n[3, 4]\n---\n[5, 6]\n", &limits).unwrap();
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.index, 3);
    assert_eq!(err.message, "YAML input exceeds the limit of 6 nodes");
}

#[test]
fn depth_bombs_are_refused() {
    let nesting = "YAML nesting exceeds the limit of 128 levels";
    // Flow nesting past our limit (but within the parser's 255 levels).
    let text = format!("{}{}\n---\nfine: true\n", "[".repeat(200), "]".repeat(200));
    let results = parse_documents(text.as_bytes(), &Limits::default()).unwrap();
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.message, nesting);
    assert_eq!(
        err.position,
        Some(Position {
            line: 1,
            column: 129
        })
    );
    assert_eq!(results[1].as_ref().unwrap().value, json!({"fine": true}));

    // Far past the parser's own flow limit: refused quickly, others kept.
    let depth = 1_000_000;
    let text = format!(
        "{}{}\n---\nfine: true\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let started = Instant::now();
    let results = parse_documents(text.as_bytes(), &Limits::default()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(results[0].as_ref().unwrap_err().message, nesting);
    assert_eq!(results[1].as_ref().unwrap().value, json!({"fine": true}));

    // Block nesting: `- - - ... x` is 100,000 nested sequences.
    let text = format!("{}x\n---\nfine: true\n", "- ".repeat(100_000));
    let started = Instant::now();
    let results = parse_documents(text.as_bytes(), &Limits::default()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.message, nesting);
    assert_eq!(
        err.position,
        Some(Position {
            line: 1,
            column: 257
        })
    );
    assert_eq!(results[1].as_ref().unwrap().value, json!({"fine": true}));
}

#[test]
fn depth_limit_is_inclusive() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let ok = parse_documents(b"a:\n  b:\n    - 1\n", &limits).unwrap();
    assert_eq!(ok[0].as_ref().unwrap().value, json!({"a": {"b": [1]}}));
    let deep = parse_documents(b"a:\n  b:\n    - [1]\n", &limits).unwrap();
    let err = deep[0].as_ref().unwrap_err();
    assert_eq!(err.message, "YAML nesting exceeds the limit of 3 levels");
    assert_eq!(err.position, Some(Position { line: 3, column: 7 }));
}

#[test]
fn aliases_cannot_nest_past_the_depth_limit() {
    let limits = Limits {
        max_depth: 4,
        ..Limits::default()
    };
    // Each level wraps the previous one: the expansion would be 5 deep.
    let text = b"a: &a [[1]]\nb: &b [*a]\nc: [*b]\n";
    let results = parse_documents(text, &limits).unwrap();
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.message, "YAML nesting exceeds the limit of 4 levels");
    assert_eq!(err.position, Some(Position { line: 3, column: 5 }));
}
