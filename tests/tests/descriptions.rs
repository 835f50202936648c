//! What the server says about itself: VoID and the dereferenceable vocabulary.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_tests::{demo_state, send};

fn get(path: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path).header(header::HOST, "example.org");
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn void_counts_each_source_graph() {
    let state = demo_state();
    let (response, body) = send(&state, get("/.well-known/void", Some("application/n-triples"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let source = "<http://localhost:7878/id/graph/source/demo-northmoor>";
    let triples = state
        .graph
        .stats()
        .unwrap()
        .graphs
        .into_iter()
        .find(|(g, _)| g.ends_with("demo-northmoor"))
        .unwrap()
        .1;
    assert!(
        body.contains(&format!("{source} <http://rdfs.org/ns/void#triples> \"{triples}\"^^<http://www.w3.org/2001/XMLSchema#integer>")),
        "{body}"
    );
    assert!(body.contains(&format!(
        "{source} <http://rdfs.org/ns/void#sparqlEndpoint> <http://example.org/sparql>"
    )));
    assert!(!body.contains("graph/system"), "bookkeeping is not described");
}

#[tokio::test]
async fn the_vocabulary_dereferences_in_turtle_html_and_json_ld() {
    let state = demo_state();
    let (response, body) = send(&state, get("/pattern/planning", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/turtle")
    );
    assert!(body.contains("Planning and efficient delivery"), "{body}");
    assert!(!body.contains("Access to services"), "only the concept asked for");

    let (response, body) = send(
        &state,
        get(
            "/pattern/",
            Some("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
        ),
    )
    .await;
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        body.contains("Access to services") && body.contains("Informing policy"),
        "{body}"
    );
    assert!(
        body.contains("href=\"/beneficiary/citizens\""),
        "links stay on this server: {body}"
    );

    let (response, body) = send(&state, get("/ns", Some("application/ld+json"))).await;
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/ld+json")
    );
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json.to_string().contains("usePattern"), "{body}");

    // The founding documents' concepts, and the documents they cite.
    let (response, body) = send(&state, get("/benefit/tailored-services", Some("text/html"))).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(body.contains("Tailored services through participation"), "{body}");
    assert!(
        body.contains("href=\"/source/jalonen-helo-2020\""),
        "the concept links to its document on this server: {body}"
    );
    let (response, body) = send(&state, get("/source/jalonen-helo-2020", None)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(body.contains("10.4018/IJIDE.2020070105"), "{body}");
    for path in ["/action/", "/jrc/factors", "/model/backstage-model"] {
        let (response, body) = send(&state, get(path, None)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}: {body}");
    }

    let (response, _) = send(&state, get("/pattern/nothing", None)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (response, _) = send(&state, get("/secrets/", None)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
