//! k-fold cross-validation of the tagger on the labelled set: precision, recall and F1 per
//! pattern and for NONE, macro-F1, and a calibration table (how often a tag with a given
//! confidence is right). `civicgraph eval-tagger` prints it; `docs/TAGGER.md` keeps it.

use super::TagSettings;
use super::model::{Model, TrainOptions};
use super::train::{Example, LabelledSet, train};
use crate::mint::hex;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Figures for one label (a pattern, or NONE).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LabelMetrics {
    /// `P1 access`, ..., `NONE`.
    pub label: String,
    /// Cases that carry the label.
    pub support: usize,
    /// Right guesses of the label.
    pub true_positives: usize,
    /// Guesses of the label that were wrong.
    pub false_positives: usize,
    /// Cases with the label that were missed.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

/// One row of the calibration table: every (case, pattern) score in `[from, to)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bucket {
    /// Lower bound, inclusive.
    pub from: f64,
    /// Upper bound, exclusive (inclusive for the last bucket).
    pub to: f64,
    /// Scores in the bucket.
    pub scores: usize,
    /// Of those, the ones whose case does carry the pattern.
    pub correct: usize,
}

/// The result of a cross-validation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// k.
    pub folds: usize,
    /// Labelled cases.
    pub cases: usize,
    /// P1, P2, P3, NONE.
    pub labels: Vec<LabelMetrics>,
    /// Mean F1 over the four labels.
    pub macro_f1: f64,
    /// Ten buckets of width 0.1.
    pub calibration: Vec<Bucket>,
    /// Correct and total assigned tags with confidence >= 0.8.
    pub above_0_8: (usize, usize),
}

/// Splits the cases into `folds` folds (stratified by label set, ordered by a hash of the id,
/// so the split is fixed), trains on all but one fold and scores that fold, for each fold.
pub fn cross_validate(
    set: &LabelledSet,
    folds: usize,
    options: &TrainOptions,
    settings: &TagSettings,
) -> Evaluation {
    let folds = folds.max(2);
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, example) in set.examples.iter().enumerate() {
        let key = example.patterns.iter().cloned().collect::<Vec<_>>().join(" ");
        groups.entry(key).or_default().push(i);
    }
    let mut fold_of = vec![0; set.examples.len()];
    let mut next = 0;
    for members in groups.values_mut() {
        members.sort_by_key(|&i| hex(&Sha256::digest(set.examples[i].id.as_bytes())));
        for &i in members.iter() {
            fold_of[i] = next % folds;
            next += 1;
        }
    }
    let mut predictions: Vec<Option<Vec<super::model::Score>>> = vec![None; set.examples.len()];
    for fold in 0..folds {
        let training: Vec<&Example> = set
            .examples
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of[*i] != fold)
            .map(|(_, e)| e)
            .collect();
        let model: Model = train(&training, options, &set.hash);
        for (i, example) in set.examples.iter().enumerate() {
            if fold_of[i] == fold {
                predictions[i] = Some(model.score(&example.features));
            }
        }
    }
    let labels_order = [
        ("P1 access", "access"),
        ("P2 planning", "planning"),
        ("P3 policy", "policy"),
    ];
    let mut counts: Vec<[usize; 4]> = vec![[0; 4]; 4]; // support, tp, fp, fn
    let mut calibration: Vec<Bucket> = (0..10)
        .map(|b| Bucket {
            from: b as f64 / 10.0,
            to: (b + 1) as f64 / 10.0,
            scores: 0,
            correct: 0,
        })
        .collect();
    let mut above = (0, 0);
    for (example, scores) in set.examples.iter().zip(&predictions) {
        let scores = scores.as_ref().expect("every case is in one fold");
        let assigned = settings.decide(scores);
        for (index, (_, local)) in labels_order.iter().enumerate() {
            let truth = example.patterns.contains(*local);
            let guess = assigned.iter().any(|s| s.pattern == *local);
            tally(&mut counts[index], truth, guess);
            let score = scores
                .iter()
                .find(|s| s.pattern == *local)
                .expect("a score per pattern");
            let bucket = ((score.confidence * 10.0) as usize).min(9);
            calibration[bucket].scores += 1;
            calibration[bucket].correct += usize::from(truth);
            if guess && score.confidence >= 0.8 {
                above.1 += 1;
                above.0 += usize::from(truth);
            }
        }
        tally(&mut counts[3], example.patterns.is_empty(), assigned.is_empty());
    }
    let labels: Vec<LabelMetrics> = labels_order
        .iter()
        .map(|(label, _)| *label)
        .chain(["NONE"])
        .zip(&counts)
        .map(|(label, [support, tp, fp, fn_])| {
            let precision = ratio(*tp, tp + fp);
            let recall = ratio(*tp, tp + fn_);
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            LabelMetrics {
                label: label.to_owned(),
                support: *support,
                true_positives: *tp,
                false_positives: *fp,
                false_negatives: *fn_,
                precision,
                recall,
                f1,
            }
        })
        .collect();
    let macro_f1 = labels.iter().map(|l| l.f1).sum::<f64>() / labels.len() as f64;
    Evaluation {
        folds,
        cases: set.examples.len(),
        labels,
        macro_f1,
        calibration,
        above_0_8: above,
    }
}

fn tally(counts: &mut [usize; 4], truth: bool, guess: bool) {
    counts[0] += usize::from(truth);
    match (truth, guess) {
        (true, true) => counts[1] += 1,
        (false, true) => counts[2] += 1,
        (true, false) => counts[3] += 1,
        (false, false) => {}
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Evaluation {
    /// The figures as Markdown tables.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}-fold cross-validation over {} labelled cases.\n\n| label | cases | TP | FP | FN | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|---:|---:|",
            self.folds, self.cases
        );
        for l in &self.labels {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} |",
                l.label,
                l.support,
                l.true_positives,
                l.false_positives,
                l.false_negatives,
                l.precision,
                l.recall,
                l.f1
            );
        }
        let _ = writeln!(out, "| **macro** | | | | | | | **{:.3}** |\n", self.macro_f1);
        let _ = writeln!(
            out,
            "Calibration: every (case, pattern) score of the held-out folds, by confidence.\n\n| confidence | scores | case has the pattern | share |\n|---|---:|---:|---:|"
        );
        for b in &self.calibration {
            let _ = writeln!(
                out,
                "| {:.1}–{:.1} | {} | {} | {} |",
                b.from,
                b.to,
                b.scores,
                b.correct,
                if b.scores == 0 {
                    "–".to_owned()
                } else {
                    format!("{:.3}", ratio(b.correct, b.scores))
                }
            );
        }
        let _ = writeln!(
            out,
            "\nPrecision of assigned tags with confidence ≥ 0.8: {} of {} = {:.3}.",
            self.above_0_8.0,
            self.above_0_8.1,
            ratio(self.above_0_8.0, self.above_0_8.1)
        );
        out
    }
}
