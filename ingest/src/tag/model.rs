//! The tagger's model: one logistic regression per ODI pattern over the features of
//! [`super::features`], stored as readable JSON (`ingest/tagger/model.json`) so that every
//! weight can be inspected, and so that a tag's evidence is exactly the features that
//! pushed its score up.

use super::features::Features;
use crate::error::{IngestError, Result};
use crate::mint::hex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The model file compiled into the binary: the one trained on `datasets/tagger`.
pub const BUNDLED_MODEL: &str = include_str!("../../tagger/model.json");

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
    /// One classifier per pattern, in order P1, P2, P3.
    pub patterns: Vec<PatternModel>,
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

/// The classifier of one pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternModel {
    /// The pattern's local name: `access`, `planning` or `policy`.
    pub pattern: String,
    /// The intercept.
    pub bias: f64,
    /// Feature weights; features absent here weigh nothing.
    pub weights: BTreeMap<String, f64>,
}

/// How one pattern scored for one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The pattern's local name.
    pub pattern: String,
    /// The model's probability that the record shows the pattern.
    pub confidence: f64,
    /// The features that raised the score most, with their contributions, largest first.
    pub evidence: Vec<(String, f64)>,
    /// What the record's features add to the model's prior (the logit minus the bias): a
    /// pattern is only assigned on evidence, never on its base rate alone.
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

    /// Reads a model file.
    pub fn parse(text: &str, document: &str) -> Result<Self> {
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
        let names: Vec<&str> = model.patterns.iter().map(|p| p.pattern.as_str()).collect();
        if names != ["access", "planning", "policy"] {
            return Err(IngestError::shape(
                document,
                format!(
                    "the model must have classifiers for access, planning and policy in that order, not {names:?}"
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

    /// Scores every pattern for one record's features.
    pub fn score(&self, features: &Features) -> Vec<Score> {
        self.patterns
            .iter()
            .map(|model| {
                let mut logit = model.bias;
                let mut contributions = Vec::new();
                for (name, value) in features {
                    if let Some(weight) = model.weights.get(name) {
                        let contribution = weight * value;
                        logit += contribution;
                        if contribution > 0.0 {
                            contributions.push((name.clone(), contribution));
                        }
                    }
                }
                // Largest first as shown (two decimals), then by name, so that the order
                // read back from the store is the order given here.
                let shown = |x: f64| (x * 100.0).round() as i64;
                contributions.sort_by(|a, b| shown(b.1).cmp(&shown(a.1)).then_with(|| a.0.cmp(&b.0)));
                contributions.truncate(EVIDENCE_FEATURES);
                Score {
                    pattern: model.pattern.clone(),
                    confidence: sigmoid(logit),
                    evidence: contributions,
                    net: logit - model.bias,
                }
            })
            .collect()
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
        assert_eq!(model.patterns.len(), 3);
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
            error.contains("m.json") && error.contains("access, planning and policy"),
            "{error}"
        );
        let error = Model::parse("{\"format\": 1,\n \"x\": 2}", "m.json")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("m.json: unknown field `x`") && error.ends_with("at line 2, column 4"),
            "{error}"
        );
    }
}
