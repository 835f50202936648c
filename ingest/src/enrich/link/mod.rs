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
pub mod minhash;
pub mod normalise;
pub mod read;

use minhash::{Signature, candidate_pairs, shingles, signature, similarity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub use apply::{LinkSummary, link_graph};

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

/// Every key that names `record`'s publisher: its normalised name and its ids. Two
/// datasets have the same publisher when they share one.
fn publisher_keys(record: &LinkRecord) -> Vec<String> {
    record
        .publisher
        .as_deref()
        .map(normalise::text)
        .filter(|p| !p.is_empty())
        .map(|p| format!("name:{p}"))
        .into_iter()
        .chain(record.publisher_ids.iter().cloned())
        .collect()
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

/// The keys of one exact signal for a record.
type KeysOf = Box<dyn Fn(&LinkRecord) -> Vec<String>>;

/// Finds the links among `records`.
pub fn find_links(records: &[LinkRecord], settings: &LinkSettings) -> Vec<Link> {
    let mut found: HashMap<(u32, u32), Vec<Evidence>> = HashMap::new();
    let mut add = |i: u32, j: u32, evidence: Evidence| {
        let key = if records[i as usize].iri <= records[j as usize].iri {
            (i, j)
        } else {
            (j, i)
        };
        let list = found.entry(key).or_default();
        if !list.iter().any(|e| e.signal == evidence.signal) {
            list.push(evidence);
        }
    };

    let keyed: [(Signal, f64, &str, KeysOf); 4] = [
        (
            Signal::Identifier,
            0.95,
            "same identifier",
            Box::new(|r| {
                r.identifiers
                    .iter()
                    .filter_map(|i| normalise::identifier(i))
                    .collect()
            }),
        ),
        (
            Signal::LandingPage,
            0.90,
            "same landing page",
            Box::new(|r| r.landing_pages.iter().filter_map(|u| normalise::url(u)).collect()),
        ),
        (
            Signal::DistributionUrl,
            0.85,
            "same distribution URL",
            Box::new(|r| {
                r.distribution_urls
                    .iter()
                    .filter_map(|u| normalise::url(u))
                    .collect()
            }),
        ),
        (
            Signal::TitlePublisher,
            0.85,
            "same title and publisher",
            Box::new(|r| {
                let publishers = publisher_keys(r);
                r.titles
                    .iter()
                    .map(|t| normalise::text(t))
                    .filter(|t| t.contains(' ') || t.len() >= 12)
                    .flat_map(|t| publishers.iter().map(move |p| format!("{t} / {p}")))
                    .collect()
            }),
        ),
    ];
    for (signal, score, label, keys_of) in &keyed {
        let mut groups: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            let mut keys = keys_of(record);
            keys.sort();
            keys.dedup();
            for key in keys {
                groups.entry(key).or_default().push(i as u32);
            }
        }
        let mut keys: Vec<&String> = groups.keys().collect();
        keys.sort();
        for key in keys {
            let members = &groups[key];
            if members.len() < 2 || members.len() > settings.max_group {
                continue;
            }
            let mut per_source: BTreeMap<&str, usize> = BTreeMap::new();
            for &m in members {
                *per_source.entry(records[m as usize].source.as_str()).or_default() += 1;
            }
            if per_source.len() < 2 || per_source.values().any(|&n| n > 1) {
                continue;
            }
            for (x, &i) in members.iter().enumerate() {
                for &j in &members[x + 1..] {
                    add(
                        i,
                        j,
                        Evidence {
                            signal: *signal,
                            detail: format!("{label}: {key}"),
                            score: *score,
                        },
                    );
                }
            }
        }
    }

    // Near-duplicates.
    // One MinHash signature per record, on all cores: at a million records hashing the
    // shingles is the linker's largest cost.
    let Ok(signatures) = crate::parallel::map_in_order(records, |r| {
        let title = r.titles.first().map(String::as_str).unwrap_or("");
        let text = normalise::text(&format!("{title} {}", normalise::strip_markup(&r.description)));
        Ok::<Option<Signature>, std::convert::Infallible>(if text.split(' ').count() >= 3 {
            signature(&shingles(&text))
        } else {
            None
        })
    });
    let mut near: Vec<(u32, u32, f64)> = Vec::new();
    for (i, j) in candidate_pairs(&signatures, 50) {
        let (a, b) = (&records[i as usize], &records[j as usize]);
        if a.source == b.source || a.iri == b.iri {
            continue;
        }
        let (Some(sa), Some(sb)) = (&signatures[i as usize], &signatures[j as usize]) else {
            continue;
        };
        let estimate = similarity(sa, sb);
        if estimate < settings.near_duplicate {
            continue;
        }
        let numbers = |r: &LinkRecord| normalise::numbers(r.titles.first().map(String::as_str).unwrap_or(""));
        if numbers(a) != numbers(b) {
            continue;
        }
        let (pa, pb) = (publisher_keys(a), publisher_keys(b));
        let known = |keys: &Vec<String>| (!keys.is_empty()).then_some(());
        match (known(&pa), known(&pb)) {
            (Some(()), Some(())) if !pa.iter().any(|k| pb.contains(k)) => continue,
            // Regional catalogues describe their own copies of one kind of dataset with one
            // template; without a publisher to tell them apart, only a very close text counts.
            // Equal titles are the exception: a template gives each council's copy its
            // own place name, a copy keeps the title.
            (None, _) | (_, None)
                if estimate < UNKNOWN_PUBLISHER_SIMILARITY.max(settings.near_duplicate)
                    && !same_title(a, b) =>
            {
                continue;
            }
            _ => {}
        }
        near.push((i, j, estimate));
    }
    // Like an exact key, a near-duplicate must be unambiguous: when a dataset is as close to
    // two datasets of one other source (a series whose descriptions differ in a code), it
    // cannot tell which one it copies.
    let mut matches: HashMap<(u32, &str), usize> = HashMap::new();
    for &(i, j, _) in &near {
        *matches
            .entry((i, records[j as usize].source.as_str()))
            .or_default() += 1;
        *matches
            .entry((j, records[i as usize].source.as_str()))
            .or_default() += 1;
    }
    for (i, j, estimate) in near {
        let unique = matches[&(i, records[j as usize].source.as_str())] == 1
            && matches[&(j, records[i as usize].source.as_str())] == 1;
        if unique {
            add(
                i,
                j,
                Evidence {
                    signal: Signal::NearDuplicate,
                    detail: format!("near-duplicate title and description: similarity {estimate:.2}"),
                    score: 0.9 * estimate,
                },
            );
        }
    }

    let mut links: Vec<Link> = found
        .into_iter()
        .filter(|((i, j), _)| records[*i as usize].source != records[*j as usize].source)
        .map(|((i, j), mut evidence)| {
            evidence.sort_by_key(|x| x.signal);
            let miss: f64 = evidence.iter().map(|e| 1.0 - e.score).product();
            Link {
                a: records[i as usize].iri.clone(),
                b: records[j as usize].iri.clone(),
                score: ((1.0 - miss) * 1000.0).round() / 1000.0,
                evidence,
            }
        })
        .filter(|link| link.score >= settings.min_score && link.a != link.b)
        .collect();
    links.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
    links
}

/// Whether two datasets have a normalised title in common.
fn same_title(a: &LinkRecord, b: &LinkRecord) -> bool {
    a.titles
        .iter()
        .any(|x| b.titles.iter().any(|y| normalise::text(x) == normalise::text(y)))
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
