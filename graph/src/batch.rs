//! [`WriteBatch`]: the one shape every write to the graph takes.

use crate::error::{GraphError, Result};
use crate::graph_counts::GraphCounts;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, Quad, Triple};
use std::io::Read;

/// A set of changes committed together, atomically, by [`crate::Graph::commit`].
///
/// Graphs named in `replace` are emptied first, then `insert` is added, so "replace source
/// graph G with these triples" is a batch that replaces G and inserts the triples into G.
#[derive(Debug, Default, Clone)]
pub struct WriteBatch {
    /// Empty the whole store first (restore).
    pub(crate) clear_all: bool,
    /// Graphs emptied before the insertions.
    pub(crate) replace: Vec<GraphName>,
    /// Quads removed (after the replacements, before the insertions).
    pub(crate) remove: Vec<Quad>,
    /// Quads added.
    pub(crate) insert: Vec<Quad>,
    /// Quads removed once the insertions are visible (see [`WriteBatch::tidy`]).
    pub(crate) tidy: Vec<Quad>,
    /// The counts of replaced graphs whose writer knows them ([`WriteBatch::replace_graph_counted`]).
    pub(crate) counted: Vec<(NamedNode, GraphCounts)>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every graph the batch writes: those it replaces and those of the quads it adds or
    /// removes (repeats included).
    pub(crate) fn graphs(&self) -> impl Iterator<Item = oxigraph::model::GraphNameRef<'_>> {
        self.replace.iter().map(GraphName::as_ref).chain(
            self.remove
                .iter()
                .chain(&self.insert)
                .chain(&self.tidy)
                .map(|q| q.graph_name.as_ref()),
        )
    }

    /// Replaces `graph` whole with `triples`: afterwards it holds exactly these.
    pub fn replace_graph(graph: &NamedNode, triples: impl IntoIterator<Item = Triple>) -> Self {
        let mut batch = Self::new();
        batch.replace.push(graph.clone().into());
        batch
            .insert
            .extend(triples.into_iter().map(|t| t.in_graph(graph.clone())));
        batch
    }

    /// [`WriteBatch::replace_graph`] with what `triples` hold counted by the caller (distinct
    /// triples, subjects and classes), which the graph keeps for VoID instead of counting
    /// them again: a harvest has its triples deduplicated and interned at hand, where
    /// hashing a million quads again cost a second per source inside the write. (Builds
    /// with debug assertions count them anyway, and check.)
    pub fn replace_graph_counted(
        graph: &NamedNode,
        triples: impl IntoIterator<Item = Triple>,
        counts: GraphCounts,
    ) -> Self {
        let mut batch = Self::replace_graph(graph, triples);
        batch.counted.push((graph.clone(), counts));
        batch
    }

    /// Deletes `graph` and everything in it.
    pub fn delete_graph(graph: &NamedNode) -> Self {
        let mut batch = Self::new();
        batch.replace.push(graph.clone().into());
        batch
    }

    /// Adds `triples` to `graph`, keeping what is there.
    pub fn add_to_graph(graph: NamedNodeRef<'_>, triples: impl IntoIterator<Item = Triple>) -> Self {
        let mut batch = Self::new();
        batch
            .insert
            .extend(triples.into_iter().map(|t| t.in_graph(graph.into_owned())));
        batch
    }

    /// Replaces `graph` with a parsed RDF document. Quads of a dataset syntax that name
    /// their own graph are kept in it, and those graphs are replaced too, so that loading
    /// the same TriG file twice yields the same store.
    pub fn replace_graph_from_reader(
        graph: &NamedNode,
        format: RdfFormat,
        reader: impl Read,
        source_name: &str,
    ) -> Result<Self> {
        let mut batch = Self::new();
        batch.replace.push(graph.clone().into());
        batch.read_into(
            Some(graph),
            format,
            reader,
            source_name,
            web_base(source_name),
            true,
        )?;
        Ok(batch)
    }

    /// Reads a whole dump: the store is emptied and then holds exactly the dump.
    pub fn restore_from_reader(format: RdfFormat, reader: impl Read, source_name: &str) -> Result<Self> {
        let mut batch = Self::new();
        batch.clear_all = true;
        batch.read_into(None, format, reader, source_name, web_base(source_name), false)?;
        Ok(batch)
    }

    /// Parses `reader`, a document of one graph (a Graph Store Protocol body), into the
    /// graph `target` (`None`: the default graph). A dataset syntax may be used, as JSON-LD
    /// is for graphs, but a quad in any other graph than the document's default one is
    /// refused ([`GraphError::NotOneGraph`]), and nothing of the document is added.
    pub fn read_graph_into(
        &mut self,
        target: Option<&NamedNode>,
        format: RdfFormat,
        reader: impl Read,
        source_name: &str,
        base: Option<&str>,
    ) -> Result<()> {
        let start = self.insert.len();
        self.read_into(target, format, reader, source_name, base, false)?;
        let expected: GraphName = target.map_or(GraphName::DefaultGraph, |t| t.clone().into());
        if let Some(other) = self.insert[start..].iter().find(|q| q.graph_name != expected) {
            let graph = other.graph_name.to_string();
            self.insert.truncate(start);
            return Err(GraphError::NotOneGraph {
                source_name: source_name.to_owned(),
                graph,
            });
        }
        Ok(())
    }

    /// Parses `reader` into the batch. Triples (and default-graph quads) go to `target`
    /// when given; with `replace_named`, each named graph the document uses is replaced.
    /// `base` resolves relative IRIs; without one they are a syntax error. `source_name`
    /// names the document in errors.
    ///
    /// The whole document is parsed before anything is written, so a syntax error at the
    /// end of a file leaves the store untouched.
    pub fn read_into(
        &mut self,
        target: Option<&NamedNode>,
        format: RdfFormat,
        reader: impl Read,
        source_name: &str,
        base: Option<&str>,
        replace_named: bool,
    ) -> Result<()> {
        // RDF/XML is read whole first: its entity declarations are checked before the
        // parser expands any of them (`xml_entities`).
        let mut reader: Box<dyn Read + '_> = Box::new(reader);
        if format == RdfFormat::RdfXml {
            let mut bytes = Vec::new();
            reader.read_to_end(&mut bytes).map_err(|source| GraphError::Io {
                source_name: source_name.to_owned(),
                source,
            })?;
            if let Some((offset, message)) = crate::xml_entities::refusal(&bytes) {
                let before = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                return Err(GraphError::Syntax {
                    source_name: source_name.to_owned(),
                    location: format!("{line}:{column}"),
                    message,
                });
            }
            reader = Box::new(std::io::Cursor::new(bytes));
        }
        let mut parser = RdfParser::from_format(format);
        if let Some(graph) = target {
            parser = parser.with_default_graph(graph.clone());
        }
        if let Some(base) = base {
            parser = parser.with_base_iri(base).map_err(|e| GraphError::InvalidIri {
                what: "base IRI",
                value: base.to_owned(),
                message: e.to_string(),
            })?;
        }
        for quad in parser.for_reader(reader) {
            let quad = quad.map_err(|e| GraphError::from_parse(source_name, e))?;
            if replace_named && !self.replace.contains(&quad.graph_name) {
                self.replace.push(quad.graph_name.clone());
            }
            self.insert.push(quad);
        }
        Ok(())
    }

    /// Adds one more graph to replace (the default graph included).
    pub fn also_replace(&mut self, graph: impl Into<GraphName>) -> &mut Self {
        let graph = graph.into();
        if !self.replace.contains(&graph) {
            self.replace.push(graph);
        }
        self
    }

    /// Adds quads. A graph given its counts ([`WriteBatch::replace_graph_counted`]) that
    /// gets more is counted from the batch instead.
    pub fn insert(&mut self, quads: impl IntoIterator<Item = Quad>) -> &mut Self {
        let from = self.insert.len();
        self.insert.extend(quads);
        if !self.counted.is_empty() {
            let added = &self.insert[from..];
            self.counted.retain(|(graph, _)| {
                !added
                    .iter()
                    .any(|q| matches!(&q.graph_name, GraphName::NamedNode(n) if n == graph))
            });
        }
        self
    }

    /// Removes quads (a quad that is not there is no error). Removals happen before
    /// insertions, so a batch can swap a value: remove the old quad, insert the new one.
    pub fn remove(&mut self, quads: impl IntoIterator<Item = Quad>) -> &mut Self {
        self.remove.extend(quads);
        self
    }

    /// Removes quads that may outlive the insertions for a moment: with the rest of the
    /// batch when it is a transaction, in a second one just after it when the batch goes
    /// through the bulk loader (which cannot remove). Only for quads that are harmless
    /// beside the new ones, such as a harvest run's `running` status once the run's end is
    /// recorded: a removal proper would keep a large first write out of the bulk loader.
    pub fn tidy(&mut self, quads: impl IntoIterator<Item = Quad>) -> &mut Self {
        self.tidy.extend(quads);
        self
    }

    /// How many quads the batch adds.
    pub fn len(&self) -> usize {
        self.insert.len()
    }

    /// Whether the batch changes nothing.
    pub fn is_empty(&self) -> bool {
        !self.clear_all
            && self.replace.is_empty()
            && self.remove.is_empty()
            && self.insert.is_empty()
            && self.tidy.is_empty()
    }
}

/// A document's own URL as its base, when it is a web URL (a file name is not an IRI).
fn web_base(source_name: &str) -> Option<&str> {
    (source_name.starts_with("http://") || source_name.starts_with("https://")).then_some(source_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_name_the_file_line_and_column() {
        let g = NamedNode::new("http://example.org/g").unwrap();
        let ttl = "<http://a> <http://b> <http://c> .\n<http://a> <http://b> oops .\n";
        let error = WriteBatch::replace_graph_from_reader(&g, RdfFormat::Turtle, ttl.as_bytes(), "bad.ttl")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("bad.ttl:2:"), "{error}");
    }

    #[test]
    fn trig_keeps_its_named_graphs_and_replaces_them() {
        let g = NamedNode::new("http://example.org/g").unwrap();
        let trig = "<http://a> <http://b> <http://c> . <http://n> { <http://a> <http://b> <http://d> }";
        let batch =
            WriteBatch::replace_graph_from_reader(&g, RdfFormat::TriG, trig.as_bytes(), "x.trig").unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.replace.len(), 2);
        assert!(batch.insert.iter().any(|q| q.graph_name == g.clone().into()));
    }
}
