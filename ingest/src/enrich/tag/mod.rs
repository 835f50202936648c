//! Pattern tagging: which of the three ODI patterns each dataset and case study shows.
//!
//! A pattern a source states (`cg:usePattern` in the source's own data) is kept as a
//! *curated* assignment with confidence 1. Every other record is scored by the model
//! ([`model`]), a logistic regression per pattern over words, phrases and the vocabulary's
//! cue terms ([`features`]), trained on the hand-labelled cases in `datasets/tagger`
//! ([`train`], evaluated by [`eval`]). Patterns scoring at or above their threshold are
//! *inferred* assignments; when none does, the record is tagged NONE. [`apply`] writes the
//! assignments into the tags graph; [`explain`] shows them for an IRI, a file or text.

pub mod apply;
pub mod explain;
pub mod features;
pub mod model;

use crate::enrich::mapped_document::MappedDocument;
use crate::error::{IngestError, Result};
use civicgraph_graph::{Parts, Record, RecordKind, RecordReader};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::dcat;
use model::{Model, Score};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, TripleRef,
};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

pub use apply::{TagSummary, tag_graph, tag_scope};
pub use explain::{Explanation, explain_document, explain_record, explain_text};

/// The `[tagging]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagSettings {
    /// A pattern is inferred when its score (the mean of the two readers' probabilities)
    /// reaches this.
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
    /// A dataset no case study uses is tagged from its own text only when a pattern
    /// reaches this confidence; below it, NONE. A catalogue entry's title rarely says how
    /// the data is used, so a weak text guess would mislead more than it tells.
    pub dataset_threshold: f64,
    /// A model file to use instead of the bundled one.
    pub model: Option<PathBuf>,
}

impl Default for TagSettings {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            // Chosen by cross-validation on the training split (never the test split): P1
            // and P3 are rarer than P2, and their scores run lower for the same precision.
            thresholds: BTreeMap::from([("access".to_owned(), 0.3), ("policy".to_owned(), 0.3)]),
            none_below: 0.35,
            min_evidence: 0.5,
            dataset_threshold: 0.8,
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
            scorer: model.scorer(),
            model,
            featurizer: features::Featurizer::from_vocabulary(),
            settings: settings.clone(),
        })
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The model's version ([`Model::version`]).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every pattern's score for `input`.
    pub fn scores(&self, input: &Record) -> Vec<Score> {
        self.scores_with(input, &self.featurizer.features(input))
    }

    /// [`Tagger::scores`] with the word reader's features computed.
    fn scores_with(&self, input: &Record, features: &features::Features) -> Vec<Score> {
        let mut characters = self.scorer.character_logits();
        features::character_grams(input, |gram, value| {
            self.scorer.add_gram(&mut characters, gram, value);
        });
        self.scorer.score(features, &characters)
    }

    /// The inferred assignments for `input`: the passing patterns, or NONE.
    pub fn infer(&self, input: &Record) -> Vec<Assignment> {
        self.infer_scored(input, self.scores(input))
    }

    /// The inferred assignments of a dataset no case study need have used: only those
    /// that can reach `dataset_threshold` count ([`Tagger::for_dataset`]), and a
    /// confidence is never above the word reader's probability nor above the gate, so when
    /// the word reader alone rules them out the character reader and the evidence are not
    /// computed at all (most of a national catalogue's datasets). Empty then, which
    /// `for_dataset` reads as it reads weak ones.
    fn infer_dataset(&self, input: &Record) -> Vec<Assignment> {
        let features = self.featurizer.features(input);
        // Stored confidences are rounded to three decimals, so one just below the
        // threshold can still reach it.
        let reachable = self.settings.dataset_threshold - 0.001;
        if !self.scorer.words_may_reach(&features, reachable) {
            return Vec::new();
        }
        self.infer_scored(input, self.scores_with(input, &features))
    }

    /// The inferred assignments for `input`, scored.
    fn infer_scored(&self, input: &Record, scores: Vec<Score>) -> Vec<Assignment> {
        let passing = self.settings.decide(&scores);
        if passing.is_empty() {
            let none = scores.iter().map(|s| 1.0 - s.score).product::<f64>();
            let best = scores
                .iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .map(|s| format!("highest pattern score: {} {:.3}", s.pattern, s.score));
            return vec![Assignment {
                pattern: "none".into(),
                method: Method::Inferred,
                confidence: round3(none),
                evidence: best.into_iter().collect(),
            }];
        }
        let prepared = self.featurizer.prepare(input);
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
        let mut curated: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut note = |pattern: &NamedNode, graph: &GraphName| {
            if let GraphName::NamedNode(g) = graph
                && ignore.contains(g)
            {
                return;
            }
            if civicgraph_vocab::cgp::ALL.contains(&pattern.as_ref()) {
                let local = pattern.as_str().rsplit('/').next().unwrap_or_default().to_owned();
                curated
                    .entry(local)
                    .or_default()
                    .push(format!("stated by the source in {graph}"));
            }
        };
        match known {
            Some(known) => {
                for (pattern, graph) in known.stated.get(record).into_iter().flatten() {
                    note(pattern, graph);
                }
            }
            None => {
                for quad in store.quads_for_pattern(Some(record.into()), Some(cg::USE_PATTERN), None, None) {
                    let quad = quad?;
                    if let Term::NamedNode(pattern) = &quad.object {
                        note(pattern, &quad.graph_name);
                    }
                }
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
        let is_dataset = read.kind == Some(RecordKind::Dataset)
            || match known.and_then(|known| known.datasets_too.as_ref()) {
                Some(datasets_too) => datasets_too.contains(record),
                None => store
                    .quads_for_pattern(
                        Some(record.into()),
                        Some(rdf::TYPE),
                        Some(dcat::DATASET.into()),
                        None,
                    )
                    .next()
                    .is_some(),
            };
        if !is_dataset {
            return Ok(self.infer(read));
        }
        let uses = match known.and_then(|known| known.usage(record, ignore, fresh)) {
            Some(uses) => uses,
            None => usage(store, record, ignore, fresh, known)?,
        };
        Ok(self.for_dataset(uses, self.infer_dataset(read)))
    }

    /// A dataset's assignments: the patterns of the case studies that used it, weighed
    /// above what its own text suggests; else its text's patterns when they reach
    /// `dataset_threshold`; else NONE.
    fn for_dataset(&self, uses: Vec<Use>, inferred: Vec<Assignment>) -> Vec<Assignment> {
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
            return vec![Assignment {
                pattern: "none".into(),
                method: Method::Inferred,
                confidence: 1.0 - self.settings.dataset_threshold,
                evidence: vec![format!(
                    "no case study uses it, and its own text shows no pattern with confidence {} or more",
                    self.settings.dataset_threshold
                )],
            }];
        }
        by_pattern.into_values().collect()
    }
}

/// How the evidence of a pattern a dataset takes from a case study begins.
pub const USED_BY: &str = "used by: ";

/// The confidence of a pattern a dataset takes from a case study that used it, when the
/// case study's pattern is curated or itself inferred.
const PROPAGATED_CURATED: f64 = 0.95;
const PROPAGATED_INFERRED: f64 = 0.75;

/// `P1`, `P2`, `P3` for a pattern's local name.
fn pattern_code(pattern: &str) -> &str {
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

/// A case study that used a dataset (or another member of its cluster).
#[derive(Debug)]
struct Use {
    case: NamedNode,
    title: String,
    /// Its patterns and how each was assigned: curated by its source, or inferred (as the
    /// last tagging run stored it).
    patterns: Vec<(String, Method)>,
}

/// The case studies that used `record`, through `cg:usesDataset` to it or to another member
/// of its `cg:cluster` (the same dataset in another catalogue), the clusters `known` found
/// in this run counted too.
fn usage(
    store: &Store,
    record: &NamedNode,
    derived: &[NamedNode],
    fresh: &CaseStudyPatterns,
    known: Option<&Known>,
) -> Result<Vec<Use>> {
    let mut members = vec![record.clone()];
    for member in known
        .and_then(|known| known.found_clusters.get(record))
        .into_iter()
        .flat_map(|m| m.iter())
    {
        if !members.contains(member) {
            members.push(member.clone());
        }
    }
    for quad in store.quads_for_pattern(Some(record.into()), Some(cg::CLUSTER), None, None) {
        if let Term::NamedNode(cluster) = quad?.object {
            for member in
                store.quads_for_pattern(None, Some(cg::CLUSTER), Some(cluster.as_ref().into()), None)
            {
                if let NamedOrBlankNode::NamedNode(m) = member?.subject
                    && !members.contains(&m)
                {
                    members.push(m);
                }
            }
        }
    }
    let mut cases: Vec<NamedNode> = Vec::new();
    for member in &members {
        for quad in store.quads_for_pattern(None, Some(cg::USES_DATASET), Some(member.as_ref().into()), None)
        {
            if let NamedOrBlankNode::NamedNode(case) = quad?.subject
                && !cases.contains(&case)
            {
                cases.push(case);
            }
        }
    }
    let mut uses = Vec::new();
    for case in cases {
        let mut patterns = StatedPatterns::default();
        let mut title = None;
        for quad in store.quads_for_pattern(Some(case.as_ref().into()), None, None, None) {
            let quad = quad?;
            let derived_graph = matches!(&quad.graph_name, GraphName::NamedNode(g) if derived.contains(g));
            match (quad.predicate.as_ref(), &quad.object) {
                // The least of several, as [`Known::usage`] takes it.
                (p, Term::Literal(l))
                    if p == civicgraph_vocab::ext::dct::TITLE
                        && title.as_deref().is_none_or(|t| l.value() < t) =>
                {
                    title = Some(l.value().to_owned());
                }
                (p, Term::NamedNode(pattern)) if p == cg::USE_PATTERN => {
                    patterns.note(pattern, derived_graph);
                }
                _ => {}
            }
        }
        uses.extend(patterns.into_use(&case, title, fresh));
    }
    sort_uses(&mut uses);
    Ok(uses)
}

/// Orders uses as a dataset's evidence lists them: by title, then by case study (two may
/// share a title).
fn sort_uses(uses: &mut [Use]) {
    uses.sort_by(|a, b| (&a.title, &a.case).cmp(&(&b.title, &b.case)));
}

/// The patterns the graphs state for one case study, gathered into its [`Use`]: each
/// pattern once, curated (stated by a source) above inferred (stated by a derived graph).
#[derive(Default)]
struct StatedPatterns(Vec<(String, Method)>);

impl StatedPatterns {
    /// Notes `pattern`, stated in a derived graph or not.
    fn note(&mut self, pattern: &NamedNode, derived: bool) {
        let local = pattern.as_str().rsplit('/').next().unwrap_or_default().to_owned();
        if local == "none" {
            return;
        }
        let method = if derived {
            Method::Inferred
        } else {
            Method::Curated
        };
        match self.0.iter_mut().find(|(p, _)| *p == local) {
            Some(existing) if method == Method::Curated => existing.1 = Method::Curated,
            Some(_) => {}
            None => self.0.push((local, method)),
        }
    }

    /// The use of `case`, titled `title`: its curated patterns when it has any, else the
    /// inferred ones, unless this run assigned it patterns (`fresh`); none without patterns.
    fn into_use(self, case: &NamedNode, title: Option<String>, fresh: &CaseStudyPatterns) -> Option<Use> {
        let mut patterns = self.0;
        if patterns.iter().any(|(_, m)| *m == Method::Curated) {
            patterns.retain(|(_, m)| *m == Method::Curated);
        }
        if let Some(assigned) = fresh.get(case) {
            patterns.clone_from(assigned);
        }
        (!patterns.is_empty()).then(|| Use {
            case: case.clone(),
            title: title.unwrap_or_else(|| case.as_str().to_owned()),
            patterns,
        })
    }
}

/// What the whole store holds that tagging a record would otherwise ask it about, read
/// once before a pass over every record: the few subjects a graph states a pattern for,
/// the few datasets a case study uses and the titles of those case studies, and whether
/// any dataset is in a cluster. At a million records, asking the store these for each
/// record (four lookups, each decoding what it found) was a third of tagging's time. A
/// first refresh adds the clusters it found before writing them.
///
/// Rolled by a first harvest's sources ([`crate::enrich::harvested`]), it also holds
/// which records of another kind are datasets too, so that a first refresh asks the store
/// nothing: its lookups, made before the store's one compaction, each consulted every file
/// the bulk loads had left (at a million datasets, most of the refresh's pass, one core
/// idle).
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// The patterns stated for each subject of a `cg:usePattern`, with the graph of each.
    stated: HashMap<NamedNode, Vec<(NamedNode, GraphName)>>,
    /// The case studies (subjects of a `cg:usesDataset`) that use each object of one.
    used: HashMap<NamedNode, Vec<NamedNode>>,
    /// Whether any `cg:cluster` statement exists in the store: if one does, a dataset's
    /// uses are asked of the store (through its cluster's members).
    clustered: bool,
    /// The clusters this run found and has not written yet ([`Known::note_clusters`]):
    /// every member of each, by member.
    found_clusters: HashMap<NamedNode, std::sync::Arc<[NamedNode]>>,
    /// The title of each case study in `used` (the least, when it has several), when every
    /// one is known: then a dataset's uses are not asked of the store.
    titles: Option<HashMap<NamedNode, String>>,
    /// The records typed `dcat:Dataset` besides another record class, when known: then a
    /// record not read as a dataset is not asked whether it is one.
    datasets_too: Option<std::collections::HashSet<NamedNode>>,
}

impl Known {
    /// What `store` holds now. Valid while no other write changes those statements: for a
    /// pass that holds the writer's lock.
    pub fn of(store: &Store) -> Result<Self> {
        let mut known = Self::default();
        for predicate in [cg::USE_PATTERN, cg::USES_DATASET] {
            for quad in store.quads_for_pattern(None, Some(predicate), None, None) {
                let quad = quad?;
                known.note(quad.as_ref().into(), quad.graph_name.as_ref());
            }
        }
        known.clustered = store
            .quads_for_pattern(None, Some(cg::CLUSTER), None, None)
            .next()
            .transpose()?
            .is_some();
        // The titles of the case studies that use a dataset (a few thousand lookups): with
        // them, a dataset's uses are not asked of the store.
        let mut titles: HashMap<NamedNode, String> = HashMap::new();
        for case in known.used.values().flatten() {
            if titles.contains_key(case) {
                continue;
            }
            for quad in store.quads_for_pattern(
                Some(case.as_ref().into()),
                Some(civicgraph_vocab::ext::dct::TITLE),
                None,
                None,
            ) {
                if let Term::Literal(title) = quad?.object {
                    least_title(&mut titles, case, title.value());
                }
            }
        }
        known.titles = Some(titles);
        Ok(known)
    }

    /// Notes the clusters this run found (each one's members), before they are written: a
    /// dataset takes the patterns of the case studies that used another member of its.
    pub(crate) fn note_clusters(&mut self, clusters: &[Vec<String>]) {
        for members in clusters {
            let members: std::sync::Arc<[NamedNode]> = members
                .iter()
                .map(|m| NamedNode::new_unchecked(m.as_str()))
                .collect();
            for member in members.iter() {
                self.found_clusters.insert(member.clone(), members.clone());
            }
        }
    }

    /// Nothing known yet, to be extended with what each source of a first harvest rolled:
    /// the case studies' titles are known as long as each source knew its own.
    pub(crate) fn for_roll() -> Self {
        Self {
            titles: Some(HashMap::new()),
            ..Self::default()
        }
    }

    /// Notes what `triple`, in `graph`, says of a pattern stated, a dataset used or a
    /// cluster.
    pub(crate) fn note(&mut self, triple: TripleRef<'_>, graph: GraphNameRef<'_>) {
        if triple.predicate == cg::USE_PATTERN {
            if let (NamedOrBlankNodeRef::NamedNode(subject), TermRef::NamedNode(pattern)) =
                (triple.subject, triple.object)
            {
                self.stated
                    .entry(subject.into_owned())
                    .or_default()
                    .push((pattern.into_owned(), graph.into_owned()));
            }
        } else if triple.predicate == cg::USES_DATASET {
            if let (NamedOrBlankNodeRef::NamedNode(case), TermRef::NamedNode(dataset)) =
                (triple.subject, triple.object)
            {
                let cases = self.used.entry(dataset.into_owned()).or_default();
                if !cases.iter().any(|c| c.as_ref() == case) {
                    cases.push(case.into_owned());
                }
            }
        } else if triple.predicate == cg::CLUSTER {
            self.clustered = true;
        }
    }

    /// Notes the titles of the case studies among `triples` that use a dataset: for a
    /// source's roll, after [`Known::note`] saw them all.
    pub(crate) fn note_titles(&mut self, triples: &[oxigraph::model::Triple]) {
        let mut titles: HashMap<NamedNode, String> = HashMap::new();
        if self.used.is_empty() {
            // A catalogue uses nothing: its triples need not be read again.
            self.titles = Some(titles);
            return;
        }
        let cases: std::collections::HashSet<&NamedNode> = self.used.values().flatten().collect();
        for t in triples {
            if t.predicate != civicgraph_vocab::ext::dct::TITLE {
                continue;
            }
            if let (NamedOrBlankNode::NamedNode(case), Term::Literal(title)) = (&t.subject, &t.object)
                && cases.contains(case)
            {
                least_title(&mut titles, case, title.value());
            }
        }
        self.titles = Some(titles);
    }

    /// Notes which records are datasets besides another kind: all of them, as the first
    /// refresh's roll of every record's kinds says.
    pub(crate) fn note_datasets_too(&mut self, datasets_too: std::collections::HashSet<NamedNode>) {
        self.datasets_too = Some(datasets_too);
    }

    /// Adds what `other` knows. Titles stay known only if both knew theirs.
    pub(crate) fn extend(&mut self, other: Known) {
        for (subject, stated) in other.stated {
            self.stated.entry(subject).or_default().extend(stated);
        }
        for (dataset, cases) in other.used {
            let kept = self.used.entry(dataset).or_default();
            for case in cases {
                if !kept.contains(&case) {
                    kept.push(case);
                }
            }
        }
        self.clustered |= other.clustered;
        self.found_clusters.extend(other.found_clusters);
        self.titles = match (self.titles.take(), other.titles) {
            (Some(mut mine), Some(theirs)) => {
                for (case, title) in theirs {
                    least_title(&mut mine, &case, &title);
                }
                Some(mine)
            }
            _ => None,
        };
        self.datasets_too = None;
    }

    /// [`usage`] from what is known: the case studies that used `record` or another member
    /// of a cluster this run found, with their patterns as this run assigned them (`fresh`)
    /// or as a graph states them (those of the `derived` graphs inferred). `None` when the
    /// store must be asked: a graph states clusters, or a case study's title is unknown.
    fn usage(
        &self,
        record: &NamedNode,
        derived: &[NamedNode],
        fresh: &CaseStudyPatterns,
    ) -> Option<Vec<Use>> {
        if self.clustered {
            return None;
        }
        let members = self.found_clusters.get(record);
        let mut cases: Vec<&NamedNode> = Vec::new();
        for member in std::iter::once(record).chain(members.into_iter().flat_map(|m| m.iter())) {
            for case in self.used.get(member).into_iter().flatten() {
                if !cases.contains(&case) {
                    cases.push(case);
                }
            }
        }
        if cases.is_empty() {
            return Some(Vec::new());
        }
        let titles = self.titles.as_ref()?;
        let mut uses = Vec::new();
        for case in cases {
            let mut patterns = StatedPatterns::default();
            for (pattern, graph) in self.stated.get(case).into_iter().flatten() {
                let in_derived = matches!(graph, GraphName::NamedNode(g) if derived.contains(g));
                patterns.note(pattern, in_derived);
            }
            uses.extend(patterns.into_use(case, titles.get(case).cloned(), fresh));
        }
        sort_uses(&mut uses);
        Some(uses)
    }
}

/// Keeps in `titles` the least title of `case` (as [`usage`] takes it when it has several).
fn least_title(titles: &mut HashMap<NamedNode, String>, case: &NamedNode, title: &str) {
    match titles.get_mut(case) {
        Some(kept) if title < kept.as_str() => title.clone_into(kept),
        Some(_) => {}
        None => {
            titles.insert(case.clone(), title.to_owned());
        }
    }
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
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
    let document = MappedDocument::map(bytes, name, None)?;
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
