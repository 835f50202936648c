//! What the pages rendered on the server share: escaping, links to terms, the page shell and
//! its Content-Security-Policy. Every value from the store reaches a page through
//! [`escape`]; a link is made only from an `http(s)` IRI, or from an IRI this server
//! answers for (the vocabulary's, the records' minted ones), which becomes a path here.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use oxigraph::model::Term;

/// Where the vocabulary's IRIs live; `https://w3id.org/civicgraph/...` redirects here.
pub const VOCABULARY_ROOT: &str = "https://w3id.org/civicgraph/";

/// The policy of a server-rendered page: its own stylesheet and nothing else. No script
/// runs (a JSON-LD block is data, which crawlers read and browsers never execute), and no
/// form, frame or base can be injected, whatever a record's text holds.
pub const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a page links for `iri`: the vocabulary's IRIs to their page on this server, other
/// `http(s)` IRIs as they are; anything else (`javascript:`, `data:`, `urn:`) is no link.
pub fn href(iri: &str) -> Option<String> {
    match iri.strip_prefix(VOCABULARY_ROOT) {
        Some(path) => Some(format!("/{path}")),
        None => {
            let lower = iri.trim_start().to_ascii_lowercase();
            (lower.starts_with("http://") || lower.starts_with("https://")).then(|| iri.trim().to_owned())
        }
    }
}

/// Where a page links for `iri` on a server minting IRIs under `minted_base`: a minted IRI
/// to its path under `/id/` here (wherever the server is reached), else as [`href`].
pub fn href_minted(iri: &str, minted_base: &str) -> Option<String> {
    match iri.strip_prefix(minted_base) {
        Some(rest) if !minted_base.is_empty() => Some(format!("/id/{rest}")),
        _ => href(iri),
    }
}

/// A link to `iri` showing `text`, or the text alone when `iri` cannot be a link.
pub fn link(iri: &str, text: &str) -> String {
    link_minted(iri, text, "")
}

/// [`link`] on a server minting IRIs under `minted_base` ([`href_minted`]).
pub fn link_minted(iri: &str, text: &str, minted_base: &str) -> String {
    match href_minted(iri, minted_base) {
        Some(target) => format!("<a href=\"{}\">{}</a>", escape(&target), escape(text)),
        None => escape(text),
    }
}

/// A term as HTML: an IRI as a link to itself ([`link`]), a literal as its text.
pub fn term(term: &Term) -> String {
    match term {
        Term::NamedNode(node) => link(node.as_str(), node.as_str()),
        Term::Literal(literal) => escape(literal.value()),
        other => escape(&other.to_string()),
    }
}

/// A whole page: `title` (text), `head` (markup for the head: JSON-LD, links) and `body`
/// (markup), with the page policy and the headers of every page.
pub fn page(title: &str, head: &str, body: &str) -> Response {
    let markup = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · civicgraph</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/style.css\">{head}</head>\
         <body><header class=\"site\"><a href=\"/\">civicgraph</a></header><main class=\"server-page\">{body}</main></body></html>",
        title = escape(title)
    );
    let mut response = Html(markup).into_response();
    let headers = response.headers_mut();
    protect(headers, PAGE_POLICY);
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// The headers every page and asset of the web interface carries: its Content-Security-
/// Policy, no MIME sniffing, no referrer, never framed.
pub fn protect(headers: &mut axum::http::HeaderMap, policy: &'static str) {
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// JSON for a `<script type="application/ld+json">` block: `<`, `>` and `&` are written as
/// `\u003c`, `\u003e` and `\u0026`, so no value can close the element or open a comment.
pub fn json_ld(value: &serde_json::Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    format!("<script type=\"application/ld+json\">{out}</script>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    #[test]
    fn only_web_iris_become_links() {
        let iri = |iri: &str| Term::NamedNode(NamedNode::new(iri).unwrap());
        assert_eq!(term(&iri("javascript:alert(1)")), "javascript:alert(1)");
        assert!(term(&iri("https://example.org/x")).starts_with("<a href=\"https://example.org/x\""));
        assert_eq!(
            href("https://w3id.org/civicgraph/benefit/trust-innovation").as_deref(),
            Some("/benefit/trust-innovation")
        );
    }

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x\")</script>&"),
            "&lt;script&gt;alert(&#39;x&quot;)&lt;/script&gt;&amp;"
        );
    }

    #[test]
    fn json_ld_cannot_close_its_element() {
        let block = json_ld(&serde_json::json!({"name": "</script><script>alert(1)</script><!--"}));
        assert_eq!(block.matches("</script>").count(), 1, "{block}");
        assert!(!block.contains("<!--"), "{block}");
        let inner = block
            .trim_start_matches("<script type=\"application/ld+json\">")
            .trim_end_matches("</script>");
        let back: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script><!--");
    }
}
