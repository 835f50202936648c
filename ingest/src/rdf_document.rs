//! Parsing one harvested RDF document, in any syntax, into triples.
//!
//! Every syntax goes through Oxigraph's parsers except JSON-LD, which goes through
//! `oxjsonld` directly so that remote `@context`s are answered from the contexts bundled in
//! `ingest/contexts/`, or from those a harvest fetched, never fetched by the parser: a
//! harvested file must not choose what the harvester requests. A harvest fetches a context
//! only from a host its source's configuration names ([`crate::sources::dcat`]), and keeps
//! it for the process ([`remember_context`]). Quads in named graphs (N-Quads, TriG, JSON-LD `@graph` with an `@id`) are
//! flattened into the source's one graph. Errors carry the 1-based line and column.

use crate::error::{IngestError, Position, Result};
use oxigraph::io::{RdfFormat, RdfParser, RdfSyntaxError};
use oxigraph::model::Triple;
use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};

/// The contexts bundled in the binary, by every URL catalogues use for them.
const BUNDLED_CONTEXTS: &[(&str, &str)] = &[
    (
        "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld",
        include_str!("../contexts/dcat-ap-3.0.1.jsonld"),
    ),
    (
        "https://semiceu.github.io/DCAT-AP/releases/3.0.0/context/dcat-ap.jsonld",
        include_str!("../contexts/dcat-ap-3.0.1.jsonld"),
    ),
    (
        "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
        include_str!("../contexts/dcat-ap-3-examples.jsonld"),
    ),
    (
        "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.1/html/examples/context.jsonld",
        include_str!("../contexts/dcat-ap-3-examples.jsonld"),
    ),
    (
        "https://semiceu.github.io/DCAT-AP/releases/3.0.0-hvd/context/hvd.jsonld",
        include_str!("../contexts/dcat-ap-hvd-3.0.0.jsonld"),
    ),
];

/// The bundled context for `url`, ignoring the scheme (`http`/`https`) and a trailing `#`.
pub fn bundled_context(url: &str) -> Option<&'static str> {
    let wanted = context_key(url);
    BUNDLED_CONTEXTS
        .iter()
        .find(|(known, _)| context_key(known) == wanted)
        .map(|(_, text)| *text)
}

/// The most remote contexts a process keeps, and the longest: contexts are a few
/// kilobytes, and a source that named thousands would be no catalogue.
const MAX_REMEMBERED_CONTEXTS: usize = 64;
/// The longest remote context kept, in bytes.
pub const MAX_CONTEXT_BYTES: usize = 1024 * 1024;

/// Remote contexts fetched by harvests, by [`context_key`].
static REMEMBERED_CONTEXTS: std::sync::LazyLock<
    std::sync::RwLock<std::collections::HashMap<String, std::sync::Arc<[u8]>>>,
> = std::sync::LazyLock::new(Default::default);

/// A context URL as looked up: without its scheme (`http`/`https`) and a trailing `#`.
fn context_key(url: &str) -> String {
    url.trim_end_matches('#')
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_owned()
}

/// Keeps `document`, fetched from `url`, as that remote context for every later parse of
/// the process; `false` when it was not kept (too long, or too many kept already).
pub fn remember_context(url: &str, document: &[u8]) -> bool {
    let mut kept = REMEMBERED_CONTEXTS.write().unwrap_or_else(|e| e.into_inner());
    if document.len() > MAX_CONTEXT_BYTES || kept.len() >= MAX_REMEMBERED_CONTEXTS {
        return false;
    }
    kept.insert(context_key(url), std::sync::Arc::from(document));
    true
}

/// The document of the remote context `url`: bundled, or fetched by a harvest.
fn known_context(url: &str) -> Option<Vec<u8>> {
    if let Some(text) = bundled_context(url) {
        return Some(text.as_bytes().to_vec());
    }
    let kept = REMEMBERED_CONTEXTS.read().unwrap_or_else(|e| e.into_inner());
    kept.get(&context_key(url)).map(|document| document.to_vec())
}

/// Parses `bytes` in `format` into triples. `base` resolves relative IRIs (the document's
/// URL); without one, a relative IRI is an error at its position. `document` names the file
/// or URL in errors. A UTF-8 byte-order mark is skipped.
pub fn parse(bytes: &[u8], format: RdfFormat, base: Option<&str>, document: &str) -> Result<Vec<Triple>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if matches!(format, RdfFormat::JsonLd { .. }) {
        return parse_json_ld(bytes, base, document);
    }
    if format == RdfFormat::RdfXml {
        check_xml_entities(bytes, document)?;
    }
    let mut parser = RdfParser::from_format(format);
    if let Some(base) = base {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| IngestError::syntax(document, None, format!("invalid base IRI {base:?}: {e}")))?;
    }
    let mut triples = Vec::new();
    for quad in parser.for_slice(bytes) {
        let quad = quad.map_err(|e| rdf_error(document, bytes, e))?;
        triples.push(Triple::from(quad));
    }
    Ok(triples)
}

/// The syntaxes whose IRIs are written between `<` and `>`, as Turtle writes them.
const TURTLE_FAMILY: [RdfFormat; 4] = [
    RdfFormat::Turtle,
    RdfFormat::TriG,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
];

/// Parses like [`parse`], except for faults real exports carry, which are read past with a
/// note saying what was done (refusing the whole document would lose every good record in
/// it); any other fault is the first parse's error:
///
/// - N-Triples that break the syntax only in ways Turtle allows are read as Turtle:
///   data.europa.eu's N-Triples name contact points by relative IRIs
///   (`<ca9c22b8875e3f9776da6033e6fe29af>`), which N-Triples forbids and Turtle resolves
///   against the document's URL. Without a `base` there is nothing to resolve against.
/// - Turtle, TriG, N-Triples and N-Quads with spaces or other characters IRIs may not hold
///   inside an IRI ([`crate::rdf_repair::turtle_iris`]) are read with those characters
///   percent-encoded.
/// - RDF/XML as GeoNetwork writes it ([`crate::rdf_repair::rdf_xml`]): property elements with both an
///   `rdf:resource` and text keep the resource and lose the text, and spaces inside
///   `rdf:about`/`rdf:resource` are percent-encoded.
pub fn parse_leniently(
    bytes: &[u8],
    format: RdfFormat,
    base: Option<&str>,
    document: &str,
) -> Result<(Vec<Triple>, Option<String>)> {
    match parse(bytes, format, base, document) {
        Ok(triples) => Ok((triples, None)),
        Err(error) if format == RdfFormat::RdfXml => match crate::rdf_repair::rdf_xml(bytes) {
            Some(repaired) => match parse(&repaired, format, base, document) {
                Ok(triples) => Ok((
                    triples,
                    Some(format!(
                        "{error}; read again with spaces and other characters IRIs may not hold \
                         percent-encoded in rdf:about, rdf:resource and rdf:datatype, and without the \
                         text of property elements that also name an rdf:resource (the resource is kept)"
                    )),
                )),
                Err(_) => Err(error),
            },
            None => Err(error),
        },
        Err(error) if TURTLE_FAMILY.contains(&format) => {
            let repaired = crate::rdf_repair::turtle_iris(bytes);
            const ENCODED: &str = "spaces and other characters IRIs may not hold percent-encoded in IRIs";
            if let Some(repaired) = &repaired
                && let Ok(triples) = parse(repaired, format, base, document)
            {
                return Ok((triples, Some(format!("{error}; read again with {ENCODED}"))));
            }
            if format == RdfFormat::NTriples
                && let Some(base) = base
            {
                let attempts = [(Some(bytes), ""), (repaired.as_deref(), " and with ")];
                for (text, and) in attempts {
                    if let Some(text) = text
                        && let Ok(triples) = parse(text, RdfFormat::Turtle, Some(base), document)
                    {
                        let encoded = if and.is_empty() { "" } else { ENCODED };
                        return Ok((
                            triples,
                            Some(format!(
                                "{error}; read as Turtle instead, which resolves relative IRIs against {base}{and}{encoded}"
                            )),
                        ));
                    }
                }
            }
            Err(error)
        }
        Err(error) => Err(error),
    }
}

/// Refuses the XML entity tricks the RDF/XML parser would otherwise expand
/// ([`civicgraph_graph::xml_entities`]), naming where in the document.
fn check_xml_entities(bytes: &[u8], document: &str) -> Result<()> {
    match civicgraph_graph::xml_entities::refusal(bytes) {
        None => Ok(()),
        Some((offset, why)) => {
            let text = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
            Err(IngestError::syntax(
                document,
                Some(position_at(&text, text.len())),
                why,
            ))
        }
    }
}

fn parse_json_ld(bytes: &[u8], base: Option<&str>, document: &str) -> Result<Vec<Triple>> {
    let mut parser = JsonLdParser::new();
    if let Some(base) = base {
        parser = parser
            .with_base_iri(base)
            .map_err(|e| IngestError::syntax(document, None, format!("invalid base IRI {base:?}: {e}")))?;
    }
    let mut triples = Vec::new();
    let missing = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let missed = missing.clone();
    for quad in parser
        .for_slice(bytes)
        .with_load_document_callback(move |url, _options| match known_context(url) {
            Some(document) => Ok(JsonLdRemoteDocument {
                document,
                document_url: url.to_owned(),
            }),
            None => {
                *missed.lock().unwrap_or_else(|e| e.into_inner()) = Some(url.to_owned());
                Err(format!("the remote JSON-LD context {url} is not known").into())
            }
        })
    {
        if let Some(url) = missing.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(IngestError::RemoteContext {
                document: document.to_owned(),
                url,
            });
        }
        let quad = quad.map_err(|e| {
            IngestError::syntax(
                document,
                e.location().map(|l| Position {
                    line: l.start.line + 1,
                    column: l.start.column + 1,
                }),
                e.to_string(),
            )
        })?;
        triples.push(Triple::from(quad));
    }
    Ok(triples)
}

fn rdf_error(document: &str, bytes: &[u8], error: RdfSyntaxError) -> IngestError {
    let message = error.to_string();
    let position = error
        .location()
        .map(|l| Position {
            line: l.start.line + 1,
            column: l.start.column + 1,
        })
        .or_else(|| locate_quoted(bytes, &message));
    IngestError::syntax(document, position, message)
}

/// The RDF/XML parser reports no positions, but names the offending value in quotes
/// (`error while parsing IRI 'c_a182'`): the first place that value appears in an
/// attribute or element is where the fault is.
fn locate_quoted(bytes: &[u8], message: &str) -> Option<Position> {
    let start = message.find('\'')? + 1;
    let end = start + message[start..].find('\'')?;
    let value = &message[start..end];
    if value.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(bytes);
    let offset = [format!("\"{value}\""), format!(">{value}<"), value.to_owned()]
        .iter()
        .find_map(|needle| {
            text.find(needle.as_str())
                .map(|at| at + usize::from(needle.len() != value.len()))
        })?;
    Some(position_at(&text, offset))
}

/// The 1-based line and column of byte `offset` in `text`.
fn position_at(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    Position {
        line: before.matches('\n').count() as u64 + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_names_the_document_line_and_column() {
        let text = "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<http://a> a dcat:Dataset ;\n  dcat:title \"x\" \"y\" .\n";
        let error = parse(text.as_bytes(), RdfFormat::Turtle, None, "broken.ttl")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("broken.ttl: "), "{error}");
        assert!(error.contains("line 3"), "{error}");
    }

    #[test]
    fn relative_iris_resolve_against_the_document_url_or_are_refused_with_a_position() {
        let text = b"<dataset/1> <http://purl.org/dc/terms/title> \"x\" .";
        let triples = parse(text, RdfFormat::Turtle, Some("https://cat.example.org/"), "doc").unwrap();
        assert_eq!(
            triples[0].subject.to_string(),
            "<https://cat.example.org/dataset/1>"
        );
        let error = parse(text, RdfFormat::Turtle, None, "doc.ttl")
            .unwrap_err()
            .to_string();
        assert!(error.contains("doc.ttl") && error.contains("line 1"), "{error}");
    }

    #[test]
    fn rdf_xml_errors_are_placed_at_the_offending_value() {
        let text = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n  <rdf:Description rdf:about=\"c_a182\"/>\n</rdf:RDF>";
        let error = parse(text.as_bytes(), RdfFormat::RdfXml, None, "cat.rdf")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("cat.rdf") && error.contains("line 2, column 31"),
            "{error}"
        );
    }

    #[test]
    fn rdf_xml_entity_bombs_and_external_entities_are_not_expanded() {
        let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a \"lol\">\n");
        for i in 1..12 {
            let previous = if i == 1 {
                "a".to_owned()
            } else {
                format!("a{}", i - 1)
            };
            bomb.push_str(&format!(
                "<!ENTITY a{i} \"{}\">\n",
                format!("&{previous};").repeat(10)
            ));
        }
        bomb.push_str("]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dct=\"http://purl.org/dc/terms/\">\n<rdf:Description rdf:about=\"http://x/d\"><dct:title>&a11;</dct:title></rdf:Description>\n</rdf:RDF>");
        let error = parse(bomb.as_bytes(), RdfFormat::RdfXml, None, "bomb.rdf")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("bomb.rdf")
                && error.contains("refers to other entities")
                && error.contains("line 4"),
            "{error}"
        );
        let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dct=\"http://purl.org/dc/terms/\"><rdf:Description rdf:about=\"http://x/d\"><dct:title>&x;</dct:title></rdf:Description></rdf:RDF>";
        let error = parse(external.as_bytes(), RdfFormat::RdfXml, None, "external.rdf")
            .unwrap_err()
            .to_string();
        assert!(error.contains("external XML entity x"), "{error}");
        // The namespace abbreviations ontologies use still parse.
        let ontology = "<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [<!ENTITY dct \"http://purl.org/dc/terms/\">]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dct=\"&dct;\"><rdf:Description rdf:about=\"http://x/d\"><dct:title>T</dct:title></rdf:Description></rdf:RDF>";
        assert_eq!(
            parse(ontology.as_bytes(), RdfFormat::RdfXml, None, "o.rdf")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn n_triples_with_relative_iris_are_read_as_turtle_with_a_note() {
        let text = b"<https://data.example.eu/set/1> <http://www.w3.org/ns/dcat#contactPoint> <ca9c22b8> .\n";
        let (triples, note) = parse_leniently(
            text,
            RdfFormat::NTriples,
            Some("https://data.example.eu/export.nt"),
            "export.nt",
        )
        .unwrap();
        assert_eq!(
            triples[0].object.to_string(),
            "<https://data.example.eu/ca9c22b8>"
        );
        let note = note.unwrap();
        assert!(
            note.contains("export.nt") && note.contains("line 1") && note.contains("read as Turtle"),
            "{note}"
        );
        // Valid N-Triples carry no note; without a base the error stands; broken Turtle too.
        let valid = b"<http://a> <http://b> <http://c> .";
        assert_eq!(
            parse_leniently(valid, RdfFormat::NTriples, Some("https://x/"), "v.nt")
                .unwrap()
                .1,
            None
        );
        assert!(parse_leniently(text, RdfFormat::NTriples, None, "export.nt").is_err());
        let broken = b"<http://a> <http://b> \"open .";
        let error = parse_leniently(broken, RdfFormat::NTriples, Some("https://x/"), "b.nt")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("b.nt"), "{error}");
    }

    #[test]
    fn rdf_xml_text_beside_a_resource_is_dropped_with_a_note_and_the_resource_kept() {
        let text = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://geo.example.fr/d/1">
    <dct:accessRights rdf:resource="http://inspire.ec.europa.eu/noLimitations">Pas de restriction d&#8217;acc&#232;s</dct:accessRights>
    <dct:title>Communes &amp; cantons</dct:title>
  </rdf:Description>
</rdf:RDF>"#;
        let (triples, note) = parse_leniently(text.as_bytes(), RdfFormat::RdfXml, None, "page.xml").unwrap();
        let lines: Vec<String> = triples.iter().map(ToString::to_string).collect();
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("<http://inspire.ec.europa.eu/noLimitations>")),
            "{lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("\"Communes & cantons\"")),
            "{lines:#?}"
        );
        let note = note.unwrap();
        assert!(
            note.contains("page.xml") && note.contains("rdf:resource"),
            "{note}"
        );
        // Any other fault stands.
        let broken = text.replace("</dct:title>", "</dct:titel>");
        assert!(parse_leniently(broken.as_bytes(), RdfFormat::RdfXml, None, "page.xml").is_err());
    }

    #[test]
    fn rdf_xml_iris_with_spaces_are_percent_encoded_with_a_note() {
        let text = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#">
  <dcat:Dataset rdf:about="https://sig.example.fr/resources/0c45 https://sig.example.fr/x"><dcat:keyword>eau</dcat:keyword></dcat:Dataset>
  <dcat:Dataset rdf:about="https://sig.example.fr/ok"><dcat:landingPage rdf:resource="https://sig.example.fr/a b"/></dcat:Dataset>
</rdf:RDF>"#;
        let (triples, note) =
            parse_leniently(text.as_bytes(), RdfFormat::RdfXml, None, "geonetwork.xml").unwrap();
        let lines: Vec<String> = triples.iter().map(ToString::to_string).collect();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("<https://sig.example.fr/resources/0c45%20https://sig.example.fr/x>")),
            "{lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.ends_with("<https://sig.example.fr/a%20b>")),
            "{lines:#?}"
        );
        assert!(note.unwrap().contains("percent-encoded"));
    }

    #[test]
    fn turtle_iris_with_spaces_are_percent_encoded_with_a_note() {
        // As datos.gob.es's NTI-RISP example writes a licence.
        let text = "<http://datos.gob.es/catalogo/2332> <http://purl.org/dc/terms/license> \
                    <http://www.minhap.gob.es/Acceso%20a%20la%20i nformacion/res.pdf> .\n";
        for format in [
            RdfFormat::Turtle,
            RdfFormat::NTriples,
            RdfFormat::TriG,
            RdfFormat::NQuads,
        ] {
            let (triples, note) = parse_leniently(text.as_bytes(), format, None, "nti.ttl").unwrap();
            assert_eq!(
                triples[0].object.to_string(),
                "<http://www.minhap.gob.es/Acceso%20a%20la%20i%20nformacion/res.pdf>"
            );
            let note = note.unwrap();
            assert!(
                note.starts_with("nti.ttl: ") && note.contains("line 1") && note.contains("percent-encoded"),
                "{note}"
            );
        }
        // Relative IRIs and a space in N-Triples: read as Turtle, encoded.
        let relative = b"<https://x.eu/set/1> <http://www.w3.org/ns/dcat#contactPoint> <ca9c 22b8> .\n";
        let (triples, note) = parse_leniently(
            relative,
            RdfFormat::NTriples,
            Some("https://x.eu/export.nt"),
            "export.nt",
        )
        .unwrap();
        assert_eq!(triples[0].object.to_string(), "<https://x.eu/ca9c%2022b8>");
        assert!(note.unwrap().contains("read as Turtle instead"));
        // Any other fault stands.
        let broken = text.replace(" .\n", " ;\n");
        assert!(parse_leniently(broken.as_bytes(), RdfFormat::Turtle, None, "nti.ttl").is_err());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = b"\xEF\xBB\xBF<http://a> <http://b> \"c\" .";
        assert_eq!(parse(text, RdfFormat::NTriples, None, "bom.nt").unwrap().len(), 1);
    }

    #[test]
    fn json_ld_uses_bundled_contexts_and_refuses_unknown_remote_ones() {
        let doc = br#"{"@context": "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld",
                      "@id": "http://x.org/d", "@type": "dcat:Dataset"}"#;
        let triples = parse(
            doc,
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
            None,
            "d.jsonld",
        )
        .unwrap();
        assert_eq!(triples.len(), 1);
        assert_eq!(
            triples[0].object.to_string(),
            "<http://www.w3.org/ns/dcat#Dataset>"
        );
        let doc = br#"{"@context": "http://169.254.169.254/latest/meta-data", "@id": "http://x.org/d"}"#;
        let error = parse(
            doc,
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
            None,
            "d.jsonld",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("169.254.169.254") && error.contains("allow_hosts"),
            "{error}"
        );
    }

    #[test]
    fn a_remembered_context_is_used_for_every_later_document() {
        let json_ld = RdfFormat::JsonLd {
            profile: Default::default(),
        };
        let doc = br#"{"@context": "https://contexts.example.cz/katalog.jsonld",
                      "iri": "http://x.org/d", "typ": "Datova sada"}"#;
        match parse(doc, json_ld, None, "d.jsonld") {
            Err(IngestError::RemoteContext { document, url }) => {
                assert_eq!(
                    (document.as_str(), url.as_str()),
                    ("d.jsonld", "https://contexts.example.cz/katalog.jsonld")
                );
            }
            other => panic!("{other:?}"),
        }
        let context = br#"{"@context": {"iri": "@id", "typ": "@type",
                          "Datova sada": "http://www.w3.org/ns/dcat#Dataset"}}"#;
        // Kept by its URL with either scheme; one too long is not kept.
        assert!(remember_context(
            "http://contexts.example.cz/katalog.jsonld",
            context
        ));
        assert!(!remember_context(
            "https://contexts.example.cz/huge.jsonld",
            &vec![b' '; MAX_CONTEXT_BYTES + 1]
        ));
        let triples = parse(doc, json_ld, None, "d.jsonld").unwrap();
        assert_eq!(triples.len(), 1);
        assert_eq!(
            triples[0].object.to_string(),
            "<http://www.w3.org/ns/dcat#Dataset>"
        );
    }

    #[test]
    fn named_graphs_are_flattened_into_the_source() {
        let text = b"<http://a> <http://b> <http://c> <http://g> .\n<http://a> <http://b> <http://d> .";
        assert_eq!(parse(text, RdfFormat::NQuads, None, "x.nq").unwrap().len(), 2);
    }
}
