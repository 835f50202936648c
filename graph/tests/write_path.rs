//! The graph's contract: one write path keeps the store and the index in step, replaces
//! are atomic for readers, a lagging index is repaired at open, and dumps restore whole.

use civicgraph_graph::{Graph, Layout, QueryOptions, WriteBatch};
use oxigraph::io::RdfFormat;
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::{Dataset, Literal, NamedNode, QuadRef, Triple};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn demo(file: &str) -> String {
    std::fs::read_to_string(format!("{}/../datasets/demo/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn load_demo(graph: &Graph, id: &str, file: &str) {
    let g = graph.layout().source_graph(id).unwrap();
    let batch =
        WriteBatch::replace_graph_from_reader(&g, RdfFormat::Turtle, demo(file).as_bytes(), file).unwrap();
    graph.commit(batch).unwrap();
}

fn select_count(graph: &Graph, sparql: &str) -> usize {
    match graph.query(sparql, &QueryOptions::default()).unwrap() {
        QueryResults::Solutions(mut s) => match s.next().unwrap().unwrap().get(0) {
            Some(oxigraph::model::Term::Literal(l)) => l.value().parse().unwrap(),
            other => panic!("{other:?}"),
        },
        _ => panic!("not a SELECT"),
    }
}

#[test]
fn index_follows_every_write() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "northmoor", "northmoor.ttl");
    let hits = graph.search("\"diffusion tube\"", 5).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, "dataset");
    assert_eq!(
        graph.index_sequence().unwrap(),
        Some(graph.write_sequence().unwrap())
    );
    // 44 datasets and 1 catalogue.
    assert_eq!(graph.indexed_records(), 45);

    // Replacing the source with a smaller version drops what is gone from the index.
    let g = graph.layout().source_graph("northmoor").unwrap();
    let ttl = "<http://ex/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Gritting routes\" .";
    graph
        .commit(
            WriteBatch::replace_graph_from_reader(&g, RdfFormat::Turtle, ttl.as_bytes(), "v2.ttl").unwrap(),
        )
        .unwrap();
    assert!(graph.search("diffusion", 5).unwrap().is_empty());
    assert_eq!(graph.search("gritting", 5).unwrap()[0].iri, "http://ex/d");
    assert_eq!(graph.indexed_records(), 1);

    // Deleting the source empties both.
    graph.commit(WriteBatch::delete_graph(&g)).unwrap();
    assert!(graph.search("gritting", 5).unwrap().is_empty());
    assert_eq!(
        select_count(
            &graph,
            &format!(
                "SELECT (COUNT(*) AS ?n) {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
                g.as_str()
            )
        ),
        0
    );
}

#[test]
fn tags_written_to_another_graph_reach_the_record_in_the_index() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "southvale", "southvale.ttl");
    let dataset = "https://data.southvale.example.gov.uk/id/dataset/bus-stops";
    let triple = Triple::new(
        NamedNode::new(dataset).unwrap(),
        civicgraph_vocab::cg::USE_PATTERN,
        civicgraph_vocab::cgp::ACCESS,
    );
    graph
        .commit(WriteBatch::add_to_graph(
            graph.layout().tags_graph().as_ref(),
            [triple],
        ))
        .unwrap();
    let hit = graph.search("bus stops", 1).unwrap().remove(0);
    assert_eq!(hit.iri, dataset);
    assert_eq!(
        hit.patterns,
        vec![civicgraph_vocab::cgp::ACCESS.as_str().to_owned()]
    );
}

/// The tagger's assignment of `pattern` to `record`, as Turtle in the tags graph.
fn tag_turtle(record: &str, pattern: &str, confidence: &str, evidence: &[&str]) -> String {
    let evidence: String = evidence.iter().map(|e| format!(" ; cg:evidence {e:?}")).collect();
    format!(
        "@prefix cg: <https://w3id.org/civicgraph/ns#> .
         <{record}> cg:patternAssignment <{record}#tag-{pattern}> ;
           cg:usePattern <https://w3id.org/civicgraph/pattern/{pattern}> .
         <{record}#tag-{pattern}> a cg:PatternAssignment ;
           cg:pattern <https://w3id.org/civicgraph/pattern/{pattern}> ;
           cg:method cg:Inferred ; cg:confidence {confidence}{evidence} ."
    )
}

#[test]
fn a_hit_shows_its_current_assignments_and_their_evidence_from_the_index_after_any_write() {
    use civicgraph_graph::{Assignment, Method};
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "southvale", "southvale.ttl");
    let dataset = "https://data.southvale.example.gov.uk/id/dataset/bus-stops";
    let tags = graph.layout().tags_graph();
    let retag = |turtle: String| {
        let batch =
            WriteBatch::replace_graph_from_reader(&tags, RdfFormat::Turtle, turtle.as_bytes(), "tags.ttl")
                .unwrap();
        graph.commit(batch).unwrap();
    };
    retag(tag_turtle(
        dataset,
        "access",
        "0.91",
        &[
            "\"find a stop\" (access rule: \"find\") (+0.40)",
            "\"bus stops\" (access rule: \"stops\") (+1.20)",
        ],
    ));
    let hit = graph.search("bus stops", 1).unwrap().remove(0);
    assert_eq!(hit.iri, dataset);
    assert_eq!(
        hit.assignments,
        [Assignment {
            pattern: "access".into(),
            method: Method::Inferred,
            confidence: 0.91,
            // Strongest first, whatever order the store keeps them in.
            evidence: vec![
                "\"bus stops\" (access rule: \"stops\") (+1.20)".into(),
                "\"find a stop\" (access rule: \"find\") (+0.40)".into(),
            ],
        }]
    );

    // Tagged anew, the hit shows the new assignment, not the one indexed before.
    retag(tag_turtle(
        dataset,
        "planning",
        "0.85",
        &["\"timetable\" (+0.70)"],
    ));
    let hit = graph.search("bus stops", 1).unwrap().remove(0);
    let shown: Vec<(&str, f64, &[String])> = hit
        .assignments
        .iter()
        .map(|a| (a.pattern.as_str(), a.confidence, a.evidence.as_slice()))
        .collect();
    assert_eq!(
        shown,
        [("planning", 0.85, &["\"timetable\" (+0.70)".to_owned()][..])]
    );

    // An update of the assignment node alone reaches the record that holds it.
    let evidence = "https://w3id.org/civicgraph/ns#evidence";
    let update = format!(
        r#"DELETE DATA {{ GRAPH <{tags}> {{ <{dataset}#tag-planning> <{evidence}> "\"timetable\" (+0.70)" }} }} ;
           INSERT DATA {{ GRAPH <{tags}> {{ <{dataset}#tag-planning> <{evidence}> "checked by hand" }} }}"#,
        tags = tags.as_str()
    );
    graph
        .update(&update, &civicgraph_graph::UpdateOptions::default())
        .unwrap();
    let hit = graph.search("bus stops", 1).unwrap().remove(0);
    assert_eq!(hit.assignments[0].evidence, ["checked by hand"]);
}

#[test]
fn renaming_a_publisher_or_a_place_by_update_reaches_every_hit_that_names_it() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "southvale", "southvale.ttl");
    let source = graph.layout().source_graph("southvale").unwrap();
    let publishers_and_regions = |q: &str| {
        let hits = graph.search(q, 100).unwrap();
        assert!(hits.len() > 1, "{hits:?}");
        hits.into_iter()
            .filter(|h| h.kind == "dataset")
            .map(|h| (h.publishers, h.regions))
            .collect::<Vec<_>>()
    };
    let before = publishers_and_regions("southvale");
    assert!(
        before
            .iter()
            .all(|(p, r)| p == &["Southvale City Council"] && r == &["Southvale"]),
        "{before:?}"
    );
    let update = format!(
        r#"PREFIX foaf: <http://xmlns.com/foaf/0.1/>
           PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           DELETE DATA {{ GRAPH <{g}> {{
             <https://data.southvale.example.gov.uk/id/org/council> foaf:name "Southvale City Council"@en .
             <https://data.southvale.example.gov.uk/id/place/southvale> skos:prefLabel "Southvale"@en .
           }} }} ;
           INSERT DATA {{ GRAPH <{g}> {{
             <https://data.southvale.example.gov.uk/id/org/council> foaf:name "Southvale Unitary Authority"@en .
             <https://data.southvale.example.gov.uk/id/place/southvale> skos:prefLabel "Southvale and Harbour"@en .
           }} }}"#,
        g = source.as_str()
    );
    graph
        .update(&update, &civicgraph_graph::UpdateOptions::default())
        .unwrap();
    // Every dataset that names the two nodes, not only those the update touched.
    let after = publishers_and_regions("southvale");
    assert_eq!(after.len(), before.len());
    assert!(
        after
            .iter()
            .all(|(p, r)| p == &["Southvale Unitary Authority"] && r == &["Southvale and Harbour"]),
        "{after:?}"
    );
    assert!(!graph.search("\"Unitary Authority\"", 100).unwrap().is_empty());
}

#[test]
fn a_reader_during_a_replace_sees_the_old_or_the_new_version_never_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let graph = Arc::new(Graph::open(dir.path(), Layout::default()).unwrap());
    let g = graph.layout().source_graph("flip").unwrap();
    let p = NamedNode::new("http://ex/version").unwrap();
    let version = |name: &str, size: usize| {
        let triples: Vec<Triple> = (0..size)
            .map(|i| {
                Triple::new(
                    NamedNode::new(format!("http://ex/r{i}")).unwrap(),
                    p.clone(),
                    Literal::from(name),
                )
            })
            .collect();
        WriteBatch::replace_graph(&g, triples)
    };
    graph.commit(version("old", 2000)).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (graph, done, g) = (graph.clone(), done.clone(), g.clone());
        std::thread::spawn(move || {
            let mut observed = std::collections::BTreeSet::new();
            let query = format!(
                "SELECT ?v (COUNT(*) AS ?n) {{ GRAPH <{}> {{ ?s <http://ex/version> ?v }} }} GROUP BY ?v",
                g.as_str()
            );
            while !done.load(Ordering::Relaxed) {
                let QueryResults::Solutions(solutions) =
                    graph.query(&query, &QueryOptions::default()).unwrap()
                else {
                    panic!()
                };
                let groups: Vec<(String, String)> = solutions
                    .map(|s| {
                        let s = s.unwrap();
                        (s.get("v").unwrap().to_string(), s.get("n").unwrap().to_string())
                    })
                    .collect();
                assert_eq!(groups.len(), 1, "a reader saw a mix of versions: {groups:?}");
                let (v, n) = &groups[0];
                let expected = if v.contains("old") { "2000" } else { "3000" };
                assert!(n.contains(expected), "version {v} seen with {n} triples");
                observed.insert(v.clone());
            }
            observed
        })
    };
    for round in 0..20 {
        let (name, size) = if round % 2 == 0 {
            ("new", 3000)
        } else {
            ("old", 2000)
        };
        graph.commit(version(name, size)).unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let observed = reader.join().unwrap();
    assert!(!observed.is_empty());
}

#[test]
fn a_failed_parse_leaves_the_previous_version_untouched() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "westshire", "westshire.ttl");
    let before = graph.stats().unwrap();
    let g = graph.layout().source_graph("westshire").unwrap();
    let broken = format!("{}\n<http://ex/a> <http://ex/b> .\n", demo("northmoor.ttl"));
    let error =
        WriteBatch::replace_graph_from_reader(&g, RdfFormat::Turtle, broken.as_bytes(), "westshire.ttl")
            .unwrap_err();
    assert!(error.to_string().starts_with("westshire.ttl:"), "{error}");
    assert_eq!(graph.stats().unwrap(), before);
}

/// Adds a dataset to the store behind the graph's back, as a write killed between the
/// store's commit and the index's leaves it.
fn write_behind_the_index(dir: &std::path::Path, layout: &Layout) {
    let store = Store::open(dir.join("store")).unwrap();
    let g = layout.source_graph("late").unwrap();
    store
        .load_from_slice(
            oxigraph::io::RdfParser::from_format(RdfFormat::Turtle).with_default_graph(g),
            "<http://ex/late> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Allotment waiting lists\" ."
                .as_bytes(),
        )
        .unwrap();
}

#[test]
fn open_repairs_an_index_that_fell_behind_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::default();
    let before = {
        let graph = Graph::open(dir.path(), layout.clone()).unwrap();
        load_demo(&graph, "northmoor", "northmoor.ttl");
        graph.write_sequence().unwrap()
    };
    // A kill -9 after a write was begun and before it was finished: the sequence file says
    // the next write is pending, the store holds it, the index does not.
    write_behind_the_index(dir.path(), &layout);
    std::fs::write(
        dir.path().join("write-sequence"),
        format!("{} pending\n", before + 1),
    )
    .unwrap();
    let graph = Graph::open(dir.path(), layout).unwrap();
    assert_eq!(graph.write_sequence().unwrap(), before + 1);
    assert_eq!(graph.index_sequence().unwrap(), Some(before + 1));
    assert_eq!(graph.search("allotment", 5).unwrap()[0].iri, "http://ex/late");
    assert_eq!(graph.indexed_records(), 46);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("write-sequence"))
            .unwrap()
            .trim(),
        (before + 1).to_string(),
        "the repaired write is marked done"
    );
}

#[test]
fn the_write_sequence_is_no_part_of_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    load_demo(&graph, "northmoor", "northmoor.ttl");
    assert!(graph.write_sequence().unwrap() > 0);
    let graphs = select_count(&graph, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g {} }");
    assert_eq!(graphs, 1, "only the source's graph");
    graph.update("DROP ALL", &Default::default()).unwrap();
    assert!(
        graph.store().is_empty().unwrap(),
        "DROP ALL leaves nothing behind"
    );
    let sequence = graph.write_sequence().unwrap();
    drop(graph);
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    assert_eq!(graph.write_sequence().unwrap(), sequence, "kept across opening");
    assert!(graph.store().is_empty().unwrap());
}

#[test]
fn a_store_that_kept_its_sequence_inside_moves_it_out_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let layout = Layout::default();
    {
        let graph = Graph::open(dir.path(), layout.clone()).unwrap();
        load_demo(&graph, "northmoor", "northmoor.ttl");
    }
    // What an older civicgraph left: the sequence as a triple in graph/system, no file.
    std::fs::remove_file(dir.path().join("write-sequence")).unwrap();
    {
        let store = Store::open(dir.path().join("store")).unwrap();
        let system = NamedNode::new(format!("{}graph/system", layout.base())).unwrap();
        store
            .insert(QuadRef::new(
                &system,
                civicgraph_vocab::cg::WRITE_SEQUENCE,
                &Literal::new_typed_literal("1", oxigraph::model::vocab::xsd::INTEGER),
                &system,
            ))
            .unwrap();
    }
    let graph = Graph::open(dir.path(), layout).unwrap();
    assert_eq!(graph.write_sequence().unwrap(), 1);
    assert_eq!(graph.index_sequence().unwrap(), Some(1), "nothing to rebuild");
    assert_eq!(
        select_count(&graph, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g {} }"),
        1
    );
}

#[test]
fn open_rebuilds_a_missing_index() {
    let dir = tempfile::tempdir().unwrap();
    {
        let graph = Graph::open(dir.path(), Layout::default()).unwrap();
        load_demo(&graph, "southvale", "southvale.ttl");
    }
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    assert_eq!(graph.indexed_records(), 41);
    assert!(!graph.search("harbour bathing water", 5).unwrap().is_empty());
}

fn canonical(graph: &Graph) -> Dataset {
    let mut dataset: Dataset = graph.store().iter().map(Result::unwrap).collect();
    dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
    dataset
}

#[test]
fn dump_then_restore_yields_an_isomorphic_dataset() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "northmoor", "northmoor.ttl");
    load_demo(&graph, "cases", "case-studies.ttl");
    graph.ensure_vocabulary().unwrap();
    let original = canonical(&graph);
    assert!(original.len() > 2000, "{}", original.len());
    for format in [RdfFormat::NQuads, RdfFormat::TriG] {
        let mut dump = Vec::new();
        let count = graph.dump(format, &mut dump).unwrap();
        assert_eq!(count as usize, original.len());
        let restored = Graph::in_memory(Layout::default()).unwrap();
        restored.restore(format, dump.as_slice(), "dump", false).unwrap();
        assert_eq!(canonical(&restored), original, "{format} round trip");
        assert_eq!(restored.indexed_records(), graph.indexed_records());
        // A second restore into a store that now holds data is refused unless asked.
        assert!(restored.restore(format, dump.as_slice(), "dump", false).is_err());
        restored.restore(format, dump.as_slice(), "dump", true).unwrap();
        assert_eq!(canonical(&restored), original);
    }
}

#[test]
fn stats_count_graphs_and_types() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    load_demo(&graph, "westshire", "westshire.ttl");
    let stats = graph.stats().unwrap();
    let dataset_count = stats
        .types
        .iter()
        .find(|(t, _)| t == "http://www.w3.org/ns/dcat#Dataset")
        .map(|(_, n)| *n);
    assert_eq!(dataset_count, Some(43));
    let g = graph.layout().source_graph("westshire").unwrap();
    assert!(
        stats
            .graphs
            .iter()
            .any(|(name, n)| name == g.as_str() && *n > 1000)
    );
    assert_eq!(stats.index_sequence, Some(stats.write_sequence));
}

/// `n` datasets as triples: type, title and one extra statement each.
fn many_datasets(n: usize) -> Vec<Triple> {
    let dataset = NamedNode::new("http://www.w3.org/ns/dcat#Dataset").unwrap();
    let title = NamedNode::new("http://purl.org/dc/terms/title").unwrap();
    let keyword = NamedNode::new("http://www.w3.org/ns/dcat#keyword").unwrap();
    (0..n)
        .flat_map(|i| {
            let s = NamedNode::new(format!("http://ex/bulk/{i}")).unwrap();
            [
                Triple::new(s.clone(), oxigraph::model::vocab::rdf::TYPE, dataset.clone()),
                Triple::new(
                    s.clone(),
                    title.clone(),
                    Literal::new_simple_literal(format!("Gritting route {i}")),
                ),
                Triple::new(s, keyword.clone(), Literal::new_simple_literal("winter")),
            ]
        })
        .collect()
}

#[test]
fn a_large_write_into_an_empty_graph_is_bulk_loaded_whole_and_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    let g = graph.layout().source_graph("big").unwrap();
    let n = civicgraph_graph::BULK_MIN_QUADS / 3 + 10;
    let triples = many_datasets(n);
    // A batch that also removes is not bulk-loaded: the removal could not join the loader's
    // commit, and readers would see the new quads beside the old ones.
    let other = graph.layout().source_graph("other").unwrap();
    let old = Triple::new(
        NamedNode::new("http://ex/old").unwrap(),
        NamedNode::new("http://ex/p").unwrap(),
        Literal::new_simple_literal("x"),
    );
    graph
        .commit(WriteBatch::add_to_graph(other.as_ref(), [old.clone()]))
        .unwrap();
    let mut with_removal = WriteBatch::add_to_graph(
        graph.layout().source_graph("third").unwrap().as_ref(),
        many_datasets(n),
    );
    with_removal.remove([old.in_graph(other.clone())]);
    assert!(!graph.commit(with_removal).unwrap().bulk);
    let count_in = |name: &NamedNode| {
        select_count(
            &graph,
            &format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
                name.as_str()
            ),
        )
    };
    assert_eq!(count_in(&other), 0);

    // Tidy removals (a run's `running` status) leave the batch bulk-loadable, and are made.
    let running = Triple::new(
        NamedNode::new("http://ex/run").unwrap(),
        NamedNode::new("http://ex/status").unwrap(),
        Literal::new_simple_literal("running"),
    );
    graph
        .commit(WriteBatch::add_to_graph(other.as_ref(), [running.clone()]))
        .unwrap();
    let mut batch = WriteBatch::replace_graph(&g, triples.clone());
    batch.tidy([running.in_graph(other.clone())]);
    let report = graph.commit(batch).unwrap();
    assert!(report.bulk, "{report:?}");
    assert_eq!(count_in(&other), 0, "the tidy removal was made");
    assert_eq!(report.inserted, 3 * n);
    assert_eq!(report.reindexed, n);
    assert_eq!(count_in(&g), 3 * n);
    assert_eq!(
        graph.index_sequence().unwrap(),
        Some(graph.write_sequence().unwrap())
    );
    assert_eq!(
        graph.search("\"gritting route 17\"", 5).unwrap()[0].iri,
        "http://ex/bulk/17"
    );

    // Compacting merges the loader's files and changes nothing a reader sees.
    let sequence = graph.write_sequence().unwrap();
    graph.compact().unwrap();
    assert_eq!(count_in(&g), 3 * n);
    assert_eq!(graph.write_sequence().unwrap(), sequence);
    assert_eq!(graph.index_sequence().unwrap(), Some(sequence));

    // The graph is no longer empty: replacing it is a transaction again, and atomic.
    let report = graph
        .commit(WriteBatch::replace_graph(&g, many_datasets(n + 1)))
        .unwrap();
    assert!(!report.bulk);
    assert_eq!(graph.indexed_records(), (n + 1) as u64);
    drop(graph);
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    assert_eq!(
        select_count(
            &graph,
            &format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}",
                g.as_str()
            )
        ),
        3 * (n + 1)
    );
}

#[test]
fn a_deferred_index_catches_up_once_and_a_stop_before_that_is_repaired_at_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let graph = Graph::open(dir.path(), Layout::default()).unwrap();
        graph.defer_index();
        load_demo(&graph, "northmoor", "northmoor.ttl");
        load_demo(&graph, "southvale", "southvale.ttl");
        // Searches answer from the index as it was.
        assert!(graph.search("\"diffusion tube\"", 5).unwrap().is_empty());
        assert_ne!(
            graph.index_sequence().unwrap(),
            Some(graph.write_sequence().unwrap())
        );
        let indexed = graph.catch_up_index().unwrap();
        assert!(indexed > 80, "{indexed}");
        assert_eq!(
            graph.index_sequence().unwrap(),
            Some(graph.write_sequence().unwrap())
        );
        assert!(northmoor_hits(&graph) > 0);
        // After catching up, every write is followed again.
        load_demo(&graph, "westshire", "westshire.ttl");
        assert_eq!(
            graph.index_sequence().unwrap(),
            Some(graph.write_sequence().unwrap())
        );
        // A process that stops while deferring leaves the index behind ...
        graph.defer_index();
        let g = graph.layout().source_graph("northmoor").unwrap();
        graph.commit(WriteBatch::delete_graph(&g)).unwrap();
        assert!(northmoor_hits(&graph) > 0);
    }
    // ... and the next open rebuilds it.
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    assert_eq!(
        graph.index_sequence().unwrap(),
        Some(graph.write_sequence().unwrap())
    );
    assert_eq!(northmoor_hits(&graph), 0);
    assert!(
        !graph.search("\"diffusion tube\"", 5).unwrap().is_empty(),
        "the other sources stay"
    );
}

fn northmoor_hits(graph: &Graph) -> usize {
    let hits = graph.search("\"diffusion tube\"", 20).unwrap();
    hits.iter()
        .filter(|h| h.iri.starts_with("https://data.northmoor."))
        .count()
}

#[test]
fn a_large_restore_into_a_new_store_is_bulk_loaded_and_replacing_data_is_not() {
    let graph = Graph::in_memory(Layout::default()).unwrap();
    let source = graph.layout().source_graph("big").unwrap();
    graph
        .commit(WriteBatch::replace_graph(&source, many_datasets(5_000)))
        .unwrap();
    graph.ensure_vocabulary().unwrap();
    let original = canonical(&graph);
    let mut dump = Vec::new();
    graph.dump(RdfFormat::NQuads, &mut dump).unwrap();

    let restored = Graph::in_memory(Layout::default()).unwrap();
    // A new data directory holds the vocabulary already: still a first load.
    restored.ensure_vocabulary().unwrap();
    let report = restored
        .restore(RdfFormat::NQuads, dump.as_slice(), "dump", false)
        .unwrap();
    assert!(report.bulk, "{report:?}");
    assert_eq!(canonical(&restored), original);
    assert_eq!(restored.indexed_records(), 5_000);
    // The same records found in the same order; the scores may differ in the last digit,
    // since BM25's statistics are kept per segment and the two indexes were written apart.
    let found = |graph: &Graph| -> Vec<(String, String)> {
        let hits = graph.search("gritting route 17", 5).unwrap();
        hits.into_iter().map(|h| (h.iri, h.title)).collect()
    };
    assert_eq!(found(&restored), found(&graph));

    // Replacing a store that holds data is one transaction: readers never see it half done.
    let report = restored
        .restore(RdfFormat::NQuads, dump.as_slice(), "dump", true)
        .unwrap();
    assert!(!report.bulk, "{report:?}");
    assert_eq!(canonical(&restored), original);
}

/// The opening view (no text, no filter) is answered from what each index segment keeps:
/// its counts of all records and its records newest first. After each write it must equal
/// the same view searched the general way (a filter every record passes).
#[test]
fn the_opening_view_from_kept_segment_tables_follows_every_write() {
    use civicgraph_graph::{SearchRequest, SearchSort};
    let graph = Graph::in_memory(Layout::default()).unwrap();
    let opening = SearchRequest {
        facets: true,
        facet_size: 50,
        limit: 10,
        ..SearchRequest::default()
    };
    let mut general = opening.clone();
    general.filter.kinds = ["dataset", "case-study", "catalogue"].map(str::to_owned).to_vec();
    let check = |total: usize| {
        for (offset, sort) in [
            (0, SearchSort::Relevance),
            (7, SearchSort::Date),
            (40, SearchSort::Date),
        ] {
            let kept = graph
                .search_page(&SearchRequest {
                    offset,
                    sort,
                    ..opening.clone()
                })
                .unwrap();
            let searched = graph
                .search_page(&SearchRequest {
                    offset,
                    sort,
                    ..general.clone()
                })
                .unwrap();
            assert_eq!(kept.total, total);
            assert_eq!(kept, searched, "offset {offset}, {sort:?}");
        }
    };

    // Three sources indexed in one pass: their records share a segment.
    graph.defer_index();
    load_demo(&graph, "northmoor", "northmoor.ttl");
    load_demo(&graph, "westshire", "westshire.ttl");
    load_demo(&graph, "uk", "uk-datasets.ttl");
    graph.catch_up_index().unwrap();
    assert!(
        graph.warm_search().unwrap() >= 1,
        "the tables of the index's segments"
    );
    let all = graph.indexed_records() as usize;
    assert!(all > 45 + 43);
    check(all);
    let page = graph.search_page(&opening).unwrap();
    let types: Vec<(&str, u64)> = page.facets["type"]
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(types, [("dataset", all as u64 - 3), ("catalogue", 3)]);

    // The small source replaced by one dataset: few records touched, so the index follows
    // them, deleting theirs from the shared segment, whose kept counts are taken again.
    let uk = graph.layout().source_graph("uk").unwrap();
    let before = all;
    let ttl = "<http://ex/d> a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"Gritting routes\" .";
    graph
        .commit(
            WriteBatch::replace_graph_from_reader(&uk, RdfFormat::Turtle, ttl.as_bytes(), "v2.ttl").unwrap(),
        )
        .unwrap();
    let after = graph.indexed_records() as usize;
    assert!(after < before, "{after} records after, {before} before");
    check(after);
}

/// A store opened again loads nothing: the vocabulary (whose files hold blank nodes, named
/// anew by each parse) is the one it holds, so a restart writes nothing and leaves the write
/// sequence where the last refresh left it.
#[test]
fn opening_a_store_again_does_not_rewrite_the_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let sequence = {
        let graph = Graph::open(dir.path(), Layout::default()).unwrap();
        assert!(
            graph.ensure_vocabulary().unwrap(),
            "a new store gets the vocabulary"
        );
        graph.write_sequence().unwrap()
    };
    let graph = Graph::open(dir.path(), Layout::default()).unwrap();
    assert!(!graph.ensure_vocabulary().unwrap());
    assert_eq!(graph.write_sequence().unwrap(), sequence);
}

/// Quads of every kind the store encodes differently: IRIs and blank nodes short and long,
/// literals inline and stored apart, with languages short and long, typed and numeric; in
/// named graphs, a blank-node graph and the default graph; some given twice.
fn quads_of_every_encoding(n: usize) -> Vec<oxigraph::model::Quad> {
    use oxigraph::model::{BlankNode, GraphName, Quad, Term};
    let graphs: [GraphName; 4] = [
        NamedNode::new("http://ex/graph/one").unwrap().into(),
        NamedNode::new("http://example.org/a/rather/long/graph/name/two")
            .unwrap()
            .into(),
        BlankNode::new("graphnode").unwrap().into(),
        GraphName::DefaultGraph,
    ];
    let predicates =
        ["http://ex/p", "http://purl.org/dc/terms/title", "http://ex/q"].map(|p| NamedNode::new(p).unwrap());
    let mut quads = Vec::new();
    for i in 0..n {
        let subject: oxigraph::model::NamedOrBlankNode = if i % 5 == 0 {
            BlankNode::new(format!("b{i}")).unwrap().into()
        } else {
            NamedNode::new(format!("http://ex/s/{}", i % 97)).unwrap().into()
        };
        let object: Term = match i % 9 {
            0 => Literal::new_simple_literal("short").into(),
            1 => Literal::new_simple_literal(format!("a literal long enough to be stored apart {i}")).into(),
            2 => Literal::new_language_tagged_literal(format!("lang {i}"), "en")
                .unwrap()
                .into(),
            3 => Literal::new_language_tagged_literal(
                format!("a long Welsh text {i} ....."),
                "cy-gb-x-private-tag",
            )
            .unwrap()
            .into(),
            4 => Literal::from(i as i64).into(),
            5 => Literal::new_typed_literal("2026-12-05", oxigraph::model::vocab::xsd::DATE).into(),
            6 => Literal::new_typed_literal(format!("v{i}"), NamedNode::new("http://ex/datatype").unwrap())
                .into(),
            7 => NamedNode::new(format!("http://ex/o/{}", i % 13)).unwrap().into(),
            _ => BlankNode::new(format!("object{}", i % 7)).unwrap().into(),
        };
        let quad = Quad::new(subject, predicates[i % 3].clone(), object, graphs[i % 4].clone());
        if i % 11 == 0 {
            quads.push(quad.clone());
        }
        quads.push(quad);
    }
    quads
}

/// Asserts that `loaded` holds what `written` holds, read through every index: all quads,
/// then each bound position of every seventh of `quads`, and the named graphs.
fn assert_same_store(loaded: &Store, written: &Store, quads: &[oxigraph::model::Quad]) {
    use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, TermRef};
    loaded.validate().unwrap();
    let listed = |store: &Store,
                  s: Option<NamedOrBlankNodeRef<'_>>,
                  p: Option<oxigraph::model::NamedNodeRef<'_>>,
                  o: Option<TermRef<'_>>,
                  g: Option<GraphNameRef<'_>>| {
        let mut all = store
            .quads_for_pattern(s, p, o, g)
            .map(|q| q.unwrap().to_string())
            .collect::<Vec<_>>();
        all.sort();
        all
    };
    assert_eq!(
        listed(loaded, None, None, None, None),
        listed(written, None, None, None, None)
    );
    // Each bound position reads another index.
    for quad in quads.iter().step_by(7) {
        let s = Some(quad.subject.as_ref());
        let p = Some(quad.predicate.as_ref());
        let o = Some(quad.object.as_ref());
        let g = Some(quad.graph_name.as_ref());
        for (s, p, o, g) in [
            (s, None, None, None),
            (None, p, None, None),
            (None, None, o, None),
            (None, None, None, g),
            (s, None, None, g),
            (None, p, o, g),
            (None, None, o, g),
        ] {
            assert_eq!(listed(loaded, s, p, o, g), listed(written, s, p, o, g), "{quad}");
        }
    }
    let graphs = |store: &Store| {
        let mut all = store
            .named_graphs()
            .map(|g| g.unwrap().to_string())
            .collect::<Vec<_>>();
        all.sort();
        all
    };
    assert_eq!(graphs(loaded), graphs(written));
}

#[test]
fn the_bulk_loaders_borrowed_slices_store_what_a_transaction_stores() {
    let quads = quads_of_every_encoding(3_000);
    let (loaded_dir, written_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let loaded = Store::open(loaded_dir.path()).unwrap();
    let written = Store::open(written_dir.path()).unwrap();
    // Two threads whatever the machine, and two calls whose quads overlap: each call is one
    // file per index (its graphs, each smaller than the loader gives a file of its own,
    // share one in the indexes that start with the graph), so the second repeats keys of
    // the first.
    let mut loader = loaded.bulk_loader().with_num_threads(2);
    loader.load_quad_slice(&quads[..2_000]).unwrap();
    loader.load_quad_slice(&quads[1_000..]).unwrap();
    loader.commit().unwrap();
    written.extend(quads.iter().cloned()).unwrap();
    assert_same_store(&loaded, &written, &quads);
    assert!(written.len().unwrap() > 2_500, "{}", written.len().unwrap());
    assert_eq!(loaded.named_graphs().count(), 3);
}

/// A first harvest's writes: bulk loads while the store's merging is held, one graph after
/// another and several at once (each graph large enough for files of its own), small transactions between them, a graph dropped and one
/// replaced, then the one compaction, which merges the indexes that start with the graph
/// graph by graph and the others whole.
#[test]
fn a_store_compacted_graph_by_graph_after_held_bulk_loads_holds_what_transactions_wrote() {
    use oxigraph::model::{GraphName, GraphNameRef, Quad};
    let quads = quads_of_every_encoding(8_000);
    let graph_of = |quad: &Quad| quad.graph_name.clone();
    let mut by_graph: Vec<(GraphName, Vec<Quad>)> = Vec::new();
    for quad in &quads {
        match by_graph.iter_mut().find(|(graph, _)| *graph == graph_of(quad)) {
            Some((_, part)) => part.push(quad.clone()),
            None => by_graph.push((graph_of(quad), vec![quad.clone()])),
        }
    }
    let extra = |i: usize, graph: &str| {
        Quad::new(
            NamedNode::new(format!("http://ex/extra/{i}")).unwrap(),
            NamedNode::new("http://ex/p").unwrap(),
            Literal::new_simple_literal(format!("extra {i}")),
            NamedNode::new(graph).unwrap(),
        )
    };
    let dropped = NamedNode::new("http://ex/graph/one").unwrap();
    let replaced = NamedNode::new("http://example.org/a/rather/long/graph/name/two").unwrap();
    let replacement = (0..50).map(|i| extra(i, replaced.as_str())).collect::<Vec<_>>();

    let (loaded_dir, written_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let loaded = Store::open(loaded_dir.path()).unwrap();
    let written = Store::open(written_dir.path()).unwrap();
    loaded.prepare_for_bulk_ingest(true).unwrap();
    for (i, (_, part)) in by_graph.iter().enumerate() {
        // A small write into another graph between loads, as a harvest's status is.
        loaded
            .insert(&extra(1_000 + i, "http://ex/graph/status"))
            .unwrap();
        let mut loader = loaded.bulk_loader().with_num_threads(2);
        loader.load_quad_slice(part).unwrap();
        loader.commit().unwrap();
    }
    // All graphs at once, repeating what the loads above wrote.
    let mut loader = loaded.bulk_loader().with_num_threads(2);
    loader.load_quad_slice(&quads[..1_500]).unwrap();
    loader.commit().unwrap();
    loaded.remove_named_graph(dropped.as_ref()).unwrap();
    loaded
        .clear_graph(GraphNameRef::NamedNode(replaced.as_ref()))
        .unwrap();
    let mut loader = loaded.bulk_loader();
    loader.load_quad_slice(&replacement).unwrap();
    loader.commit().unwrap();
    loaded.optimize().unwrap();
    loaded.prepare_for_bulk_ingest(false).unwrap();

    for (i, _) in by_graph.iter().enumerate() {
        written
            .insert(&extra(1_000 + i, "http://ex/graph/status"))
            .unwrap();
    }
    written.extend(quads.iter().cloned()).unwrap();
    written.remove_named_graph(dropped.as_ref()).unwrap();
    written
        .clear_graph(GraphNameRef::NamedNode(replaced.as_ref()))
        .unwrap();
    written.extend(replacement.iter().cloned()).unwrap();

    // Each graph loaded on its own holds enough distinct quads for files of its own.
    for (graph, part) in &by_graph {
        let distinct = part.iter().collect::<std::collections::HashSet<_>>().len();
        assert!(distinct >= 1_000, "{graph}: {distinct}");
    }
    let mut compared = quads.clone();
    compared.extend(replacement);
    assert_same_store(&loaded, &written, &compared);
    assert_eq!(
        loaded
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(dropped.as_ref())))
            .count(),
        0
    );
    assert_eq!(
        loaded
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(replaced.as_ref())))
            .count(),
        50
    );
}
