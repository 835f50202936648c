//! [`BulkWrite`]: a first write into empty graphs too large to gather before committing,
//! streamed a step at a time into Oxigraph's bulk loader and made visible by its one commit.
//!
//! The first tagging of a million records writes about seven million quads. Gathered into
//! one [`WriteBatch`](crate::WriteBatch) they were the ingest's peak memory; streamed, each
//! step's quads go to the loader's sorted files as they are made, and readers still see all
//! of them or none, as with [`Graph::commit`].

use crate::error::{GraphError, Result};
use crate::graph::{Graph, WriteReport, Written, note_affected, rebuild_rather_than_follow};
use crate::records::Record;
use crate::search::index::IndexRebuild;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use oxigraph::store::BulkLoader;
use std::collections::HashSet;
use std::sync::MutexGuard;
use std::time::Instant;

/// An open streamed write (see the module). It holds the graph's write lock from
/// [`Graph::begin_bulk`] to [`BulkWrite::commit`], so no other write can fill the graphs it
/// found empty; dropped without committing, it writes nothing.
pub struct BulkWrite<'g> {
    graph: &'g Graph,
    _lock: MutexGuard<'g, ()>,
    loader: BulkLoader<'g>,
    /// The graphs written into, which were empty.
    graphs: Vec<NamedNode>,
    /// The subjects written, until a rebuild of the index is worth more than following them
    /// ([`rebuild_rather_than_follow`]): then they are no longer kept.
    affected: Option<HashSet<NamedNode>>,
    inserted: usize,
    started: Instant,
    /// The whole index anew, when the writer gives it every record ([`BulkWrite::rebuild_index`]).
    index: Option<IndexRebuild<'g>>,
}

impl std::fmt::Debug for BulkWrite<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkWrite")
            .field("graphs", &self.graphs)
            .field("inserted", &self.inserted)
            .finish_non_exhaustive()
    }
}

impl Graph {
    /// Starts a streamed write into `graphs`, or returns `None` when one of them is not
    /// empty (then the write must go through [`Graph::commit`], which can replace).
    ///
    /// Until the write is committed or dropped, other writers wait.
    pub fn begin_bulk(&self, graphs: &[NamedNode]) -> Result<Option<BulkWrite<'_>>> {
        let lock = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let names: Vec<GraphName> = graphs.iter().cloned().map(GraphName::from).collect();
        if !self.all_empty(&names)? {
            return Ok(None);
        }
        Ok(Some(BulkWrite {
            graph: self,
            _lock: lock,
            loader: self.store.bulk_loader(),
            graphs: graphs.to_vec(),
            affected: Some(HashSet::new()),
            inserted: 0,
            started: Instant::now(),
            index: None,
        }))
    }
}

impl BulkWrite<'_> {
    /// Makes this write replace the whole index at its commit with the records given to
    /// [`BulkWrite::index`], instead of re-reading from the store what it touched: for a
    /// writer that reads every record anyway (a first refresh reads each once, for the
    /// tagger, the linker and the index alike). The writer must give every record the store
    /// will hold once this write commits, as it will read then; until then searches answer
    /// from the index as it was.
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.index = Some(self.graph.index.begin_rebuild()?);
        self.affected = None;
        Ok(())
    }

    /// Adds `record`'s document to the index this write rebuilds ([`BulkWrite::rebuild_index`]).
    pub fn index(&mut self, record: &Record) -> Result<()> {
        match &mut self.index {
            Some(index) => index.add(record),
            None => Err(GraphError::NoIndexRebuild),
        }
    }

    /// Adds `quads`, each into one of the write's graphs; readers see none of them before
    /// [`BulkWrite::commit`].
    pub fn insert(&mut self, quads: Vec<Quad>) -> Result<()> {
        for quad in &quads {
            match &quad.graph_name {
                GraphName::NamedNode(graph) if self.graphs.contains(graph) => {}
                other => {
                    return Err(GraphError::BulkOutsideGraphs {
                        graph: other.to_string(),
                    });
                }
            }
        }
        if let Some(affected) = &mut self.affected {
            let not_indexed = self.graph.not_indexed();
            for quad in &quads {
                if quad.graph_name != not_indexed {
                    note_affected(affected, &quad.subject, &quad.predicate, &quad.object);
                }
            }
            if rebuild_rather_than_follow(affected.len(), self.graph.indexed_records()) {
                self.affected = None;
            }
        }
        self.inserted += quads.len();
        self.loader.load_quads(quads)?;
        Ok(())
    }

    /// How many quads were added so far.
    pub fn inserted(&self) -> usize {
        self.inserted
    }

    /// Makes every quad added visible at once, then brings the index up to date (or notes
    /// what it must catch up with, while deferred), as [`Graph::commit`] does. A write that
    /// added nothing changes nothing.
    pub fn commit(self) -> Result<WriteReport> {
        let BulkWrite {
            graph,
            _lock,
            loader,
            graphs,
            affected,
            inserted,
            started,
            index,
        } = self;
        let previous = graph.write_sequence()?;
        if inserted == 0 {
            // An index rebuild given nothing to store with is dropped: the index stays as it
            // was, and a deferred index still catches up with what it has not seen.
            drop(index);
            return Ok(WriteReport {
                sequence: previous,
                ..WriteReport::default()
            });
        }
        let sequence = previous + 1;
        let prepared = started.elapsed();
        // From here until it is finished, a crash leaves the index to be rebuilt at open.
        graph.sequence.begin(sequence)?;
        if let Err(error) = loader.commit() {
            graph.counts.invalidate_all();
            graph.labels.invalidate();
            return Err(error.into());
        }
        let stored = started.elapsed();
        if graph.writes_source_data(graphs.iter().map(|g| GraphNameRef::NamedNode(g.as_ref()))) {
            graph.note_source_write();
        }
        graph.counts.note_touched(graphs);
        graph.finish_write(
            Written {
                sequence,
                everything: affected.is_none(),
                affected: affected.unwrap_or_default(),
                inserted,
                bulk: true,
            },
            index,
            started,
            prepared,
            stored,
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{Graph, Layout, WriteBatch};
    use oxigraph::model::{GraphNameRef, Literal, NamedNode, Quad};

    fn quads(graph: &NamedNode, from: usize, to: usize) -> Vec<Quad> {
        (from..to)
            .map(|i| {
                Quad::new(
                    NamedNode::new_unchecked(format!("https://example.org/tag/{i}")),
                    NamedNode::new_unchecked("https://example.org/p"),
                    Literal::from(i as i64),
                    graph.clone(),
                )
            })
            .collect()
    }

    fn count(graph: &Graph, name: &NamedNode) -> usize {
        graph
            .store()
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name.as_ref())))
            .count()
    }

    #[test]
    fn streamed_steps_become_visible_together_at_the_commit() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let tags = NamedNode::new_unchecked("https://example.org/graph/tags");
        let before = graph.write_sequence().unwrap();
        let mut write = graph.begin_bulk(std::slice::from_ref(&tags)).unwrap().unwrap();
        write.insert(quads(&tags, 0, 600)).unwrap();
        write.insert(quads(&tags, 600, 1000)).unwrap();
        assert_eq!(count(&graph, &tags), 0, "nothing is visible before the commit");
        let report = write.commit().unwrap();
        assert_eq!(report.inserted, 1000);
        assert!(report.bulk);
        assert_eq!(report.sequence, before + 1);
        assert_eq!(count(&graph, &tags), 1000);
        assert_eq!(graph.graph_counts().unwrap()[&tags].triples, 1000);
    }

    #[test]
    fn a_graph_holding_quads_or_a_quad_elsewhere_is_refused_and_a_drop_writes_nothing() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let tags = NamedNode::new_unchecked("https://example.org/graph/tags");
        let other = NamedNode::new_unchecked("https://example.org/graph/other");
        let mut write = graph.begin_bulk(std::slice::from_ref(&tags)).unwrap().unwrap();
        assert!(write.insert(quads(&other, 0, 3)).is_err());
        write.insert(quads(&tags, 0, 3)).unwrap();
        drop(write);
        assert_eq!(count(&graph, &tags), 0);
        let mut batch = WriteBatch::new();
        batch.insert(quads(&tags, 0, 1));
        graph.commit(batch).unwrap();
        assert!(graph.begin_bulk(std::slice::from_ref(&tags)).unwrap().is_none());
        let sequence = graph.write_sequence().unwrap();
        let empty = graph.begin_bulk(std::slice::from_ref(&other)).unwrap().unwrap();
        assert_eq!(
            empty.commit().unwrap().sequence,
            sequence,
            "an empty write bumps nothing"
        );
    }

    /// A first harvest holds the store's merging while it bulk-loads source after source:
    /// every load must still read back whole, before and after the one compaction, and
    /// the store must write as usual once merging is given back.
    #[test]
    fn loads_made_while_merging_is_held_read_back_whole_before_and_after_the_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let graph = Graph::open(dir.path(), Layout::default()).unwrap();
        graph.hold_merges(true).unwrap();
        let sources: Vec<NamedNode> = (0..4)
            .map(|i| NamedNode::new_unchecked(format!("https://example.org/graph/source/{i}")))
            .collect();
        for (i, source) in sources.iter().enumerate() {
            let report = graph
                .commit(WriteBatch::replace_graph(
                    source,
                    quads(source, i * 20_000, (i + 1) * 20_000)
                        .into_iter()
                        .map(|q| oxigraph::model::Triple::new(q.subject, q.predicate, q.object)),
                ))
                .unwrap();
            assert!(report.bulk, "{report:?}");
        }
        let sst_files = || {
            std::fs::read_dir(dir.path().join("store"))
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sst"))
                .count()
        };
        let held = sst_files();
        for source in &sources {
            assert_eq!(count(&graph, source), 20_000);
        }
        graph.compact().unwrap();
        assert!(
            sst_files() < held,
            "the compaction merged the loads' files: {held} → {}",
            sst_files()
        );
        graph.hold_merges(false).unwrap();
        for source in &sources {
            assert_eq!(count(&graph, source), 20_000);
        }
        let mut batch = WriteBatch::new();
        batch.insert(quads(&sources[0], 100_000, 100_003));
        graph.commit(batch).unwrap();
        assert_eq!(count(&graph, &sources[0]), 20_003);
    }
}
