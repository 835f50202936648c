//! SIGKILL at seeded points during `tag`, `link` and a `serve` taking writes (the harvest and
//! `load` kills are in `harvest_cli.rs` and `cli.rs`). After each kill the store opens, the
//! index agrees with it, and what the killed process was writing is there whole or not at
//! all: the tags and links graphs equal one of their two complete versions, and every
//! update either landed entirely or not at all.

use civicgraph_graph::{Graph, Layout};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use civicgraph_tests::cli::{self, kill_after, kill_points};

/// `civicgraph --data DATA --config CONFIG ARGS...`, not yet run.
fn command(data: &Path, config: &Path, args: &[&str]) -> Command {
    let mut all = vec!["--config", config.to_str().expect("a UTF-8 path")];
    all.extend(args);
    cli::command(env!("CARGO_BIN_EXE_civicgraph"), data, &all)
}

fn run(data: &Path, config: &Path, args: &[&str]) -> u64 {
    let started = Instant::now();
    let status = command(data, config, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "civicgraph {args:?} failed");
    started.elapsed().as_millis() as u64
}

/// Opens the store and checks the index is in step with it.
fn open(data: &Path) -> Graph {
    let graph = Graph::open(data, Layout::default()).unwrap();
    assert_eq!(
        graph.index_sequence().unwrap(),
        Some(graph.write_sequence().unwrap()),
        "index behind the store"
    );
    graph
}

/// The content of a graph, without the tagging runs (whose IRIs and times differ).
fn fingerprint(graph: &Graph, name: &oxigraph::model::NamedNode) -> BTreeSet<String> {
    graph
        .store()
        .quads_for_pattern(None, None, None, Some(name.as_ref().into()))
        .map(|q| q.unwrap())
        .filter(|q| {
            !q.subject.to_string().contains("/tagging/") && !q.object.to_string().contains("/tagging/")
        })
        .map(|q| format!("{} {} {}", q.subject, q.predicate, q.object))
        .collect()
}

/// Two catalogues of `n` datasets that hold the same datasets under other IRIs.
fn catalogues(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut sources = String::new();
    for region in ["north", "south"] {
        let path = dir.join(format!("{region}.ttl"));
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(
            f,
            "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> ."
        )
        .unwrap();
        writeln!(
            f,
            "<https://{region}.example.org/catalog> a dcat:Catalog ; dct:title \"{region}\" ."
        )
        .unwrap();
        for i in 0..n {
            let topic = [
                "bus routes and timetables for residents",
                "inspections planned by risk",
                "council spending and budget analysis",
            ][i % 3];
            writeln!(
                f,
                "<https://{region}.example.org/d/{i}> a dcat:Dataset ; dct:title \"Dataset {i}: {topic}\" ; \
                 dct:description \"Records of {topic}, number {i}, kept by the council.\" ; dct:identifier \"shared-id-{i:06}\" .\n\
                 <https://{region}.example.org/catalog> dcat:dataset <https://{region}.example.org/d/{i}> ."
            )
            .unwrap();
        }
        f.flush().unwrap();
        sources.push_str(&format!(
            "[[source]]\nid = \"{region}\"\nkind = \"dcat\"\npath = {:?}\n\n",
            path.display().to_string()
        ));
    }
    let config = dir.join("base.toml");
    std::fs::write(&config, sources).unwrap();
    config
}

/// Kills `args` at each point of the schedule and checks `check` after each; returns the
/// number of kills.
fn kill_during(
    data: &Path,
    configs: [&Path; 2],
    args: &[&str],
    seed: u64,
    kills: usize,
    check: &dyn Fn(&Graph, usize),
) -> usize {
    // Time one full run each way; alternate the configurations so each run has work to do.
    let full = run(data, configs[1], args).max(run(data, configs[0], args));
    let mut done = 0;
    for (round, fraction) in kill_points(seed, kills, 1.2).into_iter().enumerate() {
        let target = configs[(round + 1) % 2];
        kill_after(
            command(data, target, args),
            Duration::from_millis((full as f64 * fraction) as u64),
        );
        check(&open(data), round);
        done += 1;
        // Bring the store to a known state for the next round.
        run(data, target, args);
        check(&open(data), round);
    }
    done
}

#[test]
fn tag_and_link_killed_part_way_leave_one_complete_version() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let base = catalogues(dir.path(), 1_500);
    let sources = std::fs::read_to_string(&base).unwrap();
    let with = |name: &str, extra: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{extra}\n{sources}")).unwrap();
        path
    };
    let (tag_low, tag_high) = (
        with(
            "tag-low.toml",
            "[tagging]\nthreshold = 0.5\ndataset_text = true\ndataset_threshold = 0.3",
        ),
        with("tag-high.toml", "[tagging]\nthreshold = 0.95\nnone_below = 0.95"),
    );
    let (link_all, link_none) = (
        with("link-all.toml", "[linking]\nmin_score = 0.5"),
        with("link-none.toml", "[linking]\nmin_score = 1.0"),
    );
    run(&data, &tag_low, &["harvest"]);

    // The two complete versions of each graph.
    let layout = Layout::default();
    let (tags, links) = (layout.tags_graph(), layout.links_graph());
    let version = |config: &Path, args: &[&str], name: &oxigraph::model::NamedNode| {
        run(&data, config, args);
        fingerprint(&open(&data), name)
    };
    let tag_versions = [
        version(&tag_low, &["tag"], &tags),
        version(&tag_high, &["tag"], &tags),
    ];
    assert_ne!(tag_versions[0], tag_versions[1]);
    let link_versions = [
        version(&link_all, &["link"], &links),
        version(&link_none, &["link"], &links),
    ];
    assert!(
        link_versions[0].len() > 1_500 * 5 && link_versions[1].is_empty(),
        "{}",
        link_versions[0].len()
    );

    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let tallies = std::cell::RefCell::new(&mut outcomes);
    // After each kill the graph must hold one complete version; which one is tallied.
    let one_of = |what: &'static str, name: &oxigraph::model::NamedNode, versions: &[BTreeSet<String>]| {
        let tallies = &tallies;
        let name = name.clone();
        let versions = versions.to_vec();
        move |graph: &Graph, round: usize| {
            let now = fingerprint(graph, &name);
            let which = versions.iter().position(|v| *v == now);
            assert!(
                which.is_some(),
                "round {round}: the {what} graph is neither complete version ({} quads)",
                now.len()
            );
            *tallies
                .borrow_mut()
                .entry(format!("{what} version {}", which.unwrap()))
                .or_default() += 1;
        }
    };
    let tag_kills = kill_during(
        &data,
        [&tag_low, &tag_high],
        &["tag"],
        0x7a9,
        5,
        &one_of("tags", &tags, &tag_versions),
    );
    let link_kills = kill_during(
        &data,
        [&link_all, &link_none],
        &["link"],
        0x11c,
        5,
        &one_of("links", &links, &link_versions),
    );
    eprintln!("kills: tag {tag_kills}, link {link_kills}, failures 0; states seen {outcomes:?}");
    assert_eq!(tag_kills + link_kills, 10);
}

/// Sends one HTTP request and returns the status code, or `None` if the server is gone.
fn request(port: u16, method: &str, path: &str, headers: &str, body: &str) -> Option<u16> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let message = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(message.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.get(9..12)?.parse().ok()
}

#[test]
fn a_server_killed_while_taking_writes_keeps_every_update_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, "[auth]\ntoken_env = \"FAULT_TEST_TOKEN\"\n").unwrap();
    let mut next = 0usize;
    let mut kills = 0;
    for fraction in kill_points(0x5e7, 6, 1.2) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = command(
            &data,
            &config,
            &["serve", "--no-demo", "--bind", &format!("127.0.0.1:{port}")],
        )
        .env("FAULT_TEST_TOKEN", "t0ken")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while request(port, "GET", "/healthz", "", "") != Some(200) {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        // A writer sends updates of one dataset with five triples each until the kill.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let stop = stop.clone();
            let mut i = next;
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let update = format!(
                        "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
                         INSERT DATA {{ GRAPH <http://example.org/g> {{ <http://example.org/d/{i}> a dcat:Dataset ;
                           dct:title \"Written {i}\" ; dct:description \"Air quality write {i}\" ;
                           dct:identifier \"w{i}\" ; dcat:keyword \"fault\" }} }}"
                    );
                    match request(
                        port,
                        "POST",
                        "/update",
                        "Authorization: Bearer t0ken\r\nContent-Type: application/sparql-update\r\n",
                        &update,
                    ) {
                        Some(204) | Some(200) => i += 1,
                        _ => break,
                    }
                }
                i
            })
        };
        std::thread::sleep(Duration::from_millis((1_500.0 * fraction) as u64));
        server.kill().unwrap();
        server.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        next = writer.join().unwrap() + 1;
        kills += 1;

        let graph = open(&data);
        let mut per_dataset = std::collections::BTreeMap::<String, usize>::new();
        for quad in graph.store().quads_for_pattern(None, None, None, None) {
            let quad = quad.unwrap();
            if quad.subject.to_string().starts_with("<http://example.org/d/") {
                *per_dataset.entry(quad.subject.to_string()).or_default() += 1;
            }
        }
        assert!(
            per_dataset.values().all(|&n| n == 5),
            "a partial update survived: {per_dataset:?}"
        );
        let indexed = graph.search("fault", 100_000).unwrap().len();
        assert_eq!(indexed, per_dataset.len(), "the index holds every stored update");
    }
    eprintln!("kills: serve with writes {kills}, failures 0; {next} updates sent");
    assert_eq!(kills, 6);
}
