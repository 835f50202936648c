//! `civicgraph gen`: writes generated regional catalogues, case studies and the duplicates'
//! ground truth for the benchmarks (see `civicgraph_ingest::tools::generate`).

use anyhow::Context as _;
use civicgraph_ingest::tools::generate::{GenSettings, generate};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to write into (created if missing).
    #[arg(long, default_value = "bench-data")]
    out: PathBuf,
    /// Datasets in all, republished copies included.
    #[arg(long, default_value_t = 10_000)]
    datasets: usize,
    /// Regional catalogues [default: one per 25,000 datasets, at least 4].
    #[arg(long)]
    regions: Option<usize>,
    /// The seed: the same settings and seed write the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The share of datasets that are another region's dataset republished.
    #[arg(long, default_value_t = 0.08)]
    duplicates: f64,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut settings = GenSettings::new(args.datasets, args.seed);
    if let Some(regions) = args.regions {
        settings.regions = regions;
    }
    settings.duplicate_share = args.duplicates;
    let started = std::time::Instant::now();
    let summary =
        generate(&args.out, &settings).with_context(|| format!("generating into {}", args.out.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    println!(
        "{} datasets ({} copies) in {} catalogues, {} triples, {} case studies in {:.1} s",
        summary.datasets,
        summary.regions.iter().map(|r| r.copies).sum::<usize>(),
        summary.regions.len(),
        summary.triples,
        summary.case_studies,
        started.elapsed().as_secs_f64()
    );
    for region in &summary.regions {
        println!(
            "  {:<16} {:>8} datasets {:>7} copies {:>10} triples  {}",
            region.id,
            region.originals,
            region.copies,
            region.triples,
            region.path.display()
        );
    }
    println!("config: {}", summary.config.display());
    println!("ground truth: {}", summary.ground_truth.display());
    println!("case studies: {}", summary.case_study_file.display());
    Ok(())
}
