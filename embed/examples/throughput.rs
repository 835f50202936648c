//! The sentence reader's cost, for BENCHMARKS.md (`scripts/bench-embed.sh`): how long the model
//! takes to load, and how long a text takes to embed by its length, on one thread and on
//! every core, for each variant of the engine this CPU runs (or the one
//! `CIVICGRAPH_E5_ENGINE` names).
//!
//! `cargo run --release -p civicgraph-embed --example throughput -- TEXTS [LIMIT] [TUNING]`,
//! TEXTS a file of one text per line, TUNING a tuning file (`parse_tuning`), as the tagger's
//! encoder reads `ingest/tagger/tuning.cga`.

use civicgraph_embed::{Embedder, Tuning, VARIANT_VARIABLE, model_path, parse_tuning};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: throughput TEXTS [LIMIT]")?;
    let limit: usize = match args.next().as_deref() {
        None | Some("all") => usize::MAX,
        Some(n) => n.parse()?,
    };
    let tuning = args.next();
    let texts: Vec<String> = std::fs::read_to_string(&file)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(limit)
        .map(str::to_owned)
        .collect();
    let variants = match std::env::var(VARIANT_VARIABLE) {
        Ok(name) => vec![name],
        Err(_) => Embedder::variants().into_iter().map(str::to_owned).collect(),
    };
    for variant in &variants {
        measure(variant, tuning.as_deref(), &texts)?;
    }
    Ok(())
}

/// Loads the model into `variant`, tuned by the tuning file if given (its reading counted
/// in the load), and times `texts` on one thread, by length, then on every core.
fn measure(variant: &str, tuning: Option<&str>, texts: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let tuned = if tuning.is_some() { ", tuned" } else { "" };
    let started = Instant::now();
    let tuning: Option<Tuning> = match tuning {
        Some(file) => Some(parse_tuning(&std::fs::read(file)?, file)?),
        None => None,
    };
    let embedder = Embedder::open_variant(&model_path(), variant, tuning)?;
    println!(
        "{variant}{tuned}: load {:.0} ms ({} engine, the model read and its SHA-256 checked)",
        started.elapsed().as_secs_f64() * 1000.0,
        embedder.engine()
    );
    // One thread: each text's time, by length.
    let mut timed: Vec<(usize, f64)> = Vec::new();
    for text in texts {
        let started = Instant::now();
        embedder.embed(text)?;
        timed.push((
            civicgraph_embed::prepare(text).chars().count(),
            started.elapsed().as_secs_f64() * 1000.0,
        ));
    }
    let total: f64 = timed.iter().map(|(_, ms)| ms).sum();
    println!(
        "one thread: {} texts in {:.1} s, {:.1} ms a text on average",
        texts.len(),
        total / 1000.0,
        total / texts.len().max(1) as f64
    );
    for (low, high) in [(0, 100), (100, 300), (300, 700), (700, 1500), (1500, usize::MAX)] {
        let mut bucket: Vec<f64> = timed
            .iter()
            .filter(|(chars, _)| *chars >= low && *chars < high)
            .map(|(_, ms)| *ms)
            .collect();
        if bucket.is_empty() {
            continue;
        }
        bucket.sort_by(f64::total_cmp);
        let median = bucket[bucket.len() / 2];
        let p95 = bucket[(bucket.len() * 95 / 100).min(bucket.len() - 1)];
        let high = if high == usize::MAX {
            "2048".to_owned()
        } else {
            high.to_string()
        };
        println!(
            "  {low}-{high} characters: {} texts, median {median:.1} ms, 95th percentile {p95:.1} ms",
            bucket.len()
        );
    }
    // Every core, one text per thread, as the tagger runs it.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for part in texts.chunks(texts.len().div_ceil(threads).max(1)) {
            let embedder = &embedder;
            scope.spawn(move || {
                for text in part {
                    embedder.embed(text).expect("embeds");
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{threads} threads: {:.1} texts a second ({:.1} s)",
        texts.len() as f64 / seconds,
        seconds
    );
    Ok(())
}
