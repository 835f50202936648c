//! The languages civicgraph reads, and which of them a text is in.
//!
//! A text's language is the one whose stop words it uses most. The tagger stems each text in
//! its language and drops every language's stop words ("de" is no English word); the
//! case-study mapper tags the text of a case with it, so a French reuse is `@fr`, not `@en`.

use rust_stemmers::Algorithm;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The languages civicgraph reads text in: those of the catalogues it harvests most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English.
    En,
    /// Spanish.
    Es,
    /// German.
    De,
    /// Italian.
    It,
    /// French.
    Fr,
}

impl Lang {
    /// Every language, in a fixed order.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::De, Lang::It, Lang::Fr];

    /// The language of a BCP 47 tag (`es`, `de-CH`), if the tagger reads it.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Self::En,
            "es" => Self::Es,
            "de" => Self::De,
            "it" => Self::It,
            "fr" => Self::Fr,
            _ => return None,
        })
    }

    /// Its Snowball stemmer.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Self::En => Algorithm::English,
            Self::Es => Algorithm::Spanish,
            Self::De => Algorithm::German,
            Self::It => Algorithm::Italian,
            Self::Fr => Algorithm::French,
        }
    }

    /// Words too common to say anything about a pattern (accent-folded, lower case).
    fn stop_words(self) -> &'static [&'static str] {
        match self {
            Self::En => &[
                "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
                "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
                "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "etc",
                "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
                "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may",
                "me", "more", "most", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
                "one", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should",
                "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there",
                "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us",
                "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
                "will", "with", "would", "you", "your", "yours",
            ],
            Self::Es => &[
                "de", "la", "que", "el", "en", "y", "los", "del", "se", "las", "por", "un", "para", "con",
                "una", "su", "al", "lo", "como", "mas", "pero", "sus", "le", "ya", "o", "este", "si",
                "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "tambien", "me", "hasta", "hay",
                "donde", "quien", "desde", "todo", "nos", "durante", "todos", "uno", "les", "ni", "contra",
                "otros", "ese", "eso", "ante", "ellos", "e", "esto", "antes", "algunos", "que", "unos",
                "otro", "otras", "otra", "tanto", "esa", "estos", "mucho", "cual", "poco", "ella", "estar",
                "estas", "algunas", "algo", "es", "son", "fue", "ha", "han", "ser", "sera", "mediante",
                "segun", "cada", "dicho", "dicha",
            ],
            Self::De => &[
                "der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "auf", "fur",
                "ist", "im", "dem", "nicht", "ein", "eine", "als", "auch", "es", "an", "werden", "aus", "er",
                "hat", "dass", "sie", "nach", "wird", "bei", "einer", "um", "am", "sind", "noch", "wie",
                "einem", "uber", "einen", "so", "zum", "war", "haben", "nur", "oder", "aber", "vor", "zur",
                "bis", "mehr", "durch", "man", "sein", "wurde", "sei", "ins", "vom", "diese", "dieser",
                "dieses", "sowie", "wurden", "kann", "konnen", "werden", "ihre", "ihr", "seine", "unter",
                "zwischen", "jedes", "jede", "alle",
            ],
            Self::It => &[
                "di", "a", "da", "in", "con", "su", "per", "tra", "fra", "il", "lo", "la", "i", "gli", "le",
                "un", "una", "uno", "e", "ed", "o", "che", "del", "della", "dei", "degli", "delle", "al",
                "alla", "ai", "agli", "alle", "dal", "dalla", "dai", "nel", "nella", "nei", "negli", "nelle",
                "sul", "sulla", "come", "non", "si", "sono", "anche", "piu", "ma", "questo", "questa",
                "questi", "queste", "cui", "essere", "stato", "ha", "hanno", "viene", "vengono", "ogni",
                "tutti", "tutte", "loro", "suo", "sua", "suoi", "sue", "ne", "se", "quale", "quali",
            ],
            Self::Fr => &[
                "de", "la", "le", "et", "les", "des", "en", "un", "du", "une", "que", "est", "pour", "qui",
                "dans", "a", "par", "plus", "pas", "au", "sur", "ne", "se", "ce", "il", "sont", "aux",
                "avec", "ou", "son", "sa", "ses", "leur", "leurs", "cette", "ces", "mais", "comme", "elle",
                "ils", "elles", "nous", "vous", "on", "etre", "ont", "ete", "fait", "tout", "tous", "toutes",
                "entre", "sans", "sous", "lors", "afin", "ainsi", "dont", "l", "d", "qu", "n", "s", "c", "j",
                "y",
            ],
        }
    }
}

impl Lang {
    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
            Self::De => "de",
            Self::It => "it",
            Self::Fr => "fr",
        }
    }
}

/// Every language's stop words, each with the languages it is one of (bit `i` for
/// `Lang::ALL[i]`): one lookup per word finds both whether it is a stop word and whose.
static STOP_WORDS: LazyLock<FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut stop_words: FxHashMap<&'static str, u8> = FxHashMap::default();
    for (i, lang) in Lang::ALL.iter().enumerate() {
        for &word in lang.stop_words() {
            *stop_words.entry(word).or_default() |= 1 << i;
        }
    }
    stop_words
});

/// Whether `word` (folded) is a stop word of any language.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains_key(word)
}

/// The language whose stop words `text` uses most (English when none stands out).
pub fn language_of(text: &str) -> Lang {
    language_folded(&fold(text))
}

/// [`language_of`] text already [`fold`]ed.
pub fn language_folded(folded: &str) -> Lang {
    let mut counts = [0usize; Lang::ALL.len()];
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if let Some(&languages) = STOP_WORDS.get(word) {
            for (i, count) in counts.iter_mut().enumerate() {
                if languages & (1 << i) != 0 {
                    *count += 1;
                }
            }
        }
    }
    let best = (0..counts.len())
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    if counts[best] == 0 {
        Lang::En
    } else {
        Lang::ALL[best]
    }
}

/// Lower case, accents removed.
pub fn fold(text: &str) -> String {
    // Most catalogue text is ASCII, which has no accents to strip: the fast path.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_in_the_language_whose_stop_words_it_uses_most() {
        assert_eq!(language_of("Calidad del aire de la ciudad"), Lang::Es);
        assert_eq!(language_of("Luftqualität in der Stadt und im Land"), Lang::De);
        assert_eq!(language_of("The air quality of the city"), Lang::En);
        assert_eq!(
            language_of(
                "Cet observatoire des gares a pour ambition de vous aider à mieux comprendre la fréquentation"
            ),
            Lang::Fr
        );
        assert_eq!(language_of("Bus 42"), Lang::En, "no stop word: English");
        assert_eq!(fold("Zürich ÉCOLE"), "zurich ecole");
    }
}
