//! Backstage durations and `catalog.processingInterval`.
//!
//! A duration is written in one of three ways (Backstage's
//! `readDurationFromConfig`): an object of units (`{minutes: 5}`, keys
//! `years` `months` `weeks` `days` `hours` `minutes` `seconds`
//! `milliseconds`), an ISO 8601 duration (`PT5M`, `P1DT12H`), or an
//! `ms`-style string (`5m`, `30s`, `2 days`, `1.5h`, a bare number being
//! milliseconds). Calendar units count casually: a year is 365 days and a
//! month 30 (in `ms` strings a year is 365.25 days, as in that library).

use std::time::Duration;

use serde_json::Value;

use crate::defaults;
use crate::error::ConfigError;
use crate::typed::Node;

/// How often the catalog reprocesses each entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessingInterval {
    /// Wait a random time between `min` and `max` after each processing.
    Random {
        /// Shortest wait.
        min: Duration,
        /// Longest wait.
        max: Duration,
    },
    /// `processingInterval: false`: entities are processed once and then
    /// only on explicit refresh.
    Disabled,
}

impl Default for ProcessingInterval {
    fn default() -> Self {
        ProcessingInterval::Random {
            min: defaults::PROCESSING_INTERVAL_MIN,
            max: defaults::PROCESSING_INTERVAL_MAX,
        }
    }
}

impl ProcessingInterval {
    /// Reads `catalog.processingInterval`: a duration `d` gives a random
    /// wait between `d` and `1.5 d` (`d` rounded to whole seconds, at least
    /// one), `false` disables.
    pub(crate) fn read(node: &Node<'_>) -> Result<Self, ConfigError> {
        match node.value() {
            None => Ok(ProcessingInterval::default()),
            Some(Value::Bool(false)) => Ok(ProcessingInterval::Disabled),
            Some(_) => {
                let duration = read_duration(node)?;
                let seconds = ((duration.as_millis() + 500) / 1000).max(1);
                let seconds = u64::try_from(seconds).unwrap_or(u64::MAX / 1500);
                Ok(ProcessingInterval::Random {
                    min: Duration::from_secs(seconds),
                    max: Duration::from_millis(seconds.saturating_mul(1500)),
                })
            }
        }
    }
}

const EXPECTED: &str = "a duration (e.g. {minutes: 5}, 'PT5M' or '5m') or false";

const SECOND: f64 = 1000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;
const WEEK: f64 = 7.0 * DAY;
const MONTH: f64 = 30.0 * DAY;
const YEAR: f64 = 365.0 * DAY;

/// Milliseconds per unit of the object form.
const OBJECT_UNITS: [(&str, f64); 8] = [
    ("years", YEAR),
    ("months", MONTH),
    ("weeks", WEEK),
    ("days", DAY),
    ("hours", HOUR),
    ("minutes", MINUTE),
    ("seconds", SECOND),
    ("milliseconds", 1.0),
];

/// Reads a duration in any of Backstage's forms.
pub(crate) fn read_duration(node: &Node<'_>) -> Result<Duration, ConfigError> {
    let millis = match node.value() {
        Some(Value::Object(map)) => {
            if map.is_empty() {
                return Err(node.invalid(EXPECTED));
            }
            let mut total = 0.0;
            for key in map.keys() {
                let Some((_, unit)) = OBJECT_UNITS.iter().find(|(name, _)| name == key) else {
                    let units: Vec<&str> = OBJECT_UNITS.iter().map(|(name, _)| *name).collect();
                    return Err(node
                        .get(key)
                        .problem(format!("is not a duration unit (use {})", units.join(", "))));
                };
                let child = node.get(key);
                let amount = child.opt_f64("a non-negative number")?.unwrap_or(0.0);
                total += amount * unit;
            }
            total
        }
        Some(Value::String(text)) => {
            parse_duration_text(text).ok_or_else(|| node.invalid(EXPECTED))?
        }
        _ => return Err(node.invalid(EXPECTED)),
    };
    Duration::try_from_secs_f64(millis / 1000.0).map_err(|_| node.invalid(EXPECTED))
}

/// Parses an ISO 8601 or `ms`-style duration into milliseconds.
pub(crate) fn parse_duration_text(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.starts_with(['P', 'p']) {
        parse_iso(text)
    } else {
        parse_ms(text)
    }
}

/// `PnYnMnWnDTnHnMnS`, numbers may have a fraction.
fn parse_iso(text: &str) -> Option<f64> {
    let body = &text[1..];
    let (date, time) = match body.split_once(['T', 't']) {
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    let mut total = 0.0;
    let mut any = false;
    for (part, units) in [
        (
            date,
            &[('Y', YEAR), ('M', MONTH), ('W', WEEK), ('D', DAY)][..],
        ),
        (
            time.unwrap_or(""),
            &[('H', HOUR), ('M', MINUTE), ('S', SECOND)][..],
        ),
    ] {
        let mut rest = part;
        let mut next_unit = 0;
        while !rest.is_empty() {
            let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
            let number: f64 = rest[..number_len].replace(',', ".").parse().ok()?;
            let designator = rest[number_len..].chars().next()?.to_ascii_uppercase();
            let offset = units[next_unit..]
                .iter()
                .position(|(unit, _)| *unit == designator)?;
            total += number * units[next_unit + offset].1;
            next_unit += offset + 1;
            rest = &rest[number_len + 1..];
            any = true;
        }
    }
    if time == Some("") {
        return None;
    }
    any.then_some(total)
}

/// `ms`-library strings: a number, optional spaces, an optional unit.
fn parse_ms(text: &str) -> Option<f64> {
    let number_len = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(text.len());
    let number: f64 = text[..number_len].parse().ok()?;
    if !(number.is_finite() && number >= 0.0) {
        return None;
    }
    let unit = text[number_len..].trim_start().to_ascii_lowercase();
    let factor = match unit.as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1.0,
        "s" | "sec" | "secs" | "second" | "seconds" => SECOND,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => WEEK,
        "y" | "yr" | "yrs" | "year" | "years" => 365.25 * DAY,
        _ => return None,
    };
    Some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(parse_duration_text("PT5M"), Some(5.0 * MINUTE));
        assert_eq!(parse_duration_text("P1DT12H"), Some(DAY + 12.0 * HOUR));
        assert_eq!(parse_duration_text("P2W"), Some(2.0 * WEEK));
        assert_eq!(parse_duration_text("PT1.5S"), Some(1500.0));
        assert_eq!(parse_duration_text("P1M"), Some(MONTH));
        assert_eq!(parse_duration_text("PT1M"), Some(MINUTE));
        assert_eq!(parse_duration_text("P"), None);
        assert_eq!(parse_duration_text("PT"), None);
        assert_eq!(parse_duration_text("P1DT"), None);
        assert_eq!(parse_duration_text("PT5X"), None);
        assert_eq!(parse_duration_text("PT5S3M"), None);
    }

    #[test]
    fn ms_style_durations() {
        assert_eq!(parse_duration_text("5m"), Some(5.0 * MINUTE));
        assert_eq!(parse_duration_text("30s"), Some(30.0 * SECOND));
        assert_eq!(parse_duration_text("2 days"), Some(2.0 * DAY));
        assert_eq!(parse_duration_text("1.5h"), Some(1.5 * HOUR));
        assert_eq!(parse_duration_text("250"), Some(250.0));
        assert_eq!(parse_duration_text("1 fortnight"), None);
        assert_eq!(parse_duration_text("-5m"), None);
        assert_eq!(parse_duration_text("soon"), None);
    }
}
