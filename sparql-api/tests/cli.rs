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

/// Quads per graph of the graph-store writes made while `dump` runs through the server.
const PER_GRAPH: usize = 200;

fn graph_body(round: usize) -> String {
    (0..PER_GRAPH)
        .map(|i| format!("<http://ex/backup/s{i}> <http://ex/backup/round> \"{round}\" .\n"))
        .collect()
}

/// Per written graph, the rounds whose quads it holds and how many of each.
fn rounds_per_graph(nquads: &[u8]) -> std::collections::BTreeMap<String, Vec<(String, usize)>> {
    let mut counts: std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>> =
        Default::default();
    for quad in oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads).for_slice(nquads) {
        let quad = quad.expect("the dump parses");
        if let oxigraph::model::GraphName::NamedNode(g) = &quad.graph_name
            && g.as_str().starts_with("http://ex/backup/")
        {
            *counts
                .entry(g.as_str().to_owned())
                .or_default()
                .entry(quad.object.to_string())
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|(g, rounds)| (g, rounds.into_iter().collect()))
        .collect()
}

#[test]
fn dump_while_a_server_holds_the_store_goes_through_it_and_matches_the_offline_dump() {
    use civicgraph_tests::net::{free_port, http_status, wait_until_serving};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&run(BIN, &data, &["load", &demo("northmoor.ttl")]));
    let port = free_port();
    let mut server = command(
        BIN,
        &data,
        &["serve", "--no-demo", "--bind", &format!("127.0.0.1:{port}")],
    )
    .env("CIVICGRAPH_UPDATE_TOKEN", "s3cret")
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    wait_until_serving(port, Duration::from_secs(60));

    // Graph-store writes, one graph replaced whole each time, for as long as dumps run.
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = {
        let (writing, written) = (writing.clone(), written.clone());
        std::thread::spawn(move || {
            let mut round = 0;
            while writing.load(std::sync::atomic::Ordering::Relaxed) {
                let path = format!("/store?graph=http%3A%2F%2Fex%2Fbackup%2F{}", round % 5);
                let status = http_status(
                    port,
                    "PUT",
                    &path,
                    &[
                        ("Authorization", "Bearer s3cret"),
                        ("Content-Type", "application/n-triples"),
                    ],
                    graph_body(round).as_bytes(),
                );
                assert!(matches!(status, Some(201 | 204)), "PUT answered {status:?}");
                round += 1;
                written.store(round, std::sync::atomic::Ordering::Relaxed);
            }
            round
        })
    };
    let during = dir.path().join("during.nq");
    let mut seen = std::collections::BTreeSet::new();
    // At least four dumps, and as many more as it takes for several writes to land
    // between them: a slow machine writes more slowly than it dumps this small store.
    let mut dumps = 0;
    while dumps < 4 || (written.load(std::sync::atomic::Ordering::Relaxed) < 3 && dumps < 500) {
        dumps += 1;
        let out = command(BIN, &data, &["dump", "-o", during.to_str().unwrap()])
            .env("CIVICGRAPH_UPDATE_TOKEN", "s3cret")
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(log.contains("held by the server"), "{log}");
        for (graph, rounds) in rounds_per_graph(&std::fs::read(&during).unwrap()) {
            assert_eq!(rounds.len(), 1, "{graph} mixes writes: {rounds:?}");
            assert_eq!(rounds[0].1, PER_GRAPH, "{graph} holds part of a write");
            seen.insert(rounds[0].0.clone());
        }
    }
    writing.store(false, std::sync::atomic::Ordering::Relaxed);
    let rounds = writer.join().unwrap();
    assert!(rounds > 1 && !seen.is_empty(), "{rounds} writes, seen {seen:?}");

    // Without the token, the server refuses and the command says why.
    let refused = command(BIN, &data, &["dump", "-o", during.to_str().unwrap()])
        .env_remove("CIVICGRAPH_UPDATE_TOKEN")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{refused:?}"
    );

    // Quiescent: the dump through the server equals the one made once it has stopped.
    let online = dir.path().join("online.nq");
    let out = command(BIN, &data, &["dump", "-o", online.to_str().unwrap()])
        .env("CIVICGRAPH_UPDATE_TOKEN", "s3cret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    server.wait().unwrap();
    assert!(
        !data.join("serving").exists(),
        "the announcement goes with the server"
    );
    let offline = dir.path().join("offline.nq");
    let out = run(BIN, &data, &["dump", "-o", offline.to_str().unwrap()]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !log.contains("held by the server"),
        "{log}"
    );
    assert_eq!(
        std::fs::read(&online).unwrap(),
        std::fs::read(&offline).unwrap(),
        "online and offline dumps of a quiescent store are the same bytes"
    );
}
