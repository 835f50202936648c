//! Writes the links into `{base}graph/links`: per link an `owl:sameAs` and a
//! `cg:DatasetLink` node with the score, the signals and the evidence; per cluster a
//! `cg:DatasetCluster` with its member and catalogue counts, and `cg:cluster` from each
//! member. Only the difference from what the graph holds is written, in one commit, so a
//! re-link of an unchanged graph writes nothing.

use super::read::{read_dataset, read_rows};
use super::{LinkSettings, clusters, find_in_rows};
use crate::error::Result;
use crate::mint::hex;
use civicgraph_graph::{Graph, WriteBatch};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::owl;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, Triple};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What a linking run found and wrote.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LinkSummary {
    /// Datasets compared.
    pub datasets: usize,
    /// Links found.
    pub links: usize,
    /// Clusters (real-world datasets held by more than one source).
    pub clusters: usize,
    /// Triples added to the links graph.
    pub added: usize,
    /// Triples removed from it.
    pub removed: usize,
}

fn short_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))[..24].to_owned()
}

/// Re-links every dataset in `graph`.
pub fn link_graph(graph: &Graph, settings: &LinkSettings) -> Result<LinkSummary> {
    settings.check()?;
    let layout = graph.layout();
    let links_graph = layout.links_graph();
    let derived = layout.derived_graphs();
    let (rows, sources) = read_rows(graph.labels(), layout, &derived)?;
    let found = find_in_rows(&rows, settings);
    // The evidence quotes the matched keys, which the rows keep only as hashes: the linked
    // datasets (a few in a hundred) are read again.
    let links = crate::parallel::map_in_order(&found, |found| {
        let a = read_dataset(graph.labels(), layout, &rows[found.a as usize].iri)?;
        Ok::<_, crate::IngestError>(found.clone().into_link(&rows, &a))
    })?;
    let groups = clusters(&links);
    let source_of: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (&*r.iri, sources[r.source as usize].as_str()))
        .collect();

    let mut wanted: HashSet<Triple> = HashSet::new();
    let decimal = crate::emit::decimal;
    for link in &links {
        let (a, b) = (
            NamedNode::new_unchecked(&link.a),
            NamedNode::new_unchecked(&link.b),
        );
        let node = NamedNode::new_unchecked(format!(
            "{}link/{}",
            layout.base(),
            short_hash(&format!("{} {}", link.a, link.b))
        ));
        wanted.insert(Triple::new(a.clone(), owl::SAME_AS, b.clone()));
        wanted.insert(Triple::new(node.clone(), rdf::TYPE, cg::DATASET_LINK));
        wanted.insert(Triple::new(node.clone(), cg::LINKED_DATASET, a));
        wanted.insert(Triple::new(node.clone(), cg::LINKED_DATASET, b));
        wanted.insert(Triple::new(node.clone(), cg::SCORE, decimal(link.score)));
        for evidence in &link.evidence {
            wanted.insert(Triple::new(
                node.clone(),
                cg::SIGNAL,
                Literal::new_simple_literal(evidence.signal.as_str()),
            ));
            wanted.insert(Triple::new(
                node.clone(),
                cg::EVIDENCE,
                Literal::new_simple_literal(&evidence.detail),
            ));
        }
    }
    for members in &groups {
        let cluster = NamedNode::new_unchecked(format!(
            "{}dataset-cluster/{}",
            layout.base(),
            short_hash(&members[0])
        ));
        let sources: BTreeSet<&str> = members
            .iter()
            .filter_map(|m| source_of.get(m.as_str()).copied())
            .collect();
        wanted.insert(Triple::new(cluster.clone(), rdf::TYPE, cg::DATASET_CLUSTER));
        wanted.insert(Triple::new(
            cluster.clone(),
            cg::MEMBER_COUNT,
            Literal::new_typed_literal(members.len().to_string(), xsd::INTEGER),
        ));
        wanted.insert(Triple::new(
            cluster.clone(),
            cg::CATALOGUE_COUNT,
            Literal::new_typed_literal(sources.len().to_string(), xsd::INTEGER),
        ));
        for member in members {
            wanted.insert(Triple::new(
                NamedNode::new_unchecked(member),
                cg::CLUSTER,
                cluster.clone(),
            ));
        }
    }

    let mut held: HashSet<Triple> = HashSet::new();
    for quad in graph
        .store()
        .quads_for_pattern(None, None, None, Some(links_graph.as_ref().into()))
    {
        held.insert(Triple::from(quad?));
    }
    let mut remove: Vec<Triple> = held.iter().filter(|t| !wanted.contains(*t)).cloned().collect();
    let mut insert: Vec<Triple> = wanted.iter().filter(|t| !held.contains(*t)).cloned().collect();
    remove.sort_by_key(ToString::to_string);
    insert.sort_by_key(ToString::to_string);
    let summary = LinkSummary {
        datasets: rows.len(),
        links: links.len(),
        clusters: groups.len(),
        added: insert.len(),
        removed: remove.len(),
    };
    if !insert.is_empty() || !remove.is_empty() {
        let mut batch = WriteBatch::new();
        batch.remove(remove.into_iter().map(|t| t.in_graph(links_graph.clone())));
        batch.insert(insert.into_iter().map(|t| t.in_graph(links_graph.clone())));
        graph.commit(batch)?;
    }
    Ok(summary)
}
