//! The web page at `/` and its assets, compiled into the binary (no build step, nothing read
//! from disk, so no path can reach a file). Every answer carries a Content-Security-Policy
//! that allows only this server's own script, styles and API: an injected `<script>` or
//! inline handler would not run even if some value escaped the page's text-only rendering.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("../web/index.html");
const APP: &str = include_str!("../web/app.js");
const STYLE: &str = include_str!("../web/style.css");

/// The page's Content-Security-Policy.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The SPARQL examples the page offers: the queries of `docs/examples`.
const EXAMPLES: [&str; 5] = [
    include_str!("../../docs/examples/datasets-by-pattern-and-theme.rq"),
    include_str!("../../docs/examples/case-studies-by-pattern.rq"),
    include_str!("../../docs/examples/copies-of-a-dataset.rq"),
    include_str!("../../docs/examples/datasets-per-catalogue.rq"),
    include_str!("../../docs/examples/patterns-per-catalogue.rq"),
];

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `GET /`.
pub async fn index() -> Response {
    asset(INDEX, "text/html; charset=utf-8")
}

/// `GET /assets/app.js`.
pub async fn app() -> Response {
    asset(APP, "text/javascript; charset=utf-8")
}

/// `GET /assets/style.css`.
pub async fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// One example query.
#[derive(Debug, serde::Serialize)]
pub struct Example {
    /// Its first comment line.
    pub title: String,
    /// The query.
    pub query: &'static str,
}

/// `GET /assets/examples.json`.
pub async fn examples() -> Json<Vec<Example>> {
    Json(
        EXAMPLES
            .iter()
            .map(|query| Example {
                title: query
                    .lines()
                    .find_map(|l| l.strip_prefix("# "))
                    .unwrap_or("Example")
                    .trim_end_matches(',')
                    .to_owned(),
                query,
            })
            .collect(),
    )
}
