//! Runs the W3C SPARQL 1.1 update evaluation tests of the folders in `FOLDERS`
//! (`../shared/data/w3c-sparql11-tests`) through [`Graph::update`], the path every
//! SPARQL update takes (one transaction, the write sequence, the index following): the
//! store's whole dataset afterwards, default graph and named graphs, must be the one the
//! test gives, up to blank-node names. The `WHERE` clauses of `DELETE`/`INSERT` are
//! evaluated by the patched evaluator (`vendor/spareval`), which these tests hold too.
//! Tests not run are in `EXCEPTIONS` with their reasons.

use civicgraph_graph::{Graph, Layout, UpdateOptions};
use civicgraph_tests::w3c::{MF, Manifest, iri, load, path_of, rdf_format, run_evaluation_tests, subject_of};
use oxigraph::io::RdfParser;
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{Dataset, GraphName, NamedNode, NamedOrBlankNode, Quad, Term};

const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";

/// The folders run, and how many of each folder's update evaluation tests pass.
const FOLDERS: &[(&str, usize)] = &[
    ("add", 8),
    ("basic-update", 13),
    ("clear", 4),
    ("copy", 6),
    ("delete", 19),
    ("delete-data", 6),
    ("delete-insert", 9),
    ("delete-where", 6),
    ("drop", 4),
    ("move", 6),
    ("update-silent", 13),
];

/// Tests not run, and why (none: `LOAD SILENT` of an address that cannot be read succeeds
/// with nothing loaded, as civicgraph's refusal to fetch is such a failure).
const EXCEPTIONS: &[(&str, &str)] = &[];

/// A test's dataset, before (`mf:action`) or after (`mf:result`): its default graph
/// (`ut:data`) and named graphs (`ut:graphData`, named by `rdfs:label`).
fn datasets(manifest: &Manifest, node: &NamedOrBlankNode) -> Vec<(Term, GraphName)> {
    let mut out: Vec<(Term, GraphName)> = manifest
        .objects(node.as_ref(), &iri("data", UT))
        .into_iter()
        .map(|file| (file, GraphName::DefaultGraph))
        .collect();
    for entry in manifest.objects(node.as_ref(), &iri("graphData", UT)) {
        let entry = subject_of(&entry).expect("a graph entry");
        let file = manifest
            .object(entry.as_ref(), &iri("graph", UT))
            .expect("ut:graph");
        let name = manifest
            .text(entry.as_ref(), &rdfs::LABEL.into_owned())
            .expect("the graph's name as rdfs:label");
        out.push((file, NamedNode::new(name).expect("an IRI").into()));
    }
    out
}

/// The dataset the test expects, read from its files.
fn expected(manifest: &Manifest, result: &NamedOrBlankNode) -> Dataset {
    let mut dataset = Dataset::new();
    for (file, name) in datasets(manifest, result) {
        let path = path_of(&file);
        let parser = RdfParser::from_format(rdf_format(&path))
            .with_base_iri(format!("file://{}", path.display()))
            .unwrap()
            .with_default_graph(name);
        for quad in parser.for_reader(std::fs::File::open(&path).unwrap()) {
            dataset.insert(&quad.unwrap());
        }
    }
    dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
    dataset
}

fn run_test(manifest: &Manifest, test: &NamedNode) -> Result<(), String> {
    let action = subject_of(&manifest.object(test.into(), &iri("action", MF)).unwrap()).unwrap();
    let result = subject_of(&manifest.object(test.into(), &iri("result", MF)).unwrap()).unwrap();
    let graph = Graph::in_memory(Layout::default()).unwrap();
    for (file, name) in datasets(manifest, &action) {
        load(&graph, &file, name);
    }
    let request = path_of(&manifest.object(action.as_ref(), &iri("request", UT)).unwrap());
    let update = std::fs::read_to_string(&request).unwrap();
    let options = UpdateOptions {
        base_iri: Some(format!("file://{}", request.display())),
        ..UpdateOptions::default()
    };
    graph.update(&update, &options).map_err(|e| e.to_string())?;
    let mut got: Dataset = graph
        .store()
        .iter()
        .map(|q| q.unwrap())
        .collect::<Vec<Quad>>()
        .iter()
        .collect();
    got.canonicalize(CanonicalizationAlgorithm::Unstable);
    let want = expected(manifest, &result);
    if got == want {
        Ok(())
    } else {
        Err(format!("got\n{got}\nwanted\n{want}"))
    }
}

#[test]
fn the_w3c_update_evaluation_tests_pass() {
    run_evaluation_tests(FOLDERS, "UpdateEvaluationTest", EXCEPTIONS, run_test);
}
