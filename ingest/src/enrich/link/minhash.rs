//! MinHash signatures and locality-sensitive hashing, so that near-duplicate datasets are
//! found without comparing every pair: at a million datasets, all pairs would be 5·10¹¹
//! comparisons; banding the signatures gives each dataset a handful of candidates.
//!
//! A dataset's text (normalised title and description) becomes the set of its adjacent word
//! pairs; its signature is, for each of [`HASHES`] seeded hash functions, the smallest hash
//! of any pair. Two signatures agree in a position with probability equal to the Jaccard
//! similarity of the two sets. Signatures are cut into [`BANDS`] bands of [`ROWS`]; two
//! datasets that agree on a whole band are candidates (for similarity 0.6 that happens with
//! probability 0.99, for 0.3 with 0.42, for 0.1 with 0.02).
//! Everything is seeded by constants, so the same input always gives the same links.

/// Hash functions per signature.
pub const HASHES: usize = 60;
/// Bands of the signature.
pub const BANDS: usize = 20;
/// Rows (hashes) per band.
pub const ROWS: usize = HASHES / BANDS;

/// A MinHash signature.
pub type Signature = [u64; HASHES];

/// FNV-1a: a fixed hash, unlike std's randomly seeded one.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// SplitMix64's finaliser: spreads one 64-bit value over all bits.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The shingles of normalised text: hashes of adjacent word pairs (of single words when the
/// text has fewer than four).
pub fn shingles(normalised: &str) -> Vec<u64> {
    let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
    let mut shingles: Vec<u64> = if words.len() < 4 {
        words.iter().map(|w| fnv(w.as_bytes())).collect()
    } else {
        words
            .windows(2)
            .map(|pair| fnv(pair[0].as_bytes()) ^ mix(fnv(pair[1].as_bytes())))
            .collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

/// The signature of a set of shingles, or `None` for an empty set.
pub fn signature(shingles: &[u64]) -> Option<Signature> {
    if shingles.is_empty() {
        return None;
    }
    let mut signature = [u64::MAX; HASHES];
    for &shingle in shingles {
        for (i, slot) in signature.iter_mut().enumerate() {
            let h = mix(shingle ^ SEEDS[i]);
            if h < *slot {
                *slot = h;
            }
        }
    }
    Some(signature)
}

/// The share of positions where two signatures agree: an estimate of Jaccard similarity.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// Visits pairs `(i, j)`, `i < j`, of signatures that agree on at least one band: a pair
/// agreeing on several bands is visited once per band. Buckets holding more than
/// `max_bucket` signatures are boilerplate shared by many datasets (a template
/// description), not duplicates, and are skipped so that they cannot make the work
/// quadratic. Nothing is gathered: at a million datasets the candidates of all bands,
/// gathered to remove repeats, were linking's peak memory, while the pairs that pass the
/// caller's checks are few.
pub fn for_each_candidate(
    signatures: &[Option<&Signature>],
    max_bucket: usize,
    mut visit: impl FnMut(u32, u32),
) {
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(signatures.len());
    for band in 0..BANDS {
        keys.clear();
        for (i, signature) in signatures.iter().enumerate() {
            if let Some(signature) = signature {
                let rows = &signature[band * ROWS..(band + 1) * ROWS];
                let key = rows.iter().fold(mix(band as u64), |acc, r| mix(acc ^ r));
                keys.push((key, i as u32));
            }
        }
        keys.sort_unstable();
        for bucket in keys.chunk_by(|a, b| a.0 == b.0) {
            if bucket.len() < 2 || bucket.len() > max_bucket {
                continue;
            }
            for (x, a) in bucket.iter().enumerate() {
                for b in &bucket[x + 1..] {
                    visit(a.1.min(b.1), a.1.max(b.1));
                }
            }
        }
    }
}

/// Fixed seeds, one per hash function.
const SEEDS: [u64; HASHES] = {
    let mut seeds = [0u64; HASHES];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        seeds[i] = z ^ (z >> 31);
        i += 1;
    }
    seeds
};

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(text: &str) -> Signature {
        signature(&shingles(text)).unwrap()
    }

    #[test]
    fn similar_texts_have_similar_signatures() {
        let a = sig(
            "hourly air quality readings from the city monitoring stations nitrogen dioxide and particulates since 2015",
        );
        let b = sig(
            "hourly air quality readings from city monitoring stations nitrogen dioxide and fine particulates since 2015",
        );
        let c = sig("register of licensed taxi drivers and vehicles with licence numbers and expiry dates");
        assert!(similarity(&a, &b) > 0.5, "{}", similarity(&a, &b));
        assert!(similarity(&a, &c) < 0.1, "{}", similarity(&a, &c));
        assert_eq!(similarity(&a, &a), 1.0);
    }

    #[test]
    fn near_duplicates_become_candidates_and_boilerplate_buckets_are_skipped() {
        let candidates = |signatures: &[Option<&Signature>], max_bucket: usize| {
            let mut pairs = Vec::new();
            for_each_candidate(signatures, max_bucket, |i, j| pairs.push((i, j)));
            pairs.sort_unstable();
            pairs.dedup();
            pairs
        };
        let texts = [
            "hourly air quality readings from the city monitoring stations nitrogen dioxide",
            "hourly air quality readings from the city monitoring stations nitrogen dioxide levels",
            "register of licensed taxi drivers and vehicles with licence numbers",
        ];
        let signatures: Vec<Signature> = texts.iter().map(|t| sig(t)).collect();
        let signatures: Vec<Option<&Signature>> = signatures.iter().map(Some).collect();
        assert_eq!(candidates(&signatures, 10), [(0, 1)]);
        let same = sig(texts[2]);
        let same: Vec<Option<&Signature>> = (0..5).map(|_| Some(&same)).collect();
        assert_eq!(candidates(&same, 10).len(), 10);
        assert!(candidates(&same, 4).is_empty());
    }
}
