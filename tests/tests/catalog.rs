//! `/catalog`: the merged catalogue as DCAT-AP 3, paged with hydra and content-negotiated,
//! checked page by page against the SEMIC DCAT-AP 3.0.1 shapes.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_ingest::shacl::{Severity, Shapes, validate};
use civicgraph_ingest::sources::dcat::read_page;
use civicgraph_tests::{demo_state, send};
use oxigraph::io::RdfFormat;

fn get(uri: &str, accept: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::ACCEPT, accept)
        .header(header::HOST, "hub.example.org")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn every_page_is_dcat_ap_with_no_violations_and_links_to_the_next() {
    let state = demo_state();
    let mut url = "/catalog?page_size=50".to_owned();
    let mut datasets = std::collections::BTreeSet::new();
    let mut case_studies = std::collections::BTreeSet::new();
    let mut origins = std::collections::BTreeSet::new();
    let mut pages = 0;
    loop {
        let (response, body) = send(&state, get(&url, "text/turtle")).await;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/turtle")
        );
        pages += 1;
        let base = format!("http://hub.example.org{url}");
        let page = read_page(
            body.as_bytes(),
            RdfFormat::Turtle,
            Some(&base),
            "catalog",
            &mut Default::default(),
        )
        .unwrap();
        let violations: Vec<String> = validate(Shapes::dcat_ap_3(), &page.triples)
            .into_iter()
            .filter(|v| v.severity == Severity::Violation)
            .map(|v| format!("{} {}", v.focus, v.message))
            .collect();
        assert!(violations.is_empty(), "page {pages}: {violations:#?}");
        for t in &page.triples {
            match t.predicate.as_str() {
                "http://www.w3.org/ns/dcat#dataset" => {
                    datasets.insert(t.object.to_string());
                }
                "http://www.w3.org/ns/dcat#resource" => {
                    case_studies.insert(t.object.to_string());
                }
                "http://xmlns.com/foaf/0.1/primaryTopic" => {
                    // Each record's catalogue record names where it was harvested from.
                    let derived = page.triples.iter().any(|o| {
                        o.subject == t.subject
                            && o.predicate.as_str() == "http://www.w3.org/ns/prov#wasDerivedFrom"
                    });
                    assert!(derived, "{} names no origin", t.object);
                    origins.insert(t.object.to_string());
                }
                _ => {}
            }
        }
        match page.next {
            Some(next) => url = next.trim_start_matches("http://hub.example.org").to_owned(),
            None => break,
        }
    }
    // 44 + 40 + 43 regional catalogue datasets, 8 UK datasets and the 36 datasets the case
    // studies cite; and the 36 case studies.
    assert_eq!(datasets.len(), 171);
    assert_eq!(case_studies.len(), 36);
    assert_eq!(origins.len(), 171 + 36);
    assert_eq!(pages, 5);
}

/// Every page of `url` (following `hydra:next`), as (datasets and case studies listed,
/// triples of every page).
async fn all_pages(
    state: &civicgraph_sparql_api::AppState,
    url: &str,
) -> (Vec<String>, Vec<oxigraph::model::Triple>) {
    let mut url = url.to_owned();
    let (mut listed, mut triples) = (Vec::new(), Vec::new());
    loop {
        let (response, body) = send(state, get(&url, "text/turtle")).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}: {body}");
        let base = format!("http://hub.example.org{url}");
        let page = read_page(
            body.as_bytes(),
            RdfFormat::Turtle,
            Some(&base),
            "catalog",
            &mut Default::default(),
        )
        .unwrap();
        for t in &page.triples {
            if [
                "http://www.w3.org/ns/dcat#dataset",
                "http://www.w3.org/ns/dcat#resource",
            ]
            .contains(&t.predicate.as_str())
            {
                listed.push(t.object.to_string());
            }
        }
        triples.extend(page.triples);
        match page.next {
            Some(next) => url = next.trim_start_matches("http://hub.example.org").to_owned(),
            None => return (listed, triples),
        }
    }
}

#[tokio::test]
async fn filters_by_source_region_pattern_and_date_keep_to_their_records_in_page_links_too() {
    let state = civicgraph_tests::tagged_demo_state();
    let graph = &state.graph;
    let of_source = |id: &str| {
        civicgraph_tests::sparql::count(
            graph,
            &format!(
                "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH <http://localhost:7878/id/graph/source/{id}> {{
                   {{ ?d a <http://www.w3.org/ns/dcat#Dataset> }} UNION {{ ?d a <https://w3id.org/civicgraph/ns#CaseStudy> }} FILTER(isIRI(?d)) }} }}"
            ),
        ) as usize
    };
    // A source: its records only, over several pages whose links keep the filter.
    let (listed, _) = all_pages(&state, "/catalog?source=demo-westshire&page_size=10").await;
    assert_eq!(listed.len(), of_source("demo-westshire"));
    assert!(listed.len() > 10, "paged: {}", listed.len());

    // A region, as the region facet names it: the same records as that source's.
    let (by_region, _) = all_pages(&state, "/catalog?region=Westshire&page_size=100").await;
    let mut a = listed.clone();
    let mut b = by_region.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    // A pattern: the pattern's records, curated or inferred; those whose source stated it
    // (the case studies) carry it, as their source gave it.
    let (planning, triples) = all_pages(&state, "/catalog?pattern=P2&page_size=100").await;
    let tagged = civicgraph_tests::sparql::select(
        graph,
        "SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d a ?type FILTER(?type IN (<http://www.w3.org/ns/dcat#Dataset>, <https://w3id.org/civicgraph/ns#CaseStudy>)) FILTER(STRSTARTS(STR(?g), \"http://localhost:7878/id/graph/source/\")) } ?d <https://w3id.org/civicgraph/ns#usePattern> <https://w3id.org/civicgraph/pattern/planning> }",
    );
    let mut expected: Vec<String> = tagged.into_iter().map(|row| row[0].clone()).collect();
    let mut got = planning.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    let stated = triples
        .iter()
        .filter(|t| {
            t.predicate.as_str() == "https://w3id.org/civicgraph/ns#usePattern"
                && t.object.to_string() == "<https://w3id.org/civicgraph/pattern/planning>"
        })
        .count();
    assert!(
        stated > 0 && stated <= planning.len(),
        "{stated} of {}",
        planning.len()
    );
    assert!(
        !triples
            .iter()
            .any(|t| t.predicate.as_str() == "https://w3id.org/civicgraph/ns#patternAssignment"),
        "inferred tags are not republished"
    );

    // Modified since: only records modified (else dated) on or after the day.
    let (recent, _) = all_pages(&state, "/catalog?modified_since=2024-01-01&page_size=100").await;
    let (all, _) = all_pages(&state, "/catalog?page_size=1000").await;
    assert!(
        !recent.is_empty() && recent.len() < all.len(),
        "{} of {}",
        recent.len(),
        all.len()
    );

    // Filters combine; an unknown source is empty, a bad value is a 400 naming it.
    let (both, _) = all_pages(&state, "/catalog?source=demo-westshire&pattern=planning").await;
    assert!(both.iter().all(|r| listed.contains(r) && planning.contains(r)));
    for (url, word) in [
        ("/catalog?pattern=P7", "pattern"),
        ("/catalog?modified_since=yesterday", "modified_since"),
        ("/catalog?source=no%20such", "source"),
        ("/catalog?page=two", "page"),
    ] {
        let (response, body) = send(&state, get(url, "text/turtle")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{url}");
        assert!(body.contains(word), "{url}: {body}");
    }
    let (response, _) = send(&state, get("/catalog?source=nowhere", "text/turtle")).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "an empty catalogue is one empty page"
    );
}

#[tokio::test]
async fn the_catalogue_is_negotiated_and_bad_pages_are_refused() {
    let state = demo_state();
    let (response, body) = send(&state, get("/catalog", "application/ld+json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        body.contains("http://www.w3.org/ns/dcat#Catalog") || body.contains("dcat:Catalog"),
        "{body:.300}"
    );
    let (response, _) = send(&state, get("/catalog", "application/rdf+xml")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (response, _) = send(&state, get("/catalog?page=99", "text/turtle")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (response, _) = send(&state, get("/catalog?page_size=5000", "text/turtle")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Found by the HTTP fuzzer (case 876,553 of seed 1616): the offset overflowed.
    let (response, body) = send(&state, get("/catalog?page=11111111111111111111", "text/turtle")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    // An offset that fits, whose end does not (an audit's find: it panicked the handler).
    let (response, body) = send(
        &state,
        get("/catalog?page=18446744073709552&page_size=1000", "text/turtle"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    let (response, _) = send(&state, get("/catalog", "image/png")).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
}

/// Behind a TLS proxy the server sees plain HTTP: with `public_url` configured, page links,
/// VoID's IRIs and a query's base IRI use it, not `http://` and the `Host` header.
#[tokio::test]
async fn links_use_the_configured_public_url_behind_a_proxy() {
    let config = civicgraph_sparql_api::config::Config {
        public_url: Some("https://hub.example.org".to_owned()),
        ..Default::default()
    };
    let state = civicgraph_tests::demo_state_with(config);
    let (response, body) = send(&state, get("/catalog?page_size=50", "application/n-triples")).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(
        body.contains("<https://hub.example.org/catalog?page=2&page_size=50>"),
        "{body}"
    );
    assert!(!body.contains("http://hub.example.org/"), "{body}");
    let (_, void) = send(&state, get("/.well-known/void", "application/n-triples")).await;
    assert!(void.contains("<https://hub.example.org/sparql>"), "{void}");
    let query = Request::get("/sparql?query=SELECT%20(%3C%3E%20AS%20%3Fb)%20%7B%7D")
        .header(header::ACCEPT, "application/sparql-results+json")
        .header(header::HOST, "hub.example.org")
        .body(Body::empty())
        .unwrap();
    let (_, answer) = send(&state, query).await;
    assert!(answer.contains("https://hub.example.org/sparql"), "{answer}");
}
