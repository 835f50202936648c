//! Walks every catalogue and case-study file under `../shared/data` through the mapper a
//! harvest would use. Each file must either be ingested or be rejected with an error naming
//! the file (and, for syntax errors, the line and column); nothing may panic. The files the
//! SOURCES.md notes call deliberately broken must be rejected or repaired with a warning.
//!
//! It also writes the per-file table of `docs/ingest-shared-data.md` (records read, kept,
//! rejected, violations) to `target/ingest-shared-data.md`; set
//! `CIVICGRAPH_WRITE_TABLE=1` to rewrite the committed copy.

use civicgraph_graph::Layout;
use civicgraph_ingest::document::{self, DocumentKind};
use civicgraph_ingest::fetch::file_base_iri;
use civicgraph_ingest::mint::Minter;
use civicgraph_ingest::report::{FinishOptions, Report, finish};
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    dir.is_dir().then_some(dir)
}

/// Folders that hold no catalogues (the SPARQL test suite) are skipped, and so are files
/// that are documentation or catalogue metadata of the case collections.
fn wanted(path: &Path) -> bool {
    let text = path.to_string_lossy();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if text.contains("w3c-sparql11-tests") || text.contains("portal-registries") {
        return false;
    }
    if name.ends_with(".md") || name.ends_with(".txt") || name.ends_with(".tsv") {
        return false;
    }
    if text.contains("public-service-innovation-cases") {
        return (name.ends_with(".json") || name.ends_with(".csv")) && !name.contains("catalog");
    }
    !name.ends_with(".csv")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if wanted(&path) {
            out.push(path);
        }
    }
}

struct Row {
    file: String,
    kind: String,
    outcome: Result<Report, String>,
}

fn ingest(path: &Path, root: &Path) -> Row {
    let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
    let bytes = std::fs::read(path).unwrap();
    let Some(kind) = DocumentKind::guess(&name, &bytes) else {
        return Row {
            file: name.clone(),
            kind: "unknown".to_owned(),
            outcome: Err(format!(
                "{name}: not a catalogue or case-study document civicgraph reads"
            )),
        };
    };
    let minter = Minter::new(&Layout::default(), "walk").unwrap();
    let mut report = Report::default();
    // As a harvest of a `path` source: relative IRIs resolve against the file's URL.
    let base = file_base_iri(path).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        document::map(
            kind,
            &bytes,
            &name,
            None,
            None,
            Some(&base),
            "https://ckan.example.org",
            &minter,
            &mut report,
        )
    }));
    let outcome = match outcome {
        Err(_) => panic!("{name}: the mapper panicked"),
        Ok(Err(error)) => Err(error.to_string()),
        Ok(Ok(triples)) => {
            let options = FinishOptions {
                strict: false,
                skip_validation: matches!(kind, DocumentKind::CaseStudiesCsv | DocumentKind::CaseStudiesJson),
                read_counted: false,
                shapes: None,
            };
            Ok(finish(triples, &minter, report, options).report)
        }
    };
    Row {
        file: name,
        kind: format!("{kind:?}"),
        outcome,
    }
}

#[test]
fn every_shared_file_is_ingested_or_rejected_with_its_name() {
    let Some(root) = shared() else {
        eprintln!("../shared/data is absent; skipped");
        return;
    };
    let mut paths = Vec::new();
    files(&root, &mut paths);
    assert!(paths.len() > 250, "only {} files found", paths.len());
    let rows: Vec<Row> = paths.iter().map(|p| ingest(p, &root)).collect();
    let mut table = String::from(
        "| file | kind | read | kept | rejected | violations | warnings | outcome |\n|---|---|---:|---:|---:|---:|---:|---|\n",
    );
    let (mut ingested, mut refused, mut records) = (0, 0, 0);
    for row in &rows {
        match &row.outcome {
            Ok(r) => {
                ingested += 1;
                records += r.records_read;
                table.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | ingested |\n",
                    row.file,
                    row.kind,
                    r.records_read,
                    r.records_kept,
                    r.rejections.len(),
                    r.violation_count(),
                    r.warnings.len()
                ));
            }
            Err(message) => {
                refused += 1;
                assert!(
                    message.contains(&row.file),
                    "an error that does not name its file: {message}"
                );
                let short: String = message
                    .replace('|', "/")
                    .replace('\n', " ")
                    .chars()
                    .take(160)
                    .collect();
                table.push_str(&format!(
                    "| {} | {} | | | | | | refused: {short} |\n",
                    row.file, row.kind
                ));
            }
        }
    }
    let summary = format!(
        "{} files: {ingested} ingested ({records} records), {refused} refused with an error naming the file.\n\n",
        rows.len()
    );
    let text = format!(
        "# Ingesting every file in shared/data\n\nWritten by `ingest/tests/shared_data.rs` (`CIVICGRAPH_WRITE_TABLE=1 cargo test -p civicgraph-ingest --test shared_data`).\n`read` counts datasets, data services and case studies; `violations` are DCAT-AP 3.0.1 results of severity Violation (ranges included); case studies are not DCAT and are not validated.\n\n{summary}{table}"
    );
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ingest-shared-data.md");
    std::fs::write(&target, &text).unwrap();
    if std::env::var_os("CIVICGRAPH_WRITE_TABLE").is_some() {
        std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ingest-shared-data.md"),
            &text,
        )
        .unwrap();
    }
    eprintln!("{summary}");
    assert!(records > 2500, "{records} records");
}

fn outcome_of(relative: &str) -> Option<Row> {
    let root = shared()?;
    Some(ingest(&root.join(relative), &root))
}

#[test]
fn the_deliberately_broken_files_are_refused_with_a_position_or_repaired() {
    let Some(_) = shared() else {
        return;
    };
    // Refused, with line and column.
    for file in [
        "dcat-ap-de/2024-02-22_UAG_Beispieldatensatz_v1.ttl",
        "ckanext-dcat/examples/dcat/dataset.ttl",
    ] {
        let row = outcome_of(file).unwrap();
        let error = row.outcome.expect_err(file);
        assert!(error.contains(file) && error.contains("line "), "{error}");
    }
    // data.europa.eu's N-Triples with relative IRIs: read as Turtle, the record kept, and
    // a warning naming the file and the line that broke N-Triples.
    for file in [
        "catalog-exports-real/data-europa-eu-edp-records/edp-2020-06-06/kriminalstatistik.nt",
        "catalog-exports-real/data-europa-eu-edp-records/edp-2020-06-06/zinkbelastung.nt",
    ] {
        let report = outcome_of(file).unwrap().outcome.expect(file);
        assert_eq!((report.records_read, report.records_kept), (1, 1), "{file}");
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains(file) && w.contains("line ") && w.contains("read as Turtle")),
            "{file}: {:#?}",
            report.warnings
        );
        // Their machine-translated titles are literals spelled inside strings.
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("read as the literals they spell")),
            "{file}: {:#?}",
            report.warnings
        );
    }
    // JSON-LD with a remote context that is not bundled: refused, naming the context.
    let row = outcome_of("ckanext-dcat/examples/croissant/full_croissant_dataset.jsonld").unwrap();
    assert!(row.outcome.is_err());
    // data.json samples: broken records rejected or repaired with warnings.
    let row = outcome_of("data-gov-us-datajson/samples-HEAD/missing-dataset-fields.data.json").unwrap();
    assert_eq!(row.outcome.unwrap().rejections.len(), 1);
    let row = outcome_of("data-gov-us-datajson/samples-HEAD/missing-identifier-title.data.json").unwrap();
    let report = row.outcome.unwrap();
    assert!(
        report.warnings.iter().any(|w| w.contains("identifier")),
        "{:#?}",
        report.warnings
    );
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.path.as_deref() == Some("<http://purl.org/dc/terms/title>"))
    );
}

#[test]
fn relative_iris_in_a_file_resolve_against_the_file() {
    let Some(_) = shared() else {
        return;
    };
    // The Italian municipal exports name their publisher `rdf:about="c_c773"`: every record
    // is read, none lost to one relative IRI.
    for file in [
        "catalog-exports-real/dcat-ap-it/Comune-Civitavecchia-catalog.rdf",
        "catalog-exports-real/dcat-ap-it/ComunediAlessandria-catalog.rdf",
    ] {
        let report = outcome_of(file).unwrap().outcome.expect(file);
        assert!(
            report.records_read >= 5,
            "{file}: {} records",
            report.records_read
        );
        assert_eq!(report.records_kept, report.records_read, "{file}");
    }
}

#[test]
fn the_bundled_shapes_and_contexts_are_the_semic_release_files_unchanged() {
    let Some(root) = shared() else {
        return;
    };
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let release = root.join("semic-dcat-ap/releases");
    for (bundled, original) in [
        ("shapes/dcat-ap-SHACL.ttl", "3.0.1/shacl/dcat-ap-SHACL.ttl"),
        ("contexts/dcat-ap-3.0.1.jsonld", "3.0.1/context/dcat-ap.jsonld"),
        (
            "contexts/dcat-ap-3-examples.jsonld",
            "3.0.1/html/examples/context.jsonld",
        ),
        (
            "contexts/dcat-ap-hvd-3.0.0.jsonld",
            "3.0.0-hvd/context/hvd.jsonld",
        ),
    ] {
        assert_eq!(
            std::fs::read(here.join(bundled)).unwrap(),
            std::fs::read(release.join(original)).unwrap(),
            "{bundled} differs from the SEMIC release's {original}"
        );
    }
}
