//! The bundled demo data: three regional catalogues, a catalogue of real UK datasets the
//! case studies cite, and a set of case studies, compiled
//! into the binary so that `civicgraph serve` on an empty store shows a working graph at
//! once, with no file next to the binary.

use civicgraph_graph::{Graph, GraphError, WriteBatch};
use oxigraph::io::RdfFormat;

/// One bundled source: its id (which names its graph), file name and Turtle text.
#[derive(Debug, Clone, Copy)]
pub struct DemoSource {
    /// The source id; the graph is `{base}graph/source/{id}`.
    pub id: &'static str,
    /// The file under `datasets/demo/`.
    pub file: &'static str,
    /// The Turtle document.
    pub turtle: &'static str,
}

/// Every bundled demo source.
pub const DEMO_SOURCES: &[DemoSource] = &[
    DemoSource {
        id: "demo-northmoor",
        file: "northmoor.ttl",
        turtle: include_str!("../../datasets/demo/northmoor.ttl"),
    },
    DemoSource {
        id: "demo-southvale",
        file: "southvale.ttl",
        turtle: include_str!("../../datasets/demo/southvale.ttl"),
    },
    DemoSource {
        id: "demo-westshire",
        file: "westshire.ttl",
        turtle: include_str!("../../datasets/demo/westshire.ttl"),
    },
    DemoSource {
        id: "demo-uk-datasets",
        file: "uk-datasets.ttl",
        turtle: include_str!("../../datasets/demo/uk-datasets.ttl"),
    },
    DemoSource {
        id: "demo-case-studies",
        file: "case-studies.ttl",
        turtle: include_str!("../../datasets/demo/case-studies.ttl"),
    },
];

/// Loads every demo source into its own graph, one atomic commit each; returns the number
/// of quads loaded.
pub fn load_demo(graph: &Graph) -> Result<usize, GraphError> {
    let mut quads = 0;
    for source in DEMO_SOURCES {
        let name = graph.layout().source_graph(source.id)?;
        let location = format!("datasets/demo/{}", source.file);
        let mut batch = WriteBatch::replace_graph_from_reader(
            &name,
            RdfFormat::Turtle,
            source.turtle.as_bytes(),
            &location,
        )?;
        batch.insert(civicgraph_ingest::provenance::loaded(
            graph.layout(),
            source.id,
            &location,
        ));
        quads += graph.commit(batch)?.inserted;
        tracing::info!(source = source.id, "loaded demo source");
    }
    Ok(quads)
}

/// Whether the store holds no source graph yet: the vocabulary and bookkeeping graphs do
/// not count.
pub fn has_no_sources(graph: &Graph) -> Result<bool, GraphError> {
    for name in graph.store().named_graphs() {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(node) = name?
            && graph.layout().source_id(node.as_str()).is_some()
        {
            return Ok(false);
        }
    }
    Ok(true)
}
