//! The CLI's subcommands, one module each, and what they share: the configuration, the
//! opened graph, RDF format names and progress bars.

pub mod dump;
pub mod generate;
pub mod harvest;
pub mod link;
pub mod load;
pub mod query;
pub mod search;
pub mod serve;
pub mod serving;
pub mod stats;
pub mod tag;
pub mod validate;

use anyhow::Context as _;
use civicgraph_graph::{Graph, Layout};
use civicgraph_sparql_api::config::Config;
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::io::RdfFormat;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration in force for one command.
#[derive(Debug)]
pub struct Context {
    pub config: Config,
}

impl Context {
    /// Reads the config file if given (or `./civicgraph.toml` if present); `--data` wins
    /// over the file's `data_dir`.
    pub fn new(config_path: Option<&Path>, data: Option<PathBuf>) -> anyhow::Result<Self> {
        let implicit = Path::new("civicgraph.toml");
        let mut config = match config_path {
            Some(path) => Config::from_file(path)?,
            None if implicit.exists() => Config::from_file(implicit)?,
            None => Config::default(),
        };
        if let Some(data) = data {
            config.data_dir = data;
        }
        Ok(Self { config })
    }

    /// Opens the graph in the data directory, repairing the index if it fell behind.
    pub fn open_graph(&self) -> anyhow::Result<Graph> {
        let layout = Layout::new(&self.config.base_iri)?;
        Graph::open(&self.config.data_dir, layout)
            .with_context(|| format!("opening the graph in {}", self.config.data_dir.display()))
    }
}

pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CIVICGRAPH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

/// Writes `text` to stdout; a closed pipe (`| head`) ends the output quietly.
pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// An RDF syntax by name (`turtle`, `ttl`, `nt`, `nq`, `trig`, `rdfxml`, `jsonld`, ...) or
/// media type.
pub fn parse_rdf_format(name: &str) -> anyhow::Result<RdfFormat> {
    Ok(civicgraph_ingest::syntax::by_name(name)?)
}

/// The RDF syntax a file name's extension names.
pub fn format_of_path(path: &Path) -> anyhow::Result<RdfFormat> {
    Ok(civicgraph_ingest::syntax::detect(
        None,
        None,
        Some(&path.display().to_string()),
    )?)
}

/// A progress bar on stderr for `len` bytes (or a spinner when the length is unknown).
pub fn byte_progress(len: Option<u64>, message: String) -> ProgressBar {
    let bar = match len {
        Some(len) => ProgressBar::new(len).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
