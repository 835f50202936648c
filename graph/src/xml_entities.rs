//! The XML entity check every RDF/XML document passes before it is parsed: harvested
//! files, Graph Store uploads, `civicgraph load` and `restore`.
//!
//! Refused: entities that refer to other entities ("billion laughs"), external and
//! parameter entities (which would read files or URLs), and plain entities referenced so
//! often that their expansion passes 16 MiB. The simple entities ontologies use to
//! abbreviate namespaces (`<!ENTITY rdf "http://...#">`) pass. The whole document is read:
//! a `DOCTYPE` may follow any amount of comments and whitespace.

/// The most bytes that entity references in one RDF/XML document may expand to.
pub const MAX_ENTITY_EXPANSION: usize = 16 * 1024 * 1024;

/// Why `bytes` is refused, and the byte offset of the declaration at fault; `None` when it
/// passes.
pub fn refusal(bytes: &[u8]) -> Option<(usize, String)> {
    let text = String::from_utf8_lossy(bytes);
    let doctype = text.find("<!DOCTYPE")?;
    let mut rest = &text[doctype..];
    let mut offset = doctype;
    // Each plain entity: where it is declared, its name and the length of its value.
    let mut declared: Vec<(usize, &str, usize)> = Vec::new();
    while let Some(at) = rest.find("<!ENTITY") {
        offset += at;
        let declaration = &rest[at..];
        let end = declaration.find('>').unwrap_or(declaration.len());
        let body = declaration["<!ENTITY".len()..end].trim();
        if body.starts_with('%') {
            return Some((
                offset,
                "XML parameter entities are not accepted in RDF/XML".to_owned(),
            ));
        }
        let (name, value) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let value = value.trim();
        if value.starts_with("SYSTEM") || value.starts_with("PUBLIC") {
            return Some((
                offset,
                format!(
                    "the external XML entity {name} is not accepted: a document may not make civicgraph read files or URLs"
                ),
            ));
        }
        let literal = value.trim_matches(|c| c == '"' || c == '\'');
        if literal.contains('&') {
            return Some((
                offset,
                format!(
                    "the XML entity {name} refers to other entities (an entity-expansion attack); not accepted"
                ),
            ));
        }
        declared.push((offset, name, literal.len()));
        rest = &declaration[end.min(declaration.len())..];
        offset += end;
    }
    if declared.is_empty() {
        return None;
    }
    // Every reference counted in one pass (counting each entity's over the whole document
    // read it once per declaration: quadratic in a hostile DOCTYPE's length), and the
    // expansions summed over all entities, so that many entities each under the limit do
    // not pass it together.
    let uses = references(&text, declared.iter().map(|(_, name, _)| *name).collect());
    let mut expansion = 0usize;
    for (offset, name, length) in declared {
        let used = uses.get(name).copied().unwrap_or(0);
        expansion = expansion.saturating_add(used.saturating_mul(length));
        if expansion > MAX_ENTITY_EXPANSION {
            return Some((
                offset,
                format!("the XML entity {name} would expand to more than 16 MiB; not accepted"),
            ));
        }
    }
    None
}

/// How often each of `names` is referenced (`&name;`) in `text`. A name runs from a `&` to
/// the first character no XML name holds, so no character is read twice.
fn references<'a>(
    text: &str,
    names: std::collections::HashSet<&'a str>,
) -> std::collections::HashMap<&'a str, usize> {
    let mut uses = std::collections::HashMap::new();
    for (at, _) in text.match_indices('&') {
        let after = &text[at + 1..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .unwrap_or(after.len());
        if after[end..].starts_with(';')
            && let Some(name) = names.get(&after[..end])
        {
            *uses.entry(*name).or_insert(0) += 1;
        }
    }
    uses
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doctype_after_a_mebibyte_of_padding_is_still_read() {
        let padding = format!("<?xml version=\"1.0\"?><!-- {} -->", " ".repeat(2 << 20));
        let bomb = format!("{padding}<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><r/>");
        let (offset, why) = refusal(bomb.as_bytes()).unwrap();
        assert!(
            offset > 2 << 20 && why.contains("entity b refers"),
            "{offset} {why}"
        );
        let external = "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
        assert!(refusal(external.as_bytes()).unwrap().1.contains("external"));
        let namespaces =
            "<!DOCTYPE rdf:RDF [<!ENTITY rdf \"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">]><r/>";
        assert!(refusal(namespaces.as_bytes()).is_none());
    }

    #[test]
    fn many_entities_are_counted_in_one_pass_and_their_expansions_summed() {
        // 60,000 declarations over a document referencing none: one pass, and it passes.
        let declarations: String = (0..60_000).map(|i| format!("<!ENTITY e{i} \"x\">")).collect();
        let quiet = format!("<!DOCTYPE r [{declarations}]><r>{}</r>", "&amp; ".repeat(100_000));
        assert!(refusal(quiet.as_bytes()).is_none());
        // Two entities each within 16 MiB, together beyond it.
        let value = "v".repeat(1024);
        let uses = "&a;&b;".repeat(9 * 1024);
        let pair = format!("<!DOCTYPE r [<!ENTITY a \"{value}\"><!ENTITY b \"{value}\">]><r>{uses}</r>");
        let (_, why) = refusal(pair.as_bytes()).unwrap();
        assert!(why.contains("entity b would expand"), "{why}");
    }
}
