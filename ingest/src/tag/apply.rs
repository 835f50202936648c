//! Writes the assignments of every dataset and case study into `{base}graph/tags`.
//!
//! Per record: `cg:usePattern` shortcuts (not for NONE), and one assignment node per pattern
//! with `cg:pattern`, `cg:method`, `cg:confidence`, `cg:evidence` and `prov:wasGeneratedBy`
//! the tagging run. Assignment IRIs are derived from the record and the pattern, and an
//! assignment that comes out the same as before is left untouched (keeping its original
//! run), so re-tagging an unchanged graph writes nothing, and the whole change is one commit.

use super::{Assignment, Method, TagSettings, Tagger, records_in};
use crate::error::Result;
use crate::mint::hex;
use crate::provenance;
use civicgraph_graph::{Graph, WriteBatch};
use civicgraph_vocab::ext::prov;
use civicgraph_vocab::{cg, cgp};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// The IRI of the assignment of `pattern` to `record`.
pub fn assignment_iri(base: &str, record: &str, pattern: &str) -> NamedNode {
    let digest = hex(&Sha256::digest(record.as_bytes()));
    NamedNode::new_unchecked(format!("{base}tag/{}/{pattern}", &digest[..24]))
}

/// Re-tags every dataset and case study in `graph`.
pub fn tag_graph(
    graph: &Graph,
    settings: &TagSettings,
    progress: &mut dyn FnMut(usize),
) -> Result<TagSummary> {
    let tagger = Tagger::new(settings)?;
    let layout = graph.layout();
    let tags = layout.tags_graph();
    let derived = layout.derived_graphs();
    let store = graph.store();
    let records = records_in(store, &derived)?;
    let mut summary = TagSummary {
        records: records.len(),
        model: tagger.model().version(),
        ..TagSummary::default()
    };

    // What the tags graph should hold, apart from runs and prov:wasGeneratedBy.
    let mut wanted: HashMap<NamedOrBlankNode, HashSet<Triple>> = HashMap::new();
    let assigned = crate::parallel::map_in_order(&records, |record| tagger.assign(store, record, &derived))?;
    for (done, (record, assignments)) in records.iter().zip(assigned).enumerate() {
        match assignments.first().map(|a| (a.method, a.pattern.as_str())) {
            Some((Method::Curated, _)) => summary.curated += 1,
            Some((Method::Inferred, "none")) => summary.none += 1,
            _ => summary.inferred += 1,
        }
        for assignment in &assignments {
            let node = assignment_iri(layout.base(), record.as_str(), &assignment.pattern);
            for triple in assignment_triples(record, &node, assignment) {
                wanted.entry(triple.subject.clone()).or_default().insert(triple);
            }
        }
        if done % 1000 == 999 {
            progress(done + 1);
        }
    }

    // What it holds.
    let mut held: HashMap<NamedOrBlankNode, Vec<Triple>> = HashMap::new();
    let mut runs: HashSet<NamedOrBlankNode> = HashSet::new();
    for quad in store.quads_for_pattern(None, None, None, Some(tags.as_ref().into())) {
        let quad = quad?;
        if quad.predicate == rdf::TYPE && quad.object == Term::from(cg::TAGGING_RUN.into_owned()) {
            runs.insert(quad.subject.clone());
        }
        held.entry(quad.subject.clone())
            .or_default()
            .push(Triple::from(quad));
    }

    let started = provenance::now();
    let stamp: String = started
        .value()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let run = NamedNode::new_unchecked(format!("{}tagging/{stamp}", layout.base()));
    let mut insert: Vec<Triple> = Vec::new();
    let mut remove: Vec<Triple> = Vec::new();
    let assignment_prefix = format!("{}tag/", layout.base());
    let is_assignment = |s: &NamedOrBlankNode| matches!(s, NamedOrBlankNode::NamedNode(n) if n.as_str().starts_with(&assignment_prefix));
    let mut subjects: Vec<&NamedOrBlankNode> = wanted.keys().chain(held.keys()).collect();
    subjects.sort_by_cached_key(|s| s.to_string());
    subjects.dedup();
    for subject in subjects {
        if runs.contains(subject) {
            continue;
        }
        let want = wanted.get(subject);
        let have = held.get(subject).map(Vec::as_slice).unwrap_or_default();
        if is_assignment(subject) {
            let have_content: HashSet<&Triple> = have
                .iter()
                .filter(|t| t.predicate != prov::WAS_GENERATED_BY)
                .collect();
            let same = want
                .is_some_and(|w| w.len() == have_content.len() && w.iter().all(|t| have_content.contains(t)));
            if same {
                continue;
            }
            remove.extend(have.iter().cloned());
            if let Some(want) = want {
                insert.extend(want.iter().cloned());
                insert.push(Triple::new(subject.clone(), prov::WAS_GENERATED_BY, run.clone()));
                summary.added += 1;
            } else {
                summary.removed += 1;
            }
        } else {
            let empty = HashSet::new();
            let want = want.unwrap_or(&empty);
            let have: HashSet<&Triple> = have.iter().collect();
            remove.extend(have.iter().filter(|t| !want.contains(**t)).map(|t| (*t).clone()));
            insert.extend(want.iter().filter(|t| !have.contains(t)).cloned());
        }
    }
    if insert.is_empty() && remove.is_empty() {
        return Ok(summary);
    }
    insert.extend(run_triples(&run, &started, &summary));
    let mut batch = WriteBatch::new();
    batch.remove(remove.into_iter().map(|t| t.in_graph(tags.clone())));
    batch.insert(insert.into_iter().map(|t| t.in_graph(tags.clone())));
    graph.commit(batch)?;
    summary.run = Some(run.as_str().to_owned());
    Ok(summary)
}

fn assignment_triples(record: &NamedNode, node: &NamedNode, assignment: &Assignment) -> Vec<Triple> {
    let pattern = NamedNode::new_unchecked(format!("{}{}", cgp::NAMESPACE, assignment.pattern));
    let subject: NamedOrBlankNode = node.clone().into();
    let mut triples = vec![
        Triple::new(record.clone(), cg::PATTERN_ASSIGNMENT_PROPERTY, node.clone()),
        Triple::new(subject.clone(), rdf::TYPE, cg::PATTERN_ASSIGNMENT),
        Triple::new(subject.clone(), cg::PATTERN, pattern.clone()),
        Triple::new(
            subject.clone(),
            cg::METHOD,
            match assignment.method {
                Method::Curated => cg::CURATED,
                Method::Inferred => cg::INFERRED,
            },
        ),
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

fn run_triples(run: &NamedNode, started: &Literal, summary: &TagSummary) -> Vec<Triple> {
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

/// The assignments stored for `record`, by pattern: what the API and `explain` show.
pub fn stored_assignments(graph: &Graph, record: &NamedNode) -> Result<BTreeMap<String, Assignment>> {
    let store = graph.store();
    let tags = graph.layout().tags_graph();
    let mut out = BTreeMap::new();
    for quad in store.quads_for_pattern(
        Some(record.as_ref().into()),
        Some(cg::PATTERN_ASSIGNMENT_PROPERTY),
        None,
        Some(tags.as_ref().into()),
    ) {
        let Term::NamedNode(node) = quad?.object else {
            continue;
        };
        let mut assignment = Assignment {
            pattern: String::new(),
            method: Method::Inferred,
            confidence: 0.0,
            evidence: Vec::new(),
        };
        for quad in
            store.quads_for_pattern(Some(node.as_ref().into()), None, None, Some(tags.as_ref().into()))
        {
            let quad = quad?;
            match (&quad.predicate, &quad.object) {
                (p, Term::NamedNode(o)) if *p == cg::PATTERN => {
                    assignment.pattern = o.as_str().rsplit('/').next().unwrap_or_default().to_owned();
                }
                (p, Term::NamedNode(o)) if *p == cg::METHOD && *o == cg::CURATED => {
                    assignment.method = Method::Curated
                }
                (p, Term::Literal(l)) if *p == cg::CONFIDENCE => {
                    assignment.confidence = l.value().parse().unwrap_or(0.0)
                }
                (p, Term::Literal(l)) if *p == cg::EVIDENCE => assignment.evidence.push(l.value().to_owned()),
                _ => {}
            }
        }
        // Strongest first, as the tagger listed them.
        assignment
            .evidence
            .sort_by(|a, b| weight(b).total_cmp(&weight(a)).then_with(|| a.cmp(b)));
        out.insert(assignment.pattern.clone(), assignment);
    }
    Ok(out)
}

/// The weight in an evidence string such as `word:chatbot (+1.21)`.
fn weight(evidence: &str) -> f64 {
    evidence
        .rsplit_once("(+")
        .and_then(|(_, w)| w.trim_end_matches(')').parse().ok())
        .unwrap_or(0.0)
}
