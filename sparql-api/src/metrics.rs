//! `GET /metrics`: the server in Prometheus's text format, through the `prometheus` crate.
//!
//! Counted as requests pass ([`track`], on every matched route): requests by route, method
//! and status, and their latency by route (the route's pattern, `/api/records/{id}`, never
//! the path, so the number of series stays bounded). Read at each scrape: query slots in
//! use and configured, the result cache's hits and misses, harvest runs by source and
//! status and the last run's duration, the store's and the index's size on disk and the
//! index's documents. `[http] metrics = false` turns the route off.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use std::path::Path;

/// The server's metrics and the registry they are gathered from.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    cache_hits: IntCounter,
    cache_misses: IntCounter,
    slots_in_use: IntGauge,
    slots: IntGauge,
    harvest_runs: IntGaugeVec,
    harvest_seconds: prometheus::GaugeVec,
    bytes: IntGaugeVec,
    index_documents: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric of the server.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "civicgraph_http_requests_total",
                "HTTP requests answered, by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("a valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "civicgraph_http_request_duration_seconds",
                "Time to answer a request, by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["route"],
        )
        .expect("a valid metric");
        let cache_hits = IntCounter::new(
            "civicgraph_result_cache_hits_total",
            "SPARQL answers served from the result cache",
        )
        .expect("a valid metric");
        let cache_misses = IntCounter::new(
            "civicgraph_result_cache_misses_total",
            "Cacheable SPARQL queries not found in the result cache",
        )
        .expect("a valid metric");
        let slots_in_use = IntGauge::new("civicgraph_query_slots_in_use", "Query slots running a job")
            .expect("a valid metric");
        let slots =
            IntGauge::new("civicgraph_query_slots", "Query slots configured").expect("a valid metric");
        let harvest_runs = IntGaugeVec::new(
            Opts::new(
                "civicgraph_harvest_runs",
                "Harvest runs recorded in the store, by source and status",
            ),
            &["source", "status"],
        )
        .expect("a valid metric");
        let harvest_seconds = prometheus::GaugeVec::new(
            Opts::new(
                "civicgraph_harvest_last_run_seconds",
                "How long each source's latest ended run took",
            ),
            &["source"],
        )
        .expect("a valid metric");
        let bytes = IntGaugeVec::new(
            Opts::new(
                "civicgraph_disk_bytes",
                "Size on disk of the store and the search index",
            ),
            &["part"],
        )
        .expect("a valid metric");
        let index_documents = IntGauge::new("civicgraph_index_documents", "Records in the search index")
            .expect("a valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(cache_hits.clone()),
            Box::new(cache_misses.clone()),
            Box::new(slots_in_use.clone()),
            Box::new(slots.clone()),
            Box::new(harvest_runs.clone()),
            Box::new(harvest_seconds.clone()),
            Box::new(bytes.clone()),
            Box::new(index_documents.clone()),
        ] {
            registry.register(collector).expect("metric names are unique");
        }
        Self {
            registry,
            requests,
            latency,
            cache_hits,
            cache_misses,
            slots_in_use,
            slots,
            harvest_runs,
            harvest_seconds,
            bytes,
            index_documents,
        }
    }
}

/// Counts each request on a matched route, with its latency.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // A fixed set: any token is a method to HTTP, and each new label is a series kept for
    // ever (two hundred made-up methods of 400 KB grew `/metrics` to 80 MB).
    let method = match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    };
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .requests
        .with_label_values(&[route.as_str(), method, response.status().as_str()])
        .inc();
    metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Bytes of the files under `dir`.
fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(m) if m.is_dir() => size_of(&entry.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// `GET /metrics`.
pub async fn get(State(state): State<AppState>) -> Response {
    let graph = state.graph.clone();
    let metrics = state.metrics.clone();
    let work = state.work.clone();
    let cache = state.cache.clone();
    let slots = state.config.limits.query_workers();
    // Reading the harvest record and walking the data directory touch the disk.
    let text = tokio::task::spawn_blocking(move || {
        metrics.slots_in_use.set(work.running_count() as i64);
        metrics.slots.set(slots as i64);
        let (hits, misses) = cache.lookups();
        metrics
            .cache_hits
            .inc_by(hits.saturating_sub(metrics.cache_hits.get()));
        metrics
            .cache_misses
            .inc_by(misses.saturating_sub(metrics.cache_misses.get()));
        metrics.index_documents.set(graph.indexed_records() as i64);
        // An in-memory graph (tests) has no files: 0.
        for part in ["store", "index"] {
            let bytes = graph.dir().map_or(0, |dir| size_of(&dir.join(part)));
            metrics.bytes.with_label_values(&[part]).set(bytes as i64);
        }
        metrics.harvest_runs.reset();
        metrics.harvest_seconds.reset();
        if let Ok(runs) = civicgraph_ingest::provenance::list_runs(&graph, None) {
            let mut latest: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
            for run in &runs {
                metrics
                    .harvest_runs
                    .with_label_values(&[run.source.as_str(), run.status.as_str()])
                    .inc();
                let took = run
                    .ended
                    .as_deref()
                    .and_then(civicgraph_graph::parse_date)
                    .and_then(|ended| {
                        civicgraph_graph::parse_date(&run.started).map(|started| (ended - started) as f64)
                    });
                if let Some(seconds) = took {
                    latest.entry(run.source.clone()).or_insert(seconds);
                }
            }
            for (source, seconds) in latest {
                metrics
                    .harvest_seconds
                    .with_label_values(&[source.as_str()])
                    .set(seconds);
            }
        }
        let mut out = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&metrics.registry.gather(), &mut out)
            .map(|()| out)
    })
    .await;
    match text {
        Ok(Ok(body)) => {
            let mut response = body.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            response
        }
        Ok(Err(error)) => {
            crate::error::ApiError::Internal(format!("encoding the metrics: {error}")).into_response()
        }
        Err(error) => {
            crate::error::ApiError::Internal(format!("gathering the metrics: {error}")).into_response()
        }
    }
}
