//! Hostile requests to the endpoint: `LOAD` and `SERVICE` must never reach hosts off the
//! federation allow-list (localhost, link-local and cloud-metadata addresses included), not
//! even through a redirect from an allowed peer.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use axum::routing::any;
use civicgraph_sparql_api::config::Config;
use civicgraph_sparql_api::federation::FederationConfig;
use civicgraph_tests::net::{Untouched, serve};
use civicgraph_tests::{demo_state, demo_state_with, send};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_reaches_no_host() {
    let untouched = Untouched::new();
    let address = &untouched.address;
    let state = demo_state().with_write_token(Some("s3cret"));
    for target in [
        format!("http://{address}/catalog.ttl"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://localhost:7878/sparql".to_owned(),
        "file:///etc/passwd".to_owned(),
    ] {
        let request = Request::post("/update")
            .header(header::CONTENT_TYPE, "application/sparql-update")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(Body::from(format!("LOAD <{target}> INTO GRAPH <http://ex/g>")))
            .unwrap();
        let (response, body) = send(&state, request).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{target}: {body}");
        assert!(body.contains("LOAD"), "{target}: {body}");
        // SILENT makes the refusal a success that loads nothing, and fetches nothing.
        let request = Request::post("/update")
            .header(header::CONTENT_TYPE, "application/sparql-update")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(Body::from(format!(
                "LOAD SILENT <{target}> INTO GRAPH <http://ex/g>"
            )))
            .unwrap();
        let (response, body) = send(&state, request).await;
        assert!(response.status().is_success(), "{target}: {body}");
    }
    untouched.assert_untouched("a refused address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_from_an_allowed_peer_is_not_followed() {
    let untouched = Untouched::new();
    let address = &untouched.address;
    // The allowed peer answers every request with a redirect to the untouched address.
    let location = format!("http://{address}/sparql");
    let redirecting = axum::Router::new().route(
        "/sparql",
        any(move || {
            let location = location.clone();
            async move {
                Response::builder()
                    .status(StatusCode::FOUND)
                    .header(header::LOCATION, location)
                    .body(Body::empty())
                    .unwrap()
            }
        }),
    );
    let endpoint = format!("{}/sparql", serve(redirecting).await);
    let config = Config {
        federation: FederationConfig {
            allow: vec![endpoint.clone()],
            timeout_secs: 5,
            ..FederationConfig::default()
        },
        ..Config::default()
    };
    let state = demo_state_with(config);
    let sparql = format!("SELECT * {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}");
    let request = Request::get(format!("/sparql?query={}", urlencoding::encode(&sparql)))
        .header(header::ACCEPT, "application/sparql-results+json")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{body}");
    assert!(body.contains(&endpoint), "{body}");
    untouched.assert_untouched("a refused address");
}
