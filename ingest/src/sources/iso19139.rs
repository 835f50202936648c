//! ISO 19139 metadata records (`gmd:MD_Metadata`), as INSPIRE geoportals publish them
//! through a CSW, mapped to DCAT-AP: the core elements, as GeoDCAT-AP's core profile maps
//! them and CKAN's ISO harvester (ckanext-spatial) reads them.
//!
//! | ISO 19139 | DCAT-AP |
//! |---|---|
//! | `hierarchyLevel` `service` / anything else | `dcat:DataService` / `dcat:Dataset` |
//! | `fileIdentifier`, the citation's `identifier/*/code` | `dct:identifier`; the record's IRI is minted from the file identifier, or is the code when that is an http(s) IRI |
//! | `citation/*/title`, `abstract` | `dct:title`, `dct:description` (tagged with the metadata language) |
//! | `descriptiveKeywords/*/keyword` | `dcat:keyword` |
//! | `topicCategory` | `dct:subject` (INSPIRE's topic-category code list) |
//! | `citation/*/date` of type publication / revision / creation; else `dateStamp` | `dct:issued` / `dct:modified` / `dct:created` |
//! | `language` | `dct:language` (EU authority table) |
//! | `pointOfContact` by role: publisher / owner / author or originator / any other | `dct:publisher` / `dct:rightsHolder` / `dct:creator` (`foaf:Agent`: `foaf:name`, `foaf:mbox`) / `dcat:contactPoint` (`vcard:Organization`: `vcard:fn`, `vcard:hasEmail`) |
//! | `distributionInfo` online resources | `dcat:distribution`: `dcat:accessURL`, also `dcat:downloadURL` for `WWW:DOWNLOAD` protocols, `dct:title`, `dct:description`, `dct:format` from the protocol or the distribution format (EU file types) |
//! | `EX_GeographicBoundingBox` | `dct:spatial` → `dct:Location` with `dcat:bbox` (WKT) |
//! | `MD_LegalConstraints`: `useConstraints` / `accessConstraints` (`otherConstraints` text or anchor) ; `useLimitation` | `dct:license` / `dct:accessRights` ; `dct:rights` |
//! | `LI_Lineage/statement` | `dct:provenance` |
//!
//! A record without a title is rejected with its file identifier. Elements are found by
//! their local names (`gmd:`, `gco:`, `gmx:` and `srv:` names do not clash), so ISO 19115-3
//! records that keep the same names read too.

use crate::emit::{Emitter, absolute_iri, collapse_whitespace};
use crate::mint::Minter;
use crate::report::Report;
use civicgraph_vocab::authority;
use civicgraph_vocab::ext::{dcat, dct, foaf, vcard};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode};
use quick_xml::events::Event;

const WKT_LITERAL: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.opengis.net/ont/geosparql#wktLiteral");
const TOPIC_CATEGORY: &str = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/";

/// One XML element: its local name, attributes (local names) and text, and its children.
#[derive(Debug, Default)]
pub struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    /// Reads the element `xml` holds (one whole element, as cut from a larger document).
    pub fn parse(xml: &[u8]) -> Result<Self, String> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        // The open elements; the bottom one collects the root.
        let mut stack: Vec<Element> = vec![Element::default()];
        loop {
            let at = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| format!("not well-formed XML at byte {at}: {e}"))?;
            match event {
                Event::Start(start) => stack.push(Element::open(&start)),
                Event::Empty(start) => {
                    let element = Element::open(&start);
                    stack.last_mut().expect("the bottom stays").children.push(element);
                }
                Event::Text(text) => {
                    let text = text.unescape().map_err(|e| format!("at byte {at}: {e}"))?;
                    stack.last_mut().expect("the bottom stays").text.push_str(&text);
                }
                Event::CData(data) => {
                    stack
                        .last_mut()
                        .expect("the bottom stays")
                        .text
                        .push_str(&String::from_utf8_lossy(&data));
                }
                Event::End(_) => {
                    if stack.len() < 2 {
                        return Err(format!("an end tag with no element open at byte {at}"));
                    }
                    let element = stack.pop().expect("checked");
                    stack.last_mut().expect("the bottom stays").children.push(element);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut bottom = stack.swap_remove(0);
        bottom.children.pop().ok_or_else(|| "no element".to_owned())
    }

    fn open(start: &quick_xml::events::BytesStart<'_>) -> Self {
        Element {
            name: local(start.name().as_ref()),
            attributes: start
                .attributes()
                .flatten()
                .map(|a| {
                    (
                        local(a.key.as_ref()),
                        a.unescape_value().map(|v| v.into_owned()).unwrap_or_default(),
                    )
                })
                .collect(),
            ..Element::default()
        }
    }

    /// The children named `name`.
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The elements at the end of `path` (child names; `*` is any child).
    fn find_all<'a>(&'a self, path: &[&str]) -> Vec<&'a Element> {
        let mut at = vec![self];
        for step in path {
            at = at
                .into_iter()
                .flat_map(|e| e.children.iter().filter(|c| *step == "*" || c.name == *step))
                .collect();
        }
        at
    }

    fn find<'a>(&'a self, path: &[&str]) -> Option<&'a Element> {
        self.find_all(path).into_iter().next()
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|v| !v.is_empty())
    }

    /// The text an ISO property holds: its `gco:CharacterString`, `gmx:Anchor`, `gco:Date`,
    /// URL or other value child, or its own text; whitespace collapsed.
    fn value(&self) -> Option<String> {
        let own = collapse_whitespace(&self.text);
        if !own.is_empty() {
            return Some(own);
        }
        self.children.iter().find_map(|c| {
            let text = collapse_whitespace(&c.text);
            (!text.is_empty()).then_some(text)
        })
    }

    /// A code list value (`<gmd:CI_RoleCode codeListValue="publisher">`) of the property.
    fn code(&self) -> Option<String> {
        self.children
            .iter()
            .find_map(|c| c.attribute("codeListValue").map(str::to_owned))
            .or_else(|| self.value())
    }

    /// The IRI an anchor names (`<gmx:Anchor xlink:href="…">`), if any.
    fn anchor(&self) -> Option<NamedNode> {
        self.children
            .iter()
            .filter(|c| c.name == "Anchor")
            .find_map(|c| c.attribute("href").and_then(absolute_iri))
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

/// ISO 639-2 codes (bibliographic and terminology) and the ISO 639-1 tags of the
/// languages European geoportals write in.
const LANGUAGES: &[(&str, &str, &str)] = &[
    ("bul", "bul", "bg"),
    ("cze", "ces", "cs"),
    ("dan", "dan", "da"),
    ("ger", "deu", "de"),
    ("gre", "ell", "el"),
    ("eng", "eng", "en"),
    ("spa", "spa", "es"),
    ("est", "est", "et"),
    ("fin", "fin", "fi"),
    ("fre", "fra", "fr"),
    ("gle", "gle", "ga"),
    ("hrv", "hrv", "hr"),
    ("hun", "hun", "hu"),
    ("ice", "isl", "is"),
    ("ita", "ita", "it"),
    ("lit", "lit", "lt"),
    ("lav", "lav", "lv"),
    ("mlt", "mlt", "mt"),
    ("dut", "nld", "nl"),
    ("nor", "nor", "no"),
    ("pol", "pol", "pl"),
    ("por", "por", "pt"),
    ("rum", "ron", "ro"),
    ("slo", "slk", "sk"),
    ("slv", "slv", "sl"),
    ("swe", "swe", "sv"),
    ("cat", "cat", "ca"),
    ("eus", "eus", "eu"),
    ("baq", "eus", "eu"),
    ("glg", "glg", "gl"),
    ("ltz", "ltz", "lb"),
];

/// A record's language as (EU authority code, language tag).
fn language(code: &str) -> Option<(String, &'static str)> {
    let code = code.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(b, t, tag)| code == *b || code == *t || code == *tag)
        .map(|(_, t, tag)| (t.to_ascii_uppercase(), *tag))
}

/// Maps every `MD_Metadata` record in `records`; `document` names where they came from.
pub fn map_records(
    records: &[Element],
    document: &str,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
) {
    for (index, record) in records.iter().enumerate() {
        let position = format!("{document}: ISO 19139 record {}", index + 1);
        if let Err(reason) = map_record(record, minter, out) {
            let id = record
                .find(&["fileIdentifier"])
                .and_then(Element::value)
                .unwrap_or_else(|| format!("record {}", index + 1));
            report.reject(id, position, reason);
        }
    }
}

fn map_record(m: &Element, minter: &Minter, out: &mut Emitter) -> Result<NamedNode, String> {
    let file_id = m.find(&["fileIdentifier"]).and_then(Element::value);
    let service = m
        .find(&["hierarchyLevel"])
        .and_then(Element::code)
        .is_some_and(|level| level.eq_ignore_ascii_case("service"));
    let ident = m
        .find(&["identificationInfo", "*"])
        .ok_or("no identificationInfo")?;
    let citation = ident.find(&["citation", "CI_Citation"]).ok_or("no citation")?;
    let title = citation
        .find(&["title"])
        .and_then(Element::value)
        .ok_or("no title")?;
    let codes: Vec<String> = citation
        .find_all(&["identifier", "*", "code"])
        .into_iter()
        .filter_map(Element::value)
        .collect();
    let iri = codes
        .iter()
        .find_map(|c| absolute_iri(c).filter(|i| i.as_str().starts_with("http")))
        .or_else(|| file_id.as_ref().map(|f| minter.record("dataset", f)))
        .or_else(|| codes.first().map(|c| minter.record("dataset", c)))
        .ok_or("neither a fileIdentifier nor a resource identifier")?;
    let d: NamedOrBlankNode = iri.clone().into();
    out.add(
        d.clone(),
        rdf::TYPE,
        if service {
            dcat::DATA_SERVICE
        } else {
            dcat::DATASET
        },
    );
    let language = m
        .find(&["language"])
        .and_then(Element::code)
        .and_then(|code| language(&code));
    let tag = language.as_ref().map_or("", |(_, tag)| *tag);
    let text = |out: &mut Emitter, subject: &NamedOrBlankNode, predicate, value: &str| {
        if tag.is_empty() {
            out.text(subject, predicate, value);
        } else {
            out.lang_text(subject, predicate, value, tag);
        }
    };
    text(out, &d, dct::TITLE, &title);
    if let Some(description) = ident.find(&["abstract"]).and_then(Element::value) {
        text(out, &d, dct::DESCRIPTION, &description);
    }
    for id in file_id.iter().chain(&codes) {
        out.text(&d, dct::IDENTIFIER, id);
    }
    if let Some((code, _)) = &language {
        match authority::languages().lookup(code) {
            Some(iri) => out.add_typed(&d, dct::LANGUAGE, iri, dct::LINGUISTIC_SYSTEM),
            None => out.text(&d, dct::LANGUAGE, code),
        }
    }
    for keyword in ident.find_all(&["descriptiveKeywords", "MD_Keywords", "keyword"]) {
        if let Some(word) = keyword.value() {
            text(out, &d, dcat::KEYWORD, &word);
        }
    }
    for topic in ident.all("topicCategory").filter_map(Element::value) {
        out.link(&d, dct::SUBJECT, &format!("{TOPIC_CATEGORY}{topic}"));
    }
    map_dates(m, citation, &d, out);
    for party in ident.find_all(&["pointOfContact", "CI_ResponsibleParty"]) {
        map_party(party, &d, minter, out);
    }
    map_distributions(m, &d, minter, out);
    for bbox in ident.find_all(&[
        "extent",
        "EX_Extent",
        "geographicElement",
        "EX_GeographicBoundingBox",
    ]) {
        let corner = |name: &str| {
            bbox.find(&[name])
                .and_then(Element::value)
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let (Some(w), Some(e), Some(s), Some(n)) = (
            corner("westBoundLongitude"),
            corner("eastBoundLongitude"),
            corner("southBoundLatitude"),
            corner("northBoundLatitude"),
        ) {
            let place: NamedOrBlankNode = out.blank().into();
            out.add(d.clone(), dct::SPATIAL, place.clone());
            out.add(place.clone(), rdf::TYPE, dct::LOCATION);
            let wkt = format!("POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))");
            out.typed(&place, dcat::BBOX, &wkt, WKT_LITERAL);
        }
    }
    map_constraints(ident, &d, out);
    for statement in m
        .find_all(&[
            "dataQualityInfo",
            "DQ_DataQuality",
            "lineage",
            "LI_Lineage",
            "statement",
        ])
        .into_iter()
        .filter_map(Element::value)
    {
        let node: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dct::PROVENANCE, node.clone());
        out.add(node.clone(), rdf::TYPE, dct::PROVENANCE_STATEMENT);
        text(out, &node, rdfs::LABEL, &statement);
    }
    Ok(iri)
}

/// The record's dates, as text: the harvest's finishing types them
/// ([`crate::dates::normalise`]), as it does every source's dates.
fn map_dates(m: &Element, citation: &Element, d: &NamedOrBlankNode, out: &mut Emitter) {
    let mut modified = false;
    for date in citation.find_all(&["date", "CI_Date"]) {
        let (Some(value), Some(kind)) = (
            date.find(&["date"]).and_then(Element::value),
            date.find(&["dateType"]).and_then(Element::code),
        ) else {
            continue;
        };
        let property = match kind.as_str() {
            "publication" => dct::ISSUED,
            "revision" => {
                modified = true;
                dct::MODIFIED
            }
            "creation" => dct::CREATED,
            _ => continue,
        };
        out.text(d, property, &value);
    }
    if !modified && let Some(stamp) = m.find(&["dateStamp"]).and_then(Element::value) {
        out.text(d, dct::MODIFIED, &stamp);
    }
}

fn map_party(party: &Element, d: &NamedOrBlankNode, minter: &Minter, out: &mut Emitter) {
    let organisation = party.find(&["organisationName"]).and_then(Element::value);
    let name = organisation
        .clone()
        .or_else(|| party.find(&["individualName"]).and_then(Element::value));
    let email = party
        .find(&[
            "contactInfo",
            "CI_Contact",
            "address",
            "CI_Address",
            "electronicMailAddress",
        ])
        .and_then(Element::value);
    let Some(label) = name.clone().or_else(|| email.clone()) else {
        return;
    };
    let role = party.find(&["role"]).and_then(Element::code).unwrap_or_default();
    let agent_property = match role.as_str() {
        "publisher" => Some(dct::PUBLISHER),
        "owner" => Some(dct::RIGHTS_HOLDER),
        "author" | "originator" => Some(dct::CREATOR),
        _ => None,
    };
    match agent_property {
        Some(property) => {
            let agent = minter.record("agent", &label);
            let a: NamedOrBlankNode = agent.clone().into();
            out.add(d.clone(), property, agent);
            out.add(a.clone(), rdf::TYPE, foaf::AGENT);
            if let Some(name) = &name {
                out.text(&a, foaf::NAME, name);
            }
            if let Some(email) = &email {
                out.email(&a, foaf::MBOX, email);
            }
        }
        None => {
            let contact: NamedOrBlankNode = out.blank().into();
            out.add(d.clone(), dcat::CONTACT_POINT, contact.clone());
            out.add(contact.clone(), rdf::TYPE, vcard::KIND);
            if organisation.is_some() {
                out.add(contact.clone(), rdf::TYPE, vcard::ORGANIZATION);
            }
            if let Some(name) = &name {
                out.text(&contact, vcard::FN, name);
            }
            if let Some(email) = &email {
                out.email(&contact, vcard::HAS_EMAIL, email);
            }
        }
    }
}

fn map_distributions(m: &Element, d: &NamedOrBlankNode, minter: &Minter, out: &mut Emitter) {
    let distribution = m.find_all(&["distributionInfo", "MD_Distribution"]);
    let formats: Vec<String> = distribution
        .iter()
        .flat_map(|x| x.find_all(&["distributionFormat", "MD_Format", "name"]))
        .filter_map(Element::value)
        .collect();
    let resources = distribution.iter().flat_map(|x| {
        x.find_all(&[
            "transferOptions",
            "MD_DigitalTransferOptions",
            "onLine",
            "CI_OnlineResource",
        ])
    });
    for resource in resources {
        let Some(url) = resource.find(&["linkage"]).and_then(Element::value) else {
            continue;
        };
        let Some(access) = absolute_iri(&url) else {
            continue;
        };
        let protocol = resource
            .find(&["protocol"])
            .and_then(Element::value)
            .unwrap_or_default();
        let name = resource.find(&["name"]).and_then(Element::value);
        // Services list one layer per resource, all at the same GetCapabilities URL.
        let key = format!("{url} {protocol} {}", name.as_deref().unwrap_or_default());
        let iri = minter.node(d.to_string().as_str(), "distribution", &key);
        let r: NamedOrBlankNode = iri.clone().into();
        out.add(d.clone(), dcat::DISTRIBUTION_PROPERTY, iri);
        out.add(r.clone(), rdf::TYPE, dcat::DISTRIBUTION);
        out.add(r.clone(), dcat::ACCESS_URL, access.clone());
        let download = protocol.to_ascii_uppercase().starts_with("WWW:DOWNLOAD");
        if download {
            out.add(r.clone(), dcat::DOWNLOAD_URL, access);
        }
        if let Some(name) = &name {
            out.text(&r, dct::TITLE, name);
        }
        if let Some(description) = resource.find(&["description"]).and_then(Element::value) {
            out.text(&r, dct::DESCRIPTION, &description);
        }
        // The protocol says what a service link serves (OGC:WMS); a file link's extension
        // says what it is; a download without one is in the distribution's format.
        let by_protocol = protocol.rsplit([':', '-']).find_map(|part| {
            authority::file_types()
                .lookup(part)
                .filter(|_| protocol.starts_with("OGC"))
        });
        let path = url.split(['?', '#']).next().unwrap_or_default();
        let by_extension = path
            .rsplit('/')
            .next()
            .and_then(|file| file.rsplit_once('.'))
            .and_then(|(_, extension)| authority::file_types().lookup(extension));
        let format = by_protocol.or(by_extension).or_else(|| {
            download
                .then(|| formats.iter().find_map(|f| authority::file_types().lookup(f)))
                .flatten()
        });
        if let Some(format) = format {
            out.add_typed(&r, dct::FORMAT, format, dct::MEDIA_TYPE_OR_EXTENT);
        }
    }
}

fn map_constraints(ident: &Element, d: &NamedOrBlankNode, out: &mut Emitter) {
    for constraints in ident.find_all(&["resourceConstraints", "*"]) {
        for limitation in constraints.all("useLimitation").filter_map(Element::value) {
            rights(out, d, dct::RIGHTS, dct::RIGHTS_STATEMENT, &limitation, None);
        }
        if constraints.name != "MD_LegalConstraints" {
            continue;
        }
        let (property, class) = if constraints.all("useConstraints").next().is_some() {
            (dct::LICENSE, dct::LICENSE_DOCUMENT)
        } else {
            (dct::ACCESS_RIGHTS, dct::RIGHTS_STATEMENT)
        };
        for other in constraints.all("otherConstraints") {
            if let Some(text) = other.value() {
                rights(out, d, property, class, &text, other.anchor());
            }
        }
    }
}

/// A rights statement or licence: the IRI an anchor names, else a node labelled with the text.
fn rights(
    out: &mut Emitter,
    d: &NamedOrBlankNode,
    property: NamedNodeRef<'_>,
    class: NamedNodeRef<'_>,
    text: &str,
    iri: Option<NamedNode>,
) {
    let node: NamedOrBlankNode = match iri {
        Some(iri) => iri.into(),
        None => out.blank().into(),
    };
    out.add(d.clone(), property, node.clone());
    out.add(node.clone(), rdf::TYPE, class);
    out.text(&node, rdfs::LABEL, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicgraph_graph::Layout;

    const RECORD: &str = r#"<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"
        xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink">
      <gmd:fileIdentifier><gco:CharacterString>abc-123</gco:CharacterString></gmd:fileIdentifier>
      <gmd:language><gmd:LanguageCode codeListValue="ger">ger</gmd:LanguageCode></gmd:language>
      <gmd:hierarchyLevel><gmd:MD_ScopeCode codeListValue="dataset"/></gmd:hierarchyLevel>
      <gmd:dateStamp><gco:DateTime>2024-03-01T10:00:00</gco:DateTime></gmd:dateStamp>
      <gmd:identificationInfo><gmd:MD_DataIdentification>
        <gmd:citation><gmd:CI_Citation>
          <gmd:title><gco:CharacterString>Hochwassergefahrenkarten</gco:CharacterString></gmd:title>
          <gmd:date><gmd:CI_Date><gmd:date><gco:Date>2019-05-02</gco:Date></gmd:date>
            <gmd:dateType><gmd:CI_DateTypeCode codeListValue="publication"/></gmd:dateType></gmd:CI_Date></gmd:date>
          <gmd:identifier><gmd:RS_Identifier><gmd:code><gco:CharacterString>https://registry.example.de/flood</gco:CharacterString></gmd:code></gmd:RS_Identifier></gmd:identifier>
        </gmd:CI_Citation></gmd:citation>
        <gmd:abstract><gco:CharacterString>Karten der   Überflutungsflächen &amp; Tiefen.</gco:CharacterString></gmd:abstract>
        <gmd:pointOfContact><gmd:CI_ResponsibleParty>
          <gmd:organisationName><gco:CharacterString>Landesamt für Umwelt</gco:CharacterString></gmd:organisationName>
          <gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address>
            <gmd:electronicMailAddress><gco:CharacterString>geo@lfu.example.de</gco:CharacterString></gmd:electronicMailAddress>
          </gmd:CI_Address></gmd:address></gmd:CI_Contact></gmd:contactInfo>
          <gmd:role><gmd:CI_RoleCode codeListValue="publisher"/></gmd:role>
        </gmd:CI_ResponsibleParty></gmd:pointOfContact>
        <gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword><gmx:Anchor xlink:href="http://inspire.ec.europa.eu/theme/nz">Gebiete mit naturbedingten Risiken</gmx:Anchor></gmd:keyword></gmd:MD_Keywords></gmd:descriptiveKeywords>
        <gmd:resourceConstraints><gmd:MD_LegalConstraints>
          <gmd:useConstraints><gmd:MD_RestrictionCode codeListValue="otherRestrictions"/></gmd:useConstraints>
          <gmd:otherConstraints><gmx:Anchor xlink:href="https://www.govdata.de/dl-de/by-2-0">Datenlizenz Deutschland – Namensnennung – Version 2.0</gmx:Anchor></gmd:otherConstraints>
        </gmd:MD_LegalConstraints></gmd:resourceConstraints>
        <gmd:topicCategory><gmd:MD_TopicCategoryCode>environment</gmd:MD_TopicCategoryCode></gmd:topicCategory>
        <gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
          <gmd:westBoundLongitude><gco:Decimal>8.97</gco:Decimal></gmd:westBoundLongitude>
          <gmd:eastBoundLongitude><gco:Decimal>13.84</gco:Decimal></gmd:eastBoundLongitude>
          <gmd:southBoundLatitude><gco:Decimal>47.27</gco:Decimal></gmd:southBoundLatitude>
          <gmd:northBoundLatitude><gco:Decimal>50.56</gco:Decimal></gmd:northBoundLatitude>
        </gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>
      </gmd:MD_DataIdentification></gmd:identificationInfo>
      <gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>
        <gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://geo.example.de/flood.zip</gmd:URL></gmd:linkage>
          <gmd:protocol><gco:CharacterString>WWW:DOWNLOAD-1.0-http--download</gco:CharacterString></gmd:protocol></gmd:CI_OnlineResource></gmd:onLine>
        <gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://geo.example.de/wms?SERVICE=WMS&amp;REQUEST=GetCapabilities</gmd:URL></gmd:linkage>
          <gmd:protocol><gco:CharacterString>OGC:WMS</gco:CharacterString></gmd:protocol><gmd:name><gco:CharacterString>flood</gco:CharacterString></gmd:name></gmd:CI_OnlineResource></gmd:onLine>
      </gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
    </gmd:MD_Metadata>"#;

    /// A record mapped and finished as a harvest stores it.
    fn mapped(xml: &str) -> (Vec<String>, Report) {
        let minter = Minter::new(&Layout::default(), "geo").unwrap();
        let (mut out, mut report) = (Emitter::default(), Report::default());
        let record = Element::parse(xml.as_bytes()).unwrap();
        map_records(&[record], "csw", &minter, &mut out, &mut report);
        let options = crate::report::FinishOptions {
            skip_validation: true,
            ..Default::default()
        };
        let output = crate::report::finish(out.triples, &minter, report, options);
        (
            output.triples.iter().map(ToString::to_string).collect(),
            output.report,
        )
    }

    #[test]
    fn an_iso_record_maps_to_a_dcat_ap_dataset() {
        let (lines, report) = mapped(RECORD);
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        let d = "<https://registry.example.de/flood>";
        assert!(
            has(&format!(
                "{d} <http://purl.org/dc/terms/title> \"Hochwassergefahrenkarten\"@de"
            )),
            "{lines:#?}"
        );
        assert!(
            has("\"Karten der Überflutungsflächen & Tiefen.\"@de"),
            "{lines:#?}"
        );
        assert!(has(
            "<http://purl.org/dc/terms/issued> \"2019-05-02\"^^<http://www.w3.org/2001/XMLSchema#date>"
        ));
        assert!(
            has("<http://purl.org/dc/terms/modified> \"2024-03-01T10:00:00\"^^"),
            "the date stamp, when no revision date"
        );
        assert!(has(
            "<http://publications.europa.eu/resource/authority/language/DEU>"
        ));
        assert!(
            has("<http://xmlns.com/foaf/0.1/mbox> <mailto:geo@lfu.example.de>"),
            "the publisher: {lines:#?}"
        );
        assert!(has("\"Gebiete mit naturbedingten Risiken\"@de"));
        assert!(
            has("<http://purl.org/dc/terms/license> <https://www.govdata.de/dl-de/by-2-0>"),
            "{lines:#?}"
        );
        assert!(has(
            "<http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/environment>"
        ));
        assert!(
            has("\"POLYGON((8.97 47.27,13.84 47.27,13.84 50.56,8.97 50.56,8.97 47.27))\""),
            "{lines:#?}"
        );
        assert!(has(
            "<http://www.w3.org/ns/dcat#downloadURL> <https://geo.example.de/flood.zip>"
        ));
        assert!(
            has("<http://publications.europa.eu/resource/authority/file-type/WMS_SRVC>"),
            "{lines:#?}"
        );
        assert!(report.rejections.is_empty());
    }

    #[test]
    fn a_record_without_a_title_is_rejected_with_its_file_identifier() {
        let untitled = RECORD.replace(
            "<gco:CharacterString>Hochwassergefahrenkarten</gco:CharacterString>",
            "",
        );
        let (lines, report) = mapped(&untitled);
        assert!(lines.is_empty());
        assert_eq!(report.rejections[0].record, "abc-123");
        assert!(report.rejections[0].reason.contains("no title"));
        assert!(Element::parse(b"<a><b></a>").is_err());
    }
}
