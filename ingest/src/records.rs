//! Cutting a source's triples into records, for change detection, strict mode and
//! incremental harvests.
//!
//! A record is a subject typed `dcat:Dataset`, `dcat:DatasetSeries`, `dcat:DataService`,
//! `dcat:Catalog` or `cg:CaseStudy`. It owns its own triples and those of the nodes only it
//! reaches through non-record nodes (its distributions, contact point, period, ...). Nodes
//! reached from several records (a shared publisher, a licence) belong to none; they stay
//! while any record points at them. A record's content hash is a SHA-256 of its owned
//! triples as sorted N-Triples, so two harvests of the same record agree whatever the
//! document order.

use crate::mint::{canonical_lines, hex, record_kind};
use civicgraph_vocab::ext::dcat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedOrBlankNode, Term, Triple};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// One record and what it owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPart {
    /// The record's subject, as N-Triples (`<iri>`).
    pub subject: String,
    /// `dataset`, `service`, `catalogue` or `case-study`.
    pub kind: &'static str,
    /// Indexes into the triples of the record's owned triples.
    pub triples: Vec<usize>,
    /// SHA-256 of the owned triples in canonical order.
    pub hash: String,
}

/// A source's triples cut into records.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    /// Records by subject, in subject order.
    pub records: BTreeMap<String, RecordPart>,
    /// Indexes of triples no record owns (shared nodes, catalogue links, unknown subjects).
    pub shared: Vec<usize>,
}

impl Partition {
    /// Cuts `triples` into records.
    pub fn of(triples: &[Triple]) -> Self {
        let mut by_subject: HashMap<String, Vec<usize>> = HashMap::new();
        let mut kinds: HashMap<String, &'static str> = HashMap::new();
        for (i, t) in triples.iter().enumerate() {
            let subject = t.subject.to_string();
            if t.predicate == rdf::TYPE
                && let Term::NamedNode(class) = &t.object
                && let Some(kind) = record_kind(class.as_str())
            {
                // A catalogue that is also typed as a dataset stays a catalogue.
                let entry = kinds.entry(subject.clone()).or_insert(kind);
                if kind == "catalogue" {
                    *entry = kind;
                }
            }
            by_subject.entry(subject).or_default().push(i);
        }
        // Which records reach each non-record node, walking through non-record nodes only.
        // Catalogues do not own their datasets' nodes: the walk from a catalogue stops at
        // its `dcat:dataset`/`dcat:service`/`dcat:record` links.
        let mut owners: HashMap<String, HashSet<&str>> = HashMap::new();
        for record in kinds.keys() {
            let mut seen: HashSet<String> = HashSet::new();
            let mut queue = VecDeque::from([record.clone()]);
            while let Some(node) = queue.pop_front() {
                for &i in by_subject.get(&node).map(Vec::as_slice).unwrap_or_default() {
                    let t = &triples[i];
                    if node == *record
                        && kinds[record] == "catalogue"
                        && [dcat::DATASET_PROPERTY, dcat::SERVICE, dcat::RECORD]
                            .contains(&t.predicate.as_ref())
                    {
                        continue;
                    }
                    let object = match &t.object {
                        Term::NamedNode(n) => NamedOrBlankNode::from(n.clone()).to_string(),
                        Term::BlankNode(b) => NamedOrBlankNode::from(b.clone()).to_string(),
                        _ => continue,
                    };
                    if kinds.contains_key(&object) || !by_subject.contains_key(&object) {
                        continue;
                    }
                    if seen.insert(object.clone()) {
                        owners.entry(object.clone()).or_default().insert(record.as_str());
                        queue.push_back(object);
                    }
                }
            }
        }
        let mut records: BTreeMap<String, RecordPart> = kinds
            .iter()
            .map(|(subject, kind)| {
                (
                    subject.clone(),
                    RecordPart {
                        subject: subject.clone(),
                        kind,
                        triples: by_subject.get(subject).cloned().unwrap_or_default(),
                        hash: String::new(),
                    },
                )
            })
            .collect();
        let mut shared = Vec::new();
        let mut subjects: Vec<&String> = by_subject.keys().collect();
        subjects.sort_unstable();
        for subject in subjects {
            if kinds.contains_key(subject) {
                continue;
            }
            let indexes = &by_subject[subject];
            match owners.get(subject) {
                Some(set) if set.len() == 1 => {
                    let owner = set.iter().next().copied().unwrap_or_default();
                    if let Some(record) = records.get_mut(owner) {
                        record.triples.extend(indexes);
                    }
                }
                _ => shared.extend(indexes),
            }
        }
        for record in records.values_mut() {
            record.triples.sort_unstable();
            let owned: Vec<Triple> = record.triples.iter().map(|&i| triples[i].clone()).collect();
            let mut hasher = Sha256::new();
            for line in canonical_lines(&owned) {
                hasher.update(line.as_bytes());
                hasher.update(b"\n");
            }
            record.hash = hex(&hasher.finalize());
        }
        shared.sort_unstable();
        Self { records, shared }
    }

    /// The records other than catalogues: what a harvest counts.
    pub fn counted(&self) -> impl Iterator<Item = &RecordPart> {
        self.records.values().filter(|r| r.kind != "catalogue")
    }
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

/// Removes the given records (by subject) from `triples`: their owned triples, and every
/// triple pointing at them. Shared nodes no remaining triple points at are removed too.
pub fn remove_records(triples: Vec<Triple>, subjects: &HashSet<String>) -> Vec<Triple> {
    if subjects.is_empty() {
        return triples;
    }
    let partition = Partition::of(&triples);
    let mut drop: HashSet<usize> = HashSet::new();
    for subject in subjects {
        if let Some(record) = partition.records.get(subject) {
            drop.extend(&record.triples);
        }
    }
    let object_key = |t: &Triple| match &t.object {
        Term::NamedNode(n) => Some(NamedOrBlankNode::from(n.clone()).to_string()),
        Term::BlankNode(b) => Some(NamedOrBlankNode::from(b.clone()).to_string()),
        _ => None,
    };
    let kept: Vec<(usize, &Triple)> = triples
        .iter()
        .enumerate()
        .filter(|(i, t)| !drop.contains(i) && !object_key(t).is_some_and(|o| subjects.contains(&o)))
        .collect();
    // Shared nodes still referenced by what is kept stay.
    let referenced: HashSet<String> = kept.iter().filter_map(|(_, t)| object_key(t)).collect();
    let shared: HashSet<usize> = partition.shared.iter().copied().collect();
    kept.into_iter()
        .filter(|(i, t)| !shared.contains(i) || referenced.contains(&t.subject.to_string()))
        .map(|(_, t)| t.clone())
        .collect()
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
