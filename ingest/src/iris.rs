//! Repairs of IRIs a catalogue wrote wrong in a way whose meaning is plain, each said in a
//! warning: an e-mail address without `mailto:` (resolved as a relative IRI against the
//! file's address) and a prefixed name written where RDF/XML wants a whole IRI
//! (`rdf:resource="dct:LicenseDocument"`, which no parser expands).

use crate::report::Report;
use civicgraph_vocab::ext::{self, vcard};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};

/// The prefixes DCAT-AP documents use, with their namespaces: `dct:X` written as an IRI
/// means the term of that namespace (no IRI scheme of these names exists).
const PREFIXES: &[(&str, &str)] = &[
    ("adms", ext::adms::NAMESPACE),
    ("dcat", ext::dcat::NAMESPACE),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("dct", ext::dct::NAMESPACE),
    ("dcterms", ext::dct::NAMESPACE),
    ("foaf", ext::foaf::NAMESPACE),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("owl", ext::owl::NAMESPACE),
    ("prov", ext::prov::NAMESPACE),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", ext::schema::NAMESPACE),
    ("skos", ext::skos::NAMESPACE),
    ("spdx", "http://spdx.org/rdf/terms#"),
    ("vcard", vcard::NAMESPACE),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Repairs the IRIs of `triples`, warning once per kind of repair with an example.
pub fn repair(triples: &mut [Triple], report: &mut Report) {
    let mut expanded: Option<(usize, String, String)> = None;
    for t in triples.iter_mut() {
        if let NamedOrBlankNode::NamedNode(subject) = &t.subject
            && let Some(full) = expand(subject)
        {
            note(&mut expanded, subject, &full);
            t.subject = full.into();
        }
        if let Term::NamedNode(object) = &t.object {
            if let Some(full) = expand(object) {
                note(&mut expanded, object, &full);
                t.object = full.into();
            } else if t.predicate == vcard::HAS_EMAIL
                && let Some(mailto) = mailto(object)
            {
                report.warnings.push(format!(
                    "{} {}: <{}> is an e-mail address written without mailto:; read as <{}>",
                    t.subject,
                    t.predicate,
                    object.as_str(),
                    mailto.as_str()
                ));
                t.object = mailto.into();
            }
        }
    }
    if let Some((count, written, full)) = expanded {
        report.warnings.push(format!(
            "{count} IRIs were prefixed names written whole (e.g. <{written}>, which RDF/XML's \
             rdf:resource does not expand); read as the terms they name (<{full}>)"
        ));
    }
}

fn note(expanded: &mut Option<(usize, String, String)>, written: &NamedNode, full: &NamedNode) {
    match expanded {
        Some((count, ..)) => *count += 1,
        None => *expanded = Some((1, written.as_str().to_owned(), full.as_str().to_owned())),
    }
}

/// `dct:LicenseDocument` as the term it names, if `iri` is a prefixed name of a known
/// prefix with a plain local name.
fn expand(iri: &NamedNode) -> Option<NamedNode> {
    let (prefix, local) = iri.as_str().split_once(':')?;
    if prefix.starts_with("http") || local.starts_with("//") {
        // Almost every IRI: nothing to look up.
        return None;
    }
    let (_, namespace) = PREFIXES.iter().find(|(p, _)| *p == prefix)?;
    let plain = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then(|| NamedNode::new(format!("{namespace}{local}")).ok())?
}

/// An e-mail address given as an IRI without `mailto:` was resolved as a relative IRI, so
/// it is the last segment of that IRI: read back as `mailto:`.
fn mailto(iri: &NamedNode) -> Option<NamedNode> {
    bare_email(iri.as_str()).and_then(|address| crate::emit::absolute_iri(&format!("mailto:{address}")))
}

/// The e-mail address `iri` is when it is one written without `mailto:` and resolved
/// against a document's address (`file:///data/office@bfs.admin.ch`): its last segment.
pub(crate) fn bare_email(iri: &str) -> Option<&str> {
    if iri.starts_with("mailto:") {
        return None;
    }
    let last = iri.rsplit('/').next().unwrap_or_default();
    let (user, host) = last.split_once('@')?;
    (!user.is_empty() && host.contains('.') && !host.contains([':', '?', '#'])).then_some(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mint::Minter;
    use crate::rdf_document::parse;
    use crate::report::{FinishOptions, finish};
    use civicgraph_graph::Layout;
    use oxigraph::io::RdfFormat;

    /// As the Swiss statistics office's DCAT-AP CH export writes its contact point's
    /// address (`rdf:resource="auskunftsdienst@bfs.admin.ch"`), resolved against the file.
    #[test]
    fn an_email_address_written_without_mailto_is_read_as_one() {
        let turtle = "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n\
                      <http://c/contact> vcard:hasEmail <auskunftsdienst@bfs.admin.ch> , <mailto:a@b.ch> , <http://c/page> .";
        let triples = parse(
            turtle.as_bytes(),
            RdfFormat::Turtle,
            Some("file:///data/1894.xml"),
            "1894.xml",
        )
        .unwrap();
        let minter = Minter::new(&Layout::default(), "s").unwrap();
        let output = finish(triples, &minter, Report::default(), FinishOptions::default());
        let mut emails: Vec<String> = output.triples.iter().map(|t| t.object.to_string()).collect();
        emails.sort();
        assert_eq!(
            emails,
            [
                "<http://c/page>",
                "<mailto:a@b.ch>",
                "<mailto:auskunftsdienst@bfs.admin.ch>"
            ]
        );
        assert!(
            output.report.warnings.iter().any(|w| w.contains(
                "<file:///data/auskunftsdienst@bfs.admin.ch> is an e-mail address written without mailto:"
            )),
            "{:?}",
            output.report.warnings
        );
    }

    /// As the Comune di Alessandria's DCAT-AP IT export types its licences
    /// (`rdf:resource="dct:LicenseDocument"`).
    #[test]
    fn a_prefixed_name_written_as_an_iri_is_read_as_the_term_it_names() {
        let xml = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="http://c/licence">
              <rdf:type rdf:resource="dct:LicenseDocument"/>
              <rdf:type rdf:resource="urn:x:y"/>
            </rdf:Description></rdf:RDF>"#;
        let triples = parse(
            xml.as_bytes(),
            RdfFormat::RdfXml,
            Some("file:///data/c.rdf"),
            "c.rdf",
        )
        .unwrap();
        let mut report = Report::default();
        let mut triples = triples;
        repair(&mut triples, &mut report);
        let mut types: Vec<String> = triples.iter().map(|t| t.object.to_string()).collect();
        types.sort();
        assert_eq!(types, ["<http://purl.org/dc/terms/LicenseDocument>", "<urn:x:y>"]);
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(
            report.warnings[0].contains("<dct:LicenseDocument>"),
            "{:?}",
            report.warnings
        );
    }
}
