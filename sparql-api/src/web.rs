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
/// The SPARQL editor, vendored from npm (`web/vendor/yasqe/README.md`).
const YASQE: &str = include_str!("../web/vendor/yasqe/yasqe.min.js");
const YASQE_STYLE: &str = include_str!("../web/vendor/yasqe/yasqe.min.css");

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
    crate::html::protect(headers, CONTENT_SECURITY_POLICY);
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

/// `GET /assets/yasqe.min.js`: the SPARQL editor.
pub async fn yasqe() -> Response {
    asset(YASQE, "text/javascript; charset=utf-8")
}

/// `GET /assets/yasqe.min.css`.
pub async fn yasqe_style() -> Response {
    asset(YASQE_STYLE, "text/css; charset=utf-8")
}

/// `GET /assets/prefixes.json`: the prefixes the editor completes, `prefix: <namespace>`,
/// from the one prefix table (`civicgraph_vocab::PREFIXES`).
pub async fn prefixes() -> Json<Vec<String>> {
    Json(
        civicgraph_vocab::PREFIXES
            .iter()
            .map(|(prefix, namespace)| format!("{prefix}: <{namespace}>"))
            .collect(),
    )
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

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// The vendored editor is the file its README names, byte for byte.
    #[test]
    fn the_vendored_editor_is_the_release_its_readme_names() {
        let readme = include_str!("../web/vendor/yasqe/README.md");
        for (name, bytes) in [
            ("yasqe.min.js", super::YASQE.as_bytes()),
            ("yasqe.min.css", super::YASQE_STYLE.as_bytes()),
        ] {
            let hash = format!("{:x}", Sha256::digest(bytes));
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}`")))
                .unwrap_or_else(|| panic!("{name} is not in the README"));
            assert!(row.contains(&hash), "{name}: {hash} is not the README's {row}");
        }
    }
}
