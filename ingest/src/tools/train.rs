//! The labelled set in `datasets/tagger` and training on it.
//!
//! Training is plain batch gradient descent on the L2-penalised log loss, one classifier per
//! pattern and reader, and per reader one for the gate (any pattern against NONE), over
//! features in a fixed (sorted) order: no randomness anywhere, so the same labelled set
//! always gives the same `model.json`, byte for byte. The eight classifiers are
//! independent and train on threads of their own.

use crate::enrich::tag::embedding;
use crate::enrich::tag::features::{Features, Featurizer};
use crate::enrich::tag::model::{
    DenseModel, GATE, MODEL_FORMAT, Model, PatternModel, SentenceReader, TrainOptions, sigmoid,
};
use crate::error::{IngestError, Position, Result};
use crate::mint::hex;
use civicgraph_vocab::ODI_PATTERNS;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One labelled case.
#[derive(Debug, Clone)]
pub struct Example {
    /// `ips:10004`, `demo:tfl-open-data`, ...
    pub id: String,
    /// Its features.
    pub features: Features,
    /// Its character grams, for the character reader.
    pub characters: Features,
    /// What the sentence reader embeds of it ([`embedding::text_of`]).
    pub text: String,
    /// That text's embedding ([`embedding::vector`]), filled in once every case is read.
    pub embedding: Vec<f32>,
    /// The patterns it was labelled with (local names); empty for NONE.
    pub patterns: BTreeSet<String>,
    /// The labeller's quote from the case.
    pub rationale: String,
}

/// The labelled cases, in file order, the hash of the files they came from, and which of
/// them are the held-out test split.
#[derive(Debug, Clone)]
pub struct LabelledSet {
    /// The cases.
    pub examples: Vec<Example>,
    /// SHA-256 of `labels.tsv` followed by `cases.json`.
    pub hash: String,
    /// The ids of the test split (`split.tsv`): never trained on, never used to choose
    /// features or thresholds. Empty when the directory has no split.
    pub test: BTreeSet<String>,
    /// Training-split cases with their text in another language (`translations/`): trained
    /// on beside their originals, and scored in cross-validation by the fold's model that
    /// saw neither the case nor any translation of it, to measure how the tagger reads the
    /// languages catalogues are written in.
    pub translations: Vec<Translation>,
}

/// Labelled cases with their title and description in one language (`translations/es.json`:
/// a case-study file whose cases are labelled ones, translated), each labelled as its
/// original.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The file's name without `.json`: `es`, `de`, `it`, `fr`, or `en` for the originals'
    /// text cut as it was translated.
    pub language: String,
    /// The translated cases.
    pub examples: Vec<Example>,
}

impl Translation {
    /// Whether a model trains on it: every language but `en`, the originals' own text cut,
    /// which adds nothing to them.
    pub fn is_trained_on(&self) -> bool {
        self.language != "en"
    }
}

impl Example {
    /// The case `id` read as `input`, labelled `patterns` with `rationale`.
    fn of(
        featurizer: &Featurizer,
        id: &str,
        input: &civicgraph_graph::Record,
        patterns: BTreeSet<String>,
        rationale: &str,
    ) -> Self {
        let reading = crate::enrich::tag::features::Reading::of(input);
        Self {
            id: id.to_owned(),
            features: featurizer.features(&reading),
            characters: crate::enrich::tag::features::characters(&reading),
            text: embedding::text_of(input),
            embedding: Vec::new(),
            patterns,
            rationale: rationale.to_owned(),
        }
    }
}

/// The bytes of `path`, an error naming it when it cannot be read.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| IngestError::Io {
        document: path.display().to_string(),
        source,
    })
}

/// One line of a labels file (`labels.tsv`): a case, its patterns and the quote behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The case's id.
    pub id: String,
    /// Its patterns' local names (`access`, `planning`, `policy`); empty for NONE.
    pub patterns: BTreeSet<String>,
    /// The labeller's quote.
    pub rationale: String,
    /// The line it is on (1-based), for errors that name it.
    pub line: u64,
}

/// Reads a labels file: a header, then a case id, its labels (`P1`, `P2`, `P3` separated
/// by spaces, or `NONE`) and a rationale per line, tab-separated. The case studies' labels
/// and the datasets' are read by this one function.
pub fn parse_labels(bytes: &[u8], name: &str) -> Result<Vec<Label>> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| IngestError::syntax(name, None, format!("not UTF-8: {e}")))?;
    let mut labels = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let at = |column: u64, message: String| {
            IngestError::syntax(
                name,
                Some(Position {
                    line: index as u64 + 1,
                    column,
                }),
                message,
            )
        };
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [id, patterns, rationale] = fields[..] else {
            return Err(at(
                1,
                format!("expected 3 tab-separated fields, found {}", fields.len()),
            ));
        };
        let mut set = BTreeSet::new();
        for code in patterns.split_whitespace() {
            let local = match code {
                "P1" => "access",
                "P2" => "planning",
                "P3" => "policy",
                "NONE" => continue,
                other => return Err(at(id.len() as u64 + 2, format!("unknown pattern {other:?}"))),
            };
            set.insert(local.to_owned());
        }
        if set.is_empty() && patterns.trim() != "NONE" {
            return Err(at(id.len() as u64 + 2, "no pattern: write NONE".into()));
        }
        labels.push(Label {
            id: id.to_owned(),
            patterns: set,
            rationale: rationale.to_owned(),
            line: index as u64 + 1,
        });
    }
    Ok(labels)
}

/// Which side of a split a labelled record is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Half {
    /// Trained on, and what options and rules may be chosen on.
    Train,
    /// Scored, never trained or chosen on.
    Test,
}

impl Half {
    /// `train` or `test`, as the split file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Half::Train => "train",
            Half::Test => "test",
        }
    }
}

/// Reads a split file (`split.tsv`): a header, then an id, a tab and `train` or `test` per
/// line. The case studies' split and the datasets' are read by this one function.
pub fn parse_split(bytes: &[u8], name: &str) -> Result<BTreeMap<String, Half>> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| IngestError::syntax(name, None, format!("not UTF-8: {e}")))?;
    let mut halves = BTreeMap::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        let (id, half) = match line.split_once('\t') {
            Some((id, "train")) => (id, Half::Train),
            Some((id, "test")) => (id, Half::Test),
            _ => {
                return Err(IngestError::syntax(
                    name,
                    Some(Position {
                        line: index as u64 + 1,
                        column: 1,
                    }),
                    "expected: an id, a tab, and train or test",
                ));
            }
        };
        halves.insert(id.to_owned(), half);
    }
    Ok(halves)
}

impl LabelledSet {
    /// Reads `labels.tsv` and `cases.json` from `dir`. The cases are mapped by the
    /// case-study source kind, exactly as a harvest would map them.
    pub fn load(dir: &Path, featurizer: &Featurizer) -> Result<Self> {
        let read = |name: &str| read_file(&dir.join(name));
        let labels_bytes = read("labels.tsv")?;
        let cases_bytes = read("cases.json")?;
        let labels_name = dir.join("labels.tsv").display().to_string();
        let cases_name = dir.join("cases.json").display().to_string();
        let mut hasher = Sha256::new();
        hasher.update(&labels_bytes);
        hasher.update(&cases_bytes);
        let hash = hex(&hasher.finalize());

        let inputs = crate::enrich::tag::inputs_from_document(&cases_bytes, &cases_name)?;
        let by_id: BTreeMap<&str, &civicgraph_graph::Record> =
            inputs.iter().map(|r| (r.id.as_str(), &r.input)).collect();
        let mut examples = Vec::new();
        for label in parse_labels(&labels_bytes, &labels_name)? {
            let input = by_id.get(label.id.as_str()).ok_or_else(|| {
                IngestError::syntax(
                    &labels_name,
                    Some(Position {
                        line: label.line,
                        column: 1,
                    }),
                    format!("case {:?} is not in {cases_name}", label.id),
                )
            })?;
            examples.push(Example::of(
                featurizer,
                &label.id,
                input,
                label.patterns,
                &label.rationale,
            ));
        }
        let split_path = dir.join("split.tsv");
        let mut test = BTreeSet::new();
        if split_path.exists() {
            let split = parse_split(&read("split.tsv")?, &split_path.display().to_string())?;
            test = split
                .into_iter()
                .filter(|(_, half)| *half == Half::Test)
                .map(|(id, _)| id)
                .collect();
        }
        let (mut translations, translated_bytes) =
            load_translations(&dir.join("translations"), featurizer, &examples, &test)?;
        // Every case's embedding, and every translation's, in one pass over all cores.
        let mut all: Vec<&mut Example> = examples
            .iter_mut()
            .chain(translations.iter_mut().flat_map(|t| &mut t.examples))
            .collect();
        let texts: Vec<String> = all.iter().map(|e| e.text.clone()).collect();
        for (example, vector) in all.iter_mut().zip(embedding::vectors(&texts)?) {
            example.embedding = vector;
        }
        // The translations are trained on too: the model's version names them.
        let hash = if translated_bytes.is_empty() {
            hash
        } else {
            let mut hasher = Sha256::new();
            hasher.update(hash.as_bytes());
            hasher.update(&translated_bytes);
            hex(&hasher.finalize())
        };
        Ok(Self {
            examples,
            hash,
            test,
            translations,
        })
    }

    /// The cases to train and cross-validate on: all but the test split.
    pub fn training(&self) -> Vec<&Example> {
        self.examples
            .iter()
            .filter(|e| !self.test.contains(&e.id))
            .collect()
    }

    /// The training split's cases in other languages, trained on beside their originals
    /// ([`Translation::is_trained_on`]).
    pub fn translated(&self) -> Vec<&Example> {
        self.translations
            .iter()
            .filter(|t| t.is_trained_on())
            .flat_map(|t| &t.examples)
            .collect()
    }

    /// What a model is trained on: the training split, and its cases in other languages.
    pub fn training_with_translations(&self) -> Vec<&Example> {
        let mut examples = self.training();
        examples.extend(self.translated());
        examples
    }

    /// Every case and translation, test split included: the texts whose vectors the
    /// memo keeps ([`embedding::write_memo`]).
    pub fn everything(&self) -> Vec<&Example> {
        self.examples
            .iter()
            .chain(self.translations.iter().flat_map(|t| &t.examples))
            .collect()
    }

    /// The held-out test split.
    pub fn testing(&self) -> Vec<&Example> {
        self.examples
            .iter()
            .filter(|e| self.test.contains(&e.id))
            .collect()
    }
}

/// The translations in `dir` (every `*.json`, by name), when it exists. A translated case
/// must be a labelled one of the training split: a test-split case read in any language
/// would no longer be unseen.
fn load_translations(
    dir: &Path,
    featurizer: &Featurizer,
    examples: &[Example],
    test: &BTreeSet<String>,
) -> Result<(Vec<Translation>, Vec<u8>)> {
    if !dir.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let io = |source| IngestError::Io {
        document: dir.display().to_string(),
        source,
    };
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()).map_err(io))
        .collect::<Result<Vec<_>>>()?;
    files.retain(|path| path.extension().is_some_and(|e| e == "json"));
    files.sort();
    let labelled: BTreeMap<&str, &Example> = examples.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut translations = Vec::new();
    let mut all_bytes = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let bytes = read_file(&path)?;
        all_bytes.extend_from_slice(&bytes);
        let mut translated = Vec::new();
        for record in crate::enrich::tag::inputs_from_document(&bytes, &name)? {
            let original = labelled
                .get(record.id.as_str())
                .ok_or_else(|| IngestError::shape(&name, format!("case {:?} is not labelled", record.id)))?;
            if test.contains(&record.id) {
                return Err(IngestError::shape(
                    &name,
                    format!(
                        "case {:?} is in the test split, which must stay unseen",
                        record.id
                    ),
                ));
            }
            translated.push(Example::of(
                featurizer,
                &record.id,
                &record.input,
                original.patterns.clone(),
                &original.rationale,
            ));
        }
        translations.push(Translation {
            language: path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            examples: translated,
        });
    }
    Ok((translations, all_bytes))
}

/// Whether a feature says who acts (`actor:industry`): a structured field many sources do
/// not give, so the model also learns each case without it (see [`train`]).
fn is_actor_field(name: &str) -> bool {
    name.starts_with("actor:")
}

/// Trains a model on `examples`: the word reader with `options`, the character reader with
/// [`TrainOptions::characters`].
///
/// A case whose source says who acts (`actor:` features) is learnt twice by the word
/// reader: with and without that field, so the model neither leans on it nor falls apart
/// for text that lacks it (plain text, catalogues that do not type their publishers). Every
/// case is also learnt from its rules and fields alone, without its words: what the word
/// reader has of text in a language it was not trained on.
pub fn train(examples: &[&Example], options: &TrainOptions, trained_on: &str) -> Model {
    // The copies below are made once per case, not once per language it is read in: a
    // case translated four times would otherwise weigh five times as much in them.
    let mut seen = BTreeSet::new();
    let firsts: Vec<&Example> = examples
        .iter()
        .copied()
        .filter(|e| seen.insert(e.id.as_str()))
        .collect();
    let without_actors: Vec<Example> = firsts
        .iter()
        .filter(|e| e.features.keys().any(|k| is_actor_field(k)))
        .map(|e| Example {
            features: e
                .features
                .iter()
                .filter(|(k, _)| !is_actor_field(k))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            ..(*e).clone()
        })
        .collect();
    // A case in a language the model has few words of (most harvested catalogues) keeps
    // its rules (the cue terms it matched in its own language), themes and who acts: each
    // case is learnt once more from those alone, so that they carry a pattern by
    // themselves rather than only beside the English words they co-occur with.
    let rules_only: Vec<Example> = firsts
        .iter()
        .map(|e| Example {
            features: e
                .features
                .iter()
                .filter(|(k, _)| !k.starts_with("word:") && !k.starts_with("phrase:"))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            ..(*e).clone()
        })
        .filter(|e| !e.features.is_empty())
        .collect();
    let doubled: Vec<&Example> = examples
        .iter()
        .copied()
        .chain(without_actors.iter())
        .chain(rules_only.iter())
        .collect();
    let character_options = TrainOptions::characters();
    let (patterns, characters, sentences) = std::thread::scope(|scope| {
        let words = scope.spawn(|| classifiers(examples, &doubled, |e: &Example| &e.features, options));
        let sentences = scope.spawn(|| sentence_reader(examples, &TrainOptions::sentences()));
        let characters = classifiers(
            examples,
            examples,
            |e: &Example| &e.characters,
            &character_options,
        );
        (
            words.join().expect("the word reader trains"),
            characters,
            sentences.join().expect("the sentence reader trains"),
        )
    });
    Model {
        format: MODEL_FORMAT,
        trained_on: trained_on.to_owned(),
        examples: examples.len(),
        options: *options,
        patterns,
        character_options,
        characters,
        sentences,
    }
}

/// The sentence reader trained on `examples`' embeddings: each dimension standardised by
/// the training cases' mean and deviation, then one logistic regression per pattern.
///
/// The dimensions are dense and correlated, which plain gradient descent crawls through,
/// so this one uses Nesterov's accelerated descent with the step worked out from the data:
/// 1/L, L bounding the loss's curvature (a quarter of the largest eigenvalue of the
/// standardised vectors' second moments, found by power iteration, plus the penalty).
/// Deterministic like the rest: fixed start, fixed order.
fn sentence_reader(examples: &[&Example], options: &TrainOptions) -> SentenceReader {
    let dimensions = civicgraph_embed::DIMENSIONS;
    let n = examples.len().max(1) as f64;
    let mut mean = vec![0.0; dimensions];
    for example in examples {
        for (m, x) in mean.iter_mut().zip(&example.embedding) {
            *m += f64::from(*x) / n;
        }
    }
    let mut scale = vec![0.0; dimensions];
    for example in examples {
        for ((s, m), x) in scale.iter_mut().zip(&mean).zip(&example.embedding) {
            *s += (f64::from(*x) - m).powi(2) / n;
        }
    }
    let scale: Vec<f64> = scale
        .into_iter()
        .map(|v| if v > 1e-12 { round(v.sqrt()) } else { 1.0 })
        .collect();
    let mean: Vec<f64> = mean.into_iter().map(round).collect();
    // Rows with a leading 1 for the bias.
    let rows: Vec<Vec<f64>> = examples
        .iter()
        .map(|e| {
            std::iter::once(1.0)
                .chain(
                    e.embedding
                        .iter()
                        .zip(mean.iter().zip(&scale))
                        .map(|(x, (m, s))| (f64::from(*x) - m) / s),
                )
                .collect()
        })
        .collect();
    let width = dimensions + 1;
    // The largest eigenvalue of XᵀX/n, by power iteration from a fixed start.
    let mut v = vec![1.0 / (width as f64).sqrt(); width];
    let mut largest = 1.0;
    for _ in 0..60 {
        let mut next = vec![0.0; width];
        for row in &rows {
            let dot: f64 = row.iter().zip(&v).map(|(a, b)| a * b).sum();
            for (t, a) in next.iter_mut().zip(row) {
                *t += dot * a / n;
            }
        }
        largest = next.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = next.into_iter().map(|x| x / largest.max(1e-12)).collect();
    }
    let lipschitz = 0.25 * largest * 1.05 + options.l2;
    let step = 1.0 / lipschitz;
    let momentum = {
        let (l, m) = (lipschitz.sqrt(), options.l2.sqrt());
        (l - m) / (l + m)
    };
    let fit = |local: &str| {
        let targets: Vec<f64> = examples
            .iter()
            .map(|e| if e.patterns.contains(local) { 1.0 } else { 0.0 })
            .collect();
        let mut w = vec![0.0; width];
        let mut previous = w.clone();
        for _ in 0..options.iterations {
            let y: Vec<f64> = w
                .iter()
                .zip(&previous)
                .map(|(a, b)| a + momentum * (a - b))
                .collect();
            let mut gradient = vec![0.0; width];
            for (row, target) in rows.iter().zip(&targets) {
                let logit: f64 = row.iter().zip(&y).map(|(a, b)| a * b).sum();
                let error = sigmoid(logit) - target;
                for (g, a) in gradient.iter_mut().zip(row) {
                    *g += error * a;
                }
            }
            previous = w;
            w = y
                .iter()
                .zip(&gradient)
                .enumerate()
                // The bias (index 0) is not penalised.
                .map(|(i, (y, g))| {
                    let penalty = if i == 0 { 0.0 } else { options.l2 * y };
                    y - step * (g / n + penalty)
                })
                .collect();
        }
        DenseModel {
            pattern: local.to_owned(),
            bias: round(w[0]),
            weights: w[1..].iter().map(|x| round(*x)).collect(),
        }
    };
    let fit = &fit;
    let patterns = std::thread::scope(|scope| {
        let handles: Vec<_> = pattern_locals()
            .map(|local| scope.spawn(move || fit(local)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a classifier trains"))
            .collect()
    });
    SentenceReader {
        options: *options,
        mean,
        scale,
        patterns,
    }
}

/// One classifier per pattern over the features `of` each case: the features seen in at
/// least `options.min_cases` of `counted`, learnt from `examples`.
fn classifiers(
    counted: &[&Example],
    examples: &[&Example],
    of: impl Fn(&Example) -> &Features + Sync,
    options: &TrainOptions,
) -> Vec<PatternModel> {
    // Features seen in enough cases, in sorted order, numbered.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for example in counted {
        for name in of(example).keys() {
            *counts.entry(name).or_default() += 1;
        }
    }
    let names: Vec<&str> = counts
        .into_iter()
        .filter(|(_, count)| *count >= options.min_cases)
        .map(|(name, _)| name)
        .collect();
    let number: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let rows: Vec<Vec<(usize, f64)>> = examples
        .iter()
        .map(|e| {
            of(e)
                .iter()
                .filter_map(|(name, value)| number.get(name.as_str()).map(|&i| (i, *value)))
                .collect()
        })
        .collect();
    let fit = |local: &str| {
        let targets: Vec<f64> = examples
            .iter()
            .map(|e| {
                let shows = if local == GATE {
                    !e.patterns.is_empty()
                } else {
                    e.patterns.contains(local)
                };
                if shows { 1.0 } else { 0.0 }
            })
            .collect();
        let (bias, weights) = descend(&rows, &targets, names.len(), options);
        PatternModel {
            pattern: local.to_owned(),
            bias: round(bias),
            weights: names
                .iter()
                .zip(&weights)
                .map(|(name, w)| ((*name).to_owned(), round(*w)))
                .filter(|(_, w)| w.abs() >= 1e-4)
                .collect(),
        }
    };
    let locals: Vec<&str> = pattern_locals().chain([GATE]).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = locals.iter().map(|local| scope.spawn(|| fit(local))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a classifier trains"))
            .collect()
    })
}

/// The three patterns' local names (`access`, `planning`, `policy`), in order.
fn pattern_locals() -> impl Iterator<Item = &'static str> {
    ODI_PATTERNS
        .iter()
        .map(|pattern| pattern.as_str().rsplit('/').next().unwrap_or_default())
}

/// Batch gradient descent on the mean log loss plus `l2` times half the squared weights:
/// the bias and the weights.
fn descend(
    rows: &[Vec<(usize, f64)>],
    targets: &[f64],
    features: usize,
    options: &TrainOptions,
) -> (f64, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let mut weights = vec![0.0; features];
    let mut bias = 0.0;
    let mut gradient = vec![0.0; features];
    for _ in 0..options.iterations {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        let mut bias_gradient = 0.0;
        for (row, target) in rows.iter().zip(targets) {
            let logit = bias + row.iter().map(|(i, v)| weights[*i] * v).sum::<f64>();
            let error = sigmoid(logit) - target;
            bias_gradient += error;
            for (i, v) in row {
                gradient[*i] += error * v;
            }
        }
        bias -= options.learning_rate * bias_gradient / n;
        for (w, g) in weights.iter_mut().zip(&gradient) {
            *w -= options.learning_rate * (g / n + options.l2 * *w);
        }
    }
    (bias, weights)
}

/// Six decimals: enough for the scores, and short, stable text in the model file.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A labelled set of two cases, one in the test split, with `translated` (ids) in
    /// `translations/es.json`.
    fn labelled_dir(translated: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("labels.tsv"),
            "case\tpatterns\trationale\nx:1\tP2\tschedules inspections\nx:2\tNONE\tsells maps\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("split.tsv"),
            "case\tsplit\nx:1\ttrain\nx:2\ttest\n",
        )
        .unwrap();
        let case =
            |id: &str, title: &str| serde_json::json!({"id": id, "title": title, "description": title});
        let cases = serde_json::json!({"case_studies": [
            case("x:1", "The council schedules restaurant inspections by risk"),
            case("x:2", "A company sells maps"),
        ]});
        std::fs::write(dir.path().join("cases.json"), cases.to_string()).unwrap();
        std::fs::create_dir(dir.path().join("translations")).unwrap();
        let spanish: Vec<_> = translated
            .iter()
            .map(|id| case(id, "El ayuntamiento programa las inspecciones"))
            .collect();
        std::fs::write(
            dir.path().join("translations/es.json"),
            serde_json::json!({ "case_studies": spanish }).to_string(),
        )
        .unwrap();
        dir
    }

    #[test]
    fn a_translation_is_labelled_as_its_original_and_never_of_a_test_case() {
        let featurizer = Featurizer::from_vocabulary();
        let dir = labelled_dir(&["x:1"]);
        let set = LabelledSet::load(dir.path(), &featurizer).unwrap();
        let [spanish] = &set.translations[..] else {
            panic!("{:?}", set.translations)
        };
        assert_eq!(spanish.language, "es");
        assert_eq!(
            spanish.examples[0].patterns,
            BTreeSet::from(["planning".to_owned()])
        );
        assert!(spanish.examples[0].features.contains_key("cue:planning"));

        let dir = labelled_dir(&["x:2"]);
        let error = LabelledSet::load(dir.path(), &featurizer)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("es.json") && error.contains("test split"),
            "{error}"
        );
    }
}
