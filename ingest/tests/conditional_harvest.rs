//! Conditional harvest: a DCAT source served in two pages with validators is asked with
//! `If-None-Match` and `If-Modified-Since` the next time; its `304 Not Modified` pages are
//! read from the pages kept in the data directory, counted in the run's record, and the
//! source is stored exactly as a full download would have stored it.

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::provenance::RunStatus;
use civicgraph_ingest::{SourceKind, harvest};
use civicgraph_tests::demo::repo;
use civicgraph_tests::net::serve;
use civicgraph_tests::sources::url_source;
use civicgraph_tests::sparql::count;
use std::sync::{Arc, Mutex};

/// Two pages: the first names the second with `Link: rel="next"`. Page 1 has an `ETag`,
/// page 2 only a `Last-Modified`, so both kinds of condition are asked.
struct Site {
    pages: [String; 2],
    versions: [u32; 2],
    /// (page, status) of every request.
    log: Vec<(usize, u16)>,
}

type Shared = Arc<Mutex<Site>>;

const DATES: [&str; 3] = [
    "Mon, 02 Nov 2026 10:00:00 GMT",
    "Tue, 03 Nov 2026 10:00:00 GMT",
    "Wed, 04 Nov 2026 10:00:00 GMT",
];

async fn page(State(site): State<Shared>, UrlPath(n): UrlPath<usize>, headers: HeaderMap) -> Response {
    let mut site = site.lock().unwrap();
    let index = n - 1;
    let version = site.versions[index];
    let etag = format!("\"p{n}-v{version}\"");
    let modified = DATES[version as usize];
    let unchanged = if n == 1 {
        headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str())
    } else {
        assert!(
            headers.get(header::IF_NONE_MATCH).is_none(),
            "page 2 never gave an ETag"
        );
        headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            == Some(modified)
    };
    let status = if unchanged { 304 } else { 200 };
    site.log.push((n, status));
    if unchanged {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = ([(header::CONTENT_TYPE, "text/turtle")], site.pages[index].clone()).into_response();
    let out = response.headers_mut();
    if n == 1 {
        out.insert(header::ETAG, etag.parse().unwrap());
        out.insert(header::LINK, "</page/2>; rel=\"next\"".parse().unwrap());
    } else {
        out.insert(header::LAST_MODIFIED, modified.parse().unwrap());
    }
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_pages_are_not_downloaded_again_and_changed_ones_are() {
    let demo = |file: &str| std::fs::read_to_string(repo(&format!("datasets/demo/{file}"))).unwrap();
    let site: Shared = Arc::new(Mutex::new(Site {
        pages: [demo("northmoor.ttl"), demo("southvale.ttl")],
        versions: [0, 0],
        log: Vec::new(),
    }));
    let url = serve(
        axum::Router::new()
            .route("/page/{n}", get(page))
            .with_state(site.clone()),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let graph = Arc::new(Graph::open(dir.path(), Layout::default()).unwrap());
    let source = url_source("regions", SourceKind::Dcat, &format!("{url}/page/1"));
    let settings = civicgraph_tests::sources::quick_settings();
    let quiet = civicgraph_tests::sources::quiet();
    let run = || harvest(graph.clone(), source.clone(), settings.clone(), quiet.clone());

    let first = run().await.unwrap();
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.message);
    let full_bytes = first.report.transfer.bytes;
    assert_eq!(
        (first.report.transfer.requests, first.report.transfer.not_modified),
        (2, 0)
    );
    assert!(full_bytes > 10_000, "{full_bytes}");
    let datasets = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }";
    let stored = count(&graph, datasets);
    assert_eq!(stored, first.report.records_read as u64);

    // Nothing changed: both pages answer 304 and come from the kept copies.
    let second = run().await.unwrap();
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.message);
    assert_eq!(second.report.transfer.not_modified, 2);
    assert_eq!(second.report.transfer.bytes, 0, "no body was downloaded");
    assert_eq!(second.report.records_read, first.report.records_read);
    assert_eq!(second.changes.unchanged, first.changes.added);
    assert_eq!(
        (
            second.changes.added,
            second.changes.changed,
            second.changes.deleted
        ),
        (0, 0, 0)
    );
    assert_eq!(count(&graph, datasets), stored);
    // The run's record says so.
    let recorded = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ <{}> <https://w3id.org/civicgraph/ns#notModified> 2 ; <https://w3id.org/civicgraph/ns#bytesFetched> 0 ; <https://w3id.org/civicgraph/ns#requests> 2 }}",
        second.run
    );
    assert_eq!(count(&graph, &recorded), 1);

    // The second page changes: it alone is downloaded, and the change is stored.
    {
        let mut site = site.lock().unwrap();
        site.versions[1] = 1;
        site.pages[1] = site.pages[1].replacen(
            "diffusion tube results\"@en",
            "diffusion tube results, paddling pools\"@en",
            1,
        );
        site.log.clear();
    }
    let third = run().await.unwrap();
    assert_eq!(third.status, RunStatus::Succeeded, "{:?}", third.message);
    assert_eq!(site.lock().unwrap().log, [(1, 304), (2, 200)]);
    assert_eq!(third.report.transfer.not_modified, 1);
    assert!(third.report.transfer.bytes > 0 && third.report.transfer.bytes < full_bytes);
    assert_eq!(third.changes.changed, 1, "{:?}", third.changes);
    assert!(!graph.search("paddling", 5).unwrap().is_empty());

    // The kept pages outlive the process: they are in the data directory.
    drop(graph);
    let graph = Arc::new(Graph::open(dir.path(), Layout::default()).unwrap());
    site.lock().unwrap().log.clear();
    let fourth = harvest(graph.clone(), source.clone(), settings.clone(), quiet.clone())
        .await
        .unwrap();
    assert_eq!(
        fourth.report.transfer.not_modified,
        2,
        "{:?}",
        site.lock().unwrap().log
    );
    assert_eq!(
        fourth.changes.changed + fourth.changes.added + fourth.changes.deleted,
        0
    );
}
