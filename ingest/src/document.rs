//! Mapping one document of a known (or guessed) kind: what a harvest does with each file or
//! page, and what `civicgraph validate` does with the one it is given.

use crate::emit::Emitter;
use crate::error::{IngestError, Result};
use crate::mint::Minter;
use crate::report::Report;
use crate::sources::{case_studies, ckan, csw, datajson, dcat};
use crate::syntax;
use oxigraph::model::Triple;
use serde_json::Value;

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// DCAT in an RDF syntax.
    Dcat,
    /// A DCAT-US `data.json`.
    Datajson,
    /// A CKAN `package_search` response, or a list of packages.
    CkanSearch,
    /// A CKAN `package_show` response, or one package dict.
    CkanPackage,
    /// Case studies as JSON.
    CaseStudiesJson,
    /// Case studies as CSV.
    CaseStudiesCsv,
    /// A CSW `GetRecords` response with DCAT records.
    Csw,
}

impl DocumentKind {
    /// Guesses the kind from the name and, for JSON, the content: RDF extensions are DCAT,
    /// `data.json` is DCAT-US, JSON with a CKAN `result` is CKAN, CSV is case studies.
    pub fn guess(name: &str, bytes: &[u8]) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return Some(Self::CaseStudiesCsv);
        }
        if lower.ends_with("data.json") {
            return Some(Self::Datajson);
        }
        if lower.ends_with(".json") {
            let json: Value = serde_json::from_slice(bytes).ok()?;
            let ckan = ckan::shape(&json);
            return Some(match &json {
                _ if ckan == Some(ckan::Shape::Search) => Self::CkanSearch,
                _ if ckan == Some(ckan::Shape::Shown) => Self::CkanPackage,
                v if v.get("dataset").is_some_and(Value::is_array) => Self::Datajson,
                _ if ckan == Some(ckan::Shape::Package) => Self::CkanPackage,
                v if datajson::looks_like_dataset(v) => Self::Datajson,
                v if v.get("@context").is_some() || v.get("@graph").is_some() => Self::Dcat,
                // A package also has a title and, with ckanext-dcat's schema, an identifier:
                // its name and CKAN's own fields tell it from a DCAT-US dataset.
                _ if ckan == Some(ckan::Shape::List) => Self::CkanSearch,
                // ckanext-dcat's dataset lists are bare arrays of DCAT-US datasets.
                Value::Array(items) if items.iter().any(datajson::looks_like_dataset) => Self::Datajson,
                Value::Array(items) if items.iter().any(Value::is_object) => Self::CaseStudiesJson,
                v if v.get("case_studies").is_some() => Self::CaseStudiesJson,
                _ => return None,
            });
        }
        if lower.ends_with(".xml") && csw::is_response(bytes) {
            return Some(Self::Csw);
        }
        syntax::detect(None, None, Some(name)).ok().map(|_| Self::Dcat)
    }
}

/// Maps `bytes` as `kind`. `format` overrides the RDF syntax; `content_type` helps tell it;
/// `base` resolves relative IRIs (the document's URL). CKAN IRIs are minted under `portal`.
#[allow(clippy::too_many_arguments)]
pub fn map(
    kind: DocumentKind,
    bytes: &[u8],
    name: &str,
    format: Option<&str>,
    content_type: Option<&str>,
    base: Option<&str>,
    portal: &str,
    minter: &Minter,
    report: &mut Report,
) -> Result<Vec<Triple>> {
    let mut out = Emitter::default();
    match kind {
        DocumentKind::Dcat => {
            let syntax = syntax::detect(format, content_type, Some(name))?;
            if syntax == oxigraph::io::RdfFormat::RdfXml && csw::is_response(bytes) {
                report.warnings.push(format!(
                    "{name}: a CSW GetRecords response, not RDF/XML: its DCAT records are read; \
                     a source of kind \"csw\" pages through the whole service"
                ));
                return Ok(csw::read_response(bytes, base, name, minter, report)?.triples);
            }
            return Ok(dcat::read_page(bytes, syntax, base, name, report)?.triples);
        }
        DocumentKind::Datajson => datajson::map_catalogue(bytes, name, None, minter, &mut out, report)?,
        DocumentKind::CkanSearch => {
            let page = ckan::parse_search(bytes, name)?;
            let mut datasets = Vec::new();
            for (i, package) in page.packages.iter().enumerate() {
                match ckan::map_package(package, portal, &mut out) {
                    Ok(iri) => datasets.push(iri),
                    Err(reason) => report.reject(format!("result {i}"), name, reason),
                }
            }
            ckan::catalogue(portal, portal, &datasets, &mut out);
        }
        DocumentKind::CkanPackage => {
            let json = ckan::parse_json(bytes, name)?;
            let package = json.get("result").unwrap_or(&json);
            if let Err(reason) = ckan::map_package(package, portal, &mut out) {
                return Err(IngestError::shape(name, reason));
            }
        }
        DocumentKind::CaseStudiesJson => case_studies::map_json(bytes, name, minter, &mut out, report)?,
        DocumentKind::CaseStudiesCsv => case_studies::map_csv(bytes, name, minter, &mut out, report)?,
        DocumentKind::Csw => {
            return Ok(csw::read_response(bytes, base, name, minter, report)?.triples);
        }
    }
    Ok(out.triples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(json: &str) -> Option<DocumentKind> {
        DocumentKind::guess("response.json", json.as_bytes())
    }

    #[test]
    fn ckan_lists_of_licenses_organizations_or_names_are_not_package_lists() {
        let packages = r#"{"success": true, "result": [{"name": "bins", "title": "Bins", "resources": []}]}"#;
        assert_eq!(guess(packages), Some(DocumentKind::CkanSearch));
        for other in [
            r#"{"success": true, "result": [{"id": "cc-by", "title": "Creative Commons Attribution", "url": "", "status": "active", "maintainer": ""}]}"#,
            r#"{"success": true, "result": ["bins", "roads"]}"#,
            r#"{"success": true, "result": [{"name": "leeds", "title": "Leeds", "is_organization": true, "extras": [], "package_count": 3}]}"#,
            r#"{"success": true, "result": {"id": "leeds", "name": "leeds", "type": "organization", "extras": []}}"#,
        ] {
            assert_eq!(guess(other), None, "{other}");
        }
        let error = ckan::parse_search(br#"{"result": ["bins"]}"#, "names.json")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("names.json") && error.contains("no CKAN packages"),
            "{error}"
        );
    }

    #[test]
    fn a_bare_list_of_ckan_packages_is_read_as_ckan_not_as_case_studies() {
        // ckanext-dcat's own example of a package as the API gives it, in a list.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/ckanext-dcat/examples/ckan/health_dcat_ap.json"
        );
        let Ok(bytes) = std::fs::read(path) else {
            return; // shared data not present
        };
        let kind = DocumentKind::guess("health_dcat_ap.json", &bytes);
        assert_eq!(kind, Some(DocumentKind::CkanSearch));
        let minter = Minter::new(&civicgraph_graph::Layout::default(), "list").unwrap();
        let mut report = Report::default();
        let triples = map(
            DocumentKind::CkanSearch,
            &bytes,
            "health_dcat_ap.json",
            None,
            None,
            None,
            "https://ckan.example.org",
            &minter,
            &mut report,
        )
        .unwrap();
        let datasets = triples
            .iter()
            .filter(|t| t.object.to_string().ends_with("/dcat#Dataset>"))
            .count();
        assert_eq!(datasets, 1, "{triples:#?}");
        assert!(report.rejections.is_empty(), "{:?}", report.rejections);
    }

    #[test]
    fn a_bare_array_of_dcat_us_datasets_is_a_data_json_catalogue() {
        let list = r#"[{"title": "Dataset 1", "identifier": "https://data.some.org/1", "distribution": []}]"#;
        assert_eq!(guess(list), Some(DocumentKind::Datajson));
        let minter = Minter::new(&civicgraph_graph::Layout::default(), "list").unwrap();
        let mut report = Report::default();
        let triples = map(
            DocumentKind::Datajson,
            list.as_bytes(),
            "list.json",
            None,
            None,
            None,
            "",
            &minter,
            &mut report,
        )
        .unwrap();
        assert!(
            triples.iter().any(|t| t.to_string().contains("\"Dataset 1\"")),
            "{triples:#?}"
        );
        // Case studies have titles too, but none of a dataset's fields.
        assert_eq!(
            guess(r#"[{"title": "Bin day finder", "patterns": ["access"]}]"#),
            Some(DocumentKind::CaseStudiesJson)
        );
        // A table of arrays (CKAN's resource_formats.json) is neither.
        assert_eq!(
            guess(r#"[["CSV", "Comma separated values", "text/csv", []]]"#),
            None
        );
    }
}
