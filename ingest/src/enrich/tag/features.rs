//! Turns a record's text into the features the tagger weighs.
//!
//! A record is read once ([`Reading`]): each text made prose, lower-cased, folded to ASCII
//! where it carries accents, and its language found ([`crate::language`]). Words are stemmed
//! with the Snowball stemmer of their text's language and stripped of every language's stop
//! words, so "Chatbots" and "chatbot" count as one word. Each feature has a readable name,
//! because the names are the evidence a user sees:
//!
//! | feature | from |
//! |---|---|
//! | `word:{stem}` | a word of the title, description or keywords |
//! | `phrase:{stem} {stem}` | two adjacent words |
//! | `cue:{concept}` | a label or cue term (`skos:hiddenLabel`) of a pattern or beneficiary group in the vocabulary, found in the text: the rules |
//! | `theme:{label}` | a `dcat:theme` |
//! | `publisher-type:{type}` | the `dct:type` of the publisher |
//! | `beneficiary:{group}` | a beneficiary group the record names |

pub use crate::language::Lang;
use crate::language::{fold, is_stop_word, language_folded, language_of};
use civicgraph_graph::StemCache;
use civicgraph_graph::{Record, local_name};
use civicgraph_vocab::TURTLE_FILES;
use civicgraph_vocab::ext::skos;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A record's features: name to value (1 for a word present; more for repeated cues).
pub type Features = BTreeMap<String, f64>;

/// The longest word the word reader weighs, in characters, as the search index's
/// analyzer drops longer tokens (`RemoveLongFilter::limit(64)`). No word of the labelled
/// set comes near it (the longest has 32).
pub const MAX_WORD_CHARS: usize = 64;
thread_local! {
    /// Each thread's stemmers, in the order of [`Lang::ALL`], with the stems they have given
    /// ([`StemCache`]: a record's words are mostly words earlier records had).
    static STEMS: RefCell<Vec<StemCache>> =
        RefCell::new(Lang::ALL.iter().map(|lang| StemCache::new(lang.algorithm())).collect());
}

/// Builds features; holds the stop words and the cue terms read from the vocabulary.
pub struct Featurizer {
    /// Per concept (`access`, `citizens`, `industry`, ...), its cue terms as stemmed word
    /// sequences, each with the language of its label.
    cues: Vec<(String, Vec<CueTerm>)>,
    /// Every cue term by its first word: the concept's and the term's places in `cues`.
    /// A record's words are looked up here once each, instead of every one of the
    /// vocabulary's hundreds of terms being sought along the record (most of what a
    /// million records' features cost).
    cue_starts: FxHashMap<String, Vec<(usize, usize)>>,
}

/// A cue term: the language of its label, and its words as that language stems them.
type CueTerm = (Lang, Vec<String>);

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
    /// The featurizer whose rules are the labels and cue terms, in every language the
    /// vocabulary gives them, of the patterns, beneficiary groups and actors in civicgraph's
    /// vocabulary, so that a term added to the vocabulary becomes a rule without touching
    /// code.
    pub fn from_vocabulary() -> Self {
        let mut featurizer = Self {
            cues: Vec::new(),
            cue_starts: FxHashMap::default(),
        };
        let mut cues: BTreeMap<String, Vec<CueTerm>> = BTreeMap::new();
        for (name, turtle) in TURTLE_FILES {
            if !matches!(*name, "patterns.ttl" | "beneficiaries.ttl" | "actors.ttl") {
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
                    let lang = label.language().and_then(Lang::from_tag).unwrap_or(Lang::En);
                    let words = featurizer.words_in(label.value(), lang);
                    if !words.is_empty() {
                        cues.entry(local.to_owned()).or_default().push((lang, words));
                    }
                }
            }
        }
        featurizer.cues = cues.into_iter().collect();
        for (concept, (_, terms)) in featurizer.cues.iter().enumerate() {
            for (index, (_, words)) in terms.iter().enumerate() {
                featurizer
                    .cue_starts
                    .entry(words[0].clone())
                    .or_default()
                    .push((concept, index));
            }
        }
        featurizer
    }

    /// The concepts that have cue terms, for documentation and tests.
    pub fn cue_concepts(&self) -> impl Iterator<Item = &str> {
        self.cues.iter().map(|(concept, _)| concept.as_str())
    }

    /// Lower-cased, accent-folded, stemmed words of `text` (stemmed in its language),
    /// without stop words.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.words_in(text, language_of(text))
    }

    /// [`Featurizer::words`] with the language given.
    pub fn words_in(&self, text: &str, lang: Lang) -> Vec<String> {
        self.words_folded(&fold(text), lang)
    }

    /// [`Featurizer::words_in`] of text already [`fold`]ed. A "word" longer than
    /// [`MAX_WORD_CHARS`] is no word (a hash, base64, a hostile run of letters): left out
    /// before the stemmer, which copies a word once for each edit it makes to it.
    fn words_folded(&self, folded: &str, lang: Lang) -> Vec<String> {
        let at = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        STEMS.with_borrow_mut(|stems| {
            let stems = &mut stems[at];
            folded
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| {
                    (2..=MAX_WORD_CHARS).contains(&w.chars().count())
                        && !w.chars().all(|c| c.is_ascii_digit())
                })
                .filter(|w| !is_stop_word(w))
                .map(|w| stems.stem(w).to_owned())
                .collect()
        })
    }

    /// The features of one record.
    pub fn features(&self, reading: &Reading<'_>) -> Features {
        let input = reading.record;
        let mut features = Features::new();
        // Per language met, the words of every field in it: a cue matches text of its own
        // language. Other languages borrow English words ("app", "chatbot"), so their text
        // is also read as English, for English cues: a word borrowed as written matches, a
        // word whose stem in its own language is English's does not ("publica", Spanish
        // for "publishes", stems to "public" in Spanish, and is no member of the public).
        let mut by_lang: BTreeMap<Lang, Vec<String>> = BTreeMap::new();
        let mut borrowed: Vec<String> = Vec::new();
        for ReadText { folded, lang, .. } in &reading.texts {
            let lang = *lang;
            let words = self.words_folded(folded, lang);
            for word in &words {
                features.insert(format!("word:{word}"), 1.0);
            }
            for pair in words.windows(2) {
                features.insert(format!("phrase:{} {}", pair[0], pair[1]), 1.0);
            }
            // A separator keeps a cue from matching across two fields.
            let all = by_lang.entry(lang).or_default();
            all.extend(words);
            all.push(String::new());
            if lang != Lang::En {
                borrowed.extend(self.words_folded(folded, Lang::En));
                borrowed.push(String::new());
            }
        }
        // How often each concept's terms occur, each term in text of its language.
        let mut hits = vec![0usize; self.cues.len()];
        let readings = by_lang
            .iter()
            .map(|(lang, words)| (*lang, words))
            .chain([(Lang::En, &borrowed)]);
        for (text_lang, words) in readings {
            for (at, word) in words.iter().enumerate() {
                let Some(starting) = self.cue_starts.get(word.as_str()) else {
                    continue;
                };
                for &(concept, index) in starting {
                    let (cue_lang, term) = &self.cues[concept].1[index];
                    if *cue_lang == text_lang && words[at..].starts_with(term) {
                        hits[concept] += 1;
                    }
                }
            }
        }
        for ((concept, _), hits) in self.cues.iter().zip(hits) {
            if hits > 0 {
                // Grows with repetition, but slowly: one long description must not drown
                // the other evidence.
                features.insert(format!("cue:{concept}"), (1.0 + hits as f64).log2().min(3.0));
            }
        }
        for theme in &input.theme_labels {
            features.insert(format!("theme:{}", theme.to_lowercase()), 1.0);
        }
        for (_, agent) in &input.agents {
            for kind in &agent.kinds {
                features.insert(format!("publisher-type:{}", kind.to_lowercase()), 1.0);
            }
        }
        for group in &input.beneficiaries {
            features.insert(format!("beneficiary:{}", local_name(group)), 1.0);
        }
        for actor in &input.actors {
            features.insert(format!("actor:{}", local_name(actor)), 1.0);
        }
        features
    }
}

/// The shortest and longest character n-grams the second reader weighs.
const CHARACTER_GRAMS: std::ops::RangeInclusive<usize> = 2..=5;

/// The character n-grams of a record's texts, for the tagger's second reader: each word
/// (split at white space, lower-cased and accent-folded) padded with a space on each side
/// and cut into every run of 2 to 5 characters, as scikit-learn's `char_wb` analyser does.
/// A gram weighs `1 + ln(count)`, and the record's vector has length 1, so a long
/// description does not outweigh a short one.
///
/// Character grams read what word features miss: inflections and compounds the stemmer
/// does not join ("Verkehrsdaten", "inspecciones"), misspellings, and words seen only once
/// in training. `visit` gets each gram once, with its weight.
pub fn character_grams(reading: &Reading<'_>, mut visit: impl FnMut(&str, f64)) {
    // Every word padded once, in one buffer, so that the grams borrow from it.
    let mut padded = String::new();
    let mut words: Vec<(usize, usize)> = Vec::new();
    for text in &reading.texts {
        for word in text.folded.split_whitespace() {
            let start = padded.len();
            padded.push(' ');
            padded.push_str(word);
            padded.push(' ');
            words.push((start, padded.len()));
        }
    }
    // Each gram once, in the order first met (a fixed order, so that sums come out the
    // same on every run), with its count.
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut grams: Vec<(&str, u32)> = Vec::new();
    let mut bounds: Vec<usize> = Vec::new();
    for &(start, end) in &words {
        let word = &padded[start..end];
        bounds.clear();
        bounds.extend(word.char_indices().map(|(i, _)| i));
        bounds.push(word.len());
        let chars = bounds.len() - 1;
        for n in CHARACTER_GRAMS {
            for i in 0..(chars + 1).saturating_sub(n) {
                let gram = &word[bounds[i]..bounds[i + n]];
                match index.entry(gram) {
                    std::collections::hash_map::Entry::Occupied(at) => grams[*at.get()].1 += 1,
                    std::collections::hash_map::Entry::Vacant(at) => {
                        at.insert(grams.len());
                        grams.push((gram, 1));
                    }
                }
            }
        }
    }
    let weight = |count: u32| 1.0 + f64::from(count).ln();
    let norm = grams.iter().map(|&(_, c)| weight(c).powi(2)).sum::<f64>().sqrt();
    if norm == 0.0 {
        return;
    }
    for (gram, count) in grams {
        visit(gram, weight(count) / norm);
    }
}

/// [`character_grams`] collected, for training.
pub fn characters(reading: &Reading<'_>) -> Features {
    let mut features = Features::new();
    character_grams(reading, |gram, weight| {
        features.insert(gram.to_owned(), weight);
    });
    features
}

impl Featurizer {
    /// `feature` in words a person reads: the phrase of the record's own text that carries
    /// it, quoted, and the rule or field behind it. `"…prioritise food inspections by
    /// risk…" (planning rule: "inspections")` instead of `cue:planning`.
    pub fn explain(&self, input: &Record, feature: &str) -> String {
        self.explain_in(&self.prepare(&Reading::of(input)), feature)
    }

    /// A record's texts split and stemmed once, for explaining each of its features
    /// ([`Featurizer::explain_in`]): the texts do not change from one feature to the next.
    pub fn prepare<'r>(&self, reading: &'r Reading<'_>) -> Prepared<'r> {
        Prepared(
            reading
                .texts
                .iter()
                .map(|read| {
                    let (text, lang) = (read.text.as_ref(), read.lang);
                    let tokens = tokens(text);
                    // The stemmed words, each with the index of its token.
                    let stems = |lang: Lang| -> Vec<(usize, String)> {
                        tokens
                            .iter()
                            .enumerate()
                            .filter_map(|(i, &(start, end))| {
                                let word = self.words_in(&text[start..end], lang);
                                word.into_iter().next().map(|w| (i, w))
                            })
                            .collect()
                    };
                    let words = stems(lang);
                    // Read as English too, for English cues, as the features read it.
                    let borrowed = if lang == Lang::En {
                        Vec::new()
                    } else {
                        stems(Lang::En)
                    };
                    PreparedText {
                        text,
                        lang,
                        tokens,
                        words,
                        borrowed,
                    }
                })
                .collect(),
        )
    }

    /// [`Featurizer::explain`] over texts prepared once.
    pub fn explain_in(&self, prepared: &Prepared<'_>, feature: &str) -> String {
        let (kind, value) = feature.split_once(':').unwrap_or(("", feature));
        match kind {
            "word" | "phrase" => {
                let wanted: Vec<String> = value.split(' ').map(str::to_owned).collect();
                match self.find(prepared, std::slice::from_ref(&(Lang::En, wanted.clone())), true) {
                    Some((quote, matched)) => format!("\"{quote}\" (the words \"{matched}\")"),
                    None => format!("the words \"{value}\""),
                }
            }
            "cue" => {
                let terms = self
                    .cues
                    .iter()
                    .find(|(concept, _)| concept == value)
                    .map(|(_, terms)| terms.as_slice())
                    .unwrap_or_default();
                match self.find(prepared, terms, false) {
                    Some((quote, matched)) => format!("\"{quote}\" ({value} rule: \"{matched}\")"),
                    None => format!("{value} rule"),
                }
            }
            "actor" => format!("who acts, as the source states it: {value}"),
            "beneficiary" => format!("who benefits, as the source states it: {value}"),
            "theme" => format!("the record's theme: {value}"),
            "publisher-type" => format!("the publisher's type: {value}"),
            _ => feature.to_owned(),
        }
    }

    /// The first place in the prepared texts where one of `terms` (stemmed word sequences)
    /// occurs: a quote of a dozen words around it, and the words matched as written.
    /// `any_language` matches every term in every text (words and phrases come stemmed in
    /// the text's own language); otherwise a term matches text of its language, and an
    /// English term also the text of another language read as English, as
    /// [`Featurizer::features`] matches them.
    fn find(
        &self,
        prepared: &Prepared<'_>,
        terms: &[(Lang, Vec<String>)],
        any_language: bool,
    ) -> Option<(String, String)> {
        for PreparedText {
            text,
            lang,
            tokens,
            words,
            borrowed,
        } in &prepared.0
        {
            let (text, lang) = (*text, *lang);
            for (term_lang, term) in terms {
                if term.is_empty() || !(any_language || *term_lang == lang || *term_lang == Lang::En) {
                    continue;
                }
                let words = if !any_language && *term_lang == Lang::En && lang != Lang::En {
                    borrowed
                } else {
                    words
                };
                let Some(at) = words
                    .windows(term.len())
                    .position(|window| window.iter().map(|(_, w)| w).eq(term.iter()))
                else {
                    continue;
                };
                let (first, last) = (words[at].0, words[at + term.len() - 1].0);
                let from = first.saturating_sub(6);
                let to = (last + 6).min(tokens.len() - 1);
                let mut quote = String::new();
                if from > 0 {
                    quote.push('…');
                }
                quote.push_str(text[tokens[from].0..tokens[to].1].trim());
                if to + 1 < tokens.len() {
                    quote.push('…');
                }
                let matched = text[tokens[first].0..tokens[last].1].to_owned();
                return Some((quote, matched));
            }
        }
        None
    }
}

/// A record as the tagger reads it ([`Reading::of`]): its texts as prose
/// ([`Record::texts`]), each folded and its language found once. The word reader, the
/// character reader and the evidence all read this one view, so a record's text is cleaned
/// and folded once however many of them run.
#[derive(Debug)]
pub struct Reading<'a> {
    /// The record: its themes, agents, beneficiaries and actors are features too.
    pub record: &'a Record,
    texts: Vec<ReadText<'a>>,
}

impl<'a> Reading<'a> {
    /// `record` read: each text made prose, folded and its language found once, for both
    /// readers and the evidence.
    pub fn of(record: &'a Record) -> Self {
        let texts = record
            .texts()
            .map(|text| {
                let folded = fold(&text);
                let lang = language_folded(&folded);
                ReadText { text, folded, lang }
            })
            .collect();
        Self { record, texts }
    }
}

#[derive(Debug)]
struct ReadText<'a> {
    /// The text as prose.
    text: std::borrow::Cow<'a, str>,
    /// The same, lower-cased and accent-folded ([`fold`]).
    folded: String,
    /// The language whose stop words it uses most.
    lang: Lang,
}

/// A record's texts, split and stemmed ([`Featurizer::prepare`]).
#[derive(Debug)]
pub struct Prepared<'a>(Vec<PreparedText<'a>>);

#[derive(Debug)]
struct PreparedText<'a> {
    text: &'a str,
    lang: Lang,
    /// The byte ranges of its words.
    tokens: Vec<(usize, usize)>,
    /// The stemmed words, each with the index of its token.
    words: Vec<(usize, String)>,
    /// Text of another language than English read as English, for English cues: its
    /// words stemmed by English's stemmer, each with the index of its token.
    borrowed: Vec<(usize, String)>,
}

/// The byte ranges of the words of `text`.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The character grams of a record, read as the tagger reads it.
    fn chars_of(record: &Record) -> Features {
        characters(&Reading::of(record))
    }

    #[test]
    fn a_run_of_letters_longer_than_any_word_is_no_word() {
        let f = Featurizer::from_vocabulary();
        // A million letters the English stemmer would edit once per "y" after a vowel.
        let hostile = format!("ministry {} inspections", "ay".repeat(500_000));
        assert_eq!(f.words_in(&hostile, Lang::En), ["ministri", "inspect"]);
    }

    #[test]
    fn words_are_folded_stemmed_and_stopped() {
        let f = Featurizer::from_vocabulary();
        assert_eq!(
            f.words("The Chatbots answered Citizens' questions"),
            ["chatbot", "answer", "citizen", "question"]
        );
        assert_eq!(
            f.words("Qualité de l'air à Zürich 2024"),
            ["qualit", "air", "zurich"]
        );
    }

    #[test]
    fn character_grams_are_padded_folded_and_of_unit_length() {
        let grams = chars_of(&Record::from_text("Zürich bus"));
        let mut names: Vec<&str> = grams.keys().map(String::as_str).collect();
        names.sort_by_key(|g| (g.chars().count(), g.to_string()));
        // " zurich " and " bus ": every run of 2 to 5 characters, accents folded.
        for expected in [" z", "zu", "h ", " zur", "rich ", " bus ", "bus", "us "] {
            assert!(grams.contains_key(expected), "{expected:?} in {names:?}");
        }
        assert!(
            !grams.keys().any(|g| g.contains('ü') || g.contains("h b")),
            "{names:?}"
        );
        let length: f64 = grams.values().map(|v| v * v).sum::<f64>().sqrt();
        assert!((length - 1.0).abs() < 1e-9, "{length}");
        // A repeated gram weighs more, but less than twice.
        let twice = chars_of(&Record::from_text("bus bus tram"));
        let once = chars_of(&Record::from_text("bus tram"));
        let ratio = (twice[" bus "] / twice[" tram"]) / (once[" bus "] / once[" tram"]);
        assert!(ratio > 1.5 && ratio < 2.0, "{ratio}");
        assert!(chars_of(&Record::from_text("  ")).is_empty());
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
        let input = Record::from_text("A chatbot answers questions from residents; inspectors use it too.");
        let features = f.features(&Reading::of(&input));
        assert!(features.contains_key("cue:access"), "{features:?}");
        assert!(features.contains_key("cue:citizens"));
        assert!(features.contains_key("cue:frontline-workers"));
        assert!(!features.contains_key("cue:policy"));
        assert!(features.contains_key("phrase:answer question"));
    }

    #[test]
    fn cues_match_in_the_text_language() {
        let f = Featurizer::from_vocabulary();
        let spanish = Record::from_text(
            "El ayuntamiento publica los horarios para que los vecinos consulten el servicio de autobuses",
        );
        let features = f.features(&Reading::of(&spanish));
        assert!(features.contains_key("cue:access"), "{features:?}");
        assert!(features.contains_key("cue:public-sector"), "{features:?}");
        assert!(
            !features.keys().any(|k| k == "word:de" || k == "word:la"),
            "{features:?}"
        );
        let german = Record::from_text("Die Stadtverwaltung nutzt Prognosen, um Kontrollen zu priorisieren");
        assert!(f.features(&Reading::of(&german)).contains_key("cue:planning"));
        // English words another language borrows as written count for English cues; a word
        // whose stem in its own language is an English cue's does not: Spanish "publica"
        // (publishes) stems to "public", and names no member of the public.
        let publishes = Record::from_text("El ministerio publica cada mes los datos de empleo");
        let features = f.features(&Reading::of(&publishes));
        assert!(!features.contains_key("cue:citizens"), "{features:?}");
        let explained = f.explain(&publishes, "cue:citizens");
        assert!(!explained.contains("publica"), "{explained}");
        let borrowed = Record::from_text("Una app con la que los pacientes piden cita");
        let features = f.features(&Reading::of(&borrowed));
        assert!(features.contains_key("cue:access"), "{features:?}");
        assert!(features.contains_key("cue:citizens"), "{features:?}");
        assert!(
            f.explain(&borrowed, "cue:access")
                .contains("(access rule: \"app\")")
        );
    }

    #[test]
    fn evidence_quotes_the_record_own_words() {
        let f = Featurizer::from_vocabulary();
        let input = Record::from_text(
            "The city built a model that ranks restaurants so that its inspectors visit the riskiest ones first, saving weeks of work.",
        );
        let cue = f.explain(&input, "cue:frontline-workers");
        assert!(
            cue.contains("\"inspectors\"") && cue.contains("ranks restaurants so that its inspectors visit"),
            "{cue}"
        );
        let word = f.explain(&input, "word:restaur");
        assert!(
            word.contains("model that ranks restaurants so that")
                && word.ends_with("(the words \"restaurants\")"),
            "{word}"
        );
        assert_eq!(
            f.explain(&input, "actor:public-sector"),
            "who acts, as the source states it: public-sector"
        );
    }

    #[test]
    fn a_cue_does_not_match_across_fields() {
        let f = Featurizer::from_vocabulary();
        let mut input = Record::from_text("delivery");
        input.titles.push("Service".into());
        assert!(!f.features(&Reading::of(&input)).contains_key("cue:planning"));
    }
}
