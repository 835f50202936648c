//! `civicgraph query 'SPARQL'`: prints a table, or any result format.

use super::Context;
use anyhow::Context as _;
use civicgraph_graph::QueryOptions;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query text; or use --file.
    #[arg(required_unless_present = "file")]
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, conflicts_with = "query")]
    file: Option<PathBuf>,
    /// Output: table, json, xml, csv, tsv for solutions; ttl, nt, rdf, jsonld for graphs.
    #[arg(long, default_value = "table")]
    format: String,
    /// Query the store's own default graph instead of the union of all graphs.
    #[arg(long)]
    no_union: bool,
}

pub fn run(context: &Context, args: Args) -> anyhow::Result<()> {
    let text = match (&args.query, &args.file) {
        (Some(query), _) => query.clone(),
        (None, Some(file)) => {
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?
        }
        (None, None) => unreachable!("clap requires one"),
    };
    let graph = context.open_graph()?;
    let options = QueryOptions {
        union_default_graph: !args.no_union && context.config.query.union_default_graph,
        ..QueryOptions::default()
    };
    let results = graph.query(&text, &options)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match results {
        QueryResults::Solutions(solutions) if args.format == "table" => {
            let variables: Vec<String> = solutions
                .variables()
                .iter()
                .map(|v| v.as_str().to_owned())
                .collect();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution?;
                rows.push(
                    variables
                        .iter()
                        .map(|v| solution.get(v.as_str()).map(display_term).unwrap_or_default())
                        .collect::<Vec<_>>(),
                );
            }
            print_table(&mut out, &variables, &rows)?;
        }
        QueryResults::Boolean(value) if args.format == "table" => writeln!(out, "{value}")?,
        QueryResults::Solutions(solutions) => {
            let format = results_format(&args.format)?;
            let mut serializer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())?;
            for solution in solutions {
                serializer.serialize(&solution?)?;
            }
            serializer.finish()?;
        }
        QueryResults::Boolean(value) => {
            QueryResultsSerializer::from_format(results_format(&args.format)?)
                .serialize_boolean_to_writer(&mut out, value)?;
        }
        QueryResults::Graph(triples) => {
            let format = if args.format == "table" {
                RdfFormat::Turtle
            } else {
                super::parse_rdf_format(&args.format)?
            };
            let mut serializer = RdfSerializer::from_format(format);
            for (prefix, iri) in civicgraph_vocab::PREFIXES {
                serializer = serializer.with_prefix(*prefix, *iri)?;
            }
            let mut serializer = serializer.for_writer(&mut out);
            for triple in triples {
                serializer.serialize_triple(&triple?)?;
            }
            serializer.finish()?;
        }
    }
    out.flush()?;
    Ok(())
}

fn results_format(name: &str) -> anyhow::Result<QueryResultsFormat> {
    QueryResultsFormat::from_extension(name)
        .or_else(|| QueryResultsFormat::from_media_type(name))
        .with_context(|| format!("unknown results format {name:?}; use table, json, xml, csv or tsv"))
}

/// IRIs bare, literals by value (with a language or datatype when not a plain string).
fn display_term(term: &Term) -> String {
    match term {
        Term::NamedNode(node) => node.as_str().to_owned(),
        Term::Literal(literal) => {
            if let Some(language) = literal.language() {
                format!("{}@{language}", literal.value())
            } else {
                literal.value().to_owned()
            }
        }
        other => other.to_string(),
    }
}

fn print_table(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    const MAX: usize = 80;
    let clip = |s: &str| -> String {
        let one_line = s.replace(['\n', '\r', '\t'], " ");
        if one_line.chars().count() > MAX {
            format!("{}…", one_line.chars().take(MAX - 1).collect::<String>())
        } else {
            one_line
        }
    };
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| clip(c)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> std::io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        writeln!(out, "{}", padded.join(" | ").trim_end())
    };
    line(out, header)?;
    writeln!(
        out,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    )?;
    for row in &rows {
        line(out, row)?;
    }
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}
