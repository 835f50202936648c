//! Harvests a CKAN Action API served by a local test server from the real recorded
//! `package_search` response of data.birmingham.gov.uk: first in full, then incrementally
//! after one dataset changed and one was deleted, then through a failure that must leave
//! the stored version alone.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::harvest::Progress;
use civicgraph_ingest::provenance::{RunStatus, list_runs};
use civicgraph_ingest::{HarvestSettings, SourceConfig, SourceKind, harvest};
use civicgraph_tests::net::serve;
use civicgraph_tests::sources::url_source;
use civicgraph_tests::sparql::count;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Portal {
    packages: Vec<Value>,
    failing: bool,
    /// Answer this many requests with 503 before answering properly.
    flaky: usize,
    requests: Vec<String>,
}

type Shared = Arc<Mutex<Portal>>;

/// `package_search` with the parameters a harvester uses: rows, start, sort by id, an `fq`
/// of `metadata_modified:[T TO *]`, and `fl=id`.
async fn package_search(
    State(portal): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut portal = portal.lock().unwrap();
    portal.requests.push(format!("{params:?}"));
    if portal.failing {
        return (StatusCode::INTERNAL_SERVER_ERROR, "solr is down").into_response();
    }
    if portal.flaky > 0 {
        portal.flaky -= 1;
        return (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", "0")], "busy").into_response();
    }
    let mut packages = portal.packages.clone();
    packages.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    if let Some(fq) = params.get("fq") {
        let since = fq
            .strip_prefix("metadata_modified:[")
            .and_then(|r| r.split(" TO").next())
            .expect("fq is a metadata_modified range");
        packages.retain(|p| p["metadata_modified"].as_str().unwrap_or_default() >= since);
    }
    let count = packages.len();
    let start: usize = params.get("start").and_then(|s| s.parse().ok()).unwrap_or(0);
    let rows: usize = params.get("rows").and_then(|s| s.parse().ok()).unwrap_or(10);
    let page: Vec<Value> = packages
        .into_iter()
        .skip(start)
        .take(rows)
        .map(|p| {
            if params.get("fl").map(String::as_str) == Some("id") {
                json!({"id": p["id"]})
            } else {
                p
            }
        })
        .collect();
    axum::Json(json!({"success": true, "result": {"count": count, "results": page}})).into_response()
}

/// Serves `portal`'s Action API on a local port; returns its base URL.
async fn serve_portal(portal: Shared) -> String {
    serve(
        axum::Router::new()
            .route("/api/3/action/package_search", get(package_search))
            .with_state(portal),
    )
    .await
}

fn recorded_packages() -> Option<Vec<Value>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/ckan-api-responses/data-birmingham-gov-uk/package_search.json"
    );
    let json: Value = serde_json::from_slice(&std::fs::read(path).ok()?).unwrap();
    Some(json["result"]["results"].as_array().unwrap().clone())
}

fn settings() -> HarvestSettings {
    HarvestSettings {
        delay_ms: 0,
        retries: 0,
        timeout_secs: 10,
        ckan_rows: 3,
        ..HarvestSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ckan_portal_is_harvested_then_updated_incrementally() {
    let Some(packages) = recorded_packages() else {
        eprintln!("../shared/data is absent; skipped");
        return;
    };
    assert_eq!(packages.len(), 10);
    let portal: Shared = Arc::new(Mutex::new(Portal {
        packages: packages.clone(),
        ..Portal::default()
    }));
    let url = serve_portal(portal.clone()).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let source = SourceConfig {
        title: Some("Birmingham Data Factory".to_owned()),
        region: Some("Birmingham".to_owned()),
        ..url_source("birmingham", SourceKind::Ckan, &url)
    };
    let quiet: Progress = Arc::new(|_: &str| {});

    // First run: everything, over four pages of three.
    let first = harvest(graph.clone(), source.clone(), settings(), quiet.clone())
        .await
        .unwrap();
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.message);
    assert_eq!(first.report.records_read, 10);
    assert_eq!(
        (first.changes.added, first.changes.changed, first.changes.deleted),
        (10, 0, 0)
    );
    let g = "<http://localhost:7878/id/graph/source/birmingham>";
    let datasets = format!(
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH {g} {{ ?d a <http://www.w3.org/ns/dcat#Dataset> }} }}"
    );
    assert_eq!(count(&graph, &datasets), 10);
    let resources: usize = packages
        .iter()
        .map(|p| p["resources"].as_array().unwrap().len())
        .sum();
    let distributions = format!(
        "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH {g} {{ ?r a <http://www.w3.org/ns/dcat#Distribution> }} }}"
    );
    assert_eq!(count(&graph, &distributions), resources as u64);
    assert_eq!(
        portal.lock().unwrap().requests.len(),
        4,
        "ten packages in pages of three"
    );

    // Between runs: one dataset changes, one is deleted from the portal.
    let changed_id = packages[2]["id"].as_str().unwrap().to_owned();
    let deleted = packages[5].clone();
    let deleted_id = deleted["id"].as_str().unwrap().to_owned();
    let deleted_resources = deleted["resources"].as_array().unwrap().len();
    {
        let mut portal = portal.lock().unwrap();
        let modified = oxsdatatypes::DateTime::now().to_string();
        let package = portal
            .packages
            .iter_mut()
            .find(|p| p["id"] == changed_id.as_str())
            .unwrap();
        package["title"] = json!("Purchase card transactions (revised)");
        package["metadata_modified"] = json!(modified);
        portal.packages.retain(|p| p["id"] != deleted_id.as_str());
        portal.requests.clear();
    }
    let second = harvest(graph.clone(), source.clone(), settings(), quiet.clone())
        .await
        .unwrap();
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.message);
    assert_eq!(
        second.report.records_read, 1,
        "only the changed package is fetched"
    );
    assert_eq!(
        (
            second.changes.added,
            second.changes.changed,
            second.changes.unchanged,
            second.changes.deleted
        ),
        (0, 1, 8, 1)
    );
    assert_eq!(count(&graph, &datasets), 9);
    assert_eq!(
        count(&graph, &distributions),
        (resources - deleted_resources) as u64
    );
    let revised = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?d <http://purl.org/dc/terms/title> \"Purchase card transactions (revised)\" }} }}"
    );
    assert_eq!(count(&graph, &revised), 1);
    let gone = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o FILTER(CONTAINS(STR(?s), \"{deleted_id}\") || CONTAINS(STR(?o), \"{deleted_id}\")) }} }}"
    );
    assert_eq!(count(&graph, &gone), 0, "nothing of the deleted dataset is left");
    let search = graph.search("revised purchase card", 5).unwrap();
    assert!(
        search.iter().any(|h| h.title.contains("revised")),
        "the index follows the harvest"
    );

    // A failing portal: the run is recorded as failed and the stored version stays.
    portal.lock().unwrap().failing = true;
    let third = harvest(graph.clone(), source.clone(), settings(), quiet)
        .await
        .unwrap();
    assert_eq!(third.status, RunStatus::Failed);
    assert!(
        third.message.as_deref().unwrap().contains("500"),
        "{:?}",
        third.message
    );
    assert_eq!(count(&graph, &datasets), 9);

    // The runs, as data.
    let runs = list_runs(&graph, Some("birmingham")).unwrap();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0].status, "failed");
    assert_eq!(runs[1].status, "succeeded");
    assert_eq!(
        (
            runs[1].counts.changed,
            runs[1].counts.deleted,
            runs[1].counts.unchanged
        ),
        (1, 1, 8)
    );
    assert_eq!(runs[2].counts.added, 10);
    let running = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://localhost:7878/id/graph/harvest> { ?r <https://w3id.org/civicgraph/ns#status> \"running\" } }";
    assert_eq!(count(&graph, running), 0);
    // The scheduler: a source harvested a moment ago is due in about its interval, one never
    // harvested is due now.
    let mut scheduled = source.clone();
    scheduled.schedule = Some("1h".to_owned());
    let due = civicgraph_ingest::schedule::due_in(&graph, &scheduled)
        .unwrap()
        .unwrap();
    assert!(
        due > std::time::Duration::from_secs(50 * 60) && due <= std::time::Duration::from_secs(3600),
        "{due:?}"
    );
    scheduled.id = "never-harvested".to_owned();
    assert_eq!(
        civicgraph_ingest::schedule::due_in(&graph, &scheduled).unwrap(),
        Some(std::time::Duration::ZERO)
    );
    scheduled.schedule = None;
    assert_eq!(
        civicgraph_ingest::schedule::due_in(&graph, &scheduled).unwrap(),
        None
    );
    let regions = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> ; <http://purl.org/dc/terms/spatial>/<http://www.w3.org/2004/02/skos/core#prefLabel> \"Birmingham\" }";
    assert_eq!(count(&graph, regions), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_answers_are_retried_with_backoff() {
    let Some(packages) = recorded_packages() else {
        return;
    };
    let portal: Shared = Arc::new(Mutex::new(Portal {
        packages,
        flaky: 2,
        ..Portal::default()
    }));
    let url = serve_portal(portal.clone()).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let source = url_source("flaky", SourceKind::Ckan, &url);
    let quiet: Progress = Arc::new(|_: &str| {});
    let patient = HarvestSettings {
        retries: 2,
        ..settings()
    };
    let outcome = harvest(graph.clone(), source.clone(), patient, quiet.clone())
        .await
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Succeeded, "{:?}", outcome.message);
    assert_eq!(outcome.report.records_read, 10);
    // With no retries left the same portal fails the run, and says why.
    portal.lock().unwrap().flaky = 1;
    let outcome = harvest(graph.clone(), source.clone(), settings(), quiet.clone())
        .await
        .unwrap();
    assert_eq!(outcome.status, RunStatus::Failed);
    assert!(outcome.message.unwrap().contains("503"));
    // A response over the size limit fails the run instead of filling memory.
    let small = HarvestSettings {
        max_response_bytes: 4 * 1024,
        ..settings()
    };
    let fresh = SourceConfig {
        id: "never-harvested".to_owned(),
        ..source
    };
    let outcome = harvest(graph, fresh, small, quiet).await.unwrap();
    assert_eq!(outcome.status, RunStatus::Failed);
    assert!(
        outcome
            .message
            .unwrap()
            .contains("larger than the limit of 4096 bytes")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_ckan_export_is_a_source_and_its_bad_lines_are_rejected_one_by_one() {
    let Some(packages) = recorded_packages() else {
        eprintln!("../shared/data is absent; skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A ckanapi dump (`ckanapi dump datasets`): a package per line, with one line cut short
    // and one that holds an organization, as a hand-edited or truncated dump would.
    let dump = dir.path().join("birmingham.jsonl");
    let mut lines: Vec<String> = packages.iter().map(Value::to_string).collect();
    lines.insert(3, r#"{"name": "half-a-package", "notes": "cut"#.to_owned());
    lines.insert(
        7,
        r#"{"name": "birmingham-city-council", "is_organization": true, "title": "BCC"}"#.to_owned(),
    );
    std::fs::write(&dump, lines.join("\n") + "\n").unwrap();
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let source = SourceConfig {
        base: Some("https://data.birmingham.gov.uk/".to_owned()),
        ..civicgraph_tests::sources::file_source("birmingham", SourceKind::Ckan, &dump)
    };
    let first = civicgraph_tests::sources::harvest_ok(&graph, source.clone(), settings()).await;
    assert_eq!(first.report.records_read, 10);
    assert_eq!(first.changes.added, 10);
    let rejected: Vec<(&str, &str)> = first
        .report
        .rejections
        .iter()
        .map(|r| (r.position.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(
        rejected[0].0.ends_with("birmingham.jsonl: line 4"),
        "{rejected:?}"
    );
    assert!(rejected[0].1.starts_with("not JSON at column"), "{rejected:?}");
    assert!(
        rejected[1].0.ends_with("line 8") && rejected[1].1.contains("not a CKAN package"),
        "{rejected:?}"
    );
    assert!(first.report.warnings.is_empty(), "{:?}", first.report.warnings);
    // The datasets are named as a harvest of the portal's API names them.
    let g = "<http://localhost:7878/id/graph/source/birmingham>";
    let named = format!(
        "ASK {{ GRAPH {g} {{ <https://data.birmingham.gov.uk/dataset/cf552d08-cee9-43bf-8c0f-3196a9311799> a <http://www.w3.org/ns/dcat#Dataset> }} }}"
    );
    assert!(civicgraph_tests::sparql::ask(&graph, &named));

    // The next export lacks a package: the next run deletes it, and changes nothing else.
    let mut fewer = packages.clone();
    fewer.remove(0);
    let lines: Vec<String> = fewer.iter().map(Value::to_string).collect();
    std::fs::write(&dump, lines.join("\n")).unwrap();
    let second = civicgraph_tests::sources::harvest_ok(&graph, source, settings()).await;
    assert_eq!(
        (
            second.changes.added,
            second.changes.changed,
            second.changes.deleted,
            second.changes.unchanged
        ),
        (0, 0, 1, 9)
    );

    // A saved package_search response is read too.
    let saved = dir.path().join("package_search.json");
    let response = json!({"success": true, "result": {"count": 10, "results": packages}});
    std::fs::write(&saved, response.to_string()).unwrap();
    let saved_source = SourceConfig {
        base: Some("https://data.birmingham.gov.uk".to_owned()),
        ..civicgraph_tests::sources::file_source("saved", SourceKind::Ckan, &saved)
    };
    let other = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let outcome = civicgraph_tests::sources::harvest_ok(&other, saved_source.clone(), settings()).await;
    assert_eq!(outcome.report.records_read, 10);
    assert!(
        outcome.report.rejections.is_empty(),
        "{:?}",
        outcome.report.rejections
    );

    // What is not a CKAN export fails the run with a message that says what was expected.
    std::fs::write(&saved, r#"{"help": "x", "success": true, "result": "ckan 2.10"}"#).unwrap();
    let failed = harvest(
        other.clone(),
        saved_source,
        settings(),
        civicgraph_tests::sources::quiet(),
    )
    .await
    .unwrap();
    assert_eq!(failed.status, RunStatus::Failed);
    let message = failed.message.unwrap_or_default();
    assert!(
        message.contains("package_search.json") && message.contains("not a CKAN export"),
        "{message}"
    );
    // and the version stored before stays whole.
    let datasets = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH <http://localhost:7878/id/graph/source/saved> { ?d a <http://www.w3.org/ns/dcat#Dataset> } }";
    assert_eq!(count(&other, datasets), 10);
}
