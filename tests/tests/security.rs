//! The claims of SECURITY.md that no other test covers: the write token is never shown, the
//! server listens on loopback unless told otherwise, a forged Host header does not reach
//! minted IRIs, and a query that runs too long is cut at the timeout.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::config::{Config, QueryConfig};
use civicgraph_tests::{demo_state, demo_state_with, send};

const TOKEN: &str = "s3cret-token-value";

fn update(authorization: &str) -> Request<Body> {
    Request::post("/update")
        .header(header::CONTENT_TYPE, "application/sparql-update")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::from(
            "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }",
        ))
        .unwrap()
}

#[tokio::test]
async fn the_write_token_is_never_shown() {
    let state = demo_state().with_write_token(Some(TOKEN));
    let debug = format!("{state:?}");
    assert!(
        !debug.contains(TOKEN) && debug.contains("writes_enabled: true"),
        "{debug}"
    );
    for (authorization, status) in [
        ("Bearer wrong-guess-123", StatusCode::FORBIDDEN),
        ("Basic d3Jvbmc6Z3Vlc3M=", StatusCode::FORBIDDEN),
        ("Digest nothing", StatusCode::UNAUTHORIZED),
    ] {
        let (response, body) = send(&state, update(authorization)).await;
        assert_eq!(response.status(), status, "{authorization}: {body}");
        assert!(
            !body.contains(TOKEN) && !body.contains("wrong-guess-123") && !body.contains("guess"),
            "{body}"
        );
    }
}

#[test]
fn the_server_listens_on_loopback_by_default() {
    let config = Config::default();
    assert!(config.bind.ip().is_loopback(), "{}", config.bind);
}

#[tokio::test]
async fn a_forged_host_header_does_not_reach_iris() {
    let state = demo_state();
    let request = Request::get("/catalog?page_size=1")
        .header(header::HOST, "evil.example\"><script>x</script>")
        .header(header::ACCEPT, "text/turtle")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        !body.contains("evil.example") && !body.contains("<script>"),
        "{body}"
    );
    assert!(body.contains("http://localhost/catalog"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_that_runs_too_long_is_cut_at_the_timeout() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 1,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    let cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let request = Request::get(format!("/sparql?query={}", urlencoding::encode(cartesian)))
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(body.contains("did not finish within 1 s"), "{body}");
    // The server answers the next query.
    let request = Request::get("/sparql?query=ASK%20%7B%7D")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
}
