//! How the tags a dataset takes from its own text compare with labels: a catalogue file
//! (mapped as a harvest maps it, each dataset tagged by the same code as a store's, used by
//! no case study) and a labels file of its datasets (`datasets/tagger/datasets/`). The
//! model learnt from case studies, which say how data was used; a catalogue entry rarely
//! says, so what matters most here is how often a pattern a dataset is given is right.

use crate::enrich::mapped_document::MappedDocument;
use crate::enrich::tag::explain::explain_mapped;
use crate::enrich::tag::{Tagger, document_records, pattern_code};
use crate::error::{IngestError, Result};
use crate::tools::tag_eval::{Judged, LabelMetrics, confusion_markdown, metrics};
use crate::tools::train::{Half, parse_labels, parse_split, read_file};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The catalogue file of a labelled set of datasets.
pub const CATALOGUE: &str = "sample.data.json";
/// Its labels.
pub const LABELS: &str = "labels.tsv";
/// Which half each labelled dataset is in: `train` (what a dataset rule may be chosen
/// on) or `test` (scored, never chosen on).
pub const SPLIT: &str = "split.tsv";

/// The figures of a labelled set of datasets: each half of the split, and each dataset
/// labelled or tagged with a pattern.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DatasetEvaluation {
    /// The `train` half's figures, then the `test` half's.
    pub halves: Vec<DatasetFigures>,
    /// Each dataset labelled or tagged with a pattern, in the labels' order.
    pub cases: Vec<DatasetCase>,
}

/// The figures of one half of a labelled set of datasets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DatasetFigures {
    /// `train` or `test`.
    pub half: String,
    /// Labelled datasets scored.
    pub datasets: usize,
    /// P1, P2, P3, NONE.
    pub labels: Vec<LabelMetrics>,
    /// Right and all patterns assigned (every one at `dataset_threshold` or above).
    pub assigned: (usize, usize),
    /// Rows: the labels a dataset carries; columns: the labels assigned (P1, P2, P3, NONE).
    pub confusion: [[usize; 4]; 4],
}

/// One dataset that was labelled or tagged with a pattern.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DatasetCase {
    /// Its identifier in the catalogue.
    pub id: String,
    /// `train` or `test`.
    pub half: String,
    /// Its title.
    pub title: String,
    /// The patterns it is labelled with; empty for NONE.
    pub labelled: BTreeSet<String>,
    /// The patterns it was tagged with, and their confidences; empty for NONE.
    pub tagged: Vec<(String, f64)>,
}

/// Tags every dataset of `dir`'s catalogue as a harvest would and scores the tags against
/// `dir`'s labels. A label naming a dataset the catalogue lacks is an error naming it.
pub fn evaluate_datasets(tagger: &Tagger, dir: &Path) -> Result<DatasetEvaluation> {
    let read = |name: &str| read_file(&dir.join(name));
    let (catalogue, labels_bytes) = (read(CATALOGUE)?, read(LABELS)?);
    let catalogue_name = dir.join(CATALOGUE).display().to_string();
    let labels_name = dir.join(LABELS).display().to_string();
    let halves = parse_split(&read(SPLIT)?, &dir.join(SPLIT).display().to_string())?;
    let document = MappedDocument::map(&catalogue, &catalogue_name, None)?;
    let ids: BTreeMap<String, String> = document_records(&document)?
        .into_iter()
        .map(|record| (record.iri.as_str().to_owned(), record.id))
        .collect();
    let tagged: BTreeMap<String, (String, Vec<(String, f64)>)> = explain_mapped(tagger, &document)?
        .into_iter()
        .filter_map(|explanation| {
            let id = ids.get(&explanation.record)?.clone();
            let patterns = explanation
                .assignments
                .iter()
                .filter(|a| a.pattern != "none")
                .map(|a| (a.pattern.clone(), a.confidence))
                .collect();
            Some((id, (explanation.title.unwrap_or_default(), patterns)))
        })
        .collect();
    let mut judged: BTreeMap<Half, Vec<Judged>> = BTreeMap::new();
    let mut cases = Vec::new();
    for label in parse_labels(&labels_bytes, &labels_name)? {
        let at = |message: String| {
            IngestError::syntax(
                &labels_name,
                Some(crate::error::Position {
                    line: label.line,
                    column: 1,
                }),
                message,
            )
        };
        let (title, patterns) = tagged
            .get(&label.id)
            .ok_or_else(|| at(format!("dataset {:?} is not in {catalogue_name}", label.id)))?;
        let half = halves
            .get(&label.id)
            .ok_or_else(|| at(format!("dataset {:?} is in neither half of {SPLIT}", label.id)))?;
        let guessed: BTreeSet<String> = patterns.iter().map(|(p, _)| p.clone()).collect();
        if !label.patterns.is_empty() || !guessed.is_empty() {
            cases.push(DatasetCase {
                id: label.id.clone(),
                half: half.as_str().to_owned(),
                title: title.clone(),
                labelled: label.patterns.clone(),
                tagged: patterns.clone(),
            });
        }
        judged.entry(*half).or_default().push((label.patterns, guessed));
    }
    let halves = [Half::Train, Half::Test]
        .into_iter()
        .map(|half| {
            let judged = judged.get(&half).map(Vec::as_slice).unwrap_or_default();
            let (labels, confusion) = metrics(judged);
            let assigned = judged.iter().fold((0, 0), |(right, all), (truth, guessed)| {
                (right + guessed.intersection(truth).count(), all + guessed.len())
            });
            DatasetFigures {
                half: half.as_str().to_owned(),
                datasets: judged.len(),
                labels,
                assigned,
                confusion,
            }
        })
        .collect();
    Ok(DatasetEvaluation { halves, cases })
}

impl DatasetEvaluation {
    /// The figures as Markdown tables, and every dataset labelled or tagged with a pattern.
    pub fn to_markdown(&self, rule: &str) -> String {
        let mut out = String::new();
        for figures in &self.halves {
            let _ = writeln!(
                out,
                "Datasets used by no case study, as a harvest tags them ({rule}): the {} half, {} labelled datasets.\n\n{}",
                figures.half,
                figures.datasets,
                LabelMetrics::markdown_header("datasets")
            );
            for l in &figures.labels {
                let _ = writeln!(out, "{}", l.markdown_row());
            }
            let _ = writeln!(
                out,
                "\nPatterns assigned: {} of {} right.\n\n| labelled \\ tagged | P1 | P2 | P3 | NONE |\n|---|---:|---:|---:|---:|",
                figures.assigned.0, figures.assigned.1
            );
            out.push_str(&confusion_markdown(&figures.confusion));
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "| dataset | half | title | labelled | tagged |\n|---|---|---|---|---|"
        );
        let codes = |codes: Vec<String>| {
            if codes.is_empty() {
                "NONE".to_owned()
            } else {
                codes.join(" ")
            }
        };
        for case in &self.cases {
            let labelled = codes(case.labelled.iter().map(|p| pattern_code(p).to_owned()).collect());
            let tagged = codes(
                case.tagged
                    .iter()
                    .map(|(p, c)| format!("{} {c:.3}", pattern_code(p)))
                    .collect(),
            );
            let title = case.title.replace('|', "\\|");
            let _ = writeln!(
                out,
                "| `{}` | {} | {title} | {labelled} | {tagged} |",
                case.id, case.half
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::tag::TagSettings;

    fn labelled() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/tagger/datasets")
    }

    /// Every label names an entry of the catalogue and a half of the split, and by default
    /// no dataset used by no case study is given a pattern from its own text.
    #[test]
    fn the_labelled_catalogue_entries_are_scored_and_get_no_pattern_from_their_text() {
        let evaluation =
            evaluate_datasets(&Tagger::new(&TagSettings::default()).unwrap(), &labelled()).unwrap();
        let sizes: Vec<(&str, usize)> = evaluation
            .halves
            .iter()
            .map(|h| (h.half.as_str(), h.datasets))
            .collect();
        assert_eq!(sizes, [("train", 140), ("test", 138)]);
        for half in &evaluation.halves {
            assert_eq!(half.assigned, (0, 0), "{half:?}");
            let none = half.labels.iter().find(|l| l.label == "NONE").unwrap();
            assert_eq!(none.recall, 1.0, "{half:?}");
        }
        assert!(
            evaluation
                .cases
                .iter()
                .all(|c| c.tagged.is_empty() && !c.labelled.is_empty())
        );
        let markdown = evaluation.to_markdown("default");
        assert!(
            markdown.contains("the test half, 138 labelled datasets"),
            "{markdown}"
        );
    }

    #[test]
    fn a_label_of_an_entry_the_catalogue_lacks_is_an_error_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        for name in [CATALOGUE, SPLIT] {
            std::fs::copy(labelled().join(name), dir.path().join(name)).unwrap();
        }
        std::fs::write(
            dir.path().join(LABELS),
            "case\tpatterns\trationale\nno-such-entry\tNONE\t\"x\"\n",
        )
        .unwrap();
        let error = evaluate_datasets(&Tagger::new(&TagSettings::default()).unwrap(), dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("labels.tsv") && error.contains("line 2"),
            "{error}"
        );
        assert!(error.contains("\"no-such-entry\" is not in"), "{error}");
    }
}
