//! `GET /catalog`: the merged catalogue as DCAT-AP 3, paged with hydra, in the RDF syntax
//! the client asks for. This is what another hub harvests (as a `dcat` source).
//!
//! Each page is one `dcat:Catalog` (`{base}catalog`, with a title, description,
//! publisher, and its SPARQL endpoint as a `dcat:DataService`, which a hub harvesting it
//! may federate) listing up to `page_size` records of the source graphs: datasets
//! (`dcat:dataset`) and case studies (`dcat:resource`), each with its own triples and those
//! of the nodes it points at that its graph describes (distributions, contact points,
//! periods, publishers, places), and a `dcat:CatalogRecord` naming where it came from
//! (below). The ODI patterns a source stated (`cg:usePattern`, curated) travel with the
//! record's triples; inferred ones are not republished as if a source had stated them
//! (a harvester reads `cg:usePattern` as curated): a hub infers its own, and the `pattern`
//! filter still selects by them. A `hydra:PartialCollectionView`
//! gives `first`, `last`, `previous`, `next` and `totalItems`. IRI values that DCAT-AP's
//! ranges imply a class for but that the data left untyped (a licence IRI, a theme concept)
//! are typed (see [`civicgraph_ingest::shacl::implied_types`]), so every page is
//! self-contained and passes the SEMIC shapes on its own when the records do.
//!
//! **Filters**: `source` (a source id), `region` (as the region facet names it), `pattern`
//! (`planning`, `P2` or the IRI), `modified_since` (a date or date-time; a record's
//! `dct:modified`, else its date). Each may be repeated; values of one filter are
//! alternatives, different filters all apply. Page links keep the filters.
//!
//! **Paging** reads the search index in record-key order, so a page costs its own records
//! whatever the catalogue's size, down to the same depth as CKAN's `package_search`.
//!
//! **Origin**: each record's `dcat:CatalogRecord` (`{base}catalog/record/{key}`) has
//! `foaf:primaryTopic` the record, `prov:wasDerivedFrom` the harvested record (the record's
//! own IRI when its publisher gave one, else the document the source was read from),
//! `prov:wasGeneratedBy` the harvest run that stored it and `dct:modified` when that run
//! ended (for a source loaded without a harvest run: the record's own date).

use crate::AppState;
use crate::error::ApiError;
use crate::rdf_response::{RDF_FORMATS, graph_response};
use crate::work::Running;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use civicgraph_graph::{
    GraphError, Labels, MAX_HARVEST_WINDOW, QueryOptions, SearchFilter, SearchRequest, SearchSort,
    quoted_start,
};
use civicgraph_ingest::shacl::{Shapes, implied_types};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{dcat, dct, foaf, hydra, prov, skos};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::QueryResults;
use std::collections::{BTreeMap, HashSet};

/// Datasets per page unless the client asks for another size.
const DEFAULT_PAGE_SIZE: usize = 100;
/// The largest page a client may ask for.
const MAX_PAGE_SIZE: usize = 1000;

/// What a `/catalog` request asks for.
#[derive(Debug, Default, Clone)]
struct CatalogRequest {
    /// 1-based page number.
    page: usize,
    /// Records per page.
    size: usize,
    sources: Vec<String>,
    regions: Vec<String>,
    patterns: Vec<String>,
    modified_since: Vec<String>,
}

impl CatalogRequest {
    fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut request = Self {
            page: 1,
            size: DEFAULT_PAGE_SIZE,
            ..Self::default()
        };
        let number = |key: &str, value: &str| {
            value.parse::<usize>().map_err(|_| {
                ApiError::BadRequest(format!("{key}: {} is not a whole number", quoted_start(value)))
            })
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "page" => request.page = number("page", &value)?,
                "page_size" => request.size = number("page_size", &value)?,
                "source" => request.sources.push(value),
                "region" => request.regions.push(value),
                "pattern" => request.patterns.push(value),
                "modified_since" => request.modified_since.push(value),
                // Harvesters add their own parameters; they ask for nothing here.
                _ => {}
            }
        }
        if request.page == 0 || request.size == 0 || request.size > MAX_PAGE_SIZE {
            return Err(ApiError::BadRequest(format!(
                "page starts at 1 and page_size is between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        // Found by fuzzing: page 11111111111111111111 overflowed the offset and aborted the
        // request.
        if (request.page - 1)
            .checked_mul(request.size)
            .and_then(|offset| offset.checked_add(request.size))
            .is_none_or(|end| end > MAX_HARVEST_WINDOW)
        {
            return Err(ApiError::BadRequest(format!(
                "page {} of {} records is past the deepest page this server gives ({MAX_HARVEST_WINDOW} records)",
                request.page, request.size
            )));
        }
        Ok(request)
    }

    /// The query string of page `page` with the same filters.
    fn link(&self, page: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("page", &page.to_string());
        query.append_pair("page_size", &self.size.to_string());
        for (key, values) in [
            ("source", &self.sources),
            ("region", &self.regions),
            ("pattern", &self.patterns),
            ("modified_since", &self.modified_since),
        ] {
            for value in values {
                query.append_pair(key, value);
            }
        }
        query.finish()
    }

    /// The search that lists the page's records.
    fn search(&self, state: &AppState) -> Result<SearchRequest, ApiError> {
        let layout = state.graph.layout();
        let graphs = if self.sources.is_empty() {
            source_graphs(state)?
        } else {
            self.sources
                .iter()
                .map(|id| {
                    layout
                        .source_graph(id)
                        .map(|g| g.as_str().to_owned())
                        .map_err(|e| ApiError::BadRequest(format!("source: {e}")))
                })
                .collect::<Result<_, _>>()?
        };
        let patterns = self
            .patterns
            .iter()
            .map(|p| crate::api::search::parse_pattern(p).map_err(ApiError::BadRequest))
            .collect::<Result<_, _>>()?;
        let modified_from = self
            .modified_since
            .iter()
            .map(|since| {
                civicgraph_graph::parse_date(since).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "modified_since: {since:?} is not a date (2024-01-31) or date-time"
                    ))
                })
            })
            .collect::<Result<Vec<i64>, _>>()?
            .into_iter()
            .min();
        Ok(SearchRequest {
            text: String::new(),
            filter: SearchFilter {
                kinds: vec!["dataset".to_owned(), "case-study".to_owned()],
                graphs,
                regions: self.regions.clone(),
                patterns,
                modified_from,
                ..SearchFilter::default()
            },
            sort: SearchSort::Key,
            offset: (self.page - 1) * self.size,
            limit: self.size,
            facets: false,
            facet_size: 0,
        })
    }
}

/// The graphs of the configured sources, where the catalogue's records live (not those
/// clients created through the graph store).
fn source_graphs(state: &AppState) -> Result<Vec<String>, ApiError> {
    let layout = state.graph.layout();
    let mut graphs = Vec::new();
    for graph in state.graph.store().named_graphs() {
        if let NamedOrBlankNode::NamedNode(graph) = graph.map_err(GraphError::from)?
            && layout.source_id(graph.as_str()).is_some()
        {
            graphs.push(graph.into_string());
        }
    }
    Ok(graphs)
}

/// GET `/catalog`.
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = CatalogRequest::parse(raw.as_deref())?;
    let origin = crate::request_origin(&state.config, &headers);
    let accept = crate::negotiate::accept(&headers);
    let work = state.work.clone();
    work.run(move |running| {
        let triples = page_triples(&state, running, &origin, &request)?;
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
                ("prov", prov::NAMESPACE),
                ("cg", cg::NAMESPACE),
                ("vcard", "http://www.w3.org/2006/vcard/ns#"),
            ],
        )
    })
    .await
}

/// The last successful harvest run of each source: the run, when it ended, and what it read.
struct Run {
    iri: NamedNode,
    ended: Literal,
    used: Option<NamedNode>,
}

fn last_runs(
    state: &AppState,
    options: &QueryOptions,
    sources: &HashSet<String>,
) -> Result<BTreeMap<String, Run>, ApiError> {
    let mut runs = BTreeMap::new();
    if sources.is_empty() {
        return Ok(runs);
    }
    // Each id as a SPARQL literal (Rust's `{:?}` writes escapes SPARQL does not read).
    let values: Vec<String> = sources
        .iter()
        .map(|s| Literal::new_simple_literal(s).to_string())
        .collect();
    let query = format!(
        "SELECT ?source ?run ?ended ?used WHERE {{ GRAPH <{harvest}> {{
           VALUES ?source {{ {values} }}
           ?run <{source_id}> ?source ; <{status}> \"succeeded\" ; <{ended_at}> ?ended .
           OPTIONAL {{ ?run <{used}> ?used }} }} }} ORDER BY ?source DESC(?ended)",
        harvest = state.graph.layout().harvest_graph().as_str(),
        values = values.join(" "),
        source_id = cg::SOURCE_ID.as_str(),
        status = cg::STATUS.as_str(),
        ended_at = prov::ENDED_AT_TIME.as_str(),
        used = prov::USED.as_str(),
    );
    if let QueryResults::Solutions(solutions) = state.graph.query(&query, options)? {
        for solution in solutions {
            let solution = solution.map_err(GraphError::from)?;
            let (Some(Term::Literal(source)), Some(Term::NamedNode(run)), Some(Term::Literal(ended))) =
                (solution.get("source"), solution.get("run"), solution.get("ended"))
            else {
                continue;
            };
            // The location is a URL, or a file path (no IRI to point at).
            let used = match solution.get("used") {
                Some(Term::Literal(used)) => NamedNode::new(used.value())
                    .ok()
                    .filter(|u| u.as_str().starts_with("http")),
                _ => None,
            };
            runs.entry(source.value().to_owned()).or_insert(Run {
                iri: run.clone(),
                ended: ended.clone(),
                used,
            });
        }
    }
    Ok(runs)
}

fn page_triples(
    state: &AppState,
    running: &Running,
    origin: &str,
    request: &CatalogRequest,
) -> Result<Vec<Triple>, ApiError> {
    let search = request.search(state)?;
    let listed = state.graph.search_page(&search)?;
    let (page, size) = (request.page, request.size);
    let last = listed.total.div_ceil(size).max(1);
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
                "Every dataset and case study civicgraph holds, from all its harvested catalogues and case-study sources, republished as DCAT-AP 3 with their ODI patterns.",
            ),
        ),
        Triple::new(catalogue.clone(), dct::PUBLISHER, publisher.clone()),
        Triple::new(publisher.clone(), rdf::TYPE, foaf::AGENT),
        Triple::new(publisher, foaf::NAME, text("civicgraph")),
    ];
    // The SPARQL endpoint, as a data service: what a hub that harvests this catalogue may
    // federate (`[federation] from_catalogues`).
    let endpoint = NamedNode::new(format!("{origin}/sparql"))
        .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?;
    out.extend([
        Triple::new(catalogue.clone(), dcat::SERVICE, endpoint.clone()),
        Triple::new(endpoint.clone(), rdf::TYPE, dcat::DATA_SERVICE),
        Triple::new(endpoint.clone(), dct::TITLE, text("civicgraph SPARQL endpoint")),
        Triple::new(endpoint.clone(), dcat::ENDPOINT_URL, endpoint.clone()),
        // GET /sparql with no query answers the SPARQL Service Description.
        Triple::new(endpoint.clone(), dcat::ENDPOINT_DESCRIPTION, endpoint.clone()),
        Triple::new(
            endpoint,
            dct::CONFORMS_TO,
            NamedNode::new_unchecked("https://www.w3.org/TR/sparql11-protocol/"),
        ),
    ]);
    let records: Vec<(NamedNode, bool)> = listed
        .hits
        .iter()
        .filter_map(|hit| {
            NamedNode::new(&hit.iri)
                .ok()
                .map(|iri| (iri, hit.kind == "dataset"))
        })
        .collect();
    let listed_iris: HashSet<&NamedNode> = records.iter().map(|(iri, _)| iri).collect();
    let store = state.graph.store();
    let options = QueryOptions {
        union_default_graph: false,
        cancellation: Some(running.token().clone()),
        ..QueryOptions::default()
    };
    let mut record_sources: Vec<Option<String>> = Vec::with_capacity(records.len());
    let mut own_dates: Vec<Option<Literal>> = Vec::with_capacity(records.len());
    for (d, is_dataset) in &records {
        if running.is_stopped() {
            return Err(running.stopped_error());
        }
        let listing = if *is_dataset {
            dcat::DATASET_PROPERTY
        } else {
            dcat::RESOURCE
        };
        out.push(Triple::new(catalogue.clone(), listing, d.clone()));
        // The record's triples, and the nodes it points at that the same graph describes,
        // two levels down (dataset → distribution → checksum).
        let mut frontier = vec![(NamedOrBlankNode::from(d.clone()), 0)];
        let mut seen: HashSet<NamedOrBlankNode> = HashSet::new();
        let mut source = None;
        let mut own_date = None;
        while let Some((subject, depth)) = frontier.pop() {
            if !seen.insert(subject.clone()) {
                continue;
            }
            for quad in store.quads_for_pattern(Some(subject.as_ref()), None, None, None) {
                let quad = quad.map_err(GraphError::from)?;
                let GraphNameRef::NamedNode(graph) = quad.graph_name.as_ref() else {
                    continue;
                };
                let Some(id) = layout.source_id(graph.as_str()) else {
                    continue;
                };
                if depth == 0 {
                    source.get_or_insert_with(|| id.to_owned());
                    if let Term::Literal(date) = &quad.object
                        && (quad.predicate == dct::MODIFIED
                            || (quad.predicate == dct::ISSUED && own_date.is_none()))
                    {
                        own_date = Some(date.clone());
                    }
                }
                if depth < 2 && quad.predicate != rdf::TYPE {
                    match &quad.object {
                        Term::NamedNode(object) if !listed_iris.contains(object) => {
                            frontier.push((object.clone().into(), depth + 1));
                        }
                        Term::BlankNode(object) => frontier.push((object.clone().into(), depth + 1)),
                        _ => {}
                    }
                }
                out.push(Triple::new(quad.subject, quad.predicate, quad.object));
            }
        }
        record_sources.push(source);
        own_dates.push(own_date);
    }
    let runs = last_runs(
        state,
        &options,
        &record_sources.iter().flatten().cloned().collect(),
    )?;
    for (((d, _), source), own_date) in records.iter().zip(&record_sources).zip(own_dates) {
        let key = civicgraph_graph::names::record_key(d.as_str());
        let record = NamedNode::new_unchecked(format!("{}catalog/record/{key:016x}", layout.base()));
        let run = source.as_ref().and_then(|s| runs.get(s));
        let modified = run.map(|r| r.ended.clone()).or(own_date);
        out.push(Triple::new(catalogue.clone(), dcat::RECORD, record.clone()));
        out.push(Triple::new(record.clone(), rdf::TYPE, dcat::CATALOG_RECORD));
        out.push(Triple::new(record.clone(), foaf::PRIMARY_TOPIC, d.clone()));
        if let Some(modified) = modified {
            out.push(Triple::new(record.clone(), dct::MODIFIED, modified));
        }
        // A publisher's own IRI is the record harvested; a minted one stands for a record
        // the source described without one, read from the source's document.
        let harvested = if d.as_str().starts_with(layout.base()) {
            run.and_then(|r| r.used.clone())
        } else {
            Some(d.clone())
        };
        if let Some(harvested) = harvested {
            out.push(Triple::new(record.clone(), prov::WAS_DERIVED_FROM, harvested));
        }
        if let Some(run) = run {
            out.push(Triple::new(record, prov::WAS_GENERATED_BY, run.iri.clone()));
        }
    }
    let view: NamedOrBlankNode = NamedNode::new(format!("{origin}/catalog?{}", request.link(page)))
        .map_err(|e| ApiError::BadRequest(format!("bad Host header or public_url: {e}")))?
        .into();
    let page_iri = |n: usize| NamedNode::new_unchecked(format!("{origin}/catalog?{}", request.link(n)));
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
        Literal::new_typed_literal(listed.total.to_string(), xsd::INTEGER),
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
