//! One source's triples, interned and indexed in memory: the one structure a harvest reads
//! them through while it cuts them into records ([`crate::records::Partition`]) and
//! validates them ([`crate::shacl`]).
//!
//! Each distinct term gets a number once, and the triples are kept as three numbers, with
//! three sorted orders of them (subject, predicate and object first) and where each term's
//! run starts in each, so that a term's triples are found by offset, a pair's by a binary
//! search within that run, and every comparison is an integer one. The terms are borrowed
//! from the harvested triples, never copied: a source of a million triples costs its
//! triples plus about 40 bytes a triple and 12 a term here, where an `oxrdf::Graph` built
//! from them copied every term and a string-keyed partition formatted every subject again.

use civicgraph_graph::GraphCounts;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNodeRef, NamedOrBlankNodeRef, TermRef, Triple, TripleRef};
use rustc_hash::FxHashMap;

/// A term's number within one [`SourceGraph`].
pub type TermId = u32;

/// The triples of one source, interned and indexed. See the module docs.
#[derive(Debug)]
pub struct SourceGraph<'a> {
    triples: &'a [Triple],
    terms: Vec<TermRef<'a>>,
    ids: FxHashMap<TermRef<'a>, TermId>,
    /// Per triple, in input order: subject, predicate and object numbers.
    encoded: Vec<[TermId; 3]>,
    /// Triple indexes sorted by subject, predicate, object.
    spo: Vec<u32>,
    /// Triple indexes sorted by predicate, object, subject.
    pos: Vec<u32>,
    /// Triple indexes sorted by object, predicate, subject.
    ops: Vec<u32>,
    /// Where each term's run of `spo`, `pos` and `ops` starts (as subject, predicate and
    /// object), indexed by term number, with one more entry for the end: the triples of a
    /// subject are found without a search.
    spo_starts: Vec<u32>,
    pos_starts: Vec<u32>,
    ops_starts: Vec<u32>,
}

impl<'a> SourceGraph<'a> {
    /// Interns and indexes `triples`. A repeated triple is kept (and found) once per copy:
    /// [`crate::report::finish`] removes repeats first.
    pub fn new(triples: &'a [Triple]) -> Self {
        let mut graph = Self {
            triples,
            terms: Vec::new(),
            // A catalogue uses about one distinct term for every two or three triples: sized
            // once, the table is not rebuilt as it grows.
            ids: FxHashMap::with_capacity_and_hasher(triples.len() / 2, Default::default()),
            encoded: Vec::with_capacity(triples.len()),
            spo: Vec::new(),
            pos: Vec::new(),
            ops: Vec::new(),
            spo_starts: Vec::new(),
            pos_starts: Vec::new(),
            ops_starts: Vec::new(),
        };
        for t in triples {
            let s = graph.intern(subject_term(t.subject.as_ref()));
            let p = graph.intern(TermRef::NamedNode(t.predicate.as_ref()));
            let o = graph.intern(t.object.as_ref());
            graph.encoded.push([s, p, o]);
        }
        let terms = graph.terms.len();
        (graph.spo, graph.spo_starts) = order(&graph.encoded, terms, [0, 1, 2]);
        (graph.pos, graph.pos_starts) = order(&graph.encoded, terms, [1, 2, 0]);
        (graph.ops, graph.ops_starts) = order(&graph.encoded, terms, [2, 1, 0]);
        graph
    }

    fn intern(&mut self, term: TermRef<'a>) -> TermId {
        if let Some(&id) = self.ids.get(&term) {
            return id;
        }
        let id = self.terms.len() as TermId;
        self.terms.push(term);
        self.ids.insert(term, id);
        id
    }

    /// How many triples it holds.
    pub fn len(&self) -> usize {
        self.encoded.len()
    }

    /// Whether it holds no triple.
    pub fn is_empty(&self) -> bool {
        self.encoded.is_empty()
    }

    /// How many distinct terms it uses.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Every triple index, by subject, predicate and object: each subject's triples are
    /// one run.
    pub fn with_subject_order(&self) -> &[u32] {
        &self.spo
    }

    /// The triples it was built from, in their order.
    pub fn triples(&self) -> &'a [Triple] {
        self.triples
    }

    /// The number of a term, if the graph uses it.
    pub fn id(&self, term: TermRef<'_>) -> Option<TermId> {
        self.ids.get(&term).copied()
    }

    /// The term with number `id`.
    pub fn term(&self, id: TermId) -> TermRef<'a> {
        self.terms[id as usize]
    }

    /// Triple `index`'s subject, predicate and object numbers.
    pub fn encoded(&self, index: u32) -> [TermId; 3] {
        self.encoded[index as usize]
    }

    /// Triple `index`.
    pub fn triple(&self, index: u32) -> TripleRef<'a> {
        self.triples[index as usize].as_ref()
    }

    /// The indexes of the triples whose subject is `subject`, by predicate and object.
    pub fn with_subject(&self, subject: TermId) -> &[u32] {
        run(&self.spo, &self.spo_starts, subject)
    }

    /// The indexes of the triples with this subject and predicate.
    pub fn with_subject_predicate(&self, subject: TermId, predicate: TermId) -> &[u32] {
        self.within(self.with_subject(subject), 1, predicate)
    }

    /// The indexes of the triples with this predicate.
    pub fn with_predicate(&self, predicate: TermId) -> &[u32] {
        run(&self.pos, &self.pos_starts, predicate)
    }

    /// What VoID counts of these triples: distinct triples, subjects, and classes (objects
    /// of `rdf:type`). Read off the sorted orders: a repeated triple is counted once.
    pub fn counts(&self) -> GraphCounts {
        let mut triples = 0;
        let mut last = None;
        for &i in &self.spo {
            let triple = Some(self.encoded[i as usize]);
            if triple != last {
                triples += 1;
                last = triple;
            }
        }
        let entities = self.spo_starts.windows(2).filter(|run| run[1] > run[0]).count();
        let classes = self.id(TermRef::NamedNode(rdf::TYPE)).map_or(0, |kind| {
            let mut classes = 0;
            let mut last = None;
            for &i in self.with_predicate(kind) {
                let class = Some(self.encoded[i as usize][2]);
                if class != last {
                    classes += 1;
                    last = class;
                }
            }
            classes
        });
        GraphCounts {
            triples,
            entities: entities as u64,
            classes,
        }
    }

    /// The indexes of the triples with this predicate and object.
    pub fn with_predicate_object(&self, predicate: TermId, object: TermId) -> &[u32] {
        self.within(self.with_predicate(predicate), 2, object)
    }

    /// The indexes of the triples whose object is `object`.
    pub fn with_object(&self, object: TermId) -> &[u32] {
        run(&self.ops, &self.ops_starts, object)
    }

    /// The part of `run` (sorted by position `key` next) whose term at `key` is `wanted`.
    fn within<'s>(&self, run: &'s [u32], key: usize, wanted: TermId) -> &'s [u32] {
        let encoded = &self.encoded;
        let start = run.partition_point(|&i| encoded[i as usize][key] < wanted);
        let len = run[start..].partition_point(|&i| encoded[i as usize][key] == wanted);
        &run[start..start + len]
    }

    /// The objects of `subject`'s `predicate`.
    pub fn objects_for_subject_predicate<'s>(
        &'s self,
        subject: impl Into<NamedOrBlankNodeRef<'s>>,
        predicate: impl Into<NamedNodeRef<'s>>,
    ) -> impl Iterator<Item = TermRef<'a>> + 's {
        let found = match (
            self.id(subject_term(subject.into())),
            self.id(TermRef::NamedNode(predicate.into())),
        ) {
            (Some(s), Some(p)) => self.with_subject_predicate(s, p),
            _ => &[],
        };
        found.iter().map(|&i| self.term(self.encoded(i)[2]))
    }

    /// The first object of `subject`'s `predicate`, in term order.
    pub fn object_for_subject_predicate<'s>(
        &'s self,
        subject: impl Into<NamedOrBlankNodeRef<'s>>,
        predicate: impl Into<NamedNodeRef<'s>>,
    ) -> Option<TermRef<'a>> {
        self.objects_for_subject_predicate(subject, predicate).next()
    }

    /// The subjects with `predicate` `object`.
    pub fn subjects_for_predicate_object<'s>(
        &'s self,
        predicate: impl Into<NamedNodeRef<'s>>,
        object: impl Into<TermRef<'s>>,
    ) -> impl Iterator<Item = NamedOrBlankNodeRef<'a>> + 's {
        let found = match (
            self.id(TermRef::NamedNode(predicate.into())),
            self.id(object.into()),
        ) {
            (Some(p), Some(o)) => self.with_predicate_object(p, o),
            _ => &[],
        };
        found.iter().map(|&i| self.triple(i).subject)
    }

    /// The triples with `predicate`.
    pub fn triples_for_predicate<'s>(
        &'s self,
        predicate: impl Into<NamedNodeRef<'s>>,
    ) -> impl Iterator<Item = TripleRef<'a>> + 's {
        let found = match self.id(TermRef::NamedNode(predicate.into())) {
            Some(p) => self.with_predicate(p),
            None => &[],
        };
        found.iter().map(|&i| self.triple(i))
    }

    /// Whether `subject` is the subject of any triple.
    pub fn describes(&self, subject: NamedOrBlankNodeRef<'_>) -> bool {
        self.id(subject_term(subject))
            .is_some_and(|s| !self.with_subject(s).is_empty())
    }

    /// The triples of `subject`.
    pub fn triples_for_subject<'s>(
        &'s self,
        subject: impl Into<NamedOrBlankNodeRef<'s>>,
    ) -> impl Iterator<Item = TripleRef<'a>> + 's {
        let found = match self.id(subject_term(subject.into())) {
            Some(s) => self.with_subject(s),
            None => &[],
        };
        found.iter().map(|&i| self.triple(i))
    }
}

/// The triple indexes of `encoded` sorted by the terms at positions `keys` (first key
/// first), with where each term's run of the first key starts. Three stable counting passes,
/// last key first: term numbers are dense, so each pass is linear, where comparison sorts
/// followed an index into `encoded` at every comparison (a tenth of a harvest's validation).
fn order(encoded: &[[TermId; 3]], terms: usize, keys: [usize; 3]) -> (Vec<u32>, Vec<u32>) {
    let mut order: Vec<u32> = (0..encoded.len() as u32).collect();
    let mut next = vec![0u32; encoded.len()];
    let mut ends = vec![0u32; terms];
    for &key in keys.iter().rev() {
        ends.iter_mut().for_each(|e| *e = 0);
        for t in encoded {
            ends[t[key] as usize] += 1;
        }
        // Each term's first place, advanced as its triples are placed: its end once done.
        let mut start = 0;
        for e in &mut ends {
            let count = *e;
            *e = start;
            start += count;
        }
        for &i in &order {
            let slot = &mut ends[encoded[i as usize][key] as usize];
            next[*slot as usize] = i;
            *slot += 1;
        }
        std::mem::swap(&mut order, &mut next);
    }
    let mut starts = Vec::with_capacity(terms + 1);
    starts.push(0);
    starts.extend_from_slice(&ends);
    (order, starts)
}

/// The run of `order` of term `id`, from `starts`.
fn run<'s>(order: &'s [u32], starts: &[u32], id: TermId) -> &'s [u32] {
    match (starts.get(id as usize), starts.get(id as usize + 1)) {
        (Some(&start), Some(&end)) => &order[start as usize..end as usize],
        _ => &[],
    }
}

/// A subject as the term it is when it is an object, so that both share one number.
pub fn subject_term(subject: NamedOrBlankNodeRef<'_>) -> TermRef<'_> {
    match subject {
        NamedOrBlankNodeRef::NamedNode(n) => TermRef::NamedNode(n),
        NamedOrBlankNodeRef::BlankNode(b) => TermRef::BlankNode(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf_document::parse;
    use oxigraph::io::RdfFormat;
    use oxigraph::model::vocab::rdf;
    use oxigraph::model::{Graph, NamedNode};

    const DOC: &str = r#"
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://c> a dcat:Catalog ; dcat:dataset <http://d1>, <http://d2> .
        <http://d1> a dcat:Dataset ; dct:title "One", "Uno"@es ; dct:publisher <http://org> ;
            dcat:distribution [ dcat:accessURL <http://x/1.csv> ] .
        <http://d2> a dcat:Dataset ; dct:title "Two" ; dct:publisher <http://org> .
        <http://org> dct:title "Council" .
    "#;

    fn sorted<T: ToString>(items: impl Iterator<Item = T>) -> Vec<String> {
        let mut out: Vec<String> = items.map(|t| t.to_string()).collect();
        out.sort();
        out
    }

    /// VoID's counts of the triples are those of the store (distinct triples, subjects and
    /// classes), a repeated triple counted once.
    #[test]
    fn counts_are_void_counts() {
        let mut triples = parse(DOC.as_bytes(), RdfFormat::Turtle, None, "t").unwrap();
        triples.push(triples[0].clone());
        let counts = SourceGraph::new(&triples).counts();
        // c (type, 2 datasets), d1 (type, 2 titles, publisher, distribution), the
        // distribution, d2 (type, title, publisher), org: 13 distinct triples.
        assert_eq!(
            (counts.triples, counts.entities, counts.classes),
            (13, 5, 2),
            "{counts:?}"
        );
    }

    /// Every lookup answers as `oxrdf::Graph`'s of the same name, for every subject,
    /// predicate and object the document uses (and one it does not).
    #[test]
    fn lookups_answer_as_an_oxrdf_graph_does() {
        let triples = parse(DOC.as_bytes(), RdfFormat::Turtle, None, "t").unwrap();
        let ours = SourceGraph::new(&triples);
        let theirs: Graph = triples.iter().cloned().collect();
        assert_eq!(ours.len(), theirs.len());
        let absent = NamedNode::new_unchecked("http://absent");
        let mut subjects: Vec<_> = triples.iter().map(|t| t.subject.clone()).collect();
        subjects.push(absent.clone().into());
        let mut predicates: Vec<_> = triples.iter().map(|t| t.predicate.clone()).collect();
        predicates.push(absent.clone());
        let mut objects: Vec<_> = triples.iter().map(|t| t.object.clone()).collect();
        objects.push(absent.clone().into());
        for s in &subjects {
            assert_eq!(
                sorted(ours.triples_for_subject(s)),
                sorted(theirs.triples_for_subject(s))
            );
            for p in &predicates {
                assert_eq!(
                    sorted(ours.objects_for_subject_predicate(s, p)),
                    sorted(theirs.objects_for_subject_predicate(s, p)),
                );
            }
        }
        for p in &predicates {
            assert_eq!(
                sorted(ours.triples_for_predicate(p)),
                sorted(theirs.triples_for_predicate(p))
            );
            for o in &objects {
                assert_eq!(
                    sorted(ours.subjects_for_predicate_object(p, o)),
                    sorted(theirs.subjects_for_predicate_object(p, o)),
                );
            }
        }
        let org = ours
            .id(TermRef::NamedNode(NamedNodeRef::new_unchecked("http://org")))
            .unwrap();
        assert_eq!(ours.with_object(org).len(), 2, "two datasets name the publisher");
        assert_eq!(ours.with_subject(org).len(), 1);
        let kind = ours.id(TermRef::NamedNode(rdf::TYPE)).unwrap();
        assert_eq!(ours.with_predicate(kind).len(), 3);
    }
}
