//! Running harvests on their schedules while the server runs.
//!
//! A source with `schedule = "daily"` (or `hourly`, `weekly`, `6h`, `30m`) is harvested when
//! its last run started longer ago than its interval, or never ran: so a server restarted
//! mid-interval does not harvest again early, and one that was down for a week catches up
//! once. Due sources run one at a time (a harvest already uses the network politely and
//! the store's single writer), and a failure is recorded and retried at the next interval.

use crate::config::{HarvestSettings, SourceConfig};
use crate::harvest::{Progress, harvest, recover_interrupted};
use crate::link::LinkSettings;
use crate::provenance::list_runs;
use crate::refresh::after_harvest;
use crate::tag::TagSettings;
use civicgraph_graph::Graph;
use std::sync::Arc;
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

/// Harvests the scheduled sources for ever, re-tagging, re-linking and compacting the graph
/// after each round that harvested something, as `civicgraph harvest` does. Cancel the task
/// to stop it.
pub async fn run(
    graph: Arc<Graph>,
    sources: Vec<SourceConfig>,
    settings: HarvestSettings,
    tagging: TagSettings,
    linking: LinkSettings,
) {
    let scheduled: Vec<SourceConfig> = sources.into_iter().filter(|s| s.interval().is_some()).collect();
    if scheduled.is_empty() {
        return;
    }
    {
        let graph = graph.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || recover_interrupted(&graph)).await {
            tracing::error!("recovering interrupted runs: {e}");
        }
    }
    tracing::info!(sources = scheduled.len(), "harvest scheduler started");
    let quiet: Progress = Arc::new(|_: &str| {});
    loop {
        let mut next = Duration::from_secs(3600);
        let mut harvested = false;
        for source in &scheduled {
            let due = {
                let (graph, source) = (graph.clone(), source.clone());
                tokio::task::spawn_blocking(move || due_in(&graph, &source)).await
            };
            match due {
                Ok(Ok(Some(wait))) if wait.is_zero() => {
                    tracing::info!(source = %source.id, "scheduled harvest due");
                    match harvest(graph.clone(), source.clone(), settings.clone(), quiet.clone()).await {
                        Ok(_) => harvested = true,
                        Err(e) => tracing::error!(source = %source.id, "scheduled harvest: {e}"),
                    }
                    next = next.min(source.interval().unwrap_or(next));
                }
                Ok(Ok(Some(wait))) => next = next.min(wait),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::error!(source = %source.id, "reading harvest runs: {e}"),
                Err(e) => tracing::error!(source = %source.id, "scheduler task: {e}"),
            }
        }
        if harvested {
            let (graph, tagging, linking) = (graph.clone(), tagging.clone(), linking.clone());
            // Compaction merges the files the round's writes left (a bulk-loaded source adds
            // its own), which is what keeps lookups at one file each; queries go on meanwhile.
            let refreshed = tokio::task::spawn_blocking(move || {
                after_harvest(&graph, &tagging, &linking)?;
                let started = std::time::Instant::now();
                graph.compact()?;
                Ok::<_, crate::IngestError>(started.elapsed())
            })
            .await;
            match refreshed {
                Ok(Ok(took)) => tracing::info!(compact_ms = took.as_millis() as u64, "store compacted"),
                Ok(Err(e)) => {
                    tracing::error!("tagging, linking and compacting after scheduled harvests: {e}")
                }
                Err(e) => tracing::error!("tagging, linking and compacting task: {e}"),
            }
        }
        tokio::time::sleep(next.max(Duration::from_secs(1))).await;
    }
}
