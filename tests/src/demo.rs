//! The repository's files and the demo catalogues, loaded as a harvest would hold them.

use civicgraph_graph::{Graph, Layout, WriteBatch};
use oxigraph::io::RdfFormat;
use std::path::{Path, PathBuf};

/// A path from the repository's root.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// An in-memory graph holding Turtle `text` as the source `id`.
pub fn graph_with_turtle(id: &str, text: &str) -> Graph {
    let graph = Graph::in_memory(Layout::default()).expect("in-memory graph");
    add_turtle(&graph, id, text.as_bytes(), id);
    graph
}

/// An in-memory graph holding the three demo catalogues, each as its own source.
pub fn demo_catalogues() -> Graph {
    let graph = Graph::in_memory(Layout::default()).expect("in-memory graph");
    for region in ["westshire", "northmoor", "southvale"] {
        let file = repo(&format!("datasets/demo/{region}.ttl"));
        let bytes = std::fs::read(&file).expect("demo catalogue");
        add_turtle(&graph, region, &bytes, &file.display().to_string());
    }
    graph
}

fn add_turtle(graph: &Graph, id: &str, bytes: &[u8], name: &str) {
    let source = graph.layout().source_graph(id).expect("source graph");
    let batch =
        WriteBatch::replace_graph_from_reader(&source, RdfFormat::Turtle, bytes, name).expect("Turtle");
    graph.commit(batch).expect("commit");
}
