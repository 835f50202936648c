//! The tagger's model: two readers of a record, each one logistic regression per ODI
//! pattern, stored as readable JSON (`ingest/tagger/model.json`) so that every weight can
//! be inspected.
//!
//! - The **word reader** weighs the features of [`super::features`]: words, phrases, the
//!   vocabulary's rules, themes, who acts and who benefits. A tag's evidence is exactly the
//!   features that pushed its score up.
//! - The **character reader** weighs the record's character n-grams
//!   ([`super::features::character_grams`]): inflections, compounds and words the word
//!   reader never saw.
//!
//! - The **sentence reader** weighs a case study's meaning: its title and description as
//!   one multilingual sentence embedding ([`super::embedding`]), standardised, one dense
//!   logistic regression per pattern. It reads Spanish, German, Italian and French as it
//!   reads English, and a kind of text the word readers never saw (a new collection) by
//!   what it says rather than by its words. It reads case studies only: embedding costs
//!   tens to hundreds of milliseconds a text, which a national catalogue's million datasets
//!   cannot afford.
//!
//! Each of the first two readers also has a fourth classifier, the **gate** ([`GATE`]): does the case show
//! any pattern at all? It is the guidelines' first question (is there a public service or a
//! public policy in it?), asked apart from which pattern.
//!
//! A pattern is assigned on the mean of the readers' probabilities (its score; the
//! sentence reader weighed [`super::TagSettings::sentence_weight`] times), and
//! reports as its confidence the lowest of them and of the gate's (the mean of the first two
//! readers' gate probabilities): a tag is as sure as the least sure of them. The gate
//! changes no decision. Measured by cross-validation on the training split, the mean
//! decides a little better than either reader alone, and the gate removes some confident
//! tags of cases with no public service in them (`docs/TAGGING.md`).

use super::features::Features;
use crate::error::{IngestError, Result};
use crate::mint::hex;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The model file's format; see [`Model::format`].
pub const MODEL_FORMAT: u32 = 4;

/// The name of each reader's fourth classifier: whether a case shows any pattern.
pub const GATE: &str = "any";

/// The classifiers of each reader, in order: the three patterns, then the gate.
pub const CLASSIFIERS: [&str; 4] = ["access", "planning", "policy", GATE];

/// The model file compiled into the binary: the one trained on `datasets/tagger`.
pub const BUNDLED_MODEL: &str = include_str!("../../../tagger/model.json");

/// How many features a tag's evidence lists.
pub const EVIDENCE_FEATURES: usize = 6;

/// A trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Bumped when the feature set or the file's shape changes.
    pub format: u32,
    /// SHA-256 of the labelled set the model was trained on (`labels.tsv` and `cases.json`).
    pub trained_on: String,
    /// How many labelled cases it was trained on.
    pub examples: usize,
    /// The training settings, so that a retrain can reproduce the file.
    pub options: TrainOptions,
    /// The word reader: one classifier per pattern, in order P1, P2, P3, then the gate.
    pub patterns: Vec<PatternModel>,
    /// The character reader's training settings.
    pub character_options: TrainOptions,
    /// The character reader: one classifier per pattern over character n-grams, in order
    /// P1, P2, P3, then the gate.
    pub characters: Vec<PatternModel>,
    /// The sentence reader, for case studies.
    pub sentences: SentenceReader,
}

/// The sentence reader: one classifier per pattern over a text's standardised embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentenceReader {
    /// Its training settings.
    pub options: TrainOptions,
    /// Each dimension's mean over the training cases, subtracted before weighing.
    pub mean: Vec<f64>,
    /// Each dimension's standard deviation over the training cases, divided by.
    pub scale: Vec<f64>,
    /// One classifier per pattern, in order P1, P2, P3 (no gate).
    pub patterns: Vec<DenseModel>,
}

/// A classifier over every dimension of a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseModel {
    /// The pattern's local name.
    pub pattern: String,
    /// The intercept.
    pub bias: f64,
    /// One weight per dimension.
    pub weights: Vec<f64>,
}

impl SentenceReader {
    /// Each pattern's probability for a vector of the embedding's length.
    pub fn probabilities(&self, vector: &[f32]) -> Vec<f64> {
        let standard: Vec<f64> = vector
            .iter()
            .zip(self.mean.iter().zip(&self.scale))
            .map(|(x, (mean, scale))| (f64::from(*x) - mean) / scale)
            .collect();
        self.patterns
            .iter()
            .map(|p| sigmoid(p.bias + p.weights.iter().zip(&standard).map(|(w, x)| w * x).sum::<f64>()))
            .collect()
    }
}

/// Settings of the training run; defaults are the ones the bundled model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainOptions {
    /// A feature must occur in at least this many training cases to get a weight.
    pub min_cases: usize,
    /// L2 penalty.
    pub l2: f64,
    /// Gradient-descent steps.
    pub iterations: usize,
    /// Step size.
    pub learning_rate: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            min_cases: 2,
            l2: 0.003,
            iterations: 1500,
            learning_rate: 0.5,
        }
    }
}

impl TrainOptions {
    /// The sentence reader's settings. Its 384 dense, standardised dimensions take the
    /// penalty that scikit-learn's `C` = 0.01 gives on this training split's size, the
    /// value chosen on inner folds in the measurement that led to building it
    /// (`datasets/drafts/embedding-experiment/loco.md`); the step size is worked out from
    /// the data ([`crate::tools::train`]), so `learning_rate` is unused.
    pub fn sentences() -> Self {
        Self {
            min_cases: 0,
            l2: 0.03,
            iterations: 400,
            learning_rate: 0.0,
        }
    }

    /// The character reader's settings. Its vectors have length 1 and tens of thousands of
    /// dimensions, so it takes larger steps and a lighter penalty than the word reader
    /// (chosen by cross-validation on the training split: 0.0001 until session 36, when
    /// the training split grew by 365 reuses, three in four with no pattern, and 0.00003
    /// kept its confident tags as many and as right).
    pub fn characters() -> Self {
        Self {
            min_cases: 2,
            l2: 0.00003,
            iterations: 600,
            learning_rate: 15.0,
        }
    }
}

/// The classifier of one pattern, or the gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternModel {
    /// The pattern's local name (`access`, `planning`, `policy`), or [`GATE`].
    pub pattern: String,
    /// The intercept.
    pub bias: f64,
    /// Feature weights; features absent here weigh nothing.
    pub weights: BTreeMap<String, f64>,
}

/// How one pattern scored for one record; `tag --explain --json` shows it as it is, its
/// probabilities to three decimals (the evidence is shown by the assignment it carried).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Score {
    /// The pattern's local name.
    pub pattern: String,
    /// What decides: the mean of the readers' probabilities that the record shows the
    /// pattern, the sentence reader's weighed as the settings say.
    #[serde(serialize_with = "super::rounded")]
    pub score: f64,
    /// What a tag reports: the lowest of the readers' probabilities and the gate's. A tag
    /// is as sure as the least sure of them.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f64,
    /// The word reader's probability.
    #[serde(serialize_with = "super::rounded")]
    pub words: f64,
    /// The character reader's probability.
    #[serde(serialize_with = "super::rounded")]
    pub characters: f64,
    /// The sentence reader's probability; none for a dataset, which it does not read.
    #[serde(
        serialize_with = "super::rounded_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub sentences: Option<f64>,
    /// The gate's probability that the record shows any pattern: the mean of the two
    /// readers' gate classifiers (the same for every pattern of a record).
    #[serde(serialize_with = "super::rounded")]
    pub gate: f64,
    /// The features that raised the score most, with their contributions, largest first.
    #[serde(skip)]
    pub evidence: Vec<(String, f64)>,
    /// What the record's features add to the model's prior (the logit minus the bias): a
    /// pattern is only assigned on evidence, never on its base rate alone.
    #[serde(skip)]
    pub net: f64,
}

impl Model {
    /// The bundled model.
    pub fn bundled() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            Model::parse(BUNDLED_MODEL, "bundled model").expect("the bundled tagger model parses")
        })
    }

    /// The bundled model's [`Model::version`], worked out once per process: it hashes the
    /// whole 5 MB model, and every tagging run and pipeline records it.
    pub fn bundled_version() -> &'static str {
        static VERSION: OnceLock<String> = OnceLock::new();
        VERSION.get_or_init(|| Model::bundled().version())
    }

    /// Reads a model file. A file of an older format is refused by name: its readers are
    /// not the ones this tagger combines.
    pub fn parse(text: &str, document: &str) -> Result<Self> {
        /// Only the format: the rest of the file is skipped, not built into a tree.
        #[derive(Deserialize)]
        struct FormatOnly {
            format: Option<u64>,
        }
        if let Ok(FormatOnly { format: Some(format) }) = serde_json::from_str::<FormatOnly>(text)
            && format != u64::from(MODEL_FORMAT)
        {
            return Err(IngestError::shape(
                document,
                format!(
                    "the model is of format {format}; this tagger reads format {}: retrain it with `civicgraph train-tagger`",
                    MODEL_FORMAT
                ),
            ));
        }
        let model: Model = serde_json::from_str(text).map_err(|e| {
            // serde_json's message ends with its own "at line L column C"; the position is
            // given once, in civicgraph's form.
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            IngestError::syntax(
                document,
                Some(crate::error::Position {
                    line: e.line() as u64,
                    column: e.column() as u64,
                }),
                message.strip_suffix(&suffix).unwrap_or(&message),
            )
        })?;
        for (reader, classifiers) in [("word", &model.patterns), ("character", &model.characters)] {
            let names: Vec<&str> = classifiers.iter().map(|p| p.pattern.as_str()).collect();
            if names != CLASSIFIERS {
                return Err(IngestError::shape(
                    document,
                    format!(
                        "the {reader} reader must have classifiers for access, planning, policy and {GATE} in that order, not {names:?}"
                    ),
                ));
            }
        }
        let sentences = &model.sentences;
        let names: Vec<&str> = sentences.patterns.iter().map(|p| p.pattern.as_str()).collect();
        let dimensions = civicgraph_embed::DIMENSIONS;
        if names != CLASSIFIERS[..3]
            || sentences.mean.len() != dimensions
            || sentences.scale.len() != dimensions
            || sentences.scale.iter().any(|s| *s <= 0.0)
            || sentences.patterns.iter().any(|p| p.weights.len() != dimensions)
        {
            return Err(IngestError::shape(
                document,
                format!(
                    "the sentence reader must have classifiers for access, planning and policy in that order, each of {dimensions} weights, and {dimensions} means and positive scales"
                ),
            ));
        }
        Ok(model)
    }

    /// The model as the JSON written to `model.json`: pretty, with sorted keys, so that a
    /// retrain on the same data gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a model serialises");
        text.push('\n');
        text
    }

    /// `format-N sha256:<first 16 hex digits of the file>`: what a tagging run records.
    pub fn version(&self) -> String {
        let digest = Sha256::digest(self.to_json().as_bytes());
        format!("format-{} sha256:{}", self.format, &hex(&digest)[..16])
    }

    /// The model's weights laid out for scoring many records.
    pub fn scorer(&self) -> Scorer {
        Scorer::new(self)
    }
}

/// A model's weights in hash tables, one lookup giving a feature's weight for all three
/// patterns and the gate: tagging a million records looks up thousands of features each.
#[derive(Debug, Clone)]
pub struct Scorer {
    patterns: Vec<String>,
    word_bias: Vec<f64>,
    words: FxHashMap<String, [f64; 4]>,
    character_bias: Vec<f64>,
    characters: FxHashMap<String, [f64; 4]>,
    sentences: SentenceReader,
    /// The sentence reader's weight in the score ([`super::TagSettings::sentence_weight`]).
    sentence_weight: f64,
}

/// The character reader's logits for one record, summed gram by gram
/// ([`Scorer::add_gram`]).
#[derive(Debug, Clone)]
pub struct CharacterLogits(Vec<f64>);

impl Scorer {
    /// `model` has four classifiers per reader, the gate last: [`Model::parse`] and
    /// training make sure.
    fn new(model: &Model) -> Self {
        let table = |classifiers: &[PatternModel]| {
            let mut table: FxHashMap<String, [f64; 4]> = FxHashMap::default();
            for (index, classifier) in classifiers.iter().enumerate() {
                for (name, weight) in &classifier.weights {
                    table.entry(name.clone()).or_insert([0.0; 4])[index] = *weight;
                }
            }
            table
        };
        Self {
            patterns: model
                .patterns
                .iter()
                .filter(|p| p.pattern != GATE)
                .map(|p| p.pattern.clone())
                .collect(),
            word_bias: model.patterns.iter().map(|p| p.bias).collect(),
            words: table(&model.patterns),
            character_bias: model.characters.iter().map(|p| p.bias).collect(),
            characters: table(&model.characters),
            sentences: model.sentences.clone(),
            sentence_weight: 1.0,
        }
    }

    /// The scorer, with the sentence reader counting `weight` times as much as each of
    /// the other two in a case study's score (1 unless said).
    pub fn weighing_sentences(mut self, weight: f64) -> Self {
        self.sentence_weight = weight;
        self
    }

    /// The character reader's logits before any gram: its biases.
    pub fn character_logits(&self) -> CharacterLogits {
        CharacterLogits(self.character_bias.clone())
    }

    /// Adds one character gram of weight `value` to `logits`.
    pub fn add_gram(&self, logits: &mut CharacterLogits, gram: &str, value: f64) {
        if let Some(weights) = self.characters.get(gram) {
            for (logit, weight) in logits.0.iter_mut().zip(weights) {
                *logit += weight * value;
            }
        }
    }

    /// The word reader's logits for one record, patterns then the gate, summed as
    /// [`Scorer::score`] sums them.
    fn word_logits(&self, features: &Features, mut evidence: impl FnMut(usize, &String, f64)) -> Vec<f64> {
        let mut logits = self.word_bias.clone();
        for (name, value) in features {
            if let Some(weights) = self.words.get(name) {
                for (index, weight) in weights.iter().enumerate() {
                    let contribution = weight * value;
                    logits[index] += contribution;
                    evidence(index, name, contribution);
                }
            }
        }
        logits
    }

    /// Whether any pattern's confidence can reach `at` for a record of these word
    /// features: a confidence is at most the word reader's probability of its pattern, and
    /// at most the gate, the mean of two probabilities of which the word reader's is one.
    pub fn words_may_reach(&self, features: &Features, at: f64) -> bool {
        let logits = self.word_logits(features, |_, _, _| {});
        let gate = sigmoid(logits[self.patterns.len()]);
        (gate + 1.0) / 2.0 >= at && logits[..self.patterns.len()].iter().any(|&l| sigmoid(l) >= at)
    }

    /// Scores every pattern for one record: its word features, its character logits and,
    /// for a case study, its text's embedding.
    pub fn score(
        &self,
        features: &Features,
        characters: &CharacterLogits,
        embedding: Option<&[f32]>,
    ) -> Vec<Score> {
        let sentences = embedding.map(|vector| self.sentences.probabilities(vector));
        let mut contributions: Vec<Vec<(String, f64)>> = vec![Vec::new(); self.patterns.len()];
        let logits = self.word_logits(features, |index, name, contribution| {
            if contribution > 0.0
                && let Some(evidence) = contributions.get_mut(index)
            {
                evidence.push((name.clone(), contribution));
            }
        });
        let gate_index = self.patterns.len();
        let gate = (sigmoid(logits[gate_index]) + sigmoid(characters.0[gate_index])) / 2.0;
        // Largest first as shown (two decimals), then by name, so that the order read back
        // from the store is the order given here.
        let shown = |x: f64| (x * 100.0).round() as i64;
        self.patterns
            .iter()
            .zip(logits)
            .zip(contributions)
            .zip(&self.word_bias)
            .zip(&characters.0)
            .enumerate()
            .map(
                |(index, ((((pattern, logit), mut evidence), bias), character_logit))| {
                    evidence.sort_by(|a, b| shown(b.1).cmp(&shown(a.1)).then_with(|| a.0.cmp(&b.0)));
                    evidence.truncate(EVIDENCE_FEATURES);
                    let words = sigmoid(logit);
                    let characters = sigmoid(*character_logit);
                    let sentences = sentences.as_ref().map(|p| p[index]);
                    let (score, confidence) = match sentences {
                        Some(s) => (
                            (words + characters + self.sentence_weight * s) / (2.0 + self.sentence_weight),
                            words.min(characters).min(s).min(gate),
                        ),
                        None => ((words + characters) / 2.0, words.min(characters).min(gate)),
                    };
                    Score {
                        pattern: pattern.clone(),
                        score,
                        confidence,
                        words,
                        characters,
                        sentences,
                        gate,
                        evidence,
                        net: logit - bias,
                    }
                },
            )
            .collect()
    }

    /// [`Scorer::score`] for a record whose character grams are collected
    /// ([`super::features::characters`]), as a labelled case's are.
    pub fn score_collected(
        &self,
        features: &Features,
        characters: &Features,
        embedding: Option<&[f32]>,
    ) -> Vec<Score> {
        let mut logits = self.character_logits();
        for (gram, value) in characters {
            self.add_gram(&mut logits, gram, *value);
        }
        self.score(features, &logits, embedding)
    }
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_model_parses_and_has_a_stable_version() {
        let model = Model::bundled();
        assert_eq!(model.patterns.len(), 4);
        assert!(model.examples >= 200, "trained on {} cases", model.examples);
        assert_eq!(
            model.version(),
            Model::parse(&model.to_json(), "again").unwrap().version()
        );
    }

    #[test]
    fn a_model_with_the_wrong_classifiers_is_refused() {
        let mut model = Model::bundled().clone();
        model.patterns.swap(0, 1);
        let error = Model::parse(&model.to_json(), "m.json").unwrap_err().to_string();
        assert!(
            error.contains("m.json") && error.contains("access, planning, policy and any"),
            "{error}"
        );
        let error = Model::parse("{\"format\": 4,\n \"x\": 2}", "m.json")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("m.json: unknown field `x`") && error.ends_with("at line 2, column 4"),
            "{error}"
        );
        let mut old = serde_json::to_value(Model::bundled()).unwrap();
        old["format"] = 1.into();
        let error = Model::parse(&old.to_string(), "old.json")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("old.json") && error.contains("format 1") && error.contains("train-tagger"),
            "{error}"
        );
    }

    #[test]
    fn the_word_reader_bounds_every_confidence() {
        let scorer = Model::bundled().scorer();
        let featurizer = super::super::features::Featurizer::from_vocabulary();
        let mut ruled_out = 0;
        for text in [
            "A chatbot answers residents' questions about bin collections, day and night",
            "The council predicts which roads need repair and schedules its crews by risk",
            "Budget data informed the ministry's new policy on school funding",
            "List of cheeses of France",
            "Bus stops",
            "Registro de contratos del ayuntamiento",
        ] {
            let input = civicgraph_graph::Record::from_text(text);
            let reading = super::super::features::Reading::of(&input);
            let features = featurizer.features(&reading);
            let scores =
                scorer.score_collected(&features, &super::super::features::characters(&reading), None);
            for at in (1..20).map(|i| f64::from(i) / 20.0) {
                if !scorer.words_may_reach(&features, at) {
                    ruled_out += 1;
                    assert!(
                        scores.iter().all(|s| s.confidence < at),
                        "{text} at {at}: {scores:?}"
                    );
                }
            }
        }
        // It does rule out: that is what spares a catalogue's datasets the second reader.
        assert!(ruled_out > 20, "{ruled_out}");
    }

    #[test]
    fn the_sentence_reader_counts_as_much_as_it_is_weighed() {
        let model = Model::bundled();
        let input = civicgraph_graph::Record::from_text(
            "A chatbot answers residents' questions about bin collections, day and night",
        );
        let featurizer = super::super::features::Featurizer::from_vocabulary();
        let reading = super::super::features::Reading::of(&input);
        let features = featurizer.features(&reading);
        let characters = super::super::features::characters(&reading);
        let vector: Vec<f32> = (0..civicgraph_embed::DIMENSIONS)
            .map(|i| ((i % 7) as f32 - 3.0) / 40.0)
            .collect();
        let two = model.scorer().score_collected(&features, &characters, None);
        for weight in [0.0, 1.0, 2.0, 3.5] {
            let scores = model.scorer().weighing_sentences(weight).score_collected(
                &features,
                &characters,
                Some(&vector),
            );
            for (score, alone) in scores.iter().zip(&two) {
                let s = score.sentences.expect("a case study's text is read");
                let expected = (score.words + score.characters + weight * s) / (2.0 + weight);
                assert!((score.score - expected).abs() < 1e-12, "{weight}: {score:?}");
                // The weight moves the score, never how sure a tag says it is.
                assert_eq!(
                    score.confidence,
                    score.words.min(score.characters).min(s).min(score.gate)
                );
                if weight == 0.0 {
                    assert!((score.score - alone.score).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn confidence_is_the_lowest_of_the_two_readers_and_the_gate() {
        let model = Model::bundled();
        let scorer = model.scorer();
        // A public body's service for residents: every reader and the gate say so.
        let input = civicgraph_graph::Record::from_text(
            "The council's chatbot answers residents' questions about bin collections, day and night",
        );
        let featurizer = super::super::features::Featurizer::from_vocabulary();
        let reading = super::super::features::Reading::of(&input);
        let scores = scorer.score_collected(
            &featurizer.features(&reading),
            &super::super::features::characters(&reading),
            None,
        );
        assert_eq!(scores.len(), 3);
        for score in &scores {
            assert_eq!(
                score.confidence,
                score.words.min(score.characters).min(score.gate),
                "{score:?}"
            );
            assert_eq!(score.gate, scores[0].gate, "one gate per record");
            assert_eq!(score.score, (score.words + score.characters) / 2.0, "{score:?}");
        }
        let access = &scores[0];
        assert!(
            access.words > 0.5 && access.characters > 0.5 && access.gate > 0.5,
            "{access:?}"
        );
        assert!(
            access.evidence.iter().any(|(name, _)| name.starts_with("cue:")),
            "{access:?}"
        );
    }
}
