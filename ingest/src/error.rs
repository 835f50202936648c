//! The ingest crate's error type.

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
}
