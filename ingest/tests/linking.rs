//! Cross-catalogue linking over a real store and real catalogues: links carry evidence and a
//! score, clusters are queryable, re-linking is incremental, a dataset gone from its source
//! takes its links with it, and the linker meets its precision and recall targets on real
//! catalogue exports with planted copies.

use civicgraph_graph::WriteBatch;
use civicgraph_ingest::enrich::link::read::document_datasets;
use civicgraph_ingest::enrich::link::{LinkRecord, LinkSettings, link_graph};
use civicgraph_ingest::tools::link_eval::evaluate;
use civicgraph_tests::demo::{demo_catalogues, repo};
use civicgraph_tests::sparql::select;
use std::path::PathBuf;

const PREFIXES: &str =
    "PREFIX cg: <https://w3id.org/civicgraph/ns#> PREFIX owl: <http://www.w3.org/2002/07/owl#> ";

#[test]
fn links_carry_evidence_and_clusters_are_queryable() {
    let graph = demo_catalogues();
    let summary = link_graph(&graph, &LinkSettings::default()).unwrap();
    // Westshire's hub republishes eight Northmoor and Southvale datasets.
    assert_eq!(
        (summary.datasets, summary.links, summary.clusters),
        (127, 8, 8),
        "{summary:?}"
    );
    let links = select(
        &graph,
        &format!(
            "{PREFIXES} SELECT ?a ?b ?score (COUNT(DISTINCT ?e) AS ?evidence) WHERE {{
               GRAPH <{}> {{ ?a owl:sameAs ?b . ?l cg:linkedDataset ?a, ?b ; cg:score ?score ; cg:evidence ?e }}
             }} GROUP BY ?a ?b ?score ORDER BY ?a",
            graph.layout().links_graph().as_str()
        ),
    );
    assert_eq!(links.len(), 8);
    for row in &links {
        assert!(row[1].contains("westshire"), "{row:?}");
        let score: f64 = row[2].split('"').nth(1).unwrap().parse().unwrap();
        assert!(score > 0.9, "{row:?}");
        assert!(
            row[3].starts_with("\"2") || row[3].starts_with("\"3"),
            "several signals: {row:?}"
        );
    }
    // Every copy of Southvale's bus stops, through the cluster.
    let copies = select(
        &graph,
        &format!(
            "{PREFIXES} SELECT ?copy ?members ?catalogues WHERE {{
               <https://data.southvale.example.gov.uk/id/dataset/bus-stops> cg:cluster ?c .
               ?copy cg:cluster ?c . ?c cg:memberCount ?members ; cg:catalogueCount ?catalogues
             }} ORDER BY ?copy"
        ),
    );
    let iris: Vec<&str> = copies.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        iris,
        [
            "<https://data.southvale.example.gov.uk/id/dataset/bus-stops>",
            "<https://data.westshire.example.gov.uk/id/dataset/southvale-bus-stops>"
        ]
    );
    assert!(
        copies[0][1].starts_with("\"2\"") && copies[0][2].starts_with("\"2\""),
        "{copies:?}"
    );
}

#[test]
fn re_linking_is_incremental_and_follows_the_sources() {
    let graph = demo_catalogues();
    link_graph(&graph, &LinkSettings::default()).unwrap();
    let sequence = graph.write_sequence().unwrap();
    let again = link_graph(&graph, &LinkSettings::default()).unwrap();
    assert_eq!((again.added, again.removed), (0, 0));
    assert_eq!(
        graph.write_sequence().unwrap(),
        sequence,
        "an unchanged graph is not rewritten"
    );

    // Southvale withdraws its bus stops: the link and the cluster go.
    let source = graph.layout().source_graph("southvale").unwrap();
    let bus_stops =
        oxigraph::model::NamedNode::new("https://data.southvale.example.gov.uk/id/dataset/bus-stops")
            .unwrap();
    let quads: Vec<_> = graph
        .store()
        .quads_for_pattern(
            Some(bus_stops.as_ref().into()),
            None,
            None,
            Some(source.as_ref().into()),
        )
        .map(Result::unwrap)
        .collect();
    let mut batch = WriteBatch::new();
    batch.remove(quads);
    graph.commit(batch).unwrap();
    let after = link_graph(&graph, &LinkSettings::default()).unwrap();
    assert_eq!((after.links, after.clusters), (7, 7));
    assert!(after.removed > 0);
    let left = graph
        .store()
        .quads_for_pattern(
            Some(bus_stops.as_ref().into()),
            None,
            None,
            Some(graph.layout().links_graph().as_ref().into()),
        )
        .count();
    assert_eq!(left, 0);
}

/// Datasets of real catalogue files, each file one source.
fn real_datasets(files: &[PathBuf]) -> Vec<LinkRecord> {
    let mut records = Vec::new();
    for file in files {
        let name = file.display().to_string();
        records.extend(document_datasets(&std::fs::read(file).unwrap(), &name, None).unwrap());
    }
    records
}

#[test]
fn planted_copies_are_found_with_high_precision_and_recall() {
    if !repo("../shared/data").is_dir() {
        eprintln!("../shared/data is absent; skipped");
        return;
    }
    let files = [
        repo("datasets/demo/westshire.ttl"),
        repo("datasets/demo/northmoor.ttl"),
        repo("datasets/demo/southvale.ttl"),
        repo("../shared/data/catalog-exports-real/public-opendatasoft-com-2015/catalog.ttl"),
        repo("../shared/data/data-gov-us-datajson/full-2020/arm.data.json"),
    ];
    let real = real_datasets(&files);
    assert_eq!(real.len(), 1310);
    for seed in 1..=3 {
        let result = evaluate(&real, 0.5, 0.2, seed, &LinkSettings::default());
        assert!(result.copies > 600 && result.siblings > 200, "{result:?}");
        assert!(
            result.precision >= 0.99,
            "seed {seed}: precision {}",
            result.to_markdown()
        );
        assert!(
            result.recall >= 0.95,
            "seed {seed}: recall {}",
            result.to_markdown()
        );
    }
}

/// Two real snapshots of one catalogue, the later republished with new identifiers and
/// URLs: DHS's `data.json` (February and June 2025; thirteen pairs with a renamed
/// publisher) and the Department of Labor's (February and April 2025). The truth is the
/// URLs the originals share, or their identifiers.
#[test]
fn datasets_are_found_again_in_a_later_snapshot_republished_elsewhere() {
    use civicgraph_ingest::tools::snapshots::{TruthKey, evaluate};
    let pairs = [
        ("dhs/2025-02-01_dd2190ff.json", "dhs/3d7f54ca.json", (1093, 1224)),
        ("dol/dd2190ff.json", "dol/1c63b052.json", (465, 453)),
    ];
    for (older, newer, sizes) in pairs {
        let older = real_datasets(&[repo(&format!("datasets/linker/snapshots/{older}"))]);
        let newer = real_datasets(&[repo(&format!("datasets/linker/snapshots/{newer}"))]);
        assert_eq!((older.len(), newer.len()), sizes);
        for by in [TruthKey::Urls, TruthKey::Identifiers] {
            let result = evaluate(&older, &newer, by, &LinkSettings::default());
            assert!(result.truth >= 130, "{}", result.to_markdown());
            assert!(result.precision >= 0.99, "{by:?}: {}", result.to_markdown());
            let recall = if by == TruthKey::Urls { 0.95 } else { 0.96 };
            assert!(result.recall >= recall, "{by:?}: {}", result.to_markdown());
        }
    }
}
