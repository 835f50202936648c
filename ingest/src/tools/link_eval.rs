//! Measures the linker on real datasets and planted copies ([`crate::tools::perturb`]): every copy
//! should be linked to its original (recall) and every link should join a copy to its
//! original (precision); siblings (next editions) must stay unlinked.

use crate::enrich::link::{LinkRecord, LinkSettings, find_links};
use crate::tools::perturb::{Rng, copy, sibling};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LinkEvaluation {
    /// Real datasets the copies were made from.
    pub originals: usize,
    /// Copies planted (true duplicates).
    pub copies: usize,
    /// Siblings planted (hard negatives).
    pub siblings: usize,
    /// Links that join a copy to its original.
    pub true_positives: usize,
    /// Links that touch a copy or sibling but are wrong.
    pub false_positives: usize,
    /// Copies not linked to their original.
    pub false_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Right links by the signals that found them.
    pub by_signal: BTreeMap<String, usize>,
    /// Links among the real datasets themselves (unlabelled: real duplicates or errors, for review).
    pub real_links: Vec<(String, String, f64, String)>,
    /// Up to ten wrong links, for review.
    pub wrong: Vec<(String, String, String)>,
    /// Up to ten missed copies, for review.
    pub missed: Vec<(String, String)>,
}

/// Plants a copy of `copy_share` of `real` and a sibling of `sibling_share` of it in a new
/// source, links everything, and scores the result.
pub fn evaluate(
    real: &[LinkRecord],
    copy_share: f64,
    sibling_share: f64,
    seed: u64,
    settings: &LinkSettings,
) -> LinkEvaluation {
    let mut rng = Rng::new(seed);
    let mut all: Vec<LinkRecord> = real.to_vec();
    let mut origin: HashMap<String, String> = HashMap::new();
    let mut siblings = 0;
    for (i, record) in real.iter().enumerate() {
        if rng.chance(copy_share) {
            let iri = format!("https://copies.example/dataset/{i}");
            all.push(copy(record, "copies", &iri, &mut rng));
            origin.insert(iri, record.iri.clone());
        }
        if rng.chance(sibling_share) {
            let iri = format!("https://siblings.example/dataset/{i}");
            all.push(sibling(record, "siblings", &iri, &mut rng));
            siblings += 1;
        }
    }
    let links = find_links(&all, settings);
    let planted = |iri: &str| {
        iri.starts_with("https://copies.example/") || iri.starts_with("https://siblings.example/")
    };
    let mut result = LinkEvaluation {
        originals: real.len(),
        copies: origin.len(),
        siblings,
        true_positives: 0,
        false_positives: 0,
        false_negatives: 0,
        precision: 0.0,
        recall: 0.0,
        by_signal: BTreeMap::new(),
        real_links: Vec::new(),
        wrong: Vec::new(),
        missed: Vec::new(),
    };
    // The real data may hold duplicates of its own (a hub republishing a region's
    // datasets): a copy linked to its original's real duplicate is right too. Those real
    // links are listed for review, not taken on trust silently.
    let mut real_twins: HashMap<&str, Vec<&str>> = HashMap::new();
    for link in links.iter().filter(|l| !planted(&l.a) && !planted(&l.b)) {
        real_twins
            .entry(link.a.as_str())
            .or_default()
            .push(link.b.as_str());
        real_twins
            .entry(link.b.as_str())
            .or_default()
            .push(link.a.as_str());
    }
    let same = |copy: &str, other: &str| {
        origin
            .get(copy)
            .is_some_and(|o| o == other || real_twins.get(o.as_str()).is_some_and(|t| t.contains(&other)))
    };
    let mut found: HashMap<&str, bool> = HashMap::new();
    for link in &links {
        if !planted(&link.a) && !planted(&link.b) {
            let signals: Vec<&str> = link.evidence.iter().map(|e| e.signal.as_str()).collect();
            result
                .real_links
                .push((link.a.clone(), link.b.clone(), link.score, signals.join(" ")));
            continue;
        }
        let direct = origin.get(&link.a) == Some(&link.b) || origin.get(&link.b) == Some(&link.a);
        if direct || same(&link.a, &link.b) || same(&link.b, &link.a) {
            let copy = if origin.contains_key(&link.a) {
                &link.a
            } else {
                &link.b
            };
            if !direct {
                // Right, but the copy is counted once, by the link to its original.
                continue;
            }
            result.true_positives += 1;
            found.insert(copy.as_str(), true);
            count_signals(&mut result.by_signal, link);
        } else {
            result.false_positives += 1;
            if result.wrong.len() < 10 {
                let detail: Vec<&str> = link.evidence.iter().map(|e| e.detail.as_str()).collect();
                result
                    .wrong
                    .push((link.a.clone(), link.b.clone(), detail.join("; ")));
            }
        }
    }
    let mut copies: Vec<(&String, &String)> = origin.iter().collect();
    copies.sort();
    for (copy, original) in copies {
        if !found.contains_key(copy.as_str()) {
            result.false_negatives += 1;
            if result.missed.len() < 10 {
                result.missed.push((copy.clone(), original.clone()));
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

/// Precision TP / (TP + FP) and recall TP / (TP + FN), 0 where undefined.
pub(crate) fn precision_recall(
    true_positives: usize,
    false_positives: usize,
    false_negatives: usize,
) -> (f64, f64) {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (
        ratio(true_positives, true_positives + false_positives),
        ratio(true_positives, true_positives + false_negatives),
    )
}

/// Counts a right link under each signal that found it.
pub(crate) fn count_signals(by_signal: &mut BTreeMap<String, usize>, link: &crate::enrich::link::Link) {
    for evidence in &link.evidence {
        *by_signal.entry(evidence.signal.as_str().to_owned()).or_default() += 1;
    }
}

/// The table of right links by signal, in Markdown.
pub(crate) fn signal_table(out: &mut String, by_signal: &BTreeMap<String, usize>) {
    let _ = writeln!(
        out,
        "Right links by signal (a link can have several):\n\n| signal | links |\n|---|---:|"
    );
    for (signal, count) in by_signal {
        let _ = writeln!(out, "| {signal} | {count} |");
    }
}

impl LinkEvaluation {
    /// The figures as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "| real datasets | copies planted | siblings planted | TP | FP | FN | precision | recall |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} | {:.4} | {:.4} |\n",
            self.originals,
            self.copies,
            self.siblings,
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            self.precision,
            self.recall
        );
        signal_table(&mut out, &self.by_signal);
        let _ = writeln!(
            out,
            "\nLinks among the real datasets (not planted; for review): {}",
            self.real_links.len()
        );
        for (a, b, score, signals) in self.real_links.iter().take(20) {
            let _ = writeln!(out, "- {a} = {b} ({score:.3}: {signals})");
        }
        if !self.wrong.is_empty() {
            let _ = writeln!(out, "\nWrong links:");
            for (a, b, detail) in &self.wrong {
                let _ = writeln!(out, "- {a} = {b}: {detail}");
            }
        }
        if !self.missed.is_empty() {
            let _ = writeln!(out, "\nMissed copies:");
            for (copy, original) in &self.missed {
                let _ = writeln!(out, "- {copy} (of {original})");
            }
        }
        out
    }
}
