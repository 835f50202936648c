//! `/sparql` over the demo data, driven with `oneshot`: what a researcher's client sees.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_tests::{demo_state, send};

const COUNT_DATASETS: &str =
    "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }";

fn get(query: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(format!("/sparql?query={}", urlencoding::encode(query)));
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder.body(Body::empty()).unwrap()
}

fn count_of(json: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["results"]["bindings"][0]["n"]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_first_query_without_from_sees_every_source() {
    let state = demo_state();
    let (response, body) = send(&state, get(COUNT_DATASETS, None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/sparql-results+json"
    );
    // 44 + 40 + 43 regional catalogue datasets, 8 UK datasets and 36 cited by case studies.
    assert_eq!(count_of(&body), 171);
}

#[tokio::test]
async fn post_form_and_post_query_agree_with_get() {
    let state = demo_state();
    let form = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "query={}",
            urlencoding::encode(COUNT_DATASETS)
        )))
        .unwrap();
    let (response, body) = send(&state, form).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count_of(&body), 171);
    let direct = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-query")
        .body(Body::from(COUNT_DATASETS))
        .unwrap();
    let (response, body) = send(&state, direct).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count_of(&body), 171);
}

#[tokio::test]
async fn default_graph_uri_narrows_the_dataset_to_one_source() {
    let state = demo_state();
    let graph = state.graph.layout().source_graph("demo-southvale").unwrap();
    let request = Request::get(format!(
        "/sparql?query={}&default-graph-uri={}",
        urlencoding::encode(COUNT_DATASETS),
        urlencoding::encode(graph.as_str())
    ))
    .body(Body::empty())
    .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count_of(&body), 40);
}

#[tokio::test]
async fn results_come_in_every_negotiated_format() {
    let state = demo_state();
    let select = "SELECT ?p WHERE { ?p a <http://www.w3.org/2004/02/skos/core#Concept> ; <http://www.w3.org/2004/02/skos/core#topConceptOf> <https://w3id.org/civicgraph/pattern/> } ORDER BY ?p";
    let (response, body) = send(&state, get(select, Some("text/csv"))).await;
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        body.replace("\r\n", "\n"),
        "p\nhttps://w3id.org/civicgraph/pattern/access\nhttps://w3id.org/civicgraph/pattern/planning\nhttps://w3id.org/civicgraph/pattern/policy\n"
    );
    let (response, body) = send(&state, get(select, Some("text/tab-separated-values"))).await;
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/tab-separated-values")
    );
    assert!(body.contains("<https://w3id.org/civicgraph/pattern/policy>"));
    let (response, body) = send(&state, get(select, Some("application/sparql-results+xml"))).await;
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/sparql-results+xml"
    );
    assert!(body.contains("<uri>https://w3id.org/civicgraph/pattern/access</uri>"));
    let (_, body) = send(
        &state,
        get("ASK { ?s a <https://w3id.org/civicgraph/ns#CaseStudy> }", None),
    )
    .await;
    assert!(body.contains("\"boolean\":true"), "{body}");
}

#[tokio::test]
async fn construct_returns_turtle_or_n_triples() {
    let state = demo_state();
    let construct = "CONSTRUCT { ?c a <https://w3id.org/civicgraph/ns#CaseStudy> } WHERE { ?c a <https://w3id.org/civicgraph/ns#CaseStudy> }";
    let (response, body) = send(&state, get(construct, None)).await;
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/turtle; charset=utf-8"
    );
    assert_eq!(body.matches("cg:CaseStudy").count(), 36, "{body}");
    let (response, body) = send(&state, get(construct, Some("application/n-triples"))).await;
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/n-triples")
    );
    assert_eq!(body.lines().count(), 36);
    let media = |r: &axum::http::Response<()>| r.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
    let (response, body) = send(&state, get(construct, Some("application/rdf+xml"))).await;
    assert!(media(&response).starts_with("application/rdf+xml"));
    assert_eq!(body.matches("<cg:CaseStudy rdf:about=").count(), 36, "{body}");
    let (response, body) = send(&state, get(construct, Some("application/ld+json"))).await;
    assert!(media(&response).starts_with("application/ld+json"));
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json.to_string().contains("tfl-open-data"), "{body}");
    let (response, body) = send(&state, get(construct, Some("application/n-quads"))).await;
    assert!(media(&response).starts_with("application/n-quads"));
    assert_eq!(body.lines().count(), 36);
}

#[tokio::test]
async fn client_mistakes_get_the_right_status_and_a_useful_message() {
    let state = demo_state();
    let (response, body) = send(&state, get("SELECT ?x WHERE { ?x ", None)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("SPARQL syntax error"), "{body}");

    let (response, _) = send(&state, get(COUNT_DATASETS, Some("image/png"))).await;
    assert_eq!(response.status(), StatusCode::NOT_ACCEPTABLE);

    let wrong_type = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(COUNT_DATASETS))
        .unwrap();
    let (response, _) = send(&state, wrong_type).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let update = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/sparql-update")
        .body(Body::from("CLEAR ALL"))
        .unwrap();
    let (response, _) = send(&state, update).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        state.graph.store().len().unwrap() > 1000,
        "the update must not have run"
    );

    let empty_post = Request::post("/sparql")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, empty_post).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body.contains("no query"), "{body}");
}

#[tokio::test]
async fn a_get_without_a_query_describes_the_service() {
    let state = demo_state();
    let request = Request::get("/sparql")
        .header(header::HOST, "example.org:7878")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/turtle; charset=utf-8"
    );
    assert!(
        body.contains("sd:endpoint <http://example.org:7878/sparql>"),
        "{body}"
    );
    assert!(body.contains("sd:UnionDefaultGraph"), "{body}");
    assert!(
        body.contains("<http://www.w3.org/ns/formats/SPARQL_Results_CSV>"),
        "{body}"
    );
    assert!(
        body.contains("<http://localhost:7878/id/graph/source/demo-westshire>"),
        "{body}"
    );
    // No token: the description does not claim updates.
    assert!(!body.contains("SPARQL11Update"), "{body}");
    let with_token = state.with_write_token(Some("t"));
    let request = Request::get("/sparql")
        .header(header::ACCEPT, "application/n-triples")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&with_token, request).await;
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/n-triples")
    );
    assert!(body.contains("SPARQL11Update"), "{body}");
}

#[tokio::test]
async fn health_reports_the_index_in_step() {
    let state = demo_state();
    let (response, body) = send(&state, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["index_in_step"], true);
}

mod update {
    use super::*;
    use base64::Engine;

    fn update(body: &str, authorization: Option<&str>) -> Request<Body> {
        let mut builder = Request::post("/update").header(header::CONTENT_TYPE, "application/sparql-update");
        if let Some(value) = authorization {
            builder = builder.header(header::AUTHORIZATION, value);
        }
        builder.body(Body::from(body.to_owned())).unwrap()
    }

    const INSERT: &str = "INSERT DATA { GRAPH <http://ex/g> { <http://ex/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Beehive registrations\" } }";

    #[tokio::test]
    async fn writes_need_the_token_and_reach_store_and_index() {
        let state = demo_state().with_write_token(Some("s3cret"));
        let (response, _) = send(&state, update(INSERT, None)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response.headers()[header::WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .contains("Basic")
        );
        let (response, _) = send(&state, update(INSERT, Some("Bearer wrong"))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(state.graph.search("beehive", 5).unwrap().is_empty());

        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("rdflib:s3cret")
        );
        let (response, body) = send(&state, update(INSERT, Some(&basic))).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{body}");
        assert_eq!(state.graph.search("beehive", 5).unwrap()[0].iri, "http://ex/d");

        let form = Request::post("/update")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, "Bearer s3cret")
            .body(Body::from(format!(
                "update={}",
                urlencoding::encode("DELETE WHERE { GRAPH <http://ex/g> { ?s ?p ?o } }")
            )))
            .unwrap();
        let (response, _) = send(&state, form).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(state.graph.search("beehive", 5).unwrap().is_empty());
    }

    #[tokio::test]
    async fn writes_are_off_without_a_token_and_get_is_refused() {
        let state = demo_state().with_write_token(None);
        let (response, _) = send(&state, update(INSERT, Some("Bearer anything"))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let get = Request::get(format!("/update?update={}", urlencoding::encode(INSERT)))
            .body(Body::empty())
            .unwrap();
        let (response, _) = send(&state, get).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn a_bad_update_is_a_400_and_writes_nothing() {
        let state = demo_state().with_write_token(Some("s3cret"));
        let before = state.graph.store().len().unwrap();
        let (response, body) = send(&state, update("INSERT DATA { <a> }", Some("Bearer s3cret"))).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let (response, _) = send(
            &state,
            update(
                "CREATE GRAPH <http://localhost:7878/id/graph/vocab>",
                Some("Bearer s3cret"),
            ),
        )
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(state.graph.store().len().unwrap(), before);
    }
}

mod full_text {
    use super::*;

    fn bindings(body: &str) -> Vec<serde_json::Value> {
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        value["results"]["bindings"].as_array().unwrap().clone()
    }

    const PREFIXES: &str = "PREFIX cgs: <https://w3id.org/civicgraph/search#> PREFIX cgp: <https://w3id.org/civicgraph/pattern/>
        PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>";

    #[tokio::test]
    async fn search_composes_with_the_rest_of_the_query() {
        let state = demo_state();
        let query = format!(
            "{PREFIXES} SELECT ?hit ?title ?score ?snippet WHERE {{
               SERVICE cgs: {{ ?hit cgs:matches \"air quality\" ; cgs:score ?score ; cgs:snippet ?snippet ; cgs:type cg:CaseStudy }}
               ?hit dct:title ?title ; cg:usePattern cgp:policy }} ORDER BY DESC(?score)"
        );
        let (response, body) = send(&state, get(&query, None)).await;
        assert_eq!(response.status(), StatusCode::OK, "{body}");
        let rows = bindings(&body);
        assert_eq!(
            rows[0]["hit"]["value"], "https://w3id.org/civicgraph/demo/case-study/breathe-london",
            "{body}"
        );
        assert!(
            rows[0]["snippet"]["value"].as_str().unwrap().contains("<b>"),
            "{body}"
        );
        assert!(
            rows.iter()
                .all(|r| r["hit"]["value"].as_str().unwrap().contains("/case-study/"))
        );
    }

    #[tokio::test]
    async fn pattern_type_and_limit_narrow_the_hits() {
        let state = demo_state();
        let count = |body: &str| bindings(body).len();
        let datasets = format!(
            "{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"air quality\" ; cgs:type dcat:Dataset }} }}"
        );
        let (_, body) = send(&state, get(&datasets, None)).await;
        assert!(count(&body) >= 5, "{body}");
        let limited = format!(
            "{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"air quality\" ; cgs:limit 2 }} }}"
        );
        let (_, body) = send(&state, get(&limited, None)).await;
        assert_eq!(count(&body), 2, "{body}");
        let access_only = format!(
            "{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"air quality\" ; cgs:pattern cgp:access }} }}"
        );
        let (_, body) = send(&state, get(&access_only, None)).await;
        assert!(!body.contains("breathe-london"), "{body}");
    }

    #[tokio::test]
    async fn search_filters_by_beneficiary_enabler_country_and_method() {
        // Tagged, so that each pattern has its assignment and method.
        let state = civicgraph_tests::tagged_demo_state();
        let hits = |filter: &str| {
            format!(
                "{PREFIXES} PREFIX cgb: <https://w3id.org/civicgraph/beneficiary/> PREFIX cge: <https://w3id.org/civicgraph/enabler/>
                 SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:limit 100 {filter} }} }}"
            )
        };
        let mut counts = Vec::new();
        for filter in [
            "",
            "; cgs:beneficiary cgb:policymakers",
            "; cgs:enabler cge:open-standards",
            "; cgs:country \"gb\"",
            "; cgs:method cg:Curated",
        ] {
            let (response, body) = send(&state, get(&hits(filter), None)).await;
            assert_eq!(response.status(), StatusCode::OK, "{filter}: {body}");
            counts.push(bindings(&body).len());
        }
        let all = counts[0];
        for (filter, count) in ["beneficiary", "enabler", "country", "method"]
            .iter()
            .zip(&counts[1..])
        {
            assert!(*count > 0 && *count < all, "{filter}: {count} of {all}");
        }
        // Every hit the filter lets through states the beneficiary.
        let query = format!(
            "{PREFIXES} PREFIX cgb: <https://w3id.org/civicgraph/beneficiary/>
             ASK {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:beneficiary cgb:policymakers }}
                    FILTER NOT EXISTS {{ ?hit cg:beneficiary cgb:policymakers }} }}"
        );
        let (_, body) = send(&state, get(&query, None)).await;
        assert!(body.contains("false"), "a hit without the beneficiary: {body}");
        let wrong = format!(
            "{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:method cg:Guessed }} }}"
        );
        let (response, body) = send(&state, get(&wrong, None)).await;
        assert_ne!(response.status(), StatusCode::OK);
        assert!(body.contains("cg:Curated"), "{body}");
    }

    #[tokio::test]
    async fn search_keeps_the_patterns_given_with_the_least_confidence_asked_for() {
        let state = civicgraph_tests::tagged_demo_state();
        let count = |query: String| {
            let state = state.clone();
            async move {
                let (response, body) = send(&state, get(&query, None)).await;
                assert_eq!(response.status(), StatusCode::OK, "{query}: {body}");
                bindings(&body)[0]["n"]["value"]
                    .as_str()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            }
        };
        let mut left_out = 0;
        for least in ["0.5", "0.8", "0.99"] {
            let by_service = count(format!(
                "{PREFIXES} SELECT (COUNT(DISTINCT ?hit) AS ?n) {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:limit 10000 ; cgs:pattern cgp:planning ; cgs:minConfidence {least} }} }}"
            ))
            .await;
            // The same from the assignments themselves: a curated one counts 1.
            let by_assignments = count(format!(
                "{PREFIXES} SELECT (COUNT(DISTINCT ?hit) AS ?n) {{
                   SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:limit 10000 ; cgs:pattern cgp:planning }}
                   ?hit cg:patternAssignment ?a . ?a cg:pattern cgp:planning ; cg:method ?m .
                   OPTIONAL {{ ?a cg:confidence ?c }}
                   FILTER(COALESCE(?c, IF(?m = cg:Curated, 1, 0)) >= {least}) }}"
            ))
            .await;
            assert_eq!(by_service, by_assignments, "at {least}");
            let all = count(format!(
                "{PREFIXES} SELECT (COUNT(DISTINCT ?hit) AS ?n) {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:limit 10000 ; cgs:pattern cgp:planning }} }}"
            ))
            .await;
            left_out += all - by_service;
        }
        assert!(left_out > 0, "no minimum left anything out");
        let wrong = format!(
            "{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches \"data\" ; cgs:minConfidence 2 }} }}"
        );
        let (response, body) = send(&state, get(&wrong, None)).await;
        assert_ne!(response.status(), StatusCode::OK);
        assert!(body.contains("cgs:minConfidence"), "{body}");
    }

    #[tokio::test]
    async fn a_malformed_search_block_is_an_error_that_says_what_is_allowed() {
        let state = demo_state();
        let query = format!("{PREFIXES} SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:score ?s }} }}");
        let (response, body) = send(&state, get(&query, None)).await;
        assert_ne!(response.status(), StatusCode::OK);
        assert!(body.contains("cgs:matches"), "{body}");
    }
}
