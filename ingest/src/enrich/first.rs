//! The first refresh of a graph that holds no tags and no links yet: a new data directory's
//! first harvest, `serve`'s first start on the demo data. It writes its tags and its links
//! in one bulk write, the index rebuilt beside it, and reads no record from the store that
//! the harvests kept ([`crate::enrich::harvested`]).
//!
//! 1. Each dataset's signature row is made from its record, and the rows are linked: the
//!    links and their clusters are found in memory, not yet written.
//! 2. One pass tags and indexes every record, case studies first, then the others, a step
//!    at a time: each record is read whole, tagged (a dataset takes the patterns this run
//!    gave the case studies that used it or another member of its cluster), given its tags
//!    as the store will hold them ([`civicgraph_graph::Record::add_tags`]) and indexed.
//! 3. One commit makes the tags, the links and the new index visible together. The store
//!    is then compacted, once, and nothing is written after that: a write after the
//!    compaction (the links, datasets tagged again for their clusters) left small files
//!    over each index's one sorted run, which every later seek also read (at a million
//!    datasets the SPARQL mix took 1.25× what it took on the compacted store).
//!
//! A dataset's record is read twice from the harvests' file, once for its row and once in
//! the pass: the pass needs the clusters, and keeping a million records between the two
//! would cost more memory than reading them again costs time.
//!
//! The outcome is the one the separate link, tag and index rebuild give (a test compares
//! them).

use super::Refreshed;
use crate::enrich::harvested::Usable;
use crate::enrich::link::apply::find_links_in;
use crate::enrich::link::kept::KeptRows;
use crate::enrich::link::read::{link_record, read_dataset};
use crate::enrich::link::row::{LinkRow, Sources};
use crate::enrich::link::{LinkRecord, LinkSettings};
use crate::enrich::tag::apply::{
    Counted, RECORDS_PER_STEP, TagSummary, assignment_iri, assignment_triples, new_run, run_triples,
};
use crate::enrich::tag::{CaseStudyPatterns, Known, TagSettings, Tagger, use_patterns};
use crate::error::Result;
use civicgraph_graph::{Graph, Record, RecordKind, RecordReader};
use civicgraph_vocab::ext::prov;
use oxigraph::model::{GraphName, NamedNode, Quad};
use oxigraph::store::Store;
use std::collections::{BTreeSet, HashSet};

/// The records a first refresh reads: rolled by the harvests, or from one pass over their
/// type statements (three scans read each dataset's type twice and each case study's three
/// times, decoding its IRI each time).
struct Records {
    /// Every record the index holds, in IRI order ([`Graph::record_subjects`]).
    all: BTreeSet<NamedNode>,
    /// The datasets and case studies typed outside the derived graphs: what is tagged
    /// ([`crate::enrich::tag::records_in`]).
    tagged: HashSet<NamedNode>,
    /// The case studies among `tagged`.
    case_studies: HashSet<NamedNode>,
}

impl Records {
    fn empty() -> Self {
        Self {
            all: BTreeSet::new(),
            tagged: HashSet::new(),
            case_studies: HashSet::new(),
        }
    }

    /// Notes `node`, typed as `kind` in a graph `derived` or not.
    fn note(&mut self, node: NamedNode, kind: RecordKind, derived: bool) {
        if !derived && kind != RecordKind::Catalogue {
            self.tagged.insert(node.clone());
            if kind == RecordKind::CaseStudy {
                self.case_studies.insert(node.clone());
            }
        }
        self.all.insert(node);
    }

    fn of(store: &Store, derived: &[NamedNode]) -> Result<Self> {
        let mut records = Self::empty();
        for typed in civicgraph_graph::typed_records(store, &RecordKind::EVERY) {
            let typed = typed?;
            let in_derived = matches!(&typed.graph, GraphName::NamedNode(g) if derived.contains(g));
            records.note(typed.iri, typed.kind, in_derived);
        }
        Ok(records)
    }

    /// From the harvests' roll: each was typed in its source's graph, never a derived one.
    fn rolled(typed: &[(NamedNode, RecordKind)]) -> Self {
        let mut records = Self::empty();
        for (node, kind) in typed {
            records.note(node.clone(), *kind, false);
        }
        records
    }
}

/// Links and tags a graph holding no tags and no links, reading each record from the store
/// at most once for both, and rebuilds the index beside the write. `None` when the graph
/// holds tags or links (then [`super::after_harvest`] refreshes it), having written
/// nothing.
pub(crate) fn first_refresh(
    graph: &Graph,
    tagging: &TagSettings,
    linking: &LinkSettings,
    kept: Option<&mut KeptRows>,
    harvested: Option<&Usable>,
) -> Result<Option<Refreshed>> {
    let layout = graph.layout();
    let (tags, links_graph) = (layout.tags_graph(), layout.links_graph());
    let tagger = Tagger::new(tagging)?;
    linking.check()?;
    // The open write holds the writer's lock: nothing fills either graph while this runs.
    let Some(mut write) = graph.begin_bulk(&[tags.clone(), links_graph.clone()])? else {
        return Ok(None);
    };
    let tagger = tagger.keeping_vectors(graph.dir());
    write.rebuild_index()?;
    let store = graph.store();
    let derived = layout.derived_graphs();
    // What the harvests rolled, when they read every record; else the store's.
    let roll = harvested.and_then(Usable::roll);
    let rolled = roll.is_some();
    let (
        Records {
            all,
            tagged,
            case_studies,
        },
        mut known,
    ) = match roll {
        Some(roll) => (Records::rolled(&roll.typed), roll.known.clone()),
        None => (Records::of(store, &derived)?, Known::of(store)?),
    };
    // Case studies first: a dataset takes the patterns this run gives the case studies that
    // used it. Then every other record the index holds (catalogues are indexed, not tagged).
    let (first, rest): (Vec<NamedNode>, Vec<NamedNode>) =
        all.into_iter().partition(|record| case_studies.contains(record));
    let from_harvests = std::sync::atomic::AtomicUsize::new(0);
    // The harvest's record when it kept it, else the store's.
    let kept_record = |iri: &NamedNode| -> Result<Option<Record>> {
        Ok(harvested.map(|h| h.get(iri)).transpose()?.flatten())
    };

    // 1. The links, found before anything is written.
    let started = std::time::Instant::now();
    let sources = Sources::default();
    let every: Vec<&NamedNode> = first.iter().chain(&rest).collect();
    let mut rows: Vec<LinkRow> = crate::parallel::map_in_order(&every, |iri| {
        let linked = match kept_record(iri)? {
            Some(record) => {
                (record.kind == Some(RecordKind::Dataset)).then(|| LinkRecord::from_record(&record))
            }
            None => link_record(graph.labels(), layout, iri.as_ref())?,
        };
        Ok::<_, crate::IngestError>(linked.map(|linked| LinkRow::of(&linked, sources.id(&linked.source))))
    })?
    .into_iter()
    .flatten()
    .collect();
    drop(every);
    rows.sort_by(|a, b| a.iri.cmp(&b.iri));
    let names = sources.into_names();
    if let Some(kept) = kept {
        kept.keep(&rows, &names)?;
    }
    let read = rows.len();
    let linked = find_links_in(linking, rows, &names, read, |iri| {
        match kept_record(&NamedNode::new_unchecked(iri))? {
            Some(record) => Ok(LinkRecord::from_record(&record)),
            None => read_dataset(graph.labels(), layout, iri),
        }
    })?;
    known.note_clusters(linked.clusters());
    let mut links = linked.summary();
    links.added = linked.stream(&links_graph, layout.base(), &mut |quads| Ok(write.insert(quads)?))?;
    drop(linked);
    let link_ms = started.elapsed().as_millis() as u64;

    // 2. The tags and the index, in one pass.
    let started = std::time::Instant::now();
    let steps = first
        .chunks(RECORDS_PER_STEP)
        .map(|step| (true, step))
        .chain(rest.chunks(RECORDS_PER_STEP).map(|step| (false, step)));
    let (run, run_started) = new_run(layout.base());
    let mut summary = TagSummary {
        records: tagged.len(),
        model: tagger.version().to_owned(),
        ..TagSummary::default()
    };
    let mut fresh = CaseStudyPatterns::new();
    for (of_case_studies, step) in steps {
        let read = crate::parallel::map_in_order(step, |iri| {
            let record = match kept_record(iri)? {
                Some(record) => {
                    from_harvests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Some(record)
                }
                // A reader per record: the labels it resolves are cached by the graph.
                None => RecordReader::new(graph.labels(), layout).read(iri.as_ref())?,
            };
            let Some(record) = record else {
                return Ok::<_, crate::IngestError>(None);
            };
            let assignments = if tagged.contains(iri) {
                Some(tagger.assign_read(store, iri, &record, &derived, &fresh, Some(&known))?)
            } else {
                None
            };
            Ok(Some((record, assignments)))
        })?;
        let mut quads = Vec::new();
        for (iri, read) in step.iter().zip(read) {
            let Some((mut record, assignments)) = read else {
                continue;
            };
            if let Some(assignments) = assignments {
                if let Some(first) = assignments.first() {
                    summary.count(Counted::of(first.method, &first.pattern));
                }
                if of_case_studies {
                    fresh.insert(iri.clone(), use_patterns(&assignments));
                }
                for assignment in &assignments {
                    let node = assignment_iri(layout.base(), iri.as_str(), &assignment.pattern);
                    quads.extend(
                        assignment_triples(iri, &node, assignment)
                            .into_iter()
                            .map(|t| t.in_graph(tags.clone())),
                    );
                    quads.push(Quad::new(node, prov::WAS_GENERATED_BY, run.clone(), tags.clone()));
                }
                summary.added += assignments.len();
                record.add_tags(&assignments);
            }
            write.index(&record)?;
        }
        write.insert(quads)?;
    }
    tagger.keep_vectors();
    if summary.added > 0 {
        write.insert(
            run_triples(&run, &run_started, &summary)
                .into_iter()
                .map(|t| t.in_graph(tags.clone()))
                .collect(),
        )?;
        summary.run = Some(run.as_str().to_owned());
    }
    // 3. One commit, then the one compaction; nothing is written after it.
    write.commit()?;
    drop(fresh);
    let tag_ms = started.elapsed().as_millis() as u64;
    let compact_ms = graph.compact_if_held()?;
    let from_harvests = from_harvests.into_inner();
    tracing::info!(
        records = summary.records,
        from_harvests,
        datasets = links.datasets,
        links = links.links,
        clusters = links.clusters,
        rolled,
        tag_ms,
        link_ms,
        "first refresh: links found, then every record tagged and indexed, in one write"
    );
    Ok(Some(Refreshed {
        tags: summary,
        links,
        tag_ms,
        link_ms,
        from_harvests,
        rolled,
        compact_ms,
    }))
}
