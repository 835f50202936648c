//! The `civicgraph` command: one subcommand per job. Exit status 0 on success, 1 on
//! failure, 2 on bad usage (clap's own).

mod commands;

/// mimalloc instead of glibc's allocator. A harvest allocates and frees a source's triples
/// on several threads at once; glibc keeps a heap per thread and returns little of it, so
/// the process held the memory of every large source it had read (BENCHMARKS.md, session
/// 13). mimalloc returns freed pages and is faster. It also replaces `malloc` and `free`
/// (the `override` feature) for the C++ of RocksDB: Oxigraph takes RocksDB's error
/// messages, allocated with `malloc`, as `CString`s that Rust frees, which only works when
/// both sides share one allocator (without it, any RocksDB error crashed the process).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// civicgraph: a knowledge graph of open data and public-service innovation.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Configuration file (TOML). Optional: every key has a default.
    #[arg(long, global = true, env = "CIVICGRAPH_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory holding the store and the search index [default: ./civicgraph-data]
    #[arg(long, global = true, env = "CIVICGRAPH_DATA")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve SPARQL over HTTP; an empty store is first filled with the bundled demo data.
    Serve(commands::serve::Args),
    /// Harvest the configured sources (all, or those named with --source).
    Harvest(commands::harvest::Args),
    /// List the recorded harvest runs, newest first.
    Harvests(commands::harvest::ListArgs),
    /// Check a catalogue file or URL against DCAT-AP 3.0.1 and print the report.
    Validate(commands::validate::Args),
    /// Load RDF files (any syntax) into the graph, one atomic write per file.
    Load(commands::load::Args),
    /// Run a SPARQL query and print the results.
    Query(commands::query::Args),
    /// Full-text search over datasets, case studies and catalogues.
    Search(commands::search::Args),
    /// Write the whole graph to N-Quads or TriG.
    Dump(commands::dump::DumpArgs),
    /// Replace the graph with a dump.
    Restore(commands::dump::RestoreArgs),
    /// Rebuild the search index from the store.
    Reindex,
    /// Print quads per graph, records per type and the index state.
    Stats(commands::stats::Args),
    /// Tag every dataset and case study with the ODI patterns, or explain one record's tags.
    Tag(commands::tag::Args),
    /// Train the pattern tagger on the labelled set and write the model file.
    TrainTagger(commands::tag::TrainArgs),
    /// Cross-validate the tagger on the labelled set: precision, recall, F1, calibration.
    EvalTagger(commands::tag::EvalArgs),
    /// Link the same dataset across catalogues (owl:sameAs with evidence, and clusters).
    Link(commands::link::Args),
    /// Measure the linker on catalogue files with planted copies: precision and recall.
    EvalLinker(commands::link::EvalArgs),
    /// Write generated regional catalogues, case studies and duplicates' ground truth (benchmarks).
    Gen(commands::generate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", message(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each once: most of the project's errors already name their
/// cause ("catalog.ttl: No such file or directory"), and a cause their text ends with is
/// not repeated after it.
fn message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.is_empty() {
            message = text;
        } else if !message.ends_with(&text) {
            message = format!("{message}: {text}");
        }
    }
    message
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let context = commands::Context::new(cli.config.as_deref(), cli.data)?;
    match cli.command {
        Command::Serve(args) => commands::serve::run(context, args),
        Command::Harvest(args) => commands::harvest::run(&context, args),
        Command::Harvests(args) => commands::harvest::list(&context, args),
        Command::Validate(args) => commands::validate::run(&context, args),
        Command::Load(args) => commands::load::run(&context, args),
        Command::Query(args) => commands::query::run(&context, args),
        Command::Search(args) => commands::search::run(&context, args),
        Command::Dump(args) => commands::dump::dump(&context, args),
        Command::Restore(args) => commands::dump::restore(&context, args),
        Command::Reindex => commands::stats::reindex(&context),
        Command::Stats(args) => commands::stats::run(&context, args),
        Command::Tag(args) => commands::tag::run(&context, args),
        Command::TrainTagger(args) => commands::tag::train_model(args),
        Command::EvalTagger(args) => commands::tag::evaluate(&context, args),
        Command::Link(args) => commands::link::run(&context, args),
        Command::EvalLinker(args) => commands::link::evaluate_linker(&context, args),
        Command::Gen(args) => commands::generate::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn a_cause_the_error_already_names_is_said_once() {
        let missing = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let error = anyhow::Error::new(missing).context("catalog.ttl: No such file or directory");
        assert_eq!(message(&error), "catalog.ttl: No such file or directory");
        let error = anyhow::anyhow!("connection refused").context("harvest of source birmingham");
        assert_eq!(
            message(&error),
            "harvest of source birmingham: connection refused"
        );
    }
}
