//! A re-harvest writes what changed: the source's graph ends as a first harvest of the new
//! version would leave it, the search index follows the changed, added and dropped records,
//! and a publisher renamed in the source reaches every record it published; a real
//! catalogue harvested again unchanged reads as unchanged.

use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::{HarvestSettings, SourceKind};
use civicgraph_tests::demo::repo;
use civicgraph_tests::sources::{file_source, harvest_ok};
use oxigraph::model::Triple;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

fn catalogue(datasets: &[(&str, &str)], publisher: &str) -> String {
    let mut ttl = format!(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
         @prefix foaf: <http://xmlns.com/foaf/0.1/> .
         <https://data.example.gov/org> a foaf:Agent ; foaf:name \"{publisher}\" .\n"
    );
    for (id, title) in datasets {
        ttl.push_str(&format!(
            "<https://data.example.gov/d/{id}> a dcat:Dataset ; dct:title \"{title}\" ; \
             dct:description \"Published by the council.\" ; \
             dct:publisher <https://data.example.gov/org> .\n"
        ));
    }
    ttl
}

fn source_triples(graph: &Graph, id: &str) -> HashSet<Triple> {
    let name = graph.layout().source_graph(id).unwrap();
    graph
        .store()
        .quads_for_pattern(None, None, None, Some(name.as_ref().into()))
        .map(|q| Triple::from(q.unwrap()))
        .collect()
}

async fn harvest(graph: &Arc<Graph>, path: &Path, ttl: &str) {
    std::fs::write(path, ttl).unwrap();
    harvest_ok(
        graph,
        file_source("region", SourceKind::Dcat, path),
        HarvestSettings::default(),
    )
    .await;
}

#[tokio::test]
async fn a_re_harvest_leaves_what_a_first_harvest_of_the_new_version_would() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("region.ttl");
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let first = catalogue(
        &[
            ("bins", "Bin collection days"),
            ("trees", "Street trees"),
            ("toilets", "Public toilets"),
        ],
        "Northmoor Council",
    );
    harvest(&graph, &path, &first).await;
    let titles = |q: &str| -> Vec<String> {
        let mut titles: Vec<String> = graph
            .search(q, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.title)
            .collect();
        titles.sort();
        titles
    };
    assert_eq!(titles("trees"), ["Street trees"]);

    // One title changed, one dataset dropped, one added, the publisher renamed.
    let second = catalogue(
        &[
            ("bins", "Bin collection days"),
            ("trees", "Street trees and hedges"),
            ("parks", "Parks"),
        ],
        "Northmoor Unitary Authority",
    );
    harvest(&graph, &path, &second).await;

    let fresh = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    harvest(&fresh, &dir.path().join("fresh.ttl"), &second).await;
    assert_eq!(source_triples(&graph, "region"), source_triples(&fresh, "region"));

    assert_eq!(titles("hedges"), ["Street trees and hedges"]);
    assert!(titles("toilets").is_empty(), "the dropped dataset left the index");
    assert_eq!(titles("parks"), ["Parks"]);
    // The unchanged dataset names the publisher's new name.
    let bins = graph.search("bin collection", 1).unwrap().remove(0);
    assert_eq!(bins.publishers, ["Northmoor Unitary Authority"]);
    assert!(titles("\"Northmoor Council\"").is_empty());
}

/// Harvests a real file twice into a new store: the second harvest must find nothing
/// changed and leave the source's graph as the first wrote it. Gives the store and the
/// first harvest's outcome, or `None` when `../shared/data` is absent.
async fn harvested_twice(
    path: &str,
    source: impl Fn(&Path) -> civicgraph_ingest::SourceConfig,
) -> Option<(Arc<Graph>, civicgraph_ingest::harvest::HarvestOutcome)> {
    let file = repo(path);
    if !file.is_file() {
        eprintln!("../shared/data is absent; skipped");
        return None;
    }
    let graph = Arc::new(Graph::in_memory(Layout::default()).unwrap());
    let first = harvest_ok(&graph, source(&file), HarvestSettings::default()).await;
    let id = source(&file).id;
    let stored = source_triples(&graph, &id);
    let again = harvest_ok(&graph, source(&file), HarvestSettings::default()).await;
    assert_eq!(
        (again.changes.changed, again.changes.unchanged, again.rewritten),
        (0, first.changes.added, false)
    );
    assert_eq!(source_triples(&graph, &id), stored);
    Some((graph, first))
}

#[tokio::test]
async fn a_real_catalogue_harvested_again_unchanged_reads_as_unchanged() {
    // The 2015 public.opendatasoft.com export writes its dates with `+00:00`; the store
    // gives them back with `Z`. Before the harvest wrote them as the store keeps them,
    // every one of its 186 datasets read as changed at every harvest.
    let path = "../shared/data/catalog-exports-real/public-opendatasoft-com-2015/catalog.ttl";
    let source = |file: &Path| file_source("ods", SourceKind::Dcat, file);
    if let Some((_, first)) = harvested_twice(path, source).await {
        assert_eq!(first.changes.added, 186);
    }
}

#[tokio::test]
async fn a_data_json_catalogue_is_named_by_its_source_and_reads_as_unchanged_again() {
    // DCAT-US gives a catalogue no title: it takes the one its source was configured with.
    let path = "../shared/data/data-gov-us-datajson/samples-HEAD/usda.gov.data.json";
    let source = |file: &Path| civicgraph_ingest::SourceConfig {
        title: Some("US Department of Agriculture".to_owned()),
        ..file_source("usda", SourceKind::Datajson, file)
    };
    let Some((graph, first)) = harvested_twice(path, source).await else {
        return;
    };
    assert!(first.changes.added > 0, "{:?}", first.changes);
    let titles = civicgraph_tests::sparql::select(
        &graph,
        "SELECT ?title WHERE { GRAPH ?g { ?c a <http://www.w3.org/ns/dcat#Catalog> ; \
         <http://purl.org/dc/terms/title> ?title } }",
    );
    assert_eq!(titles, [["\"US Department of Agriculture\""]]);
}
