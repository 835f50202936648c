//! Where things live in the store: the base IRI and the names of the well-known graphs.

use crate::error::{GraphError, Result};
use oxigraph::model::NamedNode;

/// The store layout: one named graph per source under `{base}graph/source/{id}`, and the
/// well-known graphs for harvest runs, links, tags, the vocabulary and bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    base: String,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            base: Self::DEFAULT_BASE.to_owned(),
        }
    }
}

impl Layout {
    /// The base IRI used when none is configured.
    pub const DEFAULT_BASE: &'static str = "http://localhost:7878/id/";

    /// A layout under `base`, which must be an absolute IRI; a missing final `/` is added so
    /// that graph names never run into the base's last segment.
    pub fn new(base: &str) -> Result<Self> {
        let mut base = base.to_owned();
        if !base.ends_with('/') && !base.ends_with('#') {
            base.push('/');
        }
        NamedNode::new(&base).map_err(|e| GraphError::InvalidIri {
            what: "base IRI",
            value: base.clone(),
            message: e.to_string(),
        })?;
        Ok(Self { base })
    }

    /// The base IRI, always ending in `/` or `#`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The named graph holding everything harvested from source `id`.
    pub fn source_graph(&self, id: &str) -> Result<NamedNode> {
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(GraphError::InvalidSourceId(id.to_owned()));
        }
        Ok(self.graph(&format!("source/{id}")))
    }

    /// The source id of a graph name, if it is a source graph.
    pub fn source_id<'a>(&self, graph: &'a str) -> Option<&'a str> {
        graph
            .strip_prefix(self.base.as_str())?
            .strip_prefix("graph/source/")
    }

    /// One `prov:Activity` per harvest run.
    pub fn harvest_graph(&self) -> NamedNode {
        self.graph("harvest")
    }

    /// Cross-catalogue `owl:sameAs` links with their evidence.
    pub fn links_graph(&self) -> NamedNode {
        self.graph("links")
    }

    /// Pattern assignments.
    pub fn tags_graph(&self) -> NamedNode {
        self.graph("tags")
    }

    /// The civicgraph vocabulary.
    pub fn vocab_graph(&self) -> NamedNode {
        self.graph("vocab")
    }

    /// A graph created by a Graph Store Protocol POST to the store itself, named `id`.
    pub fn created_graph(&self, id: &str) -> NamedNode {
        self.graph(&format!("created/{id}"))
    }

    /// Where stores written before the sequence file kept the write sequence; moved out of
    /// the store when one is opened.
    pub(crate) fn legacy_system_graph(&self) -> NamedNode {
        self.graph("system")
    }

    /// The graphs civicgraph derives or keeps for itself (tags, links, harvest runs,
    /// vocabulary): what tagging and linking read past, since records live in the other
    /// graphs.
    pub fn derived_graphs(&self) -> [NamedNode; 4] {
        [
            self.tags_graph(),
            self.links_graph(),
            self.harvest_graph(),
            self.vocab_graph(),
        ]
    }

    fn graph(&self, path: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}graph/{path}", self.base))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_names_follow_the_design() {
        let layout = Layout::new("https://data.example.org/id").unwrap();
        assert_eq!(layout.base(), "https://data.example.org/id/");
        let g = layout.source_graph("leeds-2024").unwrap();
        assert_eq!(g.as_str(), "https://data.example.org/id/graph/source/leeds-2024");
        assert_eq!(layout.source_id(g.as_str()), Some("leeds-2024"));
        assert_eq!(
            layout.tags_graph().as_str(),
            "https://data.example.org/id/graph/tags"
        );
    }

    #[test]
    fn hostile_source_ids_are_refused() {
        let layout = Layout::default();
        for id in ["", "../etc", "a b", "x>y", &"a".repeat(65)] {
            assert!(layout.source_graph(id).is_err(), "{id:?} accepted");
        }
    }

    #[test]
    fn relative_base_is_refused() {
        assert!(Layout::new("id/").is_err());
    }
}
