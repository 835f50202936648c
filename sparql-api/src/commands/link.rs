//! `civicgraph link` and `civicgraph eval-linker`.

use super::{Context, print_out};
use anyhow::Context as _;
use civicgraph_ingest::enrich::link::read::document_datasets;
use civicgraph_ingest::enrich::link::{LinkRecord, link_graph};
use civicgraph_ingest::fetch::file_base_iri;
use civicgraph_ingest::tools::link_eval::evaluate;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Catalogue files (any syntax a harvest reads), each taken as one source.
    #[arg(default_values = ["datasets/demo/westshire.ttl", "datasets/demo/northmoor.ttl", "datasets/demo/southvale.ttl"])]
    files: Vec<PathBuf>,
    /// Share of the datasets copied (true duplicates).
    #[arg(long, default_value_t = 0.5)]
    copies: f64,
    /// Share of the datasets given a next-edition sibling (hard negatives).
    #[arg(long, default_value_t = 0.2)]
    siblings: f64,
    /// Seed of the perturbations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Instead of files, generate this many synthetic datasets in ten sources (to measure
    /// the linker at scale: time and memory of linking alone, without a store).
    #[arg(long, value_name = "N")]
    synthetic: Option<usize>,
    /// Instead of planting copies, measure on two real snapshots of one catalogue (older,
    /// newer): the truth is the landing pages and download URLs they share, and the newer
    /// is republished with new identifiers and URLs before linking.
    #[arg(long, num_args = 2, value_names = ["OLDER", "NEWER"], conflicts_with = "synthetic")]
    snapshots: Option<Vec<PathBuf>>,
    /// With `--snapshots`: what says two datasets are the same, `urls` (landing pages and
    /// download URLs) or `identifiers`.
    #[arg(long, default_value = "urls")]
    truth: civicgraph_ingest::tools::snapshots::TruthKey,
    /// Print JSON instead of Markdown.
    #[arg(long)]
    json: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let summary = link_graph(&graph, &context.config.linking)?;
    if args.json {
        print_out(&(serde_json::to_string_pretty(&summary)? + "\n"))
    } else {
        eprintln!(
            "linked {} datasets: {} links in {} clusters ({} triples added, {} removed)",
            summary.datasets, summary.links, summary.clusters, summary.added, summary.removed
        );
        Ok(())
    }
}

/// The datasets of a catalogue file, mapped as a harvest maps it, as one source.
fn read_file(file: &std::path::Path) -> anyhow::Result<Vec<LinkRecord>> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| format!("reading {name}"))?;
    Ok(document_datasets(&bytes, &name, Some(&file_base_iri(file)?))?)
}

pub fn evaluate_linker(context: &Context, args: EvalArgs) -> anyhow::Result<()> {
    if let Some([older, newer]) = args.snapshots.as_deref() {
        let (older, newer) = (read_file(older)?, read_file(newer)?);
        let evaluation = civicgraph_ingest::tools::snapshots::evaluate(
            &older,
            &newer,
            args.truth,
            &context.config.linking,
        );
        return if args.json {
            print_out(&(serde_json::to_string_pretty(&evaluation)? + "\n"))
        } else {
            print_out(&evaluation.to_markdown())
        };
    }
    let mut real: Vec<LinkRecord> = Vec::new();
    if let Some(n) = args.synthetic {
        real = civicgraph_ingest::tools::perturb::synthetic(n, 10, args.seed);
    }
    for file in args.files.iter().filter(|_| args.synthetic.is_none()) {
        real.extend(read_file(file)?);
    }
    let started = std::time::Instant::now();
    let evaluation = evaluate(
        &real,
        args.copies,
        args.siblings,
        args.seed,
        &context.config.linking,
    );
    eprintln!(
        "linked {} datasets with {} planted copies and siblings in {:.1} s (planting included)",
        real.len(),
        evaluation.copies + evaluation.siblings,
        started.elapsed().as_secs_f64()
    );
    if args.json {
        print_out(&(serde_json::to_string_pretty(&evaluation)? + "\n"))
    } else {
        print_out(&evaluation.to_markdown())
    }
}
