//! How well the tagger does: k-fold cross-validation on the training split, the score on
//! the held-out test split (trained on the whole training split), and a learning curve.
//! Each reports precision, recall and F1 per pattern and for NONE, macro-F1, a confusion
//! matrix and a calibration table (how often a tag with a given confidence is right).
//! `civicgraph eval-tagger` prints them; `docs/TAGGING.md` keeps them.

use crate::enrich::tag::TagSettings;
use crate::enrich::tag::embedding::{FoldEncoder, TuningFile};
use crate::enrich::tag::model::TrainOptions;
use crate::error::{IngestError, Result};
use crate::mint::hex;
use crate::tools::train::{Example, Translation, train};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
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
    /// Cohen's κ between the labels and the tags, the label taken as a yes/no decision per
    /// case: the scale `datasets/tagger/agreement.py` measures the two labelling passes on,
    /// so the tagger can be read against the labellers' agreement, its ceiling.
    pub kappa: f64,
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

/// The result of a cross-validation or of a held-out test.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// What was measured: "5-fold cross-validation on the training split", ...
    pub what: String,
    /// k (1 for a held-out test).
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
    /// Rows: the labels a case carries; columns: the labels assigned to it (P1, P2, P3,
    /// NONE). A case adds one to each (carried, assigned) pair, so a case labelled P2 and
    /// tagged P2 and P3 adds to (P2, P2) and (P2, P3).
    pub confusion: [[usize; 4]; 4],
    /// The same figures for each collection of the cases (the prefix of a case id, `ips:`,
    /// `org:`…): a pooled figure hides the collections where the tagger fails, and a new
    /// kind of source is expected to score nearer the weaker ones.
    pub by_collection: Vec<CollectionFigures>,
    /// In cross-validation, the same folds' models scoring labelled cases translated into
    /// other languages ([`Translation`]), a row per language (`collection` names it).
    pub by_language: Vec<CollectionFigures>,
    /// Each case as it was scored, in the order of the cases: what a labeller reads to see
    /// where the tagger goes wrong (`eval-tagger --cases`). Not in the JSON figures, which
    /// would grow by the whole labelled set.
    #[serde(skip)]
    pub outcomes: Vec<Outcome>,
}

/// How one labelled case was scored by a model that never saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The case id (`org:1234`).
    pub id: String,
    /// The patterns it was labelled with (local names); empty for NONE.
    pub labelled: Vec<String>,
    /// The patterns assigned; empty for NONE.
    pub tagged: Vec<String>,
    /// Every pattern's score.
    pub scores: Vec<crate::enrich::tag::model::Score>,
}

/// One collection's share of an [`Evaluation`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CollectionFigures {
    /// The case-id prefix.
    pub collection: String,
    /// How many of the cases are the collection's.
    pub cases: usize,
    /// The mean F1 over the labels the collection holds or was tagged with.
    pub macro_f1: f64,
    /// Per label (P1, P2, P3, NONE): F1 and how many cases hold the label; `None` when the
    /// collection neither holds nor was tagged with it.
    pub labels: Vec<Option<(f64, usize)>>,
    /// Right and all assigned tags with confidence ≥ 0.8.
    pub above_0_8: (usize, usize),
}

/// Training-split size against test-split macro-F1.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LearningPoint {
    /// Training cases used.
    pub training_cases: usize,
    /// Macro-F1 on the test split.
    pub macro_f1: f64,
}

/// Trains on all of `training` and scores `testing`.
pub fn held_out(
    training: &[&Example],
    testing: &[&Example],
    options: &TrainOptions,
    settings: &TagSettings,
    hash: &str,
) -> Evaluation {
    let scorer = train(training, options, hash)
        .scorer()
        .weighing_sentences(settings.sentence_weight);
    let predictions: Vec<_> = testing
        .iter()
        .map(|e| scorer.score_collected(&e.features, &e.characters, Some(&e.embedding)))
        .collect();
    let cases: BTreeSet<&str> = training.iter().map(|e| e.id.as_str()).collect();
    let translations = match training.len() - cases.len() {
        0 => String::new(),
        n => format!(" and {n} translations of them"),
    };
    measure(
        format!(
            "held-out test split ({} cases), trained on the {} training cases{translations}",
            testing.len(),
            cases.len()
        ),
        1,
        testing,
        &predictions,
        settings,
    )
}

/// Test-split macro-F1 when training on the first quarter, half, three quarters and all of
/// the training split's cases (in a fixed order by a hash of the id), each with its
/// translations when `training` holds them.
pub fn learning_curve(
    training: &[&Example],
    testing: &[&Example],
    options: &TrainOptions,
    settings: &TagSettings,
    hash: &str,
) -> Vec<LearningPoint> {
    let mut ids: Vec<&str> = training.iter().map(|e| e.id.as_str()).collect();
    ids.sort_by_key(|id| hex(&Sha256::digest(id.as_bytes())));
    ids.dedup();
    [1, 2, 3, 4]
        .iter()
        .map(|quarters| ids.len() * quarters / 4)
        .map(|n| {
            let taken: BTreeSet<&str> = ids[..n].iter().copied().collect();
            let part: Vec<&Example> = training
                .iter()
                .copied()
                .filter(|e| taken.contains(e.id.as_str()))
                .collect();
            LearningPoint {
                training_cases: n,
                macro_f1: held_out(&part, testing, options, settings, hash).macro_f1,
            }
        })
        .collect()
}

/// How [`cross_validate`] parts the cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folds {
    /// `k` folds, stratified by label set, each case's fold fixed by a hash of its id.
    Stratified(usize),
    /// One fold per collection (the prefix of a case id): each collection is scored by a
    /// model that never saw a case of it, the figure to expect of a new kind of source
    /// (the 0.34 was a collection the tagger had never seen).
    Collections,
}

/// The collection of a case: the prefix of its id (`ips`, `org`…).
fn collection_of(example: &Example) -> &str {
    example.id.split_once(':').map_or("", |(prefix, _)| prefix)
}

/// Each case's fold, and how many folds there are.
fn assign_folds(examples: &[&Example], folds: Folds) -> (Vec<usize>, usize) {
    match folds {
        Folds::Stratified(k) => {
            let k = k.max(2);
            let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, example) in examples.iter().enumerate() {
                let key = example.patterns.iter().cloned().collect::<Vec<_>>().join(" ");
                groups.entry(key).or_default().push(i);
            }
            let mut fold_of = vec![0; examples.len()];
            let mut next = 0;
            for members in groups.values_mut() {
                members.sort_by_key(|&i| hex(&Sha256::digest(examples[i].id.as_bytes())));
                for &i in members.iter() {
                    fold_of[i] = next % k;
                    next += 1;
                }
            }
            (fold_of, k)
        }
        Folds::Collections => {
            let names: BTreeSet<&str> = examples.iter().map(|e| collection_of(e)).collect();
            let number: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
            let fold_of = examples.iter().map(|e| number[collection_of(e)]).collect();
            (fold_of, names.len())
        }
    }
}

/// Parts the cases into folds ([`Folds`]), trains on all but one fold and scores that
/// fold, for each fold.
///
/// Each case of a `translations` file is scored by the fold's model that left its original
/// out, as a harvest of text in that language would be (`by_language`).
///
/// With `tunings`, each fold's sentence reader reads vectors of the encoder tuned without
/// that fold's cases ([`FoldTunings`]): the bundled encoder was tuned on the whole training
/// split, so its vectors would let every held-out case leak into the reader that scores it.
pub fn cross_validate(
    examples: &[&Example],
    parts: Folds,
    options: &TrainOptions,
    settings: &TagSettings,
    hash: &str,
    translations: &[Translation],
    tunings: Option<&FoldTunings>,
) -> Result<Evaluation> {
    let (fold_of, folds) = match tunings {
        Some(tunings) => tunings.assign_folds(examples, parts)?,
        None => assign_folds(examples, parts),
    };
    let fold_by_id: BTreeMap<&str, usize> = examples
        .iter()
        .map(|e| e.id.as_str())
        .zip(fold_of.iter().copied())
        .collect();
    let mut predictions: Vec<Option<Vec<crate::enrich::tag::model::Score>>> = vec![None; examples.len()];
    let mut translated: Vec<Vec<Option<Vec<crate::enrich::tag::model::Score>>>> = translations
        .iter()
        .map(|t| vec![None; t.examples.len()])
        .collect();
    for fold in 0..folds {
        // With a fold's tuning, every case and translation again, its vectors that
        // encoder's.
        let retuned = match tunings {
            Some(tunings) => Some(tunings.encoder(fold)?.retuned(examples, translations)?),
            None => None,
        };
        let (examples, translations): (Vec<&Example>, Vec<&Translation>) = match &retuned {
            Some((cases, translated)) => (cases.iter().collect(), translated.iter().collect()),
            None => (examples.to_vec(), translations.iter().collect()),
        };
        // The other folds' cases, and their translations (never a held-out case's).
        let training: Vec<&Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of[*i] != fold)
            .map(|(_, e)| *e)
            .chain(
                translations
                    .iter()
                    .filter(|t| t.is_trained_on())
                    .flat_map(|t| &t.examples)
                    .filter(|e| fold_by_id.get(e.id.as_str()).is_some_and(|f| *f != fold)),
            )
            .collect();
        let scorer = train(&training, options, hash)
            .scorer()
            .weighing_sentences(settings.sentence_weight);
        for (i, example) in examples.iter().enumerate() {
            if fold_of[i] == fold {
                predictions[i] = Some(scorer.score_collected(
                    &example.features,
                    &example.characters,
                    Some(&example.embedding),
                ));
            }
        }
        for (translation, scores) in translations.iter().zip(&mut translated) {
            for (example, score) in translation.examples.iter().zip(scores.iter_mut()) {
                if fold_by_id.get(example.id.as_str()) == Some(&fold) {
                    *score = Some(scorer.score_collected(
                        &example.features,
                        &example.characters,
                        Some(&example.embedding),
                    ));
                }
            }
        }
    }
    let predictions: Vec<_> = predictions
        .into_iter()
        .map(|p| p.expect("every case is in one fold"))
        .collect();
    let what = match parts {
        Folds::Stratified(_) => format!(
            "{folds}-fold cross-validation on the training split ({} cases)",
            examples.len()
        ),
        Folds::Collections => format!(
            "each of the training split's {folds} collections scored by a model trained on the others ({} cases)",
            examples.len()
        ),
    };
    let mut evaluation = measure(what, folds, examples, &predictions, settings);
    evaluation.by_language = translations
        .iter()
        .zip(translated)
        .map(|(translation, scores)| {
            // A translated case whose original is not in `examples` (another split) has no
            // fold, and no score.
            let (members, scores): (Vec<&Example>, Vec<_>) = translation
                .examples
                .iter()
                .zip(scores)
                .filter_map(|(example, score)| score.map(|score| (example, score)))
                .unzip();
            figures(&translation.language, folds, &members, &scores, settings)
        })
        .collect();
    Ok(evaluation)
}

/// The sentence encoder tuned once per cross-validation fold, each without that fold's
/// cases: `fold-K.cga` (the tuning) and `fold-K.ids` (the ids of the cases it was not
/// trained on, one a line) for K from 0, in a directory (`ingest/tagger/folds/`, written
/// by `datasets/drafts/finetune/`).
#[derive(Debug)]
pub struct FoldTunings {
    /// Where they are, for errors.
    dir: std::path::PathBuf,
    /// Each fold's tuning, read and checked at load, applied to the model when its fold is
    /// scored (one encoder in memory at a time, not five).
    tunings: Vec<TuningFile>,
    /// Each fold's held-out ids, as its tuning left them out.
    held_out: Vec<BTreeSet<String>>,
}

impl FoldTunings {
    /// The tunings in `dir`.
    pub fn load(dir: &std::path::Path) -> Result<Self> {
        let mut tunings = Vec::new();
        let mut held_out = Vec::new();
        while dir.join(format!("fold-{}.cga", tunings.len())).exists() {
            let k = tunings.len();
            let ids_path = dir.join(format!("fold-{k}.ids"));
            let ids = String::from_utf8(super::train::read_file(&ids_path)?)
                .map_err(|e| IngestError::Config(format!("{}: not UTF-8 text: {e}", ids_path.display())))?;
            held_out.push(ids.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect());
            // Read now, so that a broken tuning fails before any fold is scored.
            tunings.push(TuningFile::read(&dir.join(format!("fold-{k}.cga")))?);
        }
        if tunings.is_empty() {
            return Err(IngestError::Config(format!(
                "{}: no fold tuning (fold-0.cga, fold-0.ids, ...)",
                dir.display()
            )));
        }
        Ok(Self {
            dir: dir.to_owned(),
            tunings,
            held_out,
        })
    }

    /// Fold `k`'s encoder.
    fn encoder(&self, k: usize) -> Result<FoldEncoder> {
        FoldEncoder::tuned(self.tunings[k].clone())
    }

    /// The fold of each case, as the tunings fix them: a case a tuning left out is in that
    /// tuning's fold, so no fold's cases reach the encoder that reads them. A case no tuning
    /// knows (labelled after the tunings were trained, so none of them saw it) is dealt into
    /// the folds as [`assign_folds`] deals, among such cases only. Refuses a fold count other
    /// than the tunings'.
    fn assign_folds(&self, examples: &[&Example], parts: Folds) -> Result<(Vec<usize>, usize)> {
        let folds = self.tunings.len();
        let asked = match parts {
            Folds::Stratified(k) if k == folds => None,
            Folds::Stratified(k) => Some(format!("{k} folds")),
            Folds::Collections => Some("one fold per collection".to_owned()),
        };
        if let Some(asked) = asked {
            return Err(IngestError::Config(format!(
                "{}: {folds} fold tunings for {asked} (--untuned reads every fold untuned)",
                self.dir.display(),
            )));
        }
        Ok((folds_left_out(&self.held_out, examples), folds))
    }
}

/// The fold of each case when fold `K` is the cases `held_out[K]` names, and a case none
/// names is dealt into the folds as [`assign_folds`] deals, among such cases only.
fn folds_left_out(held_out: &[BTreeSet<String>], examples: &[&Example]) -> Vec<usize> {
    let mut fold_of = vec![0; examples.len()];
    let mut fresh = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        match held_out.iter().position(|ids| ids.contains(&example.id)) {
            Some(k) => fold_of[i] = k,
            None => fresh.push(i),
        }
    }
    let unknown: Vec<&Example> = fresh.iter().map(|&i| examples[i]).collect();
    let (dealt, _) = assign_folds(&unknown, Folds::Stratified(held_out.len()));
    for (&i, k) in fresh.iter().zip(dealt) {
        fold_of[i] = k;
    }
    fold_of
}

/// The figures for `predictions` (one list of scores per example), pooled and by collection.
fn measure(
    what: String,
    folds: usize,
    examples: &[&Example],
    predictions: &[Vec<crate::enrich::tag::model::Score>],
    settings: &TagSettings,
) -> Evaluation {
    let mut evaluation = pooled(what, folds, examples, predictions, settings);
    evaluation.outcomes = examples
        .iter()
        .zip(predictions)
        .map(|(example, scores)| Outcome {
            id: example.id.clone(),
            labelled: example.patterns.iter().cloned().collect(),
            tagged: settings
                .decide(scores)
                .iter()
                .map(|score| score.pattern.clone())
                .collect(),
            scores: scores.clone(),
        })
        .collect();
    let mut collections: BTreeMap<&str, (Vec<&Example>, Vec<Vec<crate::enrich::tag::model::Score>>)> =
        BTreeMap::new();
    for (example, scores) in examples.iter().zip(predictions) {
        let entry = collections.entry(collection_of(example)).or_default();
        entry.0.push(example);
        entry.1.push(scores.clone());
    }
    evaluation.by_collection = collections
        .into_iter()
        .map(|(collection, (members, scores))| figures(collection, folds, &members, &scores, settings))
        .collect();
    evaluation
}

/// The figures of one part of the cases (a collection, a language), named `name`.
fn figures(
    name: &str,
    folds: usize,
    members: &[&Example],
    scores: &[Vec<crate::enrich::tag::model::Score>],
    settings: &TagSettings,
) -> CollectionFigures {
    let part = pooled(String::new(), folds, members, scores, settings);
    let labels: Vec<Option<(f64, usize)>> = part
        .labels
        .iter()
        .map(|l| (l.support + l.false_positives > 0).then_some((l.f1, l.support)))
        .collect();
    let present: Vec<f64> = labels.iter().flatten().map(|(f1, _)| *f1).collect();
    CollectionFigures {
        collection: name.to_owned(),
        cases: members.len(),
        macro_f1: present.iter().sum::<f64>() / present.len().max(1) as f64,
        labels,
        above_0_8: part.above_0_8,
    }
}

/// The pooled figures for `predictions`.
fn pooled(
    what: String,
    folds: usize,
    examples: &[&Example],
    predictions: &[Vec<crate::enrich::tag::model::Score>],
    settings: &TagSettings,
) -> Evaluation {
    let mut calibration: Vec<Bucket> = (0..10)
        .map(|b| Bucket {
            from: b as f64 / 10.0,
            to: (b + 1) as f64 / 10.0,
            scores: 0,
            correct: 0,
        })
        .collect();
    let mut above = (0, 0);
    let mut judged = Vec::with_capacity(examples.len());
    for (example, scores) in examples.iter().zip(predictions) {
        let assigned: BTreeSet<String> = settings.decide(scores).into_iter().map(|s| s.pattern).collect();
        for score in scores {
            let truth = example.patterns.contains(&score.pattern);
            let bucket = ((score.confidence * 10.0) as usize).min(9);
            calibration[bucket].scores += 1;
            calibration[bucket].correct += usize::from(truth);
            if assigned.contains(&score.pattern) && score.confidence >= 0.8 {
                above.1 += 1;
                above.0 += usize::from(truth);
            }
        }
        judged.push((example.patterns.clone(), assigned));
    }
    let (labels, confusion) = metrics(&judged);
    let macro_f1 = labels.iter().map(|l| l.f1).sum::<f64>() / labels.len() as f64;
    Evaluation {
        what,
        folds,
        cases: examples.len(),
        labels,
        macro_f1,
        calibration,
        above_0_8: above,
        confusion,
        by_collection: Vec::new(),
        by_language: Vec::new(),
        outcomes: Vec::new(),
    }
}

impl LabelMetrics {
    /// The header of a table of [`LabelMetrics::markdown_row`]s, whose second column counts
    /// `what` ("cases", "datasets").
    pub fn markdown_header(what: &str) -> String {
        format!(
            "| label | {what} | TP | FP | FN | precision | recall | F1 | κ |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        )
    }

    /// Its row of a Markdown table: label, cases, TP, FP, FN, precision, recall, F1, κ.
    pub fn markdown_row(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            self.label,
            self.support,
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            self.precision,
            self.recall,
            self.f1,
            self.kappa
        )
    }
}

/// A confusion matrix's rows (P1, P2, P3, NONE) as Markdown, under a header the caller
/// writes.
pub fn confusion_markdown(confusion: &[[usize; 4]; 4]) -> String {
    ["P1", "P2", "P3", "NONE"]
        .iter()
        .zip(confusion)
        .map(|(name, row)| format!("| {name} | {} | {} | {} | {} |\n", row[0], row[1], row[2], row[3]))
        .collect()
}

/// A record's labelled patterns and those assigned to it (local names; empty for NONE).
pub type Judged = (BTreeSet<String>, BTreeSet<String>);

/// Precision, recall and F1 of P1, P2, P3 and NONE, and the confusion matrix, for pairs of
/// (labelled, assigned) patterns (local names; empty for NONE): the case studies' figures
/// and the datasets' ([`super::dataset_eval`]) are counted by this one function.
pub fn metrics(judged: &[Judged]) -> (Vec<LabelMetrics>, [[usize; 4]; 4]) {
    let labels_order = [
        ("P1 access", "access"),
        ("P2 planning", "planning"),
        ("P3 policy", "policy"),
    ];
    let mut counts: Vec<[usize; 4]> = vec![[0; 4]; 4]; // support, tp, fp, fn
    let mut confusion = [[0usize; 4]; 4];
    let indices = |patterns: &BTreeSet<String>| -> Vec<usize> {
        let found: Vec<usize> = labels_order
            .iter()
            .enumerate()
            .filter(|(_, (_, local))| patterns.contains(*local))
            .map(|(i, _)| i)
            .collect();
        if found.is_empty() { vec![3] } else { found }
    };
    for (truth, guessed) in judged {
        for &row in &indices(truth) {
            for &column in &indices(guessed) {
                confusion[row][column] += 1;
            }
        }
        for (index, (_, local)) in labels_order.iter().enumerate() {
            tally(
                &mut counts[index],
                truth.contains(*local),
                guessed.contains(*local),
            );
        }
        tally(&mut counts[3], truth.is_empty(), guessed.is_empty());
    }
    let labels = labels_order
        .iter()
        .map(|(label, _)| *label)
        .chain(["NONE"])
        .zip(&counts)
        .map(|(label, &[support, tp, fp, fn_])| {
            let precision = ratio(tp, tp + fp);
            let recall = ratio(tp, tp + fn_);
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            LabelMetrics {
                label: label.to_owned(),
                support,
                true_positives: tp,
                false_positives: fp,
                false_negatives: fn_,
                precision,
                recall,
                f1,
                kappa: kappa(judged.len(), tp, fp, fn_),
            }
        })
        .collect();
    (labels, confusion)
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

/// Cohen's κ of one label over `cases` yes/no decisions, from its counts: observed
/// agreement against the agreement the two sides' rates would give by chance.
fn kappa(cases: usize, tp: usize, fp: usize, fn_: usize) -> f64 {
    if cases == 0 {
        return 0.0;
    }
    let n = cases as f64;
    let tn = cases.saturating_sub(tp + fp + fn_);
    let observed = (tp + tn) as f64 / n;
    let (labelled, tagged) = ((tp + fn_) as f64 / n, (tp + fp) as f64 / n);
    let chance = labelled * tagged + (1.0 - labelled) * (1.0 - tagged);
    if chance >= 1.0 {
        0.0
    } else {
        (observed - chance) / (1.0 - chance)
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
            "{}.\n\n{}",
            self.what,
            LabelMetrics::markdown_header("cases")
        );
        for l in &self.labels {
            let _ = writeln!(out, "{}", l.markdown_row());
        }
        let _ = writeln!(out, "| **macro** | | | | | | | **{:.3}** | |\n", self.macro_f1);
        let _ = writeln!(
            out,
            "Confusion (rows: labelled; columns: tagged; a case counts once per pair of its labels and tags).\n\n| labelled \\ tagged | P1 | P2 | P3 | NONE |\n|---|---:|---:|---:|---:|"
        );
        out.push_str(&confusion_markdown(&self.confusion));
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Calibration: every (case, pattern) score of the held-out cases, by confidence.\n\n| confidence | scores | case has the pattern | share |\n|---|---:|---:|---:|"
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
        if self.by_collection.len() > 1 {
            let _ = writeln!(
                out,
                "\nBy collection (F1, with the cases holding the label; the macro over the labels a \
                 collection holds or was tagged with).\n\n| collection | cases | macro-F1 | P1 | P2 | P3 | NONE | right at ≥ 0.8 |\n|---|---:|---:|---:|---:|---:|---:|---:|"
            );
            for c in &self.by_collection {
                let _ = writeln!(out, "{}", c.row(&format!("`{}:`", c.collection)));
            }
        }
        if !self.by_language.is_empty() {
            let _ = writeln!(
                out,
                "\nBy language: the same folds' models scoring training cases translated \
                 (`datasets/tagger/translations`; `en` is their English text, cut as it was \
                 translated).\n\n| language | cases | macro-F1 | P1 | P2 | P3 | NONE | right at ≥ 0.8 |\n|---|---:|---:|---:|---:|---:|---:|---:|"
            );
            for c in &self.by_language {
                let _ = writeln!(out, "{}", c.row(&c.collection));
            }
        }
        out
    }
}

impl Outcome {
    /// The header of [`Outcome::to_tsv_row`]'s table, for `patterns` in the model's order.
    pub fn tsv_header(patterns: &[String]) -> String {
        let mut header = String::from("case\tlabelled\ttagged\tright");
        for pattern in patterns {
            let _ = write!(header, "\t{pattern}\t{pattern} confidence");
        }
        header
    }

    /// One row: the case, its labels and tags (`NONE` for none), whether they are the same,
    /// and each pattern's score and confidence to three decimals.
    pub fn to_tsv_row(&self) -> String {
        let names = |patterns: &[String]| match patterns {
            [] => "NONE".to_owned(),
            _ => patterns.join(","),
        };
        let mut tagged = self.tagged.clone();
        tagged.sort();
        let mut row = format!(
            "{}\t{}\t{}\t{}",
            self.id,
            names(&self.labelled),
            names(&tagged),
            if tagged == self.labelled { "yes" } else { "no" }
        );
        for score in &self.scores {
            let _ = write!(row, "\t{:.3}\t{:.3}", score.score, score.confidence);
        }
        row
    }
}

impl CollectionFigures {
    /// The figures as a row of a Markdown table whose first cell is `name`.
    fn row(&self, name: &str) -> String {
        let cells: Vec<String> = self
            .labels
            .iter()
            .map(|l| l.map_or("–".to_owned(), |(f1, n)| format!("{f1:.2} ({n})")))
            .collect();
        format!(
            "| {name} | {} | {:.3} | {} | {} of {} |",
            self.cases,
            self.macro_f1,
            cells.join(" | "),
            self.above_0_8.0,
            self.above_0_8.1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_reads_the_tags_against_the_labels_as_the_labelling_passes_are_read() {
        // 100 cases, 30 labelled and 30 tagged, 20 of them both: agreement 0.8 where
        // chance gives 0.3 × 0.3 + 0.7 × 0.7 = 0.58.
        assert!((kappa(100, 20, 10, 10) - 0.22 / 0.42).abs() < 1e-12);
        let none = BTreeSet::new();
        let access: BTreeSet<String> = ["access".to_owned()].into();
        let judged = vec![
            (access.clone(), access.clone()),
            (none.clone(), none.clone()),
            (access.clone(), none.clone()),
            (none.clone(), none.clone()),
        ];
        let (labels, _) = metrics(&judged);
        // P1: 1 of 2 labelled found, never tagged wrongly: 0.75 agreement, chance 0.5.
        assert!((labels[0].kappa - 0.5).abs() < 1e-12);
        // A label neither side ever uses agrees by chance alone: κ 0, not a division by 0.
        assert_eq!(labels[2].kappa, 0.0);
        assert!(
            LabelMetrics::markdown_header("cases")
                .lines()
                .next()
                .unwrap()
                .ends_with("| κ |")
        );
    }

    fn case(id: &str, patterns: &[&str]) -> Example {
        Example {
            id: id.to_owned(),
            features: Default::default(),
            characters: Default::default(),
            text: String::new(),
            embedding: Vec::new(),
            patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
            rationale: String::new(),
        }
    }

    #[test]
    fn tunings_keep_the_folds_they_left_out_and_deal_cases_added_since() {
        let old: Vec<Example> = (0..10)
            .map(|i| case(&format!("ips:{i}"), &["planning"]))
            .collect();
        let refs: Vec<&Example> = old.iter().collect();
        let (dealt, _) = assign_folds(&refs, Folds::Stratified(5));
        let held_out: Vec<BTreeSet<String>> = (0..5)
            .map(|k| {
                refs.iter()
                    .zip(&dealt)
                    .filter(|(_, f)| **f == k)
                    .map(|(e, _)| e.id.clone())
                    .collect()
            })
            .collect();
        // Cases labelled after the tunings, which alone would move every old case's fold.
        let added: Vec<Example> = (0..7).map(|i| case(&format!("pcy:{i}"), &["planning"])).collect();
        let all: Vec<&Example> = old.iter().chain(&added).collect();
        assert_ne!(assign_folds(&all, Folds::Stratified(5)).0[..10], dealt[..]);
        let fold_of = folds_left_out(&held_out, &all);
        assert_eq!(
            fold_of[..10],
            dealt[..],
            "a tuning's held-out cases stay in its fold"
        );
        let mut sizes = [0; 5];
        for f in &fold_of[10..] {
            sizes[*f] += 1;
        }
        assert_eq!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap(),
            1,
            "{sizes:?}"
        );
    }

    #[test]
    fn held_out_collections_are_whole_folds_and_stratified_folds_mix_them() {
        let cases: Vec<Example> = (0..12)
            .map(|i| {
                let collection = ["ips", "org", "fai"][i % 3];
                case(
                    &format!("{collection}:{i}"),
                    if i % 2 == 0 { &["planning"] } else { &[] },
                )
            })
            .collect();
        let refs: Vec<&Example> = cases.iter().collect();

        let (fold_of, folds) = assign_folds(&refs, Folds::Collections);
        assert_eq!(folds, 3);
        for (a, b) in refs
            .iter()
            .zip(&fold_of)
            .flat_map(|x| refs.iter().zip(&fold_of).map(move |y| (x, y)))
        {
            // Two cases share a fold exactly when they share a collection.
            assert_eq!(
                a.1 == b.1,
                collection_of(a.0) == collection_of(b.0),
                "{} {}",
                a.0.id,
                b.0.id
            );
        }

        let (fold_of, folds) = assign_folds(&refs, Folds::Stratified(3));
        assert_eq!(folds, 3);
        // Each label set is dealt round the folds: every fold holds 4 cases, 2 of each set.
        for fold in 0..3 {
            let members: Vec<&Example> = refs
                .iter()
                .zip(&fold_of)
                .filter(|(_, f)| **f == fold)
                .map(|(e, _)| *e)
                .collect();
            assert_eq!(members.len(), 4);
            assert_eq!(members.iter().filter(|e| e.patterns.is_empty()).count(), 2);
        }
    }
}
