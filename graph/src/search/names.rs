//! The short names a record's values get where a name must be a plain token — CKAN's
//! package, organization and group names and its resource formats — and the record's
//! stable key. The index stores them (so that a CKAN filter is one term) and the CKAN API
//! prints them: both call these functions, so they always agree.

use sha2::{Digest, Sha256};

/// The EU data-theme table, whose codes become group names (`ENVI` → `envi`).
const EU_THEMES: &str = "http://publications.europa.eu/resource/authority/data-theme/";

/// The first 16 bytes of the SHA-256 of a record's IRI: stable across builds and servers,
/// so a record keeps its CKAN id for as long as it keeps its IRI.
pub fn record_digest(iri: &str) -> [u8; 16] {
    let digest = Sha256::digest(iri.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// The digest's first 8 bytes as a number: the index's `key`, by which CKAN's `id asc`
/// sorts (the id's first 16 hex digits are this number's).
pub fn record_key(iri: &str) -> u64 {
    let digest = record_digest(iri);
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The record's CKAN id: its digest as a UUID-shaped hex string.
pub fn ckan_id(iri: &str) -> String {
    let hex: String = record_digest(iri).iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The key a CKAN id or package name stands for: an id's first 16 hex digits, or the 16
/// hex digits a name ends in (`air-quality-0a1b2c3d4e5f6071`).
pub fn key_of_ckan_name(name: &str) -> Option<u64> {
    let name = name.trim();
    let hex: String = if name.len() == 36 && name.bytes().filter(|b| *b == b'-').count() == 4 {
        // Not sliced by bytes: the name is the client's, and its 17th byte may be inside a
        // character (`----aaaaaaaaaaaaaaa€…`).
        name.chars().filter(|c| *c != '-').take(16).collect()
    } else {
        name.rsplit('-').next()?.to_owned()
    };
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(&hex, 16).ok()
}

/// The record's CKAN package name: its title as a slug, then its key in 16 hex digits, so
/// that a name is readable, unique, and names its record.
pub fn ckan_name(iri: &str, title: &str) -> String {
    let mut slug = slug(title);
    slug.truncate(60);
    let slug = slug.trim_end_matches('-');
    let key = format!("{:016x}", record_key(iri));
    if slug.is_empty() {
        key
    } else {
        format!("{slug}-{key}")
    }
}

/// Text as a CKAN name: lower-case ASCII letters and digits, runs of anything else one
/// `-`; accents are dropped from their letters (`Zürich` → `zurich`), as the tagger folds.
pub fn slug(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(text.len());
    for c in text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// A theme as a CKAN group name: an EU data theme by its code (`envi`), anything else as a
/// slug of its IRI's last segment or its text.
pub fn group_name(theme: &str) -> String {
    match theme.strip_prefix(EU_THEMES) {
        Some(code) => code.to_ascii_lowercase(),
        None => slug(last_segment(theme)),
    }
}

/// A format as CKAN resources name it: an EU file type by its code (`CSV`), an IANA media
/// type as the type (`text/csv`), anything else as written, trimmed.
pub fn format_name(format: &str) -> String {
    use civicgraph_vocab::authority::{file_type_code, media_type_of_address};
    file_type_code(format)
        .or_else(|| media_type_of_address(format))
        .unwrap_or(format.trim())
        .to_owned()
}

fn last_segment(value: &str) -> &str {
    let value = value.trim().trim_end_matches(['/', '#']);
    if value.contains("://") {
        value.rsplit(['/', '#']).next().unwrap_or(value)
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ckan_tokens_that_lead_back_to_their_record() {
        let iri = "https://data.example.org/id/dataset/air-quality";
        let name = ckan_name(iri, "Air Quality – Zürich (2024)");
        assert!(name.starts_with("air-quality-zurich-2024-"), "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{name}"
        );
        assert_eq!(key_of_ckan_name(&name), Some(record_key(iri)));
        let id = ckan_id(iri);
        assert_eq!(id.len(), 36);
        assert_eq!(key_of_ckan_name(&id), Some(record_key(iri)));
        assert_eq!(key_of_ckan_name("no-key-here"), None);
        // A 36-byte id-like name whose 17th byte is inside a character is no key (it was
        // sliced there, and the request's task panicked).
        assert_eq!(key_of_ckan_name("----aaaaaaaaaaaaaaa€aaaaaaaaaaaaaa"), None);
        assert_eq!(ckan_name(iri, "***"), format!("{:016x}", record_key(iri)));
    }

    #[test]
    fn ids_sort_as_their_keys() {
        let mut by_id: Vec<(String, u64)> = (0..50)
            .map(|i| {
                let iri = format!("https://example.org/{i}");
                (ckan_id(&iri), record_key(&iri))
            })
            .collect();
        by_id.sort();
        assert!(by_id.windows(2).all(|w| w[0].1 < w[1].1));
    }

    #[test]
    fn themes_and_formats_get_the_names_portals_use() {
        assert_eq!(
            group_name("http://publications.europa.eu/resource/authority/data-theme/ENVI"),
            "envi"
        );
        assert_eq!(group_name("Verkehr und Mobilität"), "verkehr-und-mobilitat");
        assert_eq!(
            format_name("http://publications.europa.eu/resource/authority/file-type/CSV"),
            "CSV"
        );
        assert_eq!(
            format_name("http://www.iana.org/assignments/media-types/text/csv"),
            "text/csv"
        );
        // DCAT-AP 2 writes IANA's addresses over https, as civicgraph's mappers do.
        assert_eq!(
            format_name("https://www.iana.org/assignments/media-types/application/x-odd"),
            "application/x-odd"
        );
        assert_eq!(format_name(" GeoJSON "), "GeoJSON");
    }
}
