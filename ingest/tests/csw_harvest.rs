//! Harvests a GeoNetwork catalogue service (CSW) served by a local test server from the
//! real recorded `GetRecords` pages of geo2france.fr (udata's harvest fixtures): every page
//! in turn by `nextRecord`, asked for DCAT or GeoDCAT-AP, and the ISO 19139 answer a CSW
//! gives by default refused with what to ask for instead.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::provenance::RunStatus;
use civicgraph_ingest::{SourceConfig, SourceKind, harvest};
use civicgraph_tests::net::serve;
use civicgraph_tests::sources::{file_source, harvest_ok, quick_settings, quiet, url_source};
use civicgraph_tests::sparql::count;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/udata-harvest-fixtures/csw_dcat"
    ));
    dir.is_dir().then_some(dir)
}

#[derive(Default)]
struct Service {
    dir: PathBuf,
    /// The query of every request, in order.
    requests: Vec<HashMap<String, String>>,
}

type Shared = Arc<Mutex<Service>>;

/// `GetRecords`: the recorded page starting at `startPosition`, in the schema asked for
/// (ISO 19139 when none is named, as GeoNetwork answers).
async fn get_records(
    State(service): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut service = service.lock().unwrap();
    service.requests.push(params.clone());
    if params.get("request").map(String::as_str) != Some("GetRecords") {
        return (StatusCode::BAD_REQUEST, "only GetRecords").into_response();
    }
    let schema = match params.get("outputSchema").map(String::as_str) {
        Some("http://www.w3.org/ns/dcat#") => "dcat",
        Some("http://data.europa.eu/930/") => "geodcatap",
        _ => "iso19139",
    };
    let start = params.get("startPosition").map_or("1", String::as_str);
    match std::fs::read(service.dir.join(format!("geonetwork-{schema}-page-{start}.xml"))) {
        Ok(body) => ([("content-type", "application/xml")], body).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no such page").into_response(),
    }
}

async fn serve_service(dir: PathBuf) -> (String, Shared) {
    let service: Shared = Arc::new(Mutex::new(Service {
        dir,
        ..Service::default()
    }));
    let base = serve(
        axum::Router::new()
            .route("/geonetwork/srv/fre/csw", get(get_records))
            .with_state(service.clone()),
    )
    .await;
    (format!("{base}/geonetwork/srv/fre/csw"), service)
}

fn datasets(graph: &Graph, source: &str) -> u64 {
    count(
        graph,
        &format!(
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH <{}> {{ ?d a <http://www.w3.org/ns/dcat#Dataset> }} }}",
            Layout::default().source_graph(source).unwrap().as_str()
        ),
    )
}

fn csw_source(url: &str, format: Option<&str>) -> SourceConfig {
    SourceConfig {
        format: format.map(str::to_owned),
        ..url_source("geo2france", SourceKind::Csw, url)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_service_is_harvested_page_by_page_as_dcat() {
    let Some(dir) = fixtures() else {
        eprintln!("../shared/data is absent; skipped");
        return;
    };
    let (url, service) = serve_service(dir).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let outcome = harvest_ok(&graph, csw_source(&url, None), quick_settings()).await;
    assert_eq!(datasets(&graph, "geo2france"), 6, "three pages of two records");
    assert_eq!(outcome.report.records_read, 6);
    let requests = service.lock().unwrap().requests.clone();
    let starts: Vec<&str> = requests.iter().map(|r| r["startPosition"].as_str()).collect();
    assert_eq!(starts, ["1", "3", "5"], "nextRecord is followed until it is 0");
    assert!(
        requests
            .iter()
            .all(|r| r["outputSchema"] == "http://www.w3.org/ns/dcat#" && r["service"] == "CSW")
    );
    // The French titles are the records' own.
    assert!(
        count(
            &graph,
            "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t FILTER(CONTAINS(STR(?t), \"ménages\")) }"
        ) >= 1
    );

    // GeoDCAT-AP, when the source asks for it.
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    harvest_ok(&graph, csw_source(&url, Some("geodcat-ap")), quick_settings()).await;
    assert_eq!(datasets(&graph, "geo2france"), 6);
    let last = service.lock().unwrap().requests.last().cloned().unwrap();
    assert_eq!(last["outputSchema"], "http://data.europa.eu/930/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iso_19139_records_are_mapped_to_dcat_whether_asked_for_or_answered() {
    let Some(dir) = fixtures() else {
        return;
    };
    // A source that asks for ISO 19139 (for services with no DCAT output) pages through it.
    let (url, service) = serve_service(dir.clone()).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    harvest_ok(&graph, csw_source(&url, Some("iso19139")), quick_settings()).await;
    assert_eq!(datasets(&graph, "geo2france"), 6);
    let last = service.lock().unwrap().requests.last().cloned().unwrap();
    assert_eq!(last["outputSchema"], "http://www.isotc211.org/2005/gmd");
    // Titles, keywords, contact points and download links come from the ISO elements.
    for (what, query) in [
        (
            "titles",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> ?t }",
        ),
        (
            "keywords",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d <http://www.w3.org/ns/dcat#keyword> ?k }",
        ),
        (
            "contacts",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { { ?d <http://www.w3.org/ns/dcat#contactPoint>/<http://www.w3.org/2006/vcard/ns#hasEmail> ?e } UNION { ?d (<http://purl.org/dc/terms/publisher>|<http://purl.org/dc/terms/rightsHolder>)/<http://xmlns.com/foaf/0.1/mbox> ?e } }",
        ),
        (
            "access URLs",
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d <http://www.w3.org/ns/dcat#distribution>/<http://www.w3.org/ns/dcat#accessURL> ?u }",
        ),
    ] {
        assert_eq!(count(&graph, query), 6, "{what}");
    }

    // A file of ISO records (a saved response) reads the same way.
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let file = file_source(
        "geo",
        SourceKind::Csw,
        &dir.join("geoplateforme-iso19139-IGNF_RPG.xml"),
    );
    let outcome = harvest(graph.clone(), file, quick_settings(), quiet())
        .await
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:?}", outcome.message);
    assert_eq!(datasets(&graph, "geo"), 1);
}
