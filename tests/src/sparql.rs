//! SPARQL over a [`Graph`] as a test reads it: rows of N-Triples strings, a count, a yes or
//! no.

use civicgraph_graph::{Graph, QueryOptions};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;

/// The rows of a SELECT, each value as N-Triples (`""` when unbound), in the query's
/// variable order.
pub fn select(graph: &Graph, query: &str) -> Vec<Vec<String>> {
    let QueryResults::Solutions(solutions) = graph.query(query, &QueryOptions::default()).expect("query")
    else {
        panic!("not a SELECT: {query}")
    };
    let variables: Vec<_> = solutions.variables().to_vec();
    solutions
        .map(|s| {
            let s = s.expect("solution");
            variables
                .iter()
                .map(|v| s.get(v).map(ToString::to_string).unwrap_or_default())
                .collect()
        })
        .collect()
}

/// The number bound to `?n` in the first row of a SELECT.
pub fn count(graph: &Graph, query: &str) -> u64 {
    let QueryResults::Solutions(mut solutions) = graph.query(query, &QueryOptions::default()).expect("query")
    else {
        panic!("not a SELECT: {query}")
    };
    match solutions.next().expect("a row").expect("solution").get("n") {
        Some(Term::Literal(l)) => l.value().parse().expect("a number"),
        other => panic!("?n is {other:?}"),
    }
}

/// The answer of an ASK.
pub fn ask(graph: &Graph, query: &str) -> bool {
    match graph.query(query, &QueryOptions::default()).expect("query") {
        QueryResults::Boolean(answer) => answer,
        _ => panic!("not an ASK: {query}"),
    }
}
