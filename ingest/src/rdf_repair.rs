//! Repairs of the faults real RDF exports carry, tried when a document does not parse
//! ([`crate::rdf_document::parse_leniently`]): refusing the whole document would lose every
//! good record in it for one bad value. Each repair changes only what breaks the syntax and
//! says whether it changed anything; the harvest notes what was done.

/// Whether `byte` is one of the characters an IRI may not hold that exports leave in them:
/// spaces and other controls, `<>"{}|^` and backquote, and a backslash.
fn breaks_iri(byte: u8) -> bool {
    byte <= b' ' || b"<>\"{}|^`\\".contains(&byte)
}

/// Appends `iri` to `out` without the spaces at either end and with every byte that
/// [`breaks_iri`] as `%XX`, except the backslash of a `\u` or `\U` escape when
/// `escapes` (Turtle's, which the parser reads); only those bytes are encoded, not all
/// non-ASCII as a URL encoder would. Whether anything changed.
fn encode_iri(iri: &[u8], escapes: bool, out: &mut Vec<u8>) -> bool {
    let trimmed = iri.trim_ascii();
    let mut changed = trimmed.len() != iri.len();
    for (k, &byte) in trimmed.iter().enumerate() {
        let escape = escapes && byte == b'\\' && matches!(trimmed.get(k + 1), Some(b'u' | b'U'));
        if breaks_iri(byte) && !escape {
            out.extend_from_slice(format!("%{byte:02X}").as_bytes());
            changed = true;
        } else {
            out.push(byte);
        }
    }
    changed
}

/// The RDF/XML document with two faults GeoNetwork's DCAT output writes repaired: the text
/// of property elements that carry an `rdf:resource` too (`<dct:accessRights
/// rdf:resource="…/noLimitations">Pas de restriction</dct:accessRights>`) is dropped, and
/// spaces and the other characters IRIs may not hold are percent-encoded in `rdf:about`,
/// `rdf:resource` and `rdf:datatype`; `None` when there is nothing to repair, or the XML
/// is not well-formed.
pub fn rdf_xml(bytes: &[u8]) -> Option<Vec<u8>> {
    use quick_xml::events::{BytesStart, Event};
    /// Whether an attribute is one of RDF's that hold an IRI.
    fn iri_attribute(key: &[u8]) -> bool {
        key.strip_prefix(b"rdf:")
            .is_some_and(|local| [&b"about"[..], b"resource", b"datatype"].contains(&local))
    }
    /// The element with its IRI attributes encoded ([`encode_iri`]), if any needed it.
    fn encoded(start: &BytesStart<'_>) -> Option<BytesStart<'static>> {
        let needs = start
            .attributes()
            .flatten()
            .any(|a| iri_attribute(a.key.as_ref()) && a.value.iter().copied().any(breaks_iri));
        if !needs {
            return None;
        }
        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        let mut out = BytesStart::new(name);
        for attribute in start.attributes().flatten() {
            let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
            let value = attribute.unescape_value().ok()?.into_owned();
            let value = if iri_attribute(key.as_bytes()) {
                let mut encoded = Vec::with_capacity(value.len());
                encode_iri(value.as_bytes(), false, &mut encoded);
                // Only ASCII bytes were replaced, by ASCII: still UTF-8.
                String::from_utf8(encoded).ok()?
            } else {
                value
            };
            out.push_attribute((key.as_str(), value.as_str()));
        }
        Some(out)
    }
    /// The element, with its IRI attributes encoded if any needed it, and whether they did.
    fn with_encoded_iris(start: BytesStart<'_>) -> (BytesStart<'_>, bool) {
        match encoded(&start) {
            Some(fixed) => (fixed, true),
            None => (start, false),
        }
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut writer = quick_xml::Writer::new(Vec::with_capacity(bytes.len()));
    let (mut depth, mut inside, mut changed) = (0usize, None, false);
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Start(start) => {
                depth += 1;
                let names_resource = start
                    .attributes()
                    .flatten()
                    .any(|a| a.key.local_name().as_ref() == b"resource" && a.key.prefix().is_some());
                if inside.is_none() && names_resource {
                    inside = Some(depth);
                }
                let (start, encoded) = with_encoded_iris(start);
                changed |= encoded;
                writer.write_event(Event::Start(start)).ok()?;
            }
            Event::Empty(start) => {
                let (start, encoded) = with_encoded_iris(start);
                changed |= encoded;
                writer.write_event(Event::Empty(start)).ok()?;
            }
            Event::Text(_) | Event::CData(_) if inside == Some(depth) => changed = true,
            Event::End(end) => {
                if inside == Some(depth) {
                    inside = None;
                }
                depth = depth.saturating_sub(1);
                writer.write_event(Event::End(end)).ok()?;
            }
            Event::Eof => break,
            other => writer.write_event(other).ok()?,
        }
    }
    changed.then(|| writer.into_inner())
}

/// The Turtle, TriG, N-Triples or N-Quads document with spaces and the other characters an
/// IRI may not hold percent-encoded inside its IRIs (`<…/Acceso%20a%20la%20i nformacion…>`,
/// as datos.gob.es's own NTI-RISP example writes a licence), and the spaces at either end of
/// an IRI dropped; `None` when no IRI needed it. Strings and comments are read past, so a
/// `<` in a literal is left alone; a `\u` escape in an IRI is kept. Linear in the document.
pub fn turtle_iris(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut changed) = (0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(bytes.len(), |n| i + n);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            quote @ (b'"' | b'\'') => {
                let long = bytes[i..].starts_with(&[quote; 3]);
                let mut j = i + if long { 3 } else { 1 };
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b if b == quote && (!long || bytes[j..].starts_with(&[quote; 3])) => {
                            j += if long { 3 } else { 1 };
                            break;
                        }
                        b'\n' | b'\r' if !long => break,
                        _ => j += 1,
                    }
                }
                let end = j.min(bytes.len());
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            b'<' => {
                // An IRI ends at `>`; without one before the line ends it is left to the
                // parser's error.
                let Some(length) = bytes[i + 1..].iter().position(|&b| b == b'>' || b == b'\n') else {
                    out.extend_from_slice(&bytes[i..]);
                    break;
                };
                let end = i + 1 + length;
                if bytes[end] == b'\n' {
                    out.extend_from_slice(&bytes[i..end]);
                    i = end;
                    continue;
                }
                out.push(b'<');
                changed |= encode_iri(&bytes[i + 1..end], true, &mut out);
                out.push(b'>');
                i = end + 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::turtle_iris;

    fn repaired(text: &str) -> Option<String> {
        turtle_iris(text.as_bytes()).map(|bytes| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn spaces_in_turtle_iris_are_encoded_and_nothing_else_is_touched() {
        let text = "@prefix dct: <http://purl.org/dc/terms/> .\n\
                    <http://datos.gob.es/catalogo/2332> dct:license <http://www.minhap.gob.es/Acceso%20a%20la%20i nformacion/res.pdf> ;\n\
                    # a comment with <a b> in it\n\
                    dct:title \"a <b c> title\"@es , '''long <x y>\n'''@es , 'it is' ;\n\
                    dct:spatial < http://datos.gob.es/Pais/España > ;\n\
                    dct:rights <http://x/\\u00E9 a> .\n";
        let out = repaired(text).unwrap();
        assert!(
            out.contains("<http://www.minhap.gob.es/Acceso%20a%20la%20i%20nformacion/res.pdf>"),
            "{out}"
        );
        assert!(out.contains("# a comment with <a b> in it"), "{out}");
        assert!(
            out.contains("\"a <b c> title\"@es , '''long <x y>\n'''@es , 'it is'"),
            "{out}"
        );
        assert!(out.contains("<http://datos.gob.es/Pais/España>"), "{out}");
        assert!(out.contains("<http://x/\\u00E9%20a>"), "{out}");
        assert!(out.contains("<http://purl.org/dc/terms/>"), "{out}");
        // A document whose IRIs are fine needs no repair.
        assert_eq!(repaired("<http://a> <http://b> \"c d\" .\n"), None);
        // An IRI that does not end on its line is left to the parser's error.
        assert_eq!(repaired("<http://a b\n> <http://b> <http://c> ."), None);
    }
}
