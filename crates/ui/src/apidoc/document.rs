//! The parsed definition being rendered: local `$ref` lookups and the
//! budget that bounds how much one page may render.
//!
//! References are followed only inside the document (`#/…` JSON pointers);
//! anything else is reported as external and shown as text. The budget is
//! charged for every rendered piece roughly by the bytes it adds, because
//! references let a small document expand into a huge page (a schema
//! referencing another twice, thirty levels deep; a long description
//! referenced by every operation).

use std::cell::Cell;

use serde_json::Value;

use super::values::str_field;

/// Budget of one page: about this many bytes of rendered markup.
const PAGE_BUDGET: usize = 4_000_000;

/// Cost of one rendered element (a schema node, a parameter row, a
/// response) besides its text: about the bytes of markup around it.
pub(crate) const ELEMENT_COST: usize = 200;

/// Longest chain of references to references followed.
const MAX_REF_HOPS: usize = 32;

/// What a value is once its `$ref` (if any) is followed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    /// The value itself, or the local value its reference chain ends at;
    /// `reference` is the last `$ref` followed, if any.
    Found {
        value: &'a Value,
        reference: Option<&'a str>,
    },
    /// A reference into another document, shown as text.
    External(&'a str),
    /// A local reference to nothing.
    Missing(&'a str),
    /// References that lead back to themselves without reaching a value.
    Loop(&'a str),
}

/// A parsed definition and what rendering it may still cost.
pub(crate) struct Document<'a> {
    pub root: &'a Value,
    budget: Cell<usize>,
    exhausted: Cell<bool>,
}

impl<'a> Document<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Self::with_budget(root, PAGE_BUDGET)
    }

    pub(crate) fn with_budget(root: &'a Value, budget: usize) -> Self {
        Document {
            root,
            budget: Cell::new(budget),
            exhausted: Cell::new(false),
        }
    }

    /// Takes `cost` from the budget; false (and nothing taken) when it does
    /// not cover it, after which [`Document::exhausted`] is true.
    pub(crate) fn charge(&self, cost: usize) -> bool {
        let left = self.budget.get();
        if self.exhausted.get() || cost > left {
            self.exhausted.set(true);
            return false;
        }
        self.budget.set(left - cost);
        true
    }

    /// Charges an element with `text` of its own.
    pub(crate) fn charge_text(&self, text: Option<&str>) -> bool {
        self.charge(ELEMENT_COST + text.map_or(0, str::len))
    }

    /// Whether something was left out for lack of budget.
    pub(crate) fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    /// Follows `value`'s `$ref` chain, if any.
    pub(crate) fn follow(&self, value: &'a Value) -> Target<'a> {
        let mut current = value;
        let mut last = None;
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = str_field(current, "$ref") else {
                return Target::Found {
                    value: current,
                    reference: last,
                };
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                return Target::External(reference);
            };
            match lookup(self.root, pointer) {
                Some(next) => {
                    current = next;
                    last = Some(reference);
                }
                None => return Target::Missing(reference),
            }
        }
        Target::Loop(last.unwrap_or_default())
    }

    /// `value` with its reference chain followed, or `None` when it leads
    /// nowhere local.
    pub(crate) fn resolve(&self, value: &'a Value) -> Option<&'a Value> {
        match self.follow(value) {
            Target::Found { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// The value at a JSON pointer taken from a URI fragment (`/a/b~1c/0`,
/// percent-encoded characters allowed).
fn lookup<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let pointer = pointer.strip_prefix('/')?;
    let mut current = root;
    for raw in pointer.split('/') {
        let segment = unescape_segment(raw);
        current = match current {
            Value::Object(fields) => fields.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// A pointer segment with its URI percent-encoding and `~1`/`~0` escapes
/// undone.
fn unescape_segment(raw: &str) -> String {
    percent_decode(raw).replace("~1", "/").replace("~0", "~")
}

fn percent_decode(raw: &str) -> String {
    if !raw.contains('%') {
        return raw.to_owned();
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&high), Some(&low)) => hex(high).zip(hex(low)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The name a reader knows a reference by: its last pointer segment
/// (`#/components/schemas/Pet` → `Pet`), or the whole reference.
pub(crate) fn reference_name(reference: &str) -> String {
    match reference.rsplit_once('/') {
        Some((_, last)) if !last.is_empty() => unescape_segment(last),
        _ => reference.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_local_reference_chains() {
        let root = json!({
            "components": {"schemas": {
                "Alias": {"$ref": "#/components/schemas/Pet"},
                "Pet": {"type": "object"},
                "a/b": {"type": "string"},
                "Self": {"$ref": "#/components/schemas/Self"},
            }},
            "paths": {"/pets": {"get": {"ok": true}}},
        });
        let document = Document::new(&root);
        match document.follow(&json!({"$ref": "#/components/schemas/Alias"})) {
            Target::Found { value, reference } => {
                assert_eq!(value, &json!({"type": "object"}));
                assert_eq!(reference, Some("#/components/schemas/Pet"));
            }
            other => panic!("{other:?}"),
        }
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(document.resolve(&escaped), Some(&json!({"type": "string"})));
        let encoded = json!({"$ref": "#/paths/~1pets/get"});
        assert_eq!(document.resolve(&encoded), Some(&json!({"ok": true})));
        let percent = json!({"$ref": "#/paths/%7E1pets/get"});
        assert_eq!(document.resolve(&percent), Some(&json!({"ok": true})));
        assert!(matches!(
            document.follow(&json!({"$ref": "#/components/schemas/Self"})),
            Target::Loop(_)
        ));
        assert!(matches!(
            document.follow(&json!({"$ref": "#/components/schemas/Nope"})),
            Target::Missing("#/components/schemas/Nope")
        ));
        assert!(matches!(
            document.follow(&json!({"$ref": "common.yaml#/Pet"})),
            Target::External("common.yaml#/Pet")
        ));
    }

    #[test]
    fn names_references_by_their_last_segment() {
        assert_eq!(reference_name("#/components/schemas/Pet"), "Pet");
        assert_eq!(reference_name("#/definitions/a~1b"), "a/b");
        assert_eq!(reference_name("Pet.yaml"), "Pet.yaml");
    }

    #[test]
    fn the_budget_runs_out_once() {
        let root = json!({});
        let document = Document::with_budget(&root, 100);
        assert!(document.charge(60));
        assert!(!document.exhausted());
        assert!(!document.charge(60));
        assert!(document.exhausted());
        assert!(!document.charge(1));
    }
}
