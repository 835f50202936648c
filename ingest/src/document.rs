//! Mapping one document of a known (or guessed) kind: what a harvest does with each file or
//! page, and what `civicgraph validate` does with the one it is given.

use crate::emit::Emitter;
use crate::error::{IngestError, Result};
use crate::mint::Minter;
use crate::report::Report;
use crate::sources::{case_studies, ckan, datajson, dcat};
use crate::syntax;
use oxigraph::model::Triple;

/// What a document holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// DCAT in an RDF syntax.
    Dcat,
    /// A DCAT-US `data.json`.
    Datajson,
    /// A CKAN `package_search` response.
    CkanSearch,
    /// A CKAN `package_show` response, or one package dict.
    CkanPackage,
    /// Case studies as JSON.
    CaseStudiesJson,
    /// Case studies as CSV.
    CaseStudiesCsv,
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
            let json: serde_json::Value = serde_json::from_slice(bytes).ok()?;
            return Some(match &json {
                v if v.pointer("/result/results").is_some() => Self::CkanSearch,
                v if v.get("result").is_some_and(serde_json::Value::is_array) => Self::CkanSearch,
                v if v.pointer("/result/id").is_some() => Self::CkanPackage,
                v if v.get("dataset").is_some_and(serde_json::Value::is_array) => Self::Datajson,
                v if (v.get("id").is_some() || v.get("name").is_some())
                    && ["resources", "notes", "tags", "extras"]
                        .iter()
                        .any(|k| v.get(k).is_some()) =>
                {
                    Self::CkanPackage
                }
                v if v.get("title").is_some()
                    && (v.get("distribution").is_some() || v.get("identifier").is_some()) =>
                {
                    Self::Datajson
                }
                v if v.get("@context").is_some() || v.get("@graph").is_some() => Self::Dcat,
                serde_json::Value::Array(_) => Self::CaseStudiesJson,
                v if v.get("case_studies").is_some() => Self::CaseStudiesJson,
                _ => return None,
            });
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
            return Ok(dcat::read_page(bytes, syntax, base, name)?.triples);
        }
        DocumentKind::Datajson => datajson::map_catalogue(bytes, name, minter, &mut out, report)?,
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
    }
    Ok(out.triples)
}
