//! The normal forms that make two catalogues' spellings of one thing compare equal: URLs
//! (scheme, host case, `www.`, default ports, trailing slashes, query order, fragments, and
//! the URL shapes of CKAN and data.europa.eu), titles and names (case, accents,
//! punctuation, spacing), and identifiers.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-case, accent-free words of `text`, joined by single spaces.
pub fn text(text: &str) -> String {
    // Most catalogue text is ASCII, which has no accents to strip: lower-cased as it is
    // copied, with no decomposition (a fifth of the linker's work per dataset).
    if text.is_ascii() {
        return words_joined(text, |c| c.to_ascii_lowercase());
    }
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    words_joined(&folded, |c| c)
}

/// The runs of alphanumeric characters of `text`, each character mapped by `case`, joined
/// by single spaces.
fn words_joined(text: &str, case: impl Fn(char) -> char) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(&case));
    }
    out
}

/// An identifier as catalogues differ in writing it: trimmed, lower-cased. `None` for
/// identifiers too short or too plain to mean one dataset anywhere ("1", "data", "2019").
pub fn identifier(text: &str) -> Option<String> {
    let id = text.trim().to_lowercase();
    let meaningful = id.chars().filter(|c| c.is_alphanumeric()).count() >= 6
        && !id.chars().all(|c| c.is_ascii_digit() || !c.is_alphanumeric());
    meaningful.then_some(id)
}

/// A URL in normal form, or `None` if it is not an `http(s)` URL.
///
/// `http`/`https`, upper-case hosts, `www.`, default ports, empty paths, trailing slashes,
/// the order of query parameters and fragments do not make two URLs different. CKAN's
/// `/api/3/action/package_show?id=X` and `/dataset/X`, and data.europa.eu's language-prefixed
/// `/data/datasets/X` and `/{lang}/datasets/X` pages name one dataset each way.
pub fn url(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .or_else(|| text.strip_prefix("HTTPS://"))
        .or_else(|| text.strip_prefix("HTTP://"))?;
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_query, ""),
    };
    let mut host = authority.rsplit('@').next().unwrap_or_default().to_lowercase();
    for port in [":80", ":443"] {
        if let Some(stripped) = host.strip_suffix(port) {
            host = stripped.to_owned();
        }
    }
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    if host.is_empty() {
        return None;
    }
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort_unstable();
    let mut path = path.trim_end_matches('/').to_owned();
    // CKAN: the API view of a package names the same dataset as its page.
    if (path.ends_with("/api/3/action/package_show") || path.ends_with("/api/action/package_show"))
        && let Some(id) = params.iter().find_map(|p| p.strip_prefix("id="))
    {
        let prefix = path.split("/api/").next().unwrap_or_default();
        path = format!("{prefix}/dataset/{id}");
        params.clear();
    }
    // data.europa.eu: /data/datasets/X, /en/datasets/X, /de/datasets/X are one page.
    if host == "data.europa.eu" || host == "europeandataportal.eu" {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let Some(i) = segments.iter().position(|s| *s == "datasets")
            && let Some(id) = segments.get(i + 1)
        {
            path = format!("/data/datasets/{id}");
            params.retain(|p| !p.starts_with("locale="));
        }
    }
    let mut out = format!("{host}{path}");
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    Some(out)
}

/// The numbers in a title: two titles of one series ("Budget 2021", "Budget 2022") differ in
/// them, and a near-duplicate match must not join them.
pub fn numbers(text: &str) -> Vec<String> {
    let mut numbers: Vec<String> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_start_matches('0').to_owned())
        .collect();
    numbers.sort();
    numbers.dedup();
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII path and the general one give what decomposing, dropping marks,
    /// lower-casing and joining the alphanumeric runs gives.
    #[test]
    fn text_is_folded_words_joined_by_single_spaces() {
        let reference = |text: &str| -> String {
            let folded: String = text
                .nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect();
            folded.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        for sample in [
            "  Bus Stops -- 2019/20 (v2.1)\t\n",
            "Air_Quality: NO2 & PM10!",
            "Calidad del aire en Mérida, Año 2024",
            "Straßenbäume ÄÖÜ İstanbul ǅ",
            "",
            "---",
        ] {
            assert_eq!(text(sample), reference(sample), "{sample:?}");
        }
        assert_eq!(text("  Bus Stops -- 2019/20 "), "bus stops 2019 20");
    }

    #[test]
    fn urls_that_name_one_page_compare_equal() {
        let a = url("https://www.Example.org:443/data/set/?b=2&a=1#top").unwrap();
        for same in [
            "http://example.org/data/set?a=1&b=2",
            "https://example.org/data/set/?a=1&b=2",
            "HTTP://EXAMPLE.ORG/data/set?b=2&a=1",
        ] {
            assert_eq!(url(same).unwrap(), a, "{same}");
        }
        assert_ne!(
            url("https://example.org/data/Set?a=1&b=2").unwrap(),
            a,
            "paths keep their case"
        );
        assert_eq!(url("mailto:someone@example.org"), None);
        assert_eq!(url("javascript:alert(1)"), None);
    }

    #[test]
    fn portal_url_shapes_are_recognised() {
        assert_eq!(
            url("https://data.gov.uk/api/3/action/package_show?id=bus-stops").unwrap(),
            url("https://data.gov.uk/dataset/bus-stops/").unwrap()
        );
        assert_eq!(
            url("https://data.europa.eu/data/datasets/abc-123?locale=en").unwrap(),
            url("https://data.europa.eu/de/datasets/abc-123").unwrap()
        );
    }

    #[test]
    fn text_ignores_case_accents_and_punctuation() {
        assert_eq!(
            text("  Qualité de l'AIR — Zürich (2024) "),
            "qualite de l air zurich 2024"
        );
        assert_eq!(text("Air-quality: hourly!"), text("air quality hourly"));
    }

    #[test]
    fn markup_is_not_text() {
        use civicgraph_graph::prose::strip_markup;
        assert_eq!(
            text(&strip_markup("<p>Air <span style=\"x\">quality</span></p>")),
            "air quality"
        );
        assert_eq!(text(&strip_markup("ages < 18")), "ages 18");
    }

    #[test]
    fn plain_identifiers_are_not_signals() {
        assert_eq!(identifier(" ABC-123-XYZ "), Some("abc-123-xyz".into()));
        for plain in ["1", "2019", "data", "12345678", "a-b-c"] {
            assert_eq!(identifier(plain), None, "{plain}");
        }
    }

    #[test]
    fn numbers_are_compared_without_leading_zeros() {
        assert_eq!(numbers("Budget 2021 (v02)"), ["2", "2021"]);
        assert_ne!(numbers("Budget 2021"), numbers("Budget 2022"));
    }
}
