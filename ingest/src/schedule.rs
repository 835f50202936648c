//! Running harvests on their schedules while the server runs.
//!
//! A source with `schedule = "daily"` (or `hourly`, `weekly`, `6h`, `30m`) is harvested when
//! its last run started longer ago than its interval, or never ran: so a server restarted
//! mid-interval does not harvest again early, and one that was down for a week catches up
//! once. The sources due together run as one [`Pipeline`] run (at most `parallel` harvests
//! at once), and a failure is recorded and retried at the next interval.

use crate::config::SourceConfig;
use crate::pipeline::{Pipeline, silent};
use crate::provenance::list_runs;
use civicgraph_graph::Graph;
use std::time::Duration;

/// How long since `started` (an `xsd:dateTime`), if it parses.
fn age(started: &str) -> Option<Duration> {
    let started = started.parse::<oxsdatatypes::DateTime>().ok()?;
    let now = oxsdatatypes::DateTime::now();
    // A negative age (a clock set back) does not convert, and counts as "not yet due".
    Duration::try_from(now.checked_sub(started)?).ok()
}

/// How long until `source` is due (zero if due now), or `None` if it has no schedule.
pub fn due_in(graph: &Graph, source: &SourceConfig) -> crate::Result<Option<Duration>> {
    let Some(interval) = source.interval() else {
        return Ok(None);
    };
    let last = list_runs(graph, Some(&source.id))?.into_iter().next();
    Ok(Some(match last.and_then(|run| age(&run.started)) {
        Some(age) => interval.saturating_sub(age),
        None => Duration::ZERO,
    }))
}

/// Runs `pipeline` for the scheduled sources that are due, for ever: after each round that
/// wrote something, what it can have changed is re-linked and re-tagged (compacted too
/// after a bulk-loaded harvest), as `civicgraph harvest` does. Cancel the task to stop it.
pub async fn run(pipeline: Pipeline, sources: Vec<SourceConfig>) {
    let scheduled: Vec<SourceConfig> = sources.into_iter().filter(|s| s.interval().is_some()).collect();
    if scheduled.is_empty() {
        return;
    }
    if let Err(e) = pipeline.recover().await {
        tracing::error!("recovering interrupted runs: {e}");
    }
    tracing::info!(sources = scheduled.len(), "harvest scheduler started");
    loop {
        let mut next = Duration::from_secs(3600);
        let mut due_now = Vec::new();
        for source in &scheduled {
            let due = {
                let (graph, source) = (pipeline.graph().clone(), source.clone());
                tokio::task::spawn_blocking(move || due_in(&graph, &source)).await
            };
            match due {
                Ok(Ok(Some(wait))) if wait.is_zero() => {
                    tracing::info!(source = %source.id, "scheduled harvest due");
                    due_now.push(source.clone());
                    next = next.min(source.interval().unwrap_or(next));
                }
                Ok(Ok(Some(wait))) => next = next.min(wait),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::error!(source = %source.id, "reading harvest runs: {e}"),
                Err(e) => tracing::error!(source = %source.id, "scheduler task: {e}"),
            }
        }
        if !due_now.is_empty() {
            match pipeline.run(due_now, silent()).await {
                Ok(report) => {
                    // Errors were logged as they happened.
                    for failed in report.failed() {
                        tracing::error!(
                            source = %failed.source,
                            "scheduled harvest failed: {}",
                            failed.message.as_deref().unwrap_or("no reason recorded")
                        );
                    }
                }
                Err(e) => tracing::error!("scheduled harvests, tagging, linking and compaction: {e}"),
            }
        }
        tokio::time::sleep(next.max(Duration::from_secs(1))).await;
    }
}
