//! What the whole store holds that tagging a record would otherwise ask it about, read
//! once before a pass over every record ([`Known`]).

use crate::error::Result;
use civicgraph_vocab::cg;
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, TripleRef,
};
use oxigraph::store::Store;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What the whole store holds that tagging a record would otherwise ask it about, read
/// once before a pass over every record: the few subjects a graph states a pattern for,
/// the few datasets a case study uses and the titles of those case studies, and whether
/// any dataset is in a cluster. At a million records, asking the store these for each
/// record (four lookups, each decoding what it found) was a third of tagging's time. A
/// first refresh adds the clusters it found before writing them.
///
/// Rolled by a first harvest's sources ([`crate::enrich::harvested`]), it also holds
/// which records of another kind are datasets too, so that a first refresh asks the store
/// nothing: its lookups, made before the store's one compaction, each consulted every file
/// the bulk loads had left (at a million datasets, most of the refresh's pass, one core
/// idle).
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// The patterns stated for each subject of a `cg:usePattern`, with the graph of each.
    pub(super) stated: HashMap<NamedNode, Vec<(NamedNode, GraphName)>>,
    /// The case studies (subjects of a `cg:usesDataset`) that use each object of one.
    pub(super) used: HashMap<NamedNode, Vec<NamedNode>>,
    /// Whether any `cg:cluster` statement exists in the store: if one does, a dataset's
    /// uses are asked of the store (through its cluster's members).
    pub(super) clustered: bool,
    /// The clusters this run found and has not written yet ([`Known::note_clusters`]):
    /// every member of each, by member.
    pub(super) found_clusters: HashMap<NamedNode, Arc<[NamedNode]>>,
    /// The title of each case study in `used` (the least, when it has several), when every
    /// one is known: then a dataset's uses are not asked of the store.
    pub(super) titles: Option<HashMap<NamedNode, String>>,
    /// The records typed `dcat:Dataset` besides another record class, when known: then a
    /// record not read as a dataset is not asked whether it is one.
    pub(super) datasets_too: Option<HashSet<NamedNode>>,
}

impl Known {
    /// What `store` holds now. Valid while no other write changes those statements: for a
    /// pass that holds the writer's lock.
    pub fn of(store: &Store) -> Result<Self> {
        let mut known = Self::default();
        for predicate in [cg::USE_PATTERN, cg::USES_DATASET] {
            for quad in store.quads_for_pattern(None, Some(predicate), None, None) {
                let quad = quad?;
                known.note(quad.as_ref().into(), quad.graph_name.as_ref());
            }
        }
        known.clustered = store
            .quads_for_pattern(None, Some(cg::CLUSTER), None, None)
            .next()
            .transpose()?
            .is_some();
        // The titles of the case studies that use a dataset (a few thousand lookups): with
        // them, a dataset's uses are not asked of the store.
        let mut titles: HashMap<NamedNode, String> = HashMap::new();
        for case in known.used.values().flatten() {
            if titles.contains_key(case) {
                continue;
            }
            for quad in store.quads_for_pattern(
                Some(case.as_ref().into()),
                Some(civicgraph_vocab::ext::dct::TITLE),
                None,
                None,
            ) {
                if let Term::Literal(title) = quad?.object {
                    least_title(&mut titles, case, title.value());
                }
            }
        }
        known.titles = Some(titles);
        Ok(known)
    }

    /// Notes the clusters this run found (each one's members), before they are written: a
    /// dataset takes the patterns of the case studies that used another member of its.
    pub(crate) fn note_clusters(&mut self, clusters: &[Vec<String>]) {
        for members in clusters {
            let members: Arc<[NamedNode]> = members
                .iter()
                .map(|m| NamedNode::new_unchecked(m.as_str()))
                .collect();
            for member in members.iter() {
                self.found_clusters.insert(member.clone(), members.clone());
            }
        }
    }

    /// Nothing known yet, to be extended with what each source of a first harvest rolled:
    /// the case studies' titles are known as long as each source knew its own.
    pub(crate) fn for_roll() -> Self {
        Self {
            titles: Some(HashMap::new()),
            ..Self::default()
        }
    }

    /// Notes what `triple`, in `graph`, says of a pattern stated, a dataset used or a
    /// cluster.
    pub(crate) fn note(&mut self, triple: TripleRef<'_>, graph: GraphNameRef<'_>) {
        if triple.predicate == cg::USE_PATTERN {
            if let (NamedOrBlankNodeRef::NamedNode(subject), TermRef::NamedNode(pattern)) =
                (triple.subject, triple.object)
            {
                self.stated
                    .entry(subject.into_owned())
                    .or_default()
                    .push((pattern.into_owned(), graph.into_owned()));
            }
        } else if triple.predicate == cg::USES_DATASET {
            if let (NamedOrBlankNodeRef::NamedNode(case), TermRef::NamedNode(dataset)) =
                (triple.subject, triple.object)
            {
                let cases = self.used.entry(dataset.into_owned()).or_default();
                if !cases.iter().any(|c| c.as_ref() == case) {
                    cases.push(case.into_owned());
                }
            }
        } else if triple.predicate == cg::CLUSTER {
            self.clustered = true;
        }
    }

    /// Notes the titles of the case studies among `triples` that use a dataset: for a
    /// source's roll, after [`Known::note`] saw them all.
    pub(crate) fn note_titles(&mut self, triples: &[oxigraph::model::Triple]) {
        let mut titles: HashMap<NamedNode, String> = HashMap::new();
        if self.used.is_empty() {
            // A catalogue uses nothing: its triples need not be read again.
            self.titles = Some(titles);
            return;
        }
        let cases: HashSet<&NamedNode> = self.used.values().flatten().collect();
        for t in triples {
            if t.predicate != civicgraph_vocab::ext::dct::TITLE {
                continue;
            }
            if let (NamedOrBlankNode::NamedNode(case), Term::Literal(title)) = (&t.subject, &t.object)
                && cases.contains(case)
            {
                least_title(&mut titles, case, title.value());
            }
        }
        self.titles = Some(titles);
    }

    /// Notes which records are datasets besides another kind: all of them, as the first
    /// refresh's roll of every record's kinds says.
    pub(crate) fn note_datasets_too(&mut self, datasets_too: HashSet<NamedNode>) {
        self.datasets_too = Some(datasets_too);
    }

    /// Adds what `other` knows. Titles stay known only if both knew theirs.
    pub(crate) fn extend(&mut self, other: Known) {
        for (subject, stated) in other.stated {
            self.stated.entry(subject).or_default().extend(stated);
        }
        for (dataset, cases) in other.used {
            let kept = self.used.entry(dataset).or_default();
            for case in cases {
                if !kept.contains(&case) {
                    kept.push(case);
                }
            }
        }
        self.clustered |= other.clustered;
        self.found_clusters.extend(other.found_clusters);
        self.titles = match (self.titles.take(), other.titles) {
            (Some(mut mine), Some(theirs)) => {
                for (case, title) in theirs {
                    least_title(&mut mine, &case, &title);
                }
                Some(mine)
            }
            _ => None,
        };
        self.datasets_too = None;
    }
}

/// Keeps in `titles` the least title of `case` (as the store is asked for it when it has several).
fn least_title(titles: &mut HashMap<NamedNode, String>, case: &NamedNode, title: &str) {
    match titles.get_mut(case) {
        Some(kept) if title < kept.as_str() => title.clone_into(kept),
        Some(_) => {}
        None => {
            titles.insert(case.clone(), title.to_owned());
        }
    }
}
