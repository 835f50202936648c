//! `/.well-known/void`: a VoID description of what the store holds, one `void:Dataset` per
//! named graph (each source, and the vocabulary, tags and links graphs) with its triples,
//! entities (distinct subjects) and classes, so harvesters can size the graph before they
//! query it.

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use crate::work::Running;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicgraph_graph::QueryOptions;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Graph as RdfGraph, Literal, NamedNode, Term, TripleRef};
use oxigraph::sparql::QueryResults;
use std::collections::BTreeMap;

const VOID: &str = "http://rdfs.org/ns/void#";

fn void(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{VOID}{local}"))
}

/// Counts per named graph: (triples, entities, classes).
fn counts(state: &AppState, running: &Running) -> Result<BTreeMap<NamedNode, [u64; 3]>, ApiError> {
    let options = QueryOptions {
        cancellation: Some(running.token().clone()),
        union_default_graph: false,
        ..QueryOptions::default()
    };
    let mut counts: BTreeMap<NamedNode, [u64; 3]> = BTreeMap::new();
    for (column, sparql) in [
        (
            0,
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ),
        (
            1,
            "SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ),
        (
            2,
            "SELECT ?g (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g",
        ),
    ] {
        let QueryResults::Solutions(solutions) = state.graph.query(sparql, &options)? else {
            continue;
        };
        for solution in solutions {
            let solution = solution.map_err(civicgraph_graph::GraphError::from)?;
            if let (Some(Term::NamedNode(graph)), Some(Term::Literal(n))) =
                (solution.get("g"), solution.get("n"))
            {
                counts.entry(graph.clone()).or_default()[column] = n.value().parse().unwrap_or(0);
            }
        }
    }
    Ok(counts)
}

/// GET `/.well-known/void`.
pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let origin = crate::request_origin(&state.config, &headers);
    let accept = crate::negotiate::accept(&headers);
    let work = state.work.clone();
    work.run(move |running| {
        let root = NamedNode::new(format!("{origin}/.well-known/void#civicgraph"))
            .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?;
        let endpoint = NamedNode::new_unchecked(format!("{origin}/sparql"));
        let system = state.graph.layout().system_graph();
        let mut description = RdfGraph::new();
        description.insert(TripleRef::new(&root, rdf::TYPE, &void("Dataset")));
        description.insert(TripleRef::new(&root, &void("sparqlEndpoint"), &endpoint));
        for (graph, [triples, entities, classes]) in counts(&state, running)? {
            if graph == system {
                continue;
            }
            description.insert(TripleRef::new(&root, &void("subset"), &graph));
            description.insert(TripleRef::new(&graph, rdf::TYPE, &void("Dataset")));
            description.insert(TripleRef::new(&graph, &void("sparqlEndpoint"), &endpoint));
            for (property, value) in [("triples", triples), ("entities", entities), ("classes", classes)] {
                let literal = Literal::new_typed_literal(value.to_string(), xsd::INTEGER);
                description.insert(TripleRef::new(&graph, &void(property), &literal));
            }
        }
        graph_response(&description, accept.as_deref(), RDF_FORMATS, &[("void", VOID)])
    })
    .await
}
