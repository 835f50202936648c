//! A new hub's first harvest reads its records from the sources' own triples, not back out
//! of the store, and what its first refresh leaves (tags, links, the index) is what linking,
//! tagging and rebuilding the index from the store leave: also when sources say things about
//! each other's nodes, whose records are then read from the store.

use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::config::{HarvestSettings, SourceConfig, SourceKind};
use civicgraph_ingest::enrich::Refreshed;
use civicgraph_ingest::enrich::link::{LinkSettings, link_graph};
use civicgraph_ingest::enrich::tag::{TagSettings, tag_graph};
use civicgraph_ingest::{Pipeline, pipeline};
use civicgraph_tests::demo::repo;
use civicgraph_tests::search::everything;
use civicgraph_tests::sources::{file_source, quick_settings};
use std::sync::Arc;

/// A source that says something of other sources' nodes: a second name for Southvale's
/// council, which Southvale describes too; a catalogue listing one of Northmoor's datasets;
/// the name of the agency [`REFERRER`]'s dataset names without describing it.
const OVERLAP: &str = r#"@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://data.southvale.example.gov.uk/id/org/council> a foaf:Organization ;
    foaf:name "Renamed Southvale Council"@en .
<https://aggregator.example.org/catalog> a dcat:Catalog ;
    dct:title "An aggregator"@en ;
    dct:publisher <https://aggregator.example.org/org> ;
    dcat:dataset <https://data.northmoor.example.gov.uk/id/dataset/air-quality-continuous-monitoring> .
<https://aggregator.example.org/org> a foaf:Organization ; foaf:name "The aggregator"@en .
<https://agency.example.org/org> a foaf:Organization ; foaf:name "An agency"@en .
"#;

/// A source whose dataset's publisher is described by another source.
const REFERRER: &str = r#"@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://referrer.example.org/dataset/bus-stops> a dcat:Dataset ;
    dct:title "Bus stops"@en ;
    dct:description "Where the agency's buses stop."@en ;
    dct:publisher <https://agency.example.org/org> .
"#;

/// Where the overlapping source goes among the others, harvested one at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Overlap {
    None,
    /// Harvested last: the others read their records before it was written.
    Last,
    /// Harvested first: the others read what it says from the store.
    First,
}

#[tokio::test]
async fn a_first_harvest_reads_no_record_back_and_leaves_what_a_rebuild_leaves() {
    for overlap in [Overlap::None, Overlap::Last, Overlap::First] {
        let dir = tempfile::tempdir().unwrap();
        let graph = Arc::new(Graph::open(&dir.path().join("data"), Layout::default()).unwrap());
        graph.ensure_vocabulary().unwrap();
        // As `civicgraph harvest` runs.
        graph.defer_index();
        let mut sources: Vec<_> = // Westshire's catalogue describes the other councils, as publishers of its copies of
        // their datasets: left out, so that these sources share no node.
        ["southvale", "northmoor", "uk-datasets"]
            .into_iter()
            .map(|name| {
                file_source(
                    name,
                    SourceKind::Dcat,
                    &repo(&format!("datasets/demo/{name}.ttl")),
                )
            })
            .collect();
        sources.push(file_source(
            "cases",
            SourceKind::CaseStudies,
            &repo("datasets/demo/case-studies.json"),
        ));
        let referrer = dir.path().join("referrer.ttl");
        std::fs::write(&referrer, REFERRER).unwrap();
        sources.push(file_source("referrer", SourceKind::Dcat, &referrer));
        if overlap != Overlap::None {
            let path = dir.path().join("overlap.ttl");
            std::fs::write(&path, OVERLAP).unwrap();
            let source = file_source("overlap", SourceKind::Dcat, &path);
            match overlap {
                Overlap::First => sources.insert(0, source),
                _ => sources.push(source),
            }
        }
        let refreshed = first_run(
            &graph,
            sources,
            HarvestSettings {
                parallel: 1,
                ..quick_settings()
            },
        )
        .await;
        let records = graph.record_subjects().unwrap().len();
        let southvale = records_of(&graph, "southvale");
        let northmoor = records_of(&graph, "northmoor");
        assert!(southvale > 10 && northmoor > 10, "{southvale} {northmoor}");
        // Southvale's records read its council from Southvale's triples alone, and another
        // source describes it too; another source's catalogue lists one of Northmoor's.
        // The referrer's dataset read its publisher from the store: right when the source
        // describing it was written before, not after.
        let expected = match overlap {
            Overlap::None => records,
            Overlap::First => records - southvale - northmoor,
            Overlap::Last => records - southvale - northmoor - records_of(&graph, "referrer"),
        };
        assert_eq!(refreshed.from_harvests, expected, "{overlap:?}: {refreshed:?}");
        // Every source kept its records: the refresh scanned the store for none of them,
        // and still left what a rebuild leaves (below).
        assert!(refreshed.rolled, "{overlap:?}");
        assert!(
            !dir.path().join("data/harvested-records").exists(),
            "the kept records go when the run ends"
        );

        let index = everything(&graph);
        assert_eq!(index.total, records);
        assert_links_and_tags_settled(&graph);
        graph.reindex(&mut |_| {}).unwrap();
        let rebuilt = everything(&graph);
        for (a, b) in index.hits.iter().zip(&rebuilt.hits) {
            assert_eq!(a, b, "a record's document differs from a rebuild's ({overlap:?})");
        }
        assert_eq!(index, rebuilt, "{overlap:?}");
        if overlap != Overlap::None {
            let renamed = rebuilt
                .hits
                .iter()
                .filter(|h| h.publishers.iter().any(|p| p.contains("Renamed Southvale")))
                .count();
            // Of two English names, the least is shown.
            assert!(renamed > 10, "Southvale's records show the other source's name");
        }
    }
}

/// How many records the source `id` holds.
fn records_of(graph: &Graph, id: &str) -> usize {
    let source = graph.layout().source_graph(id).unwrap();
    civicgraph_tests::sparql::count(
        graph,
        &format!(
            "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH <{}> {{ ?r a ?class \
             VALUES ?class {{ <http://www.w3.org/ns/dcat#Dataset> \
             <http://www.w3.org/ns/dcat#Catalog> <https://w3id.org/civicgraph/ns#CaseStudy> }} }} }}",
            source.as_str()
        ),
    ) as usize
}

/// A source whose graph held something before the run (a statement, no record) is written
/// as a difference, not a first version: its records are not kept, so the run's roll of
/// records is not whole, and the first refresh finds them in the store, with the same
/// outcome as linking, tagging and rebuilding the index apart.
#[tokio::test]
async fn a_source_whose_graph_held_something_leaves_its_records_to_the_store() {
    use civicgraph_graph::WriteBatch;
    use oxigraph::model::{Literal, NamedNode, Triple, vocab::rdfs};
    let dir = tempfile::tempdir().unwrap();
    let graph = Arc::new(Graph::open(&dir.path().join("data"), Layout::default()).unwrap());
    graph.ensure_vocabulary().unwrap();
    graph.defer_index();
    let southvale = graph.layout().source_graph("southvale").unwrap();
    graph
        .commit(WriteBatch::add_to_graph(
            southvale.as_ref(),
            [Triple::new(
                NamedNode::new("https://data.southvale.example.gov.uk/id/note").unwrap(),
                rdfs::LABEL,
                Literal::new_simple_literal("written before the first harvest"),
            )],
        ))
        .unwrap();
    let sources = vec![
        file_source(
            "southvale",
            SourceKind::Dcat,
            &repo("datasets/demo/southvale.ttl"),
        ),
        file_source(
            "northmoor",
            SourceKind::Dcat,
            &repo("datasets/demo/northmoor.ttl"),
        ),
        file_source(
            "cases",
            SourceKind::CaseStudies,
            &repo("datasets/demo/case-studies.json"),
        ),
    ];
    let refreshed = first_run(&graph, sources, quick_settings()).await;
    assert!(!refreshed.rolled, "{refreshed:?}");
    let records = graph.record_subjects().unwrap().len();
    assert_eq!(
        refreshed.from_harvests,
        records - records_of(&graph, "southvale"),
        "{refreshed:?}"
    );
    assert_eq!(everything(&graph).total, records);
    assert_links_and_tags_settled(&graph);
}

/// Runs a pipeline over `sources`, which must all succeed, and returns its refresh.
async fn first_run(graph: &Arc<Graph>, sources: Vec<SourceConfig>, settings: HarvestSettings) -> Refreshed {
    let report = Pipeline::new(
        graph.clone(),
        settings,
        TagSettings::default(),
        LinkSettings::default(),
    )
    .run(sources, pipeline::silent())
    .await
    .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.failed().count(), 0);
    report.refreshed.unwrap()
}

/// Linking and tagging the whole graph again change nothing: the refresh left what they
/// leave.
fn assert_links_and_tags_settled(graph: &Graph) {
    let links = link_graph(graph, &LinkSettings::default()).unwrap();
    assert_eq!((links.added, links.removed), (0, 0), "{links:?}");
    let again = tag_graph(graph, &TagSettings::default(), &mut |_| {}).unwrap();
    assert_eq!((again.added, again.removed), (0, 0), "{again:?}");
}
