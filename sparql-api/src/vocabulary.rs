//! The vocabulary, dereferenceable: `/ns` (the ontology) and `/{scheme}/` or
//! `/{scheme}/{concept}` for the SKOS schemes, negotiated between Turtle, JSON-LD, RDF/XML,
//! N-Triples and HTML. `https://w3id.org/civicgraph/...` redirects here.

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use oxigraph::model::{Graph as RdfGraph, NamedOrBlankNode};
use std::collections::BTreeMap;

/// Where the vocabulary's IRIs live.
const ROOT: &str = crate::html::VOCABULARY_ROOT;
/// The path segments of the concept schemes.
const SCHEMES: &[&str] = &[
    "pattern",
    "beneficiary",
    "enabler",
    "actor",
    "channel",
    "benefit",
    "action",
    "jrc",
    "model",
    "source",
];

/// GET `/ns`: the ontology.
pub async fn ontology(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    answer(state, headers, format!("{ROOT}ns"), true).await
}

/// GET `/{scheme}/`: a whole concept scheme.
pub async fn scheme(
    State(state): State<AppState>,
    Path(scheme): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    known_scheme(&scheme)?;
    answer(state, headers, format!("{ROOT}{scheme}/"), true).await
}

/// GET `/{scheme}/{concept}`: one concept.
pub async fn concept(
    State(state): State<AppState>,
    Path((scheme, concept)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    known_scheme(&scheme)?;
    answer(state, headers, format!("{ROOT}{scheme}/{concept}"), false).await
}

/// [`respond`] in a query slot, as every read of the store is: the vocabulary graph is
/// scanned whole for each page, which is not work for the runtime's few threads.
async fn answer(
    state: AppState,
    headers: HeaderMap,
    iri: String,
    prefix: bool,
) -> Result<Response, ApiError> {
    let work = state.work.clone();
    work.run(move |_| respond(&state, &headers, &iri, prefix)).await
}

fn known_scheme(scheme: &str) -> Result<(), ApiError> {
    if SCHEMES.contains(&scheme) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!(
            "there is no vocabulary at /{scheme}/"
        )))
    }
}

/// The vocabulary triples about `iri` (with `prefix`, about every IRI starting with it).
fn describe(state: &AppState, iri: &str, prefix: bool) -> Result<RdfGraph, ApiError> {
    let graph_name = state.graph.layout().vocab_graph();
    let mut graph = RdfGraph::new();
    for quad in state
        .graph
        .store()
        .quads_for_pattern(None, None, None, Some(graph_name.as_ref().into()))
    {
        let quad = quad.map_err(civicgraph_graph::GraphError::from)?;
        let subject = match &quad.subject {
            NamedOrBlankNode::NamedNode(node) => node.as_str(),
            NamedOrBlankNode::BlankNode(_) => continue,
        };
        let matches = if prefix {
            subject.starts_with(iri)
        } else {
            subject == iri
        };
        if matches {
            graph.insert(&oxigraph::model::Triple::from(quad));
        }
    }
    if graph.is_empty() {
        return Err(ApiError::NotFound(format!(
            "<{iri}> is not defined by the civicgraph vocabulary"
        )));
    }
    Ok(graph)
}

fn respond(state: &AppState, headers: &HeaderMap, iri: &str, prefix: bool) -> Result<Response, ApiError> {
    let graph = describe(state, iri, prefix)?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let mut offers: Vec<(&str, Option<oxigraph::io::RdfFormat>)> =
        RDF_FORMATS.iter().map(|(m, f)| (*m, Some(*f))).collect();
    offers.insert(1, ("text/html", None));
    let choice = crate::negotiate::negotiate(accept, &offers).ok_or_else(|| {
        ApiError::NotAcceptable(
            "the vocabulary is offered as Turtle, HTML, JSON-LD, RDF/XML or N-Triples".into(),
        )
    })?;
    let mut response = match choice {
        Some(format) => graph_response(&graph, accept, &[(format.media_type(), format)], &[])?,
        None => {
            let mut page = Html(html(iri, &graph)).into_response();
            // The page is static markup: no script, style, frame or form may run from it,
            // whatever a term's text holds.
            page.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                ),
            );
            page
        }
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// A plain page: one section per term, its properties in a table.
fn html(iri: &str, graph: &RdfGraph) -> String {
    let mut subjects: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for triple in graph {
        subjects
            .entry(triple.subject.to_string().trim_matches(['<', '>']).to_owned())
            .or_default()
            .push((
                triple.predicate.as_str().to_owned(),
                crate::html::term(&triple.object.into_owned()),
            ));
    }
    let mut body = String::new();
    for (subject, mut properties) in subjects {
        properties.sort();
        body.push_str(&format!(
            "<section id=\"{0}\"><h2>{0}</h2><table>",
            crate::html::escape(&subject)
        ));
        for (predicate, object) in properties {
            body.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{object}</td></tr>",
                crate::html::escape(&predicate)
            ));
        }
        body.push_str("</table></section>");
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{0}</title></head><body><main><h1>{0}</h1>{body}</main></body></html>",
        crate::html::escape(iri)
    )
}
