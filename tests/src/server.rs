//! The server over a real in-memory graph with the demo data, and requests sent to it
//! without a socket (`app(state).oneshot(...)`).

use axum::body::Body;
use axum::http::{Request, Response};
use civicgraph_graph::{Graph, Layout};
use civicgraph_sparql_api::config::Config;
use civicgraph_sparql_api::{AppState, app, demo};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A server state over an in-memory graph holding the vocabulary and the demo data.
pub fn demo_state() -> AppState {
    demo_state_with(Config::default())
}

/// [`demo_state`] with another configuration.
pub fn demo_state_with(config: Config) -> AppState {
    let graph = Graph::in_memory(Layout::default()).expect("in-memory graph");
    graph.ensure_vocabulary().expect("vocabulary");
    demo::load_demo(&graph).expect("demo data");
    AppState::new(graph, config)
}

/// [`demo_state`] after tagging and linking, as `serve` leaves it.
pub fn tagged_demo_state() -> AppState {
    let state = demo_state();
    civicgraph_ingest::Pipeline::new(
        state.graph.clone(),
        Default::default(),
        Default::default(),
        Default::default(),
    )
    .refresh()
    .expect("linking and tagging the demo data");
    state
}

/// Sends one request to the app and returns the response with its body read.
pub async fn send(state: &AppState, request: Request<Body>) -> (Response<()>, String) {
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        Response::from_parts(parts, ()),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}
