//! Online backup: `GET /store` with no graph streams the whole dataset from one snapshot,
//! protected by the write token when one is configured, while the server keeps writing.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_graph::WriteBatch;
use civicgraph_sparql_api::app;
use civicgraph_tests::{demo_state, send, tagged_demo_state};
use http_body_util::BodyExt;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::{Dataset, GraphName, NamedNode, Triple};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower::ServiceExt;

fn dump_request(accept: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::get("/store").header(header::ACCEPT, accept);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::empty()).unwrap()
}

fn parse(format: RdfFormat, body: &[u8]) -> Dataset {
    RdfParser::from_format(format)
        .for_slice(body)
        .map(|quad| quad.expect("the dump parses"))
        .collect()
}

fn canonical(mut dataset: Dataset) -> Dataset {
    dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
    dataset
}

#[tokio::test]
async fn on_a_quiescent_store_the_online_dump_equals_the_offline_one() {
    let state = tagged_demo_state().with_write_token(Some("s3cret"));
    let mut offline = Vec::new();
    let quads = state.graph.dump(RdfFormat::NQuads, &mut offline).unwrap();
    assert!(quads > 5_000, "the tagged demo holds {quads} quads");

    let (response, body) = send(&state, dump_request("application/n-quads", Some("s3cret"))).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/n-quads; charset=utf-8"
    );
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("civicgraph.nq")
    );
    assert_eq!(body.as_bytes(), offline.as_slice(), "byte for byte");

    let (response, trig) = send(&state, dump_request("application/trig", Some("s3cret"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        canonical(parse(RdfFormat::TriG, trig.as_bytes())),
        canonical(parse(RdfFormat::NQuads, &offline)),
        "TriG holds the same dataset"
    );

    // What the dump holds restores into a new store as the same dataset.
    let restored = civicgraph_graph::Graph::in_memory(civicgraph_graph::Layout::default()).unwrap();
    restored
        .restore(RdfFormat::TriG, trig.as_bytes(), "dump.trig", false)
        .unwrap();
    let mut again = Vec::new();
    restored.dump(RdfFormat::NQuads, &mut again).unwrap();
    assert_eq!(
        canonical(parse(RdfFormat::NQuads, &again)),
        canonical(parse(RdfFormat::NQuads, &offline))
    );
}

#[tokio::test]
async fn the_dump_needs_the_token_when_one_is_configured() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let (response, _) = send(&state, dump_request("application/n-quads", None)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let (response, _) = send(&state, dump_request("application/n-quads", Some("wrong"))).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (response, body) = send(&state, dump_request("text/turtle", Some("s3cret"))).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_ACCEPTABLE,
        "a dump keeps graph names: {body}"
    );

    // With no token, the data is as public as through /sparql.
    let open = demo_state();
    let (response, body) = send(&open, dump_request("*/*", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/n-quads; charset=utf-8"
    );
    assert!(body.lines().count() > 1_000);
}

/// Each write replaces one graph with `PER_GRAPH` quads; a dump must hold every graph
/// whole or not at all, however the writes interleave with it.
const PER_GRAPH: usize = 300;

fn batch(round: usize) -> WriteBatch {
    let graph = NamedNode::new(format!("http://ex/backup/{}", round % 7)).unwrap();
    WriteBatch::replace_graph(
        &graph,
        (0..PER_GRAPH).map(|i| {
            Triple::new(
                NamedNode::new(format!("http://ex/backup/s{i}")).unwrap(),
                NamedNode::new("http://ex/backup/round").unwrap(),
                oxigraph::model::Literal::from(round as u64),
            )
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dumps_taken_during_writes_hold_each_write_whole_or_not_at_all() {
    let state = demo_state().with_write_token(Some("s3cret"));
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (graph, writing) = (state.graph.clone(), writing.clone());
        std::thread::spawn(move || {
            let mut round = 0;
            while writing.load(Ordering::Relaxed) {
                graph.commit(batch(round)).unwrap();
                round += 1;
            }
            round
        })
    };
    let mut seen_rounds = std::collections::BTreeSet::new();
    for _ in 0..12 {
        let response = app(state.clone())
            .oneshot(dump_request("application/n-quads", Some("s3cret")))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let dataset = parse(RdfFormat::NQuads, &body);
        // Per written graph: how many quads of each round it holds.
        let mut per_graph: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for quad in dataset.iter() {
            if let oxigraph::model::GraphNameRef::NamedNode(g) = quad.graph_name
                && g.as_str().starts_with("http://ex/backup/")
            {
                *per_graph
                    .entry(g.as_str().to_owned())
                    .or_default()
                    .entry(quad.object.to_string())
                    .or_default() += 1;
            }
        }
        for (graph, rounds) in per_graph {
            assert_eq!(rounds.len(), 1, "{graph} holds quads of two writes: {rounds:?}");
            let (round, count) = rounds.into_iter().next().unwrap();
            assert_eq!(count, PER_GRAPH, "{graph} holds part of write {round}");
            seen_rounds.insert(round);
        }
        // The demo data is in every dump, untouched by the writes.
        assert!(
            dataset
                .iter()
                .any(|q| q.graph_name != GraphName::DefaultGraph.as_ref())
        );
    }
    writing.store(false, Ordering::Relaxed);
    let rounds = writer.join().unwrap();
    assert!(rounds > 1, "the writer ran during the dumps ({rounds} writes)");
    assert!(
        seen_rounds.len() > 1,
        "dumps saw different writes: {seen_rounds:?} of {rounds}"
    );
}
