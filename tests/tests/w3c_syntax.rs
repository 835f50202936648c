//! Runs the W3C SPARQL 1.1 syntax tests (`../shared/data/w3c-sparql11-tests`) through the
//! checks every request meets before it is evaluated: a query through
//! [`GuardedQuery::parse`] (the query guard's nesting and chain scanners, the parser, the
//! guard's rewriting and its limits), an update through the same scanners
//! ([`check_nesting`]) and the parser. A valid query or update must pass, an invalid one
//! must be refused: the guard's hand-written scanners read text before any parser does, so
//! these tests hold them to never refusing what SPARQL allows.

use civicgraph_graph::GuardedQuery;
use civicgraph_graph::query_guard::check_nesting;
use civicgraph_tests::w3c::{MF, Manifest, iri, path_of, run_folders};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::SparqlEvaluator;

/// The manifests of syntax tests, and how many of each pass.
const MANIFESTS: &[(&str, usize)] = &[
    ("syntax-query", 94),
    ("syntax-update-1", 54),
    ("syntax-update-2", 1),
    ("syntax-fed", 3),
    ("aggregates", 5),
    ("construct", 2),
    ("grouping", 2),
    ("delete-insert", 8),
];

/// Whether the text at `action` passes the checks a request meets: `Ok` when it does, the
/// refusal otherwise.
fn check(action: &Term, update: bool) -> Result<(), String> {
    let path = path_of(action);
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let base = format!("file://{}", path.display());
    if update {
        check_nesting(&text, "update").map_err(|e| e.to_string())?;
        SparqlEvaluator::new()
            .with_base_iri(&base)
            .map_err(|e| e.to_string())?
            .parse_update(&text)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        GuardedQuery::parse(&text, Some(&base))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn kind_of(manifest: &Manifest, test: &NamedNode) -> Option<(bool, bool)> {
    let kinds = manifest.objects(test.as_ref().into(), &rdf::TYPE.into_owned());
    [
        ("PositiveSyntaxTest11", true, false),
        ("NegativeSyntaxTest11", false, false),
        ("PositiveUpdateSyntaxTest11", true, true),
        ("NegativeUpdateSyntaxTest11", false, true),
    ]
    .into_iter()
    .find(|(name, _, _)| kinds.contains(&Term::from(iri(name, MF))))
    .map(|(_, valid, update)| (valid, update))
}

#[test]
fn the_w3c_syntax_tests_pass() {
    run_folders(MANIFESTS, |manifest, test, _| {
        let (valid, update) = kind_of(manifest, test)?;
        let action = manifest.object(test.as_ref().into(), &iri("action", MF)).unwrap();
        Some(match (check(&action, update), valid) {
            (Ok(()), true) | (Err(_), false) => Ok(()),
            (Err(e), true) => Err(format!("valid, refused: {e}")),
            (Ok(()), false) => Err("invalid, accepted".to_owned()),
        })
    });
}
