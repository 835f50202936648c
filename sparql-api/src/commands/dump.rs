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
    let graph = match context.open_graph() {
        Ok(graph) => graph,
        Err(error) => {
            // A server holds the store: it dumps it from one snapshot while it serves.
            let Some(server) = super::serving::announced(&context.config.data_dir) else {
                return Err(error);
            };
            eprintln!("the store is held by the server at {server}: dumping through it");
            return with_output(&args.output, |writer| {
                let summary = dump_from_server(&server, format, context.config.write_token(), writer)?;
                eprintln!("dumped {summary} from the server at {server}");
                Ok(())
            });
        }
    };
    with_output(&args.output, |writer| {
        let count = graph.dump(format, writer)?;
        eprintln!("dumped {count} quads");
        Ok(())
    })
}

/// Runs `write` on the output file, or on standard output, and flushes it.
fn with_output(
    output: &Option<PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut writer = BufWriter::new(file);
            write(&mut writer)?;
            writer
                .flush()
                .with_context(|| format!("writing {}", path.display()))
        }
        None => {
            let stdout = std::io::stdout();
            let mut writer = BufWriter::new(stdout.lock());
            write(&mut writer)?;
            Ok(writer.flush()?)
        }
    }
}

/// Streams `GET {server}/store` (the whole dataset, from one snapshot) into `writer`,
/// with the write token when one is configured; returns what was written ("N quads" for
/// N-Quads, whose quads are lines; bytes for TriG).
fn dump_from_server(
    server: &str,
    format: RdfFormat,
    token: Option<String>,
    writer: &mut dyn Write,
) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let url = format!("{server}/store");
        let mut request = reqwest::Client::builder()
            .no_proxy()
            .build()?
            .get(&url)
            .header(reqwest::header::ACCEPT, format.media_type());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let mut response = request
            .send()
            .await
            .with_context(|| format!("asking {url} for the dump (is the server still running?)"))?;
        let status = response.status();
        if !status.is_success() {
            let message = response.text().await.unwrap_or_default();
            anyhow::bail!("{url} answered {status}: {}", message.trim());
        }
        let (mut bytes, mut lines) = (0u64, 0u64);
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("reading the dump from {url}: it ended early"))?
        {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            writer.write_all(&chunk)?;
        }
        Ok(if format == RdfFormat::NQuads {
            format!("{lines} quads")
        } else {
            format!("{bytes} bytes")
        })
    })
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
