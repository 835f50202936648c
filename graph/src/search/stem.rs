//! Snowball stemming that remembers its answers: [`StemCache`], and [`CachedStemmer`], the
//! tantivy filter the search analyzer stems with.
//!
//! A catalogue repeats its words: a million dataset titles and descriptions hold a few
//! tens of thousands of distinct words. Stemming each occurrence with Snowball was a fifth
//! of the CPU of a first refresh at a million datasets (the index stems a title four times,
//! once per copy in the weighted text field, and the tagger once more); a lookup of the
//! word's stem costs a hash.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The most words a cache holds; past it, it starts again. Bounds its memory (a few MB)
/// whatever the text, where a hostile source could send words without end.
const MAX_WORDS: usize = 100_000;

/// A Snowball stemmer of one language, with the stems of the words it has seen.
///
/// A clone starts empty: it is a memo, and the tokenizers tantivy clones per indexing
/// thread and per field each fill their own, with no lock between them.
pub struct StemCache {
    algorithm: Algorithm,
    stemmer: Stemmer,
    stems: FxHashMap<Box<str>, Box<str>>,
}

impl StemCache {
    /// An empty cache for `algorithm`'s stemmer.
    pub fn new(algorithm: Algorithm) -> Self {
        Self {
            algorithm,
            stemmer: Stemmer::create(algorithm),
            stems: FxHashMap::default(),
        }
    }

    /// The stem of `word`, as the stemmer gives it.
    pub fn stem(&mut self, word: &str) -> &str {
        if !self.stems.contains_key(word) {
            if self.stems.len() >= MAX_WORDS {
                self.stems.clear();
            }
            let stem = self.stemmer.stem(word).into_owned().into_boxed_str();
            self.stems.insert(word.into(), stem);
        }
        &self.stems[word]
    }
}

impl Clone for StemCache {
    fn clone(&self) -> Self {
        Self::new(self.algorithm)
    }
}

impl std::fmt::Debug for StemCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StemCache")
            .field("algorithm", &self.algorithm)
            .field("words", &self.stems.len())
            .finish()
    }
}

/// tantivy's `Stemmer` filter with a [`StemCache`]: the same tokens.
#[derive(Debug, Clone, Copy)]
pub struct CachedStemmer(pub Algorithm);

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            cache: StemCache::new(self.0),
            inner: tokenizer,
        }
    }
}

/// A tokenizer followed by [`CachedStemmer`].
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    cache: StemCache,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
        }
    }
}

/// The tokens of a [`CachedStemmerFilter`].
pub struct CachedStemmerStream<'a, T> {
    tail: T,
    cache: &'a mut StemCache,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let stem = self.cache.stem(&token.text);
        if stem != token.text {
            token.text.clear();
            token.text.push_str(stem);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, TextAnalyzer};

    fn tokens(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn the_cached_stemmer_gives_the_tokens_tantivy_stemmer_gives() {
        let text = "Inspections of restaurants, inspecting kitchens; the inspectors' reports \
                    reported running buses and bus stops, stopping, stopped. Running again";
        let cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer(Algorithm::English))
            .build();
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(tantivy::tokenizer::Stemmer::new(Language::English))
            .build();
        let expected = tokens(plain, text);
        assert_eq!(tokens(cached.clone(), text), expected);
        assert!(expected.iter().any(|(t, _)| t == "inspect"));
    }

    #[test]
    fn a_full_cache_starts_again_and_still_stems() {
        let mut cache = StemCache::new(Algorithm::English);
        for i in 0..MAX_WORDS + 10 {
            cache.stem(&format!("w{i}ing"));
        }
        assert!(cache.stems.len() <= MAX_WORDS);
        assert_eq!(cache.stem("running"), "run");
        assert_eq!(cache.clone().stems.len(), 0, "a clone starts empty");
    }
}
