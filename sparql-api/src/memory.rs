//! The memory budget of query evaluation: a watchdog thread reads the process's resident
//! memory every 20 ms and, when it has grown by more than the budget above its level when
//! nothing was running, stops the jobs in the long-query lane (503), or every running job
//! when none is there ([`Work::stop_long_first`]).
//!
//! Oxigraph allocates through the global allocator with no per-query accounting, so the
//! process's growth is the measure. Strings are bounded before evaluation
//! ([`civicgraph_graph::query_guard`]); what remains is a query that materialises many rows
//! (`ORDER BY`, `DISTINCT`, `GROUP BY` over a cross product), and those read the store
//! between rows, where the cancellation is noticed. After stopping jobs the level they
//! reached becomes the new baseline, so memory the allocator keeps after they end does not
//! stop the next query too.

use crate::error::Stop;
use crate::work::Work;
use std::sync::Arc;
use std::time::Duration;

/// How often the watchdog looks.
const INTERVAL: Duration = Duration::from_millis(20);

/// The resident memory of this process in bytes, where the system says it (Linux).
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Starts the watchdog for `work` with `budget` bytes; does nothing when the budget is 0
/// or the system does not report resident memory. The thread ends when `work` is dropped.
pub fn watch(work: &Arc<Work>, budget: u64) {
    if budget == 0 || resident_bytes().is_none() {
        return;
    }
    let work = Arc::downgrade(work);
    let spawned = std::thread::Builder::new()
        .name("memory-watchdog".to_owned())
        .spawn(move || {
            let mut baseline = resident_bytes().unwrap_or(0);
            loop {
                std::thread::sleep(INTERVAL);
                let Some(work) = work.upgrade() else { return };
                let Some(now) = resident_bytes() else { return };
                if work.running_count() == 0 {
                    baseline = now;
                } else if now > baseline.saturating_add(budget) {
                    let stopped = work.stop_long_first(Stop::Memory);
                    tracing::warn!(
                        resident_mb = now >> 20,
                        baseline_mb = baseline >> 20,
                        budget_mb = budget >> 20,
                        stopped,
                        "query memory budget passed: long-running queries stopped (every query when none ran long)"
                    );
                    baseline = now;
                }
            }
        });
    if let Err(error) = spawned {
        tracing::error!("could not start the memory watchdog: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(resident_bytes().unwrap() > 1 << 20);
        }
    }

    #[tokio::test]
    async fn growth_past_the_budget_stops_running_jobs() {
        let work = Work::new(2, 2, Duration::from_secs(60), Duration::from_secs(60));
        let job = work.start().await.unwrap();
        watch(&work, 64 << 20);
        let running = job.running();
        // Grow by 256 MiB, touching every page so it is resident.
        let ballast = vec![1u8; 256 << 20];
        for _ in 0..100 {
            if running.is_stopped() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(running.stopped_for(), Some(Stop::Memory));
        drop(ballast);
        job.finish();
    }
}
