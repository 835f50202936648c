//! Cutting a source's triples into records, for change detection, strict mode and
//! incremental harvests.
//!
//! A record is a subject typed `dcat:Dataset`, `dcat:DatasetSeries`, `dcat:DataService`,
//! `dcat:Catalog` or `cg:CaseStudy`. It owns its own triples and those of the nodes only it
//! reaches through non-record nodes (its distributions, contact point, period, ...). Nodes
//! reached from several records (a shared publisher, a licence) belong to none; they stay
//! while any record points at them.
//!
//! The walk runs on the terms' numbers in a [`SourceGraph`]. A record's content hash is the
//! sum of a 128-bit hash of each triple it owns: a sum does not depend on the order the
//! document gave, and the triples are distinct (a harvest removes repeats first), so two
//! harvests of the same record agree and a change to any of its triples shows. The hashes
//! are compared within one process (the stored version against the harvested one), so
//! they are never written anywhere.

use crate::mint::record_kind;
use crate::source_graph::{SourceGraph, TermId};
use civicgraph_vocab::ext::dcat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNodeRef, NamedNodeRef, TermRef, Triple};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

/// One record and what it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPart {
    /// The record's subject, as N-Triples (`<iri>`).
    pub subject: String,
    /// `dataset`, `service`, `catalogue` or `case-study`.
    pub kind: &'static str,
    /// Indexes into the triples of the record's owned triples, in order.
    pub triples: Vec<usize>,
    /// The content hash of the owned triples (see the module docs).
    pub hash: u128,
}

/// A source's triples cut into records.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    /// Records by subject, in subject order.
    pub records: BTreeMap<String, RecordPart>,
    /// Indexes of triples no record owns (shared nodes, catalogue links, unknown subjects).
    pub shared: Vec<usize>,
}

/// Who reaches a non-record node: one record, or several.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    One(TermId),
    Many,
}

impl Partition {
    /// Cuts `triples` into records.
    pub fn of(triples: &[Triple]) -> Self {
        Self::of_graph(&SourceGraph::new(triples))
    }

    /// Cuts the triples of `graph` into records.
    pub fn of_graph(graph: &SourceGraph<'_>) -> Self {
        let mut kinds: FxHashMap<TermId, &'static str> = FxHashMap::default();
        if let Some(type_id) = graph.id(TermRef::NamedNode(rdf::TYPE)) {
            for &i in graph.with_predicate(type_id) {
                let t = graph.triple(i);
                if let TermRef::NamedNode(class) = t.object
                    && let Some(kind) = record_kind(class.as_str())
                {
                    let [subject, _, _] = graph.encoded(i);
                    // A catalogue that is also typed as a dataset stays a catalogue.
                    let entry = kinds.entry(subject).or_insert(kind);
                    if kind == "catalogue" {
                        *entry = kind;
                    }
                }
            }
        }
        // The catalogue links a catalogue's walk does not follow: it does not own its
        // datasets' nodes.
        let catalogue_links: Vec<TermId> = [dcat::DATASET_PROPERTY, dcat::SERVICE, dcat::RECORD]
            .iter()
            .filter_map(|p| graph.id(TermRef::NamedNode(*p)))
            .collect();
        // Which records reach each non-record node, walking through non-record nodes only.
        let mut owners: FxHashMap<TermId, Owner> = FxHashMap::default();
        let mut seen: FxHashSet<TermId> = FxHashSet::default();
        let mut queue: VecDeque<TermId> = VecDeque::new();
        for (&record, &kind) in &kinds {
            seen.clear();
            queue.push_back(record);
            while let Some(node) = queue.pop_front() {
                for &i in graph.with_subject(node) {
                    let [_, predicate, object] = graph.encoded(i);
                    if node == record && kind == "catalogue" && catalogue_links.contains(&predicate) {
                        continue;
                    }
                    if matches!(graph.term(object), TermRef::Literal(_))
                        || kinds.contains_key(&object)
                        || graph.with_subject(object).is_empty()
                    {
                        continue;
                    }
                    if seen.insert(object) {
                        owners
                            .entry(object)
                            .and_modify(|owner| {
                                if *owner != Owner::One(record) {
                                    *owner = Owner::Many;
                                }
                            })
                            .or_insert(Owner::One(record));
                        queue.push_back(object);
                    }
                }
            }
        }
        let mut owned: FxHashMap<TermId, Vec<usize>> = kinds
            .keys()
            .map(|&record| {
                let own = graph.with_subject(record).iter().map(|&i| i as usize).collect();
                (record, own)
            })
            .collect();
        let mut shared = Vec::new();
        let mut i = 0;
        let all = graph.with_subject_order();
        while i < all.len() {
            let subject = graph.encoded(all[i])[0];
            let run = graph.with_subject(subject);
            i += run.len();
            if kinds.contains_key(&subject) {
                continue;
            }
            match owners.get(&subject) {
                Some(Owner::One(record)) => {
                    if let Some(own) = owned.get_mut(record) {
                        own.extend(run.iter().map(|&i| i as usize));
                    }
                }
                _ => shared.extend(run.iter().map(|&i| i as usize)),
            }
        }
        let hashes = TermHashes::of(graph);
        let records = owned
            .into_iter()
            .map(|(record, mut triples)| {
                triples.sort_unstable();
                let hash = triples
                    .iter()
                    .map(|&i| hashes.triple(graph.encoded(i as u32)))
                    .fold(0u128, u128::wrapping_add);
                let subject = graph.term(record).to_string();
                let part = RecordPart {
                    subject: subject.clone(),
                    kind: kinds[&record],
                    triples,
                    hash,
                };
                (subject, part)
            })
            .collect();
        shared.sort_unstable();
        Self { records, shared }
    }

    /// The records other than catalogues: what a harvest counts.
    pub fn counted(&self) -> impl Iterator<Item = &RecordPart> {
        self.records.values().filter(|r| r.kind != "catalogue")
    }
}

/// A 128-bit hash of each term of a graph, from its N-Triples form's parts, so that equal
/// terms hash alike in any graph.
struct TermHashes(Vec<u128>);

impl TermHashes {
    fn of(graph: &SourceGraph<'_>) -> Self {
        Self(
            (0..graph.term_count() as TermId)
                .map(|id| wide_hash(&graph.term(id)))
                .collect(),
        )
    }

    /// A triple's hash: its terms' hashes in their places.
    fn triple(&self, [s, p, o]: [TermId; 3]) -> u128 {
        wide_hash(&(self.0[s as usize], self.0[p as usize], self.0[o as usize]))
    }
}

/// Two 64-bit SipHash values of `value` under different prefixes. `DefaultHasher::new()`
/// is keyed with fixed keys, so the value is the same in every run of one build.
fn wide_hash(value: &impl Hash) -> u128 {
    let half = |prefix: u8| {
        let mut hasher = DefaultHasher::new();
        prefix.hash(&mut hasher);
        value.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// How one version of a source differs from the previous one, by record.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    /// Records new in this version.
    pub added: usize,
    /// Records whose content hash differs.
    pub changed: usize,
    /// Records with the same content hash.
    pub unchanged: usize,
    /// Records of the previous version that this one lacks.
    pub deleted: usize,
}

impl Changes {
    /// Compares two partitions (catalogue records are not counted).
    pub fn between(previous: &Partition, next: &Partition) -> Self {
        let mut changes = Self::default();
        for record in next.counted() {
            match previous.records.get(&record.subject) {
                None => changes.added += 1,
                Some(old) if old.hash == record.hash => changes.unchanged += 1,
                Some(_) => changes.changed += 1,
            }
        }
        changes.deleted = previous
            .counted()
            .filter(|r| !next.records.contains_key(&r.subject))
            .count();
        changes
    }
}

/// The IRIs of the records (catalogues too) `previous` held and `next` lacks.
pub fn deleted_records(previous: &Partition, next: &Partition) -> Vec<oxigraph::model::NamedNode> {
    previous
        .records
        .keys()
        .filter(|subject| !next.records.contains_key(*subject))
        .filter_map(|subject| {
            let iri = subject.strip_prefix('<')?.strip_suffix('>')?;
            oxigraph::model::NamedNode::new(iri).ok()
        })
        .collect()
}

/// Removes the given records (by subject) from `triples`: their owned triples, and every
/// triple pointing at them. Shared nodes no remaining triple points at are removed too.
pub fn remove_records(triples: Vec<Triple>, subjects: &HashSet<String>) -> Vec<Triple> {
    if subjects.is_empty() {
        return triples;
    }
    let keep: Vec<bool> = {
        let graph = SourceGraph::new(&triples);
        let partition = Partition::of_graph(&graph);
        let mut keep = vec![true; triples.len()];
        let mut removed: FxHashSet<TermId> = FxHashSet::default();
        for subject in subjects {
            if let Some(record) = partition.records.get(subject) {
                for &i in &record.triples {
                    keep[i] = false;
                }
            }
            if let Some(id) = subject_id(&graph, subject) {
                removed.insert(id);
            }
        }
        for &id in &removed {
            for &i in graph.with_object(id) {
                keep[i as usize] = false;
            }
        }
        // Shared nodes still referenced by what is kept stay.
        let referenced: FxHashSet<TermId> = (0..triples.len())
            .filter(|&i| keep[i])
            .map(|i| graph.encoded(i as u32)[2])
            .collect();
        for &i in &partition.shared {
            if keep[i] && !referenced.contains(&graph.encoded(i as u32)[0]) {
                keep[i] = false;
            }
        }
        keep
    };
    triples
        .into_iter()
        .zip(keep)
        .filter_map(|(t, keep)| keep.then_some(t))
        .collect()
}

/// The number of a subject written as N-Triples (`<iri>` or `_:label`).
fn subject_id(graph: &SourceGraph<'_>, subject: &str) -> Option<TermId> {
    let term = if let Some(iri) = subject.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        TermRef::NamedNode(NamedNodeRef::new_unchecked(iri))
    } else {
        TermRef::BlankNode(BlankNodeRef::new_unchecked(subject.strip_prefix("_:")?))
    };
    graph.id(term)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf_document::parse;
    use oxigraph::io::RdfFormat;

    const CATALOGUE: &str = r#"
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://c> a dcat:Catalog ; dcat:dataset <http://d1>, <http://d2> ; dct:publisher <http://org> .
        <http://d1> a dcat:Dataset ; dct:title "One" ; dct:publisher <http://org> ;
            dcat:distribution <http://d1/csv> .
        <http://d1/csv> a dcat:Distribution ; dcat:accessURL <http://x/1.csv> .
        <http://d2> a dcat:Dataset ; dct:title "Two" ; dct:publisher <http://org> .
        <http://org> dct:title "Council" .
    "#;

    fn triples(text: &str) -> Vec<Triple> {
        parse(text.as_bytes(), RdfFormat::Turtle, None, "t").unwrap()
    }

    #[test]
    fn records_own_their_distributions_and_share_their_publisher() {
        let t = triples(CATALOGUE);
        let p = Partition::of(&t);
        assert_eq!(p.records.len(), 3);
        assert_eq!(p.records["<http://d1>"].triples.len(), 6);
        assert_eq!(p.counted().count(), 2);
        assert_eq!(p.shared.len(), 1, "the publisher is shared");
    }

    #[test]
    fn hashes_ignore_order_and_see_changes() {
        let a = Partition::of(&triples(CATALOGUE));
        let mut reversed = triples(CATALOGUE);
        reversed.reverse();
        let b = Partition::of(&reversed);
        assert_eq!(a.records["<http://d1>"].hash, b.records["<http://d1>"].hash);
        let c = Partition::of(&triples(&CATALOGUE.replace("http://x/1.csv", "http://x/2.csv")));
        assert_ne!(a.records["<http://d1>"].hash, c.records["<http://d1>"].hash);
        assert_eq!(
            Changes::between(&a, &c),
            Changes {
                added: 0,
                changed: 1,
                unchanged: 1,
                deleted: 0
            }
        );
    }

    #[test]
    fn removing_a_record_removes_what_it_owns_and_links_to_it() {
        let kept = remove_records(triples(CATALOGUE), &HashSet::from(["<http://d1>".to_owned()]));
        let text: Vec<String> = kept.iter().map(ToString::to_string).collect();
        assert!(!text.iter().any(|l| l.contains("http://d1")), "{text:#?}");
        assert!(
            text.iter().any(|l| l.contains("<http://org>")),
            "the publisher is still used"
        );
        let none = remove_records(kept, &HashSet::from(["<http://d2>".to_owned()]));
        assert!(
            none.iter().any(|t| t.subject.to_string() == "<http://org>"),
            "the catalogue still points at the publisher"
        );
    }
}
