//! The one test kit. End-to-end tests over all civicgraph crates live in `tests/`; the
//! integration tests of `graph`, `ingest` and `sparql-api` use this library too (as a
//! dev-dependency), so that a router on a port, a listener that must never be contacted,
//! SPARQL helpers, demo loaders, source configurations and running the binary exist once.
//!
//! Only integration tests may use it: it depends on the crates it tests, which is a cycle
//! Cargo allows for integration tests (they link the same library) but not for unit tests.

pub mod cli;
pub mod demo;
pub mod net;
pub mod search;
pub mod server;
pub mod sources;
pub mod sparql;
pub mod w3c;

pub use server::{demo_state, demo_state_with, send, tagged_demo_state};
