//! Telling which RDF syntax a harvested document is in.
//!
//! Catalogues serve the same data as Turtle, RDF/XML, JSON-LD and more, often with a
//! generic or wrong `Content-Type`. An explicit choice wins, then a specific media type,
//! then the file extension; `text/plain` and `application/octet-stream` say nothing.

use crate::error::IngestError;
use oxigraph::io::RdfFormat;

/// Media types that carry no information about the syntax.
const GENERIC_MEDIA_TYPES: &[&str] = &[
    "text/plain",
    "application/octet-stream",
    "application/json",
    "application/xml",
    "text/xml",
];

/// The syntax named by a short name (`ttl`, `turtle`, `nt`, `nq`, `trig`, `rdf`, `rdfxml`,
/// `jsonld`, ...) or a media type.
pub fn by_name(name: &str) -> Result<RdfFormat, IngestError> {
    let lower = name.trim().to_ascii_lowercase();
    RdfFormat::from_extension(&lower)
        .or_else(|| RdfFormat::from_media_type(&lower))
        .or(match lower.as_str() {
            "turtle" => Some(RdfFormat::Turtle),
            "ntriples" | "n-triples" => Some(RdfFormat::NTriples),
            "nquads" | "n-quads" => Some(RdfFormat::NQuads),
            "rdfxml" | "rdf-xml" | "xml" => Some(RdfFormat::RdfXml),
            "json-ld" | "json" => RdfFormat::from_extension("jsonld"),
            _ => None,
        })
        .ok_or_else(|| IngestError::UnknownSyntax {
            source_name: name.to_owned(),
            message: "not an RDF syntax; use ttl, nt, nq, trig, rdf or jsonld".to_owned(),
        })
}

/// Detects the syntax of a document from, in order: an explicit `format` name, its
/// `Content-Type`, and the extension of its file name or URL path.
pub fn detect(
    format: Option<&str>,
    content_type: Option<&str>,
    name: Option<&str>,
) -> Result<RdfFormat, IngestError> {
    if let Some(format) = format {
        return by_name(format);
    }
    if let Some(content_type) = content_type {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !GENERIC_MEDIA_TYPES.contains(&media.as_str())
            && let Some(format) = RdfFormat::from_media_type(&media)
        {
            return Ok(format);
        }
    }
    let name = name.unwrap_or_default();
    let path = name.split(['?', '#']).next().unwrap_or_default();
    let file = path.rsplit('/').next().unwrap_or_default();
    let extension = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    extension
        .as_deref()
        .and_then(|e| {
            RdfFormat::from_extension(e).or(match e {
                // Extensions catalogues use that oxrdfio does not map.
                "owl" | "xml" | "rdfs" => Some(RdfFormat::RdfXml),
                "json" => RdfFormat::from_extension("jsonld"),
                _ => None,
            })
        })
        .ok_or_else(|| IngestError::UnknownSyntax {
            source_name: name.to_owned(),
            message: format!(
                "cannot tell the RDF syntax from {}; name it explicitly (ttl, nt, nq, trig, rdf or jsonld)",
                match (content_type, extension) {
                    (Some(ct), _) => format!("Content-Type {ct:?} or the name"),
                    (None, Some(e)) => format!("the extension .{e}"),
                    (None, None) => "a name without an extension".to_owned(),
                }
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_choice_wins_over_everything() {
        assert_eq!(
            detect(Some("nt"), Some("text/turtle"), Some("a.rdf")).unwrap(),
            RdfFormat::NTriples
        );
    }

    #[test]
    fn specific_media_types_win_over_extensions_and_generic_ones_do_not() {
        assert_eq!(
            detect(None, Some("text/turtle"), Some("a.rdf")).unwrap(),
            RdfFormat::Turtle
        );
        assert_eq!(
            detect(None, Some("text/plain"), Some("a.rdf")).unwrap(),
            RdfFormat::RdfXml
        );
        assert_eq!(
            detect(
                None,
                Some("application/octet-stream"),
                Some("https://x.org/c.trig?page=2")
            )
            .unwrap(),
            RdfFormat::TriG
        );
    }

    #[test]
    fn every_syntax_is_known_by_its_usual_extension() {
        for (name, format) in [
            ("a.ttl", RdfFormat::Turtle),
            ("a.nt", RdfFormat::NTriples),
            ("a.nq", RdfFormat::NQuads),
            ("a.trig", RdfFormat::TriG),
            ("a.rdf", RdfFormat::RdfXml),
            ("a.owl", RdfFormat::RdfXml),
        ] {
            assert_eq!(detect(None, None, Some(name)).unwrap(), format, "{name}");
        }
        assert!(matches!(
            detect(None, None, Some("a.jsonld")).unwrap(),
            RdfFormat::JsonLd { .. }
        ));
    }

    #[test]
    fn unknown_syntax_names_what_was_tried() {
        let error = detect(None, None, Some("report.pdf")).unwrap_err().to_string();
        assert!(error.contains("report.pdf") && error.contains(".pdf"), "{error}");
    }
}
