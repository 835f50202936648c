//! Writes the links into `{base}graph/links`: per link an `owl:sameAs` and a
//! `cg:DatasetLink` node with the score, the signals and the evidence; per cluster a
//! `cg:DatasetCluster` with its member and catalogue counts, and `cg:cluster` from each
//! member. Only the difference from what the graph holds is written, in one commit, so a
//! re-link of an unchanged graph writes nothing.

use super::kept::{KeptRows, Table};
use super::read::{dataset_iris, read_dataset, read_rows, read_rows_of};
use super::row::{LinkRow, Sources};
use super::{Link, LinkRecord, LinkSettings, clusters, find_in_rows};
use crate::enrich::Scope;
use crate::error::Result;
use crate::mint::hex;
use civicgraph_graph::{Graph, WriteBatch};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::owl;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, Quad, Triple};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What a linking run found and wrote.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LinkSummary {
    /// Datasets compared.
    pub datasets: usize,
    /// Datasets read from the store: all of them, unless the rows of the others were kept
    /// from the last refresh.
    pub read: usize,
    /// Links found.
    pub links: usize,
    /// Clusters (real-world datasets held by more than one source).
    pub clusters: usize,
    /// Triples added to the links graph.
    pub added: usize,
    /// Triples removed from it.
    pub removed: usize,
}

/// Every dataset's row, read from the store, and how many were read.
fn read_all(graph: &Graph) -> Result<(Vec<LinkRow>, Vec<String>, usize)> {
    let (rows, sources) = read_rows(graph.labels(), graph.layout(), &graph.layout().derived_graphs())?;
    let read = rows.len();
    Ok((rows, sources, read))
}

/// The kept `table` with the rows of the datasets of `graphs` and of `records` read anew
/// (those no longer datasets dropped), in IRI order as [`read_rows`] gives them.
fn update_rows(
    graph: &Graph,
    (mut rows, names): Table,
    graphs: &[NamedNode],
    records: &[NamedNode],
) -> Result<(Vec<LinkRow>, Vec<String>, usize)> {
    let mut again: BTreeSet<NamedNode> = records.iter().cloned().collect();
    for source in graphs {
        again.extend(dataset_iris(graph.labels(), Some(source), &[])?);
    }
    let rewritten: HashSet<&str> = graphs.iter().map(NamedNode::as_str).collect();
    let again: Vec<NamedNode> = again.into_iter().collect();
    let again_iris: HashSet<&str> = again.iter().map(NamedNode::as_str).collect();
    // A row from a rewritten source whose dataset is no longer there is one it dropped.
    rows.retain(|row| {
        !again_iris.contains(&*row.iri) && !rewritten.contains(names[row.source as usize].as_str())
    });
    let sources = Sources::from_names(names);
    let fresh = read_rows_of(graph.labels(), graph.layout(), &again, &sources)?;
    let read = fresh.len();
    rows.extend(fresh);
    rows.sort_by(|a, b| a.iri.cmp(&b.iri));
    Ok((rows, sources.into_names(), read))
}

fn short_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))[..24].to_owned()
}

/// Re-links every dataset in `graph`.
pub fn link_graph(graph: &Graph, settings: &LinkSettings) -> Result<LinkSummary> {
    link_scope(graph, settings, &Scope::All, None)
}

/// Re-links every dataset in `graph`, reading from the store only those `scope` names when
/// `kept` holds the rows of the last refresh (every dataset otherwise), and keeping this
/// run's rows in `kept` for the next.
pub fn link_scope(
    graph: &Graph,
    settings: &LinkSettings,
    scope: &Scope,
    kept: Option<&mut KeptRows>,
) -> Result<LinkSummary> {
    settings.check()?;
    let (rows, sources, read) = match kept {
        None => read_all(graph)?,
        Some(kept) => {
            let last = match scope {
                Scope::All => None,
                Scope::Sources { .. } => kept.take().unwrap_or_else(|error| {
                    tracing::warn!(
                        "the kept signature table is unreadable, so every dataset is read: {error}"
                    );
                    None
                }),
            };
            let table = match (scope, last) {
                (Scope::Sources { graphs, records }, Some(last)) => {
                    update_rows(graph, last, graphs, records)?
                }
                _ => read_all(graph)?,
            };
            kept.keep(&table.0, &table.1)?;
            table
        }
    };
    link_rows(graph, settings, rows, &sources, read)
}

/// Links the datasets of `rows` (every dataset of `graph`, in IRI order, their sources
/// numbered in `sources`), of which `read` were read from the store this run, and writes
/// what changed.
pub fn link_rows(
    graph: &Graph,
    settings: &LinkSettings,
    rows: Vec<LinkRow>,
    sources: &[String],
    read: usize,
) -> Result<LinkSummary> {
    let layout = graph.layout();
    let found = find_links_in(settings, rows, sources, read, |iri| {
        read_dataset(graph.labels(), layout, iri)
    })?;
    found.write(graph)
}

/// The links among `rows` (every dataset, in IRI order, their sources numbered in
/// `sources`, `read` of them read from the store this run), with their clusters: what a
/// linking run writes. The evidence quotes the matched keys, which the rows keep only as
/// hashes, so the first dataset of each link is read again with `dataset` (a few in a
/// hundred).
pub(crate) fn find_links_in<'a>(
    settings: &LinkSettings,
    rows: Vec<LinkRow>,
    sources: &'a [String],
    read: usize,
    dataset: impl Fn(&str) -> Result<LinkRecord> + Sync,
) -> Result<Linked<'a>> {
    settings.check()?;
    let found = find_in_rows(&rows, settings);
    let links = crate::parallel::map_in_order(&found, |found| {
        let a = dataset(&rows[found.a as usize].iri)?;
        Ok::<_, crate::IngestError>(found.clone().into_link(&rows, &a))
    })?;
    // Of the rows, only the linked datasets' sources are needed (for the clusters'
    // catalogue counts): at 2M datasets the rows with their signatures were 1.5 GB, held
    // until the end of the write, the ingest's peak.
    let source_of: HashMap<String, &str> = found
        .iter()
        .flat_map(|found| [found.a, found.b])
        .map(|row| {
            let row = &rows[row as usize];
            (row.iri.to_string(), sources[row.source as usize].as_str())
        })
        .collect();
    let datasets = rows.len();
    drop(found);
    drop(rows);
    let clusters = clusters(&links);
    Ok(Linked {
        datasets,
        read,
        links,
        clusters,
        source_of,
    })
}

/// The links a linking run found, and their clusters, not yet written.
pub(crate) struct Linked<'a> {
    datasets: usize,
    read: usize,
    links: Vec<Link>,
    /// Each cluster's members, sorted ([`clusters`]).
    clusters: Vec<Vec<String>>,
    /// The source of each linked dataset.
    source_of: HashMap<String, &'a str>,
}

impl Linked<'_> {
    /// What was found, nothing written yet.
    pub(crate) fn summary(&self) -> LinkSummary {
        LinkSummary {
            datasets: self.datasets,
            read: self.read,
            links: self.links.len(),
            clusters: self.clusters.len(),
            added: 0,
            removed: 0,
        }
    }

    /// Each cluster's members, sorted.
    pub(crate) fn clusters(&self) -> &[Vec<String>] {
        &self.clusters
    }

    /// Hands `take` the statements of the links graph `graph` (its nodes minted under
    /// `base`), about [`BULK_STEP`] at a time, and returns how many there were: a first
    /// linking streams them into the bulk loader instead of gathering millions for one
    /// commit.
    pub(crate) fn stream(
        &self,
        graph: &NamedNode,
        base: &str,
        take: &mut dyn FnMut(Vec<Quad>) -> Result<()>,
    ) -> Result<usize> {
        let mut step: Vec<Triple> = Vec::new();
        let mut count = 0;
        for item in self.items() {
            self.triples(&mut step, base, item);
            if step.len() >= BULK_STEP {
                count += step.len();
                take(in_graph(std::mem::take(&mut step), graph))?;
            }
        }
        count += step.len();
        take(in_graph(step, graph))?;
        Ok(count)
    }

    fn items(&self) -> impl Iterator<Item = Item<'_>> {
        self.links
            .iter()
            .map(Item::Link)
            .chain(self.clusters.iter().map(|members| Item::Cluster(members)))
    }

    fn triples(&self, into: &mut Vec<Triple>, base: &str, item: Item<'_>) {
        match item {
            Item::Link(link) => link_triples(into, base, link),
            Item::Cluster(members) => cluster_triples(into, base, members, &self.source_of),
        }
    }

    /// Writes the links into `graph`'s links graph: streamed into the bulk loader when it
    /// is empty, else only the difference from what it holds, in one commit.
    pub(crate) fn write(self, graph: &Graph) -> Result<LinkSummary> {
        let layout = graph.layout();
        let links_graph = layout.links_graph();
        let mut summary = self.summary();
        if let Some(mut bulk) = graph.begin_bulk(std::slice::from_ref(&links_graph))? {
            summary.added = self.stream(&links_graph, layout.base(), &mut |quads| Ok(bulk.insert(quads)?))?;
            bulk.commit()?;
            return Ok(summary);
        }

        // A re-link writes only the difference from what the graph holds.
        let mut wanted: HashSet<Triple> = HashSet::new();
        let mut mine: Vec<Triple> = Vec::new();
        for item in self.items() {
            self.triples(&mut mine, layout.base(), item);
            wanted.extend(mine.drain(..));
        }
        let mut held: HashSet<Triple> = HashSet::new();
        for quad in graph
            .store()
            .quads_for_pattern(None, None, None, Some(links_graph.as_ref().into()))
        {
            held.insert(Triple::from(quad?));
        }
        let remove: Vec<Triple> = held.iter().filter(|t| !wanted.contains(*t)).cloned().collect();
        let insert: Vec<Triple> = wanted.into_iter().filter(|t| !held.contains(t)).collect();
        summary.added = insert.len();
        summary.removed = remove.len();
        if !insert.is_empty() || !remove.is_empty() {
            let mut batch = WriteBatch::new();
            batch.remove(in_graph(remove, &links_graph));
            batch.insert(in_graph(insert, &links_graph));
            graph.commit(batch)?;
        }
        Ok(summary)
    }
}

/// Statements a first linking hands the bulk loader at a time.
const BULK_STEP: usize = 100_000;

/// What the links graph says something about.
enum Item<'a> {
    Link(&'a Link),
    Cluster(&'a [String]),
}

fn in_graph(triples: Vec<Triple>, graph: &NamedNode) -> Vec<Quad> {
    triples.into_iter().map(|t| t.in_graph(graph.clone())).collect()
}

/// Adds `triple` to `into` unless `into[from..]`, the statements of the link being added
/// (a few), holds it: two signals may name the same signal kind or quote the same evidence.
fn push_once(into: &mut Vec<Triple>, from: usize, triple: Triple) {
    if !into[from..].contains(&triple) {
        into.push(triple);
    }
}

/// Adds a link's statements to `into`: `owl:sameAs`, and its `cg:DatasetLink` node with the two
/// datasets, the score and each signal with its evidence.
fn link_triples(into: &mut Vec<Triple>, base: &str, link: &Link) {
    let decimal = crate::emit::decimal;
    let from = into.len();
    let (a, b) = (
        NamedNode::new_unchecked(&link.a),
        NamedNode::new_unchecked(&link.b),
    );
    let node = NamedNode::new_unchecked(format!(
        "{base}link/{}",
        short_hash(&format!("{} {}", link.a, link.b))
    ));
    into.push(Triple::new(a.clone(), owl::SAME_AS, b.clone()));
    into.push(Triple::new(node.clone(), rdf::TYPE, cg::DATASET_LINK));
    into.push(Triple::new(node.clone(), cg::LINKED_DATASET, a));
    into.push(Triple::new(node.clone(), cg::LINKED_DATASET, b));
    into.push(Triple::new(node.clone(), cg::SCORE, decimal(link.score)));
    for evidence in &link.evidence {
        push_once(
            into,
            from,
            Triple::new(
                node.clone(),
                cg::SIGNAL,
                Literal::new_simple_literal(evidence.signal.as_str()),
            ),
        );
        push_once(
            into,
            from,
            Triple::new(
                node.clone(),
                cg::EVIDENCE,
                Literal::new_simple_literal(&evidence.detail),
            ),
        );
    }
}

/// Adds a cluster's statements to `into`: its type, member and catalogue counts, and `cg:cluster` from
/// each member (once each: a dataset is in one cluster).
fn cluster_triples(
    into: &mut Vec<Triple>,
    base: &str,
    members: &[String],
    source_of: &HashMap<String, &str>,
) {
    let cluster = NamedNode::new_unchecked(format!("{base}dataset-cluster/{}", short_hash(&members[0])));
    let sources: BTreeSet<&str> = members
        .iter()
        .filter_map(|m| source_of.get(m.as_str()).copied())
        .collect();
    into.push(Triple::new(cluster.clone(), rdf::TYPE, cg::DATASET_CLUSTER));
    into.push(Triple::new(
        cluster.clone(),
        cg::MEMBER_COUNT,
        Literal::new_typed_literal(members.len().to_string(), xsd::INTEGER),
    ));
    into.push(Triple::new(
        cluster.clone(),
        cg::CATALOGUE_COUNT,
        Literal::new_typed_literal(sources.len().to_string(), xsd::INTEGER),
    ));
    for member in members {
        into.push(Triple::new(
            NamedNode::new_unchecked(member),
            cg::CLUSTER,
            cluster.clone(),
        ));
    }
}
