//! Pattern tagging: which of the three ODI patterns each dataset and case study shows.
//!
//! A pattern a source states (`cg:usePattern` in the source's own data) is kept as a
//! *curated* assignment with confidence 1. Every other record is scored by the model
//! ([`model`]), a logistic regression per pattern over words, phrases and the vocabulary's
//! cue terms ([`features`]), trained on the hand-labelled cases in `datasets/tagger`
//! (`tools::train`, evaluated by `tools::tag_eval`, behind the `tools` feature). Patterns
//! scoring at or above their threshold are *inferred* assignments; when none does, the
//! record is tagged NONE. [`apply`] writes the assignments into the tags graph; [`explain`]
//! shows them for an IRI, a file or text.

pub mod apply;
pub mod embedding;
pub mod explain;
pub mod features;
mod known;
pub mod model;
mod usage;

use crate::enrich::mapped_document::MappedDocument;
use crate::error::{IngestError, Result};
use civicgraph_graph::{Parts, Record, RecordKind, RecordReader};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::dcat;
use model::{Model, Score};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, Term};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

pub use apply::{TagSummary, tag_graph, tag_scope};
pub use explain::{Explanation, explain_document, explain_record, explain_text};
pub use known::Known;
use usage::{Lookup, Use, usage};

/// The `[tagging]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagSettings {
    /// A pattern is inferred when its score (the weighted mean of the readers'
    /// probabilities, [`TagSettings::sentence_weight`]) reaches this.
    pub threshold: f64,
    /// Thresholds for single patterns (`access`, `planning`, `policy`), overriding `threshold`.
    pub thresholds: BTreeMap<String, f64>,
    /// When no pattern reaches its threshold, the best one is still assigned if its score
    /// reaches this; below it, the record is tagged NONE.
    pub none_below: f64,
    /// A pattern is assigned only when the record's features raise its logit above the
    /// model's prior by more than this; otherwise a record with no telling words would get
    /// the most common pattern of the training set.
    pub min_evidence: f64,
    /// Whether a dataset's own text is read for patterns at all. Off by default: a
    /// catalogue entry rarely says how its data is used, and on 278 real US federal entries
    /// labelled by the guidelines (`datasets/tagger/datasets`) the text tags the model gave were right
    /// 3 times in 21 on the half the rule was chosen on, and 6 in 27 on the other (records
    /// schedules read as planning). A dataset then takes patterns only from the case
    /// studies that used it.
    pub dataset_text: bool,
    /// With `dataset_text`, a dataset no case study uses is tagged from its own text only
    /// when a pattern reaches this confidence; below it, NONE. A catalogue entry's title
    /// rarely says how the data is used, so a weak text guess would mislead more than it
    /// tells.
    pub dataset_threshold: f64,
    /// How much the sentence reader counts in a case study's score against the word and
    /// character readers' one each: the score is `(words + characters + w * sentences) /
    /// (2 + w)`. Chosen on the training split only (`docs/TAGGING.md`): at 2 the readers'
    /// cross-validated figure is unchanged and each collection held out in turn scores
    /// better, since what a text means carries to a kind of text the words never saw.
    pub sentence_weight: f64,
    /// A model file to use instead of the bundled one.
    pub model: Option<PathBuf>,
}

impl Default for TagSettings {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            // Chosen by cross-validation on the training split (never the test split): P1
            // and P3 are rarer than P2, and their scores run lower for the same precision.
            thresholds: BTreeMap::from([("access".to_owned(), 0.25), ("policy".to_owned(), 0.25)]),
            none_below: 0.35,
            min_evidence: 0.5,
            dataset_text: false,
            dataset_threshold: 0.8,
            sentence_weight: 2.0,
            model: None,
        }
    }
}

impl TagSettings {
    /// Refuses thresholds outside [0, 1] and unknown pattern names.
    pub fn check(&self) -> Result<()> {
        for (name, value) in [("threshold", &self.threshold), ("none_below", &self.none_below)]
            .into_iter()
            .chain(self.thresholds.iter().map(|(k, v)| (k.as_str(), v)))
        {
            if !(0.0..=1.0).contains(value) {
                return Err(IngestError::Config(format!(
                    "tagging: {name} = {value} is not between 0 and 1"
                )));
            }
        }
        if !(self.sentence_weight.is_finite() && self.sentence_weight >= 0.0) {
            return Err(IngestError::Config(format!(
                "tagging: sentence_weight = {} is not a finite number of at least 0",
                self.sentence_weight
            )));
        }
        for name in self.thresholds.keys() {
            if !["access", "planning", "policy"].contains(&name.as_str()) {
                return Err(IngestError::Config(format!(
                    "tagging.thresholds: {name:?} is not a pattern (access, planning, policy)"
                )));
            }
        }
        Ok(())
    }

    /// The threshold of `pattern`.
    pub fn threshold_for(&self, pattern: &str) -> f64 {
        self.thresholds.get(pattern).copied().unwrap_or(self.threshold)
    }

    /// The scores that pass their thresholds, else the best if it reaches `none_below`;
    /// empty means NONE.
    pub fn decide(&self, scores: &[Score]) -> Vec<Score> {
        let evidenced = scores.iter().filter(|s| s.net > self.min_evidence);
        let passing: Vec<Score> = evidenced
            .clone()
            .filter(|s| s.score >= self.threshold_for(&s.pattern))
            .cloned()
            .collect();
        if !passing.is_empty() {
            return passing;
        }
        evidenced
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .filter(|best| best.score >= self.none_below)
            .cloned()
            .into_iter()
            .collect()
    }

    /// Why a record's best pattern was not assigned, as its NONE's evidence says: its score,
    /// and, when the score alone would have passed, that the record's own words gave too
    /// little evidence of it (`min_evidence`): a score above its threshold beside a NONE
    /// reads as a mistake unless the line says so.
    pub fn why_not(&self, best: &Score) -> String {
        let line = format!("highest pattern score: {} {:.3}", best.pattern, best.score);
        let would_pass = best.score >= self.threshold_for(&best.pattern).min(self.none_below);
        if !would_pass || best.net > self.min_evidence {
            return line;
        }
        let words = if best.net > 0.0 {
            format!("raise its log-odds by only {:.2} over its prior", best.net)
        } else {
            "give no evidence of it".to_owned()
        };
        format!(
            "{line}, enough to assign it, but not assigned: the words the model knows in the text {words}, and min_evidence asks for {}",
            self.min_evidence
        )
    }

    /// The version of the model these settings name ([`Model::version`]).
    pub fn model_version(&self) -> Result<String> {
        match &self.model {
            None => Ok(Model::bundled_version().to_owned()),
            Some(_) => Ok(self.load_model()?.version()),
        }
    }

    /// The model these settings name: the bundled one unless a file is given.
    pub fn load_model(&self) -> Result<Model> {
        match &self.model {
            None => Ok(Model::bundled().clone()),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io {
                    document: path.display().to_string(),
                    source,
                })?;
                Model::parse(&text, &path.display().to_string())
            }
        }
    }
}

/// What the tagger assigns and the record view reads back: one type, in the graph crate.
pub use civicgraph_graph::{Assignment, Method};

/// The tagger: a model, its featurizer and the thresholds.
#[derive(Debug)]
pub struct Tagger {
    model: Model,
    /// [`Model::version`], worked out once: what every tagging run records.
    version: String,
    scorer: model::Scorer,
    featurizer: features::Featurizer,
    settings: TagSettings,
    /// The case studies' embeddings it has ([`embedding::Vectors`]).
    vectors: embedding::Vectors,
}

impl Tagger {
    /// A tagger with the model the settings name.
    pub fn new(settings: &TagSettings) -> Result<Self> {
        settings.check()?;
        let model = settings.load_model()?;
        let version = match &settings.model {
            None => Model::bundled_version().to_owned(),
            Some(_) => model.version(),
        };
        Ok(Self {
            version,
            scorer: model.scorer().weighing_sentences(settings.sentence_weight),
            model,
            featurizer: features::Featurizer::from_vocabulary(),
            settings: settings.clone(),
            vectors: embedding::Vectors::default(),
        })
    }

    /// The tagger, given the embeddings a store's data directory kept from its last runs
    /// (none for a store in memory); [`Tagger::keep_vectors`] writes them back.
    pub fn keeping_vectors(mut self, dir: Option<&std::path::Path>) -> Self {
        self.vectors = embedding::Vectors::kept_in(dir);
        self
    }

    /// Keeps the embeddings this tagger computed in the data directory it was given (a
    /// cache: a failure is logged, not returned).
    pub fn keep_vectors(&self) {
        self.vectors.keep();
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The model's version ([`Model::version`]).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every pattern's score for `input`, as [`Tagger::infer`] weighs them: with the
    /// sentence reader unless it is a dataset ([`Tagger::infer_dataset`]).
    pub fn scores(&self, input: &Record) -> Result<Vec<Score>> {
        let reading = features::Reading::of(input);
        let embedding = match input.kind {
            Some(RecordKind::Dataset) => None,
            _ => Some(self.vectors.vector(&embedding::text_of(input))?),
        };
        Ok(self.scores_with(
            &reading,
            &self.featurizer.features(&reading),
            embedding.as_deref(),
        ))
    }

    /// [`Tagger::scores`] with the word reader's features computed, and the record's
    /// embedding if the sentence reader reads it.
    fn scores_with(
        &self,
        reading: &features::Reading<'_>,
        features: &features::Features,
        embedding: Option<&[f32]>,
    ) -> Vec<Score> {
        let mut characters = self.scorer.character_logits();
        features::character_grams(reading, |gram, value| {
            self.scorer.add_gram(&mut characters, gram, value);
        });
        self.scorer.score(features, &characters, embedding)
    }

    /// The inferred assignments for `input`, a case study or plain text: the passing
    /// patterns, or NONE. All three readers read it.
    pub fn infer(&self, input: &Record) -> Result<Vec<Assignment>> {
        let reading = features::Reading::of(input);
        let embedding = self.vectors.vector(&embedding::text_of(input))?;
        let features = self.featurizer.features(&reading);
        Ok(self.infer_scored(&reading, self.scores_with(&reading, &features, Some(&embedding))))
    }

    /// The inferred assignments of a dataset no case study need have used: only those
    /// that can reach `dataset_threshold` count ([`Tagger::for_dataset`]), and a
    /// confidence is never above the word reader's probability nor above the gate, so when
    /// the word reader alone rules them out the character reader and the evidence are not
    /// computed at all (most of a national catalogue's datasets). Empty then, which
    /// `for_dataset` reads as it reads weak ones.
    ///
    /// A pattern also needs a cue term of its own in the text (`cue:planning`: "inspectors",
    /// "forecast", ...): the model learnt from case studies, which say how data was used,
    /// and a catalogue entry's long description (a council's transparency boilerplate, a
    /// page's "Data and Resources") can score high on words that name no use at all.
    fn infer_dataset(&self, input: &Record) -> DatasetText {
        let reading = features::Reading::of(input);
        let features = self.featurizer.features(&reading);
        let named: Vec<&str> = civicgraph_vocab::cgp::ALL
            .iter()
            .filter_map(|pattern| pattern.as_str().rsplit('/').next())
            .filter(|pattern| features.contains_key(&format!("cue:{pattern}")))
            .collect();
        // Stored confidences are rounded to three decimals, so one just below the
        // threshold can still reach it.
        let reachable = self.settings.dataset_threshold - 0.001;
        if named.is_empty() || !self.scorer.words_may_reach(&features, reachable) {
            return DatasetText::default();
        }
        let (mut inferred, unnamed): (Vec<Assignment>, Vec<Assignment>) = self
            .infer_scored(&reading, self.scores_with(&reading, &features, None))
            .into_iter()
            .partition(|a| a.pattern == "none" || named.contains(&a.pattern.as_str()));
        // What its text scored without naming, said where its NONE is explained.
        let unnamed: Vec<String> = unnamed
            .iter()
            .filter(|a| a.confidence >= reachable)
            .map(|a| {
                format!(
                    "its own text scores {} {:.3}, but names no such use (none of the {} rule's terms)",
                    pattern_code(&a.pattern),
                    a.confidence,
                    a.pattern
                )
            })
            .collect();
        inferred.retain(|a| a.pattern != "none");
        DatasetText { inferred, unnamed }
    }

    /// The inferred assignments for `input`, scored.
    fn infer_scored(&self, reading: &features::Reading<'_>, scores: Vec<Score>) -> Vec<Assignment> {
        let passing = self.settings.decide(&scores);
        if passing.is_empty() {
            let none = scores.iter().map(|s| 1.0 - s.score).product::<f64>();
            let best = scores
                .iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .map(|s| self.settings.why_not(s));
            return vec![Assignment {
                pattern: "none".into(),
                method: Method::Inferred,
                confidence: round3(none),
                evidence: best.into_iter().collect(),
            }];
        }
        let prepared = self.featurizer.prepare(reading);
        passing
            .into_iter()
            .map(|s| Assignment {
                pattern: s.pattern,
                method: Method::Inferred,
                confidence: round3(s.confidence),
                // In the record's own words: the quoted phrase and the rule behind it.
                evidence: {
                    let mut lines: Vec<String> = s
                        .evidence
                        .iter()
                        .map(|(name, weight)| {
                            format!("{} (+{weight:.2})", self.featurizer.explain_in(&prepared, name))
                        })
                        .collect();
                    civicgraph_graph::order_evidence(&mut lines);
                    lines
                },
            })
            .collect()
    }

    /// The assignments of `record` in `reader`'s store: the curated ones if any graph
    /// other than `ignore` states patterns for it, else the inferred ones.
    ///
    /// A dataset takes the patterns of the case studies that used it: those in `fresh` as
    /// this run assigns them, the others as the store holds them.
    pub fn assign(
        &self,
        reader: &mut RecordReader<'_>,
        record: &NamedNode,
        ignore: &[NamedNode],
        fresh: &CaseStudyPatterns,
    ) -> Result<Vec<Assignment>> {
        let read = reader.read(record.as_ref())?.unwrap_or_default();
        self.assign_read(reader.store(), record, &read, ignore, fresh, None)
    }

    /// [`Tagger::assign`] for a record already read from `store` (`read`, its view there):
    /// a pass that reads each record once for several consumers tags what it read. With
    /// `known`, what the whole store held at the pass's start, the store is asked only about
    /// the few records it names.
    pub fn assign_read(
        &self,
        store: &Store,
        record: &NamedNode,
        read: &Record,
        ignore: &[NamedNode],
        fresh: &CaseStudyPatterns,
        known: Option<&Known>,
    ) -> Result<Vec<Assignment>> {
        let lookup = Lookup { store, known };
        let mut curated: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (pattern, graph) in lookup.stated(record)? {
            if let GraphName::NamedNode(g) = &graph
                && ignore.contains(g)
            {
                continue;
            }
            if civicgraph_vocab::cgp::ALL.contains(&pattern.as_ref()) {
                let local = pattern.as_str().rsplit('/').next().unwrap_or_default().to_owned();
                curated
                    .entry(local)
                    .or_default()
                    .push(format!("stated by the source in {graph}"));
            }
        }
        if !curated.is_empty() {
            // A source that states a pattern and NONE says a pattern.
            if curated.len() > 1 {
                curated.remove("none");
            }
            return Ok(curated
                .into_iter()
                .map(|(pattern, evidence)| Assignment {
                    pattern,
                    method: Method::Curated,
                    confidence: 1.0,
                    evidence,
                })
                .collect());
        }
        // A record read as a dataset was typed one in the store; any other is asked, unless
        // what the harvests rolled says which records of other kinds are datasets too.
        if read.kind != Some(RecordKind::Dataset) && !lookup.is_dataset(record)? {
            return self.infer(read);
        }
        let uses = usage(lookup, record, ignore, fresh)?;
        let text = if self.settings.dataset_text {
            self.infer_dataset(read)
        } else {
            DatasetText::default()
        };
        Ok(self.for_dataset(uses, text))
    }

    /// A dataset's assignments: the patterns of the case studies that used it, weighed
    /// above what its own text suggests; else its text's patterns when they reach
    /// `dataset_threshold`; else NONE.
    fn for_dataset(&self, uses: Vec<Use>, text: DatasetText) -> Vec<Assignment> {
        let DatasetText { inferred, unnamed } = text;
        let mut by_pattern: BTreeMap<String, Assignment> = BTreeMap::new();
        for used in &uses {
            for (pattern, method) in &used.patterns {
                let confidence = if *method == Method::Curated {
                    PROPAGATED_CURATED
                } else {
                    PROPAGATED_INFERRED
                };
                let line = format!(
                    "{USED_BY}{}: {}, {}",
                    used.title,
                    pattern_code(pattern),
                    if *method == Method::Curated {
                        "curated"
                    } else {
                        "inferred"
                    }
                );
                let entry = by_pattern.entry(pattern.clone()).or_insert_with(|| Assignment {
                    pattern: pattern.clone(),
                    method: Method::Inferred,
                    confidence,
                    evidence: Vec::new(),
                });
                entry.confidence = entry.confidence.max(confidence);
                if !entry.evidence.contains(&line) {
                    entry.evidence.push(line);
                }
            }
        }
        let strong: Vec<Assignment> = inferred
            .into_iter()
            .filter(|a| a.pattern != "none" && a.confidence >= self.settings.dataset_threshold)
            .collect();
        for assignment in strong {
            match by_pattern.get_mut(&assignment.pattern) {
                Some(entry) => entry.evidence.extend(assignment.evidence),
                None if uses.is_empty() => {
                    by_pattern.insert(assignment.pattern.clone(), assignment);
                }
                None => {}
            }
        }
        if by_pattern.is_empty() {
            let mut evidence = vec![if self.settings.dataset_text {
                format!(
                    "no case study uses it, and its own text names no use of it with confidence {} or more",
                    self.settings.dataset_threshold
                )
            } else {
                "no case study uses it (a dataset's own text is not read for patterns: a catalogue entry rarely says how its data is used; dataset_text = true reads it)".to_owned()
            }];
            evidence.extend(unnamed);
            return vec![Assignment {
                pattern: "none".into(),
                method: Method::Inferred,
                confidence: 1.0 - self.settings.dataset_threshold,
                evidence,
            }];
        }
        by_pattern.into_values().collect()
    }
}

/// What a dataset's own text says ([`Tagger::infer_dataset`]): the patterns it was scored
/// with, its NONE left out, and, said in words, those it scored confidently without naming
/// a use of that kind.
#[derive(Debug, Default)]
struct DatasetText {
    inferred: Vec<Assignment>,
    unnamed: Vec<String>,
}

/// How the evidence of a pattern a dataset takes from a case study begins.
pub const USED_BY: &str = "used by: ";

/// The confidence of a pattern a dataset takes from a case study that used it, when the
/// case study's pattern is curated or itself inferred.
const PROPAGATED_CURATED: f64 = 0.95;
const PROPAGATED_INFERRED: f64 = 0.75;

/// `P1`, `P2`, `P3` for a pattern's local name.
pub fn pattern_code(pattern: &str) -> &str {
    match pattern {
        "access" => "P1",
        "planning" => "P2",
        "policy" => "P3",
        other => other,
    }
}

/// The patterns a tagging run assigned to case studies, by IRI, NONE left out: a run tags
/// case studies before datasets, so that a dataset takes the patterns its users have now,
/// not those of the last run (which a first run has not got).
pub type CaseStudyPatterns = HashMap<NamedNode, Vec<(String, Method)>>;

/// The patterns of `assignments` as a dataset that was used takes them.
pub fn use_patterns(assignments: &[Assignment]) -> Vec<(String, Method)> {
    assignments
        .iter()
        .filter(|a| a.pattern != "none")
        .map(|a| (a.pattern.clone(), a.method))
        .collect()
}

/// Whether `record` is typed a case study outside the `ignore` graphs.
pub fn is_case_study(store: &Store, record: &NamedNode, ignore: &[NamedNode]) -> Result<bool> {
    for quad in store.quads_for_pattern(
        Some(record.as_ref().into()),
        Some(rdf::TYPE),
        Some(cg::CASE_STUDY.into()),
        None,
    ) {
        match quad?.graph_name {
            GraphName::NamedNode(g) if ignore.contains(&g) => {}
            _ => return Ok(true),
        }
    }
    Ok(false)
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// [`round3`] for serde: how a probability is written out.
fn rounded<S: serde::Serializer>(x: &f64, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_f64(round3(*x))
}

/// [`rounded`], for a probability a reader may not give.
fn rounded_option<S: serde::Serializer>(
    x: &Option<f64>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match x {
        Some(x) => serializer.serialize_some(&round3(*x)),
        None => serializer.serialize_none(),
    }
}

/// A record of a mapped document: its IRI, its identifier in the document, and its input.
#[derive(Debug, Clone)]
pub struct DocumentRecord {
    /// The record's IRI (minted as a harvest of source `explain` would).
    pub iri: NamedNode,
    /// Its `cg:sourceRecordId` or `dct:identifier`, else its IRI.
    pub id: String,
    /// What the tagger reads.
    pub input: Record,
}

/// The datasets and case studies of `store`, outside the `ignore` graphs, in IRI order.
pub fn records_in(store: &Store, ignore: &[NamedNode]) -> Result<Vec<NamedNode>> {
    let records = records_of(store, &[RecordKind::Dataset, RecordKind::CaseStudy], ignore)?;
    let mut records: Vec<NamedNode> = records.into_iter().collect();
    records.sort();
    Ok(records)
}

/// The IRIs typed as one of `kinds` in a graph other than the `ignore` ones.
pub fn records_of(
    store: &Store,
    kinds: &[RecordKind],
    ignore: &[NamedNode],
) -> Result<std::collections::HashSet<NamedNode>> {
    let mut records = std::collections::HashSet::new();
    for typed in civicgraph_graph::typed_records(store, kinds) {
        let typed = typed?;
        if !matches!(&typed.graph, GraphName::NamedNode(g) if ignore.contains(g)) {
            records.insert(typed.iri);
        }
    }
    Ok(records)
}

/// Whether `record` is a dataset or case study outside the `ignore` graphs.
pub fn records_in_subject(store: &Store, record: &NamedNode, ignore: &[NamedNode]) -> Result<bool> {
    for class in [dcat::DATASET, cg::CASE_STUDY] {
        for quad in store.quads_for_pattern(
            Some(record.as_ref().into()),
            Some(rdf::TYPE),
            Some(class.into()),
            None,
        ) {
            match quad?.graph_name {
                GraphName::NamedNode(g) if ignore.contains(&g) => {}
                _ => return Ok(true),
            }
        }
    }
    Ok(false)
}

/// The records of a document with their tagger inputs and identifiers.
pub fn inputs_from_document(bytes: &[u8], name: &str) -> Result<Vec<DocumentRecord>> {
    document_records(&MappedDocument::map(bytes, name, None)?)
}

/// The records of a document already mapped, with their tagger inputs and identifiers.
pub fn document_records(document: &MappedDocument) -> Result<Vec<DocumentRecord>> {
    let store = document.store();
    let mut reader = document.reader().with_parts(Parts::OWN);
    document
        .records
        .iter()
        .cloned()
        .map(|iri| {
            let mut id = None;
            for property in [cg::SOURCE_RECORD_ID, civicgraph_vocab::ext::dct::IDENTIFIER] {
                if id.is_none()
                    && let Some(quad) = store
                        .quads_for_pattern(Some(iri.as_ref().into()), Some(property), None, None)
                        .next()
                    && let Term::Literal(literal) = quad?.object
                {
                    id = Some(literal.value().to_owned());
                }
            }
            Ok(DocumentRecord {
                input: reader.read(iri.as_ref())?.unwrap_or_default(),
                id: id.unwrap_or_else(|| iri.as_str().to_owned()),
                iri,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(pattern: &str, score: f64, net: f64) -> Score {
        Score {
            pattern: pattern.to_owned(),
            score,
            confidence: score,
            words: score,
            characters: score,
            sentences: Some(score),
            gate: score,
            evidence: Vec::new(),
            net,
        }
    }

    /// A NONE whose best pattern scored above its threshold says that the words gave no
    /// evidence of it; one whose best pattern scored low says only the score.
    #[test]
    fn a_none_says_why_its_best_pattern_was_not_assigned() {
        let settings = TagSettings::default();
        // access's threshold is 0.25 by default: 0.503 passes it, 0.2 does not (nor
        // none_below, 0.35).
        assert_eq!(
            settings.why_not(&score("access", 0.2, 0.1)),
            "highest pattern score: access 0.200"
        );
        let unevidenced = settings.why_not(&score("access", 0.503, 0.31));
        assert!(
            unevidenced
                == "highest pattern score: access 0.503, enough to assign it, but not assigned: the words the model knows in the text raise its log-odds by only 0.31 over its prior, and min_evidence asks for 0.5",
            "{unevidenced}"
        );
        let against = settings.why_not(&score("planning", 0.41, -0.2));
        assert!(
            against.ends_with("planning 0.410, enough to assign it, but not assigned: the words the model knows in the text give no evidence of it, and min_evidence asks for 0.5"),
            "{against}"
        );
        // Evidenced and above its threshold, it would have been assigned: no "but".
        assert_eq!(
            settings.why_not(&score("access", 0.6, 2.0)),
            "highest pattern score: access 0.600"
        );
        assert_eq!(settings.decide(&[score("access", 0.503, 0.31)]), Vec::new());
    }

    #[test]
    fn a_setting_out_of_range_is_refused_by_name() {
        TagSettings::default().check().unwrap();
        let cases = [
            (
                TagSettings {
                    threshold: 1.5,
                    ..TagSettings::default()
                },
                "threshold = 1.5 is not between 0 and 1",
            ),
            (
                TagSettings {
                    sentence_weight: -1.0,
                    ..TagSettings::default()
                },
                "sentence_weight = -1 is not",
            ),
            (
                TagSettings {
                    sentence_weight: f64::NAN,
                    ..TagSettings::default()
                },
                "sentence_weight = NaN is not",
            ),
            (
                TagSettings {
                    thresholds: BTreeMap::from([("acess".to_owned(), 0.3)]),
                    ..TagSettings::default()
                },
                "\"acess\" is not a pattern",
            ),
        ];
        for (settings, says) in cases {
            let error = settings.check().unwrap_err().to_string();
            assert!(error.contains(says), "{error}");
        }
    }
}
