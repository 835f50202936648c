//! Writes the assignments of every dataset and case study into `{base}graph/tags`.
//!
//! Per record: `cg:usePattern` shortcuts (not for NONE), and one assignment node per pattern
//! with `cg:pattern`, `cg:method`, `cg:confidence`, `cg:evidence` and `prov:wasGeneratedBy`
//! the tagging run. Assignment IRIs are derived from the record and the pattern, and an
//! assignment that comes out the same as before is left untouched (keeping its original
//! run), so re-tagging an unchanged graph writes nothing, and the whole change is one commit.
//! Records are compared a step at a time, each with the tags it holds, so memory follows the
//! size of the change rather than of the graph.

use super::{
    Assignment, CaseStudyPatterns, Method, TagSettings, Tagger, records_in, records_of, use_patterns,
};
use crate::enrich::Scope;
use crate::error::Result;
use crate::mint::hex;
use crate::provenance;
use civicgraph_graph::{Graph, Parts, RecordKind, RecordReader, WriteBatch};
use civicgraph_vocab::ext::{dcat, prov};
use civicgraph_vocab::{cg, cgp};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef, Term, TermRef, Triple,
};
use oxigraph::store::Store;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What a tagging run did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct TagSummary {
    /// Datasets and case studies tagged.
    pub records: usize,
    /// Records with curated patterns.
    pub curated: usize,
    /// Records with inferred patterns.
    pub inferred: usize,
    /// Records tagged NONE.
    pub none: usize,
    /// Assignments added or changed.
    pub added: usize,
    /// Assignments removed.
    pub removed: usize,
    /// The run's IRI, when it changed anything.
    pub run: Option<String>,
    /// The model's version.
    pub model: String,
}

/// How a tagged record counts in a [`TagSummary`]: by its first assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    Curated,
    Inferred,
    None,
}

impl Counted {
    /// How a record whose first assignment has `method` and `pattern` counts.
    pub(crate) fn of(method: Method, pattern: &str) -> Self {
        match (method, pattern) {
            (Method::Curated, _) => Counted::Curated,
            (Method::Inferred, "none") => Counted::None,
            _ => Counted::Inferred,
        }
    }
}

impl TagSummary {
    /// Counts one record whose first assignment counts as `counted`.
    pub(crate) fn count(&mut self, counted: Counted) {
        let total = match counted {
            Counted::Curated => &mut self.curated,
            Counted::Inferred => &mut self.inferred,
            Counted::None => &mut self.none,
        };
        *total += 1;
    }
}

/// A new tagging run's IRI and start time.
pub(crate) fn new_run(base: &str) -> (NamedNode, Literal) {
    let started = provenance::now();
    let stamp: String = started
        .value()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    (
        NamedNode::new_unchecked(format!("{base}tagging/{stamp}")),
        started,
    )
}

/// The IRI of the assignment of `pattern` to `record`.
pub fn assignment_iri(base: &str, record: &str, pattern: &str) -> NamedNode {
    let digest = hex(&Sha256::digest(record.as_bytes()));
    NamedNode::new_unchecked(format!("{base}tag/{}/{pattern}", &digest[..24]))
}

/// Records tagged per step: their assignments and the tags they hold are in memory one
/// step at a time, so that tagging a million records needs no more than the change itself.
pub(crate) const RECORDS_PER_STEP: usize = 20_000;

/// What one record should have in the tags graph, and what it has.
struct RecordTags {
    /// The method and pattern of its first assignment, for the summary.
    first: Option<(Method, String)>,
    /// Its patterns, as a dataset it used takes them.
    patterns: Vec<(String, Method)>,
    /// Wanted triples by subject (the record, then its assignment nodes), apart from
    /// `prov:wasGeneratedBy`.
    wanted: Vec<(NamedOrBlankNode, HashSet<Triple>)>,
    /// Held triples by subject: the record's, and those of every assignment node it points
    /// to or should point to.
    held: HashMap<NamedOrBlankNode, Vec<Triple>>,
}

/// Re-tags every dataset and case study in `graph`.
///
/// Records are read and compared with the tags they hold [`RECORDS_PER_STEP`] at a time;
/// what changes is gathered and committed once, so readers see the old tags or the new ones.
pub fn tag_graph(
    graph: &Graph,
    settings: &TagSettings,
    progress: &mut dyn FnMut(usize),
) -> Result<TagSummary> {
    tag_scope(graph, settings, &Scope::All, progress)
}

/// Re-tags the records of `scope` in `graph`, as [`tag_graph`] does every record.
pub fn tag_scope(
    graph: &Graph,
    settings: &TagSettings,
    scope: &Scope,
    progress: &mut dyn FnMut(usize),
) -> Result<TagSummary> {
    let records = match scope {
        Scope::All => records_in(graph.store(), &graph.layout().derived_graphs())?,
        Scope::Sources { graphs, records } => scoped_records(graph, graphs, records)?,
    };
    tag_records(graph, settings, records, *scope == Scope::All, progress)
}

/// Re-tags `records`; `whole` when they are every record, so that tags of records gone
/// from every source are swept.
fn tag_records(
    graph: &Graph,
    settings: &TagSettings,
    records: Vec<NamedNode>,
    whole: bool,
    progress: &mut dyn FnMut(usize),
) -> Result<TagSummary> {
    let tagger = Tagger::new(settings)?.keeping_vectors(graph.dir());
    let layout = graph.layout();
    let tags = layout.tags_graph();
    let derived = layout.derived_graphs();
    let store = graph.store();
    let mut summary = TagSummary {
        records: records.len(),
        model: tagger.version().to_owned(),
        ..TagSummary::default()
    };
    // A first tagging (the tags graph empty) streams each step's assignments into the bulk
    // loader: gathered for one commit, a million records' seven million quads were the
    // ingest's peak memory. The open write keeps other writers out until it commits.
    let mut bulk = graph.begin_bulk(std::slice::from_ref(&tags))?;
    let tags_empty = bulk.is_some();

    let (run, started) = new_run(layout.base());
    let assignment_prefix = format!("{}tag/", layout.base());
    let is_assignment = |s: &NamedOrBlankNode| matches!(s, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(&assignment_prefix));
    let mut changes = Changes {
        tags: tags.clone(),
        run: run.clone(),
        insert: Vec::new(),
        remove: Vec::new(),
    };
    // The subjects compared so far; whatever else the tags graph holds (records gone from
    // the sources, runs apart) is removed at the end.
    let mut visited: HashSet<NamedOrBlankNode> = HashSet::new();
    let mut done = 0;
    // Case studies first: a dataset takes the patterns this run gives the case studies
    // that used it.
    // Typed case studies, from the one index lookup rather than one lookup per record.
    let typed: HashSet<NamedNode> = records_of(store, &[RecordKind::CaseStudy], &derived)?;
    let (case_studies, others): (Vec<NamedNode>, Vec<NamedNode>) =
        records.into_iter().partition(|record| typed.contains(record));
    let mut fresh = CaseStudyPatterns::new();
    let steps = case_studies
        .chunks(RECORDS_PER_STEP)
        .map(|step| (true, step))
        .chain(others.chunks(RECORDS_PER_STEP).map(|step| (false, step)));
    for (of_case_studies, step) in steps {
        let computed = crate::parallel::map_in_order(step, |record| {
            // A reader per record: the labels it resolves are cached by the graph.
            let mut reader = RecordReader::new(graph.labels(), layout).with_parts(Parts::OWN);
            let run = TagRun {
                tagger: &tagger,
                base: layout.base(),
                tags: &tags,
                tags_empty,
                derived: &derived,
                fresh: &fresh,
                may_be_gone: !whole,
            };
            record_tags(&mut reader, &run, record)
        })?;
        if of_case_studies {
            for (record, tags) in step.iter().zip(&computed) {
                fresh.insert(record.clone(), tags.patterns.clone());
            }
        }
        for RecordTags {
            first,
            wanted,
            mut held,
            ..
        } in computed
        {
            // Gone from every source (`None`): its tags are removed.
            if let Some((method, pattern)) = &first {
                summary.count(Counted::of(*method, pattern));
            }
            let mut subjects: Vec<(NamedOrBlankNode, Option<HashSet<Triple>>)> =
                wanted.into_iter().map(|(s, w)| (s, Some(w))).collect();
            let mut stale: Vec<NamedOrBlankNode> = held
                .keys()
                .filter(|s| !subjects.iter().any(|(w, _)| w == *s))
                .cloned()
                .collect();
            stale.sort_by_cached_key(ToString::to_string);
            subjects.extend(stale.into_iter().map(|s| (s, None)));
            for (subject, want) in subjects {
                let have = held.remove(&subject).unwrap_or_default();
                if is_assignment(&subject) {
                    match changes.assignment(&subject, want, have) {
                        Some(AssignmentChange::Added) => summary.added += 1,
                        Some(AssignmentChange::Removed) => summary.removed += 1,
                        None => {}
                    }
                } else {
                    changes.record(want.unwrap_or_default(), have);
                }
                if !tags_empty {
                    visited.insert(subject);
                }
            }
        }
        if let Some(bulk) = &mut bulk {
            bulk.insert(std::mem::take(&mut changes.insert))?;
        }
        done += step.len();
        progress(done);
    }
    // Whatever this run commits, the case studies it embedded need not be embedded again.
    tagger.keep_vectors();
    let Changes {
        mut insert,
        mut remove,
        ..
    } = changes;

    if !tags_empty && whole {
        sweep(store, &tags, &visited, &is_assignment, &mut remove, &mut summary)?;
    }
    let run_quads = || {
        run_triples(&run, &started, &summary)
            .into_iter()
            .map(|t| t.in_graph(tags.clone()))
            .collect::<Vec<_>>()
    };
    if let Some(mut bulk) = bulk {
        if bulk.inserted() == 0 {
            return Ok(summary);
        }
        bulk.insert(run_quads())?;
        bulk.commit()?;
        summary.run = Some(run.as_str().to_owned());
        return Ok(summary);
    }
    if insert.is_empty() && remove.is_empty() {
        return Ok(summary);
    }
    insert.extend(run_quads());
    let mut batch = WriteBatch::new();
    batch.remove(remove);
    batch.insert(insert);
    graph.commit(batch)?;
    summary.run = Some(run.as_str().to_owned());
    Ok(summary)
}

/// The quads that turn what the tags graph holds into what the tagger wants.
struct Changes {
    tags: NamedNode,
    run: NamedNode,
    insert: Vec<Quad>,
    remove: Vec<Quad>,
}

enum AssignmentChange {
    Added,
    Removed,
}

impl Changes {
    /// An assignment node is replaced whole when its content differs, so that it names the
    /// run that made it; its `prov:wasGeneratedBy` is not compared, or every run would
    /// rewrite every node. `want` is `None` for a node no longer wanted.
    fn assignment(
        &mut self,
        node: &NamedOrBlankNode,
        want: Option<HashSet<Triple>>,
        have: Vec<Triple>,
    ) -> Option<AssignmentChange> {
        let have_content: HashSet<&Triple> = have
            .iter()
            .filter(|t| t.predicate != prov::WAS_GENERATED_BY)
            .collect();
        let same = want
            .as_ref()
            .is_some_and(|w| w.len() == have_content.len() && w.iter().all(|t| have_content.contains(t)));
        if same {
            return None;
        }
        let tags = &self.tags;
        self.remove
            .extend(have.into_iter().map(|t| t.in_graph(tags.clone())));
        let Some(want) = want else {
            return Some(AssignmentChange::Removed);
        };
        self.insert
            .extend(want.into_iter().map(|t| t.in_graph(tags.clone())));
        self.insert.push(Quad::new(
            node.clone(),
            prov::WAS_GENERATED_BY,
            self.run.clone(),
            tags.clone(),
        ));
        Some(AssignmentChange::Added)
    }

    /// A record's own tag triples (`cg:usePattern`, links to its assignments) change one
    /// by one: those that stay are not rewritten.
    fn record(&mut self, want: HashSet<Triple>, have: Vec<Triple>) {
        let tags = &self.tags;
        let have_set: HashSet<&Triple> = have.iter().collect();
        self.insert.extend(
            want.iter()
                .filter(|t| !have_set.contains(t))
                .cloned()
                .map(|t| t.in_graph(tags.clone())),
        );
        self.remove.extend(
            have.into_iter()
                .filter(|t| !want.contains(t))
                .map(|t| t.in_graph(tags.clone())),
        );
    }
}

/// What every record of one tagging run is tagged with and against.
struct TagRun<'a> {
    tagger: &'a Tagger,
    /// The base IRI assignment IRIs are minted under.
    base: &'a str,
    /// The tags graph.
    tags: &'a NamedNode,
    /// Whether the tags graph held nothing when the run began (then nothing is read back).
    tags_empty: bool,
    /// The graphs civicgraph derives, whose statements are not a source's.
    derived: &'a [NamedNode],
    /// The patterns this run gave the case studies.
    fresh: &'a CaseStudyPatterns,
    /// Whether a record asked for may no longer be one (a scoped run's dropped records).
    may_be_gone: bool,
}

/// The tags `record` should have, and those it has (unless the tags graph is empty).
fn record_tags(reader: &mut RecordReader<'_>, run: &TagRun<'_>, record: &NamedNode) -> Result<RecordTags> {
    let TagRun {
        tagger,
        base,
        tags,
        tags_empty,
        derived,
        fresh,
        may_be_gone,
    } = *run;
    let gone = may_be_gone && !super::records_in_subject(reader.store(), record, derived)?;
    let assignments = if gone {
        Vec::new()
    } else {
        tagger.assign(reader, record, derived, fresh)?
    };
    let store = reader.store();
    let record_subject: NamedOrBlankNode = record.clone().into();
    let mut wanted: Vec<(NamedOrBlankNode, HashSet<Triple>)> = vec![(record_subject.clone(), HashSet::new())];
    for assignment in &assignments {
        let node = assignment_iri(base, record.as_str(), &assignment.pattern);
        for triple in assignment_triples(record, &node, assignment) {
            match wanted.iter_mut().find(|(s, _)| *s == triple.subject) {
                Some((_, set)) => {
                    set.insert(triple);
                }
                None => wanted.push((triple.subject.clone(), HashSet::from([triple]))),
            }
        }
    }
    let mut held: HashMap<NamedOrBlankNode, Vec<Triple>> = HashMap::new();
    if !tags_empty {
        let graph: GraphNameRef<'_> = tags.as_ref().into();
        let mut nodes: Vec<NamedOrBlankNode> = wanted.iter().skip(1).map(|(s, _)| s.clone()).collect();
        for quad in store.quads_for_pattern(Some(record.as_ref().into()), None, None, Some(graph)) {
            let quad = quad?;
            if quad.predicate == cg::PATTERN_ASSIGNMENT_PROPERTY
                && let Term::NamedNode(node) = &quad.object
                && !nodes
                    .iter()
                    .any(|n| matches!(n, NamedOrBlankNode::NamedNode(m) if m == node))
            {
                nodes.push(node.clone().into());
            }
            held.entry(record_subject.clone())
                .or_default()
                .push(Triple::from(quad));
        }
        for node in nodes {
            for quad in store.quads_for_pattern(Some(node.as_ref()), None, None, Some(graph)) {
                held.entry(node.clone()).or_default().push(Triple::from(quad?));
            }
        }
    }
    Ok(RecordTags {
        first: assignments.first().map(|a| (a.method, a.pattern.clone())),
        patterns: use_patterns(&assignments),
        wanted,
        held,
    })
}

/// The records a [`Scope::Sources`] run reads, in IRI order.
fn scoped_records(graph: &Graph, graphs: &[NamedNode], dropped: &[NamedNode]) -> Result<Vec<NamedNode>> {
    let store = graph.store();
    let tags = graph.layout().tags_graph();
    let mut records: BTreeSet<NamedNode> = dropped.iter().cloned().collect();
    for source in graphs {
        let source = Some(GraphNameRef::from(source.as_ref()));
        for class in [dcat::DATASET, cg::CASE_STUDY] {
            records.extend(subjects(store, rdf::TYPE, Some(class.into()), source)?);
        }
        records.extend(subjects(store, cg::USE_PATTERN, None, source)?);
    }
    records.extend(used_and_clustered(graph)?);
    // Datasets holding a pattern a case study gave them: it may no longer.
    for quad in store.quads_for_pattern(None, Some(cg::EVIDENCE), None, Some(tags.as_ref().into())) {
        let quad = quad?;
        if let Term::Literal(evidence) = &quad.object
            && evidence.value().starts_with(super::USED_BY)
        {
            records.extend(subjects(
                store,
                cg::PATTERN_ASSIGNMENT_PROPERTY,
                Some(quad.subject.as_ref().into()),
                Some(tags.as_ref().into()),
            )?);
        }
    }
    Ok(records.into_iter().collect())
}

/// The datasets a case study uses, and the other members of their clusters.
fn used_and_clustered(graph: &Graph) -> Result<BTreeSet<NamedNode>> {
    let store = graph.store();
    let links = graph.layout().links_graph();
    let mut used: BTreeSet<NamedNode> = BTreeSet::new();
    for quad in store.quads_for_pattern(None, Some(cg::USES_DATASET), None, None) {
        if let Term::NamedNode(dataset) = quad?.object {
            used.insert(dataset);
        }
    }
    let mut members = Vec::new();
    for dataset in &used {
        for quad in store.quads_for_pattern(
            Some(dataset.as_ref().into()),
            Some(cg::CLUSTER),
            None,
            Some(links.as_ref().into()),
        ) {
            let cluster = quad?.object;
            members.extend(subjects(
                store,
                cg::CLUSTER,
                Some(cluster.as_ref()),
                Some(links.as_ref().into()),
            )?);
        }
    }
    used.extend(members);
    Ok(used)
}

/// The IRI subjects of the quads with `predicate` and `object` in `graph`.
fn subjects(
    store: &Store,
    predicate: NamedNodeRef<'_>,
    object: Option<TermRef<'_>>,
    graph: Option<GraphNameRef<'_>>,
) -> Result<Vec<NamedNode>> {
    Ok(store
        .quads_for_pattern(None, Some(predicate), object, graph)
        .filter_map(|quad| match quad {
            Ok(Quad {
                subject: NamedOrBlankNode::NamedNode(node),
                ..
            }) => Some(Ok(node)),
            Ok(_) => None,
            Err(error) => Some(Err(error)),
        })
        .collect::<std::result::Result<Vec<NamedNode>, _>>()?)
}

/// Removes what the tags graph holds about subjects no record accounts for: the tags of
/// records gone from every source, and assignment nodes nothing points to. Runs stay.
fn sweep(
    store: &Store,
    tags: &NamedNode,
    visited: &HashSet<NamedOrBlankNode>,
    is_assignment: &dyn Fn(&NamedOrBlankNode) -> bool,
    remove: &mut Vec<Quad>,
    summary: &mut TagSummary,
) -> Result<()> {
    let mut runs: HashMap<NamedOrBlankNode, bool> = HashMap::new();
    let mut gone_assignments: HashSet<NamedOrBlankNode> = HashSet::new();
    for quad in store.quads_for_pattern(None, None, None, Some(tags.as_ref().into())) {
        let quad = quad?;
        if visited.contains(&quad.subject) {
            continue;
        }
        let is_run = match runs.get(&quad.subject) {
            Some(known) => *known,
            None => {
                let run = store.contains(QuadRef::new(
                    quad.subject.as_ref(),
                    rdf::TYPE,
                    cg::TAGGING_RUN,
                    tags.as_ref(),
                ))?;
                runs.insert(quad.subject.clone(), run);
                run
            }
        };
        if is_run {
            continue;
        }
        if is_assignment(&quad.subject) && gone_assignments.insert(quad.subject.clone()) {
            summary.removed += 1;
        }
        remove.push(quad);
    }
    Ok(())
}

pub(crate) fn assignment_triples(
    record: &NamedNode,
    node: &NamedNode,
    assignment: &Assignment,
) -> Vec<Triple> {
    let pattern = NamedNode::new_unchecked(format!("{}{}", cgp::NAMESPACE, assignment.pattern));
    let subject: NamedOrBlankNode = node.clone().into();
    let mut triples = vec![
        Triple::new(record.clone(), cg::PATTERN_ASSIGNMENT_PROPERTY, node.clone()),
        Triple::new(subject.clone(), rdf::TYPE, cg::PATTERN_ASSIGNMENT),
        Triple::new(subject.clone(), cg::PATTERN, pattern.clone()),
        Triple::new(subject.clone(), cg::METHOD, assignment.method.iri()),
        Triple::new(
            subject.clone(),
            cg::CONFIDENCE,
            crate::emit::decimal(assignment.confidence),
        ),
    ];
    if assignment.pattern != "none" {
        triples.push(Triple::new(record.clone(), cg::USE_PATTERN, pattern));
    }
    for evidence in &assignment.evidence {
        triples.push(Triple::new(
            subject.clone(),
            cg::EVIDENCE,
            Literal::new_simple_literal(evidence),
        ));
    }
    triples
}

pub(crate) fn run_triples(run: &NamedNode, started: &Literal, summary: &TagSummary) -> Vec<Triple> {
    let count = |n: usize| Literal::new_typed_literal(n.to_string(), xsd::INTEGER);
    vec![
        Triple::new(run.clone(), rdf::TYPE, cg::TAGGING_RUN),
        Triple::new(run.clone(), prov::STARTED_AT_TIME, started.clone()),
        Triple::new(run.clone(), prov::ENDED_AT_TIME, provenance::now()),
        Triple::new(
            run.clone(),
            cg::MODEL_VERSION,
            Literal::new_simple_literal(&summary.model),
        ),
        Triple::new(run.clone(), cg::ASSIGNMENTS_ADDED, count(summary.added)),
        Triple::new(run.clone(), cg::ASSIGNMENTS_REMOVED, count(summary.removed)),
    ]
}

/// The assignments stored for `record`, by pattern, the strongest of each: what a search
/// hit and the record page show, read through the one record view.
pub fn stored_assignments(graph: &Graph, record: &NamedNode) -> Result<BTreeMap<String, Assignment>> {
    let parts = Parts {
        assignments: true,
        ..Parts::OWN
    };
    let mut reader = RecordReader::new(graph.labels(), graph.layout()).with_parts(parts);
    let assignments = reader
        .read(record.as_ref())?
        .map(|r| r.assignments)
        .unwrap_or_default();
    Ok(civicgraph_graph::strongest(&assignments)
        .map(|a| (a.pattern.clone(), a.clone()))
        .collect())
}
