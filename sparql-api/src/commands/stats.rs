//! `civicgraph stats` and `civicgraph reindex`.

use super::Context;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let stats = graph.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print!("{stats}");
    }
    Ok(())
}

pub fn reindex(context: &Context) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} reindexing: {pos} records read ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let count = graph.reindex(&mut |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    eprintln!("indexed {count} records");
    Ok(())
}
