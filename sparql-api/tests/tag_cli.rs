//! `civicgraph tag`, `tag --explain`, `link`, `eval-tagger` and `eval-linker` as a user runs
//! them, and a harvest that tags and links what it harvested.

use civicgraph_tests::cli::run;
use std::path::Path;
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_civicgraph");

fn ok(output: &Output) -> (String, String) {
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert!(output.status.success(), "failed: {err}");
    (out, err)
}

#[test]
fn explain_shows_patterns_scores_and_evidence_for_text_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (text, _) = ok(&run(
        BIN,
        &data,
        &[
            "tag",
            "--explain",
            "A chatbot answers residents' questions about council services",
        ],
    ));
    assert!(
        text.starts_with("text\n  ACCESS (inferred, confidence 0."),
        "{text}"
    );
    assert!(text.contains("(access rule: \""), "{text}");
    assert!(text.contains("  scores: access 0."), "{text}");
    // Markup, addresses and line breaks are not words: the quotes read as prose.
    let (html, _) = ok(&run(
        BIN,
        &data,
        &[
            "tag",
            "--explain",
            "<p>A chatbot answers residents'\r\n\r\nquestions about council services.</p> See <a href=\"https://example.org/bot\">https://example.org/bot</a>",
        ],
    ));
    assert!(
        html.contains("\"A chatbot answers residents' questions"),
        "{html}"
    );
    assert!(
        !html.contains('<') && !html.contains("example.org") && !html.contains('\r'),
        "{html}"
    );

    let (json, _) = ok(&run(
        BIN,
        &data,
        &["tag", "--json", "--explain", "List of cheeses of France"],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["assignments"][0]["pattern"], "none", "{json}");

    let (file, _) = ok(&run(
        BIN,
        &data,
        &["tag", "--explain", "datasets/demo/case-studies.json"],
    ));
    assert_eq!(
        file.matches("(curated, confidence 1.000)").count(),
        20 + 17 + 15,
        "{file}"
    );
}

/// A real CKAN `package_search` response explained as a file gives each package's tags (the
/// portal unknown, under a placeholder), none of them a pattern its text does not name; a
/// document that holds no dataset or case study says so rather than printing nothing.
#[test]
fn explain_reads_a_real_ckan_response_and_says_when_a_document_holds_no_record() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let empty = dir.path().join("catalogue-only.ttl");
    std::fs::write(
        &empty,
        "<http://example.org/c> a <http://www.w3.org/ns/dcat#Catalog> .\n",
    )
    .unwrap();
    let refused = run(BIN, &data, &["tag", "--explain", &empty.display().to_string()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("catalogue-only.ttl: no dataset or case study in this document"),
        "{err}"
    );

    // A CKAN response read from a portal: `--base` names its packages as a harvest of that
    // portal would; a base that is no web address is refused.
    let package = dir.path().join("package_show.json");
    std::fs::write(
        &package,
        r#"{"success": true, "result": {"id": "7f3c", "name": "school-inspections",
            "title": "School inspection results",
            "notes": "Inspectors use these results to decide which schools to visit first."}}"#,
    )
    .unwrap();
    let package = package.display().to_string();
    let (json, _) = ok(&run(
        BIN,
        &data,
        &[
            "tag",
            "--json",
            "--explain",
            &package,
            "--base",
            "https://data.example.org",
        ],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json[0]["record"], "https://data.example.org/dataset/7f3c",
        "{json}"
    );
    // A dataset's own text is not read for patterns by default, however plainly it names
    // its use: the explanation says so, and that its scores decided nothing.
    assert_eq!(json[0]["assignments"][0]["pattern"], "none", "{json}");
    assert_eq!(json[0]["scores_decide"], false, "{json}");
    let (text, _) = ok(&run(
        BIN,
        &data,
        &["tag", "--explain", &package, "--base", "https://data.example.org"],
    ));
    assert!(
        text.contains("    no case study uses it (a dataset's own text is not read for patterns")
            && text.contains("  its text would score (not read for a dataset's patterns): access 0."),
        "{text}"
    );
    let refused = run(
        BIN,
        &data,
        &["tag", "--explain", &package, "--base", "data.example.org"],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("expected an http(s) address"));

    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/ckan-api-responses/data-birmingham-gov-uk/package_search.json");
    if !file.exists() {
        eprintln!("../shared/data is absent; skipped");
        return;
    }
    let (json, _) = ok(&run(
        BIN,
        &data,
        &["tag", "--json", "--explain", &file.display().to_string()],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let explained = json.as_array().unwrap();
    assert_eq!(explained.len(), 10, "{json}");
    for record in explained {
        assert!(
            record["record"]
                .as_str()
                .unwrap()
                .starts_with("urn:civicgraph:unknown-portal/dataset/"),
            "{record}"
        );
        // A council's monthly spending file: its long description (a transparency code,
        // an FOI address, CKAN's "Data and Resources") names no use of the data, so no
        // pattern, however public-sector its words.
        assert_eq!(record["assignments"][0]["pattern"], "none", "{record}");
        assert_eq!(record["assignments"].as_array().unwrap().len(), 1, "{record}");
    }
}

#[test]
fn a_harvest_tags_and_links_and_tag_and_link_rerun_without_changes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut config = String::new();
    for region in ["westshire", "northmoor", "southvale"] {
        config.push_str(&format!(
            "[[source]]\nid = \"{region}\"\nkind = \"dcat\"\npath = \"{}\"\n\n",
            root.join(format!("datasets/demo/{region}.ttl")).display()
        ));
    }
    config.push_str(&format!(
        "[[source]]\nid = \"cases\"\nkind = \"case-studies\"\npath = \"{}\"\n",
        root.join("datasets/demo/case-studies.json").display()
    ));
    let config_path = dir.path().join("civicgraph.toml");
    std::fs::write(&config_path, config).unwrap();
    let config_arg = config_path.display().to_string();

    let (_, log) = ok(&run(BIN, &data, &["--config", &config_arg, "harvest"]));
    assert!(log.contains("tagged 199 records (36 curated,"), "{log}");
    assert!(
        log.contains("linked 163 datasets: 8 links in 8 clusters"),
        "{log}"
    );

    let (summary, _) = ok(&run(BIN, &data, &["--config", &config_arg, "tag", "--json"]));
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(
        (summary["added"].as_u64(), summary["removed"].as_u64()),
        (Some(0), Some(0)),
        "{summary}"
    );
    let (links, _) = ok(&run(BIN, &data, &["--config", &config_arg, "link", "--json"]));
    let links: serde_json::Value = serde_json::from_str(&links).unwrap();
    assert_eq!(links["links"], 8);
    assert_eq!(links["added"], 0);

    let (explained, _) = ok(&run(
        BIN,
        &data,
        &[
            "tag",
            "--explain",
            "https://data.westshire.example.gov.uk/id/dataset/gritting-routes",
        ],
    ));
    assert!(
        explained.starts_with("https://data.westshire.example.gov.uk/id/dataset/gritting-routes\n  title: "),
        "{explained}"
    );
    let missing = run(BIN, &data, &["tag", "--explain", "https://example.org/not-here"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is not a dataset or case study in the store"));
}

#[test]
fn the_evaluations_print_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cases = dir.path().join("cases.tsv");
    let (tagger, _) = ok(&run(
        BIN,
        &data,
        &[
            "eval-tagger",
            "--folds",
            "3",
            "--untuned",
            "--cases",
            cases.to_str().unwrap(),
        ],
    ));
    // Three folds have no tunings: the encoder's are for five, and it says so.
    let refused = run(
        BIN,
        &data,
        &["eval-tagger", "--folds", "3", "--cross-validation-only"],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("5 fold tunings for 3 folds (--untuned reads every fold untuned)"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // A broken fold tuning is refused when the tunings are read, naming the file and the
    // byte, before any fold is scored.
    let folds = dir.path().join("folds");
    std::fs::create_dir(&folds).unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../ingest/tagger/folds");
    for k in 0..5 {
        for ext in ["cga", "ids"] {
            let name = format!("fold-{k}.{ext}");
            std::fs::copy(format!("{shipped}/{name}"), folds.join(&name)).unwrap();
        }
    }
    let broken = folds.join("fold-2.cga");
    std::fs::write(&broken, &std::fs::read(&broken).unwrap()[..1000]).unwrap();
    let refused = run(
        BIN,
        &data,
        &[
            "eval-tagger",
            "--cross-validation-only",
            "--fold-tunings",
            folds.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("the sentence encoder: ")
            && stderr
                .contains("fold-2.cga is not a tuning of the embedding model: the file ends early at byte"),
        "{stderr}"
    );
    // The committed split says how many cases each side holds.
    let split = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../datasets/tagger/split.tsv"
    ))
    .unwrap();
    let side = |name: &str| {
        split
            .lines()
            .filter(|l| l.ends_with(&format!("\t{name}")))
            .count()
    };
    let (train, test) = (side("train"), side("test"));
    // At least a fifth of the cases, and under a quarter.
    assert!(
        5 * test >= train + test && 4 * test < train + test && test > 400,
        "{train} {test}"
    );
    // Every training case as the fold that left it out scored it, and no test case.
    let cases = std::fs::read_to_string(&cases).unwrap();
    let mut rows = cases.lines();
    assert_eq!(
        rows.next(),
        Some(
            "case\tlabelled\ttagged\tright\taccess\taccess confidence\tplanning\t\
             planning confidence\tpolicy\tpolicy confidence"
        )
    );
    let rows: Vec<Vec<&str>> = rows.map(|row| row.split('\t').collect()).collect();
    assert_eq!(rows.len(), train);
    let test_ids: std::collections::HashSet<&str> = split
        .lines()
        .filter(|l| l.ends_with("\ttest"))
        .filter_map(|l| l.split('\t').next())
        .collect();
    for row in &rows {
        assert_eq!(row.len(), 10, "{row:?}");
        assert!(
            !test_ids.contains(row[0]),
            "a test case in the cross-validation: {row:?}"
        );
        assert_eq!(row[3], if row[1] == row[2] { "yes" } else { "no" }, "{row:?}");
    }
    let wrong = rows.iter().filter(|row| row[3] == "no").count();
    assert!(
        wrong > 0 && wrong < train / 2,
        "{wrong} of {train} cases tagged otherwise"
    );
    assert!(
        tagger.starts_with(&format!(
            "3-fold cross-validation on the training split ({train} cases) (the sentence encoder untuned)."
        )),
        "{tagger}"
    );
    assert!(
        tagger.contains(&format!(
            "held-out test split ({test} cases), trained on the {train} training cases and 800 translations of them."
        )),
        "the test split is scored apart: {tagger}"
    );
    // Other languages, each scored by the folds' models on the cases they never saw.
    for language in ["de", "en", "es", "fr", "it"] {
        assert!(
            tagger.contains(&format!("\n| {language} | 200 | 0.")),
            "{language}: {tagger}"
        );
    }
    for row in [
        "| labelled \\ tagged | P1 | P2 | P3 | NONE |",
        "| P1 access |",
        "| P2 planning |",
        "| P3 policy |",
        "| NONE |",
        "| **macro** |",
        "| 0.9–1.0 |",
        "| collection | cases | macro-F1 | P1 | P2 | P3 | NONE | right at ≥ 0.8 |",
    ] {
        assert!(tagger.contains(row), "{row} in {tagger}");
    }
    // Each collection is scored apart, in the cross-validation and in the test split.
    for collection in ["ips", "org", "fai"] {
        assert_eq!(
            tagger.matches(&format!("| `{collection}:` |")).count(),
            2,
            "{collection} in {tagger}"
        );
    }
    let (linker, _) = ok(&run(BIN, &data, &["eval-linker", "--json"]));
    let linker: serde_json::Value = serde_json::from_str(&linker).unwrap();
    assert_eq!(linker["originals"], 127);
    assert_eq!(linker["false_positives"], 0, "{linker}");
}
