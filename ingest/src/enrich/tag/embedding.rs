//! A case study's embedding for the sentence reader: which text is embedded, and the
//! memo of the labelled set's vectors (`ingest/tagger/embeddings.bin`).
//!
//! The memo holds the vector of every labelled case's text and of its translations, as
//! [`civicgraph_embed`] computes them, rounded to half precision. Training reads its vectors
//! from it, so `civicgraph train-tagger` gives the same model byte for byte on any CPU (the
//! engine's sums differ in their last bits between its AVX2 and portable builds), and a
//! text the memo holds is not embedded again: tagging the labelled collections' files
//! (thousands of cases, a quarter of an hour of embedding) takes seconds. Every other text
//! is embedded by the engine, rounded the same way. `train-tagger` rewrites the memo from
//! the labelled set; a test checks a sample of it against the engine.

use crate::error::{IngestError, Result};
use civicgraph_embed::{DIMENSIONS, Embedder};
use civicgraph_graph::Record;
use half::f16;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The memo compiled into the binary.
const MEMO: &[u8] = include_bytes!("../../../tagger/embeddings.bin");

/// The memo file's first bytes, then the dimension count and the entry count (u32 LE).
const MAGIC: &[u8; 4] = b"CGE1";

/// A key (the SHA-256 of the prepared text) and its vector's half-precision numbers.
const ENTRY: usize = 32 + 2 * DIMENSIONS;

/// What the sentence reader embeds of a record: its first title and first description, as
/// prose, joined by ". " (as measured: `datasets/drafts/embedding-experiment/loco.md`), or
/// the one of them it has.
pub fn text_of(record: &Record) -> String {
    // Titles come first, then descriptions: a title in several languages is several.
    let mut texts = record.texts();
    let title = if record.titles.is_empty() {
        None
    } else {
        texts.next()
    };
    let description = if record.descriptions.is_empty() {
        None
    } else {
        texts.nth(record.titles.len().saturating_sub(1))
    };
    match (title, description) {
        (Some(title), Some(description)) => format!("{title}. {description}"),
        (Some(text), None) | (None, Some(text)) => text.into_owned(),
        (None, None) => String::new(),
    }
}

/// The memo's key of `text`: the SHA-256 of what the engine reads of it.
fn key(text: &str) -> [u8; 32] {
    Sha256::digest(civicgraph_embed::prepare(text).as_bytes()).into()
}

/// A vector rounded to half precision: what the memo keeps, and so what every vector is.
fn rounded(vector: &[f32]) -> Vec<f32> {
    vector.iter().map(|x| f16::from_f32(*x).to_f32()).collect()
}

/// The memo's entries, sorted by key, or nothing if the bytes are not a memo.
fn entries(memo: &[u8]) -> Option<&[u8]> {
    let header = memo.get(..12)?;
    let dimensions = u32::from_le_bytes(header[4..8].try_into().ok()?) as usize;
    let count = u32::from_le_bytes(header[8..12].try_into().ok()?) as usize;
    let body = &memo[12..];
    (header[..4] == *MAGIC && dimensions == DIMENSIONS && body.len() == count.checked_mul(ENTRY)?)
        .then_some(body)
}

/// The memo's vector of `text`, if it holds one.
fn remembered(memo: &[u8], text: &str) -> Option<Vec<f32>> {
    let body = entries(memo)?;
    let key = key(text);
    let count = body.len() / ENTRY;
    let (mut low, mut high) = (0, count);
    while low < high {
        let middle = (low + high) / 2;
        let entry = &body[middle * ENTRY..(middle + 1) * ENTRY];
        match entry[..32].cmp(&key[..]) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => {
                return Some(
                    entry[32..]
                        .chunks_exact(2)
                        .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                        .collect(),
                );
            }
        }
    }
    None
}

/// The vector of `text`: the memo's, else the engine's, rounded as the memo's are.
pub fn vector(text: &str) -> Result<Vec<f32>> {
    if let Some(vector) = remembered(MEMO, text) {
        return Ok(vector);
    }
    computed(text)
}

/// The engine's vector of `text`, never the memo's.
pub fn computed(text: &str) -> Result<Vec<f32>> {
    let embedder = Embedder::bundled()?;
    Ok(rounded(&embedder.embed(text)?))
}

/// The vectors of `texts`, in order, on every core: the memo's where it has them.
pub fn vectors(texts: &[String]) -> Result<Vec<Vec<f32>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(|t| vector(t)).collect::<Result<Vec<_>>>()))
            .collect();
        let mut all = Vec::with_capacity(texts.len());
        for handle in handles {
            all.extend(handle.join().expect("an embedding thread finishes")?);
        }
        Ok(all)
    })
}

/// Writes a memo of `texts` and their `vectors` to `path`: one entry per distinct text,
/// sorted by key, so that the same texts always give the same bytes. How many it holds.
pub fn write_memo(path: &Path, texts: &[String], vectors: &[Vec<f32>]) -> Result<usize> {
    let mut entries: Vec<([u8; 32], &Vec<f32>)> = texts.iter().map(|t| key(t)).zip(vectors).collect();
    entries.sort_by_key(|a| a.0);
    entries.dedup_by(|a, b| a.0 == b.0);
    let mut bytes = Vec::with_capacity(12 + entries.len() * ENTRY);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
    bytes.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (key, vector) in &entries {
        bytes.extend_from_slice(key);
        for x in vector.iter() {
            bytes.extend_from_slice(&f16::from_f32(*x).to_le_bytes());
        }
    }
    std::fs::write(path, bytes).map_err(|source| IngestError::Io {
        document: path.display().to_string(),
        source,
    })?;
    Ok(entries.len())
}

/// How many vectors the compiled-in memo holds.
pub fn memo_len() -> usize {
    entries(MEMO).map_or(0, |body| body.len() / ENTRY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_holds_what_the_engine_computes() {
        let body = entries(MEMO).expect("the compiled-in memo parses");
        assert!(memo_len() >= 1_000, "{} vectors", memo_len());
        // The memo is keyed by hash, so its texts are checked through the labelled set's
        // first cases, embedded afresh: the engine on this CPU agrees with the vectors
        // training read, to half precision and the engine's own rounding.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/tagger/cases.json");
        let bytes = std::fs::read(&dir).unwrap();
        let records = crate::enrich::tag::inputs_from_document(&bytes, "cases.json").unwrap();
        let mut checked = 0;
        for record in records.iter().step_by(records.len() / 12) {
            let text = text_of(&record.input);
            let kept = remembered(MEMO, &text).unwrap_or_else(|| panic!("{}: not in the memo", record.id));
            let fresh = computed(&text).unwrap();
            let cosine: f32 = kept.iter().zip(&fresh).map(|(a, b)| a * b).sum();
            assert!(cosine > 0.995, "{}: cosine {cosine}", record.id);
            checked += 1;
        }
        assert!(checked >= 12 && body.len().is_multiple_of(ENTRY));
    }

    #[test]
    fn a_memo_round_trips_and_an_unknown_text_is_not_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo.bin");
        let texts = vec![
            "b. second".to_owned(),
            "a. first".to_owned(),
            "a. first".to_owned(),
        ];
        let vectors: Vec<Vec<f32>> = (0..3).map(|i| vec![i as f32 / 8.0; DIMENSIONS]).collect();
        assert_eq!(write_memo(&path, &texts, &vectors).unwrap(), 2);
        let memo = std::fs::read(&path).unwrap();
        assert_eq!(remembered(&memo, "b. second"), Some(vec![0.0; DIMENSIONS]));
        assert_eq!(remembered(&memo, "a. first"), Some(vec![0.125; DIMENSIONS]));
        assert_eq!(remembered(&memo, "c. third"), None);
        assert_eq!(remembered(b"CGE1garbage", "a. first"), None);
    }

    #[test]
    fn the_embedded_text_is_the_first_title_and_description_as_prose() {
        let mut record = Record::from_text("ignored");
        record.titles = vec!["Bus <b>routes</b>".into(), "Rutas".into()];
        record.descriptions = vec!["Planned with data.".into()];
        record.keywords = vec!["transport".into()];
        assert_eq!(text_of(&record), "Bus routes. Planned with data.");
        record.titles.clear();
        assert_eq!(text_of(&record), "Planned with data.");
    }
}
