//! `civicgraph dump` and `civicgraph restore`.

use super::{Context, byte_progress, format_of_path, parse_rdf_format};
use anyhow::Context as _;
use oxigraph::io::RdfFormat;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// Output file [default: standard output].
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// nq (N-Quads) or trig [default: from the output's extension, else nq].
    #[arg(long)]
    format: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A dump in N-Quads or TriG.
    file: PathBuf,
    /// Syntax, overriding the extension.
    #[arg(long)]
    format: Option<String>,
    /// Replace a store that already holds data (otherwise that is refused).
    #[arg(long)]
    replace: bool,
}

pub fn dump(context: &Context, args: DumpArgs) -> anyhow::Result<()> {
    let format = match (&args.format, &args.output) {
        (Some(name), _) => parse_rdf_format(name)?,
        (None, Some(path)) => format_of_path(path)?,
        (None, None) => RdfFormat::NQuads,
    };
    anyhow::ensure!(
        format.supports_datasets(),
        "a dump keeps graph names, so it must be N-Quads or TriG, not {}",
        format.name()
    );
    let graph = context.open_graph()?;
    let count = match &args.output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut writer = BufWriter::new(file);
            let count = graph.dump(format, &mut writer)?;
            writer.flush()?;
            count
        }
        None => {
            let stdout = std::io::stdout();
            let mut writer = BufWriter::new(stdout.lock());
            let count = graph.dump(format, &mut writer)?;
            writer.flush()?;
            count
        }
    };
    eprintln!("dumped {count} quads");
    Ok(())
}

pub fn restore(context: &Context, args: RestoreArgs) -> anyhow::Result<()> {
    let format = match &args.format {
        Some(name) => parse_rdf_format(name)?,
        None => format_of_path(&args.file)?,
    };
    let graph = context.open_graph()?;
    let file = File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let bar = byte_progress(
        file.metadata().ok().map(|m| m.len()),
        format!("reading {}", args.file.display()),
    );
    let reader = BufReader::new(bar.wrap_read(file));
    let report = graph.restore(format, reader, &args.file.display().to_string(), args.replace)?;
    bar.finish_and_clear();
    graph.ensure_vocabulary()?;
    eprintln!("restored {} quads (write {})", report.inserted, report.sequence);
    Ok(())
}
