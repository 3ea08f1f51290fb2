//! The markdown report of one (catalog size, database): medians over the
//! runs of every figure, next to the targets (set for 100,000 entities)
//! and Backstage's figures at 10,000 entities.

use std::fmt::Write as _;
use std::time::Duration;

use super::endpoints::Endpoint;
use super::measure::{EndpointRun, Run};
use super::wrk::Load;
use crate::fixture::{Database, IngestRun, median};

/// Full list throughput target, MB/s.
const FULL_LIST_MB_S_TARGET: f64 = 50.0;
/// Peak RSS target, MB.
const RSS_TARGET_MB: f64 = 300.0;
/// Backstage's RSS at 10,000 entities, MB.
const BACKSTAGE_RSS_MB: f64 = 580.0;
const MB: f64 = 1_048_576.0;

/// What the report says about how the figures were taken.
pub struct Setting<'a> {
    pub size: usize,
    pub database: Database,
    pub sequential_requests: usize,
    pub load: Option<Load>,
    pub generated_in: Option<Duration>,
    pub ingest: &'a IngestRun,
}

/// The report for `runs` (at least one, all measuring the same requests).
pub fn render(setting: &Setting, runs: &[Run]) -> String {
    let mut out = String::new();
    let Some(first) = runs.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "\n### {} entities, {}\n",
        thousands(setting.size),
        setting.database.label()
    );
    let _ = writeln!(
        out,
        "| request | p50 (ms) | p99 (ms) | p99 target | req/s, 8 conn. | req/s target | p50 / p99 under load (ms) | peak RSS under load (MB) | Backstage 10k p50 / p99 (ms) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---|---:|---|---:|---:|---|");
    for (i, row) in first.endpoints.iter().enumerate() {
        let same = || runs.iter().filter_map(move |run| run.endpoints.get(i));
        let p50 = median(same().map(|e| e.sequential.latency.p50));
        let p99 = median(same().map(|e| e.sequential.latency.p99));
        let wrk = |f: fn(&EndpointRun) -> Option<f64>| {
            let values: Vec<f64> = same().filter_map(f).collect();
            (!values.is_empty()).then(|| median(values.into_iter()))
        };
        let rate = wrk(|e| e.throughput.as_ref().map(|t| t.requests_per_sec));
        let load_p50 = wrk(|e| e.throughput.as_ref().map(|t| t.p50_ms));
        let load_p99 = wrk(|e| e.throughput.as_ref().map(|t| t.p99_ms));
        let load_peak = wrk(|e| e.load_peak_mb);
        let endpoint = row.endpoint;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            endpoint.label(),
            ms(p50),
            ms(p99),
            endpoint
                .p99_target_ms()
                .map(|t| format!("< {t:.0} ms {}", mark(p99 < t)))
                .unwrap_or_default(),
            rate.map(|r| format!("{r:.0}"))
                .unwrap_or_else(|| "–".into()),
            endpoint
                .throughput_target()
                .map(|t| match rate {
                    Some(r) => format!("> {} {}", thousands(t as usize), mark(r > t)),
                    None => format!("> {}", thousands(t as usize)),
                })
                .unwrap_or_default(),
            match (load_p50, load_p99) {
                (Some(a), Some(b)) => format!("{} / {}", ms(a), ms(b)),
                _ => "–".into(),
            },
            load_peak
                .map(|m| format!("{m:.0}"))
                .unwrap_or_else(|| "–".into()),
            endpoint
                .backstage()
                .map(|r| match r.p99 {
                    Some(p99) => format!("{:.0} / {p99:.0}", r.p50),
                    None => format!("{:.0} / –", r.p50),
                })
                .unwrap_or_default(),
        );
    }
    let _ = writeln!(out);

    if let Some(i) = first
        .endpoints
        .iter()
        .position(|e| e.endpoint == Endpoint::FullList)
    {
        let lists: Vec<&EndpointRun> = runs.iter().filter_map(|r| r.endpoints.get(i)).collect();
        let bytes = median(lists.iter().map(|e| e.sequential.body_bytes));
        let p50 = median(lists.iter().map(|e| e.sequential.latency.p50));
        let rate = bytes / MB / (p50 / 1000.0);
        let _ = write!(
            out,
            "- Full list: {} entities (as the manifest), {:.1} MB per response; {rate:.0} MB/s sequential (target > {FULL_LIST_MB_S_TARGET:.0} MB/s {})",
            thousands(lists.first().map(|e| e.sequential.items).unwrap_or(0)),
            bytes / MB,
            mark(rate > FULL_LIST_MB_S_TARGET),
        );
        let loaded: Vec<f64> = lists
            .iter()
            .filter_map(|e| e.throughput.as_ref().map(|t| t.transfer_per_sec / MB))
            .collect();
        if loaded.is_empty() {
            let _ = writeln!(out, ".");
        } else {
            let _ = writeln!(
                out,
                ", {:.0} MB/s with 8 connections.",
                median(loaded.into_iter())
            );
        }
    }
    let peak = median(runs.iter().map(|r| r.peak_mb));
    let _ = writeln!(
        out,
        "- RSS of `greenroom serve`: {:.0} MB idle before the load, {peak:.0} MB peak over the run (target < {RSS_TARGET_MB:.0} MB {}; Backstage ~{BACKSTAGE_RSS_MB:.0} MB at 10k).",
        median(runs.iter().map(|r| r.idle_rss_mb)),
        mark(peak < RSS_TARGET_MB),
    );
    let _ = writeln!(
        out,
        "- Phases: generation {}, ingest {:.1} s ({} entities stitched, peak RSS {:.0} MB), server settled in {:.1} s, sequential {:.1} s, load {:.1} s (medians per run); load average {:.1} when measuring began ({} cores).",
        setting
            .generated_in
            .map(|d| format!("{:.1} s", d.as_secs_f64()))
            .unwrap_or_else(|| "cached".into()),
        setting.ingest.wall,
        thousands(setting.ingest.entities as usize),
        setting.ingest.rss_mb,
        median(runs.iter().map(|r| r.settle.as_secs_f64())),
        median(runs.iter().map(|r| r.sequential_time.as_secs_f64())),
        median(runs.iter().map(|r| r.load_time.as_secs_f64())),
        median(runs.iter().map(|r| r.load_average)),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    let has = |endpoint| first.endpoints.iter().any(|e| e.endpoint == endpoint);
    let _ = writeln!(
        out,
        "- Medians of {} run(s). Sequential: one keep-alive client, {} timed requests per row after a warm-up{}, nearest-rank percentiles. {} Targets are set for 100,000 entities. MB = 2^20 bytes.",
        runs.len(),
        setting.sequential_requests,
        if has(Endpoint::FullList) {
            format!(
                " ({} for the full list)",
                Endpoint::FullList.sequential_requests(setting.sequential_requests)
            )
        } else {
            String::new()
        },
        match setting.load {
            Some(load) => format!(
                "Under load: `wrk -t{} -c{} -d{}s --latency`{}.",
                load.threads,
                load.connections,
                load.duration.as_secs(),
                if has(Endpoint::ByName) {
                    ", by-name cycling through the same names"
                } else {
                    ""
                }
            ),
            None => "No load figures: wrk is not installed.".to_owned(),
        }
    );
    out
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// Milliseconds with the precision that matters at that size.
fn ms(value: f64) -> String {
    if value.is_nan() {
        "–".into()
    } else if value < 10.0 {
        format!("{value:.2}")
    } else if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// 100000 → "100,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_api::measure::Sequential;
    use crate::bench_api::stats::Latency;
    use crate::bench_api::wrk::Report;

    fn endpoint_run(endpoint: Endpoint, p50: f64, p99: f64, rate: Option<f64>) -> EndpointRun {
        EndpointRun {
            endpoint,
            sequential: Sequential {
                latency: Latency { p50, p99, max: p99 },
                requests: 500,
                body_bytes: 20.0 * MB,
                items: 10_000,
            },
            throughput: rate.map(|r| Report {
                requests: 1000,
                requests_per_sec: r,
                p50_ms: 1.0,
                p99_ms: 2.5,
                transfer_per_sec: 100.0 * MB,
                ..Report::default()
            }),
            load_peak_mb: rate.map(|_| 80.0),
        }
    }

    fn run(by_name_p99: f64, rate: Option<f64>) -> Run {
        Run {
            settle: Duration::from_secs(2),
            idle_rss_mb: 40.0,
            peak_mb: 120.0,
            endpoints: vec![
                endpoint_run(Endpoint::ByName, 0.5, by_name_p99, rate),
                endpoint_run(Endpoint::FullList, 100.0, 150.0, rate.map(|_| 9.0)),
            ],
            sequential_time: Duration::from_secs(10),
            load_time: Duration::from_secs(20),
            load_average: 0.5,
        }
    }

    fn setting(ingest: &IngestRun, load: Option<Load>) -> Setting<'_> {
        Setting {
            size: 10_000,
            database: Database::Sqlite,
            sequential_requests: 500,
            load,
            generated_in: None,
            ingest,
        }
    }

    #[test]
    fn reports_medians_against_targets() {
        let ingest = IngestRun {
            wall: 12.0,
            cpu: 20.0,
            rss_mb: 90.0,
            entities: 10_000,
        };
        let load = Load {
            threads: 2,
            connections: 8,
            duration: Duration::from_secs(10),
        };
        let runs = [
            run(1.0, Some(6000.0)),
            run(9.0, Some(4000.0)),
            run(2.0, Some(7000.0)),
        ];
        let text = render(&setting(&ingest, Some(load)), &runs);
        assert!(text.contains("### 10,000 entities, SQLite"), "{text}");
        assert!(
            text.contains("| by-name | 0.50 | 2.00 | < 5 ms ✓ | 6000 | > 5,000 ✓ | 1.00 / 2.50 | 80 | 7 / 39 |"),
            "{text}"
        );
        assert!(
            text.contains("| full list, unpaged | 100 | 150 |  | 9 |"),
            "{text}"
        );
        assert!(text.contains("10,000 entities (as the manifest), 20.0 MB per response; 200 MB/s sequential (target > 50 MB/s ✓), 100 MB/s with 8 connections."), "{text}");
        assert!(
            text.contains(
                "40 MB idle before the load, 120 MB peak over the run (target < 300 MB ✓"
            ),
            "{text}"
        );
        assert!(text.contains("generation cached, ingest 12.0 s"), "{text}");
        assert!(
            text.contains("load average 0.5 when measuring began"),
            "{text}"
        );
        assert!(text.contains("Medians of 3 run(s)"), "{text}");
        assert!(
            text.contains("`wrk -t2 -c8 -d10s --latency`, by-name cycling"),
            "{text}"
        );
        assert!(text.contains("(20 for the full list)"), "{text}");
    }

    #[test]
    fn reports_missed_targets_and_missing_load() {
        let ingest = IngestRun {
            wall: 1.0,
            cpu: 1.0,
            rss_mb: 1.0,
            entities: 10_000,
        };
        let text = render(&setting(&ingest, None), &[run(7.5, None)]);
        assert!(
            text.contains("| by-name | 0.50 | 7.50 | < 5 ms ✗ | – | > 5,000 | – | – |"),
            "{text}"
        );
        assert!(text.contains("wrk is not installed"), "{text}");
        assert!(text.contains("sequential (target > 50 MB/s ✓)."), "{text}");
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(ms(0.123), "0.12");
        assert_eq!(ms(35.44), "35.4");
        assert_eq!(ms(132.4), "132");
        assert_eq!(ms(f64::NAN), "–");
    }
}
