//! Throughput under concurrent load with `wrk`: running it (with a Lua
//! script when requests must cycle through several paths) and reading its
//! report (requests per second, the latency distribution of `--latency`,
//! non-2xx responses and socket errors).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// Where `wrk` is on `PATH`, if anywhere.
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("wrk"))
        .find(|candidate| candidate.is_file())
}

/// How hard to push.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub duration: Duration,
}

/// What one wrk run reported.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub requests: u64,
    pub requests_per_sec: f64,
    /// Latency percentiles (ms) from the `--latency` distribution.
    pub p50_ms: f64,
    pub p75_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// Bytes per second read, as wrk rounds it.
    pub transfer_per_sec: f64,
    /// Responses with a status of 400 or more.
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors added up.
    pub socket_errors: u64,
}

/// Runs wrk against `base` for `load`, cycling through `paths` (one path:
/// plain URL; more: a Lua script written to `script_dir`). Fails when any
/// response was an error or any socket failed.
pub fn run(
    wrk: &Path,
    base: &str,
    paths: &[String],
    load: Load,
    script_dir: &Path,
) -> Result<Report> {
    let Some(first) = paths.first() else {
        bail!("no paths to load");
    };
    let mut command = Command::new(wrk);
    command
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.duration.as_secs().max(1)))
        .args(["--latency", "--timeout", "120s"]);
    if paths.len() > 1 {
        let script = script_dir.join("wrk-paths.lua");
        std::fs::write(&script, lua_script(paths))
            .with_context(|| format!("writing {}", script.display()))?;
        command.arg("-s").arg(&script).arg(base);
    } else {
        command.arg(format!("{base}{first}"));
    }
    let out = command
        .output()
        .with_context(|| format!("running {}", wrk.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            out.status,
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report = parse(&text).with_context(|| format!("reading wrk's report:\n{text}"))?;
    if report.non_2xx > 0 || report.socket_errors > 0 {
        bail!(
            "{base}{first}: {} error responses and {} socket errors under load; the figures would be meaningless:\n{text}",
            report.non_2xx,
            report.socket_errors
        );
    }
    if report.requests == 0 {
        bail!("{base}{first}: wrk completed no request:\n{text}");
    }
    Ok(report)
}

/// A wrk script whose `request` cycles through `paths` (each wrk thread
/// starts at the first; that is fine for spreading reads over many rows).
pub fn lua_script(paths: &[String]) -> String {
    let mut script = String::from("local paths = {\n");
    for path in paths {
        script.push_str("  \"");
        for c in path.chars() {
            match c {
                '"' | '\\' => {
                    script.push('\\');
                    script.push(c);
                }
                '\n' => script.push_str("\\n"),
                c => script.push(c),
            }
        }
        script.push_str("\",\n");
    }
    script.push_str(
        "}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n",
    );
    script
}

/// Reads wrk's report (`--latency` output).
pub fn parse(text: &str) -> Result<Report> {
    let mut report = Report::default();
    let mut found_rate = false;
    let mut percentiles = 0;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            report.requests_per_sec = number(rest.trim())?;
            found_rate = true;
        } else if let Some(rest) = line.strip_prefix("Transfer/sec:") {
            report.transfer_per_sec = bytes(rest.trim())?;
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            report.non_2xx = rest.trim().parse().context("non-2xx count")?;
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in rest.split(',') {
                let count = part.split_whitespace().nth(1).unwrap_or("0");
                report.socket_errors += count
                    .parse::<u64>()
                    .with_context(|| format!("socket errors: {part}"))?;
            }
        } else if line.contains(" requests in ") {
            let count = line.split_whitespace().next().unwrap_or("");
            report.requests = count
                .parse()
                .with_context(|| format!("request count in {line:?}"))?;
        } else if let Some((label, value)) = line.split_once('%')
            && let Ok(p) = label.trim().parse::<u32>()
        {
            let ms = milliseconds(value.trim())?;
            match p {
                50 => report.p50_ms = ms,
                75 => report.p75_ms = ms,
                90 => report.p90_ms = ms,
                99 => report.p99_ms = ms,
                _ => continue,
            }
            percentiles += 1;
        }
    }
    if !found_rate {
        bail!("no Requests/sec line");
    }
    if percentiles < 4 {
        bail!("no latency distribution (was --latency given?)");
    }
    Ok(report)
}

fn number(text: &str) -> Result<f64> {
    text.parse()
        .with_context(|| format!("{text:?} is not a number"))
}

/// A wrk duration (`250.00us`, `2.96ms`, `1.02s`, `1.50m`, `1.00h`) in ms.
fn milliseconds(text: &str) -> Result<f64> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("{text:?} has no unit"))?;
    let (value, unit) = text.split_at(split);
    let scale = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1_000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => bail!("unknown time unit in {text:?}"),
    };
    Ok(number(value)? * scale)
}

/// A wrk byte count (`512.00B`, `473.33KB`, `1.62MB`, `3.35GB`; powers of
/// 1024) in bytes.
fn bytes(text: &str) -> Result<f64> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("{text:?} has no unit"))?;
    let (value, unit) = text.split_at(split);
    let scale = match unit {
        "B" => 1.0,
        "KB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => bail!("unknown size unit in {text:?}"),
    };
    Ok(number(value)? * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEAN: &str = "\
Running 10s test @ http://127.0.0.1:7007/api/catalog/entity-facets?facet=spec.type
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms  12.92ms   93.69%
    Req/Sec     6.20k     0.81k    7.00k    86.54%
  Latency Distribution
     50%  250.00us
     75%  491.00us
     90%  700.00us
     99%    5.79ms
  123456 requests in 10.10s, 3.35GB read
Requests/sec:  12223.40
Transfer/sec:    343.52MB
";

    const ERRORS: &str = "\
Running 2s test @ http://127.0.0.1:18931
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52s   10.54ms    2.00s   86.00%
    Req/Sec   469.55    445.20     1.91k    90.00%
  Latency Distribution
     50%    1.50s
     75%    1.60s
     90%    1.70m
     99%    2.00m
  1869 requests in 2.01s, 0.93MB read
  Socket errors: connect 0, read 3, write 1, timeout 2
  Non-2xx or 3xx responses: 994
Requests/sec:    932.10
Transfer/sec:    473.33KB
";

    #[test]
    fn parses_a_clean_report() {
        let report = parse(CLEAN).unwrap();
        assert_eq!(report.requests, 123_456);
        assert_eq!(report.requests_per_sec, 12_223.40);
        assert!((report.p50_ms - 0.25).abs() < 1e-9);
        assert!((report.p75_ms - 0.491).abs() < 1e-9);
        assert!((report.p90_ms - 0.7).abs() < 1e-9);
        assert!((report.p99_ms - 5.79).abs() < 1e-9);
        assert!((report.transfer_per_sec - 343.52 * 1_048_576.0).abs() < 1.0);
        assert_eq!(report.non_2xx, 0);
        assert_eq!(report.socket_errors, 0);
    }

    #[test]
    fn parses_errors_and_long_latencies() {
        let report = parse(ERRORS).unwrap();
        assert_eq!(report.requests, 1869);
        assert_eq!(report.non_2xx, 994);
        assert_eq!(report.socket_errors, 6);
        assert_eq!(report.p50_ms, 1_500.0);
        assert_eq!(report.p99_ms, 120_000.0);
        assert!((report.transfer_per_sec - 473.33 * 1024.0).abs() < 1e-6);
    }

    #[test]
    fn refuses_a_report_without_the_distribution() {
        let without: String = CLEAN
            .lines()
            .filter(|l| !l.contains('%') || l.contains("Latency "))
            .map(|l| format!("{l}\n"))
            .collect();
        let error = parse(&without).unwrap_err().to_string();
        assert!(error.contains("--latency"), "{error}");
        assert!(parse("wrk: connection refused").is_err());
    }

    #[test]
    fn units() {
        assert_eq!(milliseconds("250.00us").unwrap(), 0.25);
        assert_eq!(milliseconds("2.50ms").unwrap(), 2.5);
        assert_eq!(milliseconds("1.02s").unwrap(), 1020.0);
        assert!(milliseconds("12").is_err());
        assert!(milliseconds("3.00d").is_err());
        assert_eq!(bytes("512.00B").unwrap(), 512.0);
        assert_eq!(bytes("2.00GB").unwrap(), 2.0 * 1024.0 * 1024.0 * 1024.0);
        assert!(bytes("1.0XB").is_err());
    }

    #[test]
    fn lua_script_cycles_through_escaped_paths() {
        let script = lua_script(&["/a/b".to_owned(), "/q\"\\".to_owned()]);
        assert!(
            script.contains("  \"/a/b\",\n  \"/q\\\"\\\\\",\n"),
            "{script}"
        );
        assert!(script.contains("i = i % #paths + 1"));
        assert!(script.contains("wrk.format(\"GET\", paths[i])"));
    }
}
