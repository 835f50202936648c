//! Reads what the linker compares of every dataset in a store.

use super::{LinkRecord, normalise};
use crate::error::Result;
use civicgraph_vocab::ext::{adms, dcat, dct, foaf, skos, vcard};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};
use oxigraph::store::Store;
use std::collections::BTreeMap;

/// Every `dcat:Dataset` outside the `ignore` graphs, in IRI order, with the source graph
/// that types it (the first, if several do).
pub fn read_datasets(store: &Store, ignore: &[NamedNode]) -> Result<Vec<LinkRecord>> {
    let mut sources: BTreeMap<NamedNode, String> = BTreeMap::new();
    for quad in store.quads_for_pattern(None, Some(rdf::TYPE), Some(dcat::DATASET.into()), None) {
        let quad = quad?;
        let source = match &quad.graph_name {
            GraphName::NamedNode(g) if ignore.contains(g) => continue,
            GraphName::NamedNode(g) => g.as_str().to_owned(),
            GraphName::BlankNode(b) => b.to_string(),
            GraphName::DefaultGraph => String::new(),
        };
        if let NamedOrBlankNode::NamedNode(node) = quad.subject {
            sources.entry(node).or_insert(source);
        }
    }
    let sources: Vec<(NamedNode, String)> = sources.into_iter().collect();
    crate::parallel::map_in_order(&sources, |(iri, source)| read_one(store, iri, source.clone()))
}

fn read_one(store: &Store, iri: &NamedNode, source: String) -> Result<LinkRecord> {
    let mut record = LinkRecord {
        iri: iri.as_str().to_owned(),
        source,
        ..LinkRecord::default()
    };
    let mut descriptions = Vec::new();
    for quad in store.quads_for_pattern(Some(iri.as_ref().into()), None, None, None) {
        let quad = quad?;
        let p = quad.predicate.as_ref();
        let o = quad.object.as_ref();
        if p == dct::TITLE {
            push(&mut record.titles, literal(o));
        } else if p == dct::DESCRIPTION {
            push(&mut descriptions, literal(o));
        } else if p == dct::IDENTIFIER {
            push(&mut record.identifiers, literal(o).or_else(|| iri_text(o)));
        } else if p == adms::IDENTIFIER {
            for notation in objects(store, o, skos::NOTATION)? {
                push(&mut record.identifiers, literal(notation.as_ref()));
            }
        } else if p == dcat::LANDING_PAGE {
            push(&mut record.landing_pages, iri_text(o).or_else(|| literal(o)));
        } else if p == dcat::DISTRIBUTION_PROPERTY {
            for property in [dcat::ACCESS_URL, dcat::DOWNLOAD_URL] {
                for url in objects(store, o, property)? {
                    push(
                        &mut record.distribution_urls,
                        iri_text(url.as_ref()).or_else(|| literal(url.as_ref())),
                    );
                }
            }
        } else if p == dcat::CONTACT_POINT {
            for email in objects(store, o, vcard::HAS_EMAIL)? {
                push(&mut record.publisher_ids, email_key(email.as_ref()));
            }
        } else if p == dct::PUBLISHER {
            if let TermRef::NamedNode(n) = o {
                push(&mut record.publisher_ids, Some(format!("iri:{}", n.as_str())));
            }
            for home in objects(store, o, foaf::HOMEPAGE)? {
                let url = iri_text(home.as_ref()).or_else(|| literal(home.as_ref()));
                push(
                    &mut record.publisher_ids,
                    url.and_then(|u| normalise::url(&u)).map(|u| format!("home:{u}")),
                );
            }
            for property in [foaf::MBOX, vcard::HAS_EMAIL] {
                for email in objects(store, o, property)? {
                    push(&mut record.publisher_ids, email_key(email.as_ref()));
                }
            }
            if record.publisher.is_some() {
                continue;
            }
            // The publisher's name; else its IRI, which names it as well across catalogues
            // that share it.
            record.publisher = match o {
                TermRef::Literal(l) => Some(l.value().to_owned()),
                _ => [foaf::NAME, skos::PREF_LABEL, rdfs::LABEL]
                    .into_iter()
                    .find_map(|p| {
                        objects(store, o, p)
                            .ok()?
                            .into_iter()
                            .find_map(|t| literal(t.as_ref()))
                    })
                    .or_else(|| iri_text(o)),
            };
        }
    }
    record.titles.sort();
    record.publisher_ids.sort();
    descriptions.sort();
    record.description = descriptions.into_iter().next().unwrap_or_default();
    Ok(record)
}

/// `mail:{address}` for an e-mail given as a `mailto:` IRI or as text.
fn email_key(term: TermRef<'_>) -> Option<String> {
    let text = iri_text(term).or_else(|| literal(term))?;
    let address = text.trim().trim_start_matches("mailto:").trim().to_lowercase();
    address.contains('@').then(|| format!("mail:{address}"))
}

fn objects(
    store: &Store,
    subject: TermRef<'_>,
    predicate: oxigraph::model::NamedNodeRef<'_>,
) -> Result<Vec<Term>> {
    let subject: NamedOrBlankNodeRef<'_> = match subject {
        TermRef::NamedNode(n) => n.into(),
        TermRef::BlankNode(b) => b.into(),
        _ => return Ok(Vec::new()),
    };
    store
        .quads_for_pattern(Some(subject), Some(predicate), None, None)
        .map(|q| Ok(q?.object))
        .collect()
}

fn literal(term: TermRef<'_>) -> Option<String> {
    match term {
        TermRef::Literal(l) => Some(l.value().to_owned()),
        _ => None,
    }
}

fn iri_text(term: TermRef<'_>) -> Option<String> {
    match term {
        TermRef::NamedNode(n) => Some(n.as_str().to_owned()),
        _ => None,
    }
}

fn push(into: &mut Vec<String>, value: Option<String>) {
    if let Some(value) = value.filter(|v| !v.trim().is_empty())
        && !into.contains(&value)
    {
        into.push(value);
    }
}
