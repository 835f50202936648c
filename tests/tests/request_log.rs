//! Each request gets an id (`x-request-id`: the client's, else a new UUID), sent back on
//! the answer and logged with its method, path, status and latency. Alone in its test
//! binary: it installs a log subscriber, and tracing caches per call site whether anyone
//! listens, which tests on other threads of one binary would race with.

use axum::body::Body;
use axum::http::Request;
use civicgraph_tests::{demo_state, send};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Lines written by the log, for one test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn each_request_has_an_id_it_is_logged_under() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let state = demo_state();

    let (response, _) = send(&state, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a new UUID: {id}");
    let request = Request::get("/api/search?q=secret+words")
        .header("x-request-id", "client-chosen-17")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, request).await;
    assert_eq!(response.headers()["x-request-id"], "client-chosen-17");
    // An id that is no short token is neither echoed nor logged: a new one replaces it.
    let long = "x".repeat(100_000);
    let request = Request::get("/healthz")
        .header("x-request-id", long.as_str())
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, request).await;
    assert_eq!(response.headers()["x-request-id"].len(), 36);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("client-chosen-17"))
        .unwrap_or_else(|| panic!("no line for the request: {log}"));
    assert!(
        line.contains("/api/search") && line.contains("status=200") && line.contains("latency"),
        "{line}"
    );
    assert!(!line.contains("secret"), "the query string is not logged: {line}");
    assert!(log.contains(&id), "{log}");
    assert!(!log.contains(&long[..200]), "the long id was logged");
}
