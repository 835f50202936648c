//! What wraps every answer (`[http]` in `civicgraph.toml`): gzip and brotli when the client
//! accepts them, and `/metrics` for Prometheus. (The request log is `request_log.rs`: it
//! installs a log subscriber, which wants a test binary of its own.)

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::config::{Config, HttpConfig};
use civicgraph_tests::{demo_state, demo_state_with, send};
use std::sync::Arc;

fn search(encoding: &str) -> Request<Body> {
    Request::get("/api/search?q=air+quality")
        .header(header::ACCEPT_ENCODING, encoding)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_accepts() {
    let state = demo_state();
    for (accepted, expected) in [("br", Some("br")), ("gzip", Some("gzip")), ("identity", None)] {
        let (response, body) = send(&state, search(accepted)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap());
        assert_eq!(encoding, expected, "{accepted}");
        assert_eq!(expected.is_none(), body.starts_with('{'), "{accepted}");
    }
    // A streamed SPARQL answer, compressed to its end.
    let query =
        Request::get("/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%20500")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
    let (response, body) = send(&state, query).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(body.len() > 100, "{}", body.len());
    let off = demo_state_with(Config {
        http: HttpConfig {
            compression: false,
            ..HttpConfig::default()
        },
        ..Config::default()
    });
    let (response, body) = send(&off, search("gzip, br")).await;
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(body.starts_with('{'));
}

/// Prometheus scrapes `/metrics`: requests by route and status with their latency, the
/// result cache, the query slots, the index, and the harvest runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_scraped_in_prometheus_format() {
    use civicgraph_ingest::{HarvestSettings, SourceKind, harvest};
    let state = demo_state();
    let source = civicgraph_tests::sources::file_source(
        "northmoor",
        SourceKind::Dcat,
        &civicgraph_tests::demo::repo("datasets/demo/northmoor.ttl"),
    );
    let quiet: harvest::Progress = Arc::new(|_: &str| {});
    harvest(state.graph.clone(), source, HarvestSettings::default(), quiet)
        .await
        .unwrap();
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    for _ in 0..2 {
        send(&state, get("/api/search?q=air")).await;
        send(&state, get("/sparql?query=ASK%20%7B%7D")).await;
    }
    send(&state, get("/api/records/nothing")).await;
    // Made-up methods are answered and counted as one label, not a series each.
    for made_up in ["FROBNICATE", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"] {
        let request = Request::builder()
            .method(made_up)
            .uri("/sparql")
            .body(Body::empty())
            .unwrap();
        let (response, _) = send(&state, request).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    let (response, text) = send(&state, get("/metrics")).await;
    assert!(!text.contains("FROBNICATE"), "{text}");
    assert_eq!(
        sample(
            &text,
            r#"civicgraph_http_requests_total{method="other",route="/sparql",status="405"}"#
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let value =
        |series: &str| -> f64 { sample(&text, series).unwrap_or_else(|| panic!("no {series} in\n{text}")) };
    assert_eq!(
        value(r#"civicgraph_http_requests_total{method="GET",route="/api/search",status="200"}"#),
        2.0
    );
    assert_eq!(
        value(r#"civicgraph_http_requests_total{method="GET",route="/api/records/{id}",status="404"}"#),
        1.0
    );
    // Two queries and the two made-up methods.
    assert_eq!(
        value(r#"civicgraph_http_request_duration_seconds_count{route="/sparql"}"#),
        4.0
    );
    assert!(value("civicgraph_result_cache_hits_total") >= 1.0);
    assert!(value("civicgraph_query_slots") >= 1.0);
    // A job's thread holds its slot until it has recorded what the job cost, a moment after
    // the answer went out: wait for the last one to let go (a real thread, no clock to pause).
    let mut in_use = value("civicgraph_query_slots_in_use");
    for _ in 0..200 {
        if in_use == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        let (_, again) = send(&state, get("/metrics")).await;
        in_use = again
            .lines()
            .find_map(|l| {
                l.strip_prefix("civicgraph_query_slots_in_use")
                    .and_then(|r| r.trim().parse().ok())
            })
            .unwrap_or(f64::NAN);
    }
    assert_eq!(
        in_use, 0.0,
        "every slot is given back once the requests are answered"
    );
    assert!(value("civicgraph_index_documents") > 100.0);
    assert_eq!(
        value(r#"civicgraph_harvest_runs{source="northmoor",status="succeeded"}"#),
        1.0
    );
    assert!(value(r#"civicgraph_harvest_last_run_seconds{source="northmoor"}"#) >= 0.0);
    assert_eq!(value(r#"civicgraph_disk_bytes{part="store"}"#), 0.0, "in memory");

    let off = demo_state_with(Config {
        http: HttpConfig {
            metrics: false,
            ..HttpConfig::default()
        },
        ..Config::default()
    });
    let (response, _) = send(&off, get("/metrics")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// The value of one series (name and labels, as written) in a Prometheus text scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.trim().parse().ok()))
}
