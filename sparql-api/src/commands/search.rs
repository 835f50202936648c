//! `civicgraph search 'text'`: the full-text index from the terminal.

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words, "phrases", field:word (title, description, keywords, publisher), OR, -not.
    text: String,
    /// How many hits to print.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let hits = graph.search(&args.text, args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
        return Ok(());
    }
    if hits.is_empty() {
        println!("no matches for {:?}", args.text);
    }
    for hit in hits {
        let patterns: Vec<&str> = hit.patterns.iter().filter_map(|p| p.rsplit('/').next()).collect();
        println!("{:>6.2}  [{}] {}", hit.score, hit.kind, hit.title);
        println!("        {}", hit.iri);
        if !patterns.is_empty() {
            println!("        patterns: {}", patterns.join(", "));
        }
    }
    Ok(())
}
