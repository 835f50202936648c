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
