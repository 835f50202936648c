//! The CKAN Action API subset (`/api/3/action/…`) over the tagged demo data: what CKAN's
//! harvesters and `ckanapi` ask, through `app(state).oneshot`; and one civicgraph harvesting
//! another through its `ckan` source, over a real socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use civicgraph_tests::{send, tagged_demo_state};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

fn state() -> &'static civicgraph_sparql_api::AppState {
    static STATE: OnceLock<civicgraph_sparql_api::AppState> = OnceLock::new();
    STATE.get_or_init(tagged_demo_state)
}

/// Calls an action with query parameters; answers the status and the envelope.
async fn call(action: &str, query: &str) -> (StatusCode, Value) {
    let request = Request::get(format!("/api/3/action/{action}?{query}"))
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(state(), request).await;
    (
        response.status(),
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}")),
    )
}

async fn ok(action: &str, query: &str) -> Value {
    let (status, envelope) = call(action, query).await;
    assert_eq!(status, StatusCode::OK, "{action}?{query}: {envelope}");
    assert_eq!(envelope["success"], true, "{envelope}");
    envelope["result"].clone()
}

fn datasets_in_demo() -> u64 {
    civicgraph_tests::sparql::count(
        &state().graph,
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
    )
}

#[tokio::test]
async fn package_search_pages_through_every_dataset_in_id_order() {
    let first = ok("package_search", "rows=0").await;
    let total = first["count"].as_u64().unwrap();
    assert_eq!(total, datasets_in_demo());
    assert!(first["results"].as_array().unwrap().is_empty());
    let mut ids = Vec::new();
    for start in (0..total).step_by(40) {
        let page = ok("package_search", &format!("rows=40&start={start}&sort=id+asc")).await;
        assert_eq!(page["count"].as_u64().unwrap(), total);
        ids.extend(
            page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(ids.len() as u64, total);
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "ids come in ascending order, each once");
    // The harvester's existence check asks for ids only.
    let only_ids = ok("package_search", "rows=5&fl=id&sort=id+asc").await;
    let first_five: Vec<&str> = only_ids["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p.as_object().unwrap().len(), 1, "{p}");
            p["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        first_five,
        ids[..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_package_is_shown_by_id_or_name_with_its_resources_and_dcat_extras() {
    let found = ok("package_search", "q=bus+stops&rows=5").await;
    let package = &found["results"][0];
    assert!(
        package["title"].as_str().unwrap().to_lowercase().contains("bus"),
        "{package}"
    );
    for key in ["id", "name"] {
        let shown = ok("package_show", &format!("id={}", package[key].as_str().unwrap())).await;
        assert_eq!(shown["id"], package["id"], "by {key}");
        assert_eq!(shown["title"], package["title"]);
    }
    let name = package["name"].as_str().unwrap();
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "{name}"
    );
    assert!(!package["resources"].as_array().unwrap().is_empty(), "{package}");
    assert!(
        package["resources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://"),
        "{package}"
    );
    assert!(
        !package["resources"][0]["format"].as_str().unwrap().is_empty(),
        "{package}"
    );
    assert_eq!(package["organization"]["is_organization"], true);
    assert!(!package["groups"].as_array().unwrap().is_empty(), "{package}");
    let extras: Vec<(&str, &str)> = package["extras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["key"].as_str().unwrap(), e["value"].as_str().unwrap()))
        .collect();
    assert!(
        extras
            .iter()
            .any(|(k, v)| *k == "uri" && v.starts_with("https://")),
        "{extras:?}"
    );
    assert!(
        package["metadata_modified"].as_str().unwrap().contains('T'),
        "{package}"
    );

    let (status, missing) = call("package_show", "id=no-such-dataset-0000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    assert_eq!(missing["success"], false);
    assert_eq!(missing["error"]["__type"], "Not Found Error");
}

#[tokio::test]
async fn organizations_groups_and_facets_count_what_the_filters_find() {
    let organizations = ok("organization_list", "all_fields=true").await;
    let organizations = organizations.as_array().unwrap();
    assert!(organizations.len() >= 3, "{organizations:?}");
    let names = ok("organization_list", "").await;
    assert_eq!(names.as_array().unwrap().len(), organizations.len());
    for organization in organizations.iter().take(4) {
        let name = organization["name"].as_str().unwrap();
        let found = ok("package_search", &format!("fq=organization:{name}&rows=100")).await;
        assert_eq!(found["count"], organization["package_count"], "{name}");
        assert!(
            found["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["organization"]["name"] == name
                    || p["extras"]
                        .to_string()
                        .contains(organization["title"].as_str().unwrap())),
            "{name}"
        );
    }
    let groups = ok("group_list", "all_fields=true").await;
    let envi = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "envi")
        .unwrap_or_else(|| panic!("{groups}"));
    assert_eq!(envi["display_name"], "Environment");

    let faceted = ok(
        "package_search",
        "rows=0&facet.field=%5B%22groups%22%2C%22organization%22%2C%22res_format%22%5D&facet.limit=100",
    )
    .await;
    let items = |facet: &str| {
        faceted["search_facets"][facet]["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    let group_envi = items("groups").into_iter().find(|i| i["name"] == "envi").unwrap();
    assert_eq!(group_envi["count"], envi["package_count"]);
    let by_group = ok("package_search", "fq=groups:envi&rows=0").await;
    assert_eq!(by_group["count"], group_envi["count"]);
    let csv = items("res_format")
        .into_iter()
        .find(|i| i["name"] == "CSV")
        .unwrap_or_else(|| panic!("{faceted}"));
    let by_format = ok("package_search", "fq=res_format:CSV&rows=0").await;
    assert_eq!(by_format["count"], csv["count"]);
    assert_eq!(faceted["facets"]["groups"]["envi"], group_envi["count"]);
}

#[tokio::test]
async fn wrong_calls_get_ckan_errors_that_name_the_problem() {
    for (action, query, status, kind, names) in [
        (
            "package_create",
            "",
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "package_create",
        ),
        (
            "package_search",
            "fq=colour:blue",
            StatusCode::CONFLICT,
            "Validation Error",
            "colour",
        ),
        (
            "package_search",
            "sort=popularity+desc",
            StatusCode::CONFLICT,
            "Validation Error",
            "sort",
        ),
        (
            "package_search",
            "rows=ten",
            StatusCode::CONFLICT,
            "Validation Error",
            "rows",
        ),
        (
            "package_search",
            "start=99999999999",
            StatusCode::CONFLICT,
            "Validation Error",
            "start",
        ),
        ("package_show", "", StatusCode::CONFLICT, "Validation Error", "id"),
        // As CKAN's Solr errors: ckanapi raises SearchQueryError on this `__type`.
        (
            "package_search",
            "q=colour:blue",
            StatusCode::CONFLICT,
            "Search Query Error",
            "colour",
        ),
        (
            "package_search",
            "q=((((((((((air))))))))))",
            StatusCode::CONFLICT,
            "Validation Error",
            "deeper than 8",
        ),
    ] {
        let (got, envelope) = call(action, query).await;
        assert_eq!(got, status, "{action}?{query}: {envelope}");
        assert_eq!(envelope["success"], false);
        assert_eq!(envelope["error"]["__type"], kind, "{envelope}");
        assert!(
            envelope["error"]["message"].as_str().unwrap().contains(names),
            "{envelope}"
        );
    }
    let status = ok("status_show", "").await;
    assert!(status["ckan_version"].as_str().unwrap().starts_with('2'));
}

/// Another civicgraph harvests this one through its `ckan` source: every dataset arrives,
/// under its own IRI (the `uri` extra), so the hub's copies are the same records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_civicgraph_harvests_another_through_the_ckan_api() {
    use civicgraph_graph::{Graph, Layout};
    use civicgraph_ingest::{HarvestSettings, SourceKind};
    let url = civicgraph_tests::net::serve(civicgraph_sparql_api::app(state().clone())).await;
    let hub = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let settings = HarvestSettings {
        ckan_rows: 50,
        ..civicgraph_tests::sources::quick_settings()
    };
    let source = civicgraph_tests::sources::url_source("regional", SourceKind::Ckan, &url);
    let run = civicgraph_tests::sources::harvest_ok(&hub, source.clone(), settings.clone()).await;
    assert_eq!(run.report.records_read as u64, datasets_in_demo());

    // A re-harvest of the unchanged portal asks only for what changed since the first run,
    // and for the ids, to find deletions: a small part of the first run's bytes.
    let again = civicgraph_tests::sources::harvest_ok(&hub, source, settings).await;
    assert_eq!(again.changes.unchanged as u64, datasets_in_demo());
    assert_eq!(
        again.changes.added + again.changes.changed + again.changes.deleted,
        0
    );
    let (first, second) = (run.report.transfer.bytes, again.report.transfer.bytes);
    assert!(
        second * 20 < first,
        "the re-harvest fetched {second} bytes, the first {first}: not under 5 %"
    );
    let iris = |graph: &Graph| -> BTreeSet<String> {
        civicgraph_tests::sparql::select(
            graph,
            "SELECT DISTINCT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
        )
        .into_iter()
        .map(|row| row[0].clone())
        .collect()
    };
    assert_eq!(iris(&hub), iris(&state().graph));
}
