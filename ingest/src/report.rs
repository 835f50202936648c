//! What one read of a source produced: its triples and the report that explains them.
//!
//! Every mapper ends in [`finish`], which applies the rules common to all source kinds:
//! blank nodes and records without IRIs get stable IRIs, dates are normalised, records are
//! validated against DCAT-AP 3.0.1, and in strict mode violating records are dropped.

use crate::dates::{DATE_PROPERTIES, DateOutcome};
use crate::mint::Minter;
use crate::records::Partition;
use crate::shacl::{Background, Severity, Shapes, Violation, validate_graph};
use crate::source_graph::SourceGraph;
use civicgraph_graph::GraphCounts;
use oxigraph::model::{Term, Triple};
use rustc_hash::FxHashSet;
use std::collections::HashSet;

/// A record or document that could not be taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// The record (IRI, identifier or title) or document it is about.
    pub record: String,
    /// Where: a document with line and column, a page, or a record number.
    pub position: String,
    /// Why.
    pub reason: String,
}

/// The report of one read of a source.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// The documents (files, URLs, pages) read.
    pub documents: Vec<String>,
    /// Records read (datasets, data services, case studies; not catalogues).
    pub records_read: usize,
    /// Records kept after validation (all of them unless strict).
    pub records_kept: usize,
    /// Records and documents not taken.
    pub rejections: Vec<Rejection>,
    /// What was repaired or kept as it was (an unparseable date, a number as a title, ...).
    pub warnings: Vec<String>,
    /// DCAT-AP violations of the kept records (after a harvest, only the first
    /// [`crate::provenance::MAX_STORED_RESULTS`], as many as are stored with the run).
    pub violations: Vec<Violation>,
    /// Validation results in all, when `violations` was cut to the first of them; else 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub results_total: usize,
    /// Of those, the ones of severity `sh:Violation`.
    #[serde(skip_serializing_if = "is_zero")]
    pub violations_total: usize,
    /// What fetching the source cost (nothing for files).
    pub transfer: crate::fetch::Transfer,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// Adds a rejection.
    pub fn reject(
        &mut self,
        record: impl Into<String>,
        position: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.rejections.push(Rejection {
            record: record.into(),
            position: position.into(),
            reason: reason.into(),
        });
    }

    /// Violations of severity `sh:Violation` (not warnings or info).
    pub fn violation_count(&self) -> usize {
        if self.results_total > 0 {
            return self.violations_total;
        }
        self.violations
            .iter()
            .filter(|v| v.severity == Severity::Violation)
            .count()
    }

    /// Validation results of any severity.
    pub fn result_count(&self) -> usize {
        self.results_total.max(self.violations.len())
    }

    /// Keeps the first `n` validation results and the counts of all. A harvest of a
    /// catalogue of many thousand records that break a rule each would otherwise hold
    /// (and print) hundreds of thousands of results per source, for every source of the
    /// run: 300,000 results per 25,000 datasets here, about 5 GB at a million datasets.
    pub fn keep_first_results(&mut self, n: usize) {
        if self.violations.len() > n {
            self.violations_total = self.violation_count();
            self.results_total = self.violations.len();
            self.violations.truncate(n);
            self.violations.shrink_to_fit();
        }
    }
}

/// A source's content after mapping, ready for the store.
#[derive(Debug, Clone, Default)]
pub struct SourceOutput {
    /// Every triple of the source, with minted IRIs in place of blank nodes.
    pub triples: Vec<Triple>,
    /// What happened.
    pub report: Report,
    /// The triples cut into records.
    pub partition: Partition,
    /// What VoID counts of `triples`, when known ([`SourceGraph::counts`]).
    pub counts: Option<GraphCounts>,
}

/// Options that hold for every source kind.
#[derive(Debug, Clone, Default)]
pub struct FinishOptions {
    /// The validation profile's shapes; `None`: DCAT-AP 3.0.1.
    pub shapes: Option<std::sync::Arc<Shapes>>,
    /// Drop records with DCAT-AP violations (severity `sh:Violation`) instead of keeping and
    /// flagging them.
    pub strict: bool,
    /// Skip validation altogether (the case-study kind, whose records are not DCAT).
    pub skip_validation: bool,
    /// The mapper counted the records it read itself (an incremental harvest reads only the
    /// changed ones, though the result holds them all).
    pub read_counted: bool,
}

/// Mints IRIs, normalises dates, writes typed values as the store keeps them, validates,
/// and (strict) drops violating records.
pub fn finish(
    triples: Vec<Triple>,
    minter: &Minter,
    mut report: Report,
    options: FinishOptions,
) -> SourceOutput {
    let mut triples = minter.skolemize(triples);
    let (spelled, first) = crate::literals::unwrap_spelled(&mut triples);
    if let Some(first) = first {
        report.warnings.push(format!(
            "{spelled} literal(s) held another literal's syntax as their text (\"\\\"text\\\"@lang\", first at {first}): \
             read as the literals they spell"
        ));
    }
    normalise_dates(&mut triples, &mut report);
    crate::iris::repair(&mut triples, &mut report);
    // In the form the store gives back, so that a harvest of the same source compares equal.
    crate::literals::make_canonical(&mut triples);
    let first: Vec<bool> = {
        let mut seen: FxHashSet<&Triple> = FxHashSet::default();
        seen.reserve(triples.len());
        triples.iter().map(|t| seen.insert(t)).collect()
    };
    if first.contains(&false) {
        triples = triples
            .into_iter()
            .zip(first)
            .filter_map(|(t, first)| first.then_some(t))
            .collect();
    }
    // One interned graph for cutting into records and validating.
    let (mut partition, violations, mut counts) = {
        let graph = SourceGraph::new(&triples);
        let partition = Partition::of_graph(&graph);
        let counts = graph.counts();
        let violations = if options.skip_validation {
            Vec::new()
        } else {
            let shapes = options.shapes.as_deref().unwrap_or_else(|| Shapes::dcat_ap_3());
            validate_graph(shapes, &graph, Some(Background::dcat_ap()))
        };
        (partition, violations, Some(counts))
    };
    if !options.read_counted {
        report.records_read += partition.counted().count();
    }
    report.violations = violations;
    if options.strict {
        // The record each violating node belongs to.
        let mut owner_of: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for record in partition.records.values() {
            for &i in &record.triples {
                owner_of.insert(triples[i].subject.to_string(), record.subject.as_str());
            }
        }
        let dropped: HashSet<String> = report
            .violations
            .iter()
            .filter(|v| v.severity == Severity::Violation)
            .filter_map(|v| owner_of.get(&v.focus).map(|r| (*r).to_owned()))
            .filter(|r| partition.records.get(r).is_some_and(|p| p.kind != "catalogue"))
            .collect();
        for subject in &dropped {
            report.reject(
                subject.clone(),
                "",
                "dropped by --strict: breaks DCAT-AP 3.0.1 (see the validation results)",
            );
        }
        report
            .violations
            .retain(|v| owner_of.get(&v.focus).is_none_or(|r| !dropped.contains(*r)));
        drop(owner_of);
        if !dropped.is_empty() {
            triples = crate::records::remove_records(triples, &dropped);
            partition = Partition::of(&triples);
            counts = None;
        }
    }
    report.records_kept = partition.counted().count();
    SourceOutput {
        triples,
        report,
        partition,
        counts,
    }
}

fn normalise_dates(triples: &mut [Triple], report: &mut Report) {
    for t in triples.iter_mut() {
        if !DATE_PROPERTIES.contains(&t.predicate.as_ref()) {
            continue;
        }
        if let Term::Literal(literal) = &t.object {
            match crate::dates::normalise(literal) {
                DateOutcome::Unchanged => {}
                DateOutcome::Normalised(new) => t.object = new.into(),
                DateOutcome::NotADate => report.warnings.push(format!(
                    "{} {}: {} is not a date civicgraph understands; kept as it was",
                    t.subject, t.predicate, literal
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf_document::parse;
    use civicgraph_graph::Layout;
    use oxigraph::io::RdfFormat;

    const CATALOGUE: &str = r#"
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <http://c> a dcat:Catalog ; dct:title "C" ; dct:description "D" ; dct:publisher <http://org> ;
            dcat:dataset <http://good>, <http://bad> .
        <http://org> a foaf:Agent ; foaf:name "Org" .
        <http://good> a dcat:Dataset ; dct:title "Good" ; dct:description "Complete" .
        <http://bad> a dcat:Dataset ; dct:title "No description" ;
            dcat:distribution [ a dcat:Distribution ; dcat:accessURL <http://x/1.csv> ] .
    "#;

    fn run(strict: bool) -> SourceOutput {
        let triples = parse(CATALOGUE.as_bytes(), RdfFormat::Turtle, None, "c.ttl").unwrap();
        let minter = Minter::new(&Layout::default(), "s").unwrap();
        let options = FinishOptions {
            strict,
            ..FinishOptions::default()
        };
        finish(triples, &minter, Report::default(), options)
    }

    #[test]
    fn violating_records_are_flagged_by_default_and_dropped_when_strict() {
        let flagged = run(false);
        assert_eq!((flagged.report.records_read, flagged.report.records_kept), (2, 2));
        assert!(
            flagged
                .report
                .violations
                .iter()
                .any(|v| v.focus == "<http://bad>")
        );
        let strict = run(true);
        assert_eq!((strict.report.records_read, strict.report.records_kept), (2, 1));
        assert_eq!(strict.report.rejections.len(), 1);
        assert_eq!(strict.report.rejections[0].record, "<http://bad>");
        assert!(strict.report.violations.iter().all(|v| v.focus != "<http://bad>"));
        let text: Vec<String> = strict.triples.iter().map(ToString::to_string).collect();
        assert!(
            !text
                .iter()
                .any(|t| t.contains("http://bad") || t.contains("1.csv")),
            "{text:#?}"
        );
        assert!(text.iter().any(|t| t.contains("http://good")));
    }

    #[test]
    fn a_report_cut_to_its_first_results_keeps_the_counts_of_all() {
        let mut report = run(false).report;
        let results = report.violations.len();
        let severe = report.violation_count();
        assert!(results >= 1, "{results}");
        report.keep_first_results(results - 1);
        assert_eq!(report.violations.len(), results - 1);
        assert_eq!(report.result_count(), results);
        assert_eq!(report.violation_count(), severe);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["results_total"], results);
        // Cutting to more than there are changes nothing.
        let mut whole = run(false).report;
        whole.keep_first_results(1_000);
        assert_eq!(whole.result_count(), results);
        assert!(
            serde_json::to_value(&whole)
                .unwrap()
                .get("results_total")
                .is_none()
        );
    }
}
