//! Each class of hostile anonymous request that once aborted, pinned or poisoned the server
//! (issue 16), sent through the real router over the demo graph. Every one gets an answer,
//! and the server answers `/healthz` and an ordinary query right after.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_sparql_api::app;
use civicgraph_sparql_api::config::{Config, LimitsConfig, QueryConfig};
use civicgraph_sparql_api::connections::ConnectionLimits;
use civicgraph_tests::{demo_state, demo_state_with, send};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn sparql(query: &str) -> Request<Body> {
    Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-query")
        .body(Body::from(query.to_owned()))
        .unwrap()
}

/// The server still answers a health check and an ordinary query.
async fn assert_alive(state: &civicgraph_sparql_api::AppState) {
    let (health, _) = send(state, get("/healthz")).await;
    assert_eq!(health.status(), StatusCode::OK);
    let (ask, body) = send(state, sparql("ASK { ?s ?p ?o }")).await;
    assert_eq!(ask.status(), StatusCode::OK, "{body}");
}

const CARTESIAN: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";

#[tokio::test]
async fn a_page_past_the_result_window_is_refused_not_allocated() {
    let state = demo_state();
    for uri in [
        "/api/search?page=10000000000000",
        "/api/search?page=18446744073709551615&page_size=100",
        "/api/search?q=data&page=501",
    ] {
        let (response, body) = send(&state, get(uri)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body.contains("passes hit 10000"), "{uri}: {body}");
    }
    let (response, _) = send(&state, get("/api/search?page=500")).await;
    assert_eq!(response.status(), StatusCode::OK, "the last page of the window");
    assert_alive(&state).await;
}

#[tokio::test]
async fn deep_nesting_is_refused_before_any_parser_recurses() {
    let state = demo_state();
    let parens = format!(
        "SELECT * WHERE {{ FILTER({}1{}) }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let groups = format!("SELECT * WHERE {}{}", "{".repeat(50_000), "}".repeat(50_000));
    for query in [parens, groups] {
        let (response, body) = send(&state, sparql(&query)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("deeper than 128 levels"), "{body}");
    }
    let update = format!("INSERT DATA {{ GRAPH <http://ex/g> {}}} }}", "{".repeat(50_000));
    let request = Request::post("/update")
        .header(header::CONTENT_TYPE, "application/sparql-update")
        .header(header::AUTHORIZATION, "Bearer t")
        .body(Body::from(update))
        .unwrap();
    let (response, body) = send(&state.clone().with_write_token(Some("t")), request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    // The deepest nesting allowed still parses and runs.
    let deepest = format!(
        "SELECT * WHERE {{ FILTER({}1{}) }}",
        "(".repeat(120),
        ")".repeat(120)
    );
    let (response, body) = send(&state, sparql(&deepest)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert_alive(&state).await;
}

#[tokio::test]
async fn long_chains_are_refused_before_any_tree_is_built() {
    let state = demo_state();
    // Each a few megabytes of links at one level of brackets: a tree millions of levels
    // deep, whose walk and drop overflowed the stack and aborted the process.
    let products: String = (0..200_000).map(|i| format!("?a{i} ?b{i} ?c{i} . ")).collect();
    for query in [
        format!("SELECT * {{ FILTER(1{}) }}", "+1".repeat(1_000_000)),
        format!("SELECT * {{ FILTER({}true) }}", "!".repeat(2_000_000)),
        format!("SELECT * {{ {{}} {} }}", "UNION {} ".repeat(300_000)),
        format!("SELECT * {{ ?a <p> ?b {} }}", ". ?a <p>* ?b ".repeat(300_000)),
        format!("SELECT * {{ {products} }}"),
    ] {
        let (response, body) = send(&state, sparql(&query)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("chains more than"), "{body}");
    }
    // Under the chain's limit, patterns enough to keep Oxigraph's planner busy for
    // minutes after the client was answered, holding a query slot: refused before planning.
    let optionals = |n: usize| {
        (0..n)
            .map(|i| format!("OPTIONAL {{ ?s <http://e/p{i}> ?o{i} }} "))
            .collect::<String>()
    };
    let groups = |n: usize| {
        (0..n)
            .map(|i| format!("GRAPH ?g{i} {{ ?s <http://e/p{i}> ?o{i} }} "))
            .collect::<String>()
    };
    for query in [
        format!("SELECT * {{ ?s <http://e/none> ?o {} }}", optionals(500)),
        format!("SELECT * {{ ?s <http://e/none> ?o {} }}", groups(300)),
        format!("SELECT * {{ {{}} {} }}", "UNION {} ".repeat(2000)),
    ] {
        let (response, body) = send(&state, sparql(&query)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains("at most 128"), "{body}");
    }
    // Near the limits, each chain still parses and runs (in a debug build, whose frames
    // are the largest), and the planner orders a query's patterns in well under a second.
    for query in [
        format!("SELECT * {{ FILTER(1{} = 4001) }}", "+1".repeat(4000)),
        format!(
            "ASK {{ ?a <http://e/p> ?b {} }}",
            (0..100)
                .map(|i| format!(". ?a <http://e/p{i}> ?b "))
                .collect::<String>()
        ),
        format!("SELECT * {{ {{}} {} }}", "UNION {} ".repeat(120)),
        format!("SELECT * {{ ?s <http://e/none> ?o {} }}", optionals(63)),
        format!("SELECT * {{ ?s <http://e/none> ?o {} }}", groups(40)),
    ] {
        let (response, body) = send(&state, sparql(&query)).await;
        assert_eq!(response.status(), StatusCode::OK, "{}: {body}", &query[..60]);
    }
    assert_alive(&state).await;
}

#[tokio::test]
async fn nested_search_syntax_is_refused_in_the_api_and_in_sparql() {
    let state = demo_state();
    let nested = format!("{}air{}", "(".repeat(30), ")".repeat(30));
    let started = Instant::now();
    let (response, body) = send(
        &state,
        get(&format!("/api/search?q={}", urlencoding::encode(&nested))),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("deeper than 8 levels"), "{body}");
    let inside = format!(
        "PREFIX cgs: <https://w3id.org/civicgraph/search#> SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches {:?} }} }}",
        nested
    );
    let (response, body) = send(&state, sparql(&inside)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "refused before tantivy's grammar ran: {:?}",
        started.elapsed()
    );
    let (response, _) = send(&state, get("/api/search?q=%28air+OR+%28water+quality%29%29")).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "shallow nesting still searches"
    );
    assert_alive(&state).await;
}

#[tokio::test]
async fn an_answer_built_from_a_forged_host_is_never_served_to_others() {
    let state = demo_state();
    let query = "SELECT (<> AS ?b) {}";
    let forged = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-query")
        .header(header::HOST, "evil.example")
        .body(Body::from(query))
        .unwrap();
    let (_, body) = send(&state, forged).await;
    assert!(body.contains("http://evil.example/sparql"), "{body}");
    for _ in 0..2 {
        let honest = Request::post("/sparql")
            .header(header::CONTENT_TYPE, "application/sparql-query")
            .header(header::HOST, "hub.example")
            .body(Body::from(query))
            .unwrap();
        let (_, body) = send(&state, honest).await;
        assert!(
            body.contains("http://hub.example/sparql") && !body.contains("evil"),
            "{body}"
        );
    }
    // Non-deterministic calls are found however they are spaced.
    for query in ["SELECT (NOW () AS ?t) {}", "SELECT (nOw( ) AS ?t) {}"] {
        send(&state, sparql(query)).await;
        let (response, _) = send(&state, sparql(query)).await;
        assert_eq!(response.headers()["x-civicgraph-cache"], "miss", "{query}");
    }
}

#[tokio::test]
async fn a_string_bomb_is_cut_at_the_string_limit() {
    let state = demo_state();
    let mut query = String::from("SELECT (STRLEN(?v27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?v0) ");
    for i in 1..=27 {
        query.push_str(&format!("BIND(CONCAT(?v{0}, ?v{0}) AS ?v{i}) ", i - 1));
    }
    query.push('}');
    let started = Instant::now();
    let (response, body) = send(&state, sparql(&query)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(
        body.contains("\"bindings\":[{}]"),
        "the doubling stopped at 4 MiB, leaving ?n unbound: {body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Within the limit, CONCAT and GROUP_CONCAT answer as SPARQL says.
    let (_, body) = send(
        &state,
        sparql("SELECT (CONCAT(\"a\"@en, \"b\"@en) AS ?c) (STRLEN(?c) AS ?n) {}"),
    )
    .await;
    assert!(
        body.contains("\"xml:lang\":\"en\"") && body.contains("\"value\":\"ab\""),
        "{body}"
    );
    let (_, body) = send(
        &state,
        sparql(
            "SELECT (GROUP_CONCAT(DISTINCT ?x; SEPARATOR=\"|\") AS ?g) { VALUES ?x { \"a\" \"b\" \"a\" } }",
        ),
    )
    .await;
    assert!(body.contains("\"a|b\"") || body.contains("\"b|a\""), "{body}");
    let repeated = "SELECT (STRLEN(GROUP_CONCAT(?l)) AS ?n) { VALUES ?a { 1 2 3 4 5 6 7 8 } VALUES ?b { 1 2 3 4 5 6 7 8 } BIND(CONCAT(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") AS ?l) }";
    let (response, body) = send(&state, sparql(repeated)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(
        body.contains("\"4095\""),
        "64 values of 63 characters and 63 spaces: {body}"
    );
    assert_alive(&state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_hangs_up_frees_its_slot() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 60,
            ..QueryConfig::default()
        },
        limits: LimitsConfig {
            long_queries: 8,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    // The count is the first solution, so these clients wait for the head of the answer
    // when they hang up, as a client with a short timeout does.
    let mut clients = Vec::new();
    for _ in 0..2 {
        clients.push(tokio::spawn(app(state.clone()).oneshot(sparql(CARTESIAN))));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while state.work.running_count() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        state.work.running_count(),
        2,
        "still evaluating when the clients hang up"
    );
    for client in &clients {
        client.abort();
    }
    // Oxigraph looks at the cancellation between store reads; this product is joined in
    // memory, so it takes it some seconds to notice.
    let deadline = Instant::now() + Duration::from_secs(40);
    while state.work.running_count() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        state.work.running_count(),
        0,
        "every evaluation stopped with its client"
    );
    let started = Instant::now();
    assert_alive(&state).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_queries_cannot_hold_every_slot() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 20,
            ..QueryConfig::default()
        },
        limits: LimitsConfig {
            max_concurrent_queries: 4,
            long_queries: 1,
            long_query_after_ms: 300,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    let heavy: Vec<_> = (0..3)
        .map(|_| tokio::spawn(app(state.clone()).oneshot(sparql(CARTESIAN))))
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Ordinary queries keep being answered while the long ones run.
    for _ in 0..5 {
        let started = Instant::now();
        let (response, body) = send(&state, sparql("ASK { ?s a ?type }")).await;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    let mut stopped = 0;
    let mut running = Vec::new();
    for handle in heavy {
        let started = Instant::now();
        let response = tokio::time::timeout(Duration::from_secs(5), handle).await;
        match response {
            Ok(done) => {
                let response = done.unwrap().unwrap();
                assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
                assert!(response.headers().contains_key(header::RETRY_AFTER));
                stopped += 1;
            }
            Err(_) => running.push(started),
        }
    }
    assert_eq!(stopped, 2, "all but one long query stopped at the lane check");
    assert_alive(&state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_limit_is_one_count_for_the_whole_server() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            max_concurrent_requests: 1,
            ..LimitsConfig::default()
        },
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    let busy = tokio::spawn(app(state.clone()).oneshot(sparql(CARTESIAN)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for uri in [
        "/api/search?q=air",
        "/catalog",
        "/.well-known/void",
        "/api/patterns",
    ] {
        let (response, _) = send(&state, get(uri)).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{uri}");
    }
    busy.await.unwrap().unwrap();
    let (response, _) = send(&state, get("/api/search?q=air")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_endpoints_wait_for_a_query_slot() {
    let state = demo_state_with(Config {
        limits: LimitsConfig {
            max_concurrent_queries: 1,
            ..LimitsConfig::default()
        },
        query: QueryConfig {
            timeout_secs: 1,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    // Hold the only slot past the others' wait.
    let job = state.work.start().await.unwrap();
    let graph = state.graph.layout().vocab_graph();
    for uri in [
        "/api/search?q=air".to_owned(),
        "/catalog".to_owned(),
        "/.well-known/void".to_owned(),
        "/api/harvests".to_owned(),
        format!("/store?graph={}", urlencoding::encode(graph.as_str())),
    ] {
        let (response, body) = send(&state, get(&uri)).await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{uri}: {body}"
        );
    }
    job.finish();
    let (response, _) = send(&state, get("/.well-known/void")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_entity_bomb_uploaded_after_padding_is_refused() {
    let state = demo_state().with_write_token(Some("t"));
    let padding = format!("<?xml version=\"1.0\"?><!-- {} -->", " ".repeat(2 << 20));
    let bomb = format!(
        "{padding}<!DOCTYPE rdf:RDF [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"http://ex/s\"><rdf:value>&b;</rdf:value></rdf:Description></rdf:RDF>"
    );
    let request = Request::put("/store?graph=http%3A%2F%2Fex%2Fg")
        .header(header::CONTENT_TYPE, "application/rdf+xml")
        .header(header::AUTHORIZATION, "Bearer t")
        .body(Body::from(bomb))
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("refers to other entities"), "{body}");
    assert_alive(&state).await;
}

#[tokio::test]
async fn vocabulary_pages_run_no_script() {
    let state = demo_state();
    let request = Request::get("/ns")
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
}

#[tokio::test]
async fn one_source_cannot_add_to_another_source_s_records() {
    let state = demo_state();
    // A dataset of the demo catalogues, and a harvested source that writes about it.
    let (_, body) = send(
        &state,
        sparql(
            "SELECT ?d WHERE { GRAPH ?g { ?d a <http://www.w3.org/ns/dcat#Dataset> } } ORDER BY ?d LIMIT 1",
        ),
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let victim = json["results"]["bindings"][0]["d"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let evil = state.graph.layout().source_graph("evil").unwrap();
    let turtle = format!(
        "<{victim}> <http://purl.org/dc/terms/title> \"Zyxwvut spam title\" ; \
         <http://www.w3.org/ns/dcat#landingPage> <https://evil.example/phish> ."
    );
    state
        .graph
        .commit(
            civicgraph_graph::WriteBatch::replace_graph_from_reader(
                &evil,
                oxigraph::io::RdfFormat::Turtle,
                turtle.as_bytes(),
                "evil.ttl",
            )
            .unwrap(),
        )
        .unwrap();
    let (response, record) = send(
        &state,
        get(&format!("/api/records/{}", urlencoding::encode(&victim))),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{record}");
    assert!(
        !record.contains("Zyxwvut") && !record.contains("evil.example"),
        "{record}"
    );
    let (_, hits) = send(&state, get("/api/search?q=zyxwvut")).await;
    assert!(hits.contains("\"total\":0"), "{hits}");
}

/// A query stopped by its time limit must end, not only be answered 503: an `ORDER BY` over
/// a cross product kept evaluating (the evaluator drained its input after the cancellation,
/// an error per row, then sorted what it held), pinning a core and the long-query slot for
/// minutes (11 s here, on the demo graph; `vendor/spareval/PATCHED.md`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_sort_or_grouping_ends_and_frees_its_slot() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    for query in [
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g",
        "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a",
        "SELECT * WHERE { ?a ?b ?c OPTIONAL { ?d ?e ?f . ?g ?h ?i } } ORDER BY DESC(?i)",
    ] {
        stops_and_ends(&state, query).await;
    }
}

/// `query` is answered 503 at its time limit, and its evaluation ends soon after: nothing
/// is left running, holding a slot.
async fn stops_and_ends(state: &civicgraph_sparql_api::AppState, query: &str) {
    let (response, body) = send(state, sparql(query)).await;
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "{}: {body}",
        &query[..query.len().min(80)]
    );
    let stopped = Instant::now();
    while state.work.running_count() > 0 {
        assert!(
            stopped.elapsed() < Duration::from_secs(5),
            "{}: still evaluating {:?} after it was stopped",
            &query[..query.len().min(80)],
            stopped.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_alive(state).await;
}

/// VALUES blocks never read the store, where cancellation was checked: a product of them
/// alone ran on for minutes after its 503, holding its slot, and a DISTINCT over one grew
/// past the memory limit after it was stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_of_values_blocks_ends_when_stopped() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    let block = |variable: &str, rows: usize| {
        let rows: Vec<String> = (0..rows).map(|i| i.to_string()).collect();
        format!("VALUES ?{variable} {{ {} }}", rows.join(" "))
    };
    for query in [
        format!(
            "SELECT (COUNT(*) AS ?n) {{ {} {} {} }}",
            block("a", 1000),
            block("b", 1000),
            block("c", 300)
        ),
        format!(
            "SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?a ?b ?c {{ {} {} {} }} }}",
            block("a", 3000),
            block("b", 3000),
            block("c", 300)
        ),
    ] {
        stops_and_ends(&state, &query).await;
    }
    // Blocks of millions of terms are refused before they are parsed.
    let huge = format!("SELECT (COUNT(*) AS ?n) {{ {} }}", block("a", 200_000));
    let (response, body) = send(&state, sparql(&huge)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("more than 100000 terms"), "{body}");
}

/// Each word of a search and each filter value is a clause held while the search runs,
/// with no cancellation among them: 300,000 words grew the server by gigabytes.
#[tokio::test]
async fn searches_of_thousands_of_clauses_are_refused() {
    let state = demo_state();
    let words: Vec<String> = (0..2000).map(|i| format!("z{i}")).collect();
    let (response, body) = send(
        &state,
        get(&format!(
            "/api/search?q={}",
            urlencoding::encode(&words.join(" "))
        )),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("at most 1024"), "{body}");
    let tags: Vec<String> = (0..2000).map(|i| format!("tags:t{i}")).collect();
    let ckan = Request::post("/api/3/action/package_search")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({ "fq": tags.join(" ") }).to_string(),
        ))
        .unwrap();
    let (response, body) = send(&state, ckan).await;
    assert_eq!(response.status(), StatusCode::CONFLICT, "{body}");
    assert!(body.contains("at most 1024"), "{body}");
    let inside = format!(
        "PREFIX cgs: <https://w3id.org/civicgraph/search#> SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"{}\" }} }}",
        words.join(" ")
    );
    let (response, body) = send(&state, sparql(&inside)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert_alive(&state).await;
}

/// A client that sends a request and then stops reading keeps its connection open and the
/// body unread. Its job used to wait for room in the body's channel for as long as the
/// client held on, past its time limit, keeping its query slot (or the one dump slot):
/// a few such clients took every slot. Now the slot is let go at the time limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_frees_its_slot_at_the_time_limit() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    // Far more than the body's channel and buffers hold: the writer must wait for the
    // client, who never reads.
    let endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }";
    for (what, request) in [
        ("a streamed answer", sparql(endless)),
        (
            "the public dump",
            Request::get("/store")
                .header(header::ACCEPT, "application/n-quads")
                .body(Body::empty())
                .unwrap(),
        ),
    ] {
        let started = Instant::now();
        let unread = app(state.clone()).oneshot(request).await.unwrap();
        assert_eq!(unread.status(), StatusCode::OK, "{what}");
        // Still held by the unread body before its limit.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(state.work.running_count(), 1, "{what}: waiting for the client");
        // Let go soon after it, though the body is still held.
        while state.work.running_count() > 0 {
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "{what}: the slot is still held {:?} after the request",
                started.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Another client gets the same answer at once (the dump's one slot too).
        let (again, _) = send(&state, Request::get("/store").body(Body::empty()).unwrap()).await;
        assert_eq!(again.status(), StatusCode::OK, "{what}: a dump after it");
        assert_alive(&state).await;
        drop(unread);
    }
}

/// A body that starts and never ends: the stream a slow-loris client sends.
fn stalled_body() -> Body {
    let start =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"ASK")) });
    Body::from_stream(futures_util::StreamExt::chain(
        start,
        futures_util::stream::pending(),
    ))
}

/// Clients that announce a body and send it a byte at a time, or never, once held every
/// request slot for as long as they stayed connected: every query was answered 503. The
/// body is now read before a slot is taken, and must arrive within the query timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_finish_their_body_hold_no_request_slot() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        limits: LimitsConfig {
            max_concurrent_requests: 2,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    let mut stalled = Vec::new();
    for _ in 0..5 {
        let request = Request::post("/sparql")
            .header(header::CONTENT_TYPE, "application/sparql-query")
            .body(stalled_body())
            .unwrap();
        stalled.push(tokio::spawn(app(state.clone()).oneshot(request)));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Every slot is still free for whole requests.
    let (ask, body) = send(&state, sparql("ASK { ?s ?p ?o }")).await;
    assert_eq!(ask.status(), StatusCode::OK, "{body}");
    // The stalled ones are answered 408 at the timeout.
    for client in stalled {
        let response = tokio::time::timeout(Duration::from_secs(10), client)
            .await
            .expect("answered")
            .unwrap()
            .unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    }
    assert_alive(&state).await;
}

/// Connections that never send a whole request head were kept for ever (`axum::serve`
/// gives hyper no timer): a few thousand of them would hold every file descriptor the
/// process may open, RocksDB's included. Each now has the header timeout to send it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_send_a_whole_request_head_are_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = serve_demo(
        Duration::from_secs(1),
        ConnectionLimits {
            total: 100,
            per_client: Some(100),
        },
    )
    .await;
    let mut half = tokio::net::TcpStream::connect(address).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut silent = tokio::net::TcpStream::connect(address).await.unwrap();
    // A whole request is answered; then its connection, kept alive, goes quiet.
    let mut whole = tokio::net::TcpStream::connect(address).await.unwrap();
    whole
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0; 12];
    whole.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    for (what, stream) in [
        ("half a request head", &mut half),
        ("nothing", &mut silent),
        ("nothing after an answer", &mut whole),
    ] {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(6), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "{what}: the connection is still open after 6 s");
    }
}

/// The demo served on a port of its own by the server's connection loop.
async fn serve_demo(header_read_timeout: Duration, limits: ConnectionLimits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(civicgraph_sparql_api::connections::serve(
        listener,
        app(demo_state()),
        header_read_timeout,
        limits,
        std::future::pending(),
        Duration::from_secs(1),
    ));
    address
}

/// What the server answers on a new connection that asks for `/healthz`, or sends nothing
/// when `ask` is false: the whole answer, until the server closes it (or the first 12 bytes
/// of a kept-alive one).
async fn answer_on_new_connection(address: std::net::SocketAddr, ask: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    if ask {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
    }
    let mut answer = Vec::new();
    let read = async {
        let mut chunk = [0; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
            if answer.starts_with(b"HTTP/1.1 200") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("an answer within 10 s");
    String::from_utf8_lossy(&answer).into_owned()
}

/// `n` connections to `address`, opened and held, sending nothing.
async fn hold_connections(address: std::net::SocketAddr, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(tokio::net::TcpStream::connect(address).await.unwrap());
    }
    held
}

/// Asks for `/healthz` on new connections until one is served (a closed connection's place
/// is freed when the server reads its end, a moment after the client closes it).
async fn served_again(address: std::net::SocketAddr) {
    for _ in 0..200 {
        if answer_on_new_connection(address, true)
            .await
            .starts_with("HTTP/1.1 200")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no connection served 5 s after one closed");
}

/// Each connection held a descriptor until its header timeout: one client opening
/// connections faster than that took every descriptor, the store's included. A client
/// now keeps at most its share open; one more is answered 503 at once and closed, while
/// the connections it holds, and everyone else's, are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_a_clients_share_are_refused_at_once_and_the_others_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = serve_demo(
        Duration::from_secs(30),
        ConnectionLimits {
            total: 100,
            per_client: Some(3),
        },
    )
    .await;
    let mut held = hold_connections(address, 3).await;
    let refused = answer_on_new_connection(address, false).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("retry-after: 1"), "{refused}");
    assert!(
        refused.contains("Too many connections from 127.0.0.1: at most 3 at once"),
        "{refused}"
    );
    // The connections it holds are served.
    held[0]
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0; 12];
    held[0].read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    // One closed, a new one is served.
    drop(held.pop());
    served_again(address).await;
}

/// The server keeps at most `max_connections` open, from any number of clients: one more
/// is answered 503 and closed until one of them closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_servers_total_are_refused_until_one_closes() {
    let address = serve_demo(
        Duration::from_secs(30),
        ConnectionLimits {
            total: 2,
            per_client: None,
        },
    )
    .await;
    let mut held = hold_connections(address, 2).await;
    let refused = answer_on_new_connection(address, false).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("as many connections as it may (2)"), "{refused}");
    drop(held.pop());
    served_again(address).await;
}

/// A cheap query asked again takes the fast lane, streamed answers included: the guard of
/// a streamed answer ends with its body, after the work, and once counted the job as
/// stopped by its client, so no streamed query (the default) ever earned the lane, and
/// a repeated cheap query queued behind the heavy ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cheap_streamed_query_asked_again_does_not_queue_behind_a_heavy_one() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 4,
            // Answered by the evaluation, not from the cache.
            cache_bytes: 0,
            ..QueryConfig::default()
        },
        limits: LimitsConfig {
            max_concurrent_queries: 1,
            long_queries: 1,
            ..LimitsConfig::default()
        },
        ..Config::default()
    });
    let cheap = "SELECT ?type WHERE { ?s a ?type } LIMIT 3";
    let (first, body) = send(&state, sparql(cheap)).await;
    assert_eq!(first.status(), StatusCode::OK, "{body}");
    // Its cost is noted when its job is let go, just after its body ends.
    let deadline = Instant::now() + Duration::from_secs(5);
    while state.work.running_count() > 0 {
        assert!(
            Instant::now() < deadline,
            "the first query's job still holds its slot"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The one ordinary slot is taken by a query that runs to its time limit.
    let heavy = tokio::spawn(app(state.clone()).oneshot(sparql(CARTESIAN)));
    let deadline = Instant::now() + Duration::from_secs(5);
    while state.work.running_count() < 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    let (again, body) = send(&state, sparql(cheap)).await;
    assert_eq!(again.status(), StatusCode::OK, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "queued behind the heavy query: {:?}",
        started.elapsed()
    );
    assert!(!heavy.is_finished(), "the heavy query still runs");
    let _ = heavy.await;
    // Every job let go of its slot, the ones that finished whole included.
    let deadline = Instant::now() + Duration::from_secs(5);
    while state.work.running_count() > 0 {
        assert!(Instant::now() < deadline, "a job still holds its slot");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_alive(&state).await;
}

/// The holder of the write token uploading over a slow link is not cut at the query
/// timeout: its body has longer to arrive. Without the token the same body is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upload_with_the_write_token_is_not_cut_at_the_query_timeout() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 1,
            ..QueryConfig::default()
        },
        ..Config::default()
    })
    .with_write_token(Some("s3cret"));
    // Three lines of Turtle, 0.8 s apart: 1.6 s in all.
    let slow_body = || {
        let lines = [
            "<https://ex.org/a> <https://ex.org/p> \"1\" .\n",
            "<https://ex.org/b> <https://ex.org/p> \"2\" .\n",
            "<https://ex.org/c> <https://ex.org/p> \"3\" .\n",
        ];
        Body::from_stream(futures_util::stream::unfold(0, move |i| async move {
            if i == lines.len() {
                return None;
            }
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(800)).await;
            }
            Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(lines[i])), i + 1))
        }))
    };
    let upload = |token: Option<&str>| {
        let mut request =
            Request::put("/store?graph=https://ex.org/slow").header(header::CONTENT_TYPE, "text/turtle");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        request.body(slow_body()).unwrap()
    };
    let (response, body) = send(&state, upload(Some("s3cret"))).await;
    assert!(response.status().is_success(), "{}: {body}", response.status());
    let (response, _) = send(&state, upload(None)).await;
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
}

/// The evaluator opens a store iterator for each graph of the default graph at once, with
/// no cancellation check: 300,000 `default-graph-uri`s grew the server to 3.5 GB.
#[tokio::test]
async fn a_dataset_names_a_bounded_number_of_graphs() {
    let state = demo_state();
    let form = |graphs: usize, distinct: bool| {
        let mut body = String::from("query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D");
        for i in 0..graphs {
            let i = if distinct { i } else { 0 };
            body.push_str(&format!("&default-graph-uri=http%3A%2F%2Fe%2Fg{i}"));
        }
        Request::post("/sparql")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let (response, body) = send(&state, form(1025, true)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("more than 1024 graphs"), "{body}");
    // The same graph named many times is one graph.
    let (response, body) = send(&state, form(5000, false)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert_alive(&state).await;
}

/// `?s path* ?o` with both ends open is the closure from every node of the graph. It was built
/// whole, every (start, end) pair in memory, before the first row: on the demo graph a
/// `LIMIT 10` ran for 27 s, and on a national catalogue it would run out of memory or time.
/// Now one start at a time, each closure found as it goes, so a limit or an `ASK` stops it.
/// The timeout is far above what the limited query needs, and far below what the whole
/// closure takes.
#[tokio::test]
async fn an_open_closure_stops_at_its_limit() {
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 8,
            ..QueryConfig::default()
        },
        ..Config::default()
    });
    for path in ["(<p:a>|!<p:b>)*", "(<p:a>|!<p:b>)+", "!<p:b>*"] {
        for graphs in ["", "GRAPH ?g "] {
            let query = format!("SELECT * WHERE {{ {graphs}{{ ?s {path} ?o }} }} LIMIT 10");
            let (response, body) = send(&state, sparql(&query)).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}: {body}");
            let rows = body.matches("\"s\":").count();
            assert_eq!(rows, 10, "{query}: {body}");
        }
    }
    let (response, body) = send(&state, sparql("ASK { ?s !<p:b>+ ?o }")).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(body.contains("true"), "{body}");
    assert_alive(&state).await;
}

/// A parameter the server refuses is named in its error by its first 120 characters, not
/// sent back whole; a source id with control characters and quotes is a value to match, not
/// SPARQL to parse.
#[tokio::test]
async fn odd_parameters_get_a_short_answer() {
    let state = demo_state();
    let long = "9".repeat(4000) + "x";
    for uri in [
        format!("/api/search?page={long}"),
        format!("/api/search?type={long}"),
        format!("/api/search?{long}=1"),
        format!("/api/3/action/package_search?rows={long}"),
        format!("/sparql?query=ASK%7B%7D&default-graph-uri={long}"),
    ] {
        let (response, body) = send(&state, get(&uri)).await;
        // CKAN answers a parameter that does not validate with 409.
        let refused = [StatusCode::BAD_REQUEST, StatusCode::CONFLICT];
        assert!(refused.contains(&response.status()), "{}: {body}", &uri[..40]);
        assert!(body.contains("9999…"), "{}: {body}", &uri[..40]);
        assert!(body.len() < 1000, "{}: {} bytes", &uri[..40], body.len());
    }
    let (response, body) = send(&state, get("/api/harvests?source=%1B%22%7D%20%7D%5Cu0000")).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    assert!(body.contains("\"runs\":[]"), "{body}");
    assert_alive(&state).await;
}
