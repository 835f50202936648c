//! Records read from a harvest's own triples, kept for the first refresh, so that a new
//! graph's records are not read back out of the store (issue 18: at a million datasets,
//! decoding each quad's terms from RocksDB was half the ingest).
//!
//! A pipeline run into a data directory whose store holds no record yet keeps, per source
//! harvested, each of its records as [`civicgraph_graph::RecordReader`] reads them from the
//! source's triples before they are written ([`Pending`]: those triples, with the store's
//! statements about the nodes they name). They go to a file of JSON
//! lines in the data directory, not memory: memory follows the largest source, not the
//! graph. The first refresh takes a record from there instead of the store
//! ([`Usable::get`]).
//!
//! A record read before the other sources were written is the store's only if no other
//! source says anything about what it read. What the source describes was read from its
//! triples alone, so another source describing it too (the record itself in two sources,
//! a publisher both describe) counts whenever it was written; what the source does not
//! describe was read from the store, so a source describing it counts if it was written
//! after the reading; a catalogue of another source listing the record always counts. Each
//! source notes, by a hash of each, the nodes it describes, the nodes its records read and
//! the records its catalogues list, the last write it could see and its own write's
//! number; a source that fails the check keeps nothing ([`HarvestedRecords::usable`]), and
//! its records are read from the store as before. So is everything when anything but the
//! run's own harvests wrote to the store meanwhile.
//!
//! Each source also rolls its records, with their kinds, and what its triples say of
//! patterns stated, datasets used and clusters ([`Roll`]): when every source the run wrote
//! kept its records, that is every record the store holds, and the first refresh need not
//! scan the store for them before its compaction.

use crate::enrich::tag::Known;
use crate::error::{IngestError, Result};
use crate::pending::Pending;
use civicgraph_graph::{Graph, LabelCache, Labels, Record, RecordKind, RecordReader, as_subject, node_hash};
use civicgraph_vocab::ext::dcat;
use oxigraph::model::{NamedNode, Triple};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Mutex;

/// The folder of the data directory where each run keeps its sources' records until its
/// refresh, in a folder of its own (two pipelines of one process may run first harvests
/// into one directory at once); removed when the run ends, and at the start of the next if
/// a process died.
const FOLDER: &str = "harvested-records";

/// The runs' folders in use in this process. A data directory's store is open in one
/// process at a time, so any other folder under [`FOLDER`] was left by a process that died.
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The number of the next run's folder.
static NEXT_RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What one source's harvest kept.
#[derive(Debug)]
pub struct SourceRecords {
    file: PathBuf,
    /// Each record's line in `file`, by the hash of its IRI: where it starts and how long.
    lines: HashMap<u64, (u64, u32)>,
    /// The subjects of the source's triples.
    described: HashSet<u64>,
    /// The nodes its records' reading asked about (its own and others').
    touched: HashSet<u64>,
    /// What its triples say `dcat:dataset` of: records a catalogue of it lists.
    listed: HashSet<u64>,
    /// Every write up to this one was in the store when its records were read: they saw it.
    read_after: u64,
    /// The number of its own write, once it succeeded.
    written: u64,
    /// Its records, each with its kind (a record of two kinds once for each).
    typed: Vec<(NamedNode, RecordKind)>,
    /// What its triples say of patterns stated, datasets used and clusters.
    known: Known,
}

/// The records a pipeline run's harvests kept, until its refresh.
#[derive(Debug)]
pub struct HarvestedRecords {
    dir: PathBuf,
    sources: Mutex<Vec<SourceRecords>>,
    /// [`Graph::source_writes`] when the run began.
    writes_at_start: u64,
    /// The subjects the store described when the run began (the vocabulary, bookkeeping),
    /// by [`node_hash`].
    stored_before: HashSet<u64>,
    /// Files made so far.
    files: std::sync::atomic::AtomicUsize,
    /// Whether a source the run wrote kept no records ([`HarvestedRecords::note_unkept`]).
    unkept: std::sync::atomic::AtomicBool,
}

impl Drop for HarvestedRecords {
    fn drop(&mut self) {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = std::fs::remove_dir_all(&self.dir)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("{}: {error}", self.dir.display());
        }
        live.remove(&self.dir);
        // The folder of all runs too, once no run of this process uses it (it is then
        // empty, and removing an empty folder removes nothing else).
        if let Some(parent) = self.dir.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

impl HarvestedRecords {
    /// For a run into `graph`: `None` unless the graph is kept in a data directory and its
    /// store holds no dataset, case study or catalogue yet (a new hub's first harvest).
    pub fn for_run(graph: &Graph) -> Result<Option<Self>> {
        let Some(data) = graph.dir() else {
            return Ok(None);
        };
        let store = graph.store();
        for (_, class) in RecordKind::ALL {
            let typed = store
                .quads_for_pattern(
                    None,
                    Some(oxigraph::model::vocab::rdf::TYPE),
                    Some(class.into()),
                    None,
                )
                .next();
            if typed.is_some() {
                return Ok(None);
            }
        }
        let mut stored_before = HashSet::new();
        for quad in store.quads_for_pattern(None, None, None, None) {
            let quad = quad.map_err(civicgraph_graph::GraphError::from)?;
            stored_before.insert(node_hash(quad.subject.as_ref()));
        }
        let parent = data.join(FOLDER);
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        let io = |path: &std::path::Path| {
            let document = path.display().to_string();
            move |source| IngestError::Io { document, source }
        };
        if let Ok(entries) = std::fs::read_dir(&parent) {
            for entry in entries.flatten() {
                let left = entry.path();
                if !live.contains(&left) {
                    if left.is_dir() {
                        std::fs::remove_dir_all(&left)
                    } else {
                        std::fs::remove_file(&left)
                    }
                    .map_err(io(&left))?;
                }
            }
        }
        let run = NEXT_RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = parent.join(format!("run-{run}"));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        live.insert(dir.clone());
        drop(live);
        Ok(Some(Self {
            dir,
            sources: Mutex::new(Vec::new()),
            writes_at_start: graph.source_writes(),
            stored_before,
            files: Default::default(),
            unkept: Default::default(),
        }))
    }

    /// Reads the records of `triples`, about to be written as the whole of `target`, and
    /// keeps them in a file; [`HarvestedRecords::add`] them once the write succeeded.
    pub fn read(&self, graph: &Graph, target: &NamedNode, triples: &[Triple]) -> Result<SourceRecords> {
        let read_after = graph.finished_write();
        let pending = Pending::new(triples, target, graph.store(), &self.stored_before);
        let typed: Vec<(NamedNode, RecordKind)> = RecordKind::ALL
            .iter()
            .flat_map(|(kind, class)| pending.typed(*class).into_iter().map(|iri| (iri, *kind)))
            .collect();
        let mut iris: Vec<NamedNode> = typed.iter().map(|(iri, _)| iri.clone()).collect();
        iris.sort();
        iris.dedup();
        // The labels of what the source says are not the store's yet: a cache of their own.
        let cache = LabelCache::default();
        let labels = Labels::over(&pending, graph.store(), &cache);
        let lines = crate::parallel::map_in_order(&iris, |iri| {
            let Some(record) = RecordReader::new(labels, graph.layout()).read(iri.as_ref())? else {
                return Ok::<_, IngestError>(None);
            };
            let mut line = serde_json::to_vec(&record).map_err(|e| IngestError::Io {
                document: iri.as_str().to_owned(),
                source: std::io::Error::other(e),
            })?;
            line.push(b'\n');
            Ok(Some((node_hash(iri.as_ref().into()), line)))
        })?;
        let number = self.files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = self.dir.join(format!(
            "{}-{number}.jsonl",
            target.as_str().rsplit('/').next().unwrap_or("source")
        ));
        let io = |source| IngestError::Io {
            document: file.display().to_string(),
            source,
        };
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).map_err(io)?);
        let mut at = HashMap::with_capacity(lines.len());
        let mut offset = 0u64;
        for (hash, line) in lines.into_iter().flatten() {
            out.write_all(&line).map_err(io)?;
            at.insert(hash, (offset, line.len() as u32));
            offset += line.len() as u64;
        }
        out.flush().map_err(io)?;
        let mut described = HashSet::new();
        let mut listed = HashSet::new();
        let mut known = Known::default();
        let graph_name = oxigraph::model::GraphNameRef::NamedNode(target.as_ref());
        for triple in triples {
            known.note(triple.as_ref(), graph_name);
            described.insert(node_hash(triple.subject.as_ref()));
            if triple.predicate == dcat::DATASET_PROPERTY
                && let Some(node) = as_subject(triple.object.as_ref())
            {
                listed.insert(node_hash(node));
            }
        }
        known.note_titles(triples);
        Ok(SourceRecords {
            file,
            lines: at,
            described,
            touched: pending.touched(),
            listed,
            read_after,
            written: u64::MAX,
            typed,
            known,
        })
    }

    /// Notes that a source the run writes kept no records (its reading failed, or its
    /// graph held something before): the store holds records the harvests did not roll.
    pub fn note_unkept(&self) {
        self.unkept.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Adds a source's records once its write, number `written`, succeeded.
    pub fn add(&self, mut records: SourceRecords, written: u64) {
        records.written = written;
        self.sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(records);
    }

    /// What the refresh after the run may take instead of reading the store, given the
    /// number of sources the run wrote: nothing if anything else wrote a source graph
    /// meanwhile (a SPARQL update), and nothing of a source whose records are listed by
    /// another source's catalogue, read a node the source describes and another source
    /// describes too, or read a node another source describes that was written after they
    /// were read (before, they read it from the store).
    pub fn usable(&self, graph: &Graph, rewritten: usize) -> Result<Option<Usable>> {
        let sources = std::mem::take(&mut *self.sources.lock().unwrap_or_else(|e| e.into_inner()));
        if graph.source_writes() - self.writes_at_start != rewritten as u64 || sources.is_empty() {
            return Ok(None);
        }
        let (mut described, mut listed) = (Latest::default(), Latest::default());
        for (i, source) in sources.iter().enumerate() {
            for hash in &source.described {
                described.note(*hash, i, source.written);
            }
            for hash in &source.listed {
                listed.note(*hash, i, source.written);
            }
        }
        let mut usable = Usable::default();
        // Every record the store holds is one a harvest of the run read (the store held none
        // when it began, nothing else wrote, and every source written kept its records).
        let whole = !self.unkept.load(std::sync::atomic::Ordering::SeqCst);
        let mut roll = Roll {
            typed: Vec::new(),
            known: Known::for_roll(),
        };
        for (i, mut source) in sources.into_iter().enumerate() {
            if whole {
                roll.typed.append(&mut source.typed);
                roll.known.extend(std::mem::take(&mut source.known));
            }
            // A node the source describes was read from the source alone: any other source
            // describing it counts. One it does not describe was read from the store, which
            // held the sources written before.
            let read_elsewhere = source.touched.iter().any(|hash| {
                let since = if source.described.contains(hash) {
                    0
                } else {
                    source.read_after
                };
                described.by_another_after(*hash, i, since)
            });
            // Catalogues listing a record are the source's own: any other source's count.
            let listed_elsewhere = source
                .lines
                .keys()
                .any(|hash| listed.by_another_after(*hash, i, 0));
            if read_elsewhere || listed_elsewhere {
                tracing::info!(
                    file = %source.file.display(),
                    "a source's records read nodes another source also describes: they are read from the store"
                );
                continue;
            }
            let file = std::fs::File::open(&source.file).map_err(|e| IngestError::Io {
                document: source.file.display().to_string(),
                source: e,
            })?;
            let number = usable.files.len();
            usable.files.push((source.file, file));
            for (hash, (offset, len)) in source.lines {
                usable.lines.insert(hash, (number, offset, len));
            }
        }
        if whole {
            roll.known.note_datasets_too(datasets_too(&roll.typed));
        }
        usable.roll = whole.then_some(roll);
        Ok(Some(usable))
    }
}

/// The records of `typed` that are datasets besides another kind: with them, the first
/// refresh's tagger need not ask the store whether a case study is a dataset too.
fn datasets_too(typed: &[(NamedNode, RecordKind)]) -> HashSet<NamedNode> {
    let datasets: HashSet<&NamedNode> = typed
        .iter()
        .filter(|(_, kind)| *kind == RecordKind::Dataset)
        .map(|(node, _)| node)
        .collect();
    typed
        .iter()
        .filter(|(node, kind)| *kind != RecordKind::Dataset && datasets.contains(node))
        .map(|(node, _)| node.clone())
        .collect()
}

/// Per node, the two latest writes of the sources that say something of it, as (write,
/// source): enough to tell whether a source other than a given one wrote it after a given
/// write, in 24 bytes a node however many sources name it.
#[derive(Debug, Default)]
struct Latest(HashMap<u64, [(u64, usize); 2]>);

impl Latest {
    const NONE: (u64, usize) = (0, usize::MAX);

    fn note(&mut self, hash: u64, source: usize, written: u64) {
        let slots = self.0.entry(hash).or_insert([Self::NONE; 2]);
        if let Some(slot) = slots.iter_mut().find(|(_, s)| *s == source) {
            slot.0 = slot.0.max(written);
        } else if written > slots[1].0 || slots[1] == Self::NONE {
            slots[1] = (written, source);
        }
        if slots[1].0 > slots[0].0 || slots[0] == Self::NONE {
            slots.swap(0, 1);
        }
    }

    /// Whether a source other than `source` that says something of the node was written
    /// after write `after`.
    fn by_another_after(&self, hash: u64, source: usize, after: u64) -> bool {
        self.0.get(&hash).is_some_and(|slots| {
            slots
                .iter()
                .any(|&(written, s)| s != source && s != usize::MAX && written > after)
        })
    }
}

/// The records a first refresh may take from the harvests.
#[derive(Debug, Default)]
pub struct Usable {
    files: Vec<(PathBuf, std::fs::File)>,
    lines: HashMap<u64, (usize, u64, u32)>,
    roll: Option<Roll>,
}

/// Every record the run's harvests wrote, with its kind, and what they say of patterns
/// stated, datasets used and clusters: what the first refresh would otherwise scan the
/// store for, before its compaction, when each IRI decoded looks through every file the
/// bulk loads left (two minutes at a million datasets, on one core).
#[derive(Debug)]
pub struct Roll {
    /// Each record with its kind (a record of two kinds once for each).
    pub typed: Vec<(NamedNode, RecordKind)>,
    /// What the harvests' triples say of uses.
    pub known: Known,
}

impl Usable {
    /// Every record the store holds and what it says of uses, when the harvests read
    /// them all ([`HarvestedRecords::usable`]).
    pub fn roll(&self) -> Option<&Roll> {
        self.roll.as_ref()
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The record at `iri` as its harvest read it, if kept.
    pub fn get(&self, iri: &NamedNode) -> Result<Option<Record>> {
        let Some(&(file, offset, len)) = self.lines.get(&node_hash(iri.as_ref().into())) else {
            return Ok(None);
        };
        let (path, file) = &self.files[file];
        let io = |source| IngestError::Io {
            document: path.display().to_string(),
            source,
        };
        let mut line = vec![0; len as usize];
        file.read_exact_at(&mut line, offset).map_err(io)?;
        let record: Record = serde_json::from_slice(&line).map_err(|e| io(std::io::Error::other(e)))?;
        // Two IRIs of one hash: the other is read from the store.
        Ok((record.iri == iri.as_str()).then_some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_keeps_its_records_in_a_folder_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let graph = Graph::open(&data, civicgraph_graph::Layout::default()).unwrap();
        // What a process that died left.
        let stale = data.join(FOLDER).join("run-left");
        std::fs::create_dir_all(&stale).unwrap();
        std::fs::write(stale.join("0.jsonl"), "{}").unwrap();
        let first = HarvestedRecords::for_run(&graph).unwrap().unwrap();
        assert!(!stale.exists(), "left by a dead process");
        let second = HarvestedRecords::for_run(&graph).unwrap().unwrap();
        assert_ne!(first.dir, second.dir);
        assert!(
            first.dir.is_dir() && second.dir.is_dir(),
            "a new run spares one running"
        );
        let (kept, gone) = (second.dir.clone(), first.dir.clone());
        drop(first);
        assert!(!gone.exists() && kept.is_dir(), "each run removes its own");
        drop(second);
        assert!(
            !data.join(FOLDER).exists(),
            "nothing is left once every run ended"
        );
    }

    #[test]
    fn the_latest_writes_of_other_sources() {
        let mut latest = Latest::default();
        // Node 1: sources 0 (write 5), 1 (write 9) and 2 (write 7).
        for (source, written) in [(0, 5), (1, 9), (2, 7)] {
            latest.note(1, source, written);
        }
        assert!(latest.by_another_after(1, 0, 8), "source 1 wrote at 9");
        assert!(latest.by_another_after(1, 1, 6), "source 2 wrote at 7");
        assert!(!latest.by_another_after(1, 1, 7), "none but itself after 7");
        assert!(!latest.by_another_after(1, 2, 9));
        assert!(!latest.by_another_after(2, 0, 0), "an unknown node");
        // Node 2: only source 3.
        latest.note(2, 3, 4);
        assert!(!latest.by_another_after(2, 3, 0), "its own write");
        assert!(latest.by_another_after(2, 0, 3));
    }
}
