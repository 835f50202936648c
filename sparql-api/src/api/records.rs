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
use civicgraph_graph::{Parts, RecordKind, RecordReader};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::dcat;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term};
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
    /// Its title: the first, else its identifier, landing page or IRI.
    pub title: String,
    /// Its description, as the source wrote it (HTML and Markdown included).
    pub description: Option<String>,
    /// The same as a page shows it: without HTML tags, character references decoded.
    pub description_text: Option<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Publishers (or, for case studies, the organisations named).
    pub publishers: Vec<Labelled>,
    /// Themes.
    pub themes: Vec<Labelled>,
    /// Places.
    pub places: Vec<Labelled>,
    /// Who benefits (`cg:beneficiary`): concepts of the vocabulary.
    pub beneficiaries: Vec<Labelled>,
    /// The ODI enablers it shows (`cg:enabler`).
    pub enablers: Vec<Labelled>,
    /// Who acts (`cg:actor`): public sector, industry, academia, civil society.
    pub actors: Vec<Labelled>,
    /// The channels of co-creation it used (`cg:channel`).
    pub channels: Vec<Labelled>,
    /// The benefits of co-creation it shows (`cg:benefit`, Jalonen & Helo 2020).
    pub benefits: Vec<Labelled>,
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
fn web_link(text: &str) -> Option<String> {
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

/// The name `node` is shown by: the record view's ([`civicgraph_graph::Record::display_title`]),
/// or its IRI when it is no record (a dataset a case study names that no source describes).
fn title_of(reader: &mut RecordReader<'_>, node: NamedNodeRef<'_>) -> Result<String, JsonError> {
    Ok(match reader.read(node)? {
        Some(record) => record.display_title().to_owned(),
        None => node.as_str().to_owned(),
    })
}

fn reference(reader: &mut RecordReader<'_>, node: &NamedNode) -> Result<RecordRef, JsonError> {
    Ok(RecordRef {
        iri: node.as_str().to_owned(),
        title: title_of(reader, node.as_ref())?,
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

/// The record `id` (its IRI) with its links: what the JSON API answers and the record's
/// page on the server ([`crate::record_page`]) shows.
pub(crate) fn read(graph: &Graph, id: &str) -> Result<RecordResponse, JsonError> {
    let not_found = || {
        JsonError(ApiError::NotFound(format!(
            "no dataset, case study or catalogue has the IRI {id:?}"
        )))
    };
    let node = NamedNode::new(id).map_err(|_| not_found())?;
    let layout = graph.layout();
    let labels = graph.labels();
    let Some(record) = RecordReader::new(labels, layout).read(node.as_ref())? else {
        return Err(not_found());
    };
    // What names the records this one links to: their own statements are enough.
    let mut references = RecordReader::new(labels, layout).with_parts(Parts::OWN);
    let named =
        |values: &[String]| -> Vec<Labelled> { values.iter().map(|v| labelled(&labels, v)).collect() };
    let sorted = |values: &[String]| -> Vec<String> {
        let mut values = values.to_vec();
        values.sort();
        values
    };
    let publishers = record
        .agents
        .iter()
        .filter_map(|(_, agent)| match (&agent.iri, &agent.name) {
            (Some(iri), Some(name)) => Some(Labelled {
                value: iri.clone(),
                label: name.clone(),
            }),
            (None, Some(name)) => Some(Labelled {
                value: name.clone(),
                label: name.clone(),
            }),
            _ => None,
        })
        .collect();
    let catalogues_of = |node: &NamedNode| -> Result<Vec<Labelled>, JsonError> {
        Ok(subjects(graph, dcat::DATASET_PROPERTY, node.as_ref())?
            .iter()
            .map(|c| labelled(&labels, c.as_str()))
            .collect())
    };
    let catalogues = named(&record.catalogues);
    let distributions = record
        .distributions
        .iter()
        .map(|d| Distribution {
            iri: d.iri.clone(),
            title: d.title.clone(),
            formats: named(&d.formats),
            access_urls: d.access_urls.iter().filter_map(|u| web_link(u)).collect(),
            download_urls: d.download_urls.iter().filter_map(|u| web_link(u)).collect(),
            licences: named(&d.licences),
        })
        .collect();

    let patterns = pattern_tags(&labels, &record.assignments);

    // The cluster: this dataset and its copies.
    let mut members: BTreeSet<NamedNode> = BTreeSet::from([node.clone()]);
    for cluster in &record.clusters {
        members.extend(subjects(
            graph,
            cg::CLUSTER,
            NamedNodeRef::new_unchecked(cluster),
        )?);
    }
    let mut copies = Vec::new();
    let mut holders: BTreeSet<String> = catalogues.iter().map(|c| c.value.clone()).collect();
    for member in members.iter().filter(|m| **m != node) {
        let mut copy = Copy {
            iri: member.as_str().to_owned(),
            title: title_of(&mut references, member.as_ref())?,
            catalogues: catalogues_of(member)?,
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
            case_studies.insert(reference(&mut references, &case)?);
        }
    }
    let mut datasets = BTreeSet::new();
    for dataset in &record.uses_datasets {
        datasets.insert(reference(
            &mut references,
            &NamedNode::new_unchecked(dataset.as_str()),
        )?);
    }
    let sources: BTreeSet<String> = record
        .graphs
        .iter()
        .filter_map(|g| layout.source_id(g).map(str::to_owned))
        .collect();
    Ok(RecordResponse {
        kind: record.kind.map_or("other", RecordKind::as_str).to_owned(),
        title: record.display_title().to_owned(),
        description: record.descriptions.first().cloned(),
        description_text: record
            .descriptions
            .first()
            .map(|d| civicgraph_graph::prose::plain(d).trim().to_owned()),
        keywords: sorted(&record.keywords),
        publishers,
        themes: named(&record.themes),
        places: named(&record.places),
        beneficiaries: named(&record.beneficiaries),
        enablers: named(&record.enablers),
        actors: named(&record.actors),
        channels: named(&record.channels),
        benefits: named(&record.benefits),
        pages: record
            .landing_pages
            .iter()
            .chain(&record.sources)
            .filter_map(|p| web_link(p))
            .collect(),
        issued: record.issued.clone(),
        modified: record.modified.clone(),
        sources: sources.into_iter().collect(),
        catalogue_count: holders.len(),
        catalogues,
        distributions,
        patterns,
        case_studies: case_studies.into_iter().collect(),
        datasets: datasets.into_iter().collect(),
        outcome: record.outcome.clone(),
        copies,
        iri: record.iri,
    })
}
