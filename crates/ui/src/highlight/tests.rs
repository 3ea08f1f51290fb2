use super::*;

fn render(source: &str, language: Language) -> String {
    highlight(source, language).into_string()
}

fn span(class: &str, text: &str) -> String {
    format!(r#"<span class="tok-{class}">{text}</span>"#)
}

/// The text a browser shows for `html`: tags removed, entities decoded.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn data_language(html: &str) -> &str {
    html.split("data-language=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("")
}

const ALL: [Language; 5] = [
    Language::Yaml,
    Language::Json,
    Language::GraphQl,
    Language::Protobuf,
    Language::Plain,
];

#[test]
fn wraps_source_in_pre_and_code() {
    let html = render("a: 1\n", Language::Yaml);
    assert!(
        html.starts_with(r#"<pre class="code" data-language="yaml"><code>"#),
        "{html}"
    );
    assert!(html.ends_with("</code></pre>"), "{html}");
}

#[test]
fn yaml_keys_scalars_and_comments() {
    let source = "# top\nopenapi: \"3.0.0\"\ninfo:\n  version: 1.0.0\n  count: 42\n  on: true\n  nothing: ~\n  list: [a, 'b', 3]\n  - item # note\n";
    let html = render(source, Language::Yaml);
    assert!(html.contains(&span("comment", "# top")), "{html}");
    assert!(html.contains(&span("key", "openapi")), "{html}");
    assert!(html.contains(&span("punct", ":")), "{html}");
    assert!(
        html.contains(&span("string", "&quot;3.0.0&quot;")),
        "{html}"
    );
    assert!(html.contains(&span("string", "1.0.0")), "{html}");
    assert!(html.contains(&span("number", "42")), "{html}");
    assert!(html.contains(&span("keyword", "true")), "{html}");
    assert!(html.contains(&span("keyword", "~")), "{html}");
    assert!(html.contains(&span("string", "'b'")), "{html}");
    assert!(html.contains(&span("number", "3")), "{html}");
    assert!(html.contains(&span("comment", "# note")), "{html}");
    assert_eq!(visible_text(&html), source);
}

#[test]
fn yaml_block_scalar_lines_are_strings_until_dedent() {
    let source =
        "spec:\n  definition: |\n    key: not a key\n\n    # not a comment\n  owner: team\n";
    let html = render(source, Language::Yaml);
    assert!(html.contains(&span("string", "key: not a key")), "{html}");
    assert!(html.contains(&span("string", "# not a comment")), "{html}");
    assert!(html.contains(&span("key", "owner")), "{html}");
    assert!(!html.contains(&span("key", "key")), "{html}");
}

#[test]
fn yaml_block_scalar_in_a_sequence_ends_at_the_next_sibling_key() {
    let source = "- name: >-\n    folded\n  other: x\n";
    let html = render(source, Language::Yaml);
    assert!(html.contains(&span("string", "folded")), "{html}");
    assert!(html.contains(&span("key", "other")), "{html}");
}

#[test]
fn yaml_quoted_keys_anchors_and_urls() {
    let source = "'200':\n  base: &b http://x.example:8080/a\n  copy: *b\n";
    let html = render(source, Language::Yaml);
    assert!(html.contains(&span("key", "'200'")), "{html}");
    assert!(html.contains(&span("type", "&amp;b")), "{html}");
    assert!(
        html.contains(&span("string", "http://x.example:8080/a")),
        "{html}"
    );
    assert!(html.contains(&span("type", "*b")), "{html}");
}

#[test]
fn json_keys_values_and_literals() {
    let source = r#"{"openapi": "3.1.0", "n": -1.5e3, "ok": true, "list": [null]}"#;
    let html = render(source, Language::Json);
    assert!(html.contains(&span("key", "&quot;openapi&quot;")), "{html}");
    assert!(
        html.contains(&span("string", "&quot;3.1.0&quot;")),
        "{html}"
    );
    assert!(html.contains(&span("number", "-1.5e3")), "{html}");
    assert!(html.contains(&span("keyword", "true")), "{html}");
    assert!(html.contains(&span("keyword", "null")), "{html}");
    assert!(html.contains(&span("punct", "{")), "{html}");
}

#[test]
fn graphql_keywords_types_fields_and_block_strings() {
    let source = "\"\"\"\nDocs with \\\"\"\" inside\n\"\"\"\ntype Query implements Node {\n  # a comment\n  shipment(id: ID!, first: Int = 25): Shipment @deprecated(reason: \"old\")\n  type: String\n}\nenum Level { ECONOMY }\n";
    let html = render(source, Language::GraphQl);
    assert!(
        html.contains(&span(
            "string",
            "&quot;&quot;&quot;\nDocs with \\&quot;&quot;&quot; inside\n&quot;&quot;&quot;"
        )),
        "{html}"
    );
    assert!(html.contains(&span("keyword", "type")), "{html}");
    assert!(html.contains(&span("keyword", "implements")), "{html}");
    assert!(html.contains(&span("type", "Query")), "{html}");
    assert!(html.contains(&span("type", "ID")), "{html}");
    assert!(html.contains(&span("key", "id")), "{html}");
    assert!(html.contains(&span("key", "shipment")), "{html}");
    assert!(html.contains(&span("number", "25")), "{html}");
    assert!(html.contains(&span("comment", "# a comment")), "{html}");
    assert!(html.contains(&span("keyword", "@deprecated")), "{html}");
    assert!(html.contains(&span("string", "&quot;old&quot;")), "{html}");
    // A field named like a keyword is a field.
    assert!(html.contains(&span("key", "type")), "{html}");
    assert!(!html.contains(&span("type", "ECONOMY")), "{html}");
}

#[test]
fn protobuf_keywords_types_comments_and_strings() {
    let source = "// header\nsyntax = \"proto3\";\n/* block\n comment */\nservice Greeter {\n  rpc Watch (Req) returns (stream google.protobuf.Timestamp) {}\n}\nmessage Req { repeated string names = 1; map<string, int64> counts = 2; }\n";
    let html = render(source, Language::Protobuf);
    assert!(html.contains(&span("comment", "// header")), "{html}");
    assert!(html.contains(&span("keyword", "syntax")), "{html}");
    assert!(
        html.contains(&span("string", "&quot;proto3&quot;")),
        "{html}"
    );
    assert!(
        html.contains(&span("comment", "/* block\n comment */")),
        "{html}"
    );
    assert!(html.contains(&span("keyword", "rpc")), "{html}");
    assert!(html.contains(&span("keyword", "stream")), "{html}");
    assert!(
        html.contains(&span("type", "google.protobuf.Timestamp")),
        "{html}"
    );
    assert!(html.contains(&span("type", "Greeter")), "{html}");
    assert!(html.contains(&span("type", "string")), "{html}");
    assert!(html.contains(&span("type", "int64")), "{html}");
    assert!(html.contains(&span("keyword", "map")), "{html}");
    assert!(html.contains(&span("number", "2")), "{html}");
}

#[test]
fn markup_in_the_source_is_escaped_in_every_language() {
    let source = "x: \"<script>alert(1)</script>\"\n<img src=x onerror=alert(1)> & \"\"\" /* <b>\n";
    for language in ALL {
        let html = render(source, language);
        assert!(!html.contains("<script"), "{language:?}: {html}");
        assert!(!html.contains("<img"), "{language:?}: {html}");
        assert!(!html.contains("<b>"), "{language:?}: {html}");
        assert_eq!(visible_text(&html), source, "{language:?}");
    }
}

#[test]
fn unterminated_constructs_keep_all_text() {
    let sources = [
        "\"unterminated",
        "'unterminated\nnext: line",
        "\"\"\"never closed\nstill string",
        "/* never closed",
        "key: |",
        "key: |\n",
        "- - - ",
        "[{[{",
        "]]}}",
        "\"\\",
        "\\",
        "\"\"\"\\",
        "a:\r\n  b: \"c\r\n",
        "#",
        ":",
        "-",
        "@",
        "é: ü\n日本: \"語\"\n🦀: '🦀'",
        "0x 1e 1e+ -. .5 --1",
    ];
    for source in sources {
        for language in ALL {
            let html = render(source, language);
            assert_eq!(visible_text(&html), source, "{language:?} on {source:?}");
            assert_eq!(
                data_language(&html),
                language.name(),
                "{language:?} fell back on {source:?}"
            );
        }
    }
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_input_never_panics_and_keeps_every_character() {
    // Bytes biased towards the characters the lexers care about.
    const ALPHABET: &[u8] = b"\"'`#/*:-|>{}[](),;=!@&$.\\ \t\r\nabcXYZ019_eE+";
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let length = (random.next() % 200) as usize;
        let bytes: Vec<u8> = (0..length)
            .map(|_| {
                let r = random.next();
                if r.is_multiple_of(5) {
                    (r >> 8) as u8
                } else {
                    ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                }
            })
            .collect();
        let source = String::from_utf8_lossy(&bytes);
        for language in ALL {
            let html = render(&source, language);
            assert_eq!(visible_text(&html), source, "round {round}, {language:?}");
            assert_eq!(
                data_language(&html),
                language.name(),
                "round {round}, {language:?}"
            );
        }
    }
}

#[test]
fn huge_sources_are_plain_text() {
    let line = "key: \"<value>\"\n";
    let source = line.repeat(MAX_HIGHLIGHT_BYTES / line.len() + 1);
    let html = render(&source, Language::Yaml);
    assert_eq!(data_language(&html), "plain");
    assert!(!html.contains("tok-"));
    assert!(html.contains("&lt;value&gt;"));
}

#[test]
fn sources_of_many_tiny_tokens_are_plain_text() {
    let source = "[a".repeat(MAX_HIGHLIGHT_TOKENS / 2 + 1);
    let html = render(&source, Language::Yaml);
    assert_eq!(data_language(&html), "plain");
    let source = "[a".repeat(MAX_HIGHLIGHT_TOKENS / 4);
    let html = render(&source, Language::Yaml);
    assert_eq!(data_language(&html), "yaml");
}

#[test]
fn guesses_from_the_api_type_first() {
    assert_eq!(Language::guess("openapi", "openapi: 3.0.0"), Language::Yaml);
    assert_eq!(
        Language::guess("openapi", "  {\"openapi\": \"3.0.0\"}"),
        Language::Json
    );
    assert_eq!(
        Language::guess("asyncapi", "asyncapi: 2.0.0"),
        Language::Yaml
    );
    assert_eq!(Language::guess("graphql", "anything"), Language::GraphQl);
    assert_eq!(Language::guess("grpc", "anything"), Language::Protobuf);
    assert_eq!(Language::guess(" GraphQL ", ""), Language::GraphQl);
}

#[test]
fn guesses_from_the_source_for_other_types() {
    assert_eq!(
        Language::guess("other", "// c\nsyntax = \"proto3\";"),
        Language::Protobuf
    );
    assert_eq!(
        Language::guess("other", "# c\ntype Query { a: Int }"),
        Language::GraphQl
    );
    assert_eq!(Language::guess("other", "\n[1, 2]"), Language::Json);
    assert_eq!(
        Language::guess("other", "# comment\nname: value"),
        Language::Yaml
    );
    assert_eq!(
        Language::guess("trpc", "import { z } from 'zod';\nversion: x"),
        Language::Plain
    );
    assert_eq!(Language::guess("other", ""), Language::Plain);
}
