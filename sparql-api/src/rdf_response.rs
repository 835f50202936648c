//! Answering with RDF in the syntax the client negotiated: shared by every resource that
//! returns a graph (query results, the graph store, descriptions, the vocabulary).

use crate::error::ApiError;
use crate::negotiate::negotiate;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{Graph as RdfGraph, Triple, TripleRef};

/// Graph syntaxes, the server's preference (and the no-Accept default) first. The dataset
/// syntaxes are offered too: a graph is a dataset with only a default graph.
pub const RDF_FORMATS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
    (
        "application/ld+json",
        RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    ),
    ("application/n-quads", RdfFormat::NQuads),
    ("application/trig", RdfFormat::TriG),
    ("text/plain", RdfFormat::NTriples),
];

/// The offered syntax `accept` prefers; 406 when none is acceptable.
pub fn choose_format(accept: Option<&str>, offers: &[(&str, RdfFormat)]) -> Result<RdfFormat, ApiError> {
    negotiate(accept, offers).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "this resource is offered as {}",
            offers.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// The `Content-Type` value for a syntax.
pub fn content_type(format: RdfFormat) -> String {
    format!("{}; charset=utf-8", format.media_type())
}

/// Serializes triples with the civicgraph prefixes and `extra_prefixes`.
pub fn serialize_triples<E>(
    format: RdfFormat,
    triples: impl IntoIterator<Item = Result<Triple, E>>,
    extra_prefixes: &[(&str, &str)],
) -> Result<Vec<u8>, ApiError>
where
    ApiError: From<E>,
{
    serialize_triples_to(format, triples, extra_prefixes, Vec::new())
}

/// [`serialize_triples`] into any writer (a streamed response body, for one).
pub fn serialize_triples_to<E, W: std::io::Write>(
    format: RdfFormat,
    triples: impl IntoIterator<Item = Result<Triple, E>>,
    extra_prefixes: &[(&str, &str)],
    writer: W,
) -> Result<W, ApiError>
where
    ApiError: From<E>,
{
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in civicgraph_vocab::PREFIXES.iter().chain(extra_prefixes) {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let io = |e: std::io::Error| ApiError::Internal(format!("serializing: {e}"));
    let mut serializer = serializer.for_writer(writer);
    for triple in triples {
        serializer
            .serialize_triple(TripleRef::from(&triple?))
            .map_err(io)?;
    }
    serializer.finish().map_err(io)
}

/// Answers `graph` in the syntax `accept` prefers among `offers`.
pub fn graph_response(
    graph: &RdfGraph,
    accept: Option<&str>,
    offers: &[(&str, RdfFormat)],
    extra_prefixes: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let format = choose_format(accept, offers)?;
    let body = serialize_triples(
        format,
        graph.iter().map(|t| Ok::<_, ApiError>(t.into_owned())),
        extra_prefixes,
    )?;
    let mut response = Body::from(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type(format)).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}
