//! The bundled demo data is what a new user meets first: it must be rich enough to show
//! every part of the graph, and honest about its patterns.

use civicgraph_tests::demo_state;
use civicgraph_tests::sparql::select;

#[test]
fn three_regional_catalogues_of_at_least_forty_datasets_and_the_cited_uk_datasets() {
    let state = demo_state();
    let counts = select(
        &state.graph,
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?c (COUNT(?d) AS ?n) { ?c a dcat:Catalog ; dcat:dataset ?d . ?d a dcat:Dataset } GROUP BY ?c",
    );
    assert_eq!(counts.len(), 4, "{counts:?}");
    for row in counts {
        let n: usize = row[1].split('"').nth(1).unwrap().parse().unwrap();
        if row[0].contains("/demo/uk/") {
            assert_eq!(n, 8, "{row:?}");
        } else {
            assert!(n >= 40, "{row:?}");
        }
    }
}

#[test]
fn every_demo_dataset_has_a_title_description_theme_publisher_and_distribution() {
    let state = demo_state();
    let missing = select(
        &state.graph,
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
         SELECT ?d { ?c a dcat:Catalog ; dcat:dataset ?d .
           FILTER NOT EXISTS { ?d dct:title ?t ; dct:description ?x ; dcat:theme ?th ; dct:publisher ?p ; dcat:distribution ?dist } }",
    );
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn some_datasets_appear_in_two_catalogues() {
    let state = demo_state();
    let shared = select(
        &state.graph,
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
         SELECT DISTINCT ?a ?b { ?ca dcat:dataset ?a . ?cb dcat:dataset ?b . FILTER(?ca != ?cb && ?a != ?b)
           ?a dcat:landingPage ?page . ?b dcat:landingPage ?page }",
    );
    assert!(shared.len() >= 8 * 2, "{shared:?}");
}

#[test]
fn thirty_case_studies_with_curated_patterns_beneficiaries_enablers_and_sources() {
    let state = demo_state();
    let cases = select(
        &state.graph,
        "PREFIX cg: <https://w3id.org/civicgraph/ns#> SELECT ?c { ?c a cg:CaseStudy }",
    );
    assert!(cases.len() >= 30, "{}", cases.len());
    let incomplete = select(
        &state.graph,
        "PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX dct: <http://purl.org/dc/terms/>
         SELECT ?c { ?c a cg:CaseStudy .
           FILTER NOT EXISTS { ?c cg:usePattern ?p ; cg:beneficiary ?b ; cg:enabler ?e ; dct:source ?s } }",
    );
    assert!(incomplete.is_empty(), "{incomplete:?}");
    // Each cites a dataset it used, except an open call for ideas (Show Us A Better Way,
    // Directgov Innovate), whose sources name the kinds of data offered, not a dataset.
    let without_data = select(
        &state.graph,
        "PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX cgc: <https://w3id.org/civicgraph/channel/>
         SELECT ?c { ?c a cg:CaseStudy .
           FILTER NOT EXISTS { ?c cg:usesDataset ?d }
           FILTER NOT EXISTS { ?c cg:channel ?channel FILTER(?channel IN (cgc:challenge, cgc:backstage-platform)) } }",
    );
    assert!(without_data.is_empty(), "{without_data:?}");
    // Every pattern has examples, and every value used is a concept of the vocabulary.
    let per_pattern = select(
        &state.graph,
        "PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
         SELECT ?p (COUNT(?c) AS ?n) { ?c a cg:CaseStudy ; cg:usePattern ?p . ?p skos:inScheme <https://w3id.org/civicgraph/pattern/> } GROUP BY ?p",
    );
    assert_eq!(per_pattern.len(), 3, "{per_pattern:?}");
    let undefined = select(
        &state.graph,
        "PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
         SELECT DISTINCT ?v { ?c a cg:CaseStudy ; cg:usePattern|cg:beneficiary|cg:enabler|cg:actor|cg:channel ?v
           FILTER NOT EXISTS { GRAPH ?g { ?v a skos:Concept } } }",
    );
    assert!(undefined.is_empty(), "{undefined:?}");
}

#[test]
fn search_finds_demo_records_by_text() {
    let state = demo_state();
    let hits = state.graph.search("air quality", 20).unwrap();
    assert!(hits.iter().any(|h| h.kind == "dataset"), "{hits:?}");
    assert!(hits.iter().any(|h| h.kind == "case-study"), "{hits:?}");
    let hits = state.graph.search("Transport for London", 5).unwrap();
    assert_eq!(
        hits[0].iri,
        "https://w3id.org/civicgraph/demo/case-study/tfl-open-data"
    );
}
