//! Drives the real `civicgraph` binary: the commands a user types, their exit statuses,
//! and a `load` killed with SIGKILL part-way through.

use civicgraph_graph::{Graph, Layout};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use civicgraph_tests::cli::{command, kill_after, kill_points, ok, run};

const BIN: &str = env!("CARGO_BIN_EXE_civicgraph");

fn demo(file: &str) -> String {
    format!("{}/../datasets/demo/{file}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn load_query_search_stats_dump_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let loaded = run(
        BIN,
        &data,
        &["load", &demo("northmoor.ttl"), &demo("case-studies.ttl")],
    );
    let log = String::from_utf8_lossy(&loaded.stderr);
    assert!(loaded.status.success(), "{log}");
    assert!(log.contains("graph/source/northmoor>"), "{log}");

    let table = ok(&run(
        BIN,
        &data,
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/civicgraph/ns#CaseStudy> }",
        ],
    ));
    assert!(table.starts_with("n\n"), "{table}");
    assert!(table.contains("36\n(1 row)"), "{table}");
    let csv = ok(&run(
        BIN,
        &data,
        &["query", "--format", "csv", "SELECT ?n WHERE { BIND(1 AS ?n) }"],
    ));
    assert_eq!(csv.replace("\r\n", "\n"), "n\n1\n");

    let hits = ok(&run(BIN, &data, &["search", "--json", "nitrogen dioxide"]));
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();
    assert!(
        hits[0]["title"].as_str().unwrap().contains("nitrogen dioxide"),
        "{hits}"
    );

    let stats = ok(&run(BIN, &data, &["stats", "--json"]));
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["index_sequence"], stats["write_sequence"]);

    let dump = dir.path().join("graph.nq");
    ok(&run(BIN, &data, &["dump", "--output", dump.to_str().unwrap()]));
    let copy = dir.path().join("copy");
    ok(&run(BIN, &copy, &["restore", dump.to_str().unwrap()]));
    let again = ok(&run(
        BIN,
        &copy,
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/civicgraph/ns#CaseStudy> }",
        ],
    ));
    assert_eq!(again, table);
    // Restoring over data is refused unless asked.
    let refused = run(BIN, &copy, &["restore", dump.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds"));
}

#[test]
fn errors_exit_1_with_file_and_position_and_bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bad = dir.path().join("bad.ttl");
    std::fs::write(
        &bad,
        "<http://a> <http://b> <http://c> .\n<http://a> <http://b> \"unterminated .\n",
    )
    .unwrap();
    let output = run(BIN, &data, &["load", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("bad.ttl:2:"), "{message}");

    let output = run(BIN, &data, &["query", "SELECT WHERE"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SPARQL syntax error"));

    let output = run(BIN, &data, &["frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Writes an N-Triples file of `n` datasets, each a few triples, tagged with `version`.
fn big_file(path: &Path, n: usize, version: &str) -> usize {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..n {
        writeln!(file, "<http://ex/d{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .").unwrap();
        writeln!(
            file,
            "<http://ex/d{i}> <http://purl.org/dc/terms/title> \"Dataset {i} {version}\" ."
        )
        .unwrap();
        writeln!(file, "<http://ex/d{i}> <http://ex/version> \"{version}\" .").unwrap();
    }
    file.flush().unwrap();
    n * 3
}

#[test]
fn a_load_killed_part_way_leaves_the_old_or_the_new_version_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let v1 = dir.path().join("source.nt");
    let old_quads = big_file(&v1, 2_000, "v1");
    ok(&run(BIN, &data, &["load", v1.to_str().unwrap()]));
    let v2 = dir.path().join("v2").join("source.nt");
    std::fs::create_dir_all(v2.parent().unwrap()).unwrap();
    let new_quads = big_file(&v2, 20_000, "v2");

    // Time one whole load, then kill at seeded points from the start of the process to past
    // its end, so that kills land in start-up, parsing, the commit and the index update.
    let started = std::time::Instant::now();
    ok(&run(BIN, &data, &["load", v2.to_str().unwrap()]));
    let full = started.elapsed().as_millis() as u64;
    ok(&run(BIN, &data, &["load", v1.to_str().unwrap()]));
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for fraction in kill_points(0x5eed_c1c1, 12, 1.5) {
        let delay_ms = (full as f64 * fraction) as u64;
        kill_after(
            command(BIN, &data, &["load", v2.to_str().unwrap()]),
            Duration::from_millis(delay_ms),
        );

        let graph = Graph::open(&data, Layout::default()).unwrap();
        assert_eq!(
            graph.index_sequence().unwrap(),
            Some(graph.write_sequence().unwrap())
        );
        let g = graph.layout().source_graph("source").unwrap();
        let quads = graph
            .store()
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .count();
        let versions: std::collections::BTreeSet<String> = graph
            .store()
            .quads_for_pattern(
                None,
                Some(oxigraph::model::NamedNodeRef::new("http://ex/version").unwrap()),
                None,
                Some(g.as_ref().into()),
            )
            .map(|q| q.unwrap().object.to_string())
            .collect();
        let outcome = match (quads, versions.len()) {
            (q, 1) if q == old_quads && versions.contains("\"v1\"") => "old",
            (q, 1) if q == new_quads && versions.contains("\"v2\"") => "new",
            _ => panic!(
                "after a kill at {delay_ms} ms the source holds {quads} quads of versions {versions:?}"
            ),
        };
        // The index agrees with the store about which version is there.
        let indexed = graph.indexed_records() as usize;
        assert_eq!(indexed, if outcome == "old" { 2_000 } else { 20_000 });
        *outcomes.entry(outcome).or_default() += 1;
        drop(graph);
        if outcome == "new" {
            // Put the old version back so later kills test a real replace again.
            ok(&run(BIN, &data, &["load", v1.to_str().unwrap()]));
        }
    }
    eprintln!("full load {full} ms; kill outcomes: {outcomes:?}");
    assert!(
        outcomes.contains_key("old") && outcomes.contains_key("new"),
        "{outcomes:?}"
    );
}
