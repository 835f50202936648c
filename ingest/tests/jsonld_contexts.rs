//! JSON-LD catalogues whose `@context` is remote, as the Czech national catalogue's local
//! catalogues (LKOD) publish theirs: every term is the context's, so without it the document
//! says nothing. A harvest fetches the context from a host its source names (its own, or
//! one of `allow_hosts`) and reads the document; a context anywhere else is never
//! requested, and the harvest says what to configure.

use axum::routing::get;
use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::provenance::RunStatus;
use civicgraph_ingest::{SourceKind, harvest};
use civicgraph_tests::net::{Untouched, serve};
use civicgraph_tests::sources::{harvest_ok, quick_settings, quiet, url_source};
use civicgraph_tests::sparql::count;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A context in the style of the Czech one: the terms are Czech words.
const CONTEXT: &str = r#"{ "@context": {
    "@language": "cs",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "iri": "@id",
    "typ": "@type",
    "Katalog": "dcat:Catalog",
    "Datová sada": "dcat:Dataset",
    "název": { "@id": "dct:title", "@container": "@language" },
    "popis": { "@id": "dct:description", "@container": "@language" },
    "datová_sada": { "@id": "dcat:dataset", "@type": "@id" },
    "klíčové_slovo": { "@id": "dcat:keyword", "@container": "@language" }
} }"#;

/// The catalogue, naming its context at `context`.
fn catalogue(context: &str, name: &str) -> String {
    format!(
        r#"{{
  "@context": "{context}",
  "iri": "https://data.example.cz/lkod/{name}",
  "typ": "Katalog",
  "název": {{ "cs": "Katalog otevřených dat" }},
  "datová_sada": [
    {{ "iri": "https://data.example.cz/lkod/{name}/datové-sady/1", "typ": "Datová sada",
       "název": {{ "cs": "Jízdní řády MHD", "en": "Public transport timetables" }},
       "popis": {{ "cs": "Jízdní řády linek městské hromadné dopravy." }},
       "klíčové_slovo": {{ "cs": ["doprava", "jízdní řád"] }} }}
  ]
}}"#
    )
}

/// Serves `document` at `/lkod/katalog.jsonld` on a server of its own; its base URL.
async fn serve_catalogue(document: String) -> String {
    serve(axum::Router::new().route(
        "/lkod/katalog.jsonld",
        get(move || {
            let document = document.clone();
            async move { ([("content-type", "application/ld+json")], document) }
        }),
    ))
    .await
}

fn datasets(graph: &Graph, source: &str) -> u64 {
    count(
        graph,
        &format!(
            "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ GRAPH <{}> {{ ?d a <http://www.w3.org/ns/dcat#Dataset> ; \
             <http://purl.org/dc/terms/title> \"Jízdní řády MHD\"@cs }} }}",
            Layout::default().source_graph(source).unwrap().as_str()
        ),
    )
}

#[tokio::test]
async fn a_remote_context_is_fetched_from_a_host_the_source_names_and_only_there() {
    let asked = Arc::new(AtomicUsize::new(0));
    let base = {
        let asked = asked.clone();
        serve(axum::Router::new().route(
            "/kontexty/katalog.jsonld",
            get(move || {
                asked.fetch_add(1, Ordering::SeqCst);
                async { ([("content-type", "application/ld+json")], CONTEXT) }
            }),
        ))
        .await
    };
    // The catalogue on one host, its context on another, named by allow_hosts (as a Czech
    // catalogue's source names "ofn.gov.cz"; a local host must be named private too).
    let context_url = format!(
        "{}/kontexty/katalog.jsonld",
        base.replace("127.0.0.1", "localhost")
    );
    let catalogue_base = serve_catalogue(catalogue(&context_url, "mesto")).await;
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let mut source = url_source(
        "mesto",
        SourceKind::Dcat,
        &format!("{catalogue_base}/lkod/katalog.jsonld"),
    );
    source.allow_hosts = vec!["localhost".to_owned()];
    let mut settings = quick_settings();
    settings.private_hosts = vec!["localhost".to_owned()];
    let outcome = harvest_ok(&graph, source, settings.clone()).await;
    assert_eq!(datasets(&graph, "mesto"), 1);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert!(
        outcome
            .report
            .warnings
            .iter()
            .any(|w| w.contains("fetched the remote JSON-LD context") && w.contains(&context_url)),
        "{:#?}",
        outcome.report.warnings
    );

    // A context on a host the source does not name is never asked for: the harvest fails,
    // naming the context and what to configure, and keeps nothing half-read.
    let elsewhere = Untouched::new();
    let unnamed = format!("http://localhost:{}/kontexty/katalog.jsonld", elsewhere.port());
    let catalogue_base = serve_catalogue(catalogue(&unnamed, "obec")).await;
    let source = url_source(
        "obec",
        SourceKind::Dcat,
        &format!("{catalogue_base}/lkod/katalog.jsonld"),
    );
    let outcome = harvest(graph.clone(), source, settings, quiet()).await.unwrap();
    assert_eq!(outcome.status, RunStatus::Failed, "{:?}", outcome.message);
    let message = outcome.message.unwrap_or_default();
    assert!(
        message.contains(&unnamed) && message.contains("allow_hosts"),
        "{message}"
    );
    elsewhere.assert_untouched("a context on a host the source does not name");
    assert_eq!(datasets(&graph, "obec"), 0);
}
