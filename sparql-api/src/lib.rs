//! The civicgraph server: [`app`] builds the axum router over a [`Graph`], so tests drive it
//! with `tower::ServiceExt::oneshot` and the binary serves it on a socket.
//!
//! One module per HTTP resource (`sparql`, `health`); errors become HTTP statuses in one
//! place, [`error::ApiError`]. The command-line tool lives in the binary (`main.rs` and
//! `commands/`).

#![deny(missing_docs)]

pub mod config;
pub mod demo;
pub mod error;
mod health;
mod negotiate;
mod sparql;

use axum::Router;
use axum::routing::get;
use civicgraph_graph::Graph;
use config::Config;
use std::sync::Arc;

/// What every request handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The knowledge graph.
    pub graph: Arc<Graph>,
    /// The configuration in force.
    pub config: Arc<Config>,
}

impl AppState {
    /// State over `graph` with `config`.
    pub fn new(graph: Graph, config: Config) -> Self {
        Self {
            graph: Arc::new(graph),
            config: Arc::new(config),
        }
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/sparql", get(sparql::get).post(sparql::post))
        .route("/healthz", get(health::get))
        .with_state(state)
}
