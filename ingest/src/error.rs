//! The ingest crate's error type.
//!
//! Every variant names what failed and where: the source, the document (file or URL) and,
//! when the parser knows it, the line and column, so an intermediary can find the fault in
//! a catalogue they do not control.

use std::fmt;

/// A position in a document: 1-based line and column, as editors show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// `" at line L, column C"`, or nothing when the position is unknown.
pub(crate) fn at(position: &Option<Position>) -> String {
    position.map(|p| format!(" at {p}")).unwrap_or_default()
}

/// What can go wrong turning a source into quads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The RDF syntax of a document could not be told, or was named wrongly.
    #[error("{source_name}: {message}")]
    UnknownSyntax {
        /// The file, URL or format name in question.
        source_name: String,
        /// What was tried.
        message: String,
    },
    /// A document is not well-formed in its syntax (RDF, JSON or CSV).
    #[error("{document}: {message}{}", at(position))]
    Syntax {
        /// The file or URL.
        document: String,
        /// Where in it, when known.
        position: Option<Position>,
        /// The parser's message.
        message: String,
    },
    /// A document is well-formed but not what the source kind expects (a CKAN response
    /// without `result`, a `data.json` without `dataset`, ...).
    #[error("{document}: {message}")]
    Shape {
        /// The file or URL.
        document: String,
        /// What was expected and what was found.
        message: String,
    },
    /// A document could not be read from disk.
    #[error("{document}: {source}")]
    Io {
        /// The file.
        document: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An HTTP request failed after its retries, or answered with an error status.
    #[error("{url}: {message}")]
    Http {
        /// The URL requested.
        url: String,
        /// What happened.
        message: String,
    },
    /// A JSON-LD document names a remote `@context` that is neither bundled nor fetched
    /// yet: a harvest fetches it when its host is one its source names (see
    /// [`crate::sources::dcat`]), and otherwise this is the error.
    #[error(
        "{document}: the remote JSON-LD context {url} is not bundled with civicgraph, and a harvest \
         fetches a context only from a host its source names; add the context's host to the \
         source's allow_hosts, inline the context, or convert the document to Turtle"
    )]
    RemoteContext {
        /// The file or URL naming it.
        document: String,
        /// The context's URL.
        url: String,
    },
    /// A response or file was larger than the configured limit.
    #[error("{document}: larger than the limit of {limit} bytes")]
    TooLarge {
        /// The file or URL.
        document: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The harvest configuration is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The store refused a write or a read.
    #[error(transparent)]
    Graph(#[from] civicgraph_graph::GraphError),
    /// The tagger's sentence encoder could not be loaded or run: the model file is missing
    /// or not the one set-up checked, or a tuning file is broken (the bundled one, or a
    /// cross-validation fold's that `eval-tagger` reads).
    #[error("the sentence encoder: {0}")]
    Embedding(#[from] civicgraph_embed::EmbedError),
}

impl IngestError {
    /// A syntax error in `document` at an optional position.
    pub(crate) fn syntax(document: &str, position: Option<Position>, message: impl Into<String>) -> Self {
        Self::Syntax {
            document: document.to_owned(),
            position,
            message: message.into(),
        }
    }

    /// A shape error in `document`.
    pub(crate) fn shape(document: &str, message: impl Into<String>) -> Self {
        Self::Shape {
            document: document.to_owned(),
            message: message.into(),
        }
    }
}

impl From<oxigraph::store::StorageError> for IngestError {
    fn from(error: oxigraph::store::StorageError) -> Self {
        Self::Graph(civicgraph_graph::GraphError::from(error))
    }
}

/// Results of this crate.
pub type Result<T, E = IngestError> = std::result::Result<T, E>;
