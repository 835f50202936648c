//! The fetcher's retries against a real local server, on a paused clock: a busy server's
//! `Retry-After` is waited out, capped at a minute; without one the waits double. The test
//! takes no real time: tokio's clock jumps to each wait's end once nothing else can run.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use civicgraph_ingest::HarvestSettings;
use civicgraph_ingest::fetch::Fetcher;
use civicgraph_ingest::outbound::Outbound;
use civicgraph_tests::net::serve;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::time::{Duration, Instant};

/// A server that answers 503 (with the given `Retry-After`, if any) while it has busy
/// answers left, then 200; it notes when each request came.
#[derive(Default)]
struct Busy {
    answers: VecDeque<Option<&'static str>>,
    seen: Vec<Instant>,
}

type Shared = Arc<Mutex<Busy>>;

async fn page(State(busy): State<Shared>) -> Response {
    let mut busy = busy.lock().unwrap();
    busy.seen.push(Instant::now());
    match busy.answers.pop_front() {
        Some(Some(retry_after)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [("retry-after", retry_after)],
            "busy",
        )
            .into_response(),
        Some(None) => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        None => (StatusCode::OK, "{}").into_response(),
    }
}

/// Fetches a page from a server busy with `answers`; returns the waits between requests.
async fn waits(answers: &[Option<&'static str>], retries: u32) -> (bool, Vec<Duration>) {
    let busy: Shared = Arc::new(Mutex::new(Busy {
        answers: answers.iter().copied().collect(),
        ..Busy::default()
    }));
    let url = serve(
        axum::Router::new()
            .route("/page", get(page))
            .with_state(busy.clone()),
    )
    .await;
    let url = format!("{url}/page");
    let settings = HarvestSettings {
        delay_ms: 0,
        retries,
        timeout_secs: 10,
        ..HarvestSettings::default()
    };
    let fetcher = Fetcher::new(&settings, Outbound::new([url.as_str()], &[], &[])).unwrap();
    let fetched = fetcher.get(&url, "application/json").await;
    let seen = busy.lock().unwrap().seen.clone();
    let waits = seen.windows(2).map(|pair| pair[1] - pair[0]).collect();
    (fetched.is_ok(), waits)
}

/// Whether `got` is `expected`, give or take the moment a request takes on the paused clock.
fn about(got: &[Duration], expected: &[u64]) -> bool {
    got.len() == expected.len()
        && got.iter().zip(expected).all(|(got, &secs)| {
            *got >= Duration::from_secs(secs) && *got < Duration::from_secs(secs) + Duration::from_millis(500)
        })
}

#[tokio::test(start_paused = true)]
async fn a_busy_server_is_asked_again_after_its_retry_after() {
    let (ok, waits) = waits(&[Some("30")], 2).await;
    assert!(ok);
    assert!(about(&waits, &[30]), "{waits:?}");
}

#[tokio::test(start_paused = true)]
async fn without_retry_after_the_waits_double_and_a_long_one_is_capped_at_a_minute() {
    let (ok, doubling) = waits(&[None, None, None], 3).await;
    assert!(ok);
    assert!(about(&doubling, &[1, 2, 4]), "{doubling:?}");
    let (ok, capped) = waits(&[Some("86400")], 1).await;
    assert!(ok);
    assert!(about(&capped, &[60]), "{capped:?}");
}

#[tokio::test(start_paused = true)]
async fn a_server_still_busy_when_the_retries_are_spent_fails_the_fetch() {
    let (ok, waits) = waits(&[Some("5"), Some("5"), Some("5")], 2).await;
    assert!(!ok);
    assert!(about(&waits, &[5, 5]), "{waits:?}");
}
