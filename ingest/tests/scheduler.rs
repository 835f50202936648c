//! The server's harvest scheduler over a real on-disk store: a scheduled source that never
//! ran is harvested at once, then the graph is tagged, linked and compacted while it stays
//! readable; the source is next due after its interval; a source without a schedule is left
//! to be harvested by hand.

use civicgraph_graph::{Graph, Layout};
use civicgraph_ingest::enrich::link::LinkSettings;
use civicgraph_ingest::enrich::tag::TagSettings;
use civicgraph_ingest::provenance::list_runs;
use civicgraph_ingest::schedule::{due_in, run};
use civicgraph_ingest::{HarvestSettings, Pipeline, SourceConfig, SourceKind};
use civicgraph_tests::sources::file_source;
use civicgraph_tests::sparql::ask;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn source(id: &str, path: &Path, schedule: Option<&str>) -> SourceConfig {
    SourceConfig {
        schedule: schedule.map(str::to_owned),
        ..file_source(id, SourceKind::Dcat, path)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_source_is_harvested_tagged_linked_and_compacted_and_an_unscheduled_one_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogue.ttl");
    std::fs::write(
        &file,
        r#"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://data.example.gov/catalog> a dcat:Catalog ; dct:title "Example" ;
    dcat:dataset <https://data.example.gov/d/1>, <https://data.example.gov/d/2> .
<https://data.example.gov/d/1> a dcat:Dataset ; dct:title "Bus stop locations" ;
    dct:description "Where every bus stop is, so residents can find the nearest service." .
<https://data.example.gov/d/2> a dcat:Dataset ; dct:title "School admissions" ;
    dct:description "Admissions by school, used to plan places for next year." .
"#,
    )
    .unwrap();
    let graph = Arc::new(Graph::open(&dir.path().join("data"), Layout::default()).unwrap());
    let scheduled = source("region", &file, Some("1h"));
    let by_hand = source("by-hand", &file, None);
    let pipeline = Pipeline::new(
        graph.clone(),
        HarvestSettings::default(),
        TagSettings::default(),
        LinkSettings::default(),
    );
    let scheduler = tokio::spawn(run(pipeline, vec![scheduled.clone(), by_hand]));

    // Done when the round's tagging run is recorded: linking and tagging come after the
    // harvest, and compaction after them, all in the same blocking task.
    let tagged = "ASK { ?run a <https://w3id.org/civicgraph/ns#TaggingRun> }";
    let started = Instant::now();
    while !ask(&graph, tagged) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the scheduler harvested and tagged nothing in 120 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the round finish (linking, compaction) while queries keep being answered.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(2) {
        assert!(ask(
            &graph,
            "ASK { <https://data.example.gov/d/1> <https://w3id.org/civicgraph/ns#patternAssignment> ?a }"
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    scheduler.abort();

    let runs = list_runs(&graph, Some("region")).unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, "succeeded");
    assert!(list_runs(&graph, Some("by-hand")).unwrap().is_empty());
    let next = due_in(&graph, &scheduled).unwrap().unwrap();
    assert!(next > Duration::from_secs(3000), "due again in {next:?}");
    assert_eq!(graph.search("bus stop", 10).unwrap().len(), 1);
}
