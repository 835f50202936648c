//! The SPARQL 1.1 Service Description, answered on a GET of `/sparql` with no query: what
//! the endpoint speaks, which formats it returns, and the dataset a query sees by default.

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, Graph as RdfGraph, NamedNode, NamedNodeRef, NamedOrBlankNode, TripleRef};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";

fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}

/// Builds the description of the endpoint at `endpoint`.
pub fn describe(state: &AppState, endpoint: &str) -> Result<RdfGraph, ApiError> {
    let mut graph = RdfGraph::new();
    let service = BlankNode::default();
    let endpoint = NamedNode::new(endpoint)
        .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?;
    let mut add = |s: &NamedOrBlankNode, p: NamedNodeRef<'_>, o: oxigraph::model::TermRef<'_>| {
        graph.insert(TripleRef::new(s, p, o));
    };
    let service_node = NamedOrBlankNode::from(service);
    add(&service_node, rdf::TYPE, sd("Service").as_ref().into());
    add(&service_node, sd("endpoint").as_ref(), endpoint.as_ref().into());
    add(
        &service_node,
        sd("supportedLanguage").as_ref(),
        sd("SPARQL11Query").as_ref().into(),
    );
    if state.write_token.is_some() {
        add(
            &service_node,
            sd("supportedLanguage").as_ref(),
            sd("SPARQL11Update").as_ref().into(),
        );
    }
    for format in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
    ] {
        let iri = NamedNode::new_unchecked(format!("{FORMATS}{format}"));
        add(&service_node, sd("resultFormat").as_ref(), iri.as_ref().into());
    }
    if state.config.query.union_default_graph {
        add(
            &service_node,
            sd("feature").as_ref(),
            sd("UnionDefaultGraph").as_ref().into(),
        );
    }
    let dataset = NamedOrBlankNode::from(BlankNode::default());
    add(
        &service_node,
        sd("defaultDataset").as_ref(),
        dataset.as_ref().into(),
    );
    add(&dataset, rdf::TYPE, sd("Dataset").as_ref().into());
    let default_graph = NamedOrBlankNode::from(BlankNode::default());
    add(
        &dataset,
        sd("defaultGraph").as_ref(),
        default_graph.as_ref().into(),
    );
    add(&default_graph, rdf::TYPE, sd("Graph").as_ref().into());
    for name in state.graph.store().named_graphs() {
        let NamedOrBlankNode::NamedNode(name) = name.map_err(civicgraph_graph::GraphError::from)? else {
            continue;
        };
        let named = NamedOrBlankNode::from(BlankNode::default());
        add(&dataset, sd("namedGraph").as_ref(), named.as_ref().into());
        add(&named, rdf::TYPE, sd("NamedGraph").as_ref().into());
        add(&named, sd("name").as_ref(), name.as_ref().into());
    }
    Ok(graph)
}

/// Answers the description in the negotiated syntax.
pub fn respond(state: &AppState, headers: &HeaderMap) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let description = describe(state, &crate::request_base(&state.config, headers, "/sparql"))?;
    graph_response(&description, accept, RDF_FORMATS, &[("sd", SD)])
}
