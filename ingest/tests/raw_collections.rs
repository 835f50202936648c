//! The real case collections in `../shared/data` (and the samples of the US federal AI
//! inventory, of data.gouv.fr's reuses, of Code for Germany's projects and of Italian
//! public bodies' software descriptions kept in `datasets/tagger/sources`), harvested as
//! their publishers give them, read as the tagger's labelled set reads them: the same
//! title, description, keywords and who acts for every labelled case, so the tags a harvest
//! gives are the tags the model was trained and measured on. The labelled set's text
//! (`datasets/tagger/cases.json`) was built from these files by `build_pool.py` and
//! `build_cases.py`; this is the check that the mapper and those scripts agree.

use civicgraph_graph::Record;
use civicgraph_ingest::enrich::mapped_document::MappedDocument;
use civicgraph_ingest::enrich::tag::{TagSettings, Tagger};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn shared(path: &str) -> Option<PathBuf> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(path);
    file.is_file().then_some(file)
}

/// Every record of a file mapped as a harvest maps it, by its identifier.
fn records(path: &Path) -> BTreeMap<String, Record> {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    let document = MappedDocument::map(&bytes, name, None).unwrap();
    let mut reader = document.reader();
    let mut out = BTreeMap::new();
    for iri in &document.records {
        let record = reader.read(iri.as_ref()).unwrap().unwrap();
        let id = record
            .identifiers
            .first()
            .cloned()
            .unwrap_or_else(|| record.iri.clone());
        out.insert(id, record);
    }
    out
}

fn collapse(texts: &[String]) -> String {
    texts.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the tagger reads of a record, whitespace aside.
fn tagger_input(record: &Record) -> (String, String, Vec<String>, Vec<String>) {
    let mut actors = record.actors.clone();
    actors.sort();
    let mut keywords = record.keywords.clone();
    keywords.sort();
    (
        collapse(&record.titles),
        collapse(&record.descriptions),
        keywords,
        actors,
    )
}

/// The patterns a record is given and how sure each is (the evidence quotes the text as
/// written, line breaks and all, so it is left out).
fn tags(tagger: &Tagger, record: &Record) -> Vec<(String, String)> {
    tagger
        .infer(record)
        .unwrap()
        .iter()
        .map(|a| (a.pattern.clone(), format!("{:.6}", a.confidence)))
        .collect()
}

#[test]
fn raw_collection_files_read_as_the_labelled_set_and_get_its_tags() {
    let collections = [
        ("org", "open-data-use-organisations/org_profiles.json", 1_000),
        (
            "ips",
            "public-service-innovation-cases/ips-explorer/cases.json",
            800,
        ),
        (
            "aiw",
            "public-service-innovation-cases/ai-watch-t6/services.json",
            20,
        ),
    ];
    let tagger_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/tagger");
    let labelled = records(&tagger_dir.join("cases.json"));
    let tagger = Tagger::new(&TagSettings::default()).unwrap();
    // The samples kept in this repository, each in its publisher's format (the US federal
    // AI inventory with its own column names, data.gouv.fr's reuses in the portal's
    // semicolon-separated export) or civicgraph's case-study CSV (Code for Germany's
    // project pages, Italian public bodies' software descriptions): always here.
    let kept = [
        ("fai", "sources/us-federal-ai-inventory-2025.csv", 380),
        ("dgf", "sources/data-gouv-fr-reuses-2022.csv", 900),
        ("cfd", "sources/codefor-de-projects.csv", 125),
        ("pcy", "sources/publiccode-it.csv", 160),
    ];
    let collections = collections
        .into_iter()
        .map(|(prefix, path, at_least)| (prefix, path, at_least, shared(path)))
        .chain(
            kept.into_iter()
                .map(|(prefix, path, at_least)| (prefix, path, at_least, Some(tagger_dir.join(path)))),
        );
    for (prefix, path, at_least, file) in collections {
        let Some(file) = file else {
            eprintln!("skipped: ../shared/data/{path} is not here");
            continue;
        };
        let raw = records(&file);
        let mut compared = 0;
        for (id, case) in labelled
            .iter()
            .filter(|(id, _)| id.starts_with(&format!("{prefix}:")))
        {
            let raw_id = &id[prefix.len() + 1..];
            let harvested = raw
                .get(raw_id)
                .unwrap_or_else(|| panic!("{path}: no record {raw_id} for labelled case {id}"));
            assert_eq!(tagger_input(harvested), tagger_input(case), "{path}: {id}");
            assert_eq!(tags(&tagger, harvested), tags(&tagger, case), "{path}: {id}");
            compared += 1;
        }
        assert!(
            compared >= at_least,
            "{path}: only {compared} labelled cases compared"
        );
    }
}

#[test]
fn an_impact_map_profile_is_a_case_study_with_its_uses_and_who_acts() {
    let Some(file) = shared("open-data-use-organisations/org_profiles.json") else {
        eprintln!("skipped: the Open Data Impact Map profiles are not here");
        return;
    };
    let raw = records(&file);
    assert_eq!(raw.len(), 1_132, "every profile is a case study");
    let with_actor = raw.values().filter(|r| !r.actors.is_empty()).count();
    // For-profit, Nonprofit and Developer group say who acts; "Other" mostly does not.
    assert!(with_actor >= 1_072, "{with_actor}");
    let used = raw
        .values()
        .filter(|r| {
            r.descriptions
                .iter()
                .any(|d| d.contains("Products and services:"))
        })
        .count();
    assert!(used > 200, "{used} profiles describe their products and services");
}
