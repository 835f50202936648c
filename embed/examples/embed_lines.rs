//! Embeds each line of a file, with a tuning file or without, and prints one vector a line
//! (numbers separated by spaces): to check the engine's tuned vectors against the tuning's
//! own training code (`datasets/drafts/finetune/`).
//!
//! `cargo run --release -p civicgraph-embed --example embed_lines -- TEXTS [TUNING]`

use civicgraph_embed::{Embedder, model_path, parse_tuning};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let file = args.next().ok_or("usage: embed_lines TEXTS [TUNING]")?;
    let model = match args.next() {
        Some(tuning) => {
            Embedder::open_tuned(&model_path(), parse_tuning(&std::fs::read(&tuning)?, &tuning)?)?
        }
        None => Embedder::open(&model_path())?,
    };
    for line in std::fs::read_to_string(&file)?.lines() {
        let vector = model.embed(line)?;
        let numbers: Vec<String> = vector.iter().map(|x| x.to_string()).collect();
        println!("{}", numbers.join(" "));
    }
    Ok(())
}
