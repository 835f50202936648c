//! The linker's view of a dataset, taken from the one record view: what it compares of
//! each dataset, normalised once.

use super::row::{LinkRow, Sources};
use super::{LinkRecord, normalise};
use crate::enrich::mapped_document::MappedDocument;
use crate::error::Result;
use civicgraph_graph::{Labels, Layout, Parts, Record, RecordKind, RecordReader};
use civicgraph_vocab::ext::dcat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode};
use std::collections::BTreeSet;

/// Every `dcat:Dataset` of the store `labels` reads, typed in `graph` if given, outside the
/// `ignore` graphs, in IRI order.
pub fn dataset_iris(
    labels: Labels<'_>,
    graph: Option<&NamedNode>,
    ignore: &[NamedNode],
) -> Result<Vec<NamedNode>> {
    let mut datasets: BTreeSet<NamedNode> = BTreeSet::new();
    for quad in labels.store().quads_for_pattern(
        None,
        Some(rdf::TYPE),
        Some(dcat::DATASET.into()),
        graph.map(|g| g.as_ref().into()),
    ) {
        let quad = quad?;
        if matches!(&quad.graph_name, GraphName::NamedNode(g) if ignore.contains(g)) {
            continue;
        }
        if let NamedOrBlankNode::NamedNode(node) = quad.subject {
            datasets.insert(node);
        }
    }
    Ok(datasets.into_iter().collect())
}

/// What the linker compares of `iri`, read from the store `labels` reads, if it is a
/// dataset there.
pub(crate) fn link_record(
    labels: Labels<'_>,
    layout: &Layout,
    iri: NamedNodeRef<'_>,
) -> Result<Option<LinkRecord>> {
    let parts = Parts {
        distributions: true,
        ..Parts::OWN
    };
    let record = RecordReader::new(labels, layout).with_parts(parts).read(iri)?;
    Ok(record
        .filter(|r| r.kind == Some(RecordKind::Dataset))
        .map(|r| LinkRecord::from_record(&r)))
}

/// What the linker compares of the dataset `iri`, read from the store `labels` reads
/// (only its IRI when it is not one).
pub fn read_dataset(labels: Labels<'_>, layout: &Layout, iri: &str) -> Result<LinkRecord> {
    Ok(
        link_record(labels, layout, NamedNode::new_unchecked(iri).as_ref())?.unwrap_or_else(|| {
            LinkRecord::from_record(&Record {
                iri: iri.to_owned(),
                ..Record::default()
            })
        }),
    )
}

/// Every `dcat:Dataset` outside the `ignore` graphs of the store `labels` reads, laid out as
/// `layout` says, in IRI order.
pub fn read_datasets(labels: Labels<'_>, layout: &Layout, ignore: &[NamedNode]) -> Result<Vec<LinkRecord>> {
    let datasets = dataset_iris(labels, None, ignore)?;
    crate::parallel::map_in_order(&datasets, |iri| read_dataset(labels, layout, iri.as_str()))
}

/// The signature table of every `dcat:Dataset` outside the `ignore` graphs, in IRI order,
/// and the names of their sources by number: each dataset read, reduced to its row and
/// its text dropped.
pub fn read_rows(
    labels: Labels<'_>,
    layout: &Layout,
    ignore: &[NamedNode],
) -> Result<(Vec<LinkRow>, Vec<String>)> {
    let datasets = dataset_iris(labels, None, ignore)?;
    let sources = Sources::default();
    let rows = read_rows_of(labels, layout, &datasets, &sources)?;
    Ok((rows, sources.into_names()))
}

/// The rows of those of `iris` that are datasets now, their sources numbered by `sources`,
/// in the order given.
pub fn read_rows_of(
    labels: Labels<'_>,
    layout: &Layout,
    iris: &[NamedNode],
    sources: &Sources,
) -> Result<Vec<LinkRow>> {
    let rows = crate::parallel::map_in_order(iris, |iri| {
        Ok::<_, crate::IngestError>(
            link_record(labels, layout, iri.as_ref())?
                .map(|record| LinkRow::of(&record, sources.id(&record.source))),
        )
    })?;
    Ok(rows.into_iter().flatten().collect())
}

/// The datasets of a document (any kind a harvest reads), mapped as a harvest maps it, as
/// one source named `name`. `base` resolves relative IRIs in RDF.
pub fn document_datasets(bytes: &[u8], name: &str, base: Option<&str>) -> Result<Vec<LinkRecord>> {
    let document = MappedDocument::map(bytes, name, base)?;
    let mut records = read_datasets(document.labels(), document.layout(), &[])?;
    for record in &mut records {
        name.clone_into(&mut record.source);
    }
    Ok(records)
}

impl LinkRecord {
    /// What the linker compares of `record`. Its source is the first graph that holds it.
    pub fn from_record(record: &Record) -> Self {
        let mut publisher_ids = BTreeSet::new();
        for agent in record.publishers() {
            if let Some(iri) = &agent.iri {
                publisher_ids.insert(format!("iri:{iri}"));
            }
            for home in &agent.homepages {
                if let Some(url) = normalise::url(home) {
                    publisher_ids.insert(format!("home:{url}"));
                }
            }
            publisher_ids.extend(agent.emails.iter().filter_map(|e| email_key(e)));
        }
        publisher_ids.extend(record.contact_emails.iter().filter_map(|e| email_key(e)));
        let mut titles = record.titles.clone();
        titles.sort();
        Self {
            iri: record.iri.clone(),
            source: record.graphs.first().cloned().unwrap_or_default(),
            identifiers: record.identifiers.clone(),
            landing_pages: record.landing_pages.clone(),
            distribution_urls: record.distribution_urls(),
            titles,
            // The publisher's name; else its IRI, which names it as well across catalogues
            // that share it.
            publisher: record.publishers().find_map(|agent| agent.name.clone()),
            publisher_ids: publisher_ids.into_iter().collect(),
            description: record.descriptions.first().cloned().unwrap_or_default(),
        }
    }
}

/// `mail:{address}` for an e-mail written as a `mailto:` IRI or as text.
fn email_key(text: &str) -> Option<String> {
    let address = text.trim().trim_start_matches("mailto:").trim().to_lowercase();
    address.contains('@').then(|| format!("mail:{address}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicgraph_graph::{Agent, AgentRole};

    #[test]
    fn a_publisher_is_known_by_its_iri_home_page_and_addresses() {
        let record = Record {
            iri: "https://example.org/d/1".into(),
            graphs: vec!["https://example.org/source/a".into()],
            agents: vec![(
                AgentRole::Publisher,
                Agent {
                    name: Some("Ministry of Transport".into()),
                    iri: Some("https://example.org/org/mot".into()),
                    homepages: vec!["https://www.Example.org/".into()],
                    emails: vec!["mailto:Info@Example.org".into()],
                    kinds: Vec::new(),
                },
            )],
            contact_emails: vec!["data@example.org".into(), "not an address".into()],
            descriptions: vec!["a".into(), "b".into()],
            ..Record::default()
        };
        let link = LinkRecord::from_record(&record);
        assert_eq!(link.source, "https://example.org/source/a");
        assert_eq!(link.publisher.as_deref(), Some("Ministry of Transport"));
        assert_eq!(link.description, "a");
        assert!(
            link.publisher_ids
                .contains(&"iri:https://example.org/org/mot".to_owned())
        );
        assert!(link.publisher_ids.contains(&"mail:info@example.org".to_owned()));
        assert!(link.publisher_ids.contains(&"mail:data@example.org".to_owned()));
        assert!(link.publisher_ids.iter().any(|id| id.starts_with("home:")));
        assert_eq!(link.publisher_ids.len(), 4);
    }
}
