//! Turns a record's text into the features the tagger weighs.
//!
//! Words are lower-cased, folded to ASCII where they carry accents, stemmed with the English
//! Snowball stemmer and stripped of stop words, so "Chatbots" and "chatbot" count as one
//! word. Each feature has a readable name, because the names are the evidence a user sees:
//!
//! | feature | from |
//! |---|---|
//! | `word:{stem}` | a word of the title, description or keywords |
//! | `phrase:{stem} {stem}` | two adjacent words |
//! | `cue:{concept}` | a label or cue term (`skos:hiddenLabel`) of a pattern or beneficiary group in the vocabulary, found in the text: the rules |
//! | `theme:{label}` | a `dcat:theme` |
//! | `publisher-type:{type}` | the `dct:type` of the publisher |
//! | `beneficiary:{group}` | a beneficiary group the record names |

use super::input::TagInput;
use civicgraph_vocab::TURTLE_FILES;
use civicgraph_vocab::ext::skos;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeMap, HashSet};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A record's features: name to value (1 for a word present; more for repeated cues).
pub type Features = BTreeMap<String, f64>;

/// Words too common to say anything about a pattern.
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "etc", "few", "for", "from", "further",
    "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "may", "me", "more", "most", "must", "my", "no", "nor",
    "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over",
    "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours",
];

/// Builds features; holds the stemmer and the cue terms read from the vocabulary.
pub struct Featurizer {
    stemmer: Stemmer,
    stop_words: HashSet<&'static str>,
    /// Per concept (`access`, `citizens`, ...), its cue terms as stemmed word sequences.
    cues: Vec<(String, Vec<Vec<String>>)>,
}

impl std::fmt::Debug for Featurizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Featurizer")
            .field("cues", &self.cues.len())
            .finish()
    }
}

impl Default for Featurizer {
    fn default() -> Self {
        Self::from_vocabulary()
    }
}

impl Featurizer {
    /// The featurizer whose rules are the labels and cue terms of the patterns and
    /// beneficiary groups in civicgraph's vocabulary, so that a term added to the
    /// vocabulary becomes a rule without touching code.
    pub fn from_vocabulary() -> Self {
        let mut featurizer = Self {
            stemmer: Stemmer::create(Algorithm::English),
            stop_words: STOP_WORDS.iter().copied().collect(),
            cues: Vec::new(),
        };
        let mut cues: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
        for (name, turtle) in TURTLE_FILES {
            if !matches!(*name, "patterns.ttl" | "beneficiaries.ttl") {
                continue;
            }
            for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
                let Ok(quad) = quad else { continue };
                let is_cue = quad.predicate.as_ref() == skos::HIDDEN_LABEL
                    || quad.predicate.as_ref() == skos::PREF_LABEL;
                if let (true, NamedOrBlankNode::NamedNode(concept), Term::Literal(label)) =
                    (is_cue, &quad.subject, &quad.object)
                {
                    let local = concept.as_str().rsplit('/').next().unwrap_or_default();
                    if local.is_empty() || local == "none" {
                        continue;
                    }
                    let words = featurizer.words(label.value());
                    if !words.is_empty() {
                        cues.entry(local.to_owned()).or_default().push(words);
                    }
                }
            }
        }
        featurizer.cues = cues.into_iter().collect();
        featurizer
    }

    /// The concepts that have cue terms, for documentation and tests.
    pub fn cue_concepts(&self) -> impl Iterator<Item = &str> {
        self.cues.iter().map(|(concept, _)| concept.as_str())
    }

    /// Lower-cased, accent-folded, stemmed words of `text`, without stop words.
    pub fn words(&self, text: &str) -> Vec<String> {
        let folded: String = text
            .nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .collect();
        folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
            .filter(|w| !self.stop_words.contains(w))
            .map(|w| self.stemmer.stem(w).into_owned())
            .collect()
    }

    /// The features of one record.
    pub fn features(&self, input: &TagInput) -> Features {
        let mut features = Features::new();
        let mut all_words = Vec::new();
        for text in input.texts() {
            let words = self.words(text);
            for word in &words {
                features.insert(format!("word:{word}"), 1.0);
            }
            for pair in words.windows(2) {
                features.insert(format!("phrase:{} {}", pair[0], pair[1]), 1.0);
            }
            // A separator keeps a cue from matching across two fields.
            all_words.extend(words);
            all_words.push(String::new());
        }
        for (concept, terms) in &self.cues {
            let hits: usize = terms.iter().map(|term| count_sequence(&all_words, term)).sum();
            if hits > 0 {
                // Grows with repetition, but slowly: one long description must not drown
                // the other evidence.
                features.insert(format!("cue:{concept}"), (1.0 + hits as f64).log2().min(3.0));
            }
        }
        for theme in &input.themes {
            features.insert(format!("theme:{}", theme.to_lowercase()), 1.0);
        }
        for kind in &input.publisher_types {
            features.insert(format!("publisher-type:{}", kind.to_lowercase()), 1.0);
        }
        for group in &input.beneficiaries {
            features.insert(format!("beneficiary:{group}"), 1.0);
        }
        features
    }
}

/// How often `needle` occurs in `words`.
fn count_sequence(words: &[String], needle: &[String]) -> usize {
    if needle.is_empty() || needle.len() > words.len() {
        return 0;
    }
    words
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_stemmed_and_stopped() {
        let f = Featurizer::from_vocabulary();
        assert_eq!(
            f.words("The Chatbots answered Citizens' questions"),
            ["chatbot", "answer", "citizen", "question"]
        );
        assert_eq!(
            f.words("Qualité de l'air à Zürich 2024"),
            ["qualit", "de", "air", "zurich"]
        );
    }

    #[test]
    fn cues_come_from_the_vocabulary() {
        let f = Featurizer::from_vocabulary();
        let concepts: Vec<&str> = f.cue_concepts().collect();
        for expected in [
            "access",
            "planning",
            "policy",
            "citizens",
            "frontline-workers",
            "policymakers",
        ] {
            assert!(concepts.contains(&expected), "{expected} in {concepts:?}");
        }
        let input = TagInput::from_text("A chatbot answers questions from residents; inspectors use it too.");
        let features = f.features(&input);
        assert!(features.contains_key("cue:access"), "{features:?}");
        assert!(features.contains_key("cue:citizens"));
        assert!(features.contains_key("cue:frontline-workers"));
        assert!(!features.contains_key("cue:policy"));
        assert!(features.contains_key("phrase:answer question"));
    }

    #[test]
    fn a_cue_does_not_match_across_fields() {
        let f = Featurizer::from_vocabulary();
        let mut input = TagInput::from_text("delivery");
        input.titles.push("Service".into());
        assert!(!f.features(&input).contains_key("cue:planning"));
    }
}
