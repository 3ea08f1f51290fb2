//! The filters Backstage's templates use besides the standard ones:
//! `parseRepoUrl`, `parseEntityRef`, `pick`, `projectSlug`, and `dump`
//! (Nunjucks' JSON dump; `jsonify` in cookiecutter mode).

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};
use serde_json::{Map, Value as Json};

use super::Delimiters;

/// Adds the filters to `env`.
pub(super) fn register(env: &mut Environment<'static>, delimiters: Delimiters) {
    env.add_filter("parseRepoUrl", parse_repo_url);
    env.add_filter("parseEntityRef", parse_entity_ref);
    env.add_filter("pick", pick);
    env.add_filter("projectSlug", project_slug);
    env.add_filter("dump", dump);
    if delimiters == Delimiters::Cookiecutter {
        env.add_filter("jsonify", dump);
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

fn to_json(value: &Value) -> Result<Json, Error> {
    serde_json::to_value(value).map_err(|e| invalid(format!("not a JSON value: {e}")))
}

/// The parts of a repository URL as the RepoUrlPicker writes it:
/// `github.com?owner=o&repo=r` (also `organization`, `workspace`,
/// `project`), as `{host, owner, repo, …}`.
pub fn repo_url_parts(repo_url: &str) -> Result<Map<String, Json>, String> {
    let parsed = url::Url::parse(&format!("https://{repo_url}"))
        .map_err(|e| format!("Invalid repo URL '{repo_url}': {e}"))?;
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("Invalid repo URL '{repo_url}': no host"))?;
    let mut parts = Map::new();
    parts.insert("host".to_owned(), Json::String(host.to_owned()));
    for (key, value) in parsed.query_pairs() {
        if ["owner", "repo", "organization", "workspace", "project"].contains(&key.as_ref()) {
            parts.insert(key.into_owned(), Json::String(value.into_owned()));
        }
    }
    if !parts.contains_key("repo") {
        return Err(format!(
            "Invalid repo URL '{repo_url}': it has no repo (expected host?owner=…&repo=…)"
        ));
    }
    Ok(parts)
}

fn parse_repo_url(value: String) -> Result<Value, Error> {
    repo_url_parts(&value)
        .map(|parts| Value::from(minijinja::value::Serde(Json::Object(parts))))
        .map_err(invalid)
}

fn project_slug(value: String) -> Result<String, Error> {
    let parts = repo_url_parts(&value).map_err(invalid)?;
    let text = |key: &str| parts.get(key).and_then(Json::as_str).unwrap_or("");
    let owner = [text("owner"), text("organization"), text("workspace")]
        .into_iter()
        .find(|o| !o.is_empty())
        .ok_or_else(|| invalid(format!("Invalid repo URL '{value}': it has no owner")))?;
    Ok(format!("{owner}/{}", text("repo")))
}

/// `ref | parseEntityRef` or `ref | parseEntityRef({defaultKind, defaultNamespace})`.
fn parse_entity_ref(value: String, options: Option<Value>) -> Result<Value, Error> {
    let options = match options {
        Some(options) => to_json(&options)?,
        None => Json::Null,
    };
    let option = |key: &str| options.get(key).and_then(Json::as_str);
    let reference = greenroom_model::EntityRef::parse(
        &value,
        option("defaultKind"),
        option("defaultNamespace").unwrap_or(""),
    )
    .map_err(|e| invalid(format!("Invalid entity ref '{value}': {e}")))?;
    Ok(Value::from(minijinja::value::Serde(serde_json::json!({
        "kind": reference.kind(),
        "namespace": reference.namespace(),
        "name": reference.name(),
    }))))
}

/// `object | pick('a.b')`: the value at a dotted path (undefined when
/// missing).
fn pick(value: Value, path: String) -> Result<Value, Error> {
    let mut current = value;
    for key in path.split('.') {
        current = current.get_attr(key)?;
        if current.is_undefined() {
            break;
        }
    }
    Ok(current)
}

/// Nunjucks' `dump`: JSON text, optionally indented (`dump(2)`).
fn dump(value: Value, indent: Option<usize>, _kwargs: Kwargs) -> Result<String, Error> {
    let json = if value.is_undefined() {
        Json::Null
    } else {
        to_json(&value)?
    };
    let text = match indent {
        Some(width) if width > 0 => {
            let indent = " ".repeat(width.min(10));
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(&json, &mut serializer)
                .map_err(|e| invalid(format!("cannot dump: {e}")))?;
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => json.to_string(),
    };
    Ok(text)
}
