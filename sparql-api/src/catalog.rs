//! `GET /catalog`: the merged catalogue as DCAT-AP 3, paged with hydra, in the RDF syntax
//! the client asks for. This is what another hub harvests (as a `dcat` source).
//!
//! Each page is one `dcat:Catalog` (`{base}catalog`, with a title, description and
//! publisher) listing up to `page_size` datasets (ordered by IRI, from every source graph),
//! each with its own triples and those of the nodes it points at that its graph describes
//! (distributions, contact points, periods, publishers, places), and a
//! `hydra:PartialCollectionView` with `first`, `last`, `previous`, `next` and
//! `totalItems`. IRI values that DCAT-AP's ranges imply a class for but that the data left
//! untyped (a licence IRI, a theme concept) are typed (see
//! [`civicgraph_ingest::validate::implied_types`]), so every page is self-contained and
//! passes the SEMIC shapes on its own when the records do.

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use crate::work::Running;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use civicgraph_graph::{GraphError, Labels, QueryOptions};
use civicgraph_ingest::validate::{Shapes, implied_types};
use civicgraph_vocab::ext::{dcat, dct, foaf, hydra, skos};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::QueryResults;
use std::collections::HashSet;

/// Datasets per page unless the client asks for another size.
const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page a client may ask for.
const MAX_PAGE_SIZE: usize = 1000;

/// Query parameters of `/catalog`.
#[derive(Debug, serde::Deserialize)]
pub struct CatalogParams {
    /// 1-based page number.
    page: Option<usize>,
    /// Datasets per page, at most 1000.
    page_size: Option<usize>,
}

/// The deepest a `/catalog` page may start.
const MAX_OFFSET: usize = 1_000_000_000;

/// GET `/catalog`.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CatalogParams>,
) -> Result<Response, ApiError> {
    let page = params.page.unwrap_or(1);
    let size = params.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if page == 0 || size == 0 || size > MAX_PAGE_SIZE {
        return Err(ApiError::BadRequest(format!(
            "page starts at 1 and page_size is between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    // Found by fuzzing: page 11111111111111111111 overflowed the offset and aborted the
    // request. No catalogue has a billion datasets.
    if (page - 1)
        .checked_mul(size)
        .is_none_or(|offset| offset > MAX_OFFSET)
    {
        return Err(ApiError::BadRequest(format!(
            "page {page} of {size} datasets is past any catalogue's end (offset at most {MAX_OFFSET})"
        )));
    }
    let origin = crate::request_origin(&state.config, &headers);
    let accept = crate::negotiate::accept(&headers);
    let work = state.work.clone();
    work.run(move |running| {
        let triples = page_triples(&state, running, &origin, page, size)?;
        let graph: oxigraph::model::Graph = triples.into_iter().collect();
        graph_response(
            &graph,
            accept.as_deref(),
            RDF_FORMATS,
            &[
                ("dcat", dcat::NAMESPACE),
                ("dct", dct::NAMESPACE),
                ("foaf", foaf::NAMESPACE),
                ("hydra", hydra::NAMESPACE),
                ("vcard", "http://www.w3.org/2006/vcard/ns#"),
            ],
        )
    })
    .await
}

/// The IRIs of the datasets in the source graphs: the total, and one page of them.
fn datasets(
    state: &AppState,
    running: &Running,
    page: usize,
    size: usize,
) -> Result<(u64, Vec<NamedNode>), ApiError> {
    let sources = format!("{}graph/source/", state.graph.layout().base());
    let pattern = format!(
        "GRAPH ?g {{ ?d a <{}> }} FILTER(isIRI(?d) && STRSTARTS(STR(?g), {sources:?}))",
        dcat::DATASET.as_str()
    );
    let options = QueryOptions {
        union_default_graph: false,
        cancellation: Some(running.token().clone()),
        ..QueryOptions::default()
    };
    let count = format!("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ {pattern} }}");
    let mut total = 0;
    if let QueryResults::Solutions(mut solutions) = state.graph.query(&count, &options)?
        && let Some(solution) = solutions.next()
        && let Some(Term::Literal(n)) = solution.map_err(GraphError::from)?.get("n")
    {
        total = n.value().parse().unwrap_or(0);
    }
    let list = format!(
        "SELECT DISTINCT ?d WHERE {{ {pattern} }} ORDER BY STR(?d) LIMIT {size} OFFSET {}",
        (page - 1) * size
    );
    let mut iris = Vec::new();
    if let QueryResults::Solutions(solutions) = state.graph.query(&list, &options)? {
        for solution in solutions {
            if let Some(Term::NamedNode(d)) = solution.map_err(GraphError::from)?.get("d") {
                iris.push(d.clone());
            }
        }
    }
    Ok((total, iris))
}

fn page_triples(
    state: &AppState,
    running: &Running,
    origin: &str,
    page: usize,
    size: usize,
) -> Result<Vec<Triple>, ApiError> {
    let (total, page_datasets) = datasets(state, running, page, size)?;
    let last = (total as usize).div_ceil(size).max(1);
    if page > last {
        return Err(ApiError::NotFound(format!(
            "page {page} of the catalogue does not exist; it has {last}"
        )));
    }
    let layout = state.graph.layout();
    let catalogue: NamedOrBlankNode = NamedNode::new_unchecked(format!("{}catalog", layout.base())).into();
    let publisher = NamedNode::new_unchecked(format!("{}catalog/publisher", layout.base()));
    let text = |s: &str| Literal::new_language_tagged_literal_unchecked(s, "en");
    let mut out = vec![
        Triple::new(catalogue.clone(), rdf::TYPE, dcat::CATALOG),
        Triple::new(catalogue.clone(), dct::TITLE, text("civicgraph merged catalogue")),
        Triple::new(
            catalogue.clone(),
            dct::DESCRIPTION,
            text(
                "Every dataset civicgraph holds, from all its harvested catalogues and case-study sources, republished as DCAT-AP 3.",
            ),
        ),
        Triple::new(catalogue.clone(), dct::PUBLISHER, publisher.clone()),
        Triple::new(publisher.clone(), rdf::TYPE, foaf::AGENT),
        Triple::new(publisher, foaf::NAME, text("civicgraph")),
    ];
    let datasets: HashSet<&NamedNode> = page_datasets.iter().collect();
    let store = state.graph.store();
    let source_prefix = format!("{}graph/source/", layout.base());
    for d in &page_datasets {
        out.push(Triple::new(catalogue.clone(), dcat::DATASET_PROPERTY, d.clone()));
        // The dataset's triples, and the nodes it points at that the same graph describes,
        // two levels down (dataset → distribution → checksum).
        let mut frontier = vec![(NamedOrBlankNode::from(d.clone()), 0)];
        let mut seen: HashSet<NamedOrBlankNode> = HashSet::new();
        while let Some((subject, depth)) = frontier.pop() {
            if !seen.insert(subject.clone()) {
                continue;
            }
            for quad in store.quads_for_pattern(Some(subject.as_ref()), None, None, None) {
                let quad = quad.map_err(GraphError::from)?;
                let in_source = matches!(quad.graph_name.as_ref(), GraphNameRef::NamedNode(g) if g.as_str().starts_with(&source_prefix));
                if !in_source {
                    continue;
                }
                if depth < 2 && quad.predicate != rdf::TYPE {
                    match &quad.object {
                        Term::NamedNode(object) if !datasets.contains(object) => {
                            frontier.push((object.clone().into(), depth + 1));
                        }
                        Term::BlankNode(object) => frontier.push((object.clone().into(), depth + 1)),
                        _ => {}
                    }
                }
                out.push(Triple::new(quad.subject, quad.predicate, quad.object));
            }
        }
    }
    let view: NamedOrBlankNode = NamedNode::new(format!("{origin}/catalog?page={page}&page_size={size}"))
        .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?
        .into();
    let page_iri = |n: usize| NamedNode::new_unchecked(format!("{origin}/catalog?page={n}&page_size={size}"));
    out.push(Triple::new(catalogue, hydra::VIEW, view.clone()));
    out.push(Triple::new(
        view.clone(),
        rdf::TYPE,
        hydra::PARTIAL_COLLECTION_VIEW,
    ));
    out.push(Triple::new(view.clone(), hydra::FIRST, page_iri(1)));
    out.push(Triple::new(view.clone(), hydra::LAST, page_iri(last)));
    if page > 1 {
        out.push(Triple::new(view.clone(), hydra::PREVIOUS, page_iri(page - 1)));
    }
    if page < last {
        out.push(Triple::new(view.clone(), hydra::NEXT, page_iri(page + 1)));
    }
    out.push(Triple::new(
        view,
        hydra::TOTAL_ITEMS,
        Literal::new_typed_literal(total.to_string(), xsd::INTEGER),
    ));
    let implied = implied_types(Shapes::dcat_ap_3(), &out);
    out.extend(implied);
    label_concepts(&state.graph.labels(), &mut out)?;
    Ok(out)
}

/// DCAT-AP requires a `skos:prefLabel` on every concept: a concept the page leaves
/// unlabelled gets its label ([`Labels`]: the EU authority tables' English label, or the
/// store's), else the last segment of its IRI.
fn label_concepts(labels: &Labels<'_>, triples: &mut Vec<Triple>) -> Result<(), ApiError> {
    let labelled: HashSet<NamedOrBlankNode> = triples
        .iter()
        .filter(|t| t.predicate == skos::PREF_LABEL)
        .map(|t| t.subject.clone())
        .collect();
    let unlabelled: Vec<NamedNode> = triples
        .iter()
        .filter(|t| {
            t.predicate == rdf::TYPE && t.object == skos::CONCEPT.into() && !labelled.contains(&t.subject)
        })
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    for concept in unlabelled {
        let Some(label) = labels.label_or_local_name(concept.as_ref().into())? else {
            continue;
        };
        triples.push(Triple::new(
            concept,
            skos::PREF_LABEL,
            Literal::new_language_tagged_literal_unchecked(label, "en"),
        ));
    }
    Ok(())
}
