//! `SERVICE` federation: allow-listed endpoints are queried, every other target is refused
//! before any connection is made, and `SERVICE SILENT` keeps its standard meaning.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::app;
use civicgraph_sparql_api::config::Config;
use civicgraph_sparql_api::federation::FederationConfig;
use civicgraph_tests::net::{Untouched, serve};
use civicgraph_tests::{demo_state, demo_state_with, send};

fn query(sparql: &str) -> Request<Body> {
    Request::get(format!("/sparql?query={}", urlencoding::encode(sparql)))
        .header(header::ACCEPT, "application/sparql-results+json")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_off_the_allow_list_is_refused_without_a_connection() {
    // A listener where the query points: it must never see a connection.
    let untouched = Untouched::new();
    let target = format!("http://{}/sparql", untouched.address);
    let state = demo_state();
    for endpoint in [
        target.as_str(),
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:7878/sparql",
    ] {
        let (response, body) = send(
            &state,
            query(&format!("SELECT * {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("allow-list") && body.contains(endpoint), "{body}");
    }
    // SILENT: the failure becomes one empty solution.
    let (response, body) = send(
        &state,
        query(&format!(
            "SELECT * {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}"
        )),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["results"]["bindings"].as_array().unwrap().len(), 1);
    untouched.assert_untouched("the refused endpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_peer_is_queried_and_joined() {
    // The peer: another civicgraph, on a real socket.
    let endpoint = format!("{}/sparql", serve(app(demo_state())).await);
    let config = Config {
        federation: FederationConfig {
            allow: vec![endpoint.clone()],
            ..FederationConfig::default()
        },
        ..Config::default()
    };
    let state = demo_state_with(config);
    let sparql = format!(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
         SELECT ?title WHERE {{ ?c a dcat:Catalog . SERVICE <{endpoint}> {{ ?c dct:title ?title }} }} ORDER BY ?title"
    );
    let (response, body) = send(&state, query(&sparql)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let titles: Vec<&str> = json["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Northmoor")), "{titles:?}");
    // A peer that is listed but down: 502 with the reason, or nothing under SILENT.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = format!("http://{closed}/sparql");
    let config = Config {
        federation: FederationConfig {
            allow: vec![down.clone()],
            timeout_secs: 2,
            ..FederationConfig::default()
        },
        ..Config::default()
    };
    let state = demo_state_with(config);
    let (response, body) = send(
        &state,
        query(&format!("SELECT * {{ SERVICE <{down}> {{ ?s ?p ?o }} }}")),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{body}");
    assert!(body.contains(&down), "{body}");
}

/// A regional civicgraph serving one demo catalogue, on a real socket; its base URL.
async fn regional(region: &str) -> (String, usize) {
    let text = std::fs::read_to_string(civicgraph_tests::demo::repo(&format!(
        "datasets/demo/{region}.ttl"
    )))
    .unwrap();
    let graph = civicgraph_tests::demo::graph_with_turtle(region, &text);
    let datasets = civicgraph_tests::sparql::count(
        &graph,
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
    ) as usize;
    let state = civicgraph_sparql_api::AppState::new(graph, Config::default());
    (serve(app(state)).await, datasets)
}

fn titles(body: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    json["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"]["value"].as_str().unwrap().to_owned())
        .collect()
}

/// Two regional instances and a hub: the hub harvests their catalogues, which describe
/// their SPARQL endpoints as data services, and with `from_catalogues` queries both live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_federates_the_endpoints_its_harvested_catalogues_describe() {
    use civicgraph_ingest::SourceKind;
    let (north, north_datasets) = regional("northmoor").await;
    let (south, south_datasets) = regional("southvale").await;
    let hub =
        std::sync::Arc::new(civicgraph_graph::Graph::in_memory(civicgraph_graph::Layout::default()).unwrap());
    let settings = civicgraph_tests::sources::quick_settings();
    for (id, url) in [("north", &north), ("south", &south)] {
        let source = civicgraph_tests::sources::url_source(id, SourceKind::Dcat, &format!("{url}/catalog"));
        civicgraph_tests::sources::harvest_ok(&hub, source, settings.clone()).await;
    }
    let hub = std::sync::Arc::into_inner(hub).expect("the harvests are done");
    let policy = |hosts: &[&str], on: bool| Config {
        federation: FederationConfig {
            from_catalogues: on,
            catalogue_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            ..FederationConfig::default()
        },
        ..Config::default()
    };
    let state = civicgraph_sparql_api::AppState::new(hub, policy(&["127.0.0.1"], true));
    let sparql = format!(
        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
         SELECT ?title WHERE {{
           {{ SERVICE <{north}/sparql> {{ ?d a dcat:Dataset ; dct:title ?title }} }}
           UNION {{ SERVICE <{south}/sparql> {{ ?d a dcat:Dataset ; dct:title ?title }} }} }}"
    );
    let (response, body) = send(&state, query(&sparql)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let found = titles(&body);
    assert!(
        found.len() >= north_datasets + south_datasets,
        "{} titles for {north_datasets} + {south_datasets} datasets",
        found.len()
    );
    assert!(found.iter().any(|t| t.contains("Northmoor")) && found.iter().any(|t| t.contains("Southvale")));

    // The endpoints are found in the hub's own graph: the data services it harvested.
    let (response, body) = send(
        &state,
        query(
            "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?title WHERE { ?s a dcat:DataService ; dcat:endpointURL ?title }",
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let mut described = titles(&body);
    described.sort();
    let mut expected = [format!("{north}/sparql"), format!("{south}/sparql")];
    expected.sort();
    assert_eq!(described, expected);

    // Not described by any catalogue, on an allowed host: refused without a connection.
    let untouched = Untouched::new();
    let (response, body) = send(
        &state,
        query(&format!(
            "SELECT * {{ SERVICE <http://{}/sparql> {{ ?s ?p ?o }} }}",
            untouched.address
        )),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("from_catalogues"), "{body}");
    untouched.assert_untouched("an endpoint no catalogue describes");

    // The same hub without the policy, or with hosts that do not match: refused.
    let one = format!("SELECT * {{ SERVICE <{north}/sparql> {{ ?s ?p ?o }} }} LIMIT 1");
    for config in [
        policy(&["127.0.0.1"], false),
        policy(&["*"], true),
        policy(&["*.example.org"], true),
    ] {
        let graph = state.graph.clone();
        // A state over the same harvested graph with another policy.
        let other = civicgraph_sparql_api::AppState::from_shared(graph, config.clone());
        let (response, body) = send(&other, query(&one)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{config:?}: {body}");
    }
}
