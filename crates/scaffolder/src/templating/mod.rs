//! The `${{ }}` templating engine of software templates.
//!
//! Templates are Nunjucks in Backstage; here they run on minijinja with
//! Backstage's delimiters (`${{ }}` for expressions, `{% %}` for blocks)
//! and Nunjucks' forgiving lookups (`parameters.a.b` is empty when `a` is
//! missing). [`Templater::render_value`] walks a JSON value the way
//! Backstage renders step inputs and outputs: a string that is exactly one
//! expression keeps the expression's JSON type (an array stays an array),
//! any other string is rendered as text. The filters Backstage's templates
//! use are in [`filters`].
//!
//! The sandbox: templates see only the context they are given (no loader,
//! so no file access; no functions that read the environment or the
//! network); each render has a fuel budget (instructions, so loops end),
//! templates and outputs are bounded in size, and minijinja itself bounds
//! repetition (`'x' * n`, `range(n)`) and recursion. A failure names the
//! JSON path of the value being rendered and the reason. (A template can
//! still make minijinja build one large value, up to its 100,000,000
//! element bound, before the output check refuses it.)

pub mod filters;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

/// Bounds of one render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Instructions one render may run.
    pub fuel: u64,
    /// Longest template source, in bytes.
    pub max_template_bytes: usize,
    /// Longest rendered text, in bytes (a single-expression value is
    /// measured as JSON).
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 1_000_000,
            max_template_bytes: 1024 * 1024,
            max_output_bytes: 8 * 1024 * 1024,
        }
    }
}

/// Why a template could not be rendered. `place` is where the template
/// was: a JSON path such as `steps[1].input.name`, or a file name.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplatingError {
    #[error("{place}: the template is {size} bytes long; at most {limit} are accepted")]
    TemplateTooLarge {
        place: String,
        size: usize,
        limit: usize,
    },
    #[error("{place}: the template renders to more than {limit} bytes")]
    OutputTooLarge { place: String, limit: usize },
    #[error("{place}: the template runs for too long (more than {fuel} steps); loops must end")]
    OutOfFuel { place: String, fuel: u64 },
    #[error("{place}: {reason}")]
    Invalid { place: String, reason: String },
}

/// Which delimiters templates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiters {
    /// `${{ expression }}`, as in Backstage's templates and skeletons.
    Backstage,
    /// `{{ expression }}`, for `fetch:template` with `cookiecutterCompat`.
    Cookiecutter,
}

/// Renders templates; build one and reuse it (it holds the compiled
/// filters and settings, not templates).
pub struct Templater {
    env: Environment<'static>,
    limits: Limits,
    delimiters: Delimiters,
}

impl std::fmt::Debug for Templater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templater")
            .field("limits", &self.limits)
            .field("delimiters", &self.delimiters)
            .finish_non_exhaustive()
    }
}

impl Default for Templater {
    fn default() -> Self {
        Templater::new(Delimiters::Backstage, Limits::default())
    }
}

impl Templater {
    pub fn new(delimiters: Delimiters, limits: Limits) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        env.set_fuel(Some(limits.fuel));
        let variable_start = match delimiters {
            Delimiters::Backstage => "${{",
            Delimiters::Cookiecutter => "{{",
        };
        // Both delimiter sets are literals that minijinja accepts; the
        // fallback keeps minijinja's defaults, which a test would catch.
        if let Ok(syntax) = SyntaxConfig::builder()
            .block_delimiters("{%", "%}")
            .variable_delimiters(variable_start, "}}")
            .comment_delimiters("{#", "#}")
            // Nunjucks keeps a file's final newline (Jinja drops it).
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        filters::register(&mut env, delimiters);
        Templater {
            env,
            limits,
            delimiters,
        }
    }

    /// Renders `template` as text with `context` as its variables.
    pub fn render_str(
        &self,
        place: &str,
        template: &str,
        context: &Value,
    ) -> Result<String, TemplatingError> {
        self.check_template(place, template)?;
        let rendered = self
            .env
            .render_str(template, to_template_value(context))
            .map_err(|e| self.error(place, &e))?;
        if rendered.len() > self.limits.max_output_bytes {
            return Err(TemplatingError::OutputTooLarge {
                place: place.to_owned(),
                limit: self.limits.max_output_bytes,
            });
        }
        Ok(rendered)
    }

    /// Renders every string inside `value` (Backstage's `renderValue`):
    /// a string that is exactly one `${{ expression }}` becomes the
    /// expression's value with its JSON type; other strings are rendered
    /// as text; numbers, booleans and nulls stay. `place` names `value`
    /// in errors (`steps[0].input`).
    pub fn render_value(
        &self,
        place: &str,
        value: &Value,
        context: &Value,
    ) -> Result<Value, TemplatingError> {
        let mut budget = self.limits.max_output_bytes;
        self.render_value_inner(place, value, context, &mut budget)
    }

    fn render_value_inner(
        &self,
        place: &str,
        value: &Value,
        context: &Value,
        budget: &mut usize,
    ) -> Result<Value, TemplatingError> {
        let rendered = match value {
            Value::String(text) => match self.single_expression(text) {
                Some(expression) => self.evaluate(place, expression, context)?,
                None if text.contains(self.variable_start()) || text.contains("{%") => {
                    Value::String(self.render_str(place, text, context)?)
                }
                None => Value::String(text.clone()),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        self.render_value_inner(&format!("{place}[{index}]"), item, context, budget)
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::with_capacity(map.len());
                for (key, item) in map {
                    let at = if place.is_empty() {
                        key.clone()
                    } else {
                        format!("{place}.{key}")
                    };
                    out.insert(
                        key.clone(),
                        self.render_value_inner(&at, item, context, budget)?,
                    );
                }
                Value::Object(out)
            }
            other => other.clone(),
        };
        if let Value::String(text) = &rendered {
            *budget =
                budget
                    .checked_sub(text.len())
                    .ok_or_else(|| TemplatingError::OutputTooLarge {
                        place: place.to_owned(),
                        limit: self.limits.max_output_bytes,
                    })?;
        }
        Ok(rendered)
    }

    /// Evaluates one expression to JSON (undefined becomes `null`).
    pub fn evaluate(
        &self,
        place: &str,
        expression: &str,
        context: &Value,
    ) -> Result<Value, TemplatingError> {
        self.check_template(place, expression)?;
        let compiled = self
            .env
            .compile_expression(expression)
            .map_err(|e| self.error(place, &e))?;
        let result = compiled
            .eval(to_template_value(context))
            .map_err(|e| self.error(place, &e))?;
        if result.is_undefined() || result.is_none() {
            return Ok(Value::Null);
        }
        let json = serde_json::to_value(&result).map_err(|e| TemplatingError::Invalid {
            place: place.to_owned(),
            reason: format!("the value cannot be used as JSON: {e}"),
        })?;
        if serde_json::to_string(&json).map_or(0, |s| s.len()) > self.limits.max_output_bytes {
            return Err(TemplatingError::OutputTooLarge {
                place: place.to_owned(),
                limit: self.limits.max_output_bytes,
            });
        }
        Ok(json)
    }

    fn variable_start(&self) -> &'static str {
        match self.delimiters {
            Delimiters::Backstage => "${{",
            Delimiters::Cookiecutter => "{{",
        }
    }

    /// The expression of a string that is exactly one `${{ … }}` (spaces
    /// around allowed; no braces inside, as Backstage's pattern has it).
    fn single_expression<'t>(&self, text: &'t str) -> Option<&'t str> {
        let inner = text
            .trim()
            .strip_prefix(self.variable_start())?
            .strip_suffix("}}")?;
        (!inner.contains(['{', '}'])).then(|| inner.trim())
    }

    fn check_template(&self, place: &str, template: &str) -> Result<(), TemplatingError> {
        if template.len() > self.limits.max_template_bytes {
            return Err(TemplatingError::TemplateTooLarge {
                place: place.to_owned(),
                size: template.len(),
                limit: self.limits.max_template_bytes,
            });
        }
        Ok(())
    }

    fn error(&self, place: &str, error: &minijinja::Error) -> TemplatingError {
        if error.kind() == minijinja::ErrorKind::OutOfFuel {
            return TemplatingError::OutOfFuel {
                place: place.to_owned(),
                fuel: self.limits.fuel,
            };
        }
        let mut reason = error.detail().map_or_else(
            || error.kind().to_string(),
            |detail| format!("{}: {detail}", error.kind()),
        );
        if let Some(line) = error.line() {
            reason.push_str(&format!(" (line {line})"));
        }
        TemplatingError::Invalid {
            place: place.to_owned(),
            reason,
        }
    }
}

fn to_template_value(context: &Value) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(context))
}

#[cfg(test)]
mod tests;
