//! Entity JSON written as YAML for people to read (the raw view), in the
//! style catalog files use: block mappings and sequences, plain scalars
//! where YAML reads them back as the same string, double quotes otherwise,
//! and literal blocks for multi-line text.

use serde_json::Value;

/// `value` as a YAML document (no `---`), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_sequence(&mut out, items, 0),
        scalar => {
            out.push_str(&scalar_text(scalar, 0));
            out.push('\n');
        }
    }
    out
}

fn write_mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (key, value) in map {
        push_indent(out, indent);
        out.push_str(&string_text(key, false));
        out.push(':');
        write_value_after_key(out, value, indent);
    }
}

fn write_sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_indent(out, indent);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first pair shares the dash's line.
                let mut nested = String::new();
                write_mapping(&mut nested, map, indent + 2);
                out.push(' ');
                out.push_str(nested.trim_start_matches(' '));
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_sequence(out, inner, indent + 2);
            }
            scalar => {
                out.push(' ');
                out.push_str(&scalar_text(scalar, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn write_value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&scalar_text(scalar, indent + 2));
            out.push('\n');
        }
    }
}

fn scalar_text(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if s.contains('\n') && literal_block_ok(s) {
                literal_block(s, indent)
            } else {
                string_text(s, true)
            }
        }
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
    }
}

/// A literal block keeps the text exactly when no line starts with spaces
/// beyond what the block indents (the first line decides the indentation)
/// and there are no control characters.
fn literal_block_ok(s: &str) -> bool {
    !s.starts_with([' ', '\t'])
        && !s.chars().any(|c| c.is_control() && c != '\n')
        && !s.ends_with("\n\n")
}

fn literal_block(s: &str, indent: usize) -> String {
    let (body, chomp) = match s.strip_suffix('\n') {
        Some(body) => (body, "|"),
        None => (s, "|-"),
    };
    let mut out = String::from(chomp);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            push_indent(&mut out, indent);
            out.push_str(line);
        }
    }
    out
}

/// A string as a plain scalar when YAML 1.2 reads it back as this same
/// string, double-quoted (JSON escapes are valid YAML) otherwise.
fn string_text(s: &str, is_value: bool) -> String {
    if plain_ok(s, is_value) {
        s.to_owned()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

fn plain_ok(s: &str, _is_value: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    let numeric = s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.eq_ignore_ascii_case(".inf")
        || s.eq_ignore_ascii_case("-.inf")
        || s.eq_ignore_ascii_case(".nan");
    !reserved
        && !numeric
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(char::is_control)
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entities_read_like_catalog_files() {
        let entity = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "payments",
                "tags": ["java", "true"],
                "annotations": {"backstage.io/view-url": "https://x.example/a: b"},
                "links": [{"url": "https://x.example", "title": "Docs"}],
                "empty": {}
            },
            "spec": {"type": "service", "replicas": 3, "definition": "openapi: 3.0.0\ninfo:\n  title: x\n"},
            "relations": []
        });
        assert_eq!(
            to_yaml(&entity),
            "apiVersion: backstage.io/v1alpha1\n\
             kind: Component\n\
             metadata:\n  name: payments\n  tags:\n  - java\n  - \"true\"\n\
             \x20 annotations:\n    backstage.io/view-url: \"https://x.example/a: b\"\n\
             \x20 links:\n  - url: https://x.example\n    title: Docs\n  empty: {}\n\
             spec:\n  type: service\n  replicas: 3\n  definition: |\n    openapi: 3.0.0\n    info:\n      title: x\n\
             relations: []\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "", "null", "123", "1e3", "- x", "#x", "a #b", "x:", " lead", "*ref", "yes",
        ] {
            let text = to_yaml(&json!({ "k": s }));
            assert!(text.starts_with("k: \""), "{s:?} gave {text}");
        }
        assert_eq!(
            to_yaml(&json!({"k": "line\n  indented"})),
            "k: |-\n  line\n    indented\n"
        );
        assert_eq!(
            to_yaml(&json!({"k": "  starts with spaces\nx"})),
            "k: \"  starts with spaces\\nx\"\n"
        );
    }
}
