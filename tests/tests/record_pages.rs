//! Records at their pages on the server (`/record/{id}`, `/id/{path}`), through
//! `app(state).oneshot` over the tagged and linked demo data: what a search engine and a
//! person without script see, and what a linked-data client gets from the same URL.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use civicgraph_tests::{send, tagged_demo_state};
use serde_json::Value;
use std::sync::OnceLock;

fn state() -> &'static civicgraph_sparql_api::AppState {
    static STATE: OnceLock<civicgraph_sparql_api::AppState> = OnceLock::new();
    STATE.get_or_init(tagged_demo_state)
}

async fn get(path: &str, accept: &str) -> (StatusCode, String, String) {
    let request = Request::get(path)
        .header(header::ACCEPT, accept)
        .header(header::HOST, "civic.example")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(state(), request).await;
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), content_type, body)
}

fn encode(iri: &str) -> String {
    urlencoding::encode(iri).into_owned()
}

/// The schema.org JSON-LD block of a page.
fn json_ld(page: &str) -> Value {
    let start = page
        .find("<script type=\"application/ld+json\">")
        .unwrap_or_else(|| panic!("no JSON-LD in {page}"))
        + "<script type=\"application/ld+json\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

async fn search(query: &str) -> Vec<Value> {
    let (status, _, body) = get(&format!("/api/search?{query}"), "application/json").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["hits"]
        .as_array()
        .unwrap()
        .clone()
}

/// Every hit names its page, and the page is the record, rendered on the server with its
/// title, its patterns and schema.org markup of the right type.
#[tokio::test]
async fn every_hit_has_a_page_rendered_on_the_server() {
    for kind in ["dataset", "case-study", "catalogue"] {
        let hits = search(&format!("type={kind}&page_size=5")).await;
        assert!(!hits.is_empty(), "{kind}");
        for hit in hits {
            let page = hit["page"].as_str().unwrap();
            let iri = hit["iri"].as_str().unwrap();
            let path = page
                .strip_prefix("http://civic.example/record/")
                .unwrap_or_else(|| panic!("{page}"));
            assert_eq!(urlencoding::decode(path).unwrap(), iri);
            let path = page.trim_start_matches("http://civic.example");
            let (status, content_type, body) = get(path, "text/html").await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert!(content_type.starts_with("text/html"), "{content_type}");
            let title = hit["title"].as_str().unwrap();
            assert!(
                body.contains(&format!("<h1>{}</h1>", escape(title))),
                "{title}: {body}"
            );
            let markup = json_ld(&body);
            let expected = match kind {
                "dataset" => "Dataset",
                "case-study" => "CreativeWork",
                _ => "DataCatalog",
            };
            assert_eq!(markup["@type"], expected, "{markup}");
            assert_eq!(markup["name"], title);
            assert_eq!(markup["url"], page);
            assert_eq!(markup["@id"], iri);
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A case study's page says which concepts of the founding documents it shows, linking to
/// their pages, and which datasets it used; the dataset's page names the case study and
/// the catalogue, for people and in the markup.
#[tokio::test]
async fn a_case_study_page_links_its_concepts_and_datasets_and_back() {
    let hits = search("q=%22Transport+for+London%22&type=case-study&benefit=trust-innovation").await;
    let page = hits[0]["page"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://civic.example");
    let (_, _, body) = get(page, "text/html").await;
    assert!(
        body.contains("href=\"/benefit/"),
        "no benefit concept linked: {body}"
    );
    assert!(body.contains("href=\"/beneficiary/"), "{body}");
    assert!(body.contains("stated by the source"), "{body}");
    // Its organisations and places are described in the demo: their links lead to pages.
    let demo_link = body
        .split("href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .find(|href| href.starts_with("/demo/agent/"))
        .unwrap_or_else(|| panic!("no organisation linked: {body}"))
        .to_owned();
    let (status, _, agent) = get(&demo_link, "text/html").await;
    assert_eq!(status, StatusCode::OK, "{demo_link}: {agent}");
    let markup = json_ld(&body);
    let about: Vec<&str> = markup["about"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["@id"].as_str().unwrap())
        .collect();
    assert!(about.iter().any(|c| c.contains("/benefit/")), "{about:?}");
    let used = markup["isBasedOn"].as_array().unwrap();
    assert!(!used.is_empty(), "{markup}");

    // A dataset the UK catalogue holds, used by a case study: its page shows the case study.
    let hits = search("q=%22Fingertips%22&type=dataset").await;
    let dataset = hits
        .iter()
        .find(|h| !h["catalogues"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("{hits:?}"));
    let path = dataset["page"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://civic.example");
    let (_, _, body) = get(path, "text/html").await;
    assert!(body.contains("Case studies that used it"), "{body}");
    let markup = json_ld(&body);
    assert!(!markup["subjectOf"].as_array().unwrap().is_empty(), "{markup}");
    assert!(
        !markup["includedInDataCatalog"].as_array().unwrap().is_empty(),
        "{markup}"
    );
    assert!(
        markup["distribution"][0]["contentUrl"]
            .as_str()
            .unwrap()
            .starts_with("http"),
        "{markup}"
    );
    let case_page = markup["subjectOf"][0]["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://civic.example");
    let (status, _, _) = get(case_page, "text/html").await;
    assert_eq!(status, StatusCode::OK, "{case_page}");
}

/// The same URL gives RDF to a client that asks for it; a minted IRI dereferences.
#[tokio::test]
async fn pages_negotiate_rdf_and_minted_iris_dereference() {
    let hits = search("type=case-study&page_size=1").await;
    let iri = hits[0]["iri"].as_str().unwrap();
    let path = format!("/record/{}", encode(iri));
    let (status, content_type, body) = get(&path, "text/turtle").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(content_type.starts_with("text/turtle"), "{content_type}");
    assert!(body.contains(iri), "{body}");
    assert!(body.contains("CaseStudy"), "{body}");

    // Minted IRIs live under the base, `http://localhost:7878/id/` by default: the pattern
    // assignments the tagger wrote are some.
    let minted = civicgraph_tests::sparql::select(
        &state().graph,
        "SELECT ?a WHERE { ?r <https://w3id.org/civicgraph/ns#patternAssignment> ?a
           FILTER(STRSTARTS(STR(?a), \"http://localhost:7878/id/\")) } LIMIT 1",
    );
    let assignment = &minted.first().expect("a minted assignment")[0];
    let assignment = assignment.trim_matches(['<', '>']);
    let rest = assignment.trim_start_matches("http://localhost:7878/id/");
    let (status, _, body) = get(&format!("/id/{rest}"), "application/n-triples").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(&format!("<{assignment}>")), "{body}");
    assert!(
        body.contains("<https://w3id.org/civicgraph/ns#pattern>"),
        "{body}"
    );
    let (status, content_type, body) = get(&format!("/id/{rest}"), "text/html,*/*;q=0.8").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(body.contains("https://w3id.org/civicgraph/ns#pattern"), "{body}");

    let (status, _, body) = get("/id/source/nowhere/dataset/nothing", "text/html").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(
        body.contains("http://localhost:7878/id/source/nowhere/dataset/nothing"),
        "{body}"
    );
    let (status, _, _) = get(
        &format!("/record/{}", encode("https://example.org/no-such-record")),
        "text/html",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&path, "image/png").await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
}

/// A harvested record's text is shown as text: a title that is markup, a description that
/// tries to close the JSON-LD block, a `javascript:` landing page.
#[tokio::test]
async fn a_hostile_record_is_shown_as_text_under_a_policy_that_runs_no_script() {
    use oxigraph::model::{GraphNameRef, Literal, NamedNodeRef, QuadRef};
    let state = civicgraph_tests::demo_state();
    let record = NamedNodeRef::new("https://example.org/hostile/1").unwrap();
    let graph =
        GraphNameRef::NamedNode(NamedNodeRef::new("http://localhost:7878/id/graph/source/hostile").unwrap());
    let title = Literal::new_simple_literal("<script>alert(1)</script>");
    let description = Literal::new_simple_literal("</script><script>alert(2)</script><!--");
    let store = state.graph.store();
    for quad in [
        QuadRef::new(
            record,
            NamedNodeRef::new("http://www.w3.org/1999/02/22-rdf-syntax-ns#type").unwrap(),
            NamedNodeRef::new("http://www.w3.org/ns/dcat#Dataset").unwrap(),
            graph,
        ),
        QuadRef::new(
            record,
            NamedNodeRef::new("http://purl.org/dc/terms/title").unwrap(),
            &title,
            graph,
        ),
        QuadRef::new(
            record,
            NamedNodeRef::new("http://purl.org/dc/terms/description").unwrap(),
            &description,
            graph,
        ),
        QuadRef::new(
            record,
            NamedNodeRef::new("http://www.w3.org/ns/dcat#landingPage").unwrap(),
            NamedNodeRef::new("javascript:alert(3)").unwrap(),
            graph,
        ),
    ] {
        store.insert(quad).unwrap();
    }
    let request = Request::get(format!("/record/{}", encode(record.as_str())))
        .header(header::ACCEPT, "text/html")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(&state, request).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("default-src 'none'") && !policy.contains("script-src"),
        "{policy}"
    );
    assert!(!body.contains("<script>"), "{body}");
    assert_eq!(
        body.matches("</script>").count(),
        1,
        "only the JSON-LD block closes: {body}"
    );
    assert!(!body.contains("<!--"), "{body}");
    assert!(
        !body.to_ascii_lowercase().contains("href=\"javascript:"),
        "{body}"
    );
    assert_eq!(json_ld(&body)["name"], "<script>alert(1)</script>");
    // The description is given as its text (its tags stripped), still escaped in the block.
    assert_eq!(json_ld(&body)["description"], "alert(2) <!--");
}
