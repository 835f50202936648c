//! A source's finished triples, read as the store will read once they are written in place
//! of what its graph holds: what a first harvest builds its records from
//! ([`crate::enrich::harvested`]), through the same record view and label resolution as
//! the store's ([`civicgraph_graph::Statements`]).

use crate::source_graph::SourceGraph;
use civicgraph_graph::{GraphError, Statements, node_hash};
use oxigraph::model::{
    GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, TermRef, Triple,
};
use oxigraph::store::Store;
use std::collections::HashSet;
use std::sync::Mutex;

/// A source's triples, about to be written as the whole of `graph`, over the store: every
/// lookup answers with the source's statements and the store's in other graphs.
pub struct Pending<'a> {
    triples: SourceGraph<'a>,
    graph: GraphName,
    store: &'a Store,
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
    /// `triples`, to be written as the whole of `graph`, over `store`.
    pub fn new(triples: &'a [Triple], graph: &NamedNode, store: &'a Store) -> Self {
        Self {
            triples: SourceGraph::new(triples),
            graph: graph.clone().into(),
            store,
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

    /// Whether a stored quad stays once the source is written: the source replaces its graph.
    fn kept(&self, quad: &Quad) -> bool {
        quad.graph_name != self.graph
    }
}

impl Statements for Pending<'_> {
    fn about(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        predicate: Option<NamedNodeRef<'_>>,
    ) -> Result<Vec<Quad>, GraphError> {
        self.touched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(node_hash(subject));
        let mut quads: Vec<Quad> = match predicate {
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
        };
        quads.extend(
            self.store
                .about(subject, predicate)?
                .into_iter()
                .filter(|q| self.kept(q)),
        );
        Ok(quads)
    }

    fn stating(
        &self,
        predicate: NamedNodeRef<'_>,
        object: TermRef<'_>,
    ) -> Result<Vec<NamedOrBlankNode>, GraphError> {
        let mut subjects: Vec<NamedOrBlankNode> = self
            .triples
            .subjects_for_predicate_object(predicate, object)
            .map(NamedOrBlankNodeRef::into_owned)
            .collect();
        for quad in self
            .store
            .quads_for_pattern(None, Some(predicate), Some(object), None)
        {
            let quad = quad?;
            if self.kept(&quad) {
                subjects.push(quad.subject);
            }
        }
        Ok(subjects)
    }
}
