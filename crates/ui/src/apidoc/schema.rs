//! JSON Schemas (OpenAPI's and AsyncAPI's dialects) as a readable tree:
//! one line per schema (reference name, type, format, enum values,
//! constraints), its description, then its properties, array items and
//! `allOf`/`oneOf`/`anyOf` alternatives, nested objects folded in
//! `<details>`.
//!
//! Local references are expanded where they are used. A reference already
//! being expanded further up the tree is shown as `↻ Name` instead of being
//! expanded again, nesting stops at [`MAX_DEPTH`], and every schema may
//! render at most [`MAX_NODES_PER_SCHEMA`] nodes on top of the page budget
//! of [`Document`].

use std::collections::HashSet;

use maud::{Markup, html};
use serde_json::Value;

use super::document::{Document, ELEMENT_COST, Target, reference_name};
use super::values::{array_field, flag, object_field, scalar_text, str_field, text_field};

/// Deepest nesting of schemas shown.
const MAX_DEPTH: usize = 24;
/// Most nodes one schema may render.
const MAX_NODES_PER_SCHEMA: usize = 1_000;
/// Most enum values listed on one line.
const MAX_ENUM_VALUES: usize = 20;
/// Most schemas a one-line type label looks at (`array of array of …`,
/// `A | B`).
const MAX_LABEL_STEPS: usize = 16;
/// Most alternatives named in a one-line type label.
const MAX_LABEL_ALTERNATIVES: usize = 6;

/// `schema` as a tree, for request and response bodies.
pub(crate) fn schema_tree<'a>(document: &Document<'a>, schema: &'a Value) -> Markup {
    let mut view = SchemaView::new(document);
    let parts = view.parts(schema, 0);
    html! {
        div.schema {
            div.schema-line { (parts.line) }
            @if let Some(description) = parts.description {
                p.schema-description { (description) }
            }
            @if let Some(children) = parts.children {
                (children)
            }
        }
    }
}

/// `schema` on one line (type, format, constraints), for parameter tables.
pub(crate) fn schema_line<'a>(document: &Document<'a>, schema: &'a Value) -> Markup {
    let mut view = SchemaView::new(document);
    let (line, _) = view.line(schema, 0);
    line
}

/// The pieces of one rendered schema.
struct Parts<'a> {
    line: Markup,
    description: Option<&'a str>,
    children: Option<Markup>,
}

/// Why a schema is shown as a marker instead of being expanded.
enum Stop<'a> {
    Cycle(String),
    External(&'a str),
    Missing(&'a str),
    TooDeep,
    TooLarge,
}

/// A schema once its reference is followed.
struct Resolved<'a> {
    value: &'a Value,
    reference: Option<&'a str>,
    description: Option<&'a str>,
}

struct SchemaView<'d, 'a> {
    document: &'d Document<'a>,
    /// References being expanded, outermost first.
    stack: Vec<&'a str>,
    nodes_left: usize,
}

impl<'d, 'a> SchemaView<'d, 'a> {
    fn new(document: &'d Document<'a>) -> Self {
        SchemaView {
            document,
            stack: Vec::new(),
            nodes_left: MAX_NODES_PER_SCHEMA,
        }
    }

    /// Whether this schema or the page has no budget left: siblings still
    /// to come are then left out, with one marker.
    fn spent(&self) -> bool {
        self.nodes_left == 0 || self.document.exhausted()
    }

    /// Follows `value`'s reference and charges for the node.
    fn enter(&mut self, value: &'a Value, depth: usize) -> Result<Resolved<'a>, Stop<'a>> {
        // Markers cost as much as what they stand for.
        if self.nodes_left == 0 || !self.document.charge(ELEMENT_COST) {
            return Err(Stop::TooLarge);
        }
        self.nodes_left -= 1;
        if depth > MAX_DEPTH {
            return Err(Stop::TooDeep);
        }
        match self.document.follow(value) {
            Target::Found {
                value: resolved,
                reference,
            } => {
                if let Some(reference) = reference
                    && self.stack.contains(&reference)
                {
                    return Err(Stop::Cycle(reference_name(reference)));
                }
                // A description beside a `$ref` (OpenAPI 3.1) wins.
                let description = text_field(value, "description")
                    .or_else(|| text_field(resolved, "description"))
                    .filter(|text| self.document.charge(text.len()));
                Ok(Resolved {
                    value: resolved,
                    reference,
                    description,
                })
            }
            Target::External(reference) => Err(Stop::External(reference)),
            Target::Missing(reference) => Err(Stop::Missing(reference)),
            Target::Loop(reference) => Err(Stop::Cycle(reference_name(reference))),
        }
    }

    fn parts(&mut self, value: &'a Value, depth: usize) -> Parts<'a> {
        match self.enter(value, depth) {
            Ok(resolved) => {
                let line = self.resolved_line(&resolved);
                let children = self.children(resolved.value, resolved.reference, depth);
                Parts {
                    line,
                    description: resolved.description,
                    children,
                }
            }
            Err(stop) => Parts {
                line: stop_marker(&stop),
                description: None,
                children: None,
            },
        }
    }

    /// The one-line view of `value` and its description.
    fn line(&mut self, value: &'a Value, depth: usize) -> (Markup, Option<&'a str>) {
        match self.enter(value, depth) {
            Ok(resolved) => (self.resolved_line(&resolved), resolved.description),
            Err(stop) => (stop_marker(&stop), None),
        }
    }

    fn resolved_line(&self, resolved: &Resolved<'a>) -> Markup {
        let schema = resolved.value;
        let label = self.type_label(schema);
        let recursive_items = self.recursive_items(resolved);
        html! {
            @if let Some(reference) = resolved.reference {
                span.schema-ref { (reference_name(reference)) }
                " "
            }
            @if !label.is_empty() {
                span.schema-type { (label) }
            }
            @if let Some(name) = recursive_items {
                " " span.schema-cycle title={ "recursive reference to " (name) } { "↻" }
            }
            (facets(schema))
        }
    }

    /// The name of an array's item schema when it is one being expanded
    /// (the array's own included): its items are then not shown.
    fn recursive_items(&self, resolved: &Resolved<'a>) -> Option<String> {
        let items = resolved.value.get("items")?;
        if declared_type(resolved.value).as_deref() != Some("array") {
            return None;
        }
        match self.document.follow(items) {
            Target::Found {
                reference: Some(reference),
                ..
            } if self.stack.contains(&reference) || resolved.reference == Some(reference) => {
                Some(reference_name(reference))
            }
            _ => None,
        }
    }

    /// `object`, `string (date-time)`, `array of Pet`, `Cat | Dog`, `any`.
    fn type_label(&self, schema: &'a Value) -> String {
        let mut steps = MAX_LABEL_STEPS;
        self.label_of(schema, &mut steps)
    }

    fn label_of(&self, schema: &'a Value, steps: &mut usize) -> String {
        if *steps == 0 {
            return "…".to_owned();
        }
        *steps -= 1;
        let declared = declared_type(schema);
        if declared.as_deref() == Some("array")
            && let Some(items) = schema.get("items")
        {
            let inner = self.target_label(self.document.follow(items), steps);
            return format!("array of {inner}");
        }
        if let Some(declared) = declared {
            return match str_field(schema, "format") {
                Some(format) => format!("{declared} ({format})"),
                None => declared,
            };
        }
        for (key, separator) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
            let alternatives = array_field(schema, key);
            if alternatives.is_empty() {
                continue;
            }
            let mut names = Vec::new();
            for alternative in alternatives.iter().take(MAX_LABEL_ALTERNATIVES) {
                names.push(self.target_label(self.document.follow(alternative), steps));
            }
            if alternatives.len() > MAX_LABEL_ALTERNATIVES {
                names.push("…".to_owned());
            }
            return names.join(separator);
        }
        match schema {
            Value::Bool(false) => "nothing".to_owned(),
            _ => "any".to_owned(),
        }
    }

    /// A referenced schema by its name, an inline one by its label.
    fn target_label(&self, target: Target<'a>, steps: &mut usize) -> String {
        match target {
            Target::Found {
                reference: Some(reference),
                ..
            } => reference_name(reference),
            Target::Found { value, .. } => self.label_of(value, steps),
            Target::External(reference) | Target::Missing(reference) => reference.to_owned(),
            Target::Loop(reference) => format!("↻ {}", reference_name(reference)),
        }
    }

    /// Properties, array items and alternatives of an entered schema, with
    /// its reference on the stack while they render.
    fn children(
        &mut self,
        schema: &'a Value,
        reference: Option<&'a str>,
        depth: usize,
    ) -> Option<Markup> {
        if let Some(reference) = reference {
            self.stack.push(reference);
        }
        let children = self.children_of(schema, depth);
        if reference.is_some() {
            self.stack.pop();
        }
        children
    }

    fn children_of(&mut self, schema: &'a Value, depth: usize) -> Option<Markup> {
        // An array shows its items' children directly: "array of Pet" then
        // Pet's properties.
        if declared_type(schema).as_deref() == Some("array")
            && let Some(items) = schema.get("items")
        {
            // Recursive items are marked on the array's line.
            return match self.enter(items, depth + 1) {
                Ok(resolved) => self.children(resolved.value, resolved.reference, depth + 1),
                Err(_) => None,
            };
        }
        let required: HashSet<&str> = array_field(schema, "required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut entries = Vec::new();
        if let Some(properties) = object_field(schema, "properties") {
            for (name, property) in properties {
                if self.spent() {
                    entries.push(omitted());
                    break;
                }
                let entry = self.entry(
                    html! { code.prop-name { (name) } },
                    required.contains(&name.as_str()),
                    property,
                    depth + 1,
                );
                entries.push(entry);
            }
        }
        if let Some(additional) = schema
            .get("additionalProperties")
            .filter(|value| value.is_object())
        {
            let entry = self.entry(
                html! { em.prop-name { "additional properties" } },
                false,
                additional,
                depth + 1,
            );
            entries.push(entry);
        }
        for (key, label) in [
            ("allOf", "all of"),
            ("oneOf", "one of"),
            ("anyOf", "any of"),
        ] {
            let alternatives = array_field(schema, key);
            if !alternatives.is_empty() {
                entries.push(self.alternatives(label, alternatives, depth + 1));
            }
        }
        if entries.is_empty() {
            return None;
        }
        Some(html! {
            ul.schema-props {
                @for entry in &entries { (entry) }
            }
        })
    }

    /// One property: its name, a required marker, and its schema (folded
    /// when it has children of its own).
    fn entry(&mut self, name: Markup, required: bool, schema: &'a Value, depth: usize) -> Markup {
        let parts = self.parts(schema, depth);
        let head = html! {
            (name)
            @if required { " " span.required { "required" } }
            " " (parts.line)
        };
        html! {
            li.schema-prop {
                @if let Some(children) = parts.children {
                    details.schema-nested {
                        summary { (head) }
                        @if let Some(description) = parts.description {
                            p.schema-description { (description) }
                        }
                        (children)
                    }
                } @else {
                    div.schema-leaf {
                        (head)
                        @if let Some(description) = parts.description {
                            p.schema-description { (description) }
                        }
                    }
                }
            }
        }
    }

    /// `allOf`/`oneOf`/`anyOf`: each alternative expanded in a numbered list.
    fn alternatives(&mut self, label: &str, alternatives: &'a [Value], depth: usize) -> Markup {
        let mut rendered = Vec::new();
        for alternative in alternatives {
            if self.spent() {
                rendered.push(html! { li { (stop_marker(&Stop::TooLarge)) } });
                break;
            }
            let parts = self.parts(alternative, depth);
            rendered.push(html! {
                li {
                    div.schema-line { (parts.line) }
                    @if let Some(description) = parts.description {
                        p.schema-description { (description) }
                    }
                    @if let Some(children) = parts.children { (children) }
                }
            });
        }
        html! {
            li.schema-prop.schema-composition {
                span.schema-combinator { (label) }
                ol.schema-alternatives {
                    @for alternative in &rendered { (alternative) }
                }
            }
        }
    }
}

/// The `type` a schema declares (`a | b` for 3.1 type lists), or the one
/// its keywords imply.
fn declared_type(schema: &Value) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(single)) => return Some(single.clone()),
        Some(Value::Array(types)) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            if names.len() == 2 && names.contains(&"null") {
                // ["string", "null"]: say "string", and "nullable" below.
                return names
                    .iter()
                    .find(|name| **name != "null")
                    .map(|name| (*name).to_owned());
            }
            if !names.is_empty() {
                return Some(names.join(" | "));
            }
        }
        _ => {}
    }
    if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
        Some("object".to_owned())
    } else if schema.get("items").is_some() {
        Some("array".to_owned())
    } else {
        None
    }
}

/// Whether the schema admits `null` (3.0 `nullable`, 3.1 type lists).
fn nullable(schema: &Value) -> bool {
    let types = array_field(schema, "type");
    flag(schema, "nullable")
        || (types.len() == 2 && types.iter().any(|name| name.as_str() == Some("null")))
}

/// Enum values, defaults, bounds and flags of one schema.
fn facets(schema: &Value) -> Markup {
    let values = array_field(schema, "enum");
    let bound = |key: &str| {
        schema
            .get(key)
            .filter(|value| value.is_number())
            .map(scalar_text)
    };
    let exclusive = |key: &str| flag(schema, key);
    let mut bounds: Vec<String> = Vec::new();
    if let Some(minimum) = bound("minimum") {
        let sign = if exclusive("exclusiveMinimum") {
            ">"
        } else {
            "≥"
        };
        bounds.push(format!("{sign} {minimum}"));
    }
    if let Some(minimum) = bound("exclusiveMinimum") {
        bounds.push(format!("> {minimum}"));
    }
    if let Some(maximum) = bound("maximum") {
        let sign = if exclusive("exclusiveMaximum") {
            "<"
        } else {
            "≤"
        };
        bounds.push(format!("{sign} {maximum}"));
    }
    if let Some(maximum) = bound("exclusiveMaximum") {
        bounds.push(format!("< {maximum}"));
    }
    for (key, text) in [
        ("minLength", "length ≥"),
        ("maxLength", "length ≤"),
        ("minItems", "items ≥"),
        ("maxItems", "items ≤"),
        ("multipleOf", "multiple of"),
    ] {
        if let Some(value) = bound(key) {
            bounds.push(format!("{text} {value}"));
        }
    }
    html! {
        @if nullable(schema) { " " span.schema-facet { "nullable" } }
        @if flag(schema, "deprecated") { " " span.schema-facet.schema-deprecated { "deprecated" } }
        @if flag(schema, "readOnly") { " " span.schema-facet { "read-only" } }
        @if flag(schema, "writeOnly") { " " span.schema-facet { "write-only" } }
        @if !values.is_empty() {
            " "
            span.schema-facet.schema-enum {
                "one of: "
                @for (index, value) in values.iter().take(MAX_ENUM_VALUES).enumerate() {
                    @if index > 0 { ", " }
                    code { (scalar_text(value)) }
                }
                @if values.len() > MAX_ENUM_VALUES {
                    " … and " (values.len() - MAX_ENUM_VALUES) " more"
                }
            }
        }
        @if let Some(value) = schema.get("const") {
            " " span.schema-facet { "constant: " code { (scalar_text(value)) } }
        }
        @for text in &bounds { " " span.schema-facet { (text) } }
        @if let Some(pattern) = str_field(schema, "pattern") {
            " " span.schema-facet { "pattern " code { (pattern) } }
        }
        @if flag(schema, "uniqueItems") { " " span.schema-facet { "unique items" } }
        @if let Some(value) = schema.get("default") {
            " " span.schema-facet { "default: " code { (scalar_text(value)) } }
        }
        @if let Some(value) = schema.get("example").filter(|value| !value.is_object() && !value.is_array()) {
            " " span.schema-facet { "example: " code { (scalar_text(value)) } }
        }
    }
}

/// The entry standing for properties left out.
fn omitted() -> Markup {
    html! { li.schema-prop { div.schema-leaf { (stop_marker(&Stop::TooLarge)) } } }
}

fn stop_marker(stop: &Stop<'_>) -> Markup {
    match stop {
        Stop::Cycle(name) => html! {
            span.schema-cycle title={ "recursive reference to " (name) } { "↻ " (name) }
        },
        Stop::External(reference) => html! {
            span.schema-external { "external reference " code { (reference) } }
        },
        Stop::Missing(reference) => html! {
            span.schema-missing { "unresolved reference " code { (reference) } }
        },
        Stop::TooDeep => html! {
            span.schema-truncated { "… nested too deep to show here" }
        },
        Stop::TooLarge => html! {
            span.schema-truncated { "… too large to show here; see the definition source" }
        },
    }
}
