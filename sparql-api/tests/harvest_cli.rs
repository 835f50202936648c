//! Drives `civicgraph harvest`, `harvests` and `validate` as a user would, and kills
//! harvests with SIGKILL part-way to show that the previous version of the source survives
//! whole and that no run is left `running`; and kills a new hub's first harvest, whose
//! tags and links are one write.

use civicgraph_graph::{Graph, Layout, QueryOptions};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use civicgraph_tests::cli::{self, kill_after, kill_points, ok};
use civicgraph_tests::net::{free_port, wait_until_serving};

/// `civicgraph --data DATA --config CONFIG ARGS...`, not yet run.
fn command(data: &Path, config: &Path, args: &[&str]) -> Command {
    let mut all = vec!["--config", config.to_str().expect("a UTF-8 path")];
    all.extend(args);
    cli::command(env!("CARGO_BIN_EXE_civicgraph"), data, &all)
}

fn civicgraph(data: &Path, config: &Path, args: &[&str]) -> Output {
    command(data, config, args).output().expect("run civicgraph")
}

/// A DCAT-AP catalogue of `n` datasets in Turtle, tagged with `version`.
fn catalogue(path: &Path, n: usize, version: &str) {
    catalogue_at(path, n, version, "region");
}

/// [`catalogue`] published at `{host}.example.org`: the same datasets under other IRIs,
/// their files still at `region.example.org` (so the linker finds each copy).
fn catalogue_at(path: &Path, n: usize, version: &str, host: &str) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        f,
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> ."
    )
    .unwrap();
    writeln!(
        f,
        "<https://{host}.example.org/catalog> a dcat:Catalog ; dct:title \"Region\" ."
    )
    .unwrap();
    for i in 0..n {
        writeln!(
            f,
            "<https://{host}.example.org/d/{i}> a dcat:Dataset ; dct:title \"Dataset {i} {version}\" ; \
             dct:description \"Air quality readings {version}\" ; dct:identifier \"{i}\" ; \
             dcat:distribution [ a dcat:Distribution ; dcat:accessURL <https://region.example.org/files/{i}.csv> ] .\n\
             <https://{host}.example.org/catalog> dcat:dataset <https://{host}.example.org/d/{i}> ."
        )
        .unwrap();
    }
    f.flush().unwrap();
}

fn config(path: &Path, source: &Path) {
    std::fs::write(
        path,
        format!(
            "[[source]]\nid = \"region\"\nkind = \"dcat\"\npath = {:?}\nregion = \"Testshire\"\n",
            source.display().to_string()
        ),
    )
    .unwrap();
}

#[test]
fn harvest_list_and_validate_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (data, cfg, file) = (
        dir.path().join("data"),
        dir.path().join("c.toml"),
        dir.path().join("cat.ttl"),
    );
    catalogue(&file, 25, "v1");
    config(&cfg, &file);
    let out = civicgraph(&data, &cfg, &["harvest"]);
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("region: read 25, kept 25, rejected 0 | added 25"),
        "{stderr}"
    );
    // The run leaves complete graph counts behind, the tags it streamed in included, so the
    // first VoID request after it counts nothing.
    {
        let kept: serde_json::Value =
            serde_json::from_slice(&std::fs::read(data.join("graph-counts.json")).unwrap()).unwrap();
        let graph = Graph::open(&data, Layout::default()).unwrap();
        assert_eq!(kept["sequence"], graph.write_sequence().unwrap());
        let tags = Layout::default().tags_graph();
        assert!(
            kept["counts"][tags.as_str()]["triples"].as_u64() > Some(0),
            "{kept}"
        );
    }
    let listed = ok(&civicgraph(&data, &cfg, &["harvests"]));
    assert!(
        listed.contains("region") && listed.contains("succeeded"),
        "{listed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&civicgraph(&data, &cfg, &["harvests", "--json"]))).unwrap();
    assert_eq!(json[0]["counts"]["added"], 25);
    // A second run finds nothing changed.
    let out = civicgraph(&data, &cfg, &["harvest", "--source", "region"]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("unchanged 25"));
    // An unknown source id is a clear error.
    let out = civicgraph(&data, &cfg, &["harvest", "--source", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"nope\""));
    // validate prints the DCAT-AP report and exits 1 on violations (no publisher here).
    let out = civicgraph(&data, &cfg, &["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("25 records"), "{report}");
    // A broken file fails the run, names the position, and keeps the previous version.
    std::fs::write(
        &file,
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<x> a dcat:Dataset , .",
    )
    .unwrap();
    let out = civicgraph(&data, &cfg, &["harvest"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cat.ttl") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert!(stderr.contains("(previous version kept)"), "{stderr}");
    let graph = Graph::open(&data, Layout::default()).unwrap();
    assert_eq!(graph.search("air quality", 100).unwrap().len(), 25);
    drop(graph);
    // Broken on its first harvest, a source has no previous version to keep, and the
    // harvest does not claim one.
    let fresh = dir.path().join("fresh-data");
    let out = civicgraph(&fresh, &cfg, &["harvest"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("(never harvested before: nothing of it is in the graph)")
            && !stderr.contains("previous version kept"),
        "{stderr}"
    );
}

/// The IRI the store gives the publisher with `dct:identifier "c_c773"`.
fn publisher_iri(data: &Path) -> String {
    let graph = Graph::open(data, Layout::default()).unwrap();
    let sparql = "SELECT ?p { ?p <http://purl.org/dc/terms/identifier> \"c_c773\" }";
    let QueryResults::Solutions(mut rows) = graph.query(sparql, &QueryOptions::default()).unwrap() else {
        panic!("not a SELECT");
    };
    let row = rows.next().expect("the publisher is stored").unwrap();
    match row.get("p") {
        Some(Term::NamedNode(p)) => p.as_str().to_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn relative_iris_in_a_file_resolve_against_its_url_or_the_configured_base() {
    let dir = tempfile::tempdir().unwrap();
    let (data, cfg, file) = (
        dir.path().join("data"),
        dir.path().join("c.toml"),
        dir.path().join("catalogo.rdf"),
    );
    // As the DCAT-AP_IT municipal exports write their publisher.
    std::fs::write(
        &file,
        r#"<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Catalog rdf:about="https://dati.example.it/">
    <dct:title>Comune</dct:title>
    <dct:publisher><rdf:Description rdf:about="c_c773"><dct:identifier>c_c773</dct:identifier></rdf:Description></dct:publisher>
    <dcat:dataset>
      <dcat:Dataset rdf:about="https://dati.example.it/bilancio">
        <dct:title>Bilancio preventivo</dct:title>
        <dct:description>Bilancio del comune</dct:description>
        <dct:publisher rdf:resource="c_c773"/>
      </dcat:Dataset>
    </dcat:dataset>
  </dcat:Catalog>
</rdf:RDF>
"#,
    )
    .unwrap();
    config(&cfg, &file);
    let out = civicgraph(&data, &cfg, &["harvest"]);
    ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("region: read 1, kept 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = reqwest::Url::from_file_path(file.canonicalize().unwrap()).unwrap();
    assert_eq!(publisher_iri(&data), url.join("c_c773").unwrap().as_str());
    // Where the file was published, when the config says so.
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("base = \"https://dati.example.it/\"\n");
    std::fs::write(&cfg, text).unwrap();
    ok(&civicgraph(&data, &cfg, &["harvest"]));
    assert_eq!(publisher_iri(&data), "https://dati.example.it/c_c773");
    // validate and load read the file the same way.
    let out = civicgraph(&data, &cfg, &["validate", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 records"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ok(&civicgraph(
        &data,
        &cfg,
        &[
            "load",
            "--base",
            "https://dati.example.it/",
            file.to_str().unwrap(),
        ],
    ));
}

#[test]
fn a_harvest_killed_part_way_leaves_the_previous_version_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (data, cfg) = (dir.path().join("data"), dir.path().join("c.toml"));
    let (v1, v2) = (dir.path().join("v1.ttl"), dir.path().join("v2.ttl"));
    catalogue(&v1, 500, "v1");
    catalogue(&v2, 3_000, "v2");
    let graph_of = |data: &Path| {
        let graph = Graph::open(data, Layout::default()).unwrap();
        assert_eq!(
            graph.index_sequence().unwrap(),
            Some(graph.write_sequence().unwrap())
        );
        graph
    };
    let versions = |graph: &Graph| -> (usize, std::collections::BTreeSet<String>) {
        let g = graph.layout().source_graph("region").unwrap();
        let title = oxigraph::model::NamedNodeRef::new("http://purl.org/dc/terms/title").unwrap();
        let titles: Vec<String> = graph
            .store()
            .quads_for_pattern(None, Some(title), None, Some(g.as_ref().into()))
            .map(|q| q.unwrap().object.to_string())
            .collect();
        let versions = titles
            .iter()
            .filter_map(|t| t.trim_matches('"').rsplit(' ').next().map(str::to_owned))
            .filter(|v| v.starts_with('v'))
            .collect();
        (titles.len() - 1, versions)
    };
    config(&cfg, &v1);
    ok(&civicgraph(&data, &cfg, &["harvest"]));
    config(&cfg, &v2);
    let started = std::time::Instant::now();
    ok(&civicgraph(&data, &cfg, &["harvest"]));
    let full = started.elapsed().as_millis() as u64;
    config(&cfg, &v1);
    ok(&civicgraph(&data, &cfg, &["harvest"]));
    config(&cfg, &v2);
    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for fraction in kill_points(0x0dd_ba11, 8, 8.0 / 6.0) {
        let delay_ms = (full as f64 * fraction) as u64;
        kill_after(
            command(&data, &cfg, &["harvest"]),
            Duration::from_millis(delay_ms),
        );
        let graph = graph_of(&data);
        let (datasets, found) = versions(&graph);
        let outcome = match (datasets, found.len()) {
            (500, 1) if found.contains("v1") => "old",
            (3_000, 1) if found.contains("v2") => "new",
            _ => panic!("after a kill at {delay_ms} ms the source holds {datasets} datasets of {found:?}"),
        };
        let indexed = graph.search("air quality", 10_000).unwrap().len();
        assert_eq!(indexed, datasets, "the index holds the stored version");
        drop(graph);
        *outcomes.entry(outcome).or_default() += 1;
        if outcome == "new" {
            config(&cfg, &v1);
            ok(&civicgraph(&data, &cfg, &["harvest"]));
            config(&cfg, &v2);
        }
    }
    // The next harvest marks any run a kill left `running` as failed.
    ok(&civicgraph(&data, &cfg, &["harvest"]));
    let runs: serde_json::Value =
        serde_json::from_str(&ok(&civicgraph(&data, &cfg, &["harvests", "--json"]))).unwrap();
    let statuses: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(!statuses.contains(&"running"), "{statuses:?}");
    eprintln!("full harvest {full} ms; kill outcomes {outcomes:?}; run statuses {statuses:?}");
    assert!(
        outcomes.contains_key("old") && outcomes.contains_key("new"),
        "{outcomes:?}"
    );
}

/// A real municipal export names its formats `rdf:resource="CSV"`: read from a file with no
/// `base`, they became paths on the harvesting machine. The harvest says so, and says what
/// to set; with `base` it says nothing.
#[test]
fn a_file_whose_relative_iris_named_local_paths_is_warned_of() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/catalog-exports-real/dcat-ap-it/ComunediAlessandria-catalog.rdf");
    if !file.exists() {
        eprintln!("../shared/data is absent; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let harvest = |base: &str| {
        std::fs::write(
            &cfg,
            format!(
                "[[source]]\nid = \"alessandria\"\nkind = \"dcat\"\npath = {:?}\n{base}",
                file.display().to_string()
            ),
        )
        .unwrap();
        let out = civicgraph(&dir.path().join("data"), &cfg, &["harvest"]);
        ok(&out);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = harvest("");
    assert!(
        stderr.contains("warning: source alessandria: ")
            && stderr.contains("relative IRIs resolved against the file's own URL")
            && stderr.contains("dcat-ap-it/CSV>")
            && stderr.contains("set base"),
        "{stderr}"
    );
    let stderr = harvest("base = \"https://github.com/ComunediAlessandria/open-data/\"\n");
    assert!(!stderr.contains("relative IRIs"), "{stderr}");
}

/// What a data directory holds after a first harvest of two sources: each source's
/// datasets, the tags graph's assignments and the links graph's `owl:sameAs` statements.
#[derive(Debug, PartialEq)]
struct FirstHarvest {
    datasets: Vec<usize>,
    assignments: std::collections::BTreeSet<String>,
    same_as: std::collections::BTreeSet<String>,
}

impl FirstHarvest {
    fn of(data: &Path) -> Self {
        let graph = Graph::open(data, Layout::default()).unwrap();
        let layout = graph.layout();
        let store = graph.store();
        let dataset = oxigraph::model::NamedNodeRef::new("http://www.w3.org/ns/dcat#Dataset").unwrap();
        let datasets = ["region", "copy"]
            .iter()
            .map(|source| {
                let g = layout.source_graph(source).unwrap();
                store
                    .quads_for_pattern(
                        None,
                        Some(oxigraph::model::vocab::rdf::TYPE),
                        Some(dataset.into()),
                        Some(g.as_ref().into()),
                    )
                    .count()
            })
            .collect();
        let statements = |graph: oxigraph::model::NamedNode, predicate: &str| {
            let predicate = oxigraph::model::NamedNode::new(predicate).unwrap();
            store
                .quads_for_pattern(None, Some(predicate.as_ref()), None, Some(graph.as_ref().into()))
                .map(|q| {
                    let q = q.unwrap();
                    format!("{} {}", q.subject, q.object)
                })
                .collect()
        };
        Self {
            datasets,
            assignments: statements(
                layout.tags_graph(),
                "https://w3id.org/civicgraph/ns#patternAssignment",
            ),
            same_as: statements(layout.links_graph(), "http://www.w3.org/2002/07/owl#sameAs"),
        }
    }
}

/// A new hub's first harvest writes its sources, then tags and links every record in one
/// write. Killed anywhere, each source is absent or whole, and the tags and the links are
/// both absent or both complete; the next harvest leaves what an unkilled one leaves.
#[test]
fn a_first_harvest_killed_part_way_is_completed_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let (region, copy) = (dir.path().join("region.ttl"), dir.path().join("copy.ttl"));
    catalogue_at(&region, 1_500, "v1", "region");
    catalogue_at(&copy, 1_500, "v1", "copy");
    std::fs::write(
        &cfg,
        format!(
            "[[source]]\nid = \"region\"\nkind = \"dcat\"\npath = {:?}\n\n\
             [[source]]\nid = \"copy\"\nkind = \"dcat\"\npath = {:?}\n",
            region.display().to_string(),
            copy.display().to_string()
        ),
    )
    .unwrap();
    let reference = dir.path().join("reference");
    let started = std::time::Instant::now();
    ok(&civicgraph(&reference, &cfg, &["harvest"]));
    let full = started.elapsed().as_millis() as u64;
    let whole = FirstHarvest::of(&reference);
    assert_eq!(whole.datasets, [1_500, 1_500]);
    assert_eq!(whole.assignments.len(), 3_000, "every dataset tagged once");
    assert_eq!(whole.same_as.len(), 1_500, "every copy linked");

    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for (round, fraction) in kill_points(0xf1257, 10, 1.0).into_iter().enumerate() {
        let data = dir.path().join(format!("killed-{round}"));
        let delay_ms = (full as f64 * fraction) as u64;
        kill_after(
            command(&data, &cfg, &["harvest"]),
            Duration::from_millis(delay_ms),
        );
        // A kill before the data directory was made leaves nothing to look at.
        if data.exists() {
            let held = FirstHarvest::of(&data);
            assert!(
                held.datasets.iter().all(|n| [0, 1_500].contains(n)),
                "after a kill at {delay_ms} ms a source is part-written: {:?}",
                held.datasets
            );
            let outcome = match (held.assignments.is_empty(), held.same_as.is_empty()) {
                (true, true) if held.datasets == [1_500, 1_500] => "harvested, neither tagged nor linked",
                (true, true) => "neither tagged nor linked",
                (false, false) => {
                    assert_eq!(held, whole, "after a kill at {delay_ms} ms");
                    "tagged and linked"
                }
                _ => panic!(
                    "after a kill at {delay_ms} ms the tags ({}) and the links ({}) are apart",
                    held.assignments.len(),
                    held.same_as.len()
                ),
            };
            *outcomes.entry(outcome).or_default() += 1;
        }
        ok(&civicgraph(&data, &cfg, &["harvest"]));
        assert_eq!(
            FirstHarvest::of(&data),
            whole,
            "the harvest after a kill at {delay_ms} ms"
        );
    }
    eprintln!("full first harvest {full} ms; kill outcomes {outcomes:?}");
    assert!(outcomes.contains_key("tagged and linked"), "{outcomes:?}");
}

/// A free port on the loopback interface.
/// Dataset IRIs and titles, as N-Triples terms, in `triples`.
fn titles(
    triples: impl Iterator<Item = oxigraph::model::Triple>,
) -> std::collections::BTreeSet<(String, String)> {
    let triples: Vec<_> = triples.collect();
    let datasets: std::collections::HashSet<String> = triples
        .iter()
        .filter(|t| t.object.to_string() == "<http://www.w3.org/ns/dcat#Dataset>")
        .map(|t| t.subject.to_string())
        .collect();
    triples
        .iter()
        .filter(|t| {
            t.predicate.as_str() == "http://purl.org/dc/terms/title"
                && datasets.contains(&t.subject.to_string())
        })
        .map(|t| (t.subject.to_string(), t.object.to_string()))
        .collect()
}

#[test]
fn one_instance_harvests_another_through_its_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut hub = Command::new(env!("CARGO_BIN_EXE_civicgraph"))
        .arg("--data")
        .arg(dir.path().join("hub"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("CIVICGRAPH_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_serving(port, Duration::from_secs(60));
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        format!("[harvest]\ndelay_ms = 0\n\n[[source]]\nid = \"hub\"\nkind = \"dcat\"\nurl = \"http://127.0.0.1:{port}/catalog?page_size=40\"\n"),
    )
    .unwrap();
    let data = dir.path().join("peer");
    let out = civicgraph(&data, &cfg, &["harvest"]);
    hub.kill().unwrap();
    hub.wait().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    // 171 datasets, 36 case studies and the SPARQL endpoint as a data service.
    assert!(
        stderr.contains("hub: read 208, kept 208, rejected 0 | added 208"),
        "{stderr}"
    );
    assert!(
        stderr.contains("| 0 DCAT-AP violations"),
        "the republished catalogue conforms: {stderr}"
    );
    // Every dataset of the demo files arrived with its IRI and title.
    let mut expected = std::collections::BTreeSet::new();
    for file in [
        "northmoor.ttl",
        "southvale.ttl",
        "westshire.ttl",
        "uk-datasets.ttl",
        "case-studies.ttl",
    ] {
        let path = format!("{}/../datasets/demo/{file}", env!("CARGO_MANIFEST_DIR"));
        let quads = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
            .for_reader(std::fs::File::open(path).unwrap())
            .map(|q| oxigraph::model::Triple::from(q.unwrap()));
        expected.extend(titles(quads));
    }
    let graph = Graph::open(&data, Layout::default()).unwrap();
    let g = graph.layout().source_graph("hub").unwrap();
    let harvested = titles(
        graph
            .store()
            .quads_for_pattern(None, None, None, Some(g.as_ref().into()))
            .map(|q| oxigraph::model::Triple::from(q.unwrap())),
    );
    assert_eq!(expected.len(), 171);
    assert_eq!(harvested, expected);
}
