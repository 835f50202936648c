//! Hostile input to harvesting, each case refused or bounded with an error that names the
//! document and, where there is one, the position; the process goes on and the stored
//! version of the source is kept: a gzip bomb, an endless response, invalid UTF-8, a byte
//! order mark, a 10 MB line, and JSON nested a million deep; and a page or redirect that
//! points the harvester at a host the source's configuration did not name.

use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use axum::routing::get;
use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::document::{self, DocumentKind};
use civicgraph_ingest::harvest::Progress;
use civicgraph_ingest::mint::Minter;
use civicgraph_ingest::provenance::RunStatus;
use civicgraph_ingest::rdf_document::parse;
use civicgraph_ingest::{HarvestSettings, Report, SourceConfig, SourceKind, harvest};
use civicgraph_tests::net::{Untouched, serve};
use civicgraph_tests::sources::url_source;
use oxigraph::io::RdfFormat;
use std::io::Write;
use std::sync::Arc;

const LIMIT: u64 = 1024 * 1024;

fn source(url: &str) -> SourceConfig {
    SourceConfig {
        format: Some("turtle".into()),
        ..url_source("hostile", SourceKind::Dcat, url)
    }
}

/// Harvests `url` with a 1 MiB limit and no retries; returns the run's message.
async fn harvest_failing(graph: Arc<Graph>, url: String) -> String {
    let settings = HarvestSettings {
        max_response_bytes: LIMIT,
        retries: 0,
        delay_ms: 0,
        ..HarvestSettings::default()
    };
    let quiet: Progress = Arc::new(|_: &str| {});
    let outcome = harvest(graph, source(&url), settings, quiet).await.unwrap();
    assert_eq!(outcome.status, RunStatus::Failed);
    outcome.message.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_is_cut_at_the_limit_after_decompression() {
    // 64 MiB of spaces compress to about 64 KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&block).unwrap();
    }
    let bomb = Arc::new(encoder.finish().unwrap());
    assert!(bomb.len() < 200 * 1024);
    let app = axum::Router::new().route(
        "/catalog.ttl",
        get(move || {
            let bomb = bomb.clone();
            async move {
                Response::builder()
                    .header(header::CONTENT_TYPE, "text/turtle")
                    .header(header::CONTENT_ENCODING, "gzip")
                    .body(Body::from(bomb.as_ref().clone()))
                    .unwrap()
            }
        }),
    );
    let url = format!("{}/catalog.ttl", serve(app).await);
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let message = harvest_failing(graph, url.clone()).await;
    assert_eq!(message, format!("{url}: larger than the limit of {LIMIT} bytes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_response_is_cut_at_the_limit() {
    let app = axum::Router::new().route(
        "/catalog.ttl",
        get(|| async {
            let chunk = bytes::Bytes::from(vec![b'#'; 64 * 1024]);
            let endless = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            Response::builder()
                .header(header::CONTENT_TYPE, "text/turtle")
                .body(Body::from_stream(endless))
                .unwrap()
        }),
    );
    let url = format!("{}/catalog.ttl", serve(app).await);
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let message = harvest_failing(graph, url.clone()).await;
    assert_eq!(message, format!("{url}: larger than the limit of {LIMIT} bytes"));
}

#[test]
fn invalid_utf8_is_refused_with_its_position() {
    let mut turtle = b"<http://ex/a> <http://ex/p> \"ok\" .\n<http://ex/b> <http://ex/p> \"".to_vec();
    turtle.extend_from_slice(&[0xff, 0xfe]);
    turtle.extend_from_slice(b"\" .\n");
    let error = parse(&turtle, RdfFormat::Turtle, None, "bad.ttl")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("bad.ttl: "), "{error}");
    assert!(error.contains("line 2"), "{error}");
}

#[test]
fn a_byte_order_mark_is_ignored_in_rdf_and_json() {
    let turtle = b"\xEF\xBB\xBF<http://ex/a> <http://ex/p> \"ok\" .\n";
    assert_eq!(
        parse(turtle, RdfFormat::Turtle, None, "bom.ttl").unwrap().len(),
        1
    );
    let json = "\u{feff}[{\"id\": \"a\", \"title\": \"A case\"}]";
    let minter = Minter::new(&Layout::default(), "cases").unwrap();
    let mut report = Report::default();
    let triples = document::map(
        DocumentKind::CaseStudiesJson,
        json.as_bytes(),
        "bom.json",
        None,
        None,
        None,
        "",
        &minter,
        &mut report,
    )
    .unwrap();
    assert!(!triples.is_empty());
}

#[test]
fn a_ten_megabyte_line_is_kept_whole() {
    let value = "x".repeat(10 * 1024 * 1024);
    let line = format!("<http://ex/a> <http://ex/p> \"{value}\" .\n");
    let triples = parse(line.as_bytes(), RdfFormat::NTriples, None, "long.nt").unwrap();
    assert_eq!(triples.len(), 1);
    assert!(triples[0].object.to_string().len() > 10 * 1024 * 1024);
}

#[test]
fn json_nested_a_million_deep_is_refused_not_overflowed() {
    let depth = 1_000_000;
    let json = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let minter = Minter::new(&Layout::default(), "cases").unwrap();
    for kind in [
        DocumentKind::CaseStudiesJson,
        DocumentKind::CkanSearch,
        DocumentKind::Datajson,
    ] {
        let mut report = Report::default();
        let error = document::map(
            kind,
            json.as_bytes(),
            "deep.json",
            None,
            None,
            None,
            "",
            &minter,
            &mut report,
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("deep.json: "), "{kind:?}: {error}");
        assert!(
            error.contains("recursion limit") && error.contains("line 1"),
            "{kind:?}: {error}"
        );
    }
    // JSON-LD goes through its own parser.
    let error = parse(
        json.as_bytes(),
        RdfFormat::JsonLd {
            profile: Default::default(),
        },
        None,
        "deep.jsonld",
    );
    assert!(error.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_links_and_redirects_never_leave_the_configured_host() {
    let untouched = Untouched::new();
    // `localhost` is the same machine under a name the configuration did not give.
    let elsewhere = format!("http://localhost:{}", untouched.port());
    let next_page = format!(
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n\
         <http://example.org/catalogue> a <http://www.w3.org/ns/dcat#Catalog> .\n\
         <?page=1> hydra:next <{elsewhere}/steal?page=2> ."
    );
    let redirect_to = format!("{elsewhere}/latest/meta-data/");
    let app = axum::Router::new()
        .route(
            "/paged.ttl",
            get(move || {
                let body = next_page.clone();
                async move {
                    Response::builder()
                        .header(header::CONTENT_TYPE, "text/turtle")
                        .body(Body::from(body))
                        .unwrap()
                }
            }),
        )
        .route(
            "/moved.ttl",
            get(move || {
                let target = redirect_to.clone();
                async move {
                    Response::builder()
                        .status(302)
                        .header(header::LOCATION, target)
                        .body(Body::empty())
                        .unwrap()
                }
            }),
        );
    let url = serve(app).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let message = harvest_failing(graph.clone(), format!("{url}/paged.ttl")).await;
    assert!(message.contains("localhost is not a host"), "{message}");
    let message = harvest_failing(graph, format!("{url}/moved.ttl")).await;
    assert!(
        message.contains("redirect to") && message.contains("refused"),
        "{message}"
    );
    untouched.assert_untouched("a host the source's configuration did not name");
}
