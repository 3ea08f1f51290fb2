//! Backstage's JSON filter predicates (the `query` of POST bodies) as a
//! [`Predicate`], and back (a cursor stores its query this way).
//!
//! The language (SURVEY §6.3, `@backstage/filter-predicates`):
//! - logical objects `{"$all": [p…]}` (empty: always true), `{"$any": [p…]}`
//!   (empty: never true), `{"$not": p}`, each standing alone;
//! - field objects `{"<path>": <value>, …}`, every pair must hold (`{}`
//!   always holds);
//! - values: a primitive (string, number or boolean, compared as a
//!   lower-cased string), `{"$exists": bool}`, `{"$in": [primitive…]}`,
//!   `{"$hasPrefix": "s"}` (also spelled `$startsWith`), `{"$contains":
//!   primitive}` (array membership, which is equality since an array gives
//!   one search row per element), and for the key `relations`
//!   `{"$contains": {"type": t, "targetRef"?: ref | {"$in": [ref…]}}}`,
//!   which asks about the key `relations.<t>`.
//!
//! Anything else (a primitive at the root, an unknown `$operator`, a wrong
//! type) is refused naming the JSON path, e.g. `query.$all[2].spec.type`.
//! Keys follow [`super::keys`]; nesting is bounded by
//! [`MAX_PREDICATE_DEPTH`] and the size ([`Predicate::size`]) by
//! [`MAX_PREDICATE_SIZE`], checked while parsing so hostile bodies stop
//! early.

use greenroom_store::query::{Matcher, Predicate};
use serde_json::{Map, Number, Value, json};

use super::error::{QueryError, excerpt};
use super::keys::{normalize_key, normalize_value};

/// Deepest accepted predicate ([`Predicate::depth`]).
pub const MAX_PREDICATE_DEPTH: usize = 16;
/// Largest accepted predicate ([`Predicate::size`]).
pub const MAX_PREDICATE_SIZE: usize = 2_000;

const VALUE_FORMS: &str = "expected a string, number or boolean, or an object with one of $exists, $in, $hasPrefix, $contains";

/// Parses the predicate `value`, found at `path` (e.g. `query`).
pub fn parse_predicate(value: &Value, path: &str) -> Result<Predicate, QueryError> {
    if !value.is_object() {
        return Err(QueryError::predicate(
            path,
            format!(
                "top-level {} values are not supported, wrap the value in a field expression, e.g. {{\"kind\": \"component\"}}",
                type_name(value)
            ),
        ));
    }
    let predicate = Parser { size: 0 }.predicate(value, path, 1)?;
    if predicate.depth() > MAX_PREDICATE_DEPTH {
        return Err(too_deep(path));
    }
    Ok(predicate)
}

/// The JSON form of `predicate`; [`parse_predicate`] reads it back as the
/// same predicate.
pub fn predicate_to_json(predicate: &Predicate) -> Value {
    match predicate {
        Predicate::All(parts) => {
            json!({"$all": parts.iter().map(predicate_to_json).collect::<Vec<_>>()})
        }
        Predicate::Any(parts) => {
            json!({"$any": parts.iter().map(predicate_to_json).collect::<Vec<_>>()})
        }
        Predicate::Not(inner) => json!({"$not": predicate_to_json(inner)}),
        Predicate::Field { key, matcher } => {
            let value = match matcher {
                Matcher::Exists => json!({"$exists": true}),
                Matcher::AnyOf(values) if values.len() == 1 => json!(values[0]),
                Matcher::AnyOf(values) => json!({"$in": values}),
                Matcher::HasPrefix(prefix) => json!({"$hasPrefix": prefix}),
            };
            let mut object = Map::new();
            object.insert(key.clone(), value);
            Value::Object(object)
        }
    }
}

fn too_deep(path: &str) -> QueryError {
    QueryError::predicate(
        path,
        format!("predicates may nest at most {MAX_PREDICATE_DEPTH} levels deep"),
    )
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A string, number or boolean as the string Backstage compares
/// (`String(value)` in JavaScript), before lower-casing.
fn primitive_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number_text(number)),
        _ => None,
    }
}

fn number_text(number: &Number) -> String {
    if !number.is_i64()
        && !number.is_u64()
        && let Some(float) = number.as_f64()
        && float.fract() == 0.0
        && float.abs() < 1e21
    {
        // JavaScript prints whole floats without a fraction (7.0 → "7").
        return if float == 0.0 {
            "0".to_owned()
        } else {
            format!("{float:.0}")
        };
    }
    number.to_string()
}

struct Parser {
    /// [`Predicate::size`] of what has been parsed so far.
    size: usize,
}

impl Parser {
    fn grow(&mut self, by: usize, path: &str) -> Result<(), QueryError> {
        self.size += by;
        if self.size > MAX_PREDICATE_SIZE {
            return Err(QueryError::predicate(
                path,
                format!(
                    "the predicate has more than {MAX_PREDICATE_SIZE} conditions and listed values"
                ),
            ));
        }
        Ok(())
    }

    fn predicate(
        &mut self,
        value: &Value,
        path: &str,
        depth: usize,
    ) -> Result<Predicate, QueryError> {
        if depth > MAX_PREDICATE_DEPTH {
            return Err(too_deep(path));
        }
        let Value::Object(object) = value else {
            return Err(QueryError::predicate(
                path,
                format!("expected an object, got {}", type_name(value)),
            ));
        };
        if let Some(operator) = ["$all", "$any", "$not"]
            .into_iter()
            .find(|op| object.contains_key(*op))
        {
            if object.len() > 1 {
                return Err(QueryError::predicate(
                    path,
                    format!("{operator} cannot be combined with other keys"),
                ));
            }
            return self.logical(operator, &object[operator], path, depth);
        }
        if let Some(operator) = object.keys().find(|key| key.starts_with('$')) {
            return Err(QueryError::predicate(
                path,
                format!(
                    "unknown operator '{}' (expected $all, $any, $not or field paths)",
                    excerpt(operator)
                ),
            ));
        }
        self.grow(usize::from(object.len() != 1), path)?;
        let mut fields = Vec::with_capacity(object.len());
        for (key, value) in object {
            fields.push(self.field(key, value, &format!("{path}.{}", excerpt(key)))?);
        }
        Ok(if fields.len() == 1 {
            fields.remove(0)
        } else {
            Predicate::All(fields)
        })
    }

    fn logical(
        &mut self,
        operator: &str,
        operand: &Value,
        path: &str,
        depth: usize,
    ) -> Result<Predicate, QueryError> {
        let path = format!("{path}.{operator}");
        self.grow(1, &path)?;
        if operator == "$not" {
            let inner = self.predicate(operand, &path, depth + 1)?;
            return Ok(Predicate::Not(Box::new(inner)));
        }
        let Value::Array(items) = operand else {
            return Err(QueryError::predicate(
                &path,
                format!(
                    "expected an array of predicates, got {}",
                    type_name(operand)
                ),
            ));
        };
        let mut parts = Vec::with_capacity(items.len().min(MAX_PREDICATE_SIZE));
        for (index, item) in items.iter().enumerate() {
            parts.push(self.predicate(item, &format!("{path}[{index}]"), depth + 1)?);
        }
        Ok(if operator == "$all" {
            Predicate::All(parts)
        } else {
            Predicate::Any(parts)
        })
    }

    /// One `"<key>": <value>` pair of a field object, found at `path`.
    fn field(&mut self, raw_key: &str, value: &Value, path: &str) -> Result<Predicate, QueryError> {
        let key = normalize_key(raw_key).map_err(|reason| QueryError::predicate(path, reason))?;
        if let Some(text) = primitive_text(value) {
            return self.values(key, &[text], path);
        }
        let Value::Object(object) = value else {
            return Err(QueryError::predicate(
                path,
                format!("{VALUE_FORMS}, got {}", type_name(value)),
            ));
        };
        let mut entries = object.iter();
        let (Some((operator, operand)), None) = (entries.next(), entries.next()) else {
            return Err(QueryError::predicate(
                path,
                format!("{VALUE_FORMS}, got an object with {} keys", object.len()),
            ));
        };
        let path = format!("{path}.{}", excerpt(operator));
        match operator.as_str() {
            "$exists" => {
                let Value::Bool(exists) = operand else {
                    return Err(QueryError::predicate(
                        &path,
                        format!("expected a boolean, got {}", type_name(operand)),
                    ));
                };
                self.grow(1 + usize::from(!exists), &path)?;
                let field = Predicate::exists(key);
                Ok(if *exists {
                    field
                } else {
                    Predicate::Not(Box::new(field))
                })
            }
            "$in" => {
                let texts = self.primitive_list(operand, &path)?;
                self.values(key, &texts, &path)
            }
            "$hasPrefix" | "$startsWith" => {
                let Value::String(prefix) = operand else {
                    return Err(QueryError::predicate(
                        &path,
                        format!("expected a string, got {}", type_name(operand)),
                    ));
                };
                let prefix = normalize_value(prefix)
                    .map_err(|reason| QueryError::predicate(&path, reason))?;
                self.grow(1, &path)?;
                Ok(Predicate::Field {
                    key,
                    matcher: Matcher::HasPrefix(prefix),
                })
            }
            "$contains" => {
                if let Some(text) = primitive_text(operand) {
                    return self.values(key, &[text], &path);
                }
                if key == "relations" && operand.is_object() {
                    return self.relation(operand, &path);
                }
                Err(QueryError::predicate(
                    &path,
                    format!(
                        "expected a string, number or boolean (or, for relations, an object {{\"type\": …, \"targetRef\": …}}), got {}",
                        type_name(operand)
                    ),
                ))
            }
            other => Err(QueryError::predicate(
                &path,
                format!("unknown operator '{}' ({VALUE_FORMS})", excerpt(other)),
            )),
        }
    }

    /// `key` equals one of `texts`.
    fn values(
        &mut self,
        key: String,
        texts: &[String],
        path: &str,
    ) -> Result<Predicate, QueryError> {
        self.grow(texts.len().max(1), path)?;
        let mut values: Vec<String> = Vec::with_capacity(texts.len());
        for text in texts {
            let value =
                normalize_value(text).map_err(|reason| QueryError::predicate(path, reason))?;
            if !values.contains(&value) {
                values.push(value);
            }
        }
        Ok(Predicate::Field {
            key,
            matcher: Matcher::AnyOf(values),
        })
    }

    /// The operand of `$in`: primitives as text, at most what the size
    /// budget still allows.
    fn primitive_list(&self, operand: &Value, path: &str) -> Result<Vec<String>, QueryError> {
        let Value::Array(items) = operand else {
            return Err(QueryError::predicate(
                path,
                format!(
                    "expected an array of strings, numbers or booleans, got {}",
                    type_name(operand)
                ),
            ));
        };
        if self.size + items.len() > MAX_PREDICATE_SIZE {
            return Err(QueryError::predicate(
                path,
                format!(
                    "the predicate has more than {MAX_PREDICATE_SIZE} conditions and listed values"
                ),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                primitive_text(item).ok_or_else(|| {
                    QueryError::predicate(
                        format!("{path}[{index}]"),
                        format!(
                            "expected a string, number or boolean, got {}",
                            type_name(item)
                        ),
                    )
                })
            })
            .collect()
    }

    /// `{"type": t, "targetRef"?: ref | {"$in": [ref…]}}` under
    /// `relations.$contains`.
    fn relation(&mut self, operand: &Value, path: &str) -> Result<Predicate, QueryError> {
        let Value::Object(object) = operand else {
            return Err(QueryError::predicate(path, "expected an object"));
        };
        if let Some(unknown) = object.keys().find(|k| *k != "type" && *k != "targetRef") {
            return Err(QueryError::predicate(
                path,
                format!(
                    "unknown key '{}' (expected type and optionally targetRef)",
                    excerpt(unknown)
                ),
            ));
        }
        let type_path = format!("{path}.type");
        let relation_type = match object.get("type") {
            Some(Value::String(t)) if !t.trim().is_empty() => t.trim(),
            Some(other) => {
                return Err(QueryError::predicate(
                    type_path,
                    format!("expected a non-empty string, got {}", type_name(other)),
                ));
            }
            None => return Err(QueryError::predicate(type_path, "is required")),
        };
        let key = normalize_key(&format!("relations.{relation_type}"))
            .map_err(|reason| QueryError::predicate(&type_path, reason))?;
        let target_path = format!("{path}.targetRef");
        match object.get("targetRef") {
            None => {
                self.grow(1, path)?;
                Ok(Predicate::exists(key))
            }
            Some(Value::String(target)) => {
                self.values(key, std::slice::from_ref(target), &target_path)
            }
            Some(Value::Object(inner)) if inner.len() == 1 && inner.contains_key("$in") => {
                let in_path = format!("{target_path}.$in");
                let texts = self.primitive_list(&inner["$in"], &in_path)?;
                self.values(key, &texts, &in_path)
            }
            Some(other) => Err(QueryError::predicate(
                target_path,
                format!(
                    "expected an entity ref or {{\"$in\": [refs]}}, got {}",
                    type_name(other)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: Value) -> Result<Predicate, QueryError> {
        parse_predicate(&value, "query")
    }

    fn any_of(key: &str, values: &[&str]) -> Predicate {
        Predicate::Field {
            key: key.to_owned(),
            matcher: Matcher::AnyOf(values.iter().map(|v| (*v).to_owned()).collect()),
        }
    }

    fn err(value: Value) -> String {
        parse(value).unwrap_err().to_string()
    }

    #[test]
    fn field_objects() {
        assert_eq!(
            parse(json!({"kind": "Component"})).unwrap(),
            Predicate::equals("kind", "component")
        );
        assert_eq!(
            parse(json!({"Kind": "Component", "spec.type": "service"})).unwrap(),
            Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::equals("spec.type", "service"),
            ])
        );
        assert_eq!(parse(json!({})).unwrap(), Predicate::All(vec![]));
    }

    #[test]
    fn primitives_compare_as_lower_cased_strings() {
        assert_eq!(
            parse(json!({"spec.replicas": 7})).unwrap(),
            Predicate::equals("spec.replicas", "7")
        );
        assert_eq!(
            parse(json!({"spec.replicas": 7.0})).unwrap(),
            Predicate::equals("spec.replicas", "7")
        );
        assert_eq!(
            parse(json!({"spec.ratio": 1.5})).unwrap(),
            Predicate::equals("spec.ratio", "1.5")
        );
        assert_eq!(
            parse(json!({"spec.ratio": -3})).unwrap(),
            Predicate::equals("spec.ratio", "-3")
        );
        assert_eq!(
            parse(json!({"spec.enabled": true})).unwrap(),
            Predicate::equals("spec.enabled", "true")
        );
    }

    #[test]
    fn value_operators() {
        assert_eq!(
            parse(json!({"metadata.annotations.x": {"$exists": true}})).unwrap(),
            Predicate::exists("metadata.annotations.x")
        );
        assert_eq!(
            parse(json!({"spec.owner": {"$exists": false}})).unwrap(),
            Predicate::Not(Box::new(Predicate::exists("spec.owner")))
        );
        assert_eq!(
            parse(json!({"spec.type": {"$in": ["Service", "website", 3, false, "service"]}}))
                .unwrap(),
            any_of("spec.type", &["service", "website", "3", "false"])
        );
        assert_eq!(
            parse(json!({"spec.type": {"$in": []}})).unwrap(),
            any_of("spec.type", &[])
        );
        assert_eq!(
            parse(json!({"metadata.name": {"$hasPrefix": "Team-"}})).unwrap(),
            Predicate::Field {
                key: "metadata.name".into(),
                matcher: Matcher::HasPrefix("team-".into())
            }
        );
        assert_eq!(
            parse(json!({"metadata.name": {"$startsWith": "x"}})).unwrap(),
            Predicate::Field {
                key: "metadata.name".into(),
                matcher: Matcher::HasPrefix("x".into())
            }
        );
        assert_eq!(
            parse(json!({"metadata.tags": {"$contains": "Java"}})).unwrap(),
            Predicate::equals("metadata.tags", "java")
        );
    }

    #[test]
    fn relations_contains() {
        assert_eq!(
            parse(json!({"relations": {"$contains": {"type": "ownedBy"}}})).unwrap(),
            Predicate::exists("relations.ownedby")
        );
        assert_eq!(
            parse(json!({"relations": {"$contains": {"type": "ownedBy", "targetRef": "Group:default/Team-A"}}}))
                .unwrap(),
            Predicate::equals("relations.ownedby", "group:default/team-a")
        );
        assert_eq!(
            parse(json!({"Relations": {"$contains": {"type": "memberOf", "targetRef": {"$in": ["group:default/a", "group:default/b"]}}}}))
                .unwrap(),
            any_of("relations.memberof", &["group:default/a", "group:default/b"])
        );
    }

    #[test]
    fn relations_contains_errors() {
        assert_eq!(
            err(json!({"relations": {"$contains": {"targetRef": "x"}}})),
            "Invalid filter predicate at query.relations.$contains.type: is required"
        );
        assert!(
            err(json!({"relations": {"$contains": {"type": ""}}}))
                .contains("expected a non-empty string")
        );
        assert!(
            err(json!({"relations": {"$contains": {"type": "x", "other": 1}}}))
                .contains("unknown key 'other'")
        );
        assert!(
            err(json!({"relations": {"$contains": {"type": "x", "targetRef": [1]}}}))
                .starts_with("Invalid filter predicate at query.relations.$contains.targetRef:")
        );
        assert!(
            err(json!({"relations": {"$contains": {"type": "__proto__"}}}))
                .contains("reserved path segment")
        );
        // Object operands of $contains are only for relations.
        assert!(
            err(json!({"spec.items": {"$contains": {"type": "x"}}}))
                .starts_with("Invalid filter predicate at query.spec.items.$contains:")
        );
    }

    #[test]
    fn logical_operators() {
        let got = parse(json!({
            "$all": [
                {"kind": "component"},
                {"$any": [{"spec.type": "service"}, {"spec.type": "website"}]},
                {"$not": {"spec.lifecycle": "experimental"}}
            ]
        }))
        .unwrap();
        assert_eq!(
            got,
            Predicate::All(vec![
                Predicate::equals("kind", "component"),
                Predicate::Any(vec![
                    Predicate::equals("spec.type", "service"),
                    Predicate::equals("spec.type", "website"),
                ]),
                Predicate::Not(Box::new(Predicate::equals(
                    "spec.lifecycle",
                    "experimental"
                ))),
            ])
        );
        assert_eq!(parse(json!({"$all": []})).unwrap(), Predicate::All(vec![]));
        assert_eq!(parse(json!({"$any": []})).unwrap(), Predicate::Any(vec![]));
    }

    #[test]
    fn bare_primitives_at_the_root_are_refused() {
        for value in [
            json!("component"),
            json!(7),
            json!(true),
            json!(null),
            json!([]),
        ] {
            let message = err(value);
            assert!(
                message.starts_with("Invalid filter predicate at query: top-level"),
                "{message}"
            );
        }
    }

    #[test]
    fn errors_name_the_json_path() {
        assert_eq!(
            err(json!({"$all": [{"kind": "a"}, {"kind": "b"}, {"spec.type": null}]})),
            format!("Invalid filter predicate at query.$all[2].spec.type: {VALUE_FORMS}, got null")
        );
        assert_eq!(
            err(json!({"$any": [{"$not": "x"}]})),
            "Invalid filter predicate at query.$any[0].$not: expected an object, got string"
        );
        assert_eq!(
            err(json!({"$all": {"kind": "x"}})),
            "Invalid filter predicate at query.$all: expected an array of predicates, got object"
        );
        assert_eq!(
            err(json!({"spec.type": {"$in": ["a", {"b": 1}]}})),
            "Invalid filter predicate at query.spec.type.$in[1]: expected a string, number or boolean, got object"
        );
        assert!(err(json!({"spec.type": {"$in": "a"}})).contains("at query.spec.type.$in:"));
        assert!(err(json!({"spec.type": {"$exists": "yes"}})).contains("expected a boolean"));
        assert!(err(json!({"spec.type": {"$hasPrefix": 1}})).contains("expected a string"));
        assert!(err(json!({"spec.type": ["a"]})).contains("got array"));
        assert!(
            err(json!({"spec.type": {"$in": ["a"], "$exists": true}}))
                .contains("got an object with 2 keys")
        );
        assert!(
            err(json!({"spec": {"type": "x"}}))
                .contains("at query.spec.type: unknown operator 'type'")
        );
        assert!(err(json!({"": "x"})).contains("the key is empty"));
    }

    #[test]
    fn unknown_operators_are_refused() {
        assert!(
            err(json!({"$nor": []}))
                .starts_with("Invalid filter predicate at query: unknown operator '$nor'")
        );
        assert!(err(json!({"spec.type": {"$regex": ".*"}})).starts_with(
            "Invalid filter predicate at query.spec.type.$regex: unknown operator '$regex'"
        ));
        assert!(
            err(json!({"$all": [], "kind": "x"}))
                .contains("$all cannot be combined with other keys")
        );
        assert!(err(json!({"kind": "x", "$foo": 1})).contains("unknown operator '$foo'"));
    }

    #[test]
    fn reserved_segments_are_refused() {
        for key in ["__proto__", "metadata.constructor", "spec.prototype.x"] {
            let mut object = Map::new();
            object.insert(key.to_owned(), json!("x"));
            let message = err(Value::Object(object));
            assert!(message.contains("reserved path segment"), "{message}");
            assert!(message.contains(&format!("at query.{key}:")), "{message}");
        }
    }

    fn nest(levels: usize) -> Value {
        let mut value = json!({"kind": "x"});
        for _ in 0..levels {
            value = json!({"$not": value});
        }
        value
    }

    #[test]
    fn depth_is_bounded() {
        assert!(parse(nest(MAX_PREDICATE_DEPTH - 1)).is_ok());
        let message = err(nest(MAX_PREDICATE_DEPTH));
        assert!(message.contains("at most 16 levels deep"), "{message}");
        // 50 levels stop early, without walking the rest.
        assert!(err(nest(50)).contains("at most 16 levels deep"));
        // A field object with several keys is a level too.
        let mut two_keys = json!({"kind": "x", "spec.type": "y"});
        for _ in 0..MAX_PREDICATE_DEPTH - 1 {
            two_keys = json!({"$all": [two_keys]});
        }
        assert!(err(two_keys).contains("levels deep"));
    }

    #[test]
    fn size_is_bounded() {
        let values: Vec<Value> = (0..MAX_PREDICATE_SIZE).map(|i| json!(i)).collect();
        assert!(parse(json!({"spec.type": {"$in": values}})).is_ok());
        let values: Vec<Value> = (0..=MAX_PREDICATE_SIZE).map(|i| json!(i)).collect();
        assert!(err(json!({"spec.type": {"$in": values}})).contains("more than 2000"));
        let parts: Vec<Value> = (0..MAX_PREDICATE_SIZE)
            .map(|i| json!({"kind": i}))
            .collect();
        assert!(err(json!({"$any": parts})).contains("more than 2000"));
    }

    #[test]
    fn long_keys_and_values_are_refused() {
        let mut object = Map::new();
        object.insert("k".repeat(300), json!("x"));
        assert!(err(Value::Object(object)).contains("longer than 200"));
        assert!(err(json!({"kind": "x".repeat(1 << 20)})).contains("longer than 1000"));
    }

    #[test]
    fn round_trips_through_json() {
        let predicates = [
            Predicate::equals("kind", "component"),
            Predicate::exists("spec.owner"),
            Predicate::equals("spec.owner", ""),
            any_of("spec.type", &["service", "website"]),
            any_of("spec.type", &[]),
            Predicate::Field {
                key: "metadata.name".into(),
                matcher: Matcher::HasPrefix("team-".into()),
            },
            Predicate::All(vec![]),
            Predicate::Any(vec![]),
            Predicate::Not(Box::new(Predicate::exists("spec.owner"))),
            Predicate::Any(vec![
                Predicate::All(vec![
                    Predicate::equals("kind", "user"),
                    Predicate::equals("relations.memberof", "group:default/ops"),
                ]),
                Predicate::Not(Box::new(Predicate::Any(vec![Predicate::equals(
                    "metadata.tags",
                    "java",
                )]))),
            ]),
        ];
        for predicate in predicates {
            let json = predicate_to_json(&predicate);
            assert_eq!(parse(json.clone()).unwrap(), predicate, "{json}");
        }
        assert_eq!(
            predicate_to_json(&any_of("spec.type", &["a", "b"])),
            json!({"spec.type": {"$in": ["a", "b"]}})
        );
    }
}
