//! `/catalog`: the merged catalogue as DCAT-AP 3, paged with hydra and content-negotiated,
//! checked page by page against the SEMIC DCAT-AP 3.0.1 shapes.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_ingest::sources::dcat::read_page;
use civicgraph_ingest::validate::{Severity, Shapes, validate};
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
        let page = read_page(body.as_bytes(), RdfFormat::Turtle, Some(&base), "catalog").unwrap();
        let violations: Vec<String> = validate(Shapes::dcat_ap_3(), &page.triples)
            .into_iter()
            .filter(|v| v.severity == Severity::Violation)
            .map(|v| format!("{} {}", v.focus, v.message))
            .collect();
        assert!(violations.is_empty(), "page {pages}: {violations:#?}");
        for t in &page.triples {
            if t.predicate.as_str() == "http://www.w3.org/ns/dcat#dataset" {
                datasets.insert(t.object.to_string());
            }
        }
        match page.next {
            Some(next) => url = next.trim_start_matches("http://hub.example.org").to_owned(),
            None => break,
        }
    }
    // 44 + 40 + 43 regional catalogue datasets, 8 UK datasets and the 36 datasets the case
    // studies cite.
    assert_eq!(datasets.len(), 171);
    assert_eq!(pages, 4);
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
