//! A record's free text as words to weigh: catalogues write descriptions as HTML or as
//! text, with web addresses and line breaks among the words. The tagger reads the words
//! (and quotes them back as evidence) and the linker compares them; neither should weigh
//! `<p>`, `href` or the path of a link, nor quote a line break.

use std::borrow::Cow;

/// `text` without HTML tags, each tag read as a space. A `<` that opens no tag (`a < b`, or
/// one never closed) is kept as text.
pub fn strip_markup(text: &str) -> Cow<'_, str> {
    if !text.contains('<') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let opens_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        if !opens_tag {
            out.push('<');
            rest = after;
            continue;
        }
        match after.find('>') {
            Some(end) => {
                out.push(' ');
                rest = &after[end + 1..];
            }
            // No `>` anywhere after: no later `<` can close a tag either, and looking again
            // for each of them would take time quadratic in a hostile description's length.
            None => {
                out.push('<');
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `text` as prose: without HTML tags, common character references decoded, without web
/// addresses (`https://…`, `www.…`), and with each run of whitespace one space. Borrowed
/// when there is nothing to change, as for most catalogue titles.
pub fn prose(text: &str) -> Cow<'_, str> {
    let plain = strip_markup(text);
    let needs_work = plain.contains('&')
        || plain.contains("://")
        || plain.contains("www.")
        || plain.contains("  ")
        || plain.starts_with(' ')
        || plain.ends_with(' ')
        || plain.contains(|c: char| c.is_whitespace() && c != ' ');
    if !needs_work {
        return plain;
    }
    let mut out = String::with_capacity(plain.len());
    for word in plain.split_whitespace() {
        if is_address(word) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        push_decoded(&mut out, word);
    }
    Cow::Owned(out)
}

/// `text` as a page shows it: without HTML tags, the common character references decoded;
/// its web addresses and line breaks kept (a page, unlike the tagger, shows them).
pub fn plain(text: &str) -> Cow<'_, str> {
    let stripped = strip_markup(text);
    if !stripped.contains('&') {
        return stripped;
    }
    let mut out = String::with_capacity(stripped.len());
    push_decoded(&mut out, &stripped);
    Cow::Owned(out)
}

/// The first `max_chars` characters of `text`, cut after the last whole word and marked
/// `…` when anything is left out: what a search hit shows of a description no query word
/// matched, which should not stop mid-word.
pub fn opening(text: &str, max_chars: usize) -> Cow<'_, str> {
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return Cow::Borrowed(text);
    };
    let head = &text[..cut];
    // A text of one long word is cut where it must be.
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if space > 0 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    Cow::Owned(format!("{head}…"))
}

/// Whether a whitespace-separated word is a web address rather than a word of the text.
fn is_address(word: &str) -> bool {
    let word = word.trim_start_matches(['(', '[', '"', '\'']);
    word.contains("://") || word.starts_with("www.")
}

/// Appends `text` with the character references catalogues' HTML uses most decoded.
fn push_decoded(out: &mut String, word: &str) {
    if !word.contains('&') {
        out.push_str(word);
        return;
    }
    let mut rest = word;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let decoded = [
            ("&amp;", "&"),
            ("&nbsp;", " "),
            ("&quot;", "\""),
            ("&#39;", "'"),
            ("&apos;", "'"),
            ("&lt;", "<"),
            ("&gt;", ">"),
        ]
        .iter()
        .find(|(reference, _)| after.starts_with(reference));
        match decoded {
            Some((reference, character)) => {
                out.push_str(character);
                rest = &after[reference.len()..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_addresses_and_line_breaks_are_not_words() {
        assert_eq!(
            prose(
                "<p>Killings by officers.</p>\r\n\r\n<a href=\"http://en.wikipedia.org/wiki/X\">http://en.wikipedia.org/wiki/X</a> see www.example.org"
            ),
            "Killings by officers. see"
        );
        assert_eq!(
            prose("within 20 working days.\r\n\r\nData and Resources"),
            "within 20 working days. Data and Resources"
        );
        assert_eq!(prose("Fish &amp; chips&nbsp;shops"), "Fish & chips shops");
        assert_eq!(prose("R&D budget"), "R&D budget");
    }

    /// A harvested description of 400,000 unclosed `<a`: read in one pass (a search for
    /// `>` after each of them read 160 GB).
    #[test]
    fn many_unclosed_angle_brackets_are_kept_as_text() {
        let hostile = "<a".repeat(400_000);
        assert_eq!(strip_markup(&hostile), hostile);
        assert_eq!(prose(&format!("x <p>y</p> {hostile}")), format!("x y {hostile}"));
    }

    #[test]
    fn a_page_shows_text_without_markup_but_with_its_addresses_and_breaks() {
        assert_eq!(
            plain("<p>Fish &amp; chips</p>\n\nSee https://example.org/fish"),
            " Fish & chips \n\nSee https://example.org/fish"
        );
        assert!(matches!(plain("Bus stops"), Cow::Borrowed(_)));
    }

    #[test]
    fn an_opening_ends_on_a_whole_word() {
        assert_eq!(opening("Bus stops", 240), "Bus stops");
        assert_eq!(
            opening("Sensors at schools, hospitals and busy roads", 30),
            "Sensors at schools, hospitals…"
        );
        assert_eq!(
            opening("Sensors at schools, hospitals", 20),
            "Sensors at schools…"
        );
        assert_eq!(opening("Überwachungsdatenbank", 5), "Überw…");
    }

    #[test]
    fn plain_text_is_borrowed_and_a_lone_angle_bracket_is_text() {
        for text in ["Bus stops in Westshire", "Zürich: Verkehrsdaten 2020"] {
            assert!(matches!(prose(text), Cow::Borrowed(_)), "{text}");
        }
        assert_eq!(strip_markup("a <b>bold</b> word"), "a  bold  word");
        assert_eq!(prose("ages < 18 and > 65"), "ages < 18 and > 65");
        assert_eq!(prose("unclosed <p tag"), "unclosed <p tag");
    }
}
