//! Realistic copies of datasets, as another catalogue would hold them, with the ground truth:
//! the labelled set the linker is measured on (`civicgraph eval-linker`) and the duplicates
//! the benchmark generator plants.
//!
//! A copy keeps the dataset's meaning and changes its spelling the ways catalogues do: the
//! title's case and punctuation, or its other-language title when the dataset has one, or
//! British/American spellings; a new identifier (half the time); an edited description
//! (words dropped, a sentence added); landing page and download URLs written differently
//! (scheme, `www.`, trailing slash), dropped or replaced; the publisher's name in other case.
//! A *sibling* is the hard negative: the next edition of a series (another year in the
//! title and description, its own identifier and pages), which must not be linked.

use crate::enrich::link::LinkRecord;

/// A seeded generator (SplitMix64): the same seed gives the same copies everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Spellings that differ between catalogues of one language.
const SPELLINGS: &[(&str, &str)] = &[
    ("organisation", "organization"),
    ("centre", "center"),
    ("licence", "license"),
    ("programme", "program"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    (" and ", " & "),
    ("statistics", "stats"),
    ("number", "no."),
];

/// Words a catalogue adds when it edits a description.
const EDITS: &[&str] = &[
    "Updated regularly.",
    "Data are provided as is.",
    "See the landing page for details.",
    "Published under an open licence.",
    "Contact the publisher with questions.",
];

/// A copy of `record` in `source`, with IRI `iri`.
pub fn copy(record: &LinkRecord, source: &str, iri: &str, rng: &mut Rng) -> LinkRecord {
    let mut copy = LinkRecord {
        iri: iri.to_owned(),
        source: source.to_owned(),
        ..LinkRecord::default()
    };
    let title = record.titles.first().cloned().unwrap_or_default();
    copy.titles = vec![if record.titles.len() > 1 && rng.chance(0.5) {
        // A real other-language title of the same dataset.
        record.titles[1 + rng.below(record.titles.len() - 1)].clone()
    } else {
        respell(&title, rng)
    }];
    copy.identifiers = if rng.chance(0.5) {
        record.identifiers.clone()
    } else {
        vec![format!("{source}-{:016x}", rng.next_u64())]
    };
    copy.description = edit(&record.description, rng);
    copy.landing_pages = record
        .landing_pages
        .iter()
        .filter_map(|url| match rng.below(10) {
            0..=3 => Some(rewrite_url(url, rng)),
            4..=6 => None,
            _ => Some(format!(
                "https://{source}.example/dataset/{:08x}",
                rng.next_u64() as u32
            )),
        })
        .collect();
    for url in &record.distribution_urls {
        if rng.chance(0.5) {
            copy.distribution_urls.push(rewrite_url(url, rng));
        }
    }
    copy.publisher = record.publisher.as_ref().filter(|_| !rng.chance(0.1)).map(|p| {
        if rng.chance(0.5) {
            p.to_uppercase()
        } else {
            p.clone()
        }
    });
    copy
}

/// The next edition of `record`'s series in `source`: a different dataset.
pub fn sibling(record: &LinkRecord, source: &str, iri: &str, rng: &mut Rng) -> LinkRecord {
    let year = 1990 + rng.below(35);
    let title = record.titles.first().cloned().unwrap_or_default();
    let retitled = match title
        .split_whitespace()
        .find(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
    {
        Some(old) => title.replace(old, &(year + 36).to_string()),
        None => format!("{title} {year}"),
    };
    LinkRecord {
        iri: iri.to_owned(),
        source: source.to_owned(),
        identifiers: vec![format!("{source}-{:016x}", rng.next_u64())],
        landing_pages: vec![format!(
            "https://{source}.example/series/{:08x}",
            rng.next_u64() as u32
        )],
        distribution_urls: Vec::new(),
        titles: vec![retitled],
        publisher: record.publisher.clone(),
        publisher_ids: record.publisher_ids.clone(),
        description: format!("{} Edition {year}.", record.description),
    }
}

fn respell(title: &str, rng: &mut Rng) -> String {
    let mut out = title.to_owned();
    match rng.below(4) {
        0 => out = out.to_uppercase(),
        1 => out = out.to_lowercase(),
        2 => {
            out = out.replace(' ', " - ");
            out.push('.');
        }
        _ => {
            for (a, b) in SPELLINGS {
                out = out.replace(a, b);
            }
            out = out.replace(',', ";");
        }
    }
    out
}

fn edit(description: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = description.split_whitespace().collect();
    let mut kept: Vec<&str> = words.iter().copied().filter(|_| !rng.chance(0.08)).collect();
    if kept.is_empty() {
        kept = words;
    }
    let mut out = kept.join(" ");
    if rng.chance(0.5) {
        out.push(' ');
        out.push_str(EDITS[rng.below(EDITS.len())]);
    }
    out
}

fn rewrite_url(url: &str, rng: &mut Rng) -> String {
    let mut out = url.to_owned();
    if rng.chance(0.5) {
        out = match out.strip_prefix("https://") {
            Some(rest) => format!("http://{rest}"),
            None => out.replacen("http://", "https://", 1),
        };
    }
    if rng.chance(0.5) {
        if out.ends_with('/') {
            out.pop();
        } else if !out.contains('?') {
            out.push('/');
        }
    }
    out
}

/// Syllables from which [`synthetic`] builds words.
const SYLLABLES: &[&str] = &[
    "ar", "ba", "ce", "do", "el", "fi", "go", "ha", "in", "jo", "ka", "lu", "ma", "ne", "or", "pa", "qui",
    "ro", "sa", "te", "ul", "ve", "wa", "xi", "yo", "za", "bri", "cla", "dra", "fle", "gro", "pla", "sto",
    "tri",
];

/// `n` synthetic datasets spread over `sources` sources, for measuring the linker at scale
/// without a store: titles of two to six words and descriptions of twenty to sixty from a
/// vocabulary of a few thousand made-up words, an identifier, a landing page and a download
/// URL each, and one of a few hundred publishers per source.
pub fn synthetic(n: usize, sources: usize, seed: u64) -> Vec<LinkRecord> {
    let mut rng = Rng::new(seed);
    let words: Vec<String> = (0..4000)
        .map(|_| {
            (0..2 + rng.below(2))
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect()
        })
        .collect();
    let phrase = |rng: &mut Rng, len: usize| -> String {
        (0..len)
            .map(|_| words[rng.below(words.len())].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    (0..n)
        .map(|i| {
            let source = format!("region-{}", i % sources.max(1));
            let title_len = 2 + rng.below(5);
            let description_len = 20 + rng.below(41);
            LinkRecord {
                iri: format!("https://{source}.example/dataset/{i}"),
                identifiers: vec![format!("{source}-{i:08}")],
                landing_pages: vec![format!("https://{source}.example/page/{i}")],
                distribution_urls: vec![format!("https://{source}.example/files/{i}.csv")],
                titles: vec![phrase(&mut rng, title_len)],
                publisher: Some(format!("{source} publisher {}", rng.below(300))),
                publisher_ids: Vec::new(),
                description: phrase(&mut rng, description_len),
                source,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_deterministic_and_different() {
        let record = LinkRecord {
            iri: "http://a/1".into(),
            source: "A".into(),
            identifiers: vec!["AQ-0001".into()],
            landing_pages: vec!["https://a.example/aq".into()],
            distribution_urls: vec!["https://a.example/aq.csv".into()],
            titles: vec!["Air quality".into(), "Luftqualität".into()],
            publisher: Some("City".into()),
            publisher_ids: Vec::new(),
            description: "Hourly readings from roadside monitoring stations since 2015.".into(),
        };
        let a = copy(&record, "copies", "http://c/1", &mut Rng::new(7));
        let b = copy(&record, "copies", "http://c/1", &mut Rng::new(7));
        assert_eq!(a, b);
        assert_ne!(a, record);
        let s = sibling(&record, "copies", "http://c/2", &mut Rng::new(7));
        assert_ne!(
            crate::enrich::link::normalise::numbers(&s.titles[0]),
            crate::enrich::link::normalise::numbers("Air quality")
        );
    }
}
