//! The limits that protect a public endpoint: body size, concurrency, CORS.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::app;
use civicgraph_sparql_api::config::{Config, LimitsConfig, QueryConfig};
use civicgraph_tests::{demo_state_with, send};
use tower::ServiceExt;

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            max_body_bytes: 1024,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    let query = format!("SELECT * WHERE {{ ?s ?p ?o }} # {}", "x".repeat(2048));
    let request = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-query")
        .body(Body::from(query))
        .unwrap();
    let (response, _) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A POST of `query`, padded with a comment to `bytes` bytes, with the write token when
/// `token` is given.
fn padded_query(query: &str, bytes: usize, token: Option<&str>) -> Request<Body> {
    let body = format!("{query} #{}", "x".repeat(bytes - query.len() - 2));
    let mut request = Request::post("/sparql").header(header::CONTENT_TYPE, "application/sparql-query");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn anonymous_bodies_held_at_once_stay_within_one_budget() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            max_buffered_body_bytes: 8 * 1024,
            ..LimitsConfig::default()
        },
        ..Config::default()
    })
    .with_write_token(Some("t"));
    let full = state.bodies.available_permits();
    // A client sends 6 KiB of its body and then nothing more, holding them.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    let first = b"ASK { ?s ?p ?o } #"
        .iter()
        .copied()
        .chain(std::iter::repeat_n(b'x', 6 * 1024));
    sender.send(Ok(first.collect())).await.unwrap();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let held = {
        let state = state.clone();
        let request = Request::post("/sparql")
            .header(header::CONTENT_TYPE, "application/sparql-query")
            .body(Body::from_stream(stream))
            .unwrap();
        tokio::spawn(async move { send(&state, request).await })
    };
    while state.bodies.available_permits() == full {
        tokio::task::yield_now().await;
    }
    // Another 4 KiB would pass the budget: answered at once, and told to come back.
    let (response, body) = send(&state, padded_query("ASK {}", 4096, None)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert!(body.contains("budget of 8192 bytes"), "{body}");
    // A small one fits, and the writer's bodies are not counted.
    let (response, body) = send(&state, padded_query("ASK {}", 1024, None)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let (response, body) = send(&state, padded_query("ASK {}", 4096, Some("t"))).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    // Once the held body ends and is answered, its bytes go back to the budget.
    drop(sender);
    let (response, body) = held.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert_eq!(state.bodies.available_permits(), full);
    let (response, body) = send(&state, padded_query("ASK {}", 4096, None)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_saturated_server_answers_503_with_retry_after_but_health_still_answers() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            max_concurrent_requests: 1,
            ..LimitsConfig::default()
        },
        query: QueryConfig {
            timeout_secs: 3,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    let router = app(state);
    // A query that runs until its timeout holds the only slot.
    let slow = Request::get(format!(
        "/sparql?query={}",
        urlencoding::encode("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    ))
    .body(Body::empty())
    .unwrap();
    let busy = tokio::spawn(router.clone().oneshot(slow));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let second = Request::get("/sparql?query=ASK%7B%7D")
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(second).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    let health = router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let first = busy.await.unwrap().unwrap();
    assert_eq!(
        first.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "the slow query hit its timeout"
    );
    let again = router
        .oneshot(
            Request::get("/sparql?query=ASK%7B%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK, "the slot is free again");
}

#[tokio::test]
async fn browsers_on_other_origins_may_query() {
    let state = demo_state_with(Config::default());
    let preflight = Request::options("/sparql")
        .header(header::ORIGIN, "https://yasgui.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, preflight).await;
    assert!(response.status().is_success());
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let get = Request::get("/sparql?query=ASK%7B%7D")
        .header(header::ORIGIN, "https://yasgui.example")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, get).await;
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

#[tokio::test]
async fn the_row_limit_cuts_long_results_and_says_so() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            max_result_rows: 10,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    let long = Request::get(format!(
        "/sparql?query={}",
        urlencoding::encode("SELECT * WHERE { ?s ?p ?o }")
    ))
    .header(header::ACCEPT, "text/csv")
    .body(Body::empty())
    .unwrap();
    let (response, body) = send(&state, long).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-sparql-maxrows"], "10");
    assert_eq!(body.lines().count(), 11, "a header line and ten rows");
    let short = Request::get(format!(
        "/sparql?query={}",
        urlencoding::encode("SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    ))
    .body(Body::empty())
    .unwrap();
    let (response, _) = send(&state, short).await;
    assert!(
        response.headers().get("x-sparql-maxrows").is_none(),
        "exactly the limit is not a cut"
    );
}
