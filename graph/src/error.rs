//! The graph crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in the store, the index, or reading RDF into them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The Oxigraph store failed.
    #[error("store: {0}")]
    Storage(#[from] oxigraph::store::StorageError),
    /// The store directory could not be opened (locked by another process, or not a store).
    #[error("could not open the store at {path}: {source}")]
    OpenStore {
        /// The store directory.
        path: PathBuf,
        /// What RocksDB said.
        source: oxigraph::store::StorageError,
    },
    /// The search index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// An RDF document could not be parsed; `location` is `line:column` when known.
    #[error("{source_name}:{location}: {message}")]
    Syntax {
        /// The file or URL being read.
        source_name: String,
        /// `line:column` (1-based) of the error, or `?` when the parser gave none.
        location: String,
        /// What the parser said.
        message: String,
    },
    /// Reading input failed.
    #[error("reading {source_name}: {source}")]
    Io {
        /// The file or URL being read.
        source_name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A string that should have been an absolute IRI was not.
    #[error("{what} {value:?} is not a valid absolute IRI: {message}")]
    InvalidIri {
        /// What the value was for (base IRI, graph name, ...).
        what: &'static str,
        /// The offending value.
        value: String,
        /// What the IRI parser said.
        message: String,
    },
    /// A streamed write was given a quad for a graph it did not find empty at its start.
    #[error("a streamed write cannot add to graph {graph}: it only writes the graphs it began with")]
    BulkOutsideGraphs {
        /// The quad's graph.
        graph: String,
    },
    /// A record was given to a bulk write that does not rebuild the index.
    #[error("a record's index document was given to a bulk write that does not rebuild the index")]
    NoIndexRebuild,
    /// A source id has characters that cannot appear in a graph IRI path segment.
    #[error("source id {0:?} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'")]
    InvalidSourceId(String),
    /// A SPARQL query or update did not parse: where and what was expected, readable
    /// ([`crate::sparql_syntax`]).
    #[error("SPARQL syntax error: {0}")]
    QuerySyntax(String),
    /// A SPARQL query failed while it ran (including timeouts and cancellation).
    #[error("SPARQL evaluation: {0}")]
    QueryEvaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    /// A SPARQL update failed while it ran; nothing of it was written.
    #[error("SPARQL update: {0}")]
    UpdateEvaluation(#[from] oxigraph::sparql::UpdateEvaluationError),
    /// The request asks for something civicgraph does not do (SPARQL `LOAD`).
    #[error("{0}")]
    Refused(String),

    /// SPARQL 1.1 Protocol 2.2.3: the protocol's dataset and the update's own `USING` may
    /// not both be given.
    #[error(
        "using-graph-uri/using-named-graph-uri cannot be combined with USING or USING NAMED in the update"
    )]
    UsingTwice,
    /// A query, update or search nests brackets deeper than the server parses.
    #[error("the {what} nests brackets deeper than {max} levels (line {line}, column {column})")]
    TooDeep {
        /// What was read: "query", "update", "search query".
        what: &'static str,
        /// The deepest nesting allowed.
        max: usize,
        /// 1-based line where the limit was passed.
        line: usize,
        /// 1-based column where the limit was passed.
        column: usize,
    },
    /// A query or update chains more operators than the server builds into one expression
    /// or pattern: each link is a level of the tree the parser builds, and a chain of
    /// millions (`1+1+1…`) overflowed the stack that walks and frees it.
    #[error(
        "the {what} chains more than {max} operators, path steps, groups and pattern keywords \
         (UNION, OPTIONAL, FILTER, …) (line {line}, column {column}); a long list of \
         alternatives is written with VALUES or IN"
    )]
    TooLong {
        /// What was read: "query", "update".
        what: &'static str,
        /// The most links allowed.
        max: usize,
        /// 1-based line where the limit was passed.
        line: usize,
        /// 1-based column where the limit was passed.
        column: usize,
    },
    /// A document sent as one graph (a Graph Store Protocol body) names another graph, as
    /// a JSON-LD document with a named `@graph` can.
    #[error(
        "{source_name}: the document puts triples in the graph {graph}; a graph store request carries one graph"
    )]
    NotOneGraph {
        /// The document.
        source_name: String,
        /// The other graph it names.
        graph: String,
    },
    /// A full-text query did not parse.
    #[error("search query {}: {message}", quoted_start(query))]
    SearchSyntax {
        /// The query text.
        query: String,
        /// What the query parser said.
        message: String,
    },
    /// A restore was asked into a store that already holds data.
    #[error(
        "the store already holds {quads} quads; restore into an empty data directory, or ask to replace its contents"
    )]
    NotEmpty {
        /// How many quads the store holds.
        quads: usize,
    },
    /// The patterns the index stored beside a record's document do not read back: the
    /// index is damaged; `reindex` rebuilds it.
    #[error("the search index's stored patterns of {record} do not read ({message}); run `reindex`")]
    StoredAssignments {
        /// The record's IRI.
        record: String,
        /// What the reader said.
        message: String,
    },
    /// A store write committed but the index could not follow; `open` or `reindex` repairs it.
    #[error(
        "the store committed write {sequence} but the index did not follow ({source}); run `reindex` or reopen to repair"
    )]
    IndexBehind {
        /// The committed write sequence.
        sequence: u64,
        /// Why the index failed.
        source: Box<GraphError>,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;

impl GraphError {
    /// Wraps an RDF parse error with the name of what was being read.
    pub(crate) fn from_parse(source_name: &str, error: oxigraph::io::RdfParseError) -> Self {
        match error {
            oxigraph::io::RdfParseError::Io(source) => Self::Io {
                source_name: source_name.to_owned(),
                source,
            },
            oxigraph::io::RdfParseError::Syntax(syntax) => {
                let location = syntax.location().map_or_else(
                    || "?".to_owned(),
                    |range| format!("{}:{}", range.start.line + 1, range.start.column + 1),
                );
                Self::Syntax {
                    source_name: source_name.to_owned(),
                    location,
                    message: syntax.to_string(),
                }
            }
        }
    }
}

/// The first 120 characters of a client's text, quoted, with "…" when cut: an error names
/// what it refused without sending a megabyte query or parameter back.
pub fn quoted_start(text: &str) -> String {
    let mut start: String = text.chars().take(120).collect();
    if start.len() < text.len() {
        start.push('…');
    }
    format!("{start:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_syntax_error_quotes_the_start_of_a_long_query() {
        let error = GraphError::SearchSyntax {
            query: format!("(air {}", "é".repeat(1 << 20)),
            message: "unbalanced".to_owned(),
        }
        .to_string();
        assert!(error.starts_with("search query \"(air éé"), "{}", &error[..40]);
        assert!(
            error.ends_with("…\": unbalanced"),
            "{}",
            &error[error.len() - 40..]
        );
        assert!(error.len() < 400);
    }
}
