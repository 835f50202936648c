//! Per-client quotas (`[limits] client_requests_per_second`, `client_burst`): a client past
//! its bucket gets 429 with `Retry-After` at once, and other clients are served as before.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::config::{Config, LimitsConfig};
use civicgraph_tests::{demo_state, demo_state_with, send};
use std::net::SocketAddr;

fn from(address: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get("/api/patterns").body(Body::empty()).unwrap();
    let peer: SocketAddr = address.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    if let Some(token) = token {
        request
            .headers_mut()
            .insert(header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    }
    request
}

#[tokio::test]
async fn a_client_past_its_bucket_is_told_to_wait_and_others_are_served() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            client_requests_per_second: 1,
            client_burst: 3,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    for i in 0..3 {
        let (response, body) = send(&state, from("192.0.2.1:5000", None)).await;
        assert_eq!(response.status(), StatusCode::OK, "request {i}: {body}");
    }
    let (response, body) = send(&state, from("192.0.2.1:5001", None)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{body}");
    let wait: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(body.contains("retry"), "{body}");
    // A made-up token is no new client: it would give every request a fresh bucket.
    for token in ["made-up-1", "made-up-2"] {
        let (response, _) = send(&state, from("192.0.2.1:5002", Some(token))).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{token}");
    }
    // Another address, and the holder of the write token, have buckets of their own.
    let (response, _) = send(&state, from("192.0.2.2:5000", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let writer = state.clone().with_write_token(Some("the-token"));
    let (response, _) = send(&writer, from("192.0.2.1:5002", Some("the-token"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    // /healthz is never limited.
    let mut health = Request::get("/healthz").body(Body::empty()).unwrap();
    health
        .extensions_mut()
        .insert(ConnectInfo("192.0.2.1:5003".parse::<SocketAddr>().unwrap()));
    let (response, _) = send(&state, health).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_quota_nobody_is_limited() {
    let state = demo_state();
    for _ in 0..50 {
        let (response, _) = send(&state, from("192.0.2.9:5000", None)).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn an_ipv6_client_has_one_bucket_for_its_whole_slash_64() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            client_requests_per_second: 1,
            client_burst: 2,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    // One host may send from any address of its /64: each a new address, one client.
    for (i, status) in [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]
        .into_iter()
        .enumerate()
    {
        let address = format!("[2001:db8:1:2::{:x}]:5000", 0x100 + i);
        let (response, _) = send(&state, from(&address, None)).await;
        assert_eq!(response.status(), status, "{address}");
    }
    let (response, _) = send(&state, from("[2001:db8:1:3::1]:5000", None)).await;
    assert_eq!(response.status(), StatusCode::OK, "another /64 is another client");
}
