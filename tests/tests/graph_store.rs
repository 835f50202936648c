//! `/store`, the SPARQL 1.1 Graph Store HTTP Protocol, over the demo data.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use civicgraph_tests::{demo_state, send};

const G: &str = "http%3A%2F%2Fex%2Fgsp";
const TTL: &str = "<http://ex/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Beehive registrations\" .";

fn request(method: Method, query: &str, content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(format!("/store?{query}"))
        .header(header::AUTHORIZATION, "Bearer s3cret");
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn put_get_post_delete_a_named_graph_with_the_statuses_of_the_spec() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let graph = format!("graph={G}");
    let (response, _) = send(&state, request(Method::GET, &graph, None, "")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let (response, _) = send(&state, request(Method::PUT, &graph, Some("text/turtle"), TTL)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(state.graph.search("beehive", 5).unwrap()[0].iri, "http://ex/d");
    let (response, _) = send(&state, request(Method::PUT, &graph, Some("text/turtle"), TTL)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let more = "<http://ex/e> <http://purl.org/dc/terms/title> \"Second\" .";
    let (response, _) = send(
        &state,
        request(Method::POST, &graph, Some("application/n-triples"), more),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // GET with no Accept is Turtle, and HEAD carries the same headers without a body.
    let get = Request::get(format!("/store?{graph}"))
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, get).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/turtle; charset=utf-8"
    );
    assert!(
        body.contains("Beehive registrations") && body.contains("Second"),
        "{body}"
    );
    let head = Request::head(format!("/store?{graph}"))
        .body(Body::empty())
        .unwrap();
    let (head_response, head_body) = send(&state, head).await;
    assert_eq!(head_response.status(), StatusCode::OK);
    assert!(head_body.is_empty());
    assert_eq!(
        head_response.headers()[header::CONTENT_TYPE],
        response.headers()[header::CONTENT_TYPE]
    );
    assert_eq!(
        head_response.headers()[header::CONTENT_LENGTH],
        response.headers()[header::CONTENT_LENGTH]
    );

    let (response, _) = send(&state, request(Method::DELETE, &graph, None, "")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(state.graph.search("beehive", 5).unwrap().is_empty());
    let (response, _) = send(&state, request(Method::DELETE, &graph, None, "")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_default_graph_is_the_stores_own() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let (response, body) = send(&state, request(Method::GET, "default", Some("text/turtle"), "")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        !body.contains("Northmoor"),
        "the store's default graph is empty, not the union"
    );
    let (response, _) = send(&state, request(Method::PUT, "default", Some("text/turtle"), TTL)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, body) = send(&state, request(Method::GET, "default", None, "")).await;
    assert!(body.contains("Beehive"), "{body}");
}

#[tokio::test]
async fn bad_requests_get_400_415_406_401_and_403() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let (response, _) = send(&state, request(Method::GET, "graph=relative%2Firi", None, "")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (response, _) = send(&state, request(Method::GET, "", None, "")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (response, _) = send(
        &state,
        request(Method::PUT, &format!("graph={G}"), Some("text/html"), TTL),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (response, body) = send(
        &state,
        request(Method::PUT, &format!("graph={G}"), Some("text/turtle"), "<a> <b>"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    let get = Request::get("/store?default")
        .header(header::ACCEPT, "image/png")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, get).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);
    let anonymous = Request::put(format!("/store?graph={G}"))
        .header(header::CONTENT_TYPE, "text/turtle")
        .body(Body::from(TTL))
        .unwrap();
    let (response, _) = send(&state, anonymous).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let wrong = Request::delete("/store?default")
        .header(header::AUTHORIZATION, "Bearer nope")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, wrong).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
