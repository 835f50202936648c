//! `/.well-known/void`: a VoID description of what the store holds, one `void:Dataset` per
//! named graph (each source, and the vocabulary, tags and links graphs) with its triples,
//! entities (distinct subjects) and classes, so harvesters can size the graph before they
//! query it.

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Graph as RdfGraph, Literal, NamedNode, TripleRef};

const VOID: &str = "http://rdfs.org/ns/void#";

fn void(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{VOID}{local}"))
}

/// GET `/.well-known/void`.
pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let origin = crate::request_origin(&state.config, &headers);
    let accept = crate::negotiate::accept(&headers);
    let work = state.work.clone();
    work.run(move |_| {
        let root = NamedNode::new(format!("{origin}/.well-known/void#civicgraph"))
            .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?;
        let endpoint = NamedNode::new_unchecked(format!("{origin}/sparql"));
        let mut description = RdfGraph::new();
        description.insert(TripleRef::new(&root, rdf::TYPE, &void("Dataset")));
        description.insert(TripleRef::new(&root, &void("sparqlEndpoint"), &endpoint));
        // Kept between writes (`Graph::graph_counts`): a request does not count the store.
        for (graph, counts) in state.graph.graph_counts()? {
            description.insert(TripleRef::new(&root, &void("subset"), &graph));
            description.insert(TripleRef::new(&graph, rdf::TYPE, &void("Dataset")));
            description.insert(TripleRef::new(&graph, &void("sparqlEndpoint"), &endpoint));
            for (property, value) in [
                ("triples", counts.triples),
                ("entities", counts.entities),
                ("classes", counts.classes),
            ] {
                let literal = Literal::new_typed_literal(value.to_string(), xsd::INTEGER);
                description.insert(TripleRef::new(&graph, &void(property), &literal));
            }
        }
        graph_response(&description, accept.as_deref(), RDF_FORMATS, &[("void", VOID)])
    })
    .await
}
