//! Where the record view reads statements: the store, or a source's own triples before they
//! are stored (ingest's `Pending`, over the store).
//!
//! A first harvest builds each record from the triples it is about to store, so that the
//! first refresh (tagging, linking, the index) need not read a million records back out of
//! RocksDB, where decoding the terms of each quad was most of the ingest's time. Both
//! readings go through [`crate::RecordReader`] and [`crate::Labels`], the same code, so a
//! record read from a source's triples is the record the store gives once they are written,
//! provided no other source written afterwards says something about the nodes it read.

use crate::error::Result;
use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term, TermRef};
use oxigraph::store::Store;
use std::hash::{BuildHasher, BuildHasherDefault};

/// What the record view reads: the statements about a node, and who states a given thing.
pub trait Statements: Send + Sync {
    /// The quads whose subject is `subject` (and predicate `predicate`, when given), in any
    /// graph.
    fn about(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        predicate: Option<NamedNodeRef<'_>>,
    ) -> Result<Vec<Quad>>;

    /// The subjects that state `predicate` `object`, in any graph.
    fn stating(&self, predicate: NamedNodeRef<'_>, object: TermRef<'_>) -> Result<Vec<NamedOrBlankNode>>;
}

impl Statements for Store {
    fn about(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        predicate: Option<NamedNodeRef<'_>>,
    ) -> Result<Vec<Quad>> {
        Ok(self
            .quads_for_pattern(Some(subject), predicate, None, None)
            .collect::<std::result::Result<_, _>>()?)
    }

    fn stating(&self, predicate: NamedNodeRef<'_>, object: TermRef<'_>) -> Result<Vec<NamedOrBlankNode>> {
        self.quads_for_pattern(None, Some(predicate), Some(object), None)
            .map(|quad| Ok(quad?.subject))
            .collect()
    }
}

/// The hash a node is noted under when a harvest notes what its records read and what its
/// source describes: its IRI, or its blank node's N-Triples form. Fixed keys: the same in
/// every thread.
pub fn node_hash(node: NamedOrBlankNodeRef<'_>) -> u64 {
    let hasher = BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
    match node {
        NamedOrBlankNodeRef::NamedNode(node) => hasher.hash_one(node.as_str()),
        NamedOrBlankNodeRef::BlankNode(node) => hasher.hash_one(node.to_string()),
    }
}

/// `term` as a subject, when it can be one.
pub fn as_subject(term: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        TermRef::NamedNode(node) => Some(node.into()),
        TermRef::BlankNode(node) => Some(node.into()),
        _ => None,
    }
}

/// The objects of `subject`'s `predicate`, in any graph.
pub(crate) fn objects(
    statements: &dyn Statements,
    subject: TermRef<'_>,
    predicate: NamedNodeRef<'_>,
) -> Result<Vec<Term>> {
    let Some(subject) = as_subject(subject) else {
        return Ok(Vec::new());
    };
    Ok(statements
        .about(subject, Some(predicate))?
        .into_iter()
        .map(|quad| quad.object)
        .collect())
}
