//! The JSON API over the tagged and linked demo data, through `app(state).oneshot`: search
//! with filters, facets, snippets, sorting and paging; records with their links; patterns;
//! sources; the OpenAPI document checked against real answers; the web page's headers.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_tests::{send, tagged_demo_state};
use serde_json::Value;
use std::sync::OnceLock;

fn state() -> &'static civicgraph_sparql_api::AppState {
    static STATE: OnceLock<civicgraph_sparql_api::AppState> = OnceLock::new();
    STATE.get_or_init(tagged_demo_state)
}

async fn get(path: &str) -> (StatusCode, Value) {
    let (response, body) = send(state(), Request::get(path).body(Body::empty()).unwrap()).await;
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (response.status(), json)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// What a policy team filters case studies by: who benefits, what enabled it, who acts,
/// the channel, the country, and whether the source or the tagger gave the pattern.
#[tokio::test]
async fn case_studies_are_found_by_the_concepts_of_the_founding_documents() {
    let (status, all) = get("/api/search?type=case-study&facet_size=50").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let facet = |name: &str| all["facets"][name].as_array().unwrap().clone();
    let citizens = facet("beneficiary")
        .into_iter()
        .find(|v| v["value"] == "https://w3id.org/civicgraph/beneficiary/citizens")
        .unwrap_or_else(|| panic!("{}", all["facets"]["beneficiary"]));
    assert_eq!(citizens["label"], "Citizens");
    for name in ["enabler", "actor", "channel", "country", "method"] {
        let values = facet(name);
        assert!(!values.is_empty(), "no {name} facet: {}", all["facets"]);
        // Concepts are shown by their labels, not their IRIs.
        assert!(
            values
                .iter()
                .all(|v| !v["label"].as_str().unwrap().starts_with("https://")),
            "{name}: {values:?}"
        );
    }
    // A country is filtered by its code and shown by its name.
    assert!(
        facet("country")
            .iter()
            .any(|v| v["value"] == "GB" && v["label"] == "United Kingdom"),
        "{:?}",
        facet("country")
    );

    // Filtering by a value finds as many records as its facet counted.
    for (name, parameter) in [
        ("beneficiary", "citizens"),
        ("enabler", "open-standards"),
        ("actor", "public-sector"),
        ("country", "gb"),
        ("method", "curated"),
        ("benefit", "tailored-services"),
    ] {
        let (status, page) = get(&format!("/api/search?type=case-study&{name}={parameter}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let expected = facet(name)
            .into_iter()
            .find(|v| {
                let value = v["value"].as_str().unwrap();
                value.eq_ignore_ascii_case(parameter) || value.ends_with(&format!("/{parameter}"))
            })
            .unwrap_or_else(|| panic!("{name}={parameter} not in {:?}", facet(name)));
        assert_eq!(page["total"], expected["count"], "{name}={parameter}");
        assert!(page["total"].as_u64().unwrap() > 0, "{name}={parameter}");
    }

    // Curated means a pattern the source stated; inferred, one the tagger gave.
    for method in ["curated", "inferred"] {
        let (_, page) = get(&format!("/api/search?method={method}&page_size=100")).await;
        let hits = page["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{method}: {page}");
        for hit in hits {
            assert!(
                hit["patterns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["method"] == method && p["pattern"] != "none"),
                "{method}: {hit}"
            );
        }
    }
    let (status, error) = get("/api/search?method=guessed").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
}

/// A policy officer asks only for the patterns the tagger is sure of: `min_confidence` keeps
/// exactly the records whose pattern asked for (or any pattern) has at least that confidence,
/// as each hit's badges report it.
#[tokio::test]
async fn search_keeps_only_patterns_given_with_the_confidence_asked_for() {
    let confident = |hit: &Value, pattern: Option<&str>, least: f64| {
        hit["patterns"].as_array().unwrap().iter().any(|p| {
            p["pattern"] != "none"
                && pattern.is_none_or(|wanted| p["pattern"] == wanted)
                && p["confidence"].as_f64().unwrap() >= least - 1e-9
        })
    };
    // Every hit of a search, page by page.
    let every = |path: String| async move {
        let mut hits = Vec::new();
        for page in 1.. {
            let (status, body) = get(&format!("{path}&page={page}&page_size=100&facets=false")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            hits.extend(body["hits"].as_array().unwrap().iter().cloned());
            if hits.len() >= body["total"].as_u64().unwrap() as usize {
                break;
            }
        }
        hits
    };
    let iris = |hits: &[Value]| {
        let mut iris: Vec<String> = hits
            .iter()
            .map(|h| h["iri"].as_str().unwrap().to_owned())
            .collect();
        iris.sort();
        iris
    };
    let mut filtered_out = 0;
    for pattern in [Some("planning"), Some("access"), None] {
        let base = match pattern {
            Some(p) => format!("/api/search?pattern={p}"),
            None => "/api/search?q=".to_owned(),
        };
        let all = every(base.clone()).await;
        for least in [0.5, 0.8, 0.99] {
            let got = iris(&every(format!("{base}&min_confidence={least}")).await);
            let expected: Vec<Value> = all
                .iter()
                .filter(|h| confident(h, pattern, least))
                .cloned()
                .collect();
            assert_eq!(got, iris(&expected), "{pattern:?} at {least}");
            filtered_out += all.len() - expected.len();
        }
    }
    assert!(
        filtered_out > 0,
        "no threshold left anything out: the test shows nothing"
    );
    for wrong in ["1.5", "-0.1", "sure", "NaN"] {
        let (status, error) = get(&format!("/api/search?min_confidence={wrong}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{wrong}: {error}");
        assert!(
            error["error"].as_str().unwrap().contains("min_confidence"),
            "{error}"
        );
    }
}

/// A policy officer goes from a case study to the datasets it used and on to the catalogue
/// that holds them; from the catalogue's dataset back to the case study; and the dataset
/// carries the case study's patterns as evidence.
#[tokio::test]
async fn a_case_study_leads_to_the_catalogue_holding_its_dataset_and_back() {
    let case = urlencoding::encode("https://w3id.org/civicgraph/demo/case-study/tfl-open-data").into_owned();
    let (status, case) = get(&format!("/api/records/{case}")).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let used = case["datasets"].as_array().unwrap();
    assert_eq!(used.len(), 1, "{case}");
    let cited = urlencoding::encode(used[0]["iri"].as_str().unwrap()).into_owned();
    let (_, cited) = get(&format!("/api/records/{cited}")).await;
    let copy = cited["copies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["iri"] == "https://w3id.org/civicgraph/demo/uk/dataset/tfl-unified-api")
        .unwrap_or_else(|| panic!("the catalogue's copy is not linked: {cited}"));
    let catalogues: Vec<&str> = copy["catalogues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(catalogues, ["UK public datasets cited by the demo case studies"]);
    assert!(
        copy["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "landing-page"),
        "{copy}"
    );

    let held =
        urlencoding::encode("https://w3id.org/civicgraph/demo/uk/dataset/tfl-unified-api").into_owned();
    let (_, held) = get(&format!("/api/records/{held}")).await;
    assert!(
        held["case_studies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["iri"] == "https://w3id.org/civicgraph/demo/case-study/tfl-open-data"),
        "{held}"
    );
    let access = held["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pattern"] == "access")
        .unwrap_or_else(|| panic!("{held}"));
    assert!(
        access["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().starts_with("used by: Transport for London")),
        "{access}"
    );
}

#[tokio::test]
async fn search_finds_highlights_and_counts_facets() {
    let (status, all) = get("/api/search?q=air+quality").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 5, "{all}");
    let hits = all["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["snippet"].as_str().unwrap().contains("<b>")),
        "{all}"
    );
    assert!(
        hits.iter()
            .all(|h| h["title"].as_str().is_some() && h["iri"].as_str().is_some())
    );
    // Every record has one type, so the type facet adds up to the total.
    let by_type: u64 = all["facets"]["type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_type, total);
    for facet in civicgraph_graph::FACETS {
        assert!(
            all["facets"].get(facet).is_some(),
            "facet {facet} missing: {}",
            all["facets"]
        );
    }
    let themes = all["facets"]["theme"].as_array().unwrap();
    assert!(themes.iter().any(|t| t["label"] == "Environment"), "{themes:?}");
    // The demo's catalogues give the Open Government Licence by its own address: the facet
    // names it, keyed by the EU concept, and a filter by either finds the same records.
    let licences = all["facets"]["licence"].as_array().unwrap();
    let ogl = "http://publications.europa.eu/resource/authority/licence/OGL_3_0";
    assert!(
        licences
            .iter()
            .any(|l| l["value"] == ogl && l["label"] == "Open Government Licence v3.0"),
        "{licences:?}"
    );
    assert!(
        licences
            .iter()
            .all(|l| !l["label"].as_str().unwrap().starts_with("http")),
        "{licences:?}"
    );
    let by = |licence: &str| {
        format!(
            "/api/search?q=air+quality&licence={}",
            urlencoding::encode(licence)
        )
    };
    let (_, by_concept) = get(&by(ogl)).await;
    let (_, by_address) = get(&by(
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    ))
    .await;
    assert!(by_concept["total"].as_u64().unwrap() > 0, "{by_concept}");
    assert_eq!(by_concept["total"], by_address["total"]);
    // A file's `dct:format` and its `dcat:mediaType` are one format: the facet lists CSV
    // once, and its media type's address finds what the file type finds.
    let formats = all["facets"]["format"].as_array().unwrap();
    let format_labels: Vec<&str> = formats.iter().map(|f| f["label"].as_str().unwrap()).collect();
    assert!(format_labels.contains(&"CSV"), "{formats:?}");
    assert!(!format_labels.contains(&"text/csv"), "{formats:?}");
    let mut distinct = format_labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), format_labels.len(), "{formats:?}");
    let by_format =
        |format: &str| format!("/api/search?q=air+quality&format={}", urlencoding::encode(format));
    let (_, by_file_type) = get(&by_format(
        "http://publications.europa.eu/resource/authority/file-type/CSV",
    ))
    .await;
    let (_, by_media_type) = get(&by_format("http://www.iana.org/assignments/media-types/text/csv")).await;
    assert!(by_file_type["total"].as_u64().unwrap() > 0, "{by_file_type}");
    assert_eq!(by_file_type["total"], by_media_type["total"]);

    let (_, planning) = get("/api/search?q=air+quality&pattern=P2").await;
    let p2 = planning["hits"].as_array().unwrap();
    assert!(!p2.is_empty() && planning["total"].as_u64().unwrap() <= total);
    for hit in p2 {
        let patterns: Vec<&str> = hit["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pattern"].as_str().unwrap())
            .collect();
        assert!(patterns.contains(&"planning"), "{hit}");
        for badge in hit["patterns"].as_array().unwrap() {
            assert!(["curated", "inferred"].contains(&badge["method"].as_str().unwrap()));
        }
        // The hit's patterns come from the index, the record page's from the store: the
        // same assignments, with the same evidence.
        let iri = urlencoding::encode(hit["iri"].as_str().unwrap()).into_owned();
        let (_, record) = get(&format!("/api/records/{iri}")).await;
        assert_eq!(hit["patterns"], record["patterns"], "{iri}");
    }
    assert_eq!(planning["filters"]["pattern"], serde_json::json!(["P2"]));
    let pattern_facet = planning["facets"]["pattern"].as_array().unwrap();
    let planning_count = pattern_facet.iter().find(|v| v["value"] == "planning").unwrap();
    assert_eq!(planning_count["count"], planning["total"]);
    assert_eq!(planning_count["label"], "P2 Planning and efficient delivery");

    let (_, cases) = get("/api/search?q=air+quality&type=case-study").await;
    assert!(
        cases["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["type"] == "case-study")
    );
    assert!(cases["total"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn search_pages_sorts_and_filters_by_year() {
    let (_, everything) = get("/api/search?page_size=100").await;
    let total = everything["total"].as_u64().unwrap();
    assert!(total > 150, "every record of the demo: {total}");
    // No query: newest first; undated records last.
    let years: Vec<Option<u64>> = everything["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["year"].as_u64())
        .collect();
    let dated: Vec<u64> = years.iter().map_while(|y| *y).collect();
    assert!(dated.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    assert!(years[dated.len()..].iter().all(Option::is_none), "{years:?}");

    let (_, first) = get("/api/search?q=data&page_size=5").await;
    let (_, second) = get("/api/search?q=data&page_size=5&page=2").await;
    assert_eq!(second["page"], 2);
    let ids = |page: &Value| {
        page["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["iri"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first).len(), 5);
    assert!(
        ids(&first).iter().all(|i| !ids(&second).contains(i)),
        "pages do not overlap"
    );

    let (_, since) = get("/api/search?year_from=2020&year_to=2021&page_size=100").await;
    for hit in since["hits"].as_array().unwrap() {
        let year = hit["year"].as_u64().unwrap();
        assert!((2020..=2021).contains(&year), "{hit}");
    }
    let (_, by_date) = get("/api/search?q=air&sort=date").await;
    assert_eq!(by_date["sort"], "date");
}

async fn get_in(state: &civicgraph_sparql_api::AppState, path: &str) -> Value {
    let (response, body) = send(state, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn counts_are_reused_across_pages_and_orders_and_renewed_by_a_write() {
    let state = civicgraph_tests::demo_state();
    let first = get_in(&state, "/api/search?q=data&page_size=5").await;
    let total = first["total"].as_u64().unwrap();
    assert!(total > 10, "{total}");
    // The next page and the other order give the same total and facets (counted once).
    for path in [
        "/api/search?q=data&page_size=5&page=2",
        "/api/search?q=data&page_size=5&sort=date",
    ] {
        let again = get_in(&state, path).await;
        assert_eq!(again["total"], first["total"], "{path}");
        assert_eq!(again["facets"], first["facets"], "{path}");
        assert_eq!(again["hits"].as_array().unwrap().len(), 5, "{path}");
    }
    // A write makes a new searcher: the same search counts the new record.
    let graph = &state.graph;
    let target = graph.layout().source_graph("extra").unwrap();
    let ttl = r#"<https://data.example.gov/d/warbler> a <http://www.w3.org/ns/dcat#Dataset> ;
        <http://purl.org/dc/terms/title> "Warbler data counts" ;
        <http://www.w3.org/ns/dcat#theme> <http://publications.europa.eu/resource/authority/data-theme/ENVI> ."#;
    graph
        .commit(
            civicgraph_graph::WriteBatch::replace_graph_from_reader(
                &target,
                oxigraph::io::RdfFormat::Turtle,
                ttl.as_bytes(),
                "extra.ttl",
            )
            .unwrap(),
        )
        .unwrap();
    let after = get_in(&state, "/api/search?q=data&page_size=5&page=2").await;
    assert_eq!(after["total"].as_u64().unwrap(), total + 1);
    let datasets = |page: &Value| {
        page["facets"]["type"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["value"] == "dataset")
            .map(|v| v["count"].as_u64().unwrap())
            .unwrap()
    };
    assert_eq!(datasets(&after), datasets(&first) + 1);
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_message_naming_them() {
    for (query, expected) in [
        ("page_size=1000", "page_size: 1000 is not between 1 and 100"),
        ("pattern=P7", "pattern: \"P7\" is not a pattern"),
        ("sort=alphabet", "sort: \"alphabet\" is not relevance or date"),
        ("q=%22unclosed", "q: search query"),
        ("shape=round", "unknown parameter \"shape\""),
    ] {
        let (status, body) = get(&format!("/api/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["status"], 400);
        assert!(
            body["error"].as_str().unwrap().starts_with(expected),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn records_show_their_links_both_ways() {
    let bus_stops =
        urlencoding::encode("https://data.southvale.example.gov.uk/id/dataset/bus-stops").into_owned();
    let (status, record) = get(&format!("/api/records/{bus_stops}")).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["type"], "dataset");
    assert_eq!(record["catalogue_count"], 2);
    let copies = record["copies"].as_array().unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(
        copies[0]["iri"],
        "https://data.westshire.example.gov.uk/id/dataset/southvale-bus-stops"
    );
    assert!(
        strings(&copies[0]["signals"]).contains(&"landing-page".to_owned()),
        "{copies:?}"
    );
    assert!(copies[0]["score"].as_f64().unwrap() > 0.9);
    assert!(!record["distributions"].as_array().unwrap().is_empty());
    let patterns = record["patterns"].as_array().unwrap();
    assert!(!patterns.is_empty() && patterns.iter().all(|p| p["method"] == "inferred"));
    assert!(
        patterns
            .iter()
            .all(|p| !p["evidence"].as_array().unwrap().is_empty())
    );

    let case = urlencoding::encode("https://w3id.org/civicgraph/demo/case-study/breathe-london").into_owned();
    let (_, case) = get(&format!("/api/records/{case}")).await;
    assert_eq!(case["type"], "case-study");
    let used = case["datasets"].as_array().unwrap();
    assert_eq!(used.len(), 2, "{case}");
    let patterns: Vec<(&str, &str)> = case["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["pattern"].as_str().unwrap(), p["method"].as_str().unwrap()))
        .collect();
    assert_eq!(patterns, [("planning", "curated"), ("policy", "curated")]);
    // The concepts of the founding documents it shows, by label.
    for field in ["beneficiaries", "enablers", "actors", "channels"] {
        let values = case[field].as_array().unwrap();
        assert!(!values.is_empty(), "{field}: {case}");
        for value in values {
            assert!(
                value["value"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://w3id.org/civicgraph/")
            );
            assert!(
                !value["label"].as_str().unwrap().starts_with("https://"),
                "{value}"
            );
        }
    }
    // ... and the dataset names the case study back.
    let dataset = urlencoding::encode(used[0]["iri"].as_str().unwrap()).into_owned();
    let (_, dataset) = get(&format!("/api/records/{dataset}")).await;
    assert!(
        dataset["case_studies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["iri"] == case["iri"]),
        "{dataset}"
    );

    let (status, missing) = get("/api/records/https%3A%2F%2Fexample.org%2Fnothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("https://example.org/nothing")
    );
}

#[tokio::test]
async fn patterns_sources_and_harvests() {
    let (status, patterns) = get("/api/patterns").await;
    assert_eq!(status, StatusCode::OK);
    let patterns = patterns["patterns"].as_array().unwrap();
    let ids: Vec<&str> = patterns.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["access", "planning", "policy"]);
    // The demo's curated case-study patterns: 20 access, 17 planning, 15 policy.
    let curated: Vec<u64> = patterns
        .iter()
        .map(|p| p["counts"]["case_studies_curated"].as_u64().unwrap())
        .collect();
    assert_eq!(curated, [20, 17, 15]);
    assert!(
        patterns
            .iter()
            .all(|p| p["examples"].as_array().unwrap().len() == 5)
    );
    assert!(patterns[1]["counts"]["datasets_inferred"].as_u64().unwrap() > 0);
    assert!(
        patterns[0]["definition"]
            .as_str()
            .unwrap()
            .contains("access to services")
    );

    let (_, sources) = get("/api/sources").await;
    let sources = sources["sources"].as_array().unwrap();
    let westshire = sources
        .iter()
        .find(|s| s["id"] == "demo-westshire")
        .expect("demo-westshire");
    assert!(westshire["datasets"].as_u64().unwrap() >= 40);
    // The demo is loaded, not harvested, and its load is recorded as a run that read the
    // demo file.
    assert_eq!(westshire["last_run"]["status"], "succeeded", "{westshire}");

    let (status, harvests) = get("/api/harvests?limit=10").await;
    assert_eq!(status, StatusCode::OK);
    let runs = harvests["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 5, "one per demo source: {runs:?}");
    assert!(
        runs.iter()
            .all(|r| r["source"].as_str().unwrap().starts_with("demo-"))
    );
}

/// Resolves a `$ref` in the OpenAPI document.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            let target = &document["components"]["schemas"][name];
            assert!(target.is_object(), "unresolved {reference}");
            target
        }
        None => schema,
    }
}

/// Checks that `value` has every required property of `schema`, and no property it does not
/// describe, recursively through objects and arrays.
fn conforms(document: &Value, schema: &Value, value: &Value, path: &str) {
    let schema = resolve(document, schema);
    if let Some(any) = schema.get("oneOf").and_then(Value::as_array) {
        if value.is_null() {
            return;
        }
        let non_null = any.iter().find(|s| s["type"] != "null").unwrap_or(&any[0]);
        return conforms(document, non_null, value, path);
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let object = value
            .as_object()
            .unwrap_or_else(|| panic!("{path}: not an object: {value}"));
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = required.as_str().unwrap();
            assert!(object.contains_key(key), "{path}: missing {key}");
        }
        for (key, item) in object {
            let described = properties
                .get(key)
                .unwrap_or_else(|| panic!("{path}: {key} is not in the schema"));
            conforms(document, described, item, &format!("{path}.{key}"));
        }
    } else if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            conforms(document, items, item, &format!("{path}[{i}]"));
        }
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_real_answers() {
    let (status, document) = get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        document["openapi"]
    );
    let paths = document["paths"].as_object().unwrap();
    for path in [
        "/api/search",
        "/api/records/{id}",
        "/api/patterns",
        "/api/sources",
        "/api/harvests",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let parameters: Vec<&str> = paths["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "q",
        "type",
        "pattern",
        "theme",
        "publisher",
        "catalogue",
        "region",
        "format",
        "licence",
        "year_from",
        "year_to",
        "sort",
        "page",
        "page_size",
    ] {
        assert!(
            parameters.contains(&name),
            "parameter {name} is not documented: {parameters:?}"
        );
    }
    let bus_stops =
        urlencoding::encode("https://data.southvale.example.gov.uk/id/dataset/bus-stops").into_owned();
    for (path, template, url) in [
        (
            "/api/search",
            "/api/search",
            "/api/search?q=air+quality".to_owned(),
        ),
        (
            "/api/records/{id}",
            "/api/records/{id}",
            format!("/api/records/{bus_stops}"),
        ),
        ("/api/patterns", "/api/patterns", "/api/patterns".to_owned()),
        ("/api/sources", "/api/sources", "/api/sources".to_owned()),
        ("/api/harvests", "/api/harvests", "/api/harvests".to_owned()),
    ] {
        let schema = &paths[template]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{path} has no response schema");
        let (_, answer) = get(&url).await;
        conforms(&document, schema, &answer, path);
    }
}

#[tokio::test]
async fn the_web_page_is_served_with_a_content_security_policy() {
    let (response, body) = send(state(), Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert!(body.contains("<script src=\"/assets/app.js\" defer></script>"));
    assert!(!body.contains("<script>"), "no inline script");
    let (response, _) = send(
        state(),
        Request::get("/assets/app.js").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, examples) = get("/assets/examples.json").await;
    assert_eq!(examples.as_array().unwrap().len(), 5);
    for path in [
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/app.js/../../x",
    ] {
        let (response, _) = send(state(), Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// A reuse names the dataset it used by the portal's id, and no catalogue harvested
/// describes it: the dataset has no title, and is shown by that id, not by nothing.
#[tokio::test]
async fn a_dataset_known_only_by_its_id_is_shown_by_it() {
    use civicgraph_ingest::config::SourceKind;
    use civicgraph_tests::sources::{file_source, harvest_ok, quick_settings};
    let dir = tempfile::tempdir().unwrap();
    let reuses = dir.path().join("reuses.csv");
    std::fs::write(
        &reuses,
        "\"id\";\"title\";\"type\";\"description\";\"organization\";\"datasets\"\n\
         \"5f1\";\"Horaires des bus\";\"application\";\"Les habitants consultent les prochains passages des bus.\";\"Bus Malin\";\"559395f1c751df0f51a453b9\"\n",
    )
    .unwrap();
    let state = civicgraph_sparql_api::AppState::new(
        civicgraph_graph::Graph::in_memory(civicgraph_graph::Layout::default()).unwrap(),
        Default::default(),
    );
    harvest_ok(
        &state.graph,
        file_source("reuses", SourceKind::CaseStudies, &reuses),
        quick_settings(),
    )
    .await;

    let hits = get_in(&state, "/api/search?q=559395f1c751df0f51a453b9").await;
    let hits = hits["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["type"], "dataset");
    assert_eq!(hits[0]["title"], "559395f1c751df0f51a453b9");

    let dataset = hits[0]["iri"].as_str().unwrap();
    let record = get_in(&state, &format!("/api/records/{}", urlencoding::encode(dataset))).await;
    assert_eq!(record["title"], "559395f1c751df0f51a453b9");
    let case = record["case_studies"][0]["iri"].as_str().unwrap().to_owned();
    let case = get_in(&state, &format!("/api/records/{}", urlencoding::encode(&case))).await;
    assert_eq!(case["title"], "Horaires des bus");
    assert_eq!(case["datasets"][0]["title"], "559395f1c751df0f51a453b9");
}

/// A catalogue's HTML description shows in a hit as its words, and an opening no query
/// word matched ends on a whole word, marked as cut.
#[tokio::test]
async fn a_hit_shows_a_description_as_words_cut_on_a_word() {
    let long = "Readings of nitrogen dioxide and fine particles ".repeat(8);
    let graph = civicgraph_tests::demo::graph_with_turtle(
        "html",
        &format!(
            r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
            <https://example.org/d/air> a dcat:Dataset ; dct:title "Air quality" ;
                dct:description "<p>Hourly <b>sensor</b> readings.</p><a href=\"https://example.org/x\">https://example.org/x</a> {long}" ."#
        ),
    );
    let state = civicgraph_sparql_api::AppState::new(graph, Default::default());
    for query in ["sensor", "air"] {
        let page = get_in(&state, &format!("/api/search?q={query}")).await;
        let snippet = page["hits"][0]["snippet"].as_str().unwrap().to_owned();
        assert!(
            !snippet.contains("&lt;") && !snippet.contains("href") && !snippet.contains("https"),
            "{query}: {snippet}"
        );
        if query == "air" {
            // No word of the description matched: its opening, cut after a whole word.
            let words = format!("Hourly sensor readings. {}", long.trim_end());
            let opening = snippet.strip_suffix('…').unwrap_or_else(|| panic!("{snippet}"));
            assert!(words.starts_with(opening), "{snippet}");
            assert_eq!(words[opening.len()..].chars().next(), Some(' '), "{snippet}");
        }
    }
    // Its markup is no word of it.
    let page = get_in(&state, "/api/search?q=href").await;
    assert_eq!(page["total"], 0, "{page}");

    // The record's page shows it as text too, its address kept.
    let path = format!("/record/{}", urlencoding::encode("https://example.org/d/air"));
    let (response, page) = send(&state, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let description = page.split("<p class=\"description\">").nth(1).unwrap();
    let description = &description[..description.find("</p>").unwrap()];
    assert!(!description.contains("&lt;"), "{description}");
    assert_eq!(
        description.split_whitespace().take(4).collect::<Vec<_>>(),
        ["Hourly", "sensor", "readings.", "https://example.org/x"]
    );
}
