//! A case study's embedding for the sentence reader: which text is embedded, and the
//! memo of the labelled set's vectors (`ingest/tagger/embeddings.bin`).
//!
//! The memo holds the vector of every labelled case's text and of its translations, as
//! [`civicgraph_embed`] computes them, rounded to half precision. Training reads its vectors
//! from it, so `civicgraph train-tagger` gives the same model byte for byte on any CPU (the
//! engine's sums differ in their last bits between its AVX2 and portable builds), and a
//! text the memo holds is not embedded again: tagging the labelled collections' files
//! (thousands of cases, a quarter of an hour of embedding) takes seconds. Every other text
//! is embedded by the engine, rounded the same way, and kept in the data directory
//! ([`Vectors`]) so that the next run over the same store does not embed it again.
//! `train-tagger` rewrites the memo from the labelled set; a test checks a sample of it
//! against the engine.
//!
//! The encoder is multilingual-e5-small as the registry ships it, tuned to the labelled
//! cases by a low-rank adapter (`ingest/tagger/tuning.cga`, trained on the training split
//! by `datasets/drafts/finetune/`): a vector is the tuned encoder's, and its key names the
//! tuning, so no vector of another encoder (a data directory's from before) is taken for it.

use crate::error::Result;
use civicgraph_embed::{DIMENSIONS, Embedder};
use civicgraph_graph::Record;
use half::f16;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The memo compiled into the binary.
const MEMO: &[u8] = include_bytes!("../../../tagger/embeddings.bin");

/// The tuning of the encoder (`civicgraph_embed::parse_tuning`), compiled into the binary.
const TUNING: &[u8] = include_bytes!("../../../tagger/tuning.cga");

/// Where [`TUNING`] comes from, for errors.
const TUNING_FILE: &str = "ingest/tagger/tuning.cga";

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

/// The memo's key of `text`: the SHA-256 of the tuning's SHA-256 and what the engine
/// reads of the text.
fn key(text: &str) -> [u8; 32] {
    static TUNED: std::sync::LazyLock<[u8; 32]> = std::sync::LazyLock::new(|| Sha256::digest(TUNING).into());
    key_under(&TUNED, text)
}

/// The key of `text`'s vector under the tuning whose SHA-256 is `tuning`.
fn key_under(tuning: &[u8; 32], text: &str) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(tuning);
    hash.update(civicgraph_embed::prepare(text).as_bytes());
    hash.finalize().into()
}

/// The encoder tuned by another tuning file than the bundled one: a cross-validation
/// fold's, trained without that fold's cases (`ingest/tagger/folds/`), so that no case is
/// scored through an encoder that learnt from it. Its vectors are kept in the system's
/// temporary directory, keyed as the memo's are: embedding the labelled set takes minutes.
#[derive(Debug)]
pub struct FoldEncoder {
    /// The tuning file's SHA-256.
    tuning: [u8; 32],
    /// The model so tuned.
    embedder: Embedder,
    /// Where its vectors are kept between runs.
    cache: std::path::PathBuf,
}

/// A tuning file read and checked, not yet applied to the model: what a [`FoldEncoder`] is
/// opened from, so that a broken file is found before any vector is needed.
#[derive(Debug, Clone)]
pub struct TuningFile {
    /// The file's SHA-256, which names its vectors.
    sha: [u8; 32],
    /// The tuning it holds.
    tuning: civicgraph_embed::Tuning,
}

impl TuningFile {
    /// The tuning file at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = crate::tools::train::read_file(path)?;
        Ok(Self {
            tuning: civicgraph_embed::parse_tuning(&bytes, &path.display().to_string())?,
            sha: Sha256::digest(&bytes).into(),
        })
    }
}

impl FoldEncoder {
    /// The model tuned by `file`.
    pub fn tuned(file: TuningFile) -> Result<Self> {
        let embedder = Embedder::open_tuned(&civicgraph_embed::model_path(), file.tuning)?;
        Ok(Self::named(file.sha, embedder))
    }

    /// The encoder as the registry ships it, untuned: for figures that no tuning's training
    /// cases may reach (each collection held out, when the bundled tuning saw them all).
    pub fn untuned() -> Result<Self> {
        let embedder = Embedder::open(&civicgraph_embed::model_path())?;
        // No tuning file: the SHA-256 of none names its vectors.
        Ok(Self::named(Sha256::digest([]).into(), embedder))
    }

    /// `embedder`, its vectors named by `tuning` (a tuning file's SHA-256) and kept between
    /// runs in a file of the temporary directory named by it.
    fn named(tuning: [u8; 32], embedder: Embedder) -> Self {
        let cache = std::env::temp_dir().join(format!(
            "civicgraph-vectors-{}.bin",
            crate::mint::hex(&tuning[..8])
        ));
        Self {
            tuning,
            embedder,
            cache,
        }
    }

    /// The vectors of `texts`, in order, on every core: those kept from an earlier run
    /// taken back, the others embedded (and kept).
    pub fn vectors(&self, texts: &[String]) -> Result<Vec<Vec<f32>>> {
        let kept = Vectors::kept_at(self.cache.clone());
        let vectors = crate::parallel::map_in_order(texts, |text| {
            kept.vector_under(key_under(&self.tuning, text), || {
                Ok(decode(&encode(&self.embedder.embed(text)?)))
            })
        })?;
        kept.keep();
        Ok(vectors)
    }

    /// `examples` and `translations` again, each vector this encoder's.
    pub fn retuned(
        &self,
        examples: &[&crate::tools::train::Example],
        translations: &[crate::tools::train::Translation],
    ) -> Result<(
        Vec<crate::tools::train::Example>,
        Vec<crate::tools::train::Translation>,
    )> {
        let mut cases: Vec<_> = examples.iter().map(|e| (*e).clone()).collect();
        let mut translated = translations.to_vec();
        let mut all: Vec<&mut crate::tools::train::Example> = cases
            .iter_mut()
            .chain(translated.iter_mut().flat_map(|t| &mut t.examples))
            .collect();
        let texts: Vec<String> = all.iter().map(|e| e.text.clone()).collect();
        for (example, vector) in all.iter_mut().zip(self.vectors(&texts)?) {
            example.embedding = vector;
        }
        Ok((cases, translated))
    }
}

/// The tuned encoder, loaded once per process on first use. A failure is not remembered:
/// a server whose model file was missing takes it at the next tagging run once it is there.
fn embedder() -> Result<&'static Embedder> {
    static MODEL: std::sync::Mutex<Option<&'static Embedder>> = std::sync::Mutex::new(None);
    let mut loaded = MODEL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(model) = *loaded {
        return Ok(model);
    }
    let tuning = civicgraph_embed::parse_tuning(TUNING, TUNING_FILE)?;
    // Loaded once and kept for the process's life, as a static would be.
    let model: &'static Embedder = Box::leak(Box::new(Embedder::open_tuned(
        &civicgraph_embed::model_path(),
        tuning,
    )?));
    *loaded = Some(model);
    Ok(model)
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

/// The memo's vector under `key`, if it holds one.
fn remembered(memo: &[u8], key: &[u8; 32]) -> Option<Vec<f32>> {
    let (entries, _) = entries(memo)?.as_chunks::<ENTRY>();
    let at = entries.binary_search_by(|entry| entry[..32].cmp(&key[..])).ok()?;
    Some(decode(&entries[at][32..]))
}

/// The file in a data directory that keeps the vectors of the case studies its tagging
/// runs embedded.
pub const KEPT_FILE: &str = "tagger-embeddings.bin";

/// At most this many vectors are kept in a data directory (about 80 MB on disk and in
/// memory): those the last run used first, then others it had.
const MAX_KEPT: usize = 100_000;

/// Vectors by key, in half precision as kept, each with whether this tagger used it.
type Seen = rustc_hash::FxHashMap<[u8; 32], (Box<[u8]>, bool)>;

/// The vectors one tagger has: the compiled-in memo's, those a data directory kept from
/// its last runs ([`KEPT_FILE`]), and those it embedded. A store's case studies are
/// re-tagged whole after a SPARQL update, by `civicgraph tag` and by each new process's
/// first run; without this, each would embed every case study again (a few minutes for
/// thousands).
#[derive(Debug, Default)]
pub struct Vectors {
    /// The file they are kept in, for a store on disk.
    kept: Option<std::path::PathBuf>,
    /// By key: the vector, and whether this tagger used it.
    seen: std::sync::Mutex<Seen>,
    /// Whether it embedded any text the file did not hold.
    grew: std::sync::atomic::AtomicBool,
}

impl Vectors {
    /// The vectors kept in `dir` ([`KEPT_FILE`]), when it is given and holds them. A kept
    /// file that cannot be read is only a cache: it is ignored, with a warning, and
    /// rewritten.
    pub fn kept_in(dir: Option<&Path>) -> Self {
        match dir {
            Some(dir) => Self::kept_at(dir.join(KEPT_FILE)),
            None => Self::default(),
        }
    }

    /// The vectors kept in the file at `path`, as [`Vectors::kept_in`] reads a data
    /// directory's.
    fn kept_at(path: std::path::PathBuf) -> Self {
        let mut seen = rustc_hash::FxHashMap::default();
        match std::fs::read(&path) {
            Ok(bytes) => match entries(&bytes) {
                Some(body) => {
                    for entry in body.chunks_exact(ENTRY) {
                        let key: [u8; 32] = entry[..32].try_into().expect("32 bytes");
                        seen.insert(key, (entry[32..].into(), false));
                    }
                }
                None => tracing::warn!("{}: not a file of vectors; embedding again", path.display()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("{}: {e}; embedding again", path.display()),
        }
        Self {
            kept: Some(path),
            seen: std::sync::Mutex::new(seen),
            grew: Default::default(),
        }
    }

    /// The vector of `text`: the memo's, else one kept or embedded before, else the
    /// engine's.
    pub fn vector(&self, text: &str) -> Result<Vec<f32>> {
        let key = key(text);
        if let Some(vector) = remembered(MEMO, &key) {
            return Ok(vector);
        }
        self.vector_under(key, || computed(text))
    }

    /// The vector under `key`: one kept or embedded before, else `compute`'s, kept.
    fn vector_under(&self, key: [u8; 32], compute: impl FnOnce() -> Result<Vec<f32>>) -> Result<Vec<f32>> {
        if let Some((vector, used)) = self.seen.lock().expect("not poisoned").get_mut(&key) {
            *used = true;
            return Ok(decode(vector));
        }
        let vector = compute()?;
        self.seen
            .lock()
            .expect("not poisoned")
            .insert(key, (encode(&vector).into(), true));
        self.grew.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(vector)
    }

    /// Writes the vectors back to their file (a data directory's, or a fold encoder's) when
    /// this cache embedded new ones:
    /// those it used, then the others it had, [`MAX_KEPT`] at most. The file is a cache: a
    /// failure to write it is logged, and tagging goes on.
    pub fn keep(&self) {
        let Some(path) = &self.kept else {
            return;
        };
        if !self.grew.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let seen = self.seen.lock().expect("not poisoned");
        let (used, unused): (Vec<_>, Vec<_>) = seen.iter().partition(|(_, (_, used))| *used);
        let kept: Vec<(&[u8; 32], &[u8])> = used
            .into_iter()
            .chain(unused)
            .take(MAX_KEPT)
            .map(|(key, (vector, _))| (key, &vector[..]))
            .collect();
        if let Err(error) = write_encoded(path, kept) {
            tracing::warn!("{}: {error}; the vectors will be embedded again", path.display());
        }
    }
}

/// A vector's half-precision bytes, as the memo holds them.
fn encode(vector: &[f32]) -> Vec<u8> {
    vector
        .iter()
        .flat_map(|x| f16::from_f32(*x).to_le_bytes())
        .collect()
}

/// A vector from its half-precision bytes.
fn decode(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
        .collect()
}

/// The engine's vector of `text`, never the memo's, rounded to half precision as the
/// memo's are, so that every vector is what a memo would give back.
pub fn computed(text: &str) -> Result<Vec<f32>> {
    let embedder = embedder()?;
    Ok(decode(&encode(&embedder.embed(text)?)))
}

/// The vectors of `texts`, in order, on every core: the memo's where it has them.
pub fn vectors(texts: &[String]) -> Result<Vec<Vec<f32>>> {
    let vectors = Vectors::default();
    crate::parallel::map_in_order(texts, |text| vectors.vector(text))
}

/// Writes a memo of `texts` and their `vectors` to `path`: one entry per distinct text,
/// sorted by key, so that the same texts always give the same bytes. How many it holds.
pub fn write_memo(path: &Path, texts: &[String], vectors: &[Vec<f32>]) -> Result<usize> {
    let keys: Vec<[u8; 32]> = texts.iter().map(|t| key(t)).collect();
    let encoded: Vec<Vec<u8>> = vectors.iter().map(|v| encode(v)).collect();
    write_encoded(path, keys.iter().zip(encoded.iter().map(Vec::as_slice)).collect())
}

/// Writes `entries` (keys and half-precision vectors) to `path` as a memo, sorted by key,
/// once per key, whole or not at all. How many it holds.
fn write_encoded(path: &Path, mut entries: Vec<(&[u8; 32], &[u8])>) -> Result<usize> {
    entries.sort_by_key(|a| *a.0);
    entries.dedup_by(|a, b| a.0 == b.0);
    let mut bytes = Vec::with_capacity(12 + entries.len() * ENTRY);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
    bytes.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (key, vector) in &entries {
        bytes.extend_from_slice(&key[..]);
        bytes.extend_from_slice(vector);
    }
    crate::page_cache::write_atomically(path, &bytes)?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_holds_what_the_engine_computes() {
        let body = entries(MEMO).expect("the compiled-in memo parses");
        assert!(body.len() / ENTRY >= 1_000, "{} vectors", body.len() / ENTRY);
        // The memo is keyed by hash, so its texts are checked through the labelled set's
        // first cases, embedded afresh: the engine on this CPU agrees with the vectors
        // training read, to half precision and the engine's own rounding.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/tagger/cases.json");
        let bytes = std::fs::read(&dir).unwrap();
        let records = crate::enrich::tag::inputs_from_document(&bytes, "cases.json").unwrap();
        let mut checked = 0;
        for record in records.iter().step_by(records.len() / 12) {
            let text = text_of(&record.input);
            let kept =
                remembered(MEMO, &key(&text)).unwrap_or_else(|| panic!("{}: not in the memo", record.id));
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
        assert_eq!(remembered(&memo, &key("b. second")), Some(vec![0.0; DIMENSIONS]));
        assert_eq!(remembered(&memo, &key("a. first")), Some(vec![0.125; DIMENSIONS]));
        assert_eq!(remembered(&memo, &key("c. third")), None);
        assert_eq!(remembered(b"CGE1garbage", &key("a. first")), None);
    }

    #[test]
    fn a_data_directory_keeps_what_its_runs_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Ein Bürgerbus fährt nach Fahrplan durch drei Dörfer.";
        let first = Vectors::kept_in(Some(dir.path()));
        let vector = first.vector(text).unwrap();
        first.keep();
        let file = std::fs::read(dir.path().join(KEPT_FILE)).unwrap();
        assert_eq!(remembered(&file, &key(text)), Some(vector.clone()));
        // The next run takes it from the file, and, embedding nothing new, writes nothing.
        let second = Vectors::kept_in(Some(dir.path()));
        assert_eq!(second.vector(text).unwrap(), vector);
        assert!(!second.grew.load(std::sync::atomic::Ordering::Relaxed));
        // A damaged file is a cache lost, not an error.
        std::fs::write(dir.path().join(KEPT_FILE), b"CGE1 damaged").unwrap();
        let third = Vectors::kept_in(Some(dir.path()));
        assert_eq!(third.vector(text).unwrap(), vector);
        third.keep();
        let file = std::fs::read(dir.path().join(KEPT_FILE)).unwrap();
        assert_eq!(remembered(&file, &key(text)), Some(vector));
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
