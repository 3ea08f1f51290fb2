//! Behaviour of `parse_documents` / `parse_single` on well-formed and
//! malformed streams: values, positions, numbering and recovery.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use greenroom_yaml::{
    Document, DocumentError, InputError, Limits, Position, SingleError, parse_documents,
    parse_single,
};
use serde_json::{Value, json};

fn parse(text: &str) -> Vec<Result<Document, DocumentError>> {
    parse_documents(text.as_bytes(), &Limits::default()).expect("input is readable")
}

fn single(text: &str) -> Value {
    parse_single(text.as_bytes(), &Limits::default())
        .expect("one valid document")
        .value
}

fn pos(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

/// (index, value) of good documents, (index, line) of bad ones.
fn summary(
    results: &[Result<Document, DocumentError>],
) -> Vec<Result<(usize, Value), (usize, usize)>> {
    results
        .iter()
        .map(|r| match r {
            Ok(doc) => Ok((doc.index, doc.value.clone())),
            Err(e) => Err((e.index, e.position.map_or(0, |p| p.line))),
        })
        .collect()
}

#[test]
fn core_schema_scalars() {
    let value = single(
        "n1: ~\nn2: null\nn3: NULL\nn4:\nb1: true\nb2: False\nb3: yes\n\
         i1: 42\ni2: -7\ni3: 0x1f\ni4: 0o17\nf1: 3.25\nf2: 1e3\nf3: .inf\nf4: .NaN\n\
         s1: hello world\ns2: 1.2.3\ns3: 0x\n",
    );
    assert_eq!(
        value,
        json!({
            "n1": null, "n2": null, "n3": null, "n4": null,
            "b1": true, "b2": false, "b3": "yes",
            "i1": 42, "i2": -7, "i3": 31, "i4": 15,
            "f1": 3.25, "f2": 1000, "f3": ".inf", "f4": ".NaN",
            "s1": "hello world", "s2": "1.2.3", "s3": "0x"
        })
    );
}

#[test]
fn quoted_scalars_are_always_strings() {
    let value = single("a: '42'\nb: \"true\"\nc: 'null'\nd: \"\"\ne: ''\nf: \"0x10\"\n");
    assert_eq!(
        value,
        json!({"a": "42", "b": "true", "c": "null", "d": "", "e": "", "f": "0x10"})
    );
}

#[test]
fn explicit_tags_are_honoured_and_others_ignored() {
    let value = single(
        "a: !!str 42\nb: !!int \"42\"\nc: !!float '2'\nd: !!bool \"true\"\ne: !!null ''\n\
         f: !Ref 42\ng: !Sub 'x'\nh: !custom {k: v}\ni: !!str true\n",
    );
    assert_eq!(
        value,
        json!({
            "a": "42", "b": 42, "c": 2, "d": true, "e": null,
            "f": 42, "g": "x", "h": {"k": "v"}, "i": "true"
        })
    );
    let err = parse_single(b"a: !!int forty\n", &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        SingleError::Document(DocumentError {
            index: 1,
            position: pos(1, 4),
            message: "value \"forty\" is not a valid !!int".to_owned(),
        })
    );
}

#[test]
fn block_scalars_keep_their_content() {
    let value = single(
        "literal: |\n  line one\n    indented\n  line three\nfolded: >\n  folded\n  text\n\n  para\n\
         strip: |-\n  no newline\nkeep: |+\n  kept\n\nnext: 1\n",
    );
    assert_eq!(
        value,
        json!({
            "literal": "line one\n  indented\nline three\n",
            "folded": "folded text\npara\n",
            "strip": "no newline",
            "keep": "kept\n\n",
            "next": 1
        })
    );
}

#[test]
fn non_string_keys_become_strings_and_merge_keys_are_plain() {
    let value = single("1: one\ntrue: yes\n~: nothing\n1.5: x\n? [a, b]\n: seq\n");
    assert_eq!(
        value,
        json!({"1": "one", "true": "yes", "": "nothing", "1.5": "x", "[\"a\",\"b\"]": "seq"})
    );
    let value = single("base: &base {a: 1}\nderived:\n  <<: *base\n  b: 2\n");
    assert_eq!(
        value,
        json!({"base": {"a": 1}, "derived": {"<<": {"a": 1}, "b": 2}})
    );
}

#[test]
fn aliases_are_expanded() {
    let value = single(
        "defaults: &d\n  owner: team-a\n  tags: &t [x, y]\nservice:\n  config: *d\n  labels: *t\n  again: *d\n",
    );
    let defaults = json!({"owner": "team-a", "tags": ["x", "y"]});
    assert_eq!(
        value,
        json!({
            "defaults": defaults,
            "service": {"config": defaults, "labels": ["x", "y"], "again": defaults}
        })
    );
    // Aliases to anchored nodes that themselves contain aliases.
    let value = single("a: &a [1]\nb: &b [*a, *a]\nc: [*b, *a]\n");
    assert_eq!(
        value,
        json!({"a": [1], "b": [[1], [1]], "c": [[[1], [1]], [1]]})
    );
    // Aliases used as keys, and anchors defined inside keys.
    let value = single("k: &k name\n*k : value\n");
    assert_eq!(value, json!({"k": "name", "name": "value"}));
    let value = single("y: &y 1\na: &x {b: [*y]}\n*x : v\n? &k [1, 2]\n: *k\n");
    assert_eq!(
        value,
        json!({"y": 1, "a": {"b": [1]}, "{\"b\":[1]}": "v", "[1,2]": [1, 2]})
    );
}

#[test]
fn unknown_and_recursive_aliases_are_document_errors() {
    let results = parse("a: 1\n---\nb: *missing\n---\nc: 3\n");
    assert_eq!(
        summary(&results),
        vec![
            Ok((1, json!({"a": 1}))),
            Err((2, 3)),
            Ok((3, json!({"c": 3})))
        ]
    );
    // Anchors do not reach across documents.
    let results = parse("a: &x 1\n---\nb: *x\n");
    assert_eq!(
        summary(&results),
        vec![Ok((1, json!({"a": 1}))), Err((2, 3))]
    );
    let message = &results[1].as_ref().unwrap_err().message;
    assert!(message.contains("unknown alias"), "{message}");

    let results = parse("a: &a [1, *a]\n");
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.position, pos(1, 11));
    assert!(err.message.contains("recursive alias"), "{}", err.message);
}

#[test]
fn positions_of_nested_and_missing_fields() {
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/source-location: url:https://x\n  tags:\n    - a\n    -   b\nspec:\n  type: service\n";
    let doc = parse_single(text.as_bytes(), &Limits::default()).unwrap();
    let map = &doc.source_map;
    assert_eq!(map.locate(""), pos(1, 1));
    assert_eq!(map.locate("/kind"), pos(2, 7));
    assert_eq!(map.locate("/metadata"), pos(4, 3));
    assert_eq!(map.locate("/metadata/name"), pos(4, 9));
    assert_eq!(
        map.locate("/metadata/annotations/backstage.io~1source-location"),
        pos(6, 35)
    );
    assert_eq!(map.locate("/metadata/tags/1"), pos(9, 9));
    // Missing fields point at the nearest existing ancestor.
    assert_eq!(map.locate("/spec/owner"), pos(11, 3));
    assert_eq!(map.locate("/metadata/tags/5"), pos(8, 5));
    assert_eq!(doc.position("/spec/type"), pos(11, 9));
    assert_eq!(map.locate_exact("/spec/owner"), None);
}

#[test]
fn positions_of_aliases_point_at_the_alias() {
    let doc = parse_single(b"a: &x {k: [1, 2]}\nb:\n  c: *x\n", &Limits::default()).unwrap();
    assert_eq!(doc.position("/b/c"), pos(3, 6));
    assert_eq!(doc.position("/b/c/k/1"), pos(3, 6));
    assert_eq!(doc.position("/a/k/1"), pos(1, 15));
}

#[test]
fn documents_are_numbered_with_empty_ones_skipped() {
    let text = "# leading comment\n---\nkind: A\n---\n# only a comment\n---\n---\nkind: B\n...\n---\nnull\n---\n";
    assert_eq!(
        summary(&parse(text)),
        vec![
            Ok((1, json!({"kind": "A"}))),
            Ok((4, json!({"kind": "B"}))),
            Ok((5, Value::Null)),
        ]
    );
    assert!(parse("").is_empty());
    assert!(parse("# just a comment\n").is_empty());
    // Positions of later documents are absolute lines in the stream.
    let results = parse("a: 1\n---\nb:\n  c: 2\n");
    assert_eq!(results[1].as_ref().unwrap().position("/b/c"), pos(4, 6));
}

#[test]
fn syntax_error_in_middle_document_keeps_the_others() {
    let text = "kind: A\n---\nkind: B\nbad: [unclosed\n---\nkind: C\n---\nkind: D\n";
    let results = parse(text);
    assert_eq!(
        summary(&results),
        vec![
            Ok((1, json!({"kind": "A"}))),
            Err((2, 5)),
            Ok((3, json!({"kind": "C"}))),
            Ok((4, json!({"kind": "D"}))),
        ]
    );
    // Later documents keep their own positions after recovery.
    assert_eq!(results[2].as_ref().unwrap().position("/kind"), pos(6, 7));
}

#[test]
fn syntax_errors_report_parser_position_and_message() {
    let results = parse("a: 1\n---\nkey: value: nested\n---\nb: 2\n");
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.index, 2);
    assert_eq!(err.position, pos(3, 11));
    assert_eq!(
        err.message,
        "mapping values are not allowed in this context"
    );
    assert_eq!(
        err.to_string(),
        "document 2 at line 3, column 11: mapping values are not allowed in this context"
    );
    assert_eq!(summary(&results)[2], Ok((3, json!({"b": 2}))));
}

#[test]
fn recovery_from_errors_found_while_reading_ahead() {
    // The unterminated quote and the indentation error are only noticed at
    // (or after) the next `---`; the error must still land on document 2.
    for text in [
        "a: 1\n---\n\"unterminated\n---\nc: 3\n",
        "a: 1\n---\n- [\n---\n- x\n",
        "a: 1\n--- [x\n---\nc: 3\n",
    ] {
        let results = parse(text);
        let got = summary(&results);
        assert_eq!(got.len(), 3, "{text:?}: {got:?}");
        assert_eq!(got[0], Ok((1, json!({"a": 1}))), "{text:?}");
        assert!(matches!(got[1], Err((2, _))), "{text:?}: {got:?}");
        assert!(matches!(got[2], Ok((3, _))), "{text:?}: {got:?}");
    }
    // Several bad documents in a row, and a bad last document.
    let results = parse("a: [\n---\nb: {\n---\nc: 1\n---\nd: ]\n");
    assert_eq!(
        summary(&results)
            .iter()
            .map(|r| r.as_ref().map(|(i, _)| *i).map_err(|(i, _)| *i))
            .collect::<Vec<_>>(),
        vec![Err(1), Err(2), Ok(3), Err(4)]
    );
}

#[test]
fn duplicate_keys_are_errors_at_the_duplicate() {
    let results = parse("metadata:\n  name: a\n  title: t\n  name: b\n---\nok: 1\n");
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(err.position, pos(4, 3));
    assert_eq!(err.message, "duplicate key \"name\"");
    assert_eq!(summary(&results)[1], Ok((2, json!({"ok": 1}))));
    // Keys that become the same string are duplicates too.
    let results = parse("1: a\n\"1\": b\n");
    assert_eq!(
        results[0].as_ref().unwrap_err().message,
        "duplicate key \"1\""
    );
}

#[test]
fn bom_is_accepted() {
    let doc = parse_single(b"\xEF\xBB\xBFkind: Component\n", &Limits::default()).unwrap();
    assert_eq!(doc.value, json!({"kind": "Component"}));
    assert_eq!(doc.position("/kind"), pos(1, 7));
}

#[test]
fn non_utf8_is_an_input_error_with_position() {
    let err = parse_documents(b"a: 1\nb: caf\xe9\n", &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        InputError::NotUtf8 {
            position: Position { line: 2, column: 7 }
        }
    );
    assert_eq!(
        err.to_string(),
        "input is not valid UTF-8 at line 2, column 7"
    );
}

#[test]
fn size_limit_is_checked_before_parsing() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    // Not even valid YAML: the size is refused first.
    let err = parse_documents(b"[[[[[[[[[[[[[[[[", &limits).unwrap_err();
    assert_eq!(
        err,
        InputError::TooLarge {
            size: 16,
            limit: 10
        }
    );
    assert_eq!(
        parse_single(b"a: 1\nb: 22222", &limits).unwrap_err(),
        SingleError::Input(InputError::TooLarge {
            size: 13,
            limit: 10
        })
    );
}

#[test]
fn parse_single_requires_exactly_one_document() {
    assert_eq!(single("---\n# comment\n---\na: 1\n---\n"), json!({"a": 1}));
    let limits = Limits::default();
    assert_eq!(
        parse_single(b"# nothing\n", &limits).unwrap_err(),
        SingleError::DocumentCount(0)
    );
    assert_eq!(
        parse_single(b"a: 1\n---\nb: 2\n", &limits).unwrap_err(),
        SingleError::DocumentCount(2)
    );
    assert!(matches!(
        parse_single(b"a: 1\n---\nb: [\n", &limits).unwrap_err(),
        SingleError::Document(DocumentError { index: 2, .. })
    ));
}
