//! [`Graph`]: the store and the index behind one write path, and the repair at open.

use crate::batch::WriteBatch;
use crate::error::{GraphError, Result};
use crate::graph_counts::{GraphCounts, KeptCounts};
use crate::labels::{LabelCache, Labels};
use crate::layout::Layout;
use crate::records::{Record, RecordKind, RecordReader};
use crate::search::index::{IndexRebuild, SearchIndex};
use crate::search::{SearchFilter, SearchHit, SearchPage, SearchRequest};
use crate::sequence::Sequence;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::dcat;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::store::{Store, Transaction};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The knowledge graph: an Oxigraph store plus a full-text index of the same records.
///
/// Reads go straight to [`Graph::store`]; every write goes through [`Graph::commit`], which
/// is what keeps the index in step with the store.
pub struct Graph {
    pub(crate) store: Store,
    pub(crate) index: Arc<SearchIndex>,
    pub(crate) layout: Layout,
    dir: Option<PathBuf>,
    /// Serialises writers: two concurrent commits could otherwise both read sequence N and
    /// both write N + 1, and the index could apply them out of order.
    pub(crate) write_lock: Mutex<()>,
    /// While set ([`Graph::defer_index`]), what the index has yet to catch up with.
    deferred: Mutex<Option<DeferredIndex>>,
    /// Labels resolved since the last write.
    pub(crate) labels: LabelCache,
    /// Each named graph's size, kept between writes.
    pub(crate) counts: KeptCounts,
    /// The number of the last committed write, kept beside the store.
    pub(crate) sequence: Sequence,
    /// Writes this process made to the graphs tagging and linking read: see
    /// [`Graph::source_writes`].
    source_writes: std::sync::atomic::AtomicU64,
    /// Whether the store's merging is held ([`Graph::hold_merges`]).
    merges_held: std::sync::atomic::AtomicBool,
}

/// The records written since [`Graph::defer_index`].
#[derive(Debug, Default)]
struct DeferredIndex {
    everything: bool,
    affected: HashSet<NamedNode>,
}

impl DeferredIndex {
    /// Notes a write. Once the writes touched at least half of the `indexed` records,
    /// catching up rebuilds the whole index, so their IRIs are no longer kept: a harvest
    /// of a million datasets would otherwise hold millions of them until the end.
    fn note(&mut self, everything: bool, affected: HashSet<NamedNode>, indexed: u64) {
        if !self.everything && !everything {
            self.affected.extend(affected);
        }
        if everything || rebuild_rather_than_follow(self.affected.len(), indexed) {
            self.everything = true;
            self.affected = HashSet::new();
        }
    }
}

/// Whether writes that touched `affected` records of the `indexed` ones are better caught
/// up by rebuilding the whole index than record by record: from half of them on, reading
/// every record in one ordered pass costs less, and their IRIs need not be kept.
pub(crate) fn rebuild_rather_than_follow(affected: usize, indexed: u64) -> bool {
    affected as u64 * 2 >= indexed.max(1)
}

/// A batch inserting at least this many quads into graphs that are empty goes through
/// Oxigraph's bulk loader, which writes sorted files and adds them to the store in one step
/// at its commit: as atomic for readers as a transaction, and many times faster for a large
/// write, which a transaction holds in memory, key by key, until it commits.
pub const BULK_MIN_QUADS: usize = 10_000;

/// A bulk write of at least this many quads is loaded on every core (see
/// `Graph::commit_bulk`); below it, the threads cost more than they save.
const SPLIT_LOAD_FROM_QUADS: usize = 100_000;

/// The bulk loader holds what it is given encoded at once (about 160 bytes a quad, and
/// the keys of two indexes being sorted): a larger write (a restore) is given this many
/// quads at a time, each part loaded as one file per index.
const LOAD_SLICE_QUADS: usize = 2_000_000;

/// A write the store holds, as [`Graph::finish_write`] completes it.
pub(crate) struct Written {
    /// Its number.
    pub sequence: u64,
    /// Whether it may have touched any record (the index is rebuilt).
    pub everything: bool,
    /// Otherwise, the subjects whose index documents it may have changed.
    pub affected: HashSet<NamedNode>,
    /// Quads inserted.
    pub inserted: usize,
    /// Whether the bulk loader wrote it.
    pub bulk: bool,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("dir", &self.dir)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

/// What a commit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteReport {
    /// The write sequence number of this commit.
    pub sequence: u64,
    /// How many quads were inserted.
    pub inserted: usize,
    /// How many index documents were rewritten.
    pub reindexed: usize,
    /// Milliseconds finding the records the write touches and building the write.
    pub prepare_ms: u64,
    /// Milliseconds writing the store.
    pub store_ms: u64,
    /// Milliseconds updating the index (0 while it is deferred).
    pub index_ms: u64,
    /// Whether the quads went through the bulk loader.
    pub bulk: bool,
}

impl Graph {
    /// Opens (or creates) the graph in `dir`: the store in `dir/store`, the index in
    /// `dir/index`. If the index does not mirror the store's last write, it is rebuilt.
    pub fn open(dir: &Path, layout: Layout) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|source| GraphError::Io {
            source_name: dir.display().to_string(),
            source,
        })?;
        let store_dir = dir.join("store");
        let store = Store::open(&store_dir).map_err(|source| GraphError::OpenStore {
            path: store_dir,
            source,
        })?;
        let index = Arc::new(SearchIndex::open(Some(&dir.join("index")))?);
        let (sequence, found) = Sequence::open(dir)?;
        let empty = store.is_empty()?;
        let counts = KeptCounts::open(dir, sequence.current(), empty);
        let graph = Self {
            store,
            index,
            layout,
            dir: Some(dir.to_owned()),
            write_lock: Mutex::new(()),
            deferred: Mutex::new(None),
            labels: LabelCache::default(),
            counts,
            source_writes: Default::default(),
            merges_held: Default::default(),
            sequence,
        };
        if found.is_none() {
            graph.move_legacy_sequence()?;
        }
        graph.repair_index()?;
        Ok(graph)
    }

    /// A store written before the sequence left it keeps it as a triple in its
    /// `graph/system`: the number moves to the sequence file and the graph goes.
    fn move_legacy_sequence(&self) -> Result<()> {
        let system = self.layout.legacy_system_graph();
        let mut number = None;
        for quad in self.store.quads_for_pattern(
            Some(system.as_ref().into()),
            Some(cg::WRITE_SEQUENCE),
            None,
            Some(system.as_ref().into()),
        ) {
            if let Term::Literal(literal) = quad?.object {
                number = literal.value().parse::<u64>().ok();
            }
        }
        let number = number.unwrap_or(0);
        // The file first: killed before the graph goes, the next open still has the number.
        self.sequence.finish(number)?;
        if self.store.contains_named_graph(system.as_ref())? {
            self.store.remove_named_graph(system.as_ref())?;
        }
        Ok(())
    }

    /// A graph held in memory only, for tests and one-off tools.
    pub fn in_memory(layout: Layout) -> Result<Self> {
        Ok(Self {
            store: Store::new()?,
            index: Arc::new(SearchIndex::open(None)?),
            layout,
            dir: None,
            write_lock: Mutex::new(()),
            deferred: Mutex::new(None),
            labels: LabelCache::default(),
            counts: KeptCounts::default(),
            source_writes: Default::default(),
            merges_held: Default::default(),
            sequence: Sequence::in_memory(),
        })
    }

    /// The Oxigraph store, for reads. Writing to it directly bypasses the index: use
    /// [`Graph::commit`].
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The one label resolution, over this graph's store, cached until its next write.
    pub fn labels(&self) -> Labels<'_> {
        Labels::new(&self.store, &self.labels)
    }

    /// The triples, entities and classes of every non-empty named graph, from the counts
    /// kept between writes: only graphs changed since they were last counted, other than by
    /// being replaced with a batch's quads, are counted again.
    pub fn graph_counts(&self) -> Result<std::collections::BTreeMap<NamedNode, GraphCounts>> {
        let before = self.finished_write();
        let counts = self.counts.get(&self.store)?;
        // Kept on disk only when no write began or ended while they were counted.
        if self.finished_write() == before && self.write_sequence()? == before {
            self.counts.save(before);
        }
        Ok(counts)
    }

    /// The store layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The data directory, for a graph on disk.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The number of the last committed write (0 for a new store).
    pub fn write_sequence(&self) -> Result<u64> {
        Ok(self.sequence.current())
    }

    /// The number of the last write known to be in the store: a write in progress is not.
    /// A reader that starts after it sees every write up to it.
    pub fn finished_write(&self) -> u64 {
        self.sequence.finished()
    }

    /// The write sequence the index mirrors, if it has committed at all.
    pub fn index_sequence(&self) -> Result<Option<u64>> {
        self.index.committed_sequence()
    }

    /// Rebuilds the index if it does not mirror the store's last write; returns whether it
    /// had to. A write left pending (begun, never finished) is marked done once the index
    /// holds it.
    pub fn repair_index(&self) -> Result<bool> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let store_sequence = self.write_sequence()?;
        let index_sequence = self.index.committed_sequence()?;
        // The index commits after the store: if it has the pending write, so has the store.
        if index_sequence == Some(store_sequence) {
            if self.sequence.pending() {
                self.sequence.finish(store_sequence)?;
            }
            return Ok(false);
        }
        if index_sequence.is_none() && self.store.is_empty()? {
            // A new data directory: nothing to repair, just mark the empty index in step.
            self.index.rebuild(std::iter::empty(), store_sequence)?;
            self.sequence.finish(store_sequence)?;
            return Ok(false);
        }
        tracing::warn!(
            store_sequence,
            ?index_sequence,
            pending = self.sequence.pending(),
            "search index does not mirror the store; rebuilding it"
        );
        self.rebuild_index(store_sequence, &mut |_| {})?;
        self.sequence.finish(store_sequence)?;
        Ok(true)
    }

    /// Rebuilds the index from the store; `progress` is called with the records done so far.
    pub fn reindex(&self, progress: &mut dyn FnMut(usize)) -> Result<usize> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let sequence = self.write_sequence()?;
        self.rebuild_index(sequence, progress)
    }

    /// Rebuilds the index from the store. Records are read on several threads (reading is
    /// most of the work: a few lookups per record, each decoding terms) and streamed into
    /// the index writer, so memory does not grow with the number of records; a read error
    /// leaves the index as it was.
    pub(crate) fn rebuild_index(&self, sequence: u64, progress: &mut dyn FnMut(usize)) -> Result<usize> {
        let subjects: Vec<NamedNode> = self.record_subjects()?.into_iter().collect();
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, 4);
        let chunk = subjects.len().div_ceil(threads).max(1);
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Record>>(4096);
        let labels = self.labels();
        let layout = &self.layout;
        let count = std::thread::scope(|scope| {
            for part in subjects.chunks(chunk) {
                let sender = sender.clone();
                scope.spawn(move || {
                    let mut reader = RecordReader::new(labels, layout);
                    for subject in part {
                        let sent = match reader.read(subject.as_ref()) {
                            Ok(Some(record)) => sender.send(Ok(record)),
                            Ok(None) => Ok(()),
                            Err(error) => sender.send(Err(error)),
                        };
                        if sent.is_err() {
                            return; // the writer stopped
                        }
                    }
                });
            }
            drop(sender);
            let mut done = 0;
            let records = receiver.iter().inspect(|_| {
                done += 1;
                if done % 1000 == 0 {
                    progress(done);
                }
            });
            self.index.rebuild(records, sequence)
        })?;
        progress(count);
        tracing::info!(records = count, sequence, "search index rebuilt");
        Ok(count)
    }

    /// Every IRI typed as a dataset, case study or catalogue, in any graph: the records the
    /// index holds.
    pub fn record_subjects(&self) -> Result<BTreeSet<NamedNode>> {
        crate::records::typed_records(&self.store, &RecordKind::EVERY)
            .map(|typed| typed.map(|t| t.iri))
            .collect()
    }

    /// The one write path: applies `batch` atomically, bumping the write sequence, then
    /// brings the index up to date and commits it with the same sequence.
    ///
    /// Readers of the store see either all of the batch or none of it. If the process dies
    /// between the two commits, the next [`Graph::open`] sees the sequences differ and
    /// rebuilds the index. A large batch that only inserts into empty graphs (a first
    /// tagging or linking) goes through the bulk loader (see [`BULK_MIN_QUADS`]).
    pub fn commit(&self, batch: WriteBatch) -> Result<WriteReport> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let started = std::time::Instant::now();
        let previous = self.write_sequence()?;
        if batch.is_empty() {
            return Ok(WriteReport {
                sequence: previous,
                ..WriteReport::default()
            });
        }
        let affected = if batch.clear_all || self.catching_up_everything() {
            HashSet::new()
        } else {
            self.affected_subjects(&batch)?
        };
        let sequence = previous + 1;
        // Removals cannot join the loader's commit, and made apart from it they would let a
        // reader (or a process killed in between) see the new quads beside the old ones.
        // A restore (`clear_all`) into a store holding only bookkeeping is a first load too:
        // nothing a reader could see half-replaced.
        let bulk = batch.remove.is_empty()
            && batch.insert.len() >= BULK_MIN_QUADS
            && if batch.clear_all {
                self.holds_only_bookkeeping()?
            } else {
                self.all_empty(&batch.replace)?
            };
        let affected_at;
        // From here until it is finished, a crash leaves the index to be rebuilt at open.
        self.sequence.begin(sequence)?;
        if bulk {
            affected_at = started.elapsed();
            if let Err(error) = self.commit_bulk(&batch) {
                // Its first steps may have committed (the clear, the load before a failed
                // tidy): what was kept of the store may no longer hold.
                self.counts.invalidate_all();
                self.labels.invalidate();
                return Err(error);
            }
        } else {
            let mut transaction = self.store.start_transaction()?;
            if batch.clear_all {
                transaction.clear()?;
            }
            for graph in &batch.replace {
                match graph {
                    GraphName::NamedNode(node) => transaction.remove_named_graph(node)?,
                    GraphName::BlankNode(node) => transaction.remove_named_graph(node)?,
                    GraphName::DefaultGraph => transaction.clear_graph(GraphNameRef::DefaultGraph)?,
                }
            }
            remove_all(&mut transaction, &batch.remove);
            transaction.extend(batch.insert.iter().map(Quad::as_ref));
            remove_all(&mut transaction, &batch.tidy);
            affected_at = started.elapsed();
            if let Err(error) = transaction.commit() {
                // Nothing was written: the sequence stays where it was.
                self.sequence.finish(previous)?;
                return Err(error.into());
            }
        }
        let stored_at = started.elapsed();
        self.counts.note(&batch);
        if batch.clear_all || self.writes_source_data(batch.graphs()) {
            self.note_source_write();
        }
        self.finish_write(
            Written {
                sequence,
                everything: batch.clear_all,
                affected,
                inserted: batch.insert.len(),
                bulk,
            },
            None,
            started,
            affected_at,
            stored_at,
        )
    }

    /// How many writes this process has made to graphs other than civicgraph's own (tags,
    /// links, harvest records, vocabulary): to what tagging and linking read. A harvest of
    /// a source that came back the same writes only its run's record, so a pipeline that
    /// sees the same number as at its last refresh knows a refresh would change nothing.
    /// A SPARQL update counts whatever it touched.
    pub fn source_writes(&self) -> u64 {
        self.source_writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn note_source_write(&self) {
        self.source_writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether any of `graphs` holds what a source said (or a client wrote), not what
    /// civicgraph derived or recorded. A batch names a graph per quad: the derived graphs'
    /// names are made once, not per quad.
    pub(crate) fn writes_source_data<'a>(&self, graphs: impl IntoIterator<Item = GraphNameRef<'a>>) -> bool {
        let derived = self.layout.derived_graphs();
        graphs.into_iter().any(|graph| match graph {
            GraphNameRef::NamedNode(node) => !derived.iter().any(|d| d.as_ref() == node),
            _ => true,
        })
    }

    /// The end of every write once the store holds it: the index follows (or notes what to
    /// catch up with, while deferred), the write's number is marked done, and the write is
    /// reported. `prepared` and `stored` are the times since `started` at which the write
    /// was ready and then stored. A write that `rebuilt` the whole index beside it
    /// ([`crate::BulkWrite::rebuild_index`]) commits that index as this write instead, and
    /// a deferred index has nothing left to catch up with.
    pub(crate) fn finish_write(
        &self,
        written: Written,
        rebuilt: Option<IndexRebuild<'_>>,
        started: std::time::Instant,
        prepared: std::time::Duration,
        stored: std::time::Duration,
    ) -> Result<WriteReport> {
        let Written {
            sequence,
            everything,
            affected,
            inserted,
            bulk,
        } = written;
        let reindexed = match rebuilt {
            None => self.follow_or_defer(everything, affected, sequence),
            Some(index) => {
                self.labels.invalidate();
                let count = index.commit(sequence);
                if count.is_ok()
                    && let Some(deferred) = self.deferred.lock().unwrap_or_else(|e| e.into_inner()).as_mut()
                {
                    *deferred = DeferredIndex::default();
                }
                count
            }
        }
        .map_err(|source| GraphError::IndexBehind {
            sequence,
            source: Box::new(source),
        })?;
        self.sequence.finish(sequence)?;
        let report = WriteReport {
            sequence,
            inserted,
            reindexed,
            prepare_ms: prepared.as_millis() as u64,
            store_ms: (stored - prepared).as_millis() as u64,
            index_ms: (started.elapsed() - stored).as_millis() as u64,
            bulk,
        };
        tracing::info!(
            sequence,
            quads = report.inserted,
            records = reindexed,
            bulk,
            prepare_ms = report.prepare_ms,
            store_ms = report.store_ms,
            index_ms = report.index_ms,
            "committed"
        );
        Ok(report)
    }

    /// The graph whose statements no index document shows: the links graph's
    /// (`owl:sameAs`, clusters, link nodes) are shown on record pages, read from the store,
    /// but no document holds them, so a write there re-reads no record (a first linking of
    /// a million datasets would otherwise re-read the hundred thousand it clusters).
    pub(crate) fn not_indexed(&self) -> GraphName {
        self.layout.links_graph().into()
    }

    /// Whether every graph in `graphs` is empty.
    pub(crate) fn all_empty(&self, graphs: &[GraphName]) -> Result<bool> {
        for graph in graphs {
            if self
                .store
                .quads_for_pattern(None, None, None, Some(graph.as_ref()))
                .next()
                .is_some()
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether the store holds nothing but the vocabulary: a new data directory, or one
    /// restored into but killed before the load.
    pub(crate) fn holds_only_bookkeeping(&self) -> Result<bool> {
        if self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .next()
            .is_some()
        {
            return Ok(false);
        }
        let vocabulary = self.layout.vocab_graph();
        for graph in self.store.named_graphs() {
            let graph = graph?;
            if matches!(&graph, NamedOrBlankNode::NamedNode(n) if *n == vocabulary) {
                continue;
            }
            if self
                .store
                .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
                .next()
                .is_some()
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Writes a batch that only inserts, into graphs that are empty (or, for a restore, into
    /// a store holding only the vocabulary, which the first step clears), with the bulk
    /// loader.
    ///
    /// The write's number is already marked pending: should the process die before the
    /// loader commits, the next open rebuilds the index. The loader's commit adds all the
    /// quads at once; the batch's tidy removals follow it.
    fn commit_bulk(&self, batch: &WriteBatch) -> Result<()> {
        if batch.clear_all {
            self.store.clear()?;
        }
        // The loader encodes the borrowed quads on every core, then builds each index's
        // one file on one of them (`vendor/oxigraph/PATCHED.md`).
        let threads = if batch.insert.len() >= SPLIT_LOAD_FROM_QUADS {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            1
        };
        let mut loader = self.store.bulk_loader().with_num_threads(threads);
        for part in batch.insert.chunks(LOAD_SLICE_QUADS) {
            loader.load_quad_slice(part)?;
        }
        loader.commit()?;
        if !batch.tidy.is_empty() {
            let mut transaction = self.store.start_transaction()?;
            remove_all(&mut transaction, &batch.tidy);
            transaction.commit()?;
        }
        Ok(())
    }

    /// Compacts the store: merges the files a run of large writes leaves behind (each bulk
    /// load adds its own, each replaced graph leaves deletion markers) into one sorted run
    /// per index. Queries then read one file per lookup instead of many: on the benchmark's
    /// SPARQL mix a freshly harvested store answered 1.6 times faster once compacted. Costs
    /// about one rewrite of the store, so `civicgraph harvest` calls it once, at its end.
    pub fn compact(&self) -> Result<()> {
        self.store.optimize()?;
        Ok(())
    }

    /// While `on`, the store merges none of its files by itself (see
    /// `vendor/oxigraph/PATCHED.md`): for a run that bulk-loads source after source into an
    /// empty store and then [`Graph::compact`]s once. Without it, each load set off the
    /// store's own merging of everything loaded before (a fifth of a first harvest's work
    /// at 30,000 datasets, more at a million). Off again, it merges as usual.
    pub fn hold_merges(&self, on: bool) -> Result<()> {
        self.store.prepare_for_bulk_ingest(on)?;
        self.merges_held.store(on, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// Compacts the store and gives its merging back, if [`Graph::hold_merges`] held it;
    /// returns the milliseconds the compaction took. For the point of a run where the
    /// bulk loads end and reading begins: every read of a store whose loads piled up
    /// consults each of their files (a first refresh's linking at a million datasets,
    /// a hundred files per index, went from two minutes to more than six).
    pub fn compact_if_held(&self) -> Result<Option<u64>> {
        if !self.merges_held.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        self.compact()?;
        self.hold_merges(false)?;
        let took = started.elapsed().as_millis() as u64;
        tracing::info!(compact_ms = took, "store compacted, its merging given back");
        Ok(Some(took))
    }

    /// Stops updating the index after each write until [`Graph::catch_up_index`]. For a
    /// run of large writes (a harvest of many sources, then tagging and linking) one index
    /// pass at the end costs far less than one per write, each re-reading its records.
    /// Until then searches answer from the index as it was; if the process stops first,
    /// the next open finds the index behind the store and rebuilds it.
    pub fn defer_index(&self) {
        let mut deferred = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        deferred.get_or_insert_with(DeferredIndex::default);
    }

    /// Brings the index up to date with every write since [`Graph::defer_index`] (a
    /// rebuild when they touched at least half the records) and follows each write again.
    /// Returns how many records were indexed.
    pub fn catch_up_index(&self) -> Result<usize> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        let Some(deferred) = self.deferred.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Ok(0);
        };
        let sequence = self.write_sequence()?;
        if self.index.committed_sequence()? == Some(sequence) {
            return Ok(0);
        }
        self.follow_in_index(deferred.everything, &deferred.affected, sequence)
    }

    /// Updates the index for a write, or notes what it touched while the index is deferred.
    pub(crate) fn follow_or_defer(
        &self,
        everything: bool,
        affected: HashSet<NamedNode>,
        sequence: u64,
    ) -> Result<usize> {
        // The store has changed: a cached name may be stale.
        self.labels.invalidate();
        if let Some(deferred) = self.deferred.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            // The index is not written while deferred, so its count is the one catching up
            // compares with.
            deferred.note(everything, affected, self.index.num_docs());
            return Ok(0);
        }
        self.follow_in_index(everything, &affected, sequence)
    }

    pub(crate) fn follow_in_index(
        &self,
        everything: bool,
        affected: &HashSet<NamedNode>,
        sequence: u64,
    ) -> Result<usize> {
        if everything {
            return self.rebuild_index(sequence, &mut |_| {});
        }
        let mut reader = RecordReader::new(self.labels(), &self.layout);
        let mut records = Vec::new();
        // A record's document also holds what the nodes it points to say (its assignments,
        // distributions, publisher, places, themes): a write to one of those alone
        // (`DELETE DATA` of an assignment's evidence, a publisher renamed) re-reads the
        // records that point to it.
        let mut holders: HashSet<NamedNode> = HashSet::new();
        for subject in affected {
            match reader.read(subject.as_ref())? {
                Some(record) => records.push(record),
                None => {
                    for property in crate::records::FOLLOWED {
                        for quad in self.store.quads_for_pattern(
                            None,
                            Some(property),
                            Some(subject.as_ref().into()),
                            None,
                        ) {
                            if let NamedOrBlankNode::NamedNode(holder) = quad?.subject
                                && !affected.contains(&holder)
                            {
                                holders.insert(holder);
                            }
                        }
                    }
                }
            }
        }
        for holder in &holders {
            if let Some(record) = reader.read(holder.as_ref())? {
                records.push(record);
            }
        }
        let count = records.len();
        self.index.update(
            affected.iter().chain(&holders).map(NamedNode::as_str),
            records,
            sequence,
        )?;
        Ok(count)
    }

    /// Whether the index is deferred and will be rebuilt whole when it catches up: then
    /// which records a write touched need not be worked out (hashing every quad's subject
    /// was a twentieth of a first harvest's work, for each source after the first).
    fn catching_up_everything(&self) -> bool {
        self.deferred
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|deferred| deferred.everything)
    }

    /// The IRIs whose index documents a batch may change: every subject in the graphs it
    /// replaces (as they are now) and in the quads it inserts, plus datasets whose
    /// catalogue listing it touches.
    fn affected_subjects(&self, batch: &WriteBatch) -> Result<HashSet<NamedNode>> {
        let mut affected = HashSet::new();
        let mut note = |subject: &NamedOrBlankNode, predicate: &NamedNode, object: &Term| {
            note_affected(&mut affected, subject, predicate, object);
        };
        let not_indexed = self.not_indexed();
        for graph in &batch.replace {
            if *graph == not_indexed {
                continue;
            }
            for quad in self
                .store
                .quads_for_pattern(None, None, None, Some(graph.as_ref()))
            {
                let quad = quad?;
                note(&quad.subject, &quad.predicate, &quad.object);
            }
        }
        for quad in batch.insert.iter().chain(&batch.remove).chain(&batch.tidy) {
            if quad.graph_name != not_indexed {
                note(&quad.subject, &quad.predicate, &quad.object);
            }
        }
        Ok(affected)
    }

    /// Loads the civicgraph vocabulary into its graph if it is missing or out of date;
    /// returns whether it wrote anything.
    pub fn ensure_vocabulary(&self) -> Result<bool> {
        let graph = self.layout.vocab_graph();
        let mut wanted = HashSet::new();
        for (name, text) in civicgraph_vocab::TURTLE_FILES {
            for triple in RdfParser::from_format(RdfFormat::Turtle).for_slice(text.as_bytes()) {
                let quad = triple.map_err(|e| GraphError::from_parse(name, e.into()))?;
                wanted.insert(Triple::from(quad));
            }
        }
        let mut present = HashSet::new();
        for quad in self
            .store
            .quads_for_pattern(None, None, None, Some(graph.as_ref().into()))
        {
            present.insert(Triple::from(quad?));
        }
        // Each parse names the files' blank nodes anew (the sources' nested publication
        // details): the two are compared as graphs, blank nodes by their place, or every
        // start rewrote the vocabulary and moved the write sequence.
        if same_graph(&present, &wanted) {
            return Ok(false);
        }
        self.commit(WriteBatch::replace_graph(&graph, wanted))?;
        Ok(true)
    }

    /// Full-text search over datasets, case studies and catalogues.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.index.search(text, limit)
    }

    /// Full-text search restricted to some kinds and patterns.
    pub fn search_filtered(&self, text: &str, filter: &SearchFilter, limit: usize) -> Result<Vec<SearchHit>> {
        self.index.search_filtered(text, filter, limit)
    }

    /// One page of a faceted search.
    pub fn search_page(&self, request: &SearchRequest) -> Result<SearchPage> {
        self.index.search_page(request)
    }

    /// Builds what searches keep per index segment (facet tables, date orders) for the
    /// current segments, which the first counted search would otherwise build: a server
    /// calls it beside serving at start-up. Returns how many segments were prepared.
    pub fn warm_search(&self) -> Result<usize> {
        self.index.warm()
    }

    /// How many records the index holds.
    pub fn indexed_records(&self) -> u64 {
        self.index.num_docs()
    }
}

/// Whether `a` and `b` are the same graph up to the names of their blank nodes.
fn same_graph(a: &HashSet<Triple>, b: &HashSet<Triple>) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let canonical = |triples: &HashSet<Triple>| {
        let mut graph: oxigraph::model::Graph = triples.iter().collect();
        graph.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
        graph
    };
    canonical(a) == canonical(b)
}

/// Removes `quads` within `transaction` (a quad that is not there is no error).
fn remove_all(transaction: &mut Transaction<'_>, quads: &[Quad]) {
    for quad in quads {
        transaction.remove(quad.as_ref());
    }
}

/// Notes the records whose index documents a statement may change: its subject, and the
/// dataset a catalogue lists (the listing is part of the dataset's document).
pub(crate) fn note_affected(
    affected: &mut HashSet<NamedNode>,
    subject: &NamedOrBlankNode,
    predicate: &NamedNode,
    object: &Term,
) {
    if let NamedOrBlankNode::NamedNode(node) = subject {
        affected.insert(node.clone());
    }
    if predicate.as_ref() == dcat::DATASET_PROPERTY
        && let Term::NamedNode(node) = object
    {
        affected.insert(node.clone());
    }
}
