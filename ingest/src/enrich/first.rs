//! The first refresh of a graph that holds no tags and no links yet: a new data directory's
//! first harvest, `serve`'s first start on the demo data. Every record is read from the
//! store once, and that one read gives the tagger its text, the linker its signature row
//! and the index its document; a refresh of a graph already tagged reads them apart
//! ([`super::after_harvest`]), once each.
//!
//! At a million datasets the three reads were most of the ingest: the store is decoded term
//! by term, a few lookups per record, once for linking, once for tagging and once to
//! rebuild the index after both.
//!
//! 1. One bulk write into the tags graph, which also rebuilds the index
//!    ([`civicgraph_graph::BulkWrite::rebuild_index`]). Case studies first, then the other
//!    records, a step at a time: each record is read whole, tagged (a dataset takes the
//!    patterns this run gave the case studies that used it), given its tags as the store
//!    will hold them ([`civicgraph_graph::Record::add_tags`]) and indexed; a dataset's row
//!    is kept for the linker. Its commit makes the tags and the new index visible together.
//! 2. The rows are linked ([`link_rows`]); the links graph holds nothing an index document
//!    shows, so its write re-reads no record.
//! 3. A dataset also takes the patterns of the case studies that used another member of its
//!    cluster, and the clusters were found in step 2: the datasets whose tags a case study
//!    can give are tagged again (the datasets case studies use and the other members of
//!    their clusters, [`retag_reach_noting`]), which writes, and re-indexes, those that
//!    changed.
//!
//! The outcome is the one the separate link, tag and index rebuild give (a test compares
//! them).

use super::Refreshed;
use crate::enrich::harvested::Usable;
use crate::enrich::link::kept::KeptRows;
use crate::enrich::link::row::{LinkRow, Sources};
use crate::enrich::link::{LinkRecord, LinkSettings, link_rows};
use crate::enrich::tag::apply::{
    Counted, RECORDS_PER_STEP, TagSummary, assignment_iri, assignment_triples, new_run, retag_reach_noting,
    run_triples,
};
use crate::enrich::tag::{CaseStudyPatterns, Known, TagSettings, Tagger, use_patterns};
use crate::error::Result;
use civicgraph_graph::{Graph, RecordKind, RecordReader};
use civicgraph_vocab::ext::prov;
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, Quad};
use oxigraph::store::Store;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault};

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
        let kinds = RecordKind::ALL.map(|(kind, _)| kind);
        for typed in civicgraph_graph::typed_records(store, &kinds) {
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

/// Links and tags a graph holding no tags and no links, reading each record once, and
/// rebuilds the index beside the tags' write. `None` when the graph holds tags or links
/// (then [`super::after_harvest`] refreshes it), having written nothing.
pub(crate) fn first_refresh(
    graph: &Graph,
    tagging: &TagSettings,
    linking: &LinkSettings,
    kept: Option<&mut KeptRows>,
    harvested: Option<&Usable>,
) -> Result<Option<Refreshed>> {
    let started = std::time::Instant::now();
    let layout = graph.layout();
    let (tags, links) = (layout.tags_graph(), layout.links_graph());
    let tagger = Tagger::new(tagging)?;
    linking.check()?;
    // The open write holds the writer's lock: nothing fills either graph while this runs.
    let Some(mut write) = graph.begin_bulk(std::slice::from_ref(&tags))? else {
        return Ok(None);
    };
    let store = graph.store();
    if store
        .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(links.as_ref())))
        .next()
        .is_some()
    {
        return Ok(None);
    }
    write.rebuild_index()?;
    let derived = layout.derived_graphs();
    // What the harvests rolled, when they read every record; else the store's.
    let roll = harvested.and_then(Usable::roll);
    let rolled = roll.is_some();
    let scanned_known;
    let (
        Records {
            all,
            tagged,
            case_studies,
        },
        known,
    ) = match roll {
        Some(roll) => (Records::rolled(&roll.typed), &roll.known),
        None => {
            scanned_known = Known::of(store)?;
            (Records::of(store, &derived)?, &scanned_known)
        }
    };
    // Case studies first: a dataset takes the patterns this run gives the case studies that
    // used it. Then every other record the index holds (catalogues are indexed, not tagged).
    let (first, rest): (Vec<NamedNode>, Vec<NamedNode>) =
        all.into_iter().partition(|record| case_studies.contains(record));
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
    // How each dataset counted, by a hash of its IRI, for when step 3 tags it again.
    let hasher = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
    let mut counted: HashMap<u64, Counted> = HashMap::new();
    let mut fresh = CaseStudyPatterns::new();
    let sources = Sources::default();
    let mut rows: Vec<LinkRow> = Vec::new();
    let from_harvests = std::sync::atomic::AtomicUsize::new(0);
    for (of_case_studies, step) in steps {
        let read = crate::parallel::map_in_order(step, |iri| {
            let record = match harvested.map(|h| h.get(iri)).transpose()?.flatten() {
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
                Some(tagger.assign_read(store, iri, &record, &derived, &fresh, Some(known))?)
            } else {
                None
            };
            // The row's signature is most of the linker's work per dataset: made here, on
            // every thread.
            let row = (record.kind == Some(RecordKind::Dataset)).then(|| {
                let linked = LinkRecord::from_record(&record);
                LinkRow::of(&linked, sources.id(&linked.source))
            });
            Ok(Some((record, assignments, row)))
        })?;
        let mut quads = Vec::new();
        for (iri, read) in step.iter().zip(read) {
            let Some((mut record, assignments, row)) = read else {
                continue;
            };
            rows.extend(row);
            if let Some(assignments) = assignments {
                if let Some(first) = assignments.first() {
                    let counts = Counted::of(first.method, &first.pattern);
                    summary.count(counts, 1);
                    if record.kind == Some(RecordKind::Dataset) {
                        counted.insert(hasher.hash_one(iri.as_str()), counts);
                    }
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
    if write.inserted() > 0 {
        write.insert(
            run_triples(&run, &run_started, &summary)
                .into_iter()
                .map(|t| t.in_graph(tags.clone()))
                .collect(),
        )?;
        summary.run = Some(run.as_str().to_owned());
    }
    write.commit()?;
    drop(fresh);
    let mut tag_ms = started.elapsed().as_millis() as u64;
    // The bulk loads end here (the harvests', then the tags'): what follows reads.
    let compact_ms = graph.compact_if_held()?;

    let started = std::time::Instant::now();
    rows.sort_by(|a, b| a.iri.cmp(&b.iri));
    let names = sources.into_names();
    if let Some(kept) = kept {
        kept.keep(&rows, &names)?;
    }
    let read = rows.len();
    let links = link_rows(graph, linking, rows, &names, read)?;
    let link_ms = started.elapsed().as_millis() as u64;

    let started = std::time::Instant::now();
    let again = retag_reach_noting(graph, tagging, &mut |record, now| {
        if let Some(before) = counted.get(&hasher.hash_one(record.as_str())) {
            summary.count(*before, -1);
        }
        if let Some(now) = now {
            summary.count(now, 1);
        }
    })?;
    summary.added += again.added;
    summary.removed += again.removed;
    if again.run.is_some() {
        summary.run = again.run;
    }
    tag_ms += started.elapsed().as_millis() as u64;
    let from_harvests = from_harvests.into_inner();
    tracing::info!(
        records = summary.records,
        from_harvests,
        datasets = links.datasets,
        links = links.links,
        tagged_again = again.records,
        rolled,
        tag_ms,
        link_ms,
        "first refresh: every record read once for tagging, linking and the index"
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
