//! `civicgraph harvest [--source ID]...`: harvests the configured sources, several at once,
//! each isolated from the others (one failing source does not stop the rest), with a
//! progress line per source. `civicgraph harvests` lists the recorded runs.

use super::Context;
use anyhow::Context as _;
use civicgraph_ingest::provenance::{RunStatus, list_runs};
use civicgraph_ingest::{HarvestOutcome, SourceConfig};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Harvest only these sources (by id); default: every configured source.
    #[arg(long = "source", value_name = "ID")]
    sources: Vec<String>,
    /// Print each run's report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only the runs of this source.
    #[arg(long)]
    source: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// The sources named on the command line, or all of them.
fn selected(context: &Context, ids: &[String]) -> anyhow::Result<Vec<SourceConfig>> {
    let sources = &context.config.sources;
    if sources.is_empty() {
        anyhow::bail!(
            "no sources are configured: add [[source]] entries to civicgraph.toml (see the README)"
        );
    }
    if ids.is_empty() {
        return Ok(sources.clone());
    }
    ids.iter()
        .map(|id| {
            sources
                .iter()
                .find(|s| &s.id == id)
                .cloned()
                .with_context(|| format!("no source has the id {id:?}"))
        })
        .collect()
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let sources = selected(context, &args.sources)?;
    let graph = Arc::new(context.open_graph()?);
    // One index pass after every source, the tags and the links, not one per write: this
    // process is the only one with the store open, so nobody searches meanwhile.
    graph.defer_index();
    let runtime = tokio::runtime::Runtime::new()?;
    let outcomes = runtime.block_on(harvest_all(
        graph.clone(),
        sources,
        context.config.harvest.clone(),
    ))?;
    let mut refreshed = None;
    if outcomes.iter().any(|o| o.status == RunStatus::Succeeded) {
        let done = civicgraph_ingest::refresh::after_harvest(
            &graph,
            &context.config.tagging,
            &context.config.linking,
        )?;
        let (tags, links) = (&done.tags, &done.links);
        eprintln!(
            "tagged {} records ({} curated, {} inferred, {} NONE; {} assignments changed, {} removed); linked {} datasets: {} links in {} clusters",
            tags.records,
            tags.curated,
            tags.inferred,
            tags.none,
            tags.added,
            tags.removed,
            links.datasets,
            links.links,
            links.clusters
        );
        refreshed = Some(done);
    }
    let started = std::time::Instant::now();
    let indexed = graph.catch_up_index()?;
    let index_ms = started.elapsed().as_millis() as u64;
    tracing::info!(records = indexed, index_ms, "search index caught up");
    let started = std::time::Instant::now();
    if refreshed.is_some() {
        graph.compact()?;
        tracing::info!(
            compact_ms = started.elapsed().as_millis() as u64,
            "store compacted"
        );
    }
    let compact_ms = started.elapsed().as_millis() as u64;
    if args.json
        && let Some(done) = &refreshed
    {
        let line = serde_json::json!({ "refresh": {
            "tags": done.tags, "links": done.links, "tag_ms": done.tag_ms, "link_ms": done.link_ms,
            "index_ms": index_ms, "indexed": indexed, "compact_ms": compact_ms,
        }});
        println!("{line}");
    }
    let mut failed = 0;
    for outcome in &outcomes {
        if args.json {
            println!("{}", serde_json::to_string(outcome)?);
        }
        print_outcome(outcome);
        if outcome.status != RunStatus::Succeeded {
            failed += 1;
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} sources failed; their previous versions were kept",
            outcomes.len()
        );
    }
    Ok(())
}

/// Harvests `sources`, at most `settings.parallel` at once.
pub async fn harvest_all(
    graph: Arc<civicgraph_graph::Graph>,
    sources: Vec<SourceConfig>,
    settings: civicgraph_ingest::HarvestSettings,
) -> anyhow::Result<Vec<HarvestOutcome>> {
    {
        let graph = graph.clone();
        tokio::task::spawn_blocking(move || civicgraph_ingest::recover_interrupted(&graph)).await??;
    }
    let bars = MultiProgress::new();
    let limit = Arc::new(tokio::sync::Semaphore::new(settings.parallel.max(1)));
    let mut tasks = Vec::new();
    for source in sources {
        let bar = bars.add(
            ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        );
        bar.set_prefix(source.id.clone());
        bar.set_message("waiting");
        bar.enable_steady_tick(Duration::from_millis(200));
        let (graph, settings, limit) = (graph.clone(), settings.clone(), limit.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await;
            let progress_bar = bar.clone();
            let progress: civicgraph_ingest::harvest::Progress =
                Arc::new(move |m: &str| progress_bar.set_message(m.to_owned()));
            let outcome = civicgraph_ingest::harvest(graph, source, settings, progress).await;
            bar.finish_and_clear();
            outcome
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await??);
    }
    Ok(outcomes)
}

fn print_outcome(outcome: &HarvestOutcome) {
    let r = &outcome.report;
    let c = &outcome.changes;
    match outcome.status {
        RunStatus::Succeeded => eprintln!(
            "{}: read {}, kept {}, rejected {} | added {}, changed {}, unchanged {}, deleted {} | {} DCAT-AP violations, {} warnings | {} triples",
            outcome.source,
            r.records_read,
            r.records_kept,
            r.rejections.len(),
            c.added,
            c.changed,
            c.unchanged,
            c.deleted,
            r.violation_count(),
            r.warnings.len(),
            outcome.triples
        ),
        _ => eprintln!(
            "{}: FAILED: {} (previous version kept)",
            outcome.source,
            outcome.message.as_deref().unwrap_or("unknown error")
        ),
    }
    for rejection in r.rejections.iter().take(20) {
        eprintln!(
            "  rejected {} at {}: {}",
            rejection.record, rejection.position, rejection.reason
        );
    }
    if r.rejections.len() > 20 {
        eprintln!(
            "  ... and {} more rejections (see `civicgraph harvests` or the harvest graph)",
            r.rejections.len() - 20
        );
    }
}

pub fn list(context: &Context, args: ListArgs) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let runs = list_runs(&graph, args.source.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
        return Ok(());
    }
    if runs.is_empty() {
        eprintln!("no harvest runs recorded");
        return Ok(());
    }
    println!(
        "{:<20} {:<10} {:<25} {:>6} {:>6} {:>7} {:>9} {:>7} {:>8} {:>10}",
        "source",
        "status",
        "started",
        "read",
        "added",
        "changed",
        "unchanged",
        "deleted",
        "rejected",
        "violations"
    );
    for run in runs {
        let c = &run.counts;
        println!(
            "{:<20} {:<10} {:<25} {:>6} {:>6} {:>7} {:>9} {:>7} {:>8} {:>10}",
            run.source,
            run.status,
            run.started,
            c.read,
            c.added,
            c.changed,
            c.unchanged,
            c.deleted,
            c.rejected,
            run.violations
        );
        if run.status == "failed"
            && let Some(message) = run.messages.first()
        {
            println!("    {message}");
        }
    }
    Ok(())
}
