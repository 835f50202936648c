//! The linker's signature table: per dataset, a row of hashes of the keys it is matched on
//! and its MinHash signature, instead of its text.
//!
//! At a million datasets, the text the linker compares (descriptions, every distribution
//! URL, titles, publisher names and addresses) was most of a harvest's memory while linking.
//! A row keeps what matching needs: a 64-bit hash per key (two different keys share one
//! with odds of about 10⁻⁷ at two million datasets), the source as a number, and the
//! signature. The text of a matched key, which a link's evidence quotes, is read again
//! only for the datasets that were linked ([`key_texts`]).

use super::minhash::{Signature, shingles, signature};
use super::{LinkRecord, Signal, normalise};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

/// The exact signals, in the order they are matched, with their score and the words their
/// evidence starts with.
pub const EXACT: [(Signal, f64, &str); 4] = [
    (Signal::Identifier, 0.95, "same identifier"),
    (Signal::LandingPage, 0.90, "same landing page"),
    (Signal::DistributionUrl, 0.85, "same distribution URL"),
    (Signal::TitlePublisher, 0.85, "same title and publisher"),
];

/// What the linker compares of one dataset (see the module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// The dataset's IRI.
    pub iri: Box<str>,
    /// The source holding it, as numbered by a [`Sources`] table.
    pub source: u32,
    /// Per signal of [`EXACT`], the hashes of its keys, sorted, without repeats.
    pub keys: [Box<[u64]>; 4],
    /// Hashes of every key naming its publisher (name, IRI, home page, addresses).
    pub publishers: Box<[u64]>,
    /// Hashes of its normalised titles.
    pub titles: Box<[u64]>,
    /// A hash of the numbers in its first title: editions of a series differ in them.
    pub numbers: u64,
    /// The MinHash signature of its first title and description, when they have at least
    /// three words.
    pub signature: Option<Box<Signature>>,
}

/// Source names numbered in the order first met, shared by the threads reading rows.
#[derive(Debug, Default)]
pub struct Sources {
    names: Mutex<(Vec<String>, HashMap<String, u32>)>,
}

impl Sources {
    /// The number of `name`, given one if it has none.
    pub fn id(&self, name: &str) -> u32 {
        let mut guard = self.names.lock().unwrap_or_else(|e| e.into_inner());
        let (names, ids) = &mut *guard;
        if let Some(&id) = ids.get(name) {
            return id;
        }
        let id = names.len() as u32;
        names.push(name.to_owned());
        ids.insert(name.to_owned(), id);
        id
    }

    /// A table numbering `names` in their order, as a kept table had them.
    pub fn from_names(names: Vec<String>) -> Self {
        let ids = names
            .iter()
            .enumerate()
            .map(|(id, name)| (name.clone(), id as u32))
            .collect();
        Self {
            names: Mutex::new((names, ids)),
        }
    }

    /// The names, by number.
    pub fn into_names(self) -> Vec<String> {
        self.names.into_inner().unwrap_or_else(|e| e.into_inner()).0
    }
}

/// A fixed 64-bit hash of a key (SipHash with zero keys: the same in every run of one
/// build, which is all a row needs, since rows are never stored).
pub fn key_hash(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// How many publisher keys, and how many titles, a dataset is matched on. Every title is
/// paired with every publisher key for [`Signal::TitlePublisher`]: a dataset has a few of
/// each (a title per language, an IRI, a home page and an address or two), and a hostile
/// record with thousands of each would make millions of keys. Both lists are taken in
/// sorted order, so two copies of one record keep the same ones.
const MAX_KEYS: usize = 64;

/// The longest title or publisher key, in bytes, a key is made of. Titles and addresses are
/// a few hundred bytes at most; pairing a megabyte "title" with each publisher key would
/// copy it once per key.
const MAX_KEY_BYTES: usize = 1024;

/// Every key that names `record`'s publisher: its normalised name and its ids (at most
/// [`MAX_KEYS`], none longer than [`MAX_KEY_BYTES`]). Two datasets have the same publisher
/// when they share one.
pub fn publisher_keys(record: &LinkRecord) -> Vec<String> {
    record
        .publisher
        .as_deref()
        .map(normalise::text)
        .filter(|p| !p.is_empty())
        .map(|p| format!("name:{p}"))
        .into_iter()
        .chain(record.publisher_ids.iter().cloned())
        .filter(|key| key.len() <= MAX_KEY_BYTES)
        .take(MAX_KEYS)
        .collect()
}

/// `record`'s normalised titles that can name it with its publisher: of more than one word
/// or at least 12 characters, at most [`MAX_KEY_BYTES`] long, the first [`MAX_KEYS`] in
/// sorted order.
fn keyed_titles(record: &LinkRecord) -> Vec<String> {
    let mut titles: Vec<String> = record
        .titles
        .iter()
        .map(|t| normalise::text(t))
        .filter(|t| (t.contains(' ') || t.len() >= 12) && t.len() <= MAX_KEY_BYTES)
        .collect();
    titles.sort_unstable();
    titles.dedup();
    titles.truncate(MAX_KEYS);
    titles
}

/// The keys of `record` for an exact `signal` (one of [`EXACT`]), normalised: what two
/// copies of a dataset share.
pub fn key_texts(record: &LinkRecord, signal: Signal) -> Vec<String> {
    let mut keys: Vec<String> = match signal {
        Signal::Identifier => record
            .identifiers
            .iter()
            .filter_map(|i| normalise::identifier(i))
            .collect(),
        Signal::LandingPage => record
            .landing_pages
            .iter()
            .filter_map(|u| normalise::url(u))
            .collect(),
        Signal::DistributionUrl => record
            .distribution_urls
            .iter()
            .filter_map(|u| normalise::url(u))
            .collect(),
        Signal::TitlePublisher => {
            let publishers = publisher_keys(record);
            keyed_titles(record)
                .into_iter()
                .flat_map(|t| publishers.iter().map(move |p| format!("{t} / {p}")))
                .collect()
        }
        Signal::NearDuplicate => Vec::new(),
    };
    keys.sort();
    keys.dedup();
    keys
}

fn hashes(texts: impl IntoIterator<Item = String>) -> Box<[u64]> {
    let mut hashes: Vec<u64> = texts.into_iter().map(|t| key_hash(&t)).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes.into_boxed_slice()
}

impl LinkRow {
    /// The row of `record`, whose source has number `source`.
    pub fn of(record: &LinkRecord, source: u32) -> Self {
        let title = record.titles.first().map(String::as_str).unwrap_or("");
        let text = normalise::text(&format!(
            "{title} {}",
            civicgraph_graph::prose::strip_markup(&record.description)
        ));
        let signature = if text.split(' ').count() >= 3 {
            signature(&shingles(&text)).map(Box::new)
        } else {
            None
        };
        Self {
            iri: record.iri.as_str().into(),
            source,
            keys: std::array::from_fn(|index| hashes(key_texts(record, EXACT[index].0))),
            publishers: hashes(publisher_keys(record)),
            titles: hashes(record.titles.iter().map(|t| normalise::text(t))),
            numbers: key_hash(&normalise::numbers(title).join(" ")),
            signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_keeps_hashes_of_normalised_keys_and_drops_the_text() {
        let record = LinkRecord {
            iri: "http://a/1".into(),
            source: "A".into(),
            identifiers: vec!["WS-AQ-0001".into()],
            landing_pages: vec!["http://westshire.gov.uk/air/".into()],
            titles: vec!["Air quality readings 2021".into()],
            publisher: Some("Westshire Council".into()),
            description: "Hourly readings of nitrogen dioxide from roadside stations.".into(),
            ..LinkRecord::default()
        };
        let row = LinkRow::of(&record, 7);
        assert_eq!(row.source, 7);
        assert_eq!(&*row.keys[0], [key_hash("ws-aq-0001")]);
        assert_eq!(key_texts(&record, Signal::LandingPage), ["westshire.gov.uk/air"]);
        assert_eq!(
            key_texts(&record, Signal::TitlePublisher),
            ["air quality readings 2021 / name:westshire council"]
        );
        assert!(row.keys[2].is_empty());
        assert_eq!(&*row.publishers, [key_hash("name:westshire council")]);
        assert!(row.signature.is_some());
        assert_ne!(
            row.numbers,
            LinkRow::of(
                &LinkRecord {
                    titles: vec!["Air quality readings 2022".into()],
                    ..record.clone()
                },
                7
            )
            .numbers
        );
    }

    #[test]
    fn a_hostile_record_makes_a_bounded_number_of_short_keys() {
        // A megabyte title beside real ones, and ten thousand titles and addresses: every
        // title was paired with every address, a hundred million keys, the megabyte one
        // copied ten thousand times.
        let mut titles: Vec<String> = (0..10_000).map(|i| format!("Air quality {i:05}")).collect();
        titles.push("word ".repeat(200_000));
        let record = LinkRecord {
            iri: "http://a/1".into(),
            titles,
            publisher: Some("Westshire Council".into()),
            publisher_ids: (0..10_000)
                .map(|i| format!("mail:data{i:05}@westshire.gov.uk"))
                .collect(),
            ..LinkRecord::default()
        };
        let keys = key_texts(&record, Signal::TitlePublisher);
        assert_eq!(keys.len(), MAX_KEYS * MAX_KEYS);
        assert!(keys.iter().all(|key| key.len() <= 3 * MAX_KEY_BYTES));
        // The first titles and addresses in sorted order are kept, so a copy with the same
        // lists in another order has the same keys.
        assert!(keys.contains(&"air quality 00000 / mail:data00000@westshire.gov.uk".to_owned()));
        let mut shuffled = record.clone();
        shuffled.titles.reverse();
        assert_eq!(key_texts(&shuffled, Signal::TitlePublisher), keys);
        assert_eq!(publisher_keys(&record).len(), MAX_KEYS);
    }

    #[test]
    fn sources_are_numbered_once() {
        let sources = Sources::default();
        assert_eq!((sources.id("a"), sources.id("b"), sources.id("a")), (0, 1, 0));
        assert_eq!(sources.into_names(), ["a", "b"]);
    }
}
