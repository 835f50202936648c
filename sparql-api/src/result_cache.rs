//! The result cache: serialized answers to repeated public queries, keyed on the query, its
//! dataset, the negotiated Accept header and the store's write sequence, so every write
//! invalidates it (the first lookup after a write sees a new sequence and empties it).
//!
//! Queries whose answer is not a function of the store are never cached: federated
//! `SERVICE` calls and the non-deterministic functions (`NOW`, `RAND`, `UUID`, `STRUUID`,
//! `BNODE`), as the parsed algebra shows them ([`civicgraph_graph::GuardedQuery`]). The key
//! holds everything else that changes an answer, the base IRI taken from the request's
//! `Host` among them. The cache is bounded in bytes, counting keys, bodies and bookkeeping,
//! evicting the oldest entries first; an answer larger than a sixteenth of the budget is
//! not kept.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// What identifies an answer, besides the store version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The query text.
    pub query: String,
    /// The base IRI relative IRIs in the query resolve against (it comes from `Host`).
    pub base: String,
    /// `default-graph-uri` values.
    pub default_graphs: Vec<String>,
    /// `named-graph-uri` values.
    pub named_graphs: Vec<String>,
    /// The Accept header.
    pub accept: Option<String>,
}

/// A serialized answer.
#[derive(Debug)]
pub struct CachedAnswer {
    /// Its media type.
    pub media_type: String,
    /// Its body.
    pub body: Vec<u8>,
    /// Whether the row limit cut it.
    pub truncated: bool,
}

#[derive(Debug, Default)]
struct Inner {
    sequence: u64,
    entries: HashMap<CacheKey, Arc<CachedAnswer>>,
    order: VecDeque<CacheKey>,
    bytes: usize,
}

/// A byte-bounded cache of answers for one store version.
#[derive(Debug)]
pub struct ResultCache {
    budget: usize,
    inner: Mutex<Inner>,
    hits: std::sync::atomic::AtomicU64,
    misses: std::sync::atomic::AtomicU64,
}

impl ResultCache {
    /// A cache of at most `budget` bytes of answers; 0 turns it off.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(Inner::default()),
            hits: std::sync::atomic::AtomicU64::new(0),
            misses: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Lookups so far that found an answer, and that did not (for `/metrics`).
    pub fn lookups(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }

    /// The largest answer kept, in bytes (a sixteenth of the budget).
    pub fn entry_limit(&self) -> usize {
        self.budget / 16
    }

    /// Whether the cache is on.
    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The answer for `key` at store version `sequence`, if cached.
    pub fn get(&self, sequence: u64, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        let found = self.find(sequence, key);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        found
    }

    fn find(&self, sequence: u64, key: &CacheKey) -> Option<Arc<CachedAnswer>> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // Sequences only grow: a newer one means a write, and everything cached is stale.
        if sequence > inner.sequence {
            *inner = Inner {
                sequence,
                ..Inner::default()
            };
            return None;
        }
        if sequence < inner.sequence {
            return None;
        }
        inner.entries.get(key).cloned()
    }

    /// Keeps `answer` for `key` at version `sequence`.
    pub fn put(&self, sequence: u64, key: CacheKey, answer: Arc<CachedAnswer>) {
        let size = cost(&key, &answer);
        if size > self.entry_limit() {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if sequence < inner.sequence {
            // A write happened while the query ran: the answer may already be stale.
            return;
        }
        if sequence > inner.sequence {
            *inner = Inner {
                sequence,
                ..Inner::default()
            };
        }
        while inner.bytes + size > self.budget {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(old) = inner.entries.remove(&oldest) {
                inner.bytes -= cost(&oldest, &old);
            }
        }
        if inner.entries.insert(key.clone(), answer).is_none() {
            inner.order.push_back(key);
            inner.bytes += size;
        }
    }
}

/// What an entry holds in memory: its key (twice, in the map and the queue), its answer,
/// and a fixed allowance for the map's and the queue's own bookkeeping.
fn cost(key: &CacheKey, answer: &CachedAnswer) -> usize {
    let key_bytes = key.query.len()
        + key.base.len()
        + key
            .default_graphs
            .iter()
            .chain(&key.named_graphs)
            .map(|g| g.len() + 24)
            .sum::<usize>()
        + key.accept.as_ref().map_or(0, String::len)
        + size_of::<CacheKey>();
    2 * key_bytes + answer.body.len() + answer.media_type.len() + size_of::<CachedAnswer>() + 64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(query: &str) -> CacheKey {
        CacheKey {
            query: query.to_owned(),
            base: "http://localhost/sparql".to_owned(),
            default_graphs: Vec::new(),
            named_graphs: Vec::new(),
            accept: None,
        }
    }

    fn answer(bytes: usize) -> Arc<CachedAnswer> {
        Arc::new(CachedAnswer {
            media_type: "text/csv".to_owned(),
            body: vec![b'x'; bytes],
            truncated: false,
        })
    }

    #[test]
    fn a_write_invalidates_everything() {
        let cache = ResultCache::new(1 << 20);
        cache.put(1, key("q"), answer(10));
        assert!(cache.get(1, &key("q")).is_some());
        assert!(cache.get(2, &key("q")).is_none());
        cache.put(1, key("q"), answer(10));
        assert!(
            cache.get(2, &key("q")).is_none(),
            "an answer from before the write is not kept"
        );
    }

    #[test]
    fn the_budget_evicts_the_oldest_first() {
        let each = cost(&key("q00"), &answer(96));
        // Room for sixteen entries; each is under a sixteenth of the budget.
        let cache = ResultCache::new(16 * each + each / 2);
        assert!(each <= cache.entry_limit());
        for i in 0..20 {
            cache.put(0, key(&format!("q{i:02}")), answer(96));
        }
        assert!(cache.get(0, &key("q00")).is_none());
        assert!(cache.get(0, &key("q03")).is_none());
        assert!(cache.get(0, &key("q04")).is_some());
        assert!(cache.get(0, &key("q19")).is_some());
        cache.put(0, key("big"), answer(cache.entry_limit()));
        assert!(cache.get(0, &key("big")).is_none(), "too large to keep");
    }

    #[test]
    fn keys_count_towards_the_budget() {
        let cache = ResultCache::new(16 * 4096);
        let long = "x".repeat(3000);
        cache.put(0, key(&long), answer(10));
        assert!(
            cache.get(0, &key(&long)).is_none(),
            "a 3,000-byte query is counted twice over"
        );
        assert!(!ResultCache::new(0).enabled());
    }
}
