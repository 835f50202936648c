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
    // Streamed as it is serialized: neither says a length it cannot know beforehand.
    assert!(!response.headers().contains_key(header::CONTENT_LENGTH));
    assert!(!head_response.headers().contains_key(header::CONTENT_LENGTH));

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
    // GET with no graph is the whole-store dump (`online_backup.rs`); a PUT must name one.
    let (response, _) = send(&state, request(Method::PUT, "", Some("text/turtle"), TTL)).await;
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

/// Graph Store Protocol 5.5, as the W3C manifest's "POST - create new graph" test: a POST
/// to the store itself creates a graph and answers 201 with its IRI in `Location`, where a
/// GET then finds the triples.
#[tokio::test]
async fn a_post_to_the_store_itself_creates_a_graph_named_in_location() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let mut created = Vec::new();
    for _ in 0..2 {
        let (response, body) = send(&state, request(Method::POST, "", Some("text/turtle"), TTL)).await;
        assert_eq!(response.status(), StatusCode::CREATED, "{body}");
        let location = response.headers()[header::LOCATION].to_str().unwrap().to_owned();
        let get = Request::get(format!("/store?graph={}", urlencoding::encode(&location)))
            .body(Body::empty())
            .unwrap();
        let (response, body) = send(&state, get).await;
        assert_eq!(response.status(), StatusCode::OK, "{location}");
        assert!(body.contains("Beehive registrations"), "{body}");
        created.push(location);
    }
    assert_ne!(created[0], created[1], "each POST creates its own graph");
}

/// JSON-LD is accepted wherever RDF is, as the error message promised; a JSON-LD body
/// that names another graph is refused, and nothing of it is written.
#[tokio::test]
async fn json_ld_bodies_are_graphs_and_their_named_graphs_are_refused() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let graph = format!("graph={G}");
    let json = r#"{"@id": "http://ex/j", "http://purl.org/dc/terms/title": "Hive inspections"}"#;
    let (response, body) = send(
        &state,
        request(Method::PUT, &graph, Some("application/ld+json"), json),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    let get = Request::get(format!("/store?{graph}"))
        .body(Body::empty())
        .unwrap();
    let (_, body) = send(&state, get).await;
    assert!(body.contains("Hive inspections"), "{body}");

    let named = r#"{"@id": "http://ex/other", "@graph": [{"@id": "http://ex/k", "http://purl.org/dc/terms/title": "Smuggled"}]}"#;
    let (response, body) = send(
        &state,
        request(Method::POST, &graph, Some("application/ld+json"), named),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("http://ex/other"),
        "the refusal names the graph: {body}"
    );
    let get = Request::get(format!("/store?{graph}"))
        .body(Body::empty())
        .unwrap();
    let (_, body) = send(&state, get).await;
    assert!(
        !body.contains("Smuggled") && body.contains("Hive inspections"),
        "{body}"
    );
}

/// The store's bookkeeping is no part of the dataset a client sees: the named graphs are
/// the ones written, and after `DROP ALL` the dataset is empty (as an empty Graph Store
/// Protocol GET of the whole store and a SPARQL count both show).
#[tokio::test]
async fn after_drop_all_the_dataset_is_empty_and_lists_no_graph_nobody_wrote() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let count = |sparql: &str| {
        let state = state.clone();
        let sparql = sparql.to_owned();
        async move {
            let (_, body) = send(
                &state,
                Request::get(format!("/sparql?query={}", urlencoding::encode(&sparql)))
                    .header(header::ACCEPT, "text/csv")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            body.lines()
                .nth(1)
                .unwrap_or_default()
                .trim()
                .parse::<u64>()
                .unwrap()
        }
    };
    let graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { } }";
    let written = count(graphs).await;
    let demo_sources = 5;
    let vocabulary = 1;
    let harvest_record = 1;
    assert_eq!(written, demo_sources + vocabulary + harvest_record);

    let (response, body) = send(
        &state,
        Request::post("/update")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .header(header::CONTENT_TYPE, "application/sparql-update")
            .body(Body::from("DROP ALL"))
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{body}");
    assert_eq!(count(graphs).await, 0);
    assert_eq!(
        count("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }").await,
        0
    );
    let (response, dump) = send(&state, request(Method::GET, "", None, "")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(dump.is_empty(), "the whole-store dump is empty: {dump}");
}
