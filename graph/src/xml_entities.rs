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
        let uses = text.matches(&format!("&{name};")).count();
        if uses.saturating_mul(literal.len()) > MAX_ENTITY_EXPANSION {
            return Some((
                offset,
                format!("the XML entity {name} would expand to more than 16 MiB; not accepted"),
            ));
        }
        rest = &declaration[end.min(declaration.len())..];
        offset += end;
    }
    None
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
}
