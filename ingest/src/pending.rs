//! A source's finished triples, read as the store will read once they are written in place
//! of what its graph holds: what a first harvest builds its records from
//! ([`crate::enrich::harvested`]), through the same record view and label resolution as
//! the store's ([`civicgraph_graph::Statements`]).
//!
//! What the source describes is answered from its triples alone, with no store lookup
//! (which, a few per record, cost as much as reading the record back): the caller checks
//! afterwards that no other source describes it too. What the source does not describe
//! (a theme, a place named elsewhere) is the store's.

use crate::source_graph::SourceGraph;
use civicgraph_graph::{GraphError, Statements, node_hash};
use oxigraph::model::{
    GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, TermRef, Triple,
};
use oxigraph::store::Store;
use std::collections::HashSet;
use std::sync::Mutex;

/// A source's triples, about to be written as the whole of `graph`, over the store: a node
/// the source describes is answered from the source (and from the store too when the store
/// described it before the run), any other from the store.
pub struct Pending<'a> {
    triples: SourceGraph<'a>,
    graph: GraphName,
    store: &'a Store,
    /// The subjects the store described when the run began (the vocabulary), by
    /// [`node_hash`]: for these the store is read too.
    stored_before: &'a HashSet<u64>,
    /// Every node whose statements were asked for, by [`node_hash`].
    touched: Mutex<HashSet<u64>>,
}

impl std::fmt::Debug for Pending<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("graph", &self.graph)
            .field("triples", &self.triples.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Pending<'a> {
    /// `triples`, to be written as the whole of `graph`, over `store`, which described
    /// `stored_before` when the run began.
    pub fn new(
        triples: &'a [Triple],
        graph: &NamedNode,
        store: &'a Store,
        stored_before: &'a HashSet<u64>,
    ) -> Self {
        Self {
            triples: SourceGraph::new(triples),
            graph: graph.clone().into(),
            store,
            stored_before,
            touched: Mutex::new(HashSet::new()),
        }
    }

    /// The IRIs the source's triples type `class`.
    pub fn typed(&self, class: NamedNodeRef<'_>) -> Vec<NamedNode> {
        self.triples
            .subjects_for_predicate_object(oxigraph::model::vocab::rdf::TYPE, class)
            .filter_map(|subject| match subject {
                NamedOrBlankNodeRef::NamedNode(node) => Some(node.into_owned()),
                NamedOrBlankNodeRef::BlankNode(_) => None,
            })
            .collect()
    }

    /// The hashes ([`node_hash`]) of every node whose statements were read so far.
    pub fn touched(&self) -> HashSet<u64> {
        self.touched.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The source's own statements about `subject`, as quads of its graph.
    fn own(&self, subject: NamedOrBlankNodeRef<'_>, predicate: Option<NamedNodeRef<'_>>) -> Vec<Quad> {
        match predicate {
            Some(predicate) => self
                .triples
                .objects_for_subject_predicate(subject, predicate)
                .map(|object| Quad::new(subject.into_owned(), predicate, object, self.graph.clone()))
                .collect(),
            None => self
                .triples
                .triples_for_subject(subject)
                .map(|t| t.into_owned().in_graph(self.graph.clone()))
                .collect(),
        }
    }
}

impl Statements for Pending<'_> {
    fn about(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        predicate: Option<NamedNodeRef<'_>>,
    ) -> Result<Vec<Quad>, GraphError> {
        let hash = node_hash(subject);
        self.touched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(hash);
        let described = self.triples.describes(subject);
        if described && !self.stored_before.contains(&hash) {
            return Ok(self.own(subject, predicate));
        }
        // The source replaces its graph: what the store holds there now does not count.
        let mut quads = self.store.about(subject, predicate)?;
        quads.retain(|quad| quad.graph_name != self.graph);
        if described {
            quads.extend(self.own(subject, predicate));
        }
        Ok(quads)
    }

    fn stating(
        &self,
        predicate: NamedNodeRef<'_>,
        object: TermRef<'_>,
    ) -> Result<Vec<NamedOrBlankNode>, GraphError> {
        // The store held no record when the run began, so no catalogue listing one: what
        // another source of the run lists is the caller's check.
        Ok(self
            .triples
            .subjects_for_predicate_object(predicate, object)
            .map(NamedOrBlankNodeRef::into_owned)
            .collect())
    }
}
