//! Runs the W3C SPARQL 1.1 query evaluation tests of the folders in `FOLDERS`
//! (`../shared/data/w3c-sparql11-tests`) through [`Graph::query`], the path every SPARQL
//! request takes (its guard's rewriting included), with the standard's dataset: the default
//! graph is the test's data, not the union of the named graphs. civicgraph evaluates with a
//! patched copy of Oxigraph's evaluator (`vendor/spareval`): these tests hold every patch to
//! the answers SPARQL 1.1 requires.
//!
//! Answers are compared as multisets of solutions (a variable's value written as N-Triples,
//! every blank node the same) or, for CONSTRUCT, as isomorphic graphs. Tests not run are in
//! `EXCEPTIONS` with their reasons.

use civicgraph_graph::{Graph, Layout, QueryOptions};
use civicgraph_tests::w3c::{MF, Manifest, iri, load, path_of, rdf_format, run_evaluation_tests, subject_of};
use oxigraph::io::RdfParser;
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Dataset, GraphName, Literal, NamedNode, Term};
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput};

const QT: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#";

/// The folders run, and how many of each folder's tests pass. `cast` is not run: its tests
/// came with the work on SPARQL 1.2, and Oxigraph 0.5 answers each of them otherwise
/// (measured here).
const FOLDERS: &[(&str, usize)] = &[
    ("property-path", 29),
    ("negation", 11),
    ("exists", 6),
    ("subquery", 14),
    ("bind", 10),
    ("bindings", 10),
    ("aggregates", 39),
    ("grouping", 4),
    ("construct", 5),
    ("project-expression", 7),
    ("functions", 75),
    ("json-res", 4),
    ("csv-tsv-res", 2),
];

/// Tests not run, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    ("zero_or_more_set_start", ZERO_LENGTH),
    ("zero_or_more_set_end", ZERO_LENGTH),
    ("zero_or_one_set_start", ZERO_LENGTH),
    ("zero_or_one_set_end", ZERO_LENGTH),
    ("graph-minus", LATER),
    ("graph", LATER),
    ("agg-empty-group-count-graph", LATER),
    ("agg-groupconcat-04", LATER),
    ("agg-groupconcat-06", LATER),
    (
        "tsv03",
        "Oxigraph 0.5 stores \"-3\"^^xsd:negativeInteger as an xsd:integer (measured here), \
         so the answer's datatype is not the data's",
    ),
];

/// Why the other tests not run are not.
const LATER: &str = "added to the suite after SPARQL 1.1 (GRAPH around MINUS, VALUES or an aggregate \
    binding the graph's variable; GROUP_CONCAT of literals of one language as a plain string); \
    Oxigraph 0.5 answers otherwise, with or without civicgraph's query guard";

/// Why the four tests of a zero-length path with a constant end are not run.
const ZERO_LENGTH: &str = "added to the suite after SPARQL 1.1: a constant end of a zero-length path \
    matches itself even on an empty dataset; Oxigraph keeps the Recommendation's reading, that the \
    constant must be a node of the graph";

/// A multiset of solutions, each sorted by variable name, blank nodes all alike.
fn solutions(rows: impl Iterator<Item = Vec<(String, Term)>>) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = rows
        .map(|row| {
            let mut row: Vec<(String, String)> = row
                .into_iter()
                .map(|(variable, value)| {
                    let value = match value {
                        Term::BlankNode(_) => "_:b".to_owned(),
                        Term::Literal(literal) => {
                            numeric_value(&literal).unwrap_or_else(|| literal.to_string())
                        }
                        other => other.to_string(),
                    };
                    (variable, value)
                })
                .collect();
            row.sort();
            row
        })
        .collect();
    out.sort();
    out
}

/// A number as its value and type: the suite writes `"1.0"^^xsd:decimal` and
/// `"3.0E4"^^xsd:double` where Oxigraph writes the canonical `"1"` and `"30000"`, and the
/// suite's harness compares values.
fn numeric_value(literal: &Literal) -> Option<String> {
    let datatype = literal.datatype();
    let numeric = [xsd::INTEGER, xsd::DECIMAL, xsd::DOUBLE, xsd::FLOAT];
    if !numeric.contains(&datatype) {
        return None;
    }
    let value: f64 = literal.value().trim().parse().ok()?;
    Some(format!("{value:?}^^{datatype}"))
}

enum Answer {
    Boolean(bool),
    Solutions(Vec<Vec<(String, String)>>),
    Graph(Box<Dataset>),
}

fn answer(results: QueryResults<'_>) -> Result<Answer, String> {
    Ok(match results {
        QueryResults::Boolean(b) => Answer::Boolean(b),
        QueryResults::Solutions(rows) => {
            let rows: Result<Vec<_>, _> = rows
                .map(|row| {
                    row.map(|row| {
                        row.iter()
                            .map(|(v, t)| (v.as_str().to_owned(), t.clone()))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            Answer::Solutions(solutions(rows.map_err(|e| e.to_string())?.into_iter()))
        }
        QueryResults::Graph(triples) => {
            let mut dataset = Dataset::new();
            for triple in triples {
                dataset.insert(
                    &triple
                        .map_err(|e| e.to_string())?
                        .in_graph(GraphName::DefaultGraph),
                );
            }
            dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
            Answer::Graph(Box::new(dataset))
        }
    })
}

fn expected(file: &Term) -> Answer {
    let path = path_of(file);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let format = match extension {
        "srx" => QueryResultsFormat::Xml,
        "srj" => QueryResultsFormat::Json,
        "tsv" => QueryResultsFormat::Tsv,
        _ => {
            let mut dataset = Dataset::new();
            let parser = RdfParser::from_format(rdf_format(&path))
                .with_base_iri(format!("file://{}", path.display()))
                .unwrap();
            for quad in parser.for_reader(std::fs::File::open(&path).unwrap()) {
                dataset.insert(&quad.unwrap());
            }
            dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
            return Answer::Graph(Box::new(dataset));
        }
    };
    let reader = std::fs::File::open(&path).unwrap();
    match QueryResultsParser::from_format(format)
        .for_reader(reader)
        .unwrap()
    {
        ReaderQueryResultsParserOutput::Boolean(b) => Answer::Boolean(b),
        ReaderQueryResultsParserOutput::Solutions(rows) => Answer::Solutions(solutions(rows.map(|row| {
            row.unwrap()
                .iter()
                .map(|(v, t)| (v.as_str().to_owned(), t.clone()))
                .collect()
        }))),
    }
}

fn run_test(manifest: &Manifest, test: &NamedNode) -> Result<(), String> {
    let action = subject_of(&manifest.object(test.into(), &iri("action", MF)).unwrap()).unwrap();
    let query_file = manifest.object(action.as_ref(), &iri("query", QT)).unwrap();
    let graph = Graph::in_memory(Layout::default()).unwrap();
    for data in manifest.objects(action.as_ref(), &iri("data", QT)) {
        load(&graph, &data, GraphName::DefaultGraph);
    }
    for data in manifest.objects(action.as_ref(), &iri("graphData", QT)) {
        let Term::NamedNode(name) = &data else {
            return Err(format!("graph data {data} is not a file"));
        };
        load(&graph, &data, name.clone().into());
    }
    let query_path = path_of(&query_file);
    let query = std::fs::read_to_string(&query_path).unwrap();
    let options = QueryOptions {
        union_default_graph: false,
        base_iri: Some(format!("file://{}", query_path.display())),
        ..QueryOptions::default()
    };
    let got = answer(graph.query(&query, &options).map_err(|e| e.to_string())?)?;
    let want = expected(&manifest.object(test.into(), &iri("result", MF)).unwrap());
    match (got, want) {
        (Answer::Boolean(got), Answer::Boolean(want)) if got == want => Ok(()),
        (Answer::Solutions(got), Answer::Solutions(want)) if got == want => Ok(()),
        (Answer::Graph(got), Answer::Graph(want)) if got == want => Ok(()),
        (Answer::Solutions(got), Answer::Solutions(want)) => Err(format!("got {got:?}\nwanted {want:?}")),
        _ => Err("a different answer".to_owned()),
    }
}

#[test]
fn the_w3c_query_evaluation_tests_pass() {
    run_evaluation_tests(FOLDERS, "QueryEvaluationTest", EXCEPTIONS, run_test);
}
