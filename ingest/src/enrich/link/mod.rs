//! Cross-catalogue linking: which datasets of different sources are the same dataset.
//!
//! Signals, each with a score:
//!
//! | signal | when | score |
//! |---|---|---|
//! | `identifier` | equal `dct:identifier` or `adms:identifier` notation ([`normalise::identifier`]) | 0.95 |
//! | `landing-page` | equal landing page after [`normalise::url`] | 0.90 |
//! | `distribution-url` | equal access or download URL after [`normalise::url`] | 0.85 |
//! | `title-publisher` | equal normalised title and equal normalised publisher name | 0.85 |
//! | `near-duplicate` | MinHash similarity of title and description ≥ `near_duplicate`, the same numbers in the titles, and the same publisher (when a publisher is unknown: equal titles, or similarity ≥ 0.9) | 0.9 × similarity |
//!
//! An exact key counts only when it is unique within each source that has it and shared by
//! at most `max_group` datasets: a publisher's home page used as every dataset's landing
//! page, or an identifier like "data", says nothing. Likewise a near-duplicate counts only
//! when neither dataset is that close to a second dataset of the other's source. A pair's score is
//! `1 − Π(1 − signal score)`; pairs reaching `min_score` are linked. Links join datasets of
//! different sources only; the connected groups of links are clusters, one per real-world
//! dataset.

pub mod apply;
pub mod kept;
pub mod minhash;
pub mod normalise;
pub mod read;
pub mod row;

use minhash::{Signature, for_each_candidate, similarity};
use row::{EXACT, LinkRow, Sources, key_hash, key_texts};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub use apply::{LinkSummary, link_graph, link_rows, link_scope};

/// The similarity a near-duplicate needs when either dataset has no publisher.
pub const UNKNOWN_PUBLISHER_SIMILARITY: f64 = 0.9;

/// The `[linking]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSettings {
    /// Pairs scoring at least this are linked.
    pub min_score: f64,
    /// The MinHash similarity from which two texts are near-duplicates.
    pub near_duplicate: f64,
    /// An exact key shared by more datasets than this is ignored.
    pub max_group: usize,
}

impl Default for LinkSettings {
    fn default() -> Self {
        Self {
            min_score: 0.5,
            near_duplicate: 0.6,
            max_group: 20,
        }
    }
}

impl LinkSettings {
    /// Refuses scores outside [0, 1].
    pub fn check(&self) -> crate::Result<()> {
        for (name, value) in [
            ("min_score", self.min_score),
            ("near_duplicate", self.near_duplicate),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(crate::IngestError::Config(format!(
                    "linking: {name} = {value} is not between 0 and 1"
                )));
            }
        }
        if self.max_group < 2 {
            return Err(crate::IngestError::Config(
                "linking: max_group must be at least 2".into(),
            ));
        }
        Ok(())
    }
}

/// What the linker knows of one dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkRecord {
    /// The dataset's IRI.
    pub iri: String,
    /// The source (named graph) holding it.
    pub source: String,
    /// `dct:identifier` values and `adms:identifier` notations.
    pub identifiers: Vec<String>,
    /// Landing pages.
    pub landing_pages: Vec<String>,
    /// Distribution access and download URLs.
    pub distribution_urls: Vec<String>,
    /// Titles, in any language.
    pub titles: Vec<String>,
    /// The publisher's name.
    pub publisher: Option<String>,
    /// What else identifies the publisher across catalogues and renamings: its IRI, its
    /// home page, its e-mail addresses and those of the dataset's contact point
    /// (`iri:…`, `home:…`, `mail:…`, normalised). A ministry renamed between two snapshots
    /// keeps its address.
    pub publisher_ids: Vec<String>,
    /// The description.
    pub description: String,
}

/// A kind of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// Equal identifiers.
    Identifier,
    /// Equal landing pages.
    LandingPage,
    /// Equal distribution URLs.
    DistributionUrl,
    /// Equal title and publisher.
    TitlePublisher,
    /// Similar title and description.
    NearDuplicate,
}

impl Signal {
    /// The name stored in `cg:signal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Identifier => "identifier",
            Signal::LandingPage => "landing-page",
            Signal::DistributionUrl => "distribution-url",
            Signal::TitlePublisher => "title-publisher",
            Signal::NearDuplicate => "near-duplicate",
        }
    }
}

/// One piece of evidence for a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Its kind.
    pub signal: Signal,
    /// What matched, for people.
    pub detail: String,
    /// Its score.
    pub score: f64,
}

/// Two datasets found to be one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    /// The dataset with the smaller IRI.
    pub a: String,
    /// The other.
    pub b: String,
    /// `1 − Π(1 − evidence score)`, to three decimals.
    pub score: f64,
    /// Why.
    pub evidence: Vec<Evidence>,
}

/// Finds the links among `records` (all held in memory: the evaluations and tests). A
/// harvest's linking reads rows instead and keeps no text ([`apply::link_graph`]).
pub fn find_links(records: &[LinkRecord], settings: &LinkSettings) -> Vec<Link> {
    let sources = Sources::default();
    let Ok(rows) = crate::parallel::map_in_order(records, |record| {
        Ok::<_, std::convert::Infallible>(LinkRow::of(record, sources.id(&record.source)))
    });
    find_in_rows(&rows, settings)
        .into_iter()
        .map(|found| {
            let a = &records[found.a as usize];
            found.into_link(&rows, a)
        })
        .collect()
}

/// A link found among rows, before its evidence quotes the keys that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The row of the dataset with the smaller IRI.
    pub a: u32,
    /// The other.
    pub b: u32,
    /// `1 − Π(1 − evidence score)`, to three decimals.
    pub score: f64,
    evidence: Vec<Matching>,
}

/// One signal of a found link: its kind, its score and what matched.
type Matching = (Signal, f64, Matched);

/// What matched, before it is put in words.
#[derive(Debug, Clone, PartialEq)]
enum Matched {
    /// Keys of the exact signal at this index of [`row::EXACT`], by hash.
    Keys(usize, Vec<u64>),
    /// The MinHash estimate of the texts' similarity.
    Similarity(f64),
}

impl Found {
    /// The link, its evidence naming the smallest matched key of each exact signal, read
    /// from `a`, the record of row `self.a`.
    pub fn into_link(self, rows: &[LinkRow], a: &LinkRecord) -> Link {
        let evidence = self
            .evidence
            .into_iter()
            .map(|(signal, score, matched)| {
                let detail = match matched {
                    Matched::Keys(index, hashes) => {
                        let key = key_texts(a, EXACT[index].0)
                            .into_iter()
                            .find(|text| hashes.contains(&key_hash(text)))
                            .unwrap_or_default();
                        format!("{}: {key}", EXACT[index].2)
                    }
                    Matched::Similarity(estimate) => {
                        format!("near-duplicate title and description: similarity {estimate:.2}")
                    }
                };
                Evidence {
                    signal,
                    detail,
                    score,
                }
            })
            .collect();
        Link {
            a: rows[self.a as usize].iri.to_string(),
            b: rows[self.b as usize].iri.to_string(),
            score: self.score,
            evidence,
        }
    }
}

/// Finds the links among `rows`, sorted by their datasets' IRIs.
pub fn find_in_rows(rows: &[LinkRow], settings: &LinkSettings) -> Vec<Found> {
    let mut found: HashMap<(u32, u32), Vec<Matching>> = HashMap::new();
    let mut add = |i: u32, j: u32, signal: Signal, score: f64, matched: Matched| {
        let key = if rows[i as usize].iri <= rows[j as usize].iri {
            (i, j)
        } else {
            (j, i)
        };
        let list = found.entry(key).or_default();
        match list.iter_mut().find(|(s, _, _)| *s == signal) {
            // Two keys of one signal shared: the evidence quotes the smaller.
            Some((_, _, Matched::Keys(_, hashes))) => {
                if let Matched::Keys(_, more) = matched {
                    hashes.extend(more);
                }
            }
            Some(_) => {}
            None => list.push((signal, score, matched)),
        }
    };

    for (index, (signal, score, _)) in EXACT.iter().enumerate() {
        let mut keyed: Vec<(u64, u32)> = rows
            .iter()
            .enumerate()
            .flat_map(|(i, row)| row.keys[index].iter().map(move |&key| (key, i as u32)))
            .collect();
        keyed.sort_unstable();
        for group in keyed.chunk_by(|x, y| x.0 == y.0) {
            if group.len() < 2 || group.len() > settings.max_group {
                continue;
            }
            let mut per_source: BTreeMap<u32, usize> = BTreeMap::new();
            for &(_, m) in group {
                *per_source.entry(rows[m as usize].source).or_default() += 1;
            }
            if per_source.len() < 2 || per_source.values().any(|&n| n > 1) {
                continue;
            }
            for (x, &(key, i)) in group.iter().enumerate() {
                for &(_, j) in &group[x + 1..] {
                    add(i, j, *signal, *score, Matched::Keys(index, vec![key]));
                }
            }
        }
    }

    // Near-duplicates.
    let signatures: Vec<Option<&Signature>> = rows.iter().map(|r| r.signature.as_deref()).collect();
    let mut near: Vec<(u32, u32, f64)> = Vec::new();
    for_each_candidate(&signatures, 50, |i, j| {
        let (a, b) = (&rows[i as usize], &rows[j as usize]);
        if a.source == b.source || a.iri == b.iri {
            return;
        }
        let (Some(sa), Some(sb)) = (&a.signature, &b.signature) else {
            return;
        };
        let estimate = similarity(sa, sb);
        if estimate < settings.near_duplicate || a.numbers != b.numbers {
            return;
        }
        let same_title = a.titles.iter().any(|t| b.titles.contains(t));
        let unknown = a.publishers.is_empty() || b.publishers.is_empty();
        if !unknown && !a.publishers.iter().any(|k| b.publishers.contains(k)) {
            return;
        }
        // Regional catalogues describe their own copies of one kind of dataset with one
        // template; without a publisher to tell them apart, only a very close text counts.
        // Equal titles are the exception: a template gives each council's copy its own
        // place name, a copy keeps the title.
        if unknown && estimate < UNKNOWN_PUBLISHER_SIMILARITY.max(settings.near_duplicate) && !same_title {
            return;
        }
        near.push((i, j, estimate));
    });
    // A pair agreeing on several bands was met once per band.
    near.sort_unstable_by_key(|&(i, j, _)| (i, j));
    near.dedup_by_key(|&mut (i, j, _)| (i, j));
    // Like an exact key, a near-duplicate must be unambiguous: when a dataset is as close to
    // two datasets of one other source (a series whose descriptions differ in a code), it
    // cannot tell which one it copies.
    let mut matches: HashMap<(u32, u32), usize> = HashMap::new();
    for &(i, j, _) in &near {
        *matches.entry((i, rows[j as usize].source)).or_default() += 1;
        *matches.entry((j, rows[i as usize].source)).or_default() += 1;
    }
    for (i, j, estimate) in near {
        let unique =
            matches[&(i, rows[j as usize].source)] == 1 && matches[&(j, rows[i as usize].source)] == 1;
        if unique {
            add(
                i,
                j,
                Signal::NearDuplicate,
                0.9 * estimate,
                Matched::Similarity(estimate),
            );
        }
    }

    let mut links: Vec<Found> = found
        .into_iter()
        .filter(|((i, j), _)| rows[*i as usize].source != rows[*j as usize].source)
        .map(|((a, b), mut evidence)| {
            evidence.sort_by_key(|(signal, _, _)| *signal);
            let miss: f64 = evidence.iter().map(|(_, score, _)| 1.0 - score).product();
            Found {
                a,
                b,
                score: ((1.0 - miss) * 1000.0).round() / 1000.0,
                evidence,
            }
        })
        .filter(|link| {
            link.score >= settings.min_score && rows[link.a as usize].iri != rows[link.b as usize].iri
        })
        .collect();
    links.sort_by(|x, y| {
        (&rows[x.a as usize].iri, &rows[x.b as usize].iri)
            .cmp(&(&rows[y.a as usize].iri, &rows[y.b as usize].iri))
    });
    links
}

/// The clusters of `links`: groups of datasets joined by links, each sorted, largest first
/// then by first member.
pub fn clusters(links: &[Link]) -> Vec<Vec<String>> {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for link in links {
        for iri in [&link.a, &link.b] {
            let next = index.len();
            index.entry(iri.as_str()).or_insert(next);
        }
    }
    let mut parent: Vec<usize> = (0..index.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for link in links {
        let (a, b) = (
            root(&mut parent, index[link.a.as_str()]),
            root(&mut parent, index[link.b.as_str()]),
        );
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (iri, &i) in &index {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push((*iri).to_owned());
    }
    let mut clusters: Vec<Vec<String>> = groups.into_values().collect();
    for cluster in &mut clusters {
        cluster.sort();
    }
    clusters.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(iri: &str, source: &str, title: &str) -> LinkRecord {
        LinkRecord {
            iri: iri.into(),
            source: source.into(),
            titles: vec![title.into()],
            publisher: Some("Westshire Council".into()),
            description: "Hourly readings of nitrogen dioxide and particulates from the council's roadside monitoring stations since 2015.".into(),
            ..LinkRecord::default()
        }
    }

    #[test]
    fn each_signal_links_copies_in_different_sources() {
        let mut a = record("http://a/1", "A", "Air quality readings");
        let mut b = record("http://b/1", "B", "AIR-QUALITY readings!");
        a.identifiers.push("WS-AQ-0001".into());
        b.identifiers.push("ws-aq-0001".into());
        a.landing_pages.push("http://westshire.gov.uk/air/".into());
        b.landing_pages.push("https://www.westshire.gov.uk/air".into());
        let links = find_links(&[a, b], &LinkSettings::default());
        assert_eq!(links.len(), 1);
        let signals: Vec<Signal> = links[0].evidence.iter().map(|e| e.signal).collect();
        assert_eq!(
            signals,
            [
                Signal::Identifier,
                Signal::LandingPage,
                Signal::TitlePublisher,
                Signal::NearDuplicate
            ]
        );
        assert!(links[0].score > 0.99);
    }

    #[test]
    fn the_same_source_series_and_shared_pages_are_not_links() {
        let same_source = [
            record("http://a/1", "A", "Air quality"),
            record("http://a/2", "A", "Air quality"),
        ];
        assert!(find_links(&same_source, &LinkSettings::default()).is_empty());
        let series = [
            record("http://a/1", "A", "Air quality 2021"),
            record("http://b/1", "B", "Air quality 2022"),
        ];
        assert!(find_links(&series, &LinkSettings::default()).is_empty());
        // One home page is every dataset's landing page in source A: not a signal.
        let mut records = vec![
            record("http://a/1", "A", "Bus stops"),
            record("http://a/2", "A", "Taxi ranks"),
            record("http://b/1", "B", "Parking"),
        ];
        for r in &mut records {
            r.landing_pages.push("https://westshire.gov.uk/".into());
            r.description = format!("Locations: {}", r.titles[0]);
        }
        assert!(find_links(&records, &LinkSettings::default()).is_empty());
    }

    #[test]
    fn a_renamed_publisher_is_known_by_its_address() {
        let mut before = record("http://a/1", "A", "Register of road works permits");
        let mut after = record("http://b/9", "B", "Register of road works permits");
        before.publisher = Some("Ministry of Transport".into());
        after.publisher = Some("Ministry of Infrastructure and Mobility".into());
        assert!(
            find_links(&[before.clone(), after.clone()], &LinkSettings::default()).is_empty(),
            "two publishers by name alone"
        );
        before
            .publisher_ids
            .push("mail:opendata@transport.example".into());
        after.publisher_ids.push("mail:opendata@transport.example".into());
        let links = find_links(&[before.clone(), after.clone()], &LinkSettings::default());
        assert_eq!(links.len(), 1, "{links:?}");
        // Another ministry with the same title and text is still another dataset.
        after.publisher_ids = vec!["mail:data@health.example".into()];
        assert!(find_links(&[before, after], &LinkSettings::default()).is_empty());
    }

    #[test]
    fn clusters_join_chains_of_links() {
        let link = |a: &str, b: &str| Link {
            a: a.into(),
            b: b.into(),
            score: 1.0,
            evidence: Vec::new(),
        };
        let clusters = clusters(&[link("a", "b"), link("b", "c"), link("x", "y")]);
        assert_eq!(clusters, [vec!["a", "b", "c"], vec!["x", "y"]]);
    }
}
