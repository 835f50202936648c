//! Random requests to every route: methods, paths, query strings, headers and bodies built
//! from hostile fragments (deep brackets, huge numbers, broken percent-escapes, invalid
//! UTF-8, forged hosts, SPARQL and search syntax). Every request must get an answer that is
//! not a 500, and no handler may panic.
//!
//! `FUZZ_CASES` sets how many (default 2,000, which CI runs); `FUZZ_SEED` the seed. The
//! recorded long run is in SECURITY.md.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use civicgraph_sparql_api::app;
use civicgraph_sparql_api::config::{Config, LimitsConfig, QueryConfig};
use civicgraph_tests::demo_state_with;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// SplitMix64: small, seeded, good enough to pick fragments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const PATHS: &[&str] = &[
    "/sparql",
    "/update",
    "/store",
    "/.well-known/void",
    "/catalog",
    "/ns",
    "/access/",
    "/access/planning",
    "/patterns/policy",
    "/",
    "/assets/app.js",
    "/assets/examples.json",
    "/api/search",
    "/api/records/",
    "/api/patterns",
    "/api/sources",
    "/api/harvests",
    "/api/openapi.json",
    "/healthz",
    "/nope",
    "//sparql",
    "/sparql/",
    "/api/records/%FF%FE",
    "/record/",
    "/id/",
    "/demo/case-study/",
    "/assets/prefixes.json",
    "/api/3/action/package_search",
    "/api/3/action/package_show",
    "/api/3/action/organization_list",
    "/api/3/action/group_list",
    "/api/action/status_show",
    "/api/3/action/",
];

const NAMES: &[&str] = &[
    "query",
    "q",
    "page",
    "page_size",
    "graph",
    "default",
    "default-graph-uri",
    "named-graph-uri",
    "type",
    "pattern",
    "theme",
    "publisher",
    "region",
    "sort",
    "facets",
    "facet_size",
    "year_from",
    "year_to",
    "update",
    "using-graph-uri",
    "format",
    "catalogue",
    "licence",
    "min_confidence",
    "fq",
    "rows",
    "start",
    "facet.field",
    "facet.limit",
    "fl",
    "id",
    "all_fields",
    "limit",
    "offset",
    "x",
    "",
];

const VALUES: &[&str] = &[
    "",
    "1",
    "0",
    "-1",
    "10000000000000",
    "18446744073709551616",
    "99999999999999999999999",
    "air quality",
    "(((((((((((((((((((((((((((((air)))))))))))))))))))))))))))))",
    "\"unclosed",
    "title:",
    "-",
    "OR OR OR",
    "metadata_modified:[2020-01-01T00:00:00Z TO *]",
    "metadata_modified:[",
    "organization:x groups:\"y",
    "[\"groups\",\"organization\"]",
    "id asc",
    "*",
    "%FF%FE",
    "%00",
    "%",
    "%%",
    "http://evil.example/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "SELECT * { ?s ?p ?o } LIMIT 3",
    "ASK {}",
    "SELECT (NOW () AS ?t) {}",
    "SELECT (<> AS ?b) {}",
    "DESCRIBE <https://w3id.org/civicgraph/pattern/access>",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    "SELECT * { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }",
    "SELECT * { SERVICE <https://w3id.org/civicgraph/search#> { ?h <https://w3id.org/civicgraph/search#matches> \"air\" } }",
    "SELECT (REPLACE(\"aaa\", \"a\", \"$0$0\") AS ?r) {}",
    "SELECT (CONCAT(?a, ?a) AS ?b) { BIND(\"xx\" AS ?a) }",
    "LOAD <http://127.0.0.1:1/>",
    "DROP ALL",
    "access",
    "P9",
    "date",
    "relevance",
    "dataset",
    "true",
    "https://w3id.org/civicgraph/ns",
    "\u{202e}\u{0}\u{feff}",
    "é\u{301}",
];

const MEDIA: &[&str] = &[
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "text/turtle",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-triples",
    "multipart/form-data; boundary=x",
    "multipart/form-data",
    "text/html",
    "*/*",
    "application/json",
    "text/csv;q=0.5, application/sparql-results+xml",
    "garbage/\u{7f}",
    "",
];

const BODIES: &[&str] = &[
    "",
    "SELECT * { ?s ?p ?o } LIMIT 2",
    "query=ASK%7B%7D",
    "update=DROP+ALL",
    "<http://ex/s> <http://ex/p> \"o\" .",
    "@prefix : <http://ex/> . :s :p :o .",
    "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;\">]><r>&b;</r>",
    "{\"@context\": \"http://evil.example/ctx\", \"@id\": \"http://ex/s\"}",
    "--x\r\nContent-Type: text/turtle\r\n\r\n<http://ex/s> <http://ex/p> <http://ex/o> .\r\n--x--",
    "\u{0}\u{1}\u{2}",
];

fn fragment(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => {
            let open = rng.pick(&["(", "{", "["]);
            open.repeat(rng.below(400))
        }
        1 => {
            let bytes: Vec<u8> = (0..rng.below(40)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        2 => rng.pick(VALUES).repeat(1 + rng.below(50)),
        _ => rng.pick(VALUES).to_owned(),
    }
}

fn request(rng: &mut Rng) -> Request<Body> {
    let method = rng.pick(&[
        "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
    ]);
    let mut uri = rng.pick(PATHS).to_owned();
    if [
        "/api/records/",
        "/record/",
        "/id/",
        "/demo/case-study/",
        "/api/3/action/",
    ]
    .contains(&uri.as_str())
    {
        uri.push_str(&urlencoding::encode(&fragment(rng)));
    }
    let params = rng.below(5);
    for i in 0..params {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(rng.pick(NAMES));
        uri.push('=');
        let value = fragment(rng);
        if rng.below(4) == 0 {
            uri.push_str(&value.replace(['#', ' '], "%20")); // raw, broken escapes and all
        } else {
            uri.push_str(&urlencoding::encode(&value));
        }
    }
    // A URI axum cannot even hold becomes a request for the endpoint with the raw text as
    // its (encoded) query.
    let uri = match uri.parse::<axum::http::Uri>() {
        Ok(_) => uri,
        Err(_) => format!("/sparql?query={}", urlencoding::encode(&uri)),
    };
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    for _ in 0..rng.below(5) {
        let (name, value) = match rng.below(7) {
            0 => ("accept", rng.pick(MEDIA).to_owned()),
            1 => ("content-type", rng.pick(MEDIA).to_owned()),
            2 => (
                "host",
                rng.pick(&["evil.example", "a\"b", "", "hub.example:7878", "[::1]:1"])
                    .to_owned(),
            ),
            3 => (
                "authorization",
                rng.pick(&["Bearer x", "Basic Og==", "Basic !!!", "Digest y", ""])
                    .to_owned(),
            ),
            4 => (
                "origin",
                rng.pick(&["https://evil.example", "null", "http://hub.example"])
                    .to_owned(),
            ),
            5 => (
                "accept-encoding",
                rng.pick(&["gzip", "br", "identity;q=0", "*"]).to_owned(),
            ),
            _ => ("x-forwarded-for", fragment(rng)),
        };
        if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
            builder = builder.header(name, value);
        }
    }
    let body = match rng.below(3) {
        0 => String::new(),
        1 => rng.pick(BODIES).to_owned(),
        _ => fragment(rng),
    };
    builder
        .body(Body::from(body))
        .expect("a request from valid parts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_get_answers_and_no_handler_panics() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let state = demo_state_with(Config {
        query: QueryConfig {
            timeout_secs: 2,
            ..QueryConfig::default()
        },
        limits: LimitsConfig {
            long_query_after_ms: 500,
            ..LimitsConfig::default()
        },
        ..Config::default()
    })
    .with_write_token(Some("fuzz-token"));
    let mut rng = Rng(seed);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for case in 0..cases {
        let request = request(&mut rng);
        let described = format!(
            "case {case} (seed {seed}): {} {}",
            request.method(),
            request.uri()
        );
        let router = app(state.clone());
        let outcome = tokio::spawn(async move {
            let response = router.oneshot(request).await.expect("infallible");
            let status = response.status();
            response.into_body().collect().await.map(|_| status)
        })
        .await;
        let status = match outcome {
            Ok(Ok(status)) => status,
            Ok(Err(error)) => panic!("{described}: the body failed: {error}"),
            Err(error) => panic!("{described}: the handler panicked: {error}"),
        };
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{described}");
        *statuses.entry(status.as_u16()).or_default() += 1;
    }
    eprintln!("{cases} cases, seed {seed}: {statuses:?}");
    let health = app(state.clone())
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
