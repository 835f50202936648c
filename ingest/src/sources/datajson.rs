//! The `datajson` source kind: DCAT-US 1.1 / Project Open Data `data.json` catalogues.
//!
//! `data.json` names a JSON-LD context but is not written to be read as JSON-LD (its
//! `publisher`, `contactPoint` and `temporal` need DCAT-US's rules), so it is mapped field by
//! field, as ckanext-datajson and data.europa.eu do:
//!
//! | data.json | DCAT-AP |
//! |---|---|
//! | dataset (`identifier` if it is an IRI, else minted from it) | `dcat:Dataset`, `dct:identifier`, `cg:sourceRecordId` |
//! | `title`, `description`, `keyword[]`, `modified`, `issued`, `landingPage`, `references[]` | `dct:title`, `dct:description`, `dcat:keyword`, `dct:modified`, `dct:issued`, `dcat:landingPage`, `dct:references` |
//! | `publisher` (`name`, `subOrganizationOf`) | `dct:publisher` → `foaf:Organization` (with `org:subOrganizationOf`) |
//! | `contactPoint` (`fn`, `hasEmail`) | `dcat:contactPoint` → `vcard:Kind` |
//! | `accessLevel` | `dct:accessRights` (EU access-right PUBLIC / RESTRICTED / NON_PUBLIC) |
//! | `license`, `rights` | `dct:license` on the distributions, `dct:rights` |
//! | `spatial`, `temporal` (`start/end`) | `dct:spatial` → `dct:Location`, `dct:temporal` → `dct:PeriodOfTime` |
//! | `accrualPeriodicity` (ISO 8601), `language[]`, `theme[]` | EU frequency, language and (where they map) data-theme concepts |
//! | `conformsTo`, `describedBy`, `isPartOf` | `dct:conformsTo`, `foaf:page`, `dct:isPartOf` |
//! | `distribution[]` | `dcat:Distribution` with `dcat:downloadURL`, `dcat:accessURL`, `dcat:mediaType`, `dct:format`, `dct:title`, `dct:description`, `dct:conformsTo` |
//! | any other field | `schema:additionalProperty` (kept, not dropped) |
//!
//! A dataset without `identifier` and `title` cannot be told from others and is rejected,
//! with its position in the `dataset` array. A title that is a number is repaired (kept as
//! text) with a warning.

use crate::emit::{Emitter, absolute_iri, scalar_text, string_list};
use crate::error::{IngestError, Result};
use crate::mint::Minter;
use crate::report::Report;
use civicgraph_vocab::authority;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{dcat, dct, foaf, skos, vcard};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode};
use serde_json::Value;

const SUB_ORGANIZATION_OF: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/org#subOrganizationOf");
const ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";

/// Fields this mapping understands; the rest are kept as `schema:additionalProperty`.
const MAPPED: &[&str] = &[
    "@type",
    "@id",
    "identifier",
    "title",
    "description",
    "keyword",
    "modified",
    "issued",
    "landingPage",
    "references",
    "publisher",
    "contactPoint",
    "accessLevel",
    "license",
    "rights",
    "spatial",
    "temporal",
    "accrualPeriodicity",
    "language",
    "theme",
    "conformsTo",
    "describedBy",
    "isPartOf",
    "distribution",
];

/// Whether a JSON value is one DCAT-US dataset: a `title` and a field only datasets carry
/// (case studies, which also have titles, carry none of these).
pub fn looks_like_dataset(value: &Value) -> bool {
    value.get("title").is_some()
        && [
            "distribution",
            "identifier",
            "accessLevel",
            "landingPage",
            "contactPoint",
        ]
        .iter()
        .any(|k| value.get(*k).is_some())
}

/// Maps a whole `data.json` document. DCAT-US gives a catalogue no title, so it is named
/// `title` (a harvest's, from its source's configured title), else after the document.
pub fn map_catalogue(
    bytes: &[u8],
    document: &str,
    title: Option<&str>,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
) -> Result<()> {
    let json = super::ckan::parse_json(bytes, document)?;
    // A single DCAT-US dataset object reads as a catalogue of one, and a bare array of them
    // (ckanext-dcat's dataset lists) as a catalogue of those.
    let single;
    let listed = json.get("dataset").and_then(Value::as_array).or_else(|| {
        json.as_array()
            .filter(|items| items.iter().any(looks_like_dataset))
    });
    let datasets = match listed {
        Some(datasets) => datasets,
        None if json.get("title").is_some() && json.get("dataset").is_none() => {
            single = vec![json.clone()];
            &single
        }
        None => {
            return Err(IngestError::shape(
                document,
                "not a data.json catalogue: no \"dataset\" array",
            ));
        }
    };
    if json
        .get("@type")
        .and_then(Value::as_str)
        .is_some_and(|t| t != "dcat:Catalog")
    {
        report.warnings.push(format!(
            "{document}: the catalogue's @type is {:?}, not \"dcat:Catalog\"; read as a catalogue anyway",
            json["@type"]
        ));
    }
    let catalogue = minter.record("catalogue", "data.json");
    let c: NamedOrBlankNode = catalogue.clone().into();
    out.add(c.clone(), rdf::TYPE, dcat::CATALOG);
    match title {
        Some(title) => out.text(&c, dct::TITLE, title),
        None => out.text(&c, dct::TITLE, &format!("data.json catalogue {document}")),
    }
    for field in ["conformsTo", "describedBy"] {
        if let Some(value) = json.get(field).and_then(Value::as_str) {
            out.link(
                &c,
                if field == "conformsTo" {
                    dct::CONFORMS_TO
                } else {
                    foaf::PAGE
                },
                value,
            );
        }
    }
    for (index, dataset) in datasets.iter().enumerate() {
        let position = format!("{document}: dataset[{index}]");
        match map_dataset(dataset, minter, out, report, &position) {
            Ok(iri) => out.add(c.clone(), dcat::DATASET_PROPERTY, iri),
            Err(reason) => {
                let record = dataset
                    .get("identifier")
                    .or_else(|| dataset.get("title"))
                    .and_then(scalar_text)
                    .unwrap_or_else(|| format!("dataset[{index}]"));
                report.reject(record, position, reason);
            }
        }
    }
    Ok(())
}

fn map_dataset(
    dataset: &Value,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
    position: &str,
) -> std::result::Result<NamedNode, String> {
    if !dataset.is_object() {
        return Err("a dataset is not a JSON object".to_owned());
    }
    let text = |key: &str| {
        dataset
            .get(key)
            .and_then(scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    let identifier = text("identifier");
    let title = text("title");
    if identifier.is_none() && title.is_none() {
        return Err("the dataset has neither \"identifier\" nor \"title\"".to_owned());
    }
    if identifier.is_none() {
        report.warnings.push(format!(
            "{position}: no \"identifier\"; its IRI is minted from the title"
        ));
    }
    if dataset.get("title").is_some_and(Value::is_number) {
        report
            .warnings
            .push(format!("{position}: the title is a number; kept as text"));
    }
    let key = identifier.clone().or_else(|| title.clone()).unwrap_or_default();
    let iri = identifier
        .as_deref()
        .and_then(absolute_iri)
        .unwrap_or_else(|| minter.record("dataset", &key));
    let d: NamedOrBlankNode = iri.clone().into();
    out.add(d.clone(), rdf::TYPE, dcat::DATASET);
    if let Some(identifier) = &identifier {
        out.text(&d, dct::IDENTIFIER, identifier);
        out.text(&d, cg::SOURCE_RECORD_ID, identifier);
    }
    out.text(&d, dct::TITLE, &title.unwrap_or_default());
    out.text(&d, dct::DESCRIPTION, &text("description").unwrap_or_default());
    for keyword in string_list(dataset.get("keyword"), false) {
        out.text(&d, dcat::KEYWORD, &keyword);
    }
    out.text(&d, dct::MODIFIED, &text("modified").unwrap_or_default());
    out.text(&d, dct::ISSUED, &text("issued").unwrap_or_default());
    if let Some(page) = text("landingPage") {
        out.link_typed(&d, dcat::LANDING_PAGE, &page, foaf::DOCUMENT);
    }
    for reference in string_list(dataset.get("references"), false) {
        out.link(&d, dct::REFERENCES, &reference);
    }
    if let Some(publisher) = dataset.get("publisher").filter(|p| p.is_object()) {
        let p = publisher_node(publisher, minter, out, 0);
        out.add(d.clone(), dct::PUBLISHER, p);
    }
    if let Some(contact) = dataset.get("contactPoint").filter(|c| c.is_object()) {
        let c: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dcat::CONTACT_POINT, c.clone());
        out.add(c.clone(), rdf::TYPE, vcard::KIND);
        out.text(
            &c,
            vcard::FN,
            &contact.get("fn").and_then(scalar_text).unwrap_or_default(),
        );
        if let Some(email) = contact.get("hasEmail").and_then(Value::as_str) {
            out.email(&c, vcard::HAS_EMAIL, email);
        }
    }
    if let Some(level) = text("accessLevel") {
        let code = match level.as_str() {
            "public" => Some("PUBLIC"),
            "restricted public" => Some("RESTRICTED"),
            "non-public" => Some("NON_PUBLIC"),
            _ => None,
        };
        match code {
            Some(code) => out.add(
                d.clone(),
                dct::ACCESS_RIGHTS,
                NamedNode::new_unchecked(format!("{ACCESS_RIGHT}{code}")),
            ),
            None => out.text(&d, dct::ACCESS_RIGHTS, &level),
        }
    }
    let licence = text("license").and_then(|l| authority::licences().lookup(&l).or_else(|| absolute_iri(&l)));
    if let Some(rights) = text("rights") {
        out.text(&d, dct::RIGHTS, &rights);
    }
    match dataset.get("spatial") {
        Some(Value::Null) => report
            .warnings
            .push(format!("{position}: \"spatial\" is null; left out")),
        Some(spatial) => {
            let value = scalar_text(spatial).unwrap_or_else(|| spatial.to_string());
            if !out.link(&d, dct::SPATIAL, &value) {
                let place: NamedOrBlankNode = out.blank().into();
                out.add(d.clone(), dct::SPATIAL, place.clone());
                out.add(place.clone(), rdf::TYPE, dct::LOCATION);
                out.text(&place, skos::PREF_LABEL, &value);
            }
        }
        None => {}
    }
    if let Some(temporal) = text("temporal") {
        let period: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dct::TEMPORAL, period.clone());
        out.add(period.clone(), rdf::TYPE, dct::PERIOD_OF_TIME);
        match temporal.split_once('/') {
            Some((start, end)) => {
                out.text(&period, dcat::START_DATE, start);
                if !end.starts_with('P') {
                    out.text(&period, dcat::END_DATE, end);
                }
            }
            None => out.text(&period, dcat::START_DATE, &temporal),
        }
    }
    if let Some(frequency) = text("accrualPeriodicity") {
        match authority::frequencies().lookup(&frequency) {
            Some(iri) => out.add(d.clone(), dct::ACCRUAL_PERIODICITY, iri),
            None => out.text(&d, dct::ACCRUAL_PERIODICITY, &frequency),
        }
    }
    for language in string_list(dataset.get("language"), false) {
        match authority::languages().lookup(&language) {
            Some(iri) => out.add(d.clone(), dct::LANGUAGE, iri),
            None => out.text(&d, dct::LANGUAGE, &language),
        }
    }
    for theme in string_list(dataset.get("theme"), false) {
        match authority::themes().lookup(&theme) {
            Some(iri) => out.add(d.clone(), dcat::THEME, iri),
            None => {
                // A DCAT-US theme is free text: a concept of the source's own.
                let concept = minter.record("theme", &theme);
                let t: NamedOrBlankNode = concept.clone().into();
                out.add(d.clone(), dcat::THEME, concept);
                out.add(t.clone(), rdf::TYPE, skos::CONCEPT);
                out.text(&t, skos::PREF_LABEL, &theme);
            }
        }
    }
    if let Some(standard) = text("conformsTo") {
        out.link_or_text(&d, dct::CONFORMS_TO, &standard);
    }
    if let Some(described) = text("describedBy") {
        out.link_typed(&d, foaf::PAGE, &described, foaf::DOCUMENT);
    }
    if let Some(parent) = text("isPartOf") {
        let parent = absolute_iri(&parent).unwrap_or_else(|| minter.record("dataset", &parent));
        out.add(d.clone(), dct::IS_PART_OF, parent);
    }
    for (index, distribution) in dataset
        .get("distribution")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if !distribution.is_object() {
            report.warnings.push(format!(
                "{position}.distribution[{index}] is not an object; left out"
            ));
            continue;
        }
        let get = |key: &str| {
            distribution
                .get(key)
                .and_then(scalar_text)
                .filter(|s| !s.trim().is_empty())
        };
        let r: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dcat::DISTRIBUTION_PROPERTY, r.clone());
        out.add(r.clone(), rdf::TYPE, dcat::DISTRIBUTION);
        let download = get("downloadURL").unwrap_or_default();
        let access = get("accessURL").unwrap_or_default();
        out.link(&r, dcat::DOWNLOAD_URL, &download);
        // DCAT-AP requires an access URL; a download URL is one.
        if !out.link(&r, dcat::ACCESS_URL, &access) {
            out.link(&r, dcat::ACCESS_URL, &download);
        }
        if let Some(media) = get("mediaType").and_then(|m| authority::media_type(&m)) {
            out.add_typed(&r, dcat::MEDIA_TYPE, media, dct::MEDIA_TYPE);
        }
        if let Some(format) = get("format") {
            match authority::file_types().lookup(&format) {
                Some(iri) => out.add_typed(&r, dct::FORMAT, iri, dct::MEDIA_TYPE_OR_EXTENT),
                None => out.text(&r, dct::FORMAT, &format),
            }
        }
        out.text(&r, dct::TITLE, &get("title").unwrap_or_default());
        out.text(&r, dct::DESCRIPTION, &get("description").unwrap_or_default());
        if let Some(standard) = get("conformsTo") {
            out.link_or_text(&r, dct::CONFORMS_TO, &standard);
        }
        if let Some(licence) = &licence {
            out.add_typed(&r, dct::LICENSE, licence.clone(), dct::LICENSE_DOCUMENT);
        }
    }
    if let Some(fields) = dataset.as_object() {
        for (key, value) in fields {
            if MAPPED.contains(&key.as_str()) {
                continue;
            }
            for value in string_list(Some(value), false) {
                out.additional_property(&d, key, &value);
            }
        }
    }
    Ok(iri)
}

/// A publisher node, with its parent organisations (at most 8 levels, so a hostile file
/// cannot nest forever).
fn publisher_node(publisher: &Value, minter: &Minter, out: &mut Emitter, depth: usize) -> NamedNode {
    let name = publisher.get("name").and_then(scalar_text).unwrap_or_default();
    let iri = minter.record("agent", if name.trim().is_empty() { "unnamed" } else { &name });
    let p: NamedOrBlankNode = iri.clone().into();
    out.add(p.clone(), rdf::TYPE, foaf::AGENT);
    out.add(p.clone(), rdf::TYPE, foaf::ORGANIZATION);
    out.text(&p, foaf::NAME, &name);
    if depth < 8
        && let Some(parent) = publisher.get("subOrganizationOf").filter(|p| p.is_object())
    {
        let parent = publisher_node(parent, minter, out, depth + 1);
        out.add(p, SUB_ORGANIZATION_OF, parent);
    }
    iri
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicgraph_graph::Layout;

    fn map(path: &str) -> Option<(Emitter, Report)> {
        let bytes = std::fs::read(format!(
            "{}/../../shared/data/data-gov-us-datajson/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .ok()?;
        let minter = Minter::new(&Layout::default(), "datajson").unwrap();
        let mut out = Emitter::default();
        let mut report = Report::default();
        map_catalogue(&bytes, path, None, &minter, &mut out, &mut report).unwrap();
        Some((out, report))
    }

    #[test]
    fn the_gsa_catalogue_maps_every_dataset() {
        let Some((out, report)) = map("catalog.data.gov-tests-harvest-sources-data.json") else {
            return;
        };
        assert!(report.rejections.is_empty(), "{:#?}", report.rejections);
        let datasets = out
            .triples
            .iter()
            .filter(|t| t.predicate == rdf::TYPE && t.object == dcat::DATASET.into())
            .count();
        assert_eq!(datasets, 8);
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.contains("frequency/ANNUAL")), "R/P1Y maps");
        assert!(lines.iter().any(|l| l.contains("access-right/PUBLIC")));
        assert!(
            lines.iter().any(|l| l.contains("\"bureauCode\"")),
            "unknown fields are kept"
        );
    }

    #[test]
    fn broken_samples_are_rejected_or_repaired_with_positions() {
        let Some((_, report)) = map("samples-HEAD/missing-dataset-fields.data.json") else {
            return;
        };
        assert_eq!(report.rejections.len(), 1, "{:#?}", report.rejections);
        assert!(report.rejections[0].position.ends_with("dataset[0]"));
        let (_, report) = map("samples-HEAD/null-spatial.data.json").unwrap();
        assert!(
            report.warnings.iter().any(|w| w.contains("spatial")),
            "{:#?}",
            report.warnings
        );
        let (_, report) = map("samples-HEAD/numerical-title.data.json").unwrap();
        assert!(
            report.warnings.iter().any(|w| w.contains("number")),
            "{:#?}",
            report.warnings
        );
    }
}
