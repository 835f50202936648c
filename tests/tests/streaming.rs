//! Streamed answers: with no row limit configured, results go out as they are serialized
//! (a chunked body with no Content-Length), while errors found before the first byte are
//! still ordinary error responses.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::config::Config;
use civicgraph_tests::{demo_state_with, send};

fn unlimited() -> Config {
    let mut config = Config::default();
    config.query.max_result_rows = 0;
    config
}

fn query(sparql: &str, accept: &str) -> Request<Body> {
    Request::get(format!("/sparql?query={}", urlencoding::encode(sparql)))
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlimited_results_are_streamed_whole() {
    let state = demo_state_with(unlimited());
    let (response, body) = send(
        &state,
        query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "application/n-triples",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get(header::CONTENT_LENGTH).is_none(),
        "a streamed body has no length"
    );
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/n-triples")
    );
    let lines = body.lines().filter(|l| !l.is_empty()).count();
    assert!(lines > 5_000, "{lines} triples");
    // SELECT as well, as JSON that parses whole.
    let (response, body) = send(
        &state,
        query(
            "SELECT DISTINCT * WHERE { ?s ?p ?o }",
            "application/sparql-results+json",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_before_the_first_byte_keep_their_status() {
    let state = demo_state_with(unlimited());
    let (response, body) = send(&state, query("SELECT * WHERE { ?s ?p }", "text/csv")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    let (response, _) = send(&state, query("SELECT * WHERE { ?s ?p ?o }", "image/png")).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
}
