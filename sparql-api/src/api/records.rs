//! `GET /api/records/{id}`: one dataset, case study or catalogue (the id is its IRI,
//! URL-encoded) with what it links to: distributions, patterns and their evidence, the case
//! studies that used it (or a copy of it), the datasets a case study used, and the same
//! dataset in other catalogues.

use super::labels::{Labelled, PatternTag, labelled, pattern_tags};
use super::{JsonError, blocking};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use civicgraph_graph::Graph;
use civicgraph_graph::Labels;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{dcat, dct, schema};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term};
use std::collections::BTreeSet;

/// A record named in another's page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
pub struct RecordRef {
    /// Its IRI.
    pub iri: String,
    /// Its title.
    pub title: String,
}

/// A distribution of a dataset.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Distribution {
    /// Its IRI.
    pub iri: String,
    /// Its title, if any.
    pub title: Option<String>,
    /// Formats and media types.
    pub formats: Vec<Labelled>,
    /// Access URLs (http and https only).
    pub access_urls: Vec<String>,
    /// Download URLs (http and https only).
    pub download_urls: Vec<String>,
    /// Licences.
    pub licences: Vec<Labelled>,
}

/// The same dataset in another catalogue.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Copy {
    /// The copy's IRI.
    pub iri: String,
    /// Its title.
    pub title: String,
    /// The catalogues listing it.
    pub catalogues: Vec<Labelled>,
    /// The score of the link between this record and the copy, if they are linked directly.
    pub score: Option<f64>,
    /// The signals that matched (`identifier`, `landing-page`, ...).
    pub signals: Vec<String>,
    /// What matched.
    pub evidence: Vec<String>,
}

/// A record.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordResponse {
    /// Its IRI.
    pub iri: String,
    /// `dataset`, `case-study`, `catalogue` or `other`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its first title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Publishers (or, for case studies, the organisations named).
    pub publishers: Vec<Labelled>,
    /// Themes.
    pub themes: Vec<Labelled>,
    /// Places.
    pub places: Vec<Labelled>,
    /// Landing pages and sources (http and https only).
    pub pages: Vec<String>,
    /// Issue date, or the case's date.
    pub issued: Option<String>,
    /// Modification date.
    pub modified: Option<String>,
    /// The source ids of the graphs holding it.
    pub sources: Vec<String>,
    /// Catalogues listing it.
    pub catalogues: Vec<Labelled>,
    /// Its distributions.
    pub distributions: Vec<Distribution>,
    /// Its patterns, with method, confidence and evidence.
    pub patterns: Vec<PatternTag>,
    /// Case studies that used this dataset or a copy of it.
    pub case_studies: Vec<RecordRef>,
    /// For a case study: the datasets it used.
    pub datasets: Vec<RecordRef>,
    /// For a case study: what came of it.
    pub outcome: Option<String>,
    /// The same dataset in other catalogues.
    pub copies: Vec<Copy>,
    /// How many catalogues hold this dataset, counting this record's own.
    pub catalogue_count: usize,
}

fn literal(term: &Term) -> Option<String> {
    match term {
        Term::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}

/// Only web links reach a page: a `javascript:` or `data:` IRI is dropped.
fn web_link(term: &Term) -> Option<String> {
    let text = match term {
        Term::NamedNode(n) => n.as_str(),
        Term::Literal(l) => l.value(),
        _ => return None,
    };
    let lower = text.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| text.trim().to_owned())
}

fn objects(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Result<Vec<Term>, JsonError> {
    let mut out = Vec::new();
    for quad in graph
        .store()
        .quads_for_pattern(Some(subject), Some(predicate), None, None)
    {
        let object = quad?.object;
        if !out.contains(&object) {
            out.push(object);
        }
    }
    Ok(out)
}

/// [`objects`] as stated in one of `owners`.
fn own_objects(
    graph: &Graph,
    subject: NamedOrBlankNodeRef<'_>,
    predicate: NamedNodeRef<'_>,
    owners: &[GraphName],
) -> Result<Vec<Term>, JsonError> {
    let mut out = Vec::new();
    for quad in graph
        .store()
        .quads_for_pattern(Some(subject), Some(predicate), None, None)
    {
        let quad = quad?;
        if owners.contains(&quad.graph_name) && !out.contains(&quad.object) {
            out.push(quad.object);
        }
    }
    Ok(out)
}

fn subjects(
    graph: &Graph,
    predicate: NamedNodeRef<'_>,
    object: NamedNodeRef<'_>,
) -> Result<BTreeSet<NamedNode>, JsonError> {
    let mut out = BTreeSet::new();
    for quad in graph
        .store()
        .quads_for_pattern(None, Some(predicate), Some(object.into()), None)
    {
        if let NamedOrBlankNode::NamedNode(n) = quad?.subject {
            out.insert(n);
        }
    }
    Ok(out)
}

fn title_of(graph: &Graph, node: NamedNodeRef<'_>) -> Result<String, JsonError> {
    for property in [dct::TITLE, schema::NAME] {
        let mut titles: Vec<String> = objects(graph, node.into(), property)?
            .iter()
            .filter_map(literal)
            .collect();
        titles.sort();
        if let Some(title) = titles.into_iter().next() {
            return Ok(title);
        }
    }
    Ok(node.as_str().to_owned())
}

fn reference(graph: &Graph, node: &NamedNode) -> Result<RecordRef, JsonError> {
    Ok(RecordRef {
        iri: node.as_str().to_owned(),
        title: title_of(graph, node.as_ref())?,
    })
}

/// One record.
#[utoipa::path(
    get,
    path = "/api/records/{id}",
    params(("id" = String, Path, description = "The record's IRI, URL-encoded")),
    responses(
        (status = 200, description = "The record and its links", body = RecordResponse),
        (status = 404, description = "No dataset, case study or catalogue has this IRI", body = super::ErrorBody),
    ),
    tag = "records"
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RecordResponse>, JsonError> {
    let graph = state.graph.clone();
    blocking(&state, move |_| read(&graph, &id).map(Json)).await
}

fn read(graph: &Graph, id: &str) -> Result<RecordResponse, JsonError> {
    let not_found = || {
        JsonError(ApiError::NotFound(format!(
            "no dataset, case study or catalogue has the IRI {id:?}"
        )))
    };
    let node = NamedNode::new(id).map_err(|_| not_found())?;
    let subject: NamedOrBlankNodeRef<'_> = node.as_ref().into();
    let types = objects(graph, subject, rdf::TYPE)?;
    let kind = if types.contains(&dcat::DATASET.into_owned().into()) {
        "dataset"
    } else if types.contains(&cg::CASE_STUDY.into_owned().into()) {
        "case-study"
    } else if types.contains(&dcat::CATALOG.into_owned().into()) {
        "catalogue"
    } else {
        return Err(not_found());
    };
    let layout = graph.layout();
    let labels = graph.labels();
    let mut sources = BTreeSet::new();
    for quad in graph
        .store()
        .quads_for_pattern(Some(subject), Some(rdf::TYPE), None, None)
    {
        if let GraphName::NamedNode(g) = quad?.graph_name
            && let Some(source) = layout.source_id(g.as_str())
        {
            sources.insert(source.to_owned());
        }
    }
    // What the record says comes from the graphs that type it (its sources) and from
    // civicgraph's own tags and links: another source cannot add titles, pages or types to
    // a record it does not hold.
    let mut owners: Vec<GraphName> = vec![layout.tags_graph().into(), layout.links_graph().into()];
    for quad in graph
        .store()
        .quads_for_pattern(Some(subject), Some(rdf::TYPE), None, None)
    {
        let graph_name = quad?.graph_name;
        if !owners.contains(&graph_name) {
            owners.push(graph_name);
        }
    }
    let own = |p: NamedNodeRef<'_>| own_objects(graph, subject, p, &owners);
    let texts = |p: NamedNodeRef<'_>| -> Result<Vec<String>, JsonError> {
        let mut values: Vec<String> = own(p)?.iter().filter_map(literal).collect();
        values.sort();
        Ok(values)
    };
    let mut description = texts(dct::DESCRIPTION)?.into_iter().next();
    if description.is_none() {
        description = texts(schema::ABSTRACT)?.into_iter().next();
    }
    let mut publishers = Vec::new();
    for property in [dct::PUBLISHER, dct::CREATOR, dct::CONTRIBUTOR] {
        for term in own(property)? {
            match &term {
                Term::NamedNode(n) => publishers.push(labelled(&labels, n.as_str())),
                Term::Literal(l) => publishers.push(Labelled {
                    value: l.value().into(),
                    label: l.value().into(),
                }),
                Term::BlankNode(_) => {}
            }
        }
    }
    let named = |labels: &Labels<'_>, terms: Vec<Term>| -> Vec<Labelled> {
        terms
            .iter()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(labelled(labels, n.as_str())),
                Term::Literal(l) => Some(Labelled {
                    value: l.value().into(),
                    label: l.value().into(),
                }),
                _ => None,
            })
            .collect()
    };
    let themes = named(&labels, own(dcat::THEME)?);
    let places = named(&labels, own(dct::SPATIAL)?);
    let mut pages: Vec<String> = Vec::new();
    for property in [dcat::LANDING_PAGE, dct::SOURCE] {
        pages.extend(own(property)?.iter().filter_map(web_link));
    }
    let catalogues_of = |labels: &Labels<'_>, node: &NamedNode| -> Result<Vec<Labelled>, JsonError> {
        Ok(subjects(graph, dcat::DATASET_PROPERTY, node.as_ref())?
            .iter()
            .map(|c| labelled(labels, c.as_str()))
            .collect())
    };
    let catalogues = catalogues_of(&labels, &node)?;

    let mut distributions = Vec::new();
    for term in own(dcat::DISTRIBUTION_PROPERTY)? {
        let d: NamedOrBlankNodeRef<'_> = match &term {
            Term::NamedNode(n) => n.as_ref().into(),
            Term::BlankNode(b) => b.as_ref().into(),
            _ => continue,
        };
        let mut formats = named(&labels, objects(graph, d, dct::FORMAT)?);
        formats.extend(named(&labels, objects(graph, d, dcat::MEDIA_TYPE)?));
        distributions.push(Distribution {
            iri: term.to_string().trim_matches(['<', '>']).to_owned(),
            title: objects(graph, d, dct::TITLE)?.iter().find_map(literal),
            formats,
            access_urls: objects(graph, d, dcat::ACCESS_URL)?
                .iter()
                .filter_map(web_link)
                .collect(),
            download_urls: objects(graph, d, dcat::DOWNLOAD_URL)?
                .iter()
                .filter_map(web_link)
                .collect(),
            licences: named(&labels, objects(graph, d, dct::LICENSE)?),
        });
    }
    distributions.sort_by(|a, b| a.iri.cmp(&b.iri));

    let patterns = pattern_tags(graph, &labels, node.as_str())?;

    // The cluster: this dataset and its copies.
    let mut members: BTreeSet<NamedNode> = BTreeSet::from([node.clone()]);
    for cluster in own(cg::CLUSTER)? {
        if let Term::NamedNode(c) = cluster {
            members.extend(subjects(graph, cg::CLUSTER, c.as_ref())?);
        }
    }
    let mut copies = Vec::new();
    let mut holders: BTreeSet<String> = catalogues.iter().map(|c| c.value.clone()).collect();
    for member in members.iter().filter(|m| **m != node) {
        let mut copy = Copy {
            iri: member.as_str().to_owned(),
            title: title_of(graph, member.as_ref())?,
            catalogues: catalogues_of(&labels, member)?,
            score: None,
            signals: Vec::new(),
            evidence: Vec::new(),
        };
        holders.extend(copy.catalogues.iter().map(|c| c.value.clone()));
        let links = subjects(graph, cg::LINKED_DATASET, node.as_ref())?;
        for link in links.intersection(&subjects(graph, cg::LINKED_DATASET, member.as_ref())?) {
            let link: NamedOrBlankNodeRef<'_> = link.as_ref().into();
            copy.score = objects(graph, link, cg::SCORE)?
                .iter()
                .find_map(literal)
                .and_then(|s| s.parse().ok());
            copy.signals = objects(graph, link, cg::SIGNAL)?
                .iter()
                .filter_map(literal)
                .collect();
            copy.evidence = objects(graph, link, cg::EVIDENCE)?
                .iter()
                .filter_map(literal)
                .collect();
            copy.signals.sort();
            copy.evidence.sort();
        }
        copies.push(copy);
    }

    let mut case_studies = BTreeSet::new();
    for member in &members {
        for case in subjects(graph, cg::USES_DATASET, member.as_ref())? {
            case_studies.insert(reference(graph, &case)?);
        }
    }
    let mut datasets = BTreeSet::new();
    for term in objects(graph, subject, cg::USES_DATASET)? {
        if let Term::NamedNode(d) = term {
            datasets.insert(reference(graph, &d)?);
        }
    }
    let date = |p| -> Result<Option<String>, JsonError> { Ok(texts(p)?.into_iter().next()) };
    Ok(RecordResponse {
        iri: node.as_str().to_owned(),
        kind: kind.to_owned(),
        title: title_of(graph, node.as_ref())?,
        description,
        keywords: texts(dcat::KEYWORD)?,
        publishers,
        themes,
        places,
        pages,
        issued: date(dct::ISSUED)?.or(date(dct::DATE)?),
        modified: date(dct::MODIFIED)?,
        sources: sources.into_iter().collect(),
        catalogue_count: holders.len(),
        catalogues,
        distributions,
        patterns,
        case_studies: case_studies.into_iter().collect(),
        datasets: datasets.into_iter().collect(),
        outcome: texts(cg::OUTCOME)?.into_iter().next(),
        copies,
    })
}
