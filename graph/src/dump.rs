//! Dump to N-Quads or TriG, and restore from a dump, through the one write path.

use crate::batch::WriteBatch;
use crate::error::{GraphError, Result};
use crate::graph::{Graph, WriteReport};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::GraphNameRef;
use std::io::{Read, Write};

impl Graph {
    /// Writes every quad; returns how many.
    ///
    /// The dump is read from one store snapshot, so a write during it is either wholly in
    /// it or not at all.
    pub fn dump(&self, format: RdfFormat, writer: impl Write) -> Result<u64> {
        let mut serializer = RdfSerializer::from_format(format);
        if format == RdfFormat::TriG {
            for (prefix, iri) in civicgraph_vocab::PREFIXES {
                serializer = serializer
                    .with_prefix(*prefix, *iri)
                    .map_err(|e| GraphError::InvalidIri {
                        what: "prefix namespace",
                        value: (*iri).to_owned(),
                        message: e.to_string(),
                    })?;
            }
        }
        let mut serializer = serializer.for_writer(writer);
        let mut count = 0;
        for quad in self.store().iter() {
            let quad = quad?;
            serializer
                .serialize_quad(&quad)
                .map_err(|source| io_error("dump", source))?;
            count += 1;
        }
        let mut writer = serializer.finish().map_err(|source| io_error("dump", source))?;
        writer.flush().map_err(|source| io_error("dump", source))?;
        Ok(count)
    }

    /// Replaces the whole store with a dump, atomically, and rebuilds the index. Into a
    /// store holding only bookkeeping (a new data directory) a large dump goes through the
    /// bulk loader; replacing data stays one transaction, so readers never see it half
    /// replaced.
    ///
    /// Unless `replace` is set, the store must hold nothing but the vocabulary, so that a
    /// mistyped `--data` cannot wipe a graph.
    pub fn restore(
        &self,
        format: RdfFormat,
        reader: impl Read,
        source_name: &str,
        replace: bool,
    ) -> Result<WriteReport> {
        if !replace && !self.holds_only_bookkeeping()? {
            return Err(GraphError::NotEmpty {
                quads: self.user_quads()?,
            });
        }
        let batch = WriteBatch::restore_from_reader(format, reader, source_name)?;
        self.commit(batch)
    }

    /// Quads outside the vocabulary graph.
    fn user_quads(&self) -> Result<usize> {
        let vocabulary = self.layout().vocab_graph();
        let mut count = 0;
        for quad in self.store().iter() {
            let quad = quad?;
            if quad.graph_name.as_ref() != GraphNameRef::NamedNode(vocabulary.as_ref()) {
                count += 1;
            }
        }
        Ok(count)
    }
}

fn io_error(what: &str, source: std::io::Error) -> GraphError {
    GraphError::Io {
        source_name: what.to_owned(),
        source,
    }
}
