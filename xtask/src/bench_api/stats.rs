//! Percentiles of latency samples.
//!
//! Nearest rank: the p-th percentile of n sorted samples is the sample at
//! rank ⌈p/100 · n⌉, so it is always a latency that was actually observed
//! (p99 of 500 samples is the 495th; of 20 samples, the slowest).

/// Latency figures of one series of requests, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

/// The nearest-rank percentile `p` (0–100) of `sorted` (ascending); NaN
/// when there are no samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p99 and the maximum of `samples` (any order).
pub fn latency(samples: &[f64]) -> Latency {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Latency {
        p50: percentile(&sorted, 50.0),
        p99: percentile(&sorted, 99.0),
        max: sorted.last().copied().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=500).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), 250.0);
        assert_eq!(percentile(&samples, 99.0), 495.0);
        assert_eq!(percentile(&samples, 100.0), 500.0);
        assert_eq!(percentile(&samples, 0.0), 1.0);
    }

    #[test]
    fn small_series_take_real_samples() {
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&twenty, 50.0), 10.0);
        assert_eq!(percentile(&twenty, 99.0), 20.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert!(percentile(&[], 50.0).is_nan());
    }

    #[test]
    fn latency_sorts_its_input() {
        let figures = latency(&[5.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(
            figures,
            Latency {
                p50: 3.0,
                p99: 5.0,
                max: 5.0
            }
        );
    }
}
