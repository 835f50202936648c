//! `civicgraph harvest [--source ID]...`: harvests the configured sources, several at once,
//! each isolated from the others (one failing source does not stop the rest), with a
//! progress line per source. `civicgraph harvests` lists the recorded runs.

use super::Context;
use anyhow::Context as _;
use civicgraph_ingest::harvest::Progress;
use civicgraph_ingest::provenance::{RunStatus, list_runs};
use civicgraph_ingest::{HarvestOutcome, Pipeline, ProgressFor, SourceConfig};
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
    // The linker's table is kept for the next harvest (cron): it then reads only the changed
    // sources' datasets.
    let pipeline = Pipeline::new(
        graph,
        context.config.harvest.clone(),
        context.config.tagging.clone(),
        context.config.linking.clone(),
    )
    .keep_link_rows();
    let bars = MultiProgress::new();
    let progress: ProgressFor = Arc::new(move |source: &SourceConfig| -> Progress {
        let bar = bars.add(
            ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            ),
        );
        bar.set_prefix(source.id.clone());
        bar.set_message("harvesting");
        bar.enable_steady_tick(Duration::from_millis(200));
        Arc::new(move |message: &str| {
            if message == civicgraph_ingest::pipeline::FINISHED {
                bar.finish_and_clear();
            } else {
                bar.set_message(message.to_owned());
            }
        })
    });
    let runtime = tokio::runtime::Runtime::new()?;
    let report = runtime.block_on(async {
        pipeline.recover().await?;
        pipeline.run(sources, progress).await
    })?;
    if let Some(done) = &report.refreshed {
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
        if done.from_harvests > 0 {
            eprintln!(
                "{} records were taken as their harvests read them, not read back from the store",
                done.from_harvests
            );
        }
        if args.json {
            let line = serde_json::json!({ "refresh": {
                "tags": done.tags, "links": done.links, "tag_ms": done.tag_ms, "link_ms": done.link_ms,
                "from_harvests": done.from_harvests,
                "index_ms": report.index_ms, "indexed": report.indexed,
                "compact_ms": report.compact_ms.unwrap_or_default(),
            }});
            println!("{line}");
        }
    }
    for outcome in &report.outcomes {
        if args.json {
            println!("{}", serde_json::to_string(outcome)?);
        }
        print_outcome(outcome);
    }
    for error in &report.errors {
        eprintln!("{error}");
    }
    let failed = report.failed().count() + report.errors.len();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} sources failed; any version harvested before was kept",
            report.outcomes.len() + report.errors.len()
        );
    }
    Ok(())
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
            "{}: FAILED: {} ({})",
            outcome.source,
            outcome.message.as_deref().unwrap_or("unknown error"),
            if outcome.kept_previous {
                "previous version kept"
            } else {
                "never harvested before: nothing of it is in the graph"
            }
        ),
    }
    if r.transfer.requests > 0 {
        eprintln!(
            "  fetched {} bytes in {} requests, {} not modified",
            r.transfer.bytes, r.transfer.requests, r.transfer.not_modified
        );
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
    // What was repaired or left out, and a file read without `base`: the first few, the
    // rest kept with the run.
    for warning in r.warnings.iter().take(WARNINGS_SHOWN) {
        eprintln!("  warning: {warning}");
    }
    if r.warnings.len() > WARNINGS_SHOWN {
        eprintln!(
            "  ... and {} more warnings (see `civicgraph harvests --json`)",
            r.warnings.len() - WARNINGS_SHOWN
        );
    }
}

/// Warnings a harvest prints per source; all are kept with its run.
const WARNINGS_SHOWN: usize = 5;

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
