//! The result cache: a repeated query is answered from it, byte for byte, until a write
//! changes the store; the Accept header and the dataset are part of the key.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_tests::{demo_state, send};

const COUNT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }";

fn query(accept: &str) -> Request<Body> {
    Request::get(format!("/sparql?query={}", urlencoding::encode(COUNT)))
        .header(header::ACCEPT, accept)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn repeated_queries_hit_the_cache_until_a_write() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let (first, body) = send(&state, query("text/csv")).await;
    assert_eq!(first.headers()["x-civicgraph-cache"], "miss");
    let (again, cached) = send(&state, query("text/csv")).await;
    assert_eq!(again.headers()["x-civicgraph-cache"], "hit");
    assert_eq!(body, cached);
    assert_eq!(
        again.headers()[header::CONTENT_TYPE],
        first.headers()[header::CONTENT_TYPE]
    );
    // Another format is another entry.
    let (json, _) = send(&state, query("application/sparql-results+json")).await;
    assert_eq!(json.headers()["x-civicgraph-cache"], "miss");
    // A write invalidates.
    let update = Request::post("/update")
        .header(header::CONTENT_TYPE, "application/sparql-update")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::from(
            "INSERT DATA { GRAPH <http://ex/g> { <http://ex/new> a <http://www.w3.org/ns/dcat#Dataset> } }",
        ))
        .unwrap();
    let (response, _) = send(&state, update).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (after, fresh) = send(&state, query("text/csv")).await;
    assert_eq!(after.headers()["x-civicgraph-cache"], "miss");
    let n = |csv: &str| csv.lines().nth(1).unwrap().trim().parse::<u64>().unwrap();
    assert_eq!(n(&fresh), n(&body) + 1);
    // NOW() is never cached.
    let now = Request::get(format!(
        "/sparql?query={}",
        urlencoding::encode("SELECT (NOW() AS ?t) {}")
    ))
    .body(Body::empty())
    .unwrap();
    let (response, _) = send(&state, now).await;
    assert_eq!(response.headers()["x-civicgraph-cache"], "miss");
}
