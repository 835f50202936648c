//! `civicgraph load FILE...`: each file is parsed whole, then written in one atomic commit,
//! so a killed load leaves every file either fully in or not at all.

use super::{Context, byte_progress, format_of_path, parse_rdf_format};
use anyhow::Context as _;
use civicgraph_graph::WriteBatch;
use civicgraph_ingest::fetch::file_base_iri;
use oxigraph::model::NamedNode;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// RDF files: Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD, by extension.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Graph for the files' triples [default: the source graph named after each file].
    #[arg(long)]
    graph: Option<String>,
    /// The IRI the files' relative IRIs resolve against [default: each file's file:// URL].
    #[arg(long)]
    base: Option<String>,
    /// Syntax of every file, overriding the extension (ttl, nt, nq, trig, rdf, jsonld).
    #[arg(long)]
    format: Option<String>,
    /// Add to the target graph instead of replacing it.
    #[arg(long)]
    append: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let graph = context.open_graph()?;
    let explicit = args
        .graph
        .as_deref()
        .map(|iri| NamedNode::new(iri).with_context(|| format!("--graph {iri:?} is not an absolute IRI")))
        .transpose()?;
    for path in &args.files {
        let format = match &args.format {
            Some(name) => parse_rdf_format(name)?,
            None => format_of_path(path)?,
        };
        let target = match &explicit {
            Some(iri) => iri.clone(),
            None => graph.layout().source_graph(&source_id_of(path))?,
        };
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let len = file.metadata().ok().map(|m| m.len());
        let bar = byte_progress(len, format!("reading {}", path.display()));
        let reader = BufReader::new(bar.wrap_read(file));
        let name = path.display().to_string();
        let base = match &args.base {
            Some(base) => base.clone(),
            None => file_base_iri(path)?,
        };
        let mut batch = WriteBatch::new();
        if !args.append {
            batch.also_replace(target.clone());
        }
        batch.read_into(Some(&target), format, reader, &name, Some(&base), !args.append)?;
        bar.finish_and_clear();
        // A source's graph gets the record of a run, as a harvest would leave.
        if let Some(source) = graph.layout().source_id(target.as_str()) {
            let location = std::fs::canonicalize(path).map_or(name.clone(), |p| p.display().to_string());
            batch.insert(civicgraph_ingest::provenance::loaded(
                graph.layout(),
                source,
                &location,
            ));
        }
        let report = graph.commit(batch)?;
        eprintln!(
            "loaded {} quads from {} into <{}> (write {})",
            report.inserted,
            path.display(),
            target.as_str(),
            report.sequence
        );
    }
    Ok(())
}

/// A source id from a file name: its stem with every other character made `-`.
fn source_id_of(path: &std::path::Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if id.is_empty() { "file".to_owned() } else { id }
}
