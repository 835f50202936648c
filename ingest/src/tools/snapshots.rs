//! Measures the linker on two real snapshots of one catalogue, the later republished as an
//! aggregator would (`civicgraph eval-linker --snapshots OLDER NEWER`).
//!
//! The planted copies of [`crate::tools::link_eval`] change what a copy looks like the ways this project
//! thought of. Real churn changes it in ways nobody planned: a ministry renamed, a
//! description rewritten, datasets split, series extended. So the truth here comes from the
//! catalogue itself: a dataset of the older snapshot and one of the newer are the same when
//! they share a landing page or a download URL, and that URL belongs to no other dataset in
//! either snapshot. Then the newer snapshot is republished as an aggregator would hold it,
//! with new IRIs, identifiers, landing pages and file URLs, so the linker cannot use the
//! signals the truth was drawn from; what it keeps is what an aggregator keeps: titles,
//! descriptions, the publisher's name, its e-mail and home page.

use crate::enrich::link::{LinkRecord, LinkSettings, Signal, find_links, normalise, row};
use crate::tools::link_eval::{count_signals, precision_recall, signal_table};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// The source name of the older snapshot's records.
const OLDER: &str = "older snapshot";
/// The source name of the republished newer snapshot's records.
const AGGREGATOR: &str = "aggregator";

/// The result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SnapshotEvaluation {
    /// What the truth was drawn from.
    pub truth_from: TruthKey,
    /// Datasets in the older snapshot.
    pub older: usize,
    /// Datasets in the newer snapshot.
    pub newer: usize,
    /// Pairs the shared URLs say are the same dataset.
    pub truth: usize,
    /// Of those, pairs whose publisher name changed between the snapshots.
    pub renamed_publisher: usize,
    /// Of those, pairs whose title or description changed.
    pub edited_text: usize,
    /// Links between the snapshots that join a true pair.
    pub true_positives: usize,
    /// Links between the snapshots that join a dataset of a true pair to another one.
    pub false_positives: usize,
    /// True pairs not linked.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Of the missed pairs, those whose publisher was renamed.
    pub missed_renamed: usize,
    /// Links between datasets the truth says nothing of (no URL unique to both): unlabelled.
    pub unlabelled_links: usize,
    /// Right links by the signals that found them.
    pub by_signal: BTreeMap<String, usize>,
    /// Up to ten wrong links, for review: the two titles and the evidence.
    pub wrong: Vec<(String, String, String)>,
    /// Up to ten missed pairs, for review: the two titles.
    pub missed: Vec<(String, String)>,
}

/// What says two datasets of the snapshots are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TruthKey {
    /// A landing page or distribution URL (the definition).
    #[default]
    Urls,
    /// The publisher's own identifier (`dct:identifier`): more pairs where few datasets
    /// carry URLs, as in catalogues of services and maps.
    Identifiers,
}

impl std::str::FromStr for TruthKey {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "urls" => Ok(Self::Urls),
            "identifiers" => Ok(Self::Identifiers),
            other => Err(format!(
                "the truth is drawn from `urls` or `identifiers`, not {other:?}"
            )),
        }
    }
}

impl TruthKey {
    /// The keys, normalised as the linker normalises them for its exact signals.
    fn keys(self, record: &LinkRecord) -> HashSet<String> {
        let signals: &[Signal] = match self {
            Self::Urls => &[Signal::LandingPage, Signal::DistributionUrl],
            Self::Identifiers => &[Signal::Identifier],
        };
        signals
            .iter()
            .flat_map(|&signal| row::key_texts(record, signal))
            .collect()
    }
}

/// The pairs `(i, j)` of `older[i]` and `newer[j]` that share a key (see [`TruthKey`])
/// found on no other dataset of either snapshot. A dataset paired with two others (keys
/// that disagree) is left out: the truth must be unambiguous.
pub fn truth(older: &[LinkRecord], newer: &[LinkRecord], by: TruthKey) -> Vec<(usize, usize)> {
    let owners = |records: &[LinkRecord]| {
        let mut owners: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            for key in by.keys(record) {
                owners.entry(key).or_default().push(i);
            }
        }
        owners
    };
    let (in_older, in_newer) = (owners(older), owners(newer));
    let mut partners: HashMap<usize, HashSet<usize>> = HashMap::new();
    let mut partners_back: HashMap<usize, HashSet<usize>> = HashMap::new();
    for (key, old) in &in_older {
        if let (&[i], Some(&[j])) = (old.as_slice(), in_newer.get(key).map(Vec::as_slice)) {
            partners.entry(i).or_default().insert(j);
            partners_back.entry(j).or_default().insert(i);
        }
    }
    let mut pairs: Vec<(usize, usize)> = partners
        .iter()
        .filter(|(_, js)| js.len() == 1)
        .filter_map(|(&i, js)| js.iter().next().map(|&j| (i, j)))
        .filter(|(_, j)| partners_back.get(j).is_some_and(|is| is.len() == 1))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// `record` as an aggregator republishes it, as its `n`th dataset: new IRI, identifier,
/// landing page and file URLs, the publisher's IRI replaced by its own; the text, the
/// publisher's name, e-mail and home page kept.
pub fn republish(record: &LinkRecord, n: usize) -> LinkRecord {
    LinkRecord {
        iri: format!("https://aggregator.example/dataset/{n}"),
        source: AGGREGATOR.to_owned(),
        identifiers: vec![format!("aggregator-{n}")],
        landing_pages: vec![format!("https://aggregator.example/dataset/{n}")],
        distribution_urls: (0..record.distribution_urls.len())
            .map(|k| format!("https://files.aggregator.example/{n}/{k}"))
            .collect(),
        titles: record.titles.clone(),
        publisher: record.publisher.clone(),
        publisher_ids: record
            .publisher_ids
            .iter()
            .filter(|id| !id.starts_with("iri:"))
            .cloned()
            .collect(),
        description: record.description.clone(),
    }
}

/// Links the older snapshot with the republished newer one and scores the links between
/// them against [`truth`].
pub fn evaluate(
    older: &[LinkRecord],
    newer: &[LinkRecord],
    by: TruthKey,
    settings: &LinkSettings,
) -> SnapshotEvaluation {
    let pairs = truth(older, newer, by);
    let mut all: Vec<LinkRecord> = older
        .iter()
        .map(|r| LinkRecord {
            source: OLDER.to_owned(),
            ..r.clone()
        })
        .collect();
    all.extend(newer.iter().enumerate().map(|(j, r)| republish(r, j)));
    let index: HashMap<&str, usize> = all.iter().enumerate().map(|(k, r)| (r.iri.as_str(), k)).collect();
    let true_of_older: HashMap<usize, usize> = pairs.iter().copied().collect();
    let true_of_newer: HashMap<usize, usize> = pairs.iter().map(|&(i, j)| (j, i)).collect();
    let title = |r: &LinkRecord| r.titles.first().cloned().unwrap_or_default();
    let renamed = |i: usize, j: usize| {
        let name = |r: &LinkRecord| r.publisher.as_deref().map(normalise::text);
        name(&older[i]) != name(&newer[j])
    };
    let mut result = SnapshotEvaluation {
        truth_from: by,
        older: older.len(),
        newer: newer.len(),
        truth: pairs.len(),
        renamed_publisher: pairs.iter().filter(|&&(i, j)| renamed(i, j)).count(),
        edited_text: pairs
            .iter()
            .filter(|&&(i, j)| {
                normalise::text(&title(&older[i])) != normalise::text(&title(&newer[j]))
                    || normalise::text(&older[i].description) != normalise::text(&newer[j].description)
            })
            .count(),
        true_positives: 0,
        false_positives: 0,
        false_negatives: 0,
        precision: 0.0,
        recall: 0.0,
        missed_renamed: 0,
        unlabelled_links: 0,
        by_signal: BTreeMap::new(),
        wrong: Vec::new(),
        missed: Vec::new(),
    };
    let mut found: HashSet<(usize, usize)> = HashSet::new();
    for link in find_links(&all, settings) {
        let (Some(&a), Some(&b)) = (index.get(link.a.as_str()), index.get(link.b.as_str())) else {
            continue;
        };
        // One end in each snapshot; links within a snapshot are not what is measured.
        let (i, j) = match (a < older.len(), b < older.len()) {
            (true, false) => (a, b - older.len()),
            (false, true) => (b, a - older.len()),
            _ => continue,
        };
        if true_of_older.get(&i) == Some(&j) {
            if found.insert((i, j)) {
                result.true_positives += 1;
                count_signals(&mut result.by_signal, &link);
            }
        } else if true_of_older.contains_key(&i) || true_of_newer.contains_key(&j) {
            result.false_positives += 1;
            if result.wrong.len() < 10 {
                let detail: Vec<&str> = link.evidence.iter().map(|e| e.detail.as_str()).collect();
                result
                    .wrong
                    .push((title(&older[i]), title(&newer[j]), detail.join("; ")));
            }
        } else {
            result.unlabelled_links += 1;
        }
    }
    for &(i, j) in &pairs {
        if !found.contains(&(i, j)) {
            result.false_negatives += 1;
            if renamed(i, j) {
                result.missed_renamed += 1;
            }
            if result.missed.len() < 10 {
                result.missed.push((title(&older[i]), title(&newer[j])));
            }
        }
    }
    (result.precision, result.recall) = precision_recall(
        result.true_positives,
        result.false_positives,
        result.false_negatives,
    );
    result
}

impl SnapshotEvaluation {
    /// The figures as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "| older | newer | true pairs | publisher renamed | text edited | TP | FP | FN | precision | recall | unlabelled links |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} | {} | {} | {:.4} | {:.4} | {} |\n",
            self.older,
            self.newer,
            self.truth,
            self.renamed_publisher,
            self.edited_text,
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            self.precision,
            self.recall,
            self.unlabelled_links
        );
        signal_table(&mut out, &self.by_signal);
        if !self.wrong.is_empty() {
            let _ = writeln!(out, "\nWrong links (older = newer):");
            for (a, b, detail) in &self.wrong {
                let _ = writeln!(out, "- {a} = {b}: {detail}");
            }
        }
        if !self.missed.is_empty() {
            let _ = writeln!(
                out,
                "\nMissed pairs ({} of them with a renamed publisher):",
                self.missed_renamed
            );
            for (a, b) in &self.missed {
                let _ = writeln!(out, "- {a} / {b}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(iri: &str, title: &str, landing: &str, publisher: &str, mail: &str) -> LinkRecord {
        LinkRecord {
            iri: iri.to_owned(),
            source: "s".to_owned(),
            titles: vec![title.to_owned()],
            landing_pages: vec![landing.to_owned()],
            publisher: Some(publisher.to_owned()),
            publisher_ids: vec![format!("mail:{mail}"), format!("iri:{iri}#publisher")],
            description: format!("{title}, published every month by the ministry with its regional offices."),
            ..LinkRecord::default()
        }
    }

    #[test]
    fn the_truth_is_a_url_unique_to_one_dataset_in_each_snapshot() {
        let older = [
            record(
                "https://a/1",
                "Road accidents",
                "https://x/roads",
                "Ministry of Transport",
                "data@mot.gov",
            ),
            record(
                "https://a/2",
                "Portal home",
                "https://x/",
                "Ministry of Transport",
                "data@mot.gov",
            ),
            record(
                "https://a/3",
                "Rail",
                "https://x/",
                "Ministry of Transport",
                "data@mot.gov",
            ),
        ];
        let newer = [
            record(
                "https://b/1",
                "Road accidents",
                "https://x/roads/",
                "Ministry of Infrastructure",
                "data@mot.gov",
            ),
            record(
                "https://b/2",
                "Portal home",
                "https://x/",
                "Ministry of Infrastructure",
                "data@mot.gov",
            ),
        ];
        // The shared portal page belongs to two older datasets: no truth from it.
        assert_eq!(truth(&older, &newer, TruthKey::Urls), vec![(0, 0)]);
    }

    #[test]
    fn a_renamed_publisher_is_still_matched_after_republication() {
        let titles = [
            "Road traffic accidents by county and severity",
            "Public transport ridership by line and month",
            "Bridge inspection results for national roads",
        ];
        let older: Vec<LinkRecord> = titles
            .iter()
            .enumerate()
            .map(|(k, t)| {
                record(
                    &format!("https://a/{k}"),
                    t,
                    &format!("https://x/{k}"),
                    "Ministry of Transport",
                    "data@mot.gov",
                )
            })
            .collect();
        let newer: Vec<LinkRecord> = titles
            .iter()
            .enumerate()
            .map(|(k, t)| {
                record(
                    &format!("https://b/{k}"),
                    t,
                    &format!("https://x/{k}"),
                    "Ministry of Infrastructure",
                    "data@mot.gov",
                )
            })
            .collect();
        let evaluation = evaluate(&older, &newer, TruthKey::Urls, &LinkSettings::default());
        assert_eq!(evaluation.truth, 3);
        assert_eq!(evaluation.renamed_publisher, 3);
        assert_eq!(
            (evaluation.true_positives, evaluation.false_positives),
            (3, 0),
            "{evaluation:?}"
        );
    }
}
