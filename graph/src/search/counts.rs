//! The totals and facet counts of recent searches, kept until the index next changes.
//!
//! Counting visits every match: 34,000 for a two-word query over a million records. The
//! page of hits needs only the best few, which tantivy finds for a one-word search while
//! skipping most matches (block-max WAND; a search of several words scores every match,
//! but then counts nothing more than its page needs). So a repeated
//! search, or the next page of one, or the same search in another order, reuses the counts
//! and only finds its hits, as Elasticsearch's shard request cache keeps aggregations until
//! the next refresh. Entries belong to one searcher generation: the first lookup after a
//! commit (a new generation) empties the cache, so counts never outlive the data.

use super::facets::FacetCounts;
use super::request::{SearchFilter, SearchRequest};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// At most this many searches are kept, the oldest dropped first. An entry is a total and
/// at most nine facets of `facet_size` values.
const MAX_ENTRIES: usize = 256;

/// The longest search, text and filters together, whose counts are kept: a client can send
/// megabytes of filter in a CKAN POST, a new one each time, and 256 of them held gigabytes.
const MAX_KEY_BYTES: usize = 4096;

/// What a search's counts depend on: not its order, page or page size.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CountKey {
    text: String,
    filter: SearchFilter,
    facets: bool,
    facet_size: usize,
}

impl CountKey {
    pub(crate) fn of(request: &SearchRequest) -> Self {
        Self {
            text: request.text.trim().to_owned(),
            filter: request.filter.clone(),
            facets: request.facets,
            facet_size: request.facet_size,
        }
    }

    /// Whether the key is at most [`MAX_KEY_BYTES`] long (its filters as written by
    /// `Debug`, counted without being kept).
    fn is_small(&self) -> bool {
        struct Length(usize);
        impl std::fmt::Write for Length {
            fn write_str(&mut self, text: &str) -> std::fmt::Result {
                self.0 += text.len();
                Ok(())
            }
        }
        let mut length = Length(self.text.len());
        std::fmt::Write::write_fmt(&mut length, format_args!("{:?}", self.filter)).is_ok()
            && length.0 <= MAX_KEY_BYTES
    }
}

/// A search's total and facet counts.
#[derive(Debug)]
pub(crate) struct Counts {
    pub total: usize,
    pub facets: FacetCounts,
}

#[derive(Default)]
struct Entries {
    generation: u64,
    by_key: HashMap<CountKey, Arc<Counts>>,
    oldest_first: VecDeque<CountKey>,
}

/// Counts by search, for one searcher generation at a time.
#[derive(Default)]
pub(crate) struct CountCache {
    entries: Mutex<Entries>,
}

impl CountCache {
    /// The counts of `key` taken on searcher generation `generation`, if kept.
    pub(crate) fn get(&self, generation: u64, key: &CountKey) -> Option<Arc<Counts>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.generation != generation {
            return None;
        }
        entries.by_key.get(key).cloned()
    }

    /// Keeps `counts`, taken on `generation`; a newer generation replaces every entry.
    pub(crate) fn put(&self, generation: u64, key: CountKey, counts: Counts) -> Arc<Counts> {
        let counts = Arc::new(counts);
        if !key.is_small() {
            // Answered, not kept.
            return counts;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if generation < entries.generation {
            // Taken on a searcher older than the cache's: answered, not kept.
            return counts;
        }
        if generation > entries.generation {
            *entries = Entries {
                generation,
                ..Entries::default()
            };
        }
        if entries.by_key.insert(key.clone(), counts.clone()).is_none() {
            entries.oldest_first.push_back(key);
        }
        while entries.oldest_first.len() > MAX_ENTRIES {
            if let Some(oldest) = entries.oldest_first.pop_front() {
                entries.by_key.remove(&oldest);
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> CountKey {
        CountKey::of(&SearchRequest {
            text: text.to_owned(),
            ..SearchRequest::default()
        })
    }

    fn counts(total: usize) -> Counts {
        Counts {
            total,
            facets: Vec::new(),
        }
    }

    #[test]
    fn counts_are_kept_for_their_generation_only() {
        let cache = CountCache::default();
        cache.put(1, key("air"), counts(7));
        assert_eq!(cache.get(1, &key("air")).unwrap().total, 7);
        assert_eq!(
            cache.get(1, &key(" air ")).unwrap().total,
            7,
            "the text is trimmed"
        );
        assert!(cache.get(1, &key("water")).is_none());
        // A commit: a new generation sees nothing of the old one, and replaces it.
        assert!(cache.get(2, &key("air")).is_none());
        cache.put(2, key("water"), counts(3));
        assert!(cache.get(1, &key("air")).is_none());
        // Counts taken on an older searcher (a search that began before the commit) are not kept.
        cache.put(1, key("air"), counts(7));
        assert!(cache.get(2, &key("air")).is_none());
        assert_eq!(cache.get(2, &key("water")).unwrap().total, 3);
    }

    #[test]
    fn order_and_page_share_counts_but_filters_do_not() {
        let first = SearchRequest {
            text: "school".to_owned(),
            limit: 20,
            facets: true,
            facet_size: 10,
            ..SearchRequest::default()
        };
        let later_page = SearchRequest {
            offset: 380,
            sort: crate::SearchSort::Date,
            ..first.clone()
        };
        assert_eq!(CountKey::of(&first), CountKey::of(&later_page));
        let mut filtered = first.clone();
        filtered
            .filter
            .patterns
            .push("https://w3id.org/civicgraph/pattern/planning".to_owned());
        assert_ne!(CountKey::of(&first), CountKey::of(&filtered));
    }

    #[test]
    fn a_search_of_megabytes_is_answered_but_not_kept() {
        let cache = CountCache::default();
        let mut long = SearchRequest::default();
        long.filter.tags.push("a".repeat(1 << 20));
        let answered = cache.put(1, CountKey::of(&long), counts(0));
        assert_eq!(answered.total, 0);
        assert!(cache.get(1, &CountKey::of(&long)).is_none());
        let text = "b".repeat(MAX_KEY_BYTES + 1);
        cache.put(1, key(&text), counts(1));
        assert!(cache.get(1, &key(&text)).is_none());
        cache.put(1, key("b"), counts(1));
        assert!(cache.get(1, &key("b")).is_some());
    }

    #[test]
    fn the_oldest_search_goes_first_when_full() {
        let cache = CountCache::default();
        for i in 0..=MAX_ENTRIES {
            cache.put(1, key(&format!("q{i}")), counts(i));
        }
        assert!(cache.get(1, &key("q0")).is_none());
        assert_eq!(cache.get(1, &key("q1")).unwrap().total, 1);
        assert_eq!(
            cache.get(1, &key(&format!("q{MAX_ENTRIES}"))).unwrap().total,
            MAX_ENTRIES
        );
    }
}
