//! When to refresh the database's planner statistics. Tables that grow
//! from empty have none, and both backends then plan catalog queries
//! badly (full scans, correlated probes turned into scans). Statistics are
//! refreshed whenever this process has doubled what it wrote since the
//! last refresh, so a load of n entities refreshes O(log n) times, each a
//! sample of bounded cost; and after every bulk load.

use std::sync::atomic::{AtomicU64, Ordering};

/// Below this many written rows, statistics are not worth refreshing.
const FIRST_REFRESH: u64 = 5_000;

/// Rows written by this process and that count at the last refresh.
#[derive(Default)]
pub(crate) struct StatsSchedule {
    written: AtomicU64,
    refreshed_at: AtomicU64,
}

impl StatsSchedule {
    /// Records `rows` more written rows; `true` when a refresh is due (the
    /// caller then refreshes).
    pub(crate) fn record(&self, rows: usize) -> bool {
        let rows = rows as u64;
        let total = self.written.fetch_add(rows, Ordering::Relaxed) + rows;
        let last = self.refreshed_at.load(Ordering::Relaxed);
        if total >= FIRST_REFRESH && total >= last.saturating_mul(2) {
            self.refreshed_at.store(total, Ordering::Relaxed);
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_each_time_the_writes_double() {
        let schedule = StatsSchedule::default();
        assert!(!schedule.record(4_999));
        assert!(schedule.record(1));
        assert!(!schedule.record(4_999));
        assert!(schedule.record(1));
        assert!(!schedule.record(9_999));
        assert!(schedule.record(1));
    }
}
