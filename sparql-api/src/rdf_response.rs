//! Answering with an RDF graph in the syntax the client negotiated: shared by every
//! resource that returns RDF.

use crate::error::ApiError;
use crate::negotiate::negotiate;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::Graph as RdfGraph;

/// Graph syntaxes, the server's preference (and the no-Accept default) first.
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
    ("text/plain", RdfFormat::NTriples),
];

/// Serializes `graph` in the format `accept` prefers among `offers`, with the civicgraph
/// prefixes and `extra_prefixes`; 406 when nothing offered is acceptable.
pub fn graph_response(
    graph: &RdfGraph,
    accept: Option<&str>,
    offers: &[(&str, RdfFormat)],
    extra_prefixes: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let format = negotiate(accept, offers).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "this resource is offered as {}",
            offers.iter().map(|(m, _)| *m).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in civicgraph_vocab::PREFIXES.iter().chain(extra_prefixes) {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let io = |e: std::io::Error| ApiError::Internal(format!("serializing: {e}"));
    let mut serializer = serializer.for_writer(Vec::new());
    for triple in graph {
        serializer.serialize_triple(triple).map_err(io)?;
    }
    let body = serializer.finish().map_err(io)?;
    let mut response = Body::from(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("{}; charset=utf-8", format.media_type()))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}
