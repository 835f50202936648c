//! What each named graph holds (triples, entities, classes), kept between writes for the
//! VoID description, so that a harvester sizing the graph does not make the server count
//! the whole store again.
//!
//! A write that replaces a graph with the quads it carries (a harvest, a tagging, a
//! linking) leaves that graph's counts computed from the batch itself. A graph a write
//! changes any other way (a SPARQL update, a removal) is marked stale and counted again,
//! alone, when the counts are next asked for.
//!
//! Counts complete at a write sequence are kept on disk too (`graph-counts.json` in the data
//! directory), so a restart does not count the whole store again: they are taken back at
//! open only while the store is still at that sequence; after any other write (another
//! process, a write that died half-way) every graph is counted once, as for a store that
//! never had them. A store with nothing in it starts with its counts known.

use crate::batch::WriteBatch;
use crate::error::Result;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

/// The size of one named graph, as VoID gives it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GraphCounts {
    /// `void:triples`.
    pub triples: u64,
    /// `void:entities`: distinct subjects.
    pub entities: u64,
    /// `void:classes`: distinct objects of `rdf:type`.
    pub classes: u64,
}

impl GraphCounts {
    /// The counts of `quads` (all of one graph; duplicates count once). Hashed with FxHash:
    /// a harvest's batch is a source's every triple, and SipHash over their strings was most
    /// of what noting a commit cost.
    fn of<'a>(quads: impl Iterator<Item = QuadRef<'a>>) -> Self {
        // Sized once: grown by doubling, the sets of a large source were rehashed, and their
        // fresh pages zeroed, a dozen times.
        let (size, _) = quads.size_hint();
        let mut triples = FxHashSet::with_capacity_and_hasher(size, Default::default());
        let mut subjects = FxHashSet::with_capacity_and_hasher(size / 4, Default::default());
        let mut classes = FxHashSet::default();
        for quad in quads {
            if triples.insert((quad.subject, quad.predicate, quad.object)) {
                subjects.insert(quad.subject);
                if quad.predicate == rdf::TYPE {
                    classes.insert(quad.object);
                }
            }
        }
        Self {
            triples: triples.len() as u64,
            entities: subjects.len() as u64,
            classes: classes.len() as u64,
        }
    }

    /// Counts `graph` in `store` by SPARQL, which counts the store's encoded terms: reading
    /// the quads through the store's API decodes every term of every quad (a lookup of its
    /// string each), and after a first harvest of a million datasets that made counting the
    /// tags and harvest graphs (ten million quads) cost as much as writing them.
    fn count(store: &Store, graph: &NamedNode) -> Result<Self> {
        let [triples, entities] = count_query(
            store,
            &format!(
                "SELECT (COUNT(*) AS ?a) (COUNT(DISTINCT ?s) AS ?b) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
            ),
        )?;
        let [classes, _] = count_query(
            store,
            &format!(
                "SELECT (COUNT(DISTINCT ?c) AS ?a) (0 AS ?b) WHERE {{ GRAPH {graph} {{ ?s {} ?c }} }}",
                rdf::TYPE
            ),
        )?;
        Ok(Self {
            triples,
            entities,
            classes,
        })
    }
}

/// The two counts (`?a`, `?b`) of a query that answers one row.
fn count_query(store: &Store, sparql: &str) -> Result<[u64; 2]> {
    let QueryResults::Solutions(mut solutions) = SparqlEvaluator::new()
        .parse_query(sparql)
        .map_err(|e| crate::sparql_syntax(sparql, &e))?
        .on_store(store)
        .execute()?
    else {
        return Ok([0, 0]);
    };
    let Some(row) = solutions.next().transpose()? else {
        return Ok([0, 0]);
    };
    let number = |name: &str| match row.get(name) {
        Some(Term::Literal(literal)) => literal.value().parse().unwrap_or(0),
        _ => 0,
    };
    Ok([number("a"), number("b")])
}

/// The counts kept, and which are stale.
#[derive(Debug, Default)]
pub(crate) struct KeptCounts {
    state: Mutex<Kept>,
    /// Where complete counts are kept between processes (none in memory).
    file: Option<std::path::PathBuf>,
    /// The write sequence the file holds counts at: asking again at it writes nothing.
    saved_at: Mutex<Option<u64>>,
}

/// The counts on disk, with the write sequence they hold at.
#[derive(serde::Serialize, serde::Deserialize)]
struct OnDisk {
    sequence: u64,
    counts: BTreeMap<String, GraphCounts>,
}

/// The file in a data directory that keeps the counts.
const FILE: &str = "graph-counts.json";

#[derive(Debug)]
struct Kept {
    /// Bumped by every write: counts read before it are not kept after it.
    generation: u64,
    counts: BTreeMap<NamedNode, GraphCounts>,
    stale: HashSet<NamedNode>,
    /// Nothing is known (a new process, a restore, an update that may touch any graph).
    all_stale: bool,
}

impl Default for Kept {
    fn default() -> Self {
        Self {
            generation: 0,
            counts: BTreeMap::new(),
            stale: HashSet::new(),
            all_stale: true,
        }
    }
}

impl KeptCounts {
    /// The counts of the store in `dir`, now at write `sequence`: those kept on disk if
    /// they hold at it, none if `empty` (nothing to count), else to be counted.
    pub(crate) fn open(dir: &std::path::Path, sequence: u64, empty: bool) -> Self {
        let file = dir.join(FILE);
        let mut kept = Kept::default();
        let mut saved_at = None;
        if empty {
            kept.all_stale = false;
        } else if let Some(on_disk) = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<OnDisk>(&bytes).ok())
            .filter(|on_disk| on_disk.sequence == sequence)
        {
            kept.counts = on_disk
                .counts
                .into_iter()
                .map(|(graph, counts)| (NamedNode::new_unchecked(graph), counts))
                .collect();
            kept.all_stale = false;
            saved_at = Some(sequence);
        }
        Self {
            state: Mutex::new(kept),
            file: Some(file),
            saved_at: Mutex::new(saved_at),
        }
    }

    /// Keeps the counts on disk as holding at write `sequence`, when they are complete
    /// (none stale). A failure to write only means they are counted again after a restart.
    pub(crate) fn save(&self, sequence: u64) {
        let Some(file) = &self.file else { return };
        let mut saved_at = self.saved_at.lock().unwrap_or_else(|e| e.into_inner());
        if *saved_at == Some(sequence) {
            return;
        }
        let on_disk = {
            let kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if kept.all_stale || !kept.stale.is_empty() {
                return;
            }
            OnDisk {
                sequence,
                counts: kept
                    .counts
                    .iter()
                    .map(|(graph, counts)| (graph.as_str().to_owned(), *counts))
                    .collect(),
            }
        };
        let written = serde_json::to_vec(&on_disk)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                let partial = file.with_extension("json.partial");
                std::fs::write(&partial, bytes)?;
                std::fs::rename(&partial, file)
            });
        match written {
            Ok(()) => *saved_at = Some(sequence),
            Err(error) => tracing::warn!(
                "the graph counts could not be kept in {}: {error}",
                file.display()
            ),
        }
    }

    /// Takes note of a committed batch.
    pub(crate) fn note(&self, batch: &WriteBatch) {
        if batch.clear_all {
            self.invalidate_all();
            return;
        }
        let named = |graph: GraphNameRef<'_>| match graph {
            GraphNameRef::NamedNode(node) => Some(node.into_owned()),
            _ => None,
        };
        // Graphs changed other than by being replaced with the batch's quads.
        let mut touched: HashSet<NamedNode> = batch
            .remove
            .iter()
            .chain(&batch.tidy)
            .filter_map(|q| named(q.graph_name.as_ref()))
            .collect();
        let replaced: HashSet<NamedNode> = batch
            .replace
            .iter()
            .filter_map(|g| match g {
                GraphName::NamedNode(node) => Some(node.clone()),
                _ => None,
            })
            .collect();
        touched.extend(
            batch
                .insert
                .iter()
                .filter_map(|q| named(q.graph_name.as_ref()))
                .filter(|g| !replaced.contains(g)),
        );
        // The counts the writer gave; the others are counted from the batch (and, in a
        // build with debug assertions, the given ones too, to check them).
        let known: HashMap<&NamedNode, GraphCounts> = batch.counted.iter().map(|(g, c)| (g, *c)).collect();
        // The inserted quads of each replaced graph to count, gathered in one pass.
        let mut inserted: HashMap<&NamedNode, Vec<QuadRef<'_>>> = HashMap::new();
        for quad in &batch.insert {
            if let GraphName::NamedNode(graph) = &quad.graph_name
                && replaced.contains(graph)
                && (cfg!(debug_assertions) || !known.contains_key(graph))
            {
                inserted.entry(graph).or_default().push(quad.as_ref());
            }
        }
        let mut counted = Vec::new();
        for graph in &replaced {
            if touched.contains(graph) {
                continue;
            }
            let quads = inserted.remove(graph).unwrap_or_default();
            let counts = match known.get(graph) {
                Some(&given) => {
                    debug_assert_eq!(
                        given,
                        GraphCounts::of(quads.into_iter()),
                        "the counts given for {graph}"
                    );
                    given
                }
                None => GraphCounts::of(quads.into_iter()),
            };
            counted.push((graph.clone(), counts));
        }
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        kept.generation += 1;
        for (graph, counts) in counted {
            kept.stale.remove(&graph);
            if counts.triples == 0 {
                kept.counts.remove(&graph);
            } else {
                kept.counts.insert(graph, counts);
            }
        }
        kept.stale.extend(touched);
    }

    /// Takes note of a write into `graphs` whose quads were not kept: they are counted
    /// again when asked for.
    pub(crate) fn note_touched(&self, graphs: impl IntoIterator<Item = NamedNode>) {
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        kept.generation += 1;
        kept.stale.extend(graphs);
    }

    /// Forgets everything: after a write whose graphs are not known.
    pub(crate) fn invalidate_all(&self) {
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        kept.generation += 1;
        kept.all_stale = true;
        kept.counts.clear();
    }

    /// The counts of every non-empty named graph of `store`, counting only the stale ones.
    pub(crate) fn get(&self, store: &Store) -> Result<BTreeMap<NamedNode, GraphCounts>> {
        let (generation, all_stale, stale, mut counts) = {
            let kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
            (
                kept.generation,
                kept.all_stale,
                kept.stale.clone(),
                kept.counts.clone(),
            )
        };
        let mut recounted = Vec::new();
        if all_stale {
            counts.clear();
            for graph in store.named_graphs() {
                let graph = graph?;
                if let NamedOrBlankNode::NamedNode(node) = &graph {
                    recounted.push((node.clone(), GraphCounts::count(store, node)?));
                }
            }
        } else {
            for graph in stale {
                let counted = GraphCounts::count(store, &graph)?;
                recounted.push((graph, counted));
            }
        }
        for (graph, counted) in &recounted {
            if counted.triples == 0 {
                counts.remove(graph);
            } else {
                counts.insert(graph.clone(), *counted);
            }
        }
        let mut kept = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // A write since the counting began may have changed them: keep nothing then.
        if kept.generation == generation {
            kept.counts.clone_from(&counts);
            kept.stale.clear();
            kept.all_stale = false;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Graph, Layout};
    use oxigraph::model::{Literal, Triple};

    fn triples(n: usize) -> Vec<Triple> {
        (0..n)
            .flat_map(|i| {
                let s = NamedNode::new_unchecked(format!("http://ex/d/{i}"));
                [
                    Triple::new(
                        s.clone(),
                        rdf::TYPE,
                        NamedNode::new_unchecked("http://ex/Dataset"),
                    ),
                    Triple::new(s, NamedNode::new_unchecked("http://ex/title"), Literal::from("t")),
                ]
            })
            .collect()
    }

    /// A SPARQL update into `graph` (a change no batch carries): one more class.
    fn add_a_class(graph: &Graph, into: &NamedNode) {
        let update = format!(
            "INSERT DATA {{ GRAPH <{}> {{ <http://ex/x> a <http://ex/Other> }} }}",
            into.as_str()
        );
        graph.update(&update, &Default::default()).unwrap();
    }

    #[test]
    fn complete_counts_survive_a_restart_until_another_write() {
        let dir = tempfile::tempdir().unwrap();
        let a = Layout::default().source_graph("a").unwrap();
        let before = {
            let graph = Graph::open(dir.path(), Layout::default()).unwrap();
            // A new store's counts are known: nothing to count.
            assert!(!graph.counts.state.lock().unwrap().all_stale);
            graph.commit(WriteBatch::replace_graph(&a, triples(3))).unwrap();
            graph.graph_counts().unwrap()
        };
        assert_eq!(before[&a].entities, 3);
        {
            let graph = Graph::open(dir.path(), Layout::default()).unwrap();
            // Taken back from the file, not counted again.
            assert!(!graph.counts.state.lock().unwrap().all_stale);
            assert_eq!(graph.graph_counts().unwrap(), before);
            // A write the file does not hold, and no count after it.
            add_a_class(&graph, &a);
        }
        // The store moved past the file's sequence: everything is counted again, rightly.
        let graph = Graph::open(dir.path(), Layout::default()).unwrap();
        assert!(graph.counts.state.lock().unwrap().all_stale);
        let counts = graph.graph_counts().unwrap();
        assert_eq!(counts[&a].classes, 2);
        assert_eq!(counts, KeptCounts::default().get(graph.store()).unwrap());
    }

    #[test]
    fn counts_follow_replacements_and_updates_and_match_a_fresh_count() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let a = graph.layout().source_graph("a").unwrap();
        graph.commit(WriteBatch::replace_graph(&a, triples(3))).unwrap();
        let counts = graph.graph_counts().unwrap();
        assert_eq!(
            counts[&a],
            GraphCounts {
                triples: 6,
                entities: 3,
                classes: 1
            }
        );
        // Replaced by a batch: counted from it.
        graph.commit(WriteBatch::replace_graph(&a, triples(5))).unwrap();
        assert_eq!(graph.graph_counts().unwrap()[&a].entities, 5);
        // Changed by an update: counted again.
        add_a_class(&graph, &a);
        let kept = graph.graph_counts().unwrap();
        assert_eq!(kept[&a].classes, 2);
        // What is kept is what a fresh count finds.
        let fresh = KeptCounts::default().get(graph.store()).unwrap();
        assert_eq!(kept, fresh);
        // A graph replaced by nothing is gone.
        graph.commit(WriteBatch::replace_graph(&a, Vec::new())).unwrap();
        assert!(!graph.graph_counts().unwrap().contains_key(&a));
    }
}
