//! The `csw` source kind: an OGC Catalogue Service (CSW 2.0.2), as GeoNetwork and pycsw
//! serve the geoportals of Europe's regions, asked for its records as DCAT.
//!
//! A harvest pages through `GetRecords` with `outputSchema=http://www.w3.org/ns/dcat#` (a
//! source's `format = "geodcat-ap"` asks for GeoDCAT-AP, `http://data.europa.eu/930/`,
//! instead), `maxRecords` 100 at a time, following `nextRecord` until it is 0 or past
//! `numberOfRecordsMatched`. Each response is an XML envelope, not RDF/XML: the records
//! are `rdf:RDF` elements inside `csw:SearchResults`. Each is read as an RDF/XML document of
//! its own, with the namespace declarations of the envelope around it, and its triples
//! join the source's. A file of one response (a `GetRecordsResponse` saved to disk) reads
//! the same way.
//!
//! ISO 19139 records (`gmd:MD_Metadata`), which a CSW answers when asked for its default
//! schema (and which a source asks for with `format = "iso19139"`, for services such as
//! pycsw that serve no DCAT), are mapped by [`super::iso19139`]. A CSW exception report is
//! an error carrying the service's own message.

use crate::config::{HarvestSettings, SourceConfig};
use crate::emit::Emitter;
use crate::error::{IngestError, Result};
use crate::fetch::Fetcher;
use crate::harvest::Progress;
use crate::mint::Minter;
use crate::rdf_document;
use crate::report::Report;
use crate::sources::iso19139;
use oxigraph::io::RdfFormat;
use oxigraph::model::Triple;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

const RDF_NS: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const CSW_NS: &[u8] = b"http://www.opengis.net/cat/csw/2.0.2";
const GMD_NS: &[u8] = b"http://www.isotc211.org/2005/gmd";
const OWS_NS: &[&[u8]] = &[b"http://www.opengis.net/ows", b"http://www.opengis.net/ows/1.1"];

/// The output schema a harvest asks for: DCAT, or GeoDCAT-AP or ISO 19139 when the source
/// says so.
pub fn output_schema(format: Option<&str>) -> &'static str {
    match format.map(str::to_ascii_lowercase).as_deref() {
        Some("geodcat-ap" | "geodcatap" | "http://data.europa.eu/930/") => "http://data.europa.eu/930/",
        Some("iso19139" | "iso" | "gmd" | "http://www.isotc211.org/2005/gmd") => {
            "http://www.isotc211.org/2005/gmd"
        }
        _ => "http://www.w3.org/ns/dcat#",
    }
}

/// One `GetRecords` response.
#[derive(Debug, Default)]
pub struct CswPage {
    /// The triples of every record in it.
    pub triples: Vec<Triple>,
    /// `nextRecord`, when there are more records to ask for.
    pub next_record: Option<u64>,
    /// `numberOfRecordsMatched`.
    pub matched: Option<u64>,
    /// `numberOfRecordsReturned`.
    pub returned: Option<u64>,
}

/// Whether `bytes` look like a CSW response (its root element is in the CSW namespace) or
/// an ISO 19139 record (`gmd:MD_Metadata`): how a file's kind is told apart from plain
/// RDF/XML.
pub fn is_response(bytes: &[u8]) -> bool {
    let mut reader = NsReader::from_reader(bytes);
    loop {
        match reader.read_resolved_event() {
            Ok((ns, Event::Start(start) | Event::Empty(start))) => {
                return match ns {
                    ResolveResult::Bound(Namespace(n)) if n == CSW_NS => true,
                    ResolveResult::Bound(Namespace(n)) if n == GMD_NS => {
                        start.local_name().as_ref() == b"MD_Metadata"
                    }
                    _ => false,
                };
            }
            Ok((_, Event::Eof)) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Reads one `GetRecords` response (or one ISO 19139 record on its own). `base` resolves
/// relative IRIs in its records; `document` names it in errors; what was repaired or
/// rejected goes to `report`.
pub fn read_response(
    bytes: &[u8],
    base: Option<&str>,
    document: &str,
    minter: &Minter,
    report: &mut Report,
) -> Result<CswPage> {
    if let Some((offset, why)) = civicgraph_graph::xml_entities::refusal(bytes) {
        return Err(IngestError::shape(document, format!("at byte {offset}: {why}")));
    }
    let mut reader = NsReader::from_reader(bytes);
    let xml_error = |e: quick_xml::Error, at: u64| {
        IngestError::shape(document, format!("not well-formed XML at byte {at}: {e}"))
    };
    let mut page = CswPage::default();
    // The namespace declarations of the open elements, outermost first.
    let mut scopes: Vec<Vec<(String, String)>> = Vec::new();
    let mut exception: Option<String> = None;
    let mut in_exception_text = false;
    // The root element's namespace and name.
    let mut root: Option<(Vec<u8>, Vec<u8>)> = None;
    let mut iso = Vec::new();
    loop {
        let before = reader.buffer_position();
        let (ns, event) = reader.read_resolved_event().map_err(|e| xml_error(e, before))?;
        let bound = |n: &[u8]| matches!(ns, ResolveResult::Bound(Namespace(b)) if b == n);
        match event {
            Event::Start(start) => {
                let local = start.local_name().as_ref().to_vec();
                root.get_or_insert_with(|| (namespace_of(&ns), local.clone()));
                let name = start.name().as_ref().to_vec();
                // The whole element, from its start tag to its end tag.
                let element = |reader: &mut NsReader<&[u8]>| {
                    reader
                        .read_to_end(quick_xml::name::QName(&name))
                        .map(|_| &bytes[before as usize..reader.buffer_position() as usize])
                        .map_err(|e| xml_error(e, before))
                };
                if bound(RDF_NS) && local == b"RDF" {
                    let record = element(&mut reader)?;
                    let standalone = with_namespaces(record, &name, &scopes);
                    let at = format!("{document} (record at byte {before})");
                    let (triples, note) =
                        rdf_document::parse_leniently(&standalone, RdfFormat::RdfXml, base, &at)?;
                    page.triples.extend(triples);
                    report.warnings.extend(note);
                    continue;
                }
                if bound(GMD_NS) && local == b"MD_Metadata" {
                    let record = iso19139::Element::parse(element(&mut reader)?).map_err(|e| {
                        IngestError::shape(document, format!("ISO 19139 record at byte {before}: {e}"))
                    })?;
                    iso.push(record);
                    continue;
                }
                if local == b"SearchResults" && bound(CSW_NS) {
                    for attribute in start.attributes().flatten() {
                        let value = String::from_utf8_lossy(&attribute.value)
                            .trim()
                            .parse::<u64>()
                            .ok();
                        match attribute.key.as_ref() {
                            b"nextRecord" => page.next_record = value,
                            b"numberOfRecordsMatched" => page.matched = value,
                            b"numberOfRecordsReturned" => page.returned = value,
                            _ => {}
                        }
                    }
                }
                in_exception_text = local == b"ExceptionText" && OWS_NS.iter().any(|n| bound(n));
                if local == b"ExceptionReport" && OWS_NS.iter().any(|n| bound(n)) {
                    exception.get_or_insert_with(String::new);
                }
                scopes.push(declarations(&start));
            }
            Event::Empty(start) if root.is_none() => {
                root = Some((namespace_of(&ns), start.local_name().as_ref().to_vec()));
            }
            Event::Text(text) if in_exception_text => {
                if let (Some(message), Ok(text)) = (exception.as_mut(), text.unescape()) {
                    message.push_str(text.trim());
                }
            }
            Event::End(_) => {
                scopes.pop();
                in_exception_text = false;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(message) = exception {
        return Err(IngestError::shape(
            document,
            format!(
                "the catalogue service answered with an exception: {}",
                if message.is_empty() {
                    "no message"
                } else {
                    &message
                }
            ),
        ));
    }
    match &root {
        Some((namespace, _)) if namespace == CSW_NS => {}
        Some((namespace, name)) if namespace == GMD_NS && name == b"MD_Metadata" => {}
        Some((_, name)) => {
            return Err(IngestError::shape(
                document,
                format!(
                    "not a CSW GetRecords response: its root element is {}",
                    String::from_utf8_lossy(name)
                ),
            ));
        }
        None => {
            return Err(IngestError::shape(
                document,
                "not a CSW GetRecords response: no element",
            ));
        }
    }
    let mut out = Emitter::default();
    iso19139::map_records(&iso, document, minter, &mut out, report);
    page.triples.extend(out.triples);
    // nextRecord 0, or past the last match, means this was the last page.
    if page.next_record == Some(0) || matches!((page.next_record, page.matched), (Some(n), Some(m)) if n > m)
    {
        page.next_record = None;
    }
    Ok(page)
}

/// The namespace an element's name resolved to (empty when unbound).
fn namespace_of(ns: &ResolveResult<'_>) -> Vec<u8> {
    match ns {
        ResolveResult::Bound(Namespace(n)) => n.to_vec(),
        _ => Vec::new(),
    }
}

/// The `xmlns` declarations of an element, as (attribute name, value).
fn declarations(start: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    start
        .attributes()
        .flatten()
        .filter(|a| a.key.as_ref() == b"xmlns" || a.key.as_ref().starts_with(b"xmlns:"))
        .map(|a| {
            (
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                String::from_utf8_lossy(&a.value).into_owned(),
            )
        })
        .collect()
}

/// `record` (an `rdf:RDF` element cut from the envelope) as a document of its own: the
/// namespaces the envelope declared around it are declared on it, unless it declares
/// them itself.
fn with_namespaces(record: &[u8], name: &[u8], scopes: &[Vec<(String, String)>]) -> Vec<u8> {
    let head_end = record.iter().position(|b| *b == b'>').unwrap_or(record.len());
    let head = String::from_utf8_lossy(&record[..head_end]);
    // The record's own declarations and those already inserted, in sets: an envelope of
    // many thousand declarations is not compared pair by pair.
    let declared: std::collections::HashSet<&str> = head
        .split_whitespace()
        .filter_map(|part| part.split_once('=').map(|(key, _)| key))
        .collect();
    let mut inserted = String::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (key, value) in scopes.iter().rev().flatten() {
        if !seen.insert(key.as_str()) {
            continue;
        }
        if !declared.contains(key.as_str()) {
            let value = value.replace('"', "&quot;");
            inserted.push_str(&format!(" {key}=\"{value}\""));
        }
    }
    let split = 1 + name.len();
    let mut out = Vec::with_capacity(record.len() + inserted.len());
    out.extend_from_slice(&record[..split]);
    out.extend_from_slice(inserted.as_bytes());
    out.extend_from_slice(&record[split..]);
    out
}

/// How many records a harvest asks for at once.
const PAGE_SIZE: u64 = 100;

/// The `GetRecords` request for the records from `start` (1-based).
fn request_url(endpoint: &str, schema: &str, start: u64) -> Result<String> {
    let mut url = reqwest::Url::parse(endpoint)
        .map_err(|e| IngestError::Config(format!("CSW endpoint {endpoint:?}: {e}")))?;
    let keep: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            ![
                "service",
                "version",
                "request",
                "typenames",
                "resulttype",
                "elementsetname",
                "outputschema",
                "startposition",
                "maxrecords",
            ]
            .contains(&k.to_ascii_lowercase().as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(keep)
        .append_pair("service", "CSW")
        .append_pair("version", "2.0.2")
        .append_pair("request", "GetRecords")
        .append_pair("typeNames", "csw:Record")
        .append_pair("resultType", "results")
        .append_pair("elementSetName", "full")
        .append_pair("outputSchema", schema)
        .append_pair("startPosition", &start.to_string())
        .append_pair("maxRecords", &PAGE_SIZE.to_string());
    Ok(url.into())
}

/// Reads the whole catalogue of a `csw` source: its file (one saved response), or every
/// page of `GetRecords` from its endpoint.
pub(crate) async fn read(
    source: &SourceConfig,
    settings: &HarvestSettings,
    fetcher: &Fetcher,
    minter: &Minter,
    report: &mut Report,
    progress: &Progress,
) -> Result<Vec<Triple>> {
    if let Some(path) = &source.path {
        let (bytes, name, base) = super::read_source_file(source, path, settings)?;
        report.documents.push(name.clone());
        return Ok(read_response(&bytes, Some(&base), &name, minter, report)?.triples);
    }
    let endpoint = source
        .url
        .clone()
        .ok_or_else(|| IngestError::Config(format!("source {}: give url or path", source.id)))?;
    let schema = output_schema(source.format.as_deref());
    let mut triples = Vec::new();
    let mut start = 1;
    for page in 1.. {
        if page > settings.max_pages {
            return Err(IngestError::Http {
                url: endpoint,
                message: format!(
                    "more than {} pages; raise harvest.max_pages if this is right",
                    settings.max_pages
                ),
            });
        }
        let url = request_url(&endpoint, schema, start)?;
        let fetched = fetcher
            .get(&url, "application/xml, text/xml;q=0.9, */*;q=0.1")
            .await?;
        let parsed = read_response(&fetched.bytes, Some(&fetched.url), &fetched.url, minter, report)?;
        report.documents.push(fetched.url.clone());
        triples.extend(parsed.triples);
        progress(&format!(
            "page {page}: {} triples, {} of {} records",
            triples.len(),
            (start - 1 + parsed.returned.unwrap_or(0)),
            parsed.matched.map_or("?".to_owned(), |m| m.to_string())
        ));
        match parsed.next_record {
            // A service that does not move forward would be asked the same page forever.
            Some(next) if next > start => start = next,
            _ => break,
        }
    }
    Ok(triples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicgraph_graph::Layout;

    fn read(bytes: &[u8], base: Option<&str>, document: &str) -> Result<CswPage> {
        let minter = Minter::new(&Layout::default(), "geo").unwrap();
        read_response(bytes, base, document, &minter, &mut Report::default())
    }

    const RESPONSE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:dct="http://purl.org/dc/terms/">
  <csw:SearchResults numberOfRecordsMatched="3" numberOfRecordsReturned="2" nextRecord="3">
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#">
      <dcat:Dataset rdf:about="https://geo.example.eu/d/1"><dct:title>Flood zones</dct:title></dcat:Dataset>
    </rdf:RDF>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#">
      <dcat:Dataset rdf:about="d/2"><dct:title>Bus stops</dct:title></dcat:Dataset>
    </rdf:RDF>
  </csw:SearchResults>
</csw:GetRecordsResponse>"#;

    #[test]
    fn each_record_of_a_response_is_read_with_the_envelopes_namespaces() {
        assert!(is_response(RESPONSE.as_bytes()));
        let page = read(RESPONSE.as_bytes(), Some("https://geo.example.eu/csw"), "page1").unwrap();
        let lines: Vec<String> = page.triples.iter().map(ToString::to_string).collect();
        // dct: is declared only on the envelope; the relative IRI resolves against the page.
        assert!(
            lines
                .iter()
                .any(|l| l.contains("<http://purl.org/dc/terms/title> \"Flood zones\"")),
            "{lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("<https://geo.example.eu/d/2>")),
            "{lines:#?}"
        );
        assert_eq!(
            (page.next_record, page.matched, page.returned),
            (Some(3), Some(3), Some(2))
        );
        let last = RESPONSE.replace("nextRecord=\"3\"", "nextRecord=\"0\"");
        assert_eq!(
            read(last.as_bytes(), Some("https://geo.example.eu/csw"), "p")
                .unwrap()
                .next_record,
            None
        );
    }

    #[test]
    fn exceptions_and_other_documents_are_refused_with_what_they_are() {
        let exception = r#"<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception exceptionCode="InvalidParameterValue">
            <ows:ExceptionText>Invalid outputSchema</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"#;
        let error = read(exception.as_bytes(), None, "csw").unwrap_err().to_string();
        assert!(error.contains("Invalid outputSchema"), "{error}");
        let error = read(
            b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>",
            None,
            "plain.rdf",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("plain.rdf") && error.contains("root element is RDF"),
            "{error}"
        );
        let error = read(b"<a><b></a>", None, "bad.xml").unwrap_err().to_string();
        assert!(error.contains("bad.xml") && error.contains("byte"), "{error}");
    }

    #[test]
    fn requests_ask_for_dcat_a_page_at_a_time_and_keep_the_endpoints_own_parameters() {
        let url = request_url(
            "https://geo.example.eu/geonetwork/srv/fre/csw?REQUEST=GetCapabilities&portal=x",
            "http://www.w3.org/ns/dcat#",
            101,
        )
        .unwrap();
        assert!(
            url.contains("portal=x") && !url.contains("GetCapabilities"),
            "{url}"
        );
        assert!(
            url.contains("outputSchema=http%3A%2F%2Fwww.w3.org%2Fns%2Fdcat%23")
                && url.contains("startPosition=101"),
            "{url}"
        );
        assert_eq!(output_schema(Some("GeoDCAT-AP")), "http://data.europa.eu/930/");
    }
}
