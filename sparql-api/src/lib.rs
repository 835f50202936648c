#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod api;
mod auth;
mod catalog;
mod ckan;
pub mod config;
pub mod connections;
pub mod demo;
pub mod error;
pub mod federation;
mod graph_store;
mod health;
mod html;
mod limits;
pub mod memory;
pub mod metrics;
mod negotiate;
mod quota;
mod rdf_response;
mod record_page;
pub mod result_cache;
mod service_description;
mod sparql;
mod streamed;
mod update;
mod vocabulary;
mod void;
mod web;
pub mod work;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use civicgraph_graph::Graph;
use config::Config;
use std::sync::Arc;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The knowledge graph.
    pub graph: Arc<Graph>,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// The write token, read once at start; `None` turns writes off.
    pub write_token: Option<Arc<str>>,
    /// Answers `SERVICE` calls to allow-listed endpoints, refuses all others.
    pub federation: Arc<federation::Federation>,
    /// Answers to repeated queries, for the current store version.
    pub cache: Arc<result_cache::ResultCache>,
    /// Where heavy requests run: query slots, the long-query lane, the timeout and
    /// cancellation. Keeps the cores from being shared among every open request, so cheap
    /// requests (`/healthz`) still get CPU under load.
    pub work: Arc<work::Work>,
    /// Requests served at once by the whole server (not per route).
    pub requests: Arc<tokio::sync::Semaphore>,
    /// What `/metrics` reports.
    pub metrics: metrics::Metrics,
    /// Per-client token buckets (`[limits] client_requests_per_second`).
    pub quotas: Arc<quota::Quotas>,
    /// One whole-store dump (`GET /store`) at a time: each reads the whole store.
    pub dumps: Arc<tokio::sync::Semaphore>,
    /// The budget of anonymous request bodies read and held at once, a permit a KiB
    /// (`limits.max_buffered_body_bytes`; see [`limits::admit`]).
    pub bodies: Arc<tokio::sync::Semaphore>,
}

/// Shows whether a token is set, never the token.
impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("graph", &self.graph)
            .field("config", &self.config)
            .field("writes_enabled", &self.write_token.is_some())
            .finish()
    }
}

impl AppState {
    /// State over `graph` with `config`; the write token comes from the environment
    /// variable the config names.
    pub fn new(graph: Graph, config: Config) -> Self {
        Self::from_shared(Arc::new(graph), config)
    }

    /// [`AppState::new`] over a graph shared with others (a harvest, another state).
    pub fn from_shared(graph: Arc<Graph>, config: Config) -> Self {
        let write_token = config.write_token().map(Arc::from);
        let federation = Arc::new(
            federation::Federation::new(&config.federation)
                .with_catalogues(&config.federation, graph.clone()),
        );
        let cache = Arc::new(result_cache::ResultCache::new(config.query.cache_bytes));
        let work = work::Work::new(
            config.limits.query_workers(),
            config.limits.long_queries,
            std::time::Duration::from_millis(config.limits.long_query_after_ms),
            config.query_timeout(),
        );
        let requests = Arc::new(tokio::sync::Semaphore::new(config.limits.max_concurrent_requests));
        let config_limits = config.limits.clone();
        Self {
            graph,
            config: Arc::new(config),
            write_token,
            federation,
            cache,
            work,
            requests,
            metrics: metrics::Metrics::new(),
            quotas: Arc::new(quota::Quotas::new(
                config_limits.client_requests_per_second,
                config_limits.client_burst,
                config_limits.trust_forwarded_for,
            )),
            dumps: Arc::new(tokio::sync::Semaphore::new(1)),
            bodies: Arc::new(tokio::sync::Semaphore::new(limits::body_permits(
                config_limits.max_buffered_body_bytes,
            ))),
        }
    }

    /// The same state with `token` as the write token (or writes off with `None`).
    pub fn with_write_token(mut self, token: Option<&str>) -> Self {
        self.write_token = token.map(Arc::from);
        self
    }
}

/// The URL a request was sent to, from the configured `public_url` or else its `Host`
/// header, and the endpoint's path: the base IRI of relative IRIs in a query or update
/// (SPARQL 1.1 Protocol).
pub(crate) fn request_base(config: &Config, headers: &axum::http::HeaderMap, path: &str) -> String {
    format!("{}{path}", request_origin(config, headers))
}

/// Where clients reach the server: the configured `public_url` (behind a TLS proxy,
/// `https://…`), else `http://` and the request's `Host`.
pub(crate) fn request_origin(config: &Config, headers: &axum::http::HeaderMap) -> String {
    match &config.public_url {
        Some(url) => url.clone(),
        None => format!("http://{}", request_host(headers)),
    }
}

/// The `Host` a request was sent to, if it is a plain host name or address (with a port);
/// anything else is `localhost`, so a forged header cannot inject into IRIs.
pub(crate) fn request_host(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("localhost")
        .to_owned()
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let limits = state.config.limits.clone();
    let http = state.config.http.clone();
    let mut served = Router::new();
    if http.metrics {
        // Inside the admission limit: a scrape reads the harvest record and the disk.
        served = served.route("/metrics", get(metrics::get));
    }
    let served = served
        .route("/sparql", get(sparql::get).post(sparql::post))
        .route("/update", post(update::post))
        .route(
            "/store",
            get(graph_store::read)
                .head(graph_store::read)
                .put(graph_store::write)
                .post(graph_store::write)
                .delete(graph_store::write),
        )
        .route("/.well-known/void", get(void::get))
        .route("/catalog", get(catalog::get))
        .route("/ns", get(vocabulary::ontology))
        .route("/record/{id}", get(record_page::record))
        .route("/id/{*path}", get(record_page::minted))
        .route("/demo/{*path}", get(record_page::demo))
        .route("/{scheme}/", get(vocabulary::scheme))
        .route("/{scheme}/{concept}", get(vocabulary::concept))
        .route("/", get(web::index))
        .route("/assets/app.js", get(web::app))
        .route("/assets/style.css", get(web::style))
        .route("/assets/examples.json", get(web::examples))
        .route("/assets/yasqe.min.js", get(web::yasqe))
        .route("/assets/yasqe.min.css", get(web::yasqe_style))
        .route("/assets/prefixes.json", get(web::prefixes))
        .route("/api/3/action/{action}", get(ckan::action).post(ckan::action))
        .route("/api/action/{action}", get(ckan::action).post(ckan::action))
        .merge(api::routes())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), limits::admit))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), quota::check))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ));
    let router = Router::new()
        .route("/healthz", get(health::get))
        .merge(served)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(limits::cors())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state);
    http_layers(router, &http)
}

/// The answer to a request whose handler panicked: a 500 in the API's error shape, where
/// the connection would otherwise be dropped without a word. The panic is logged with the
/// request's id; the client is told only that it happened, and the server goes on (a
/// panic unwinds only its own request, releasing its slot and permits).
fn panicked(panic: Box<dyn std::any::Any + Send>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    error::ApiError::Internal(format!("a handler panicked: {message}")).into_response()
}

/// Compression and the request log with request ids, as `[http]` configures them: the
/// outermost layers, so the log sees every answer (refusals included) with its status.
fn http_layers(router: Router, http: &config::HttpConfig) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let router = if http.compression {
        router.layer(tower_http::compression::CompressionLayer::new())
    } else {
        router
    };
    if !http.request_log {
        return router;
    }
    let header = axum::http::HeaderName::from_static("x-request-id");
    let trace = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|request: &axum::http::Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
        })
        .on_request(())
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO));
    router
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(trace)
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
        .layer(axum::middleware::map_request(usable_request_id))
}

/// The longest `x-request-id` a client may give.
const MAX_REQUEST_ID: usize = 128;

/// Keeps a client's `x-request-id` only when it is a short token (letters, digits, `-`,
/// `_`, `.`, `:`), else drops it for a fresh UUID: it is echoed and logged on every line,
/// and 380 KB ids sent to `/healthz`, which no quota counts, wrote 200 MB a second of log.
async fn usable_request_id(mut request: axum::extract::Request) -> axum::extract::Request {
    let usable = request.headers().get_all("x-request-id").iter().all(|id| {
        id.len() <= MAX_REQUEST_ID
            && id
                .as_bytes()
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
    });
    if !usable {
        request.headers_mut().remove("x-request-id");
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_answers_500_and_the_router_goes_on() {
        let router: Router = Router::new()
            .route(
                "/boom",
                get(|| async {
                    let empty: Vec<&'static str> = Vec::new();
                    empty[1]
                }),
            )
            .route("/fine", get(|| async { "fine" }))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked));
        let request = |path: &str| {
            axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let response = router.clone().oneshot(request("/boom")).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("internal server error"), "{body}");
        assert!(
            !body.contains("index out of bounds"),
            "the panic stays in the log: {body}"
        );
        let response = router.oneshot(request("/fine")).await.unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
    }
}
