//! Property tests (the fuzzing of the mappers): arbitrary JSON, CSV and bytes thrown at the
//! CKAN, data.json, case-study, DCAT and CSW (DCAT and ISO 19139) mappers must give triples or an error that names the
//! document, never a panic, and the output always survives finishing (minting, dates,
//! validation).
//!
//! CI runs the default number of cases; `PROPTEST_CASES=50000 cargo test -p
//! civicgraph-ingest --test mapper_properties --release` is the longer run whose figures are
//! in `docs/FUZZING.md`.

use civicgraph_graph::Layout;
use civicgraph_ingest::emit::Emitter;
use civicgraph_ingest::mint::Minter;
use civicgraph_ingest::report::{FinishOptions, Report, finish};
use civicgraph_ingest::sources::{case_studies, ckan, csw, datajson, dcat};
use oxigraph::io::RdfFormat;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys the mappers look at, so generated objects reach the interesting branches.
const KEYS: &[&str] = &[
    "id",
    "name",
    "title",
    "notes",
    "url",
    "tags",
    "groups",
    "organization",
    "extras",
    "resources",
    "key",
    "value",
    "format",
    "mimetype",
    "size",
    "license_id",
    "identifier",
    "description",
    "keyword",
    "modified",
    "issued",
    "publisher",
    "contactPoint",
    "hasEmail",
    "fn",
    "spatial",
    "temporal",
    "distribution",
    "downloadURL",
    "accessURL",
    "mediaType",
    "subOrganizationOf",
    "dataset",
    "patterns",
    "datasets",
    "landing_page",
    "year",
    "organisations",
    "place",
    "sources",
    "iri",
    "uri",
    "metadata_modified",
    "accrualPeriodicity",
    "language",
    "theme",
    "result",
    "results",
    "count",
    "success",
    "case_studies",
    "@type",
    "lead_organisation",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        "[ -~]{0,24}".prop_map(Value::String),
        prop_oneof![
            Just("https://x.org/a"),
            Just("javascript:alert(1)"),
            Just("2019-05-03T10:00:00.000000"),
            Just("R/P1M"),
            Just("mailto:a@b.org"),
            Just("CSV"),
            Just("access"),
            Just("é\u{0}\u{202e}<script>"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|pairs| Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

fn minter() -> Minter {
    Minter::new(&Layout::default(), "fuzz").unwrap()
}

fn survives_finishing(out: Emitter, report: Report) {
    let output = finish(out.triples, &minter(), report, FinishOptions::default());
    for t in &output.triples {
        assert!(
            !t.subject.is_blank_node() && !t.object.is_blank_node(),
            "a blank node survived: {t}"
        );
    }
}

proptest! {
    #[test]
    fn ckan_packages_never_panic(package in json_value()) {
        let mut out = Emitter::default();
        let _ = ckan::map_package(&package, "https://ckan.example.org", &mut out);
        survives_finishing(out, Report::default());
    }

    #[test]
    fn ckan_responses_never_panic(body in json_value(), raw in prop::collection::vec(any::<u8>(), 0..200)) {
        for bytes in [serde_json::to_vec(&body).unwrap(), raw] {
            if let Err(e) = ckan::parse_search(&bytes, "page.json") {
                prop_assert!(e.to_string().starts_with("page.json"));
            }
        }
    }

    #[test]
    fn data_json_never_panics(datasets in prop::collection::vec(json_value(), 0..6), raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let doc = serde_json::to_vec(&serde_json::json!({"@type": "dcat:Catalog", "dataset": datasets})).unwrap();
        for bytes in [doc, raw] {
            let (mut out, mut report) = (Emitter::default(), Report::default());
            match datajson::map_catalogue(&bytes, "data.json", None, &minter(), &mut out, &mut report) {
                Ok(()) => survives_finishing(out, report),
                Err(e) => prop_assert!(e.to_string().starts_with("data.json")),
            }
        }
    }

    #[test]
    fn case_study_json_never_panics(cases in prop::collection::vec(json_value(), 0..6)) {
        let bytes = serde_json::to_vec(&cases).unwrap();
        let (mut out, mut report) = (Emitter::default(), Report::default());
        match case_studies::map_json(&bytes, "cases.json", &minter(), &mut out, &mut report) {
            Ok(()) => survives_finishing(out, report),
            Err(e) => prop_assert!(e.to_string().starts_with("cases.json")),
        }
    }

    #[test]
    fn case_study_csv_never_panics(text in "(title|id|patterns|datasets|year|x)(,(title|id|patterns|datasets|year|x)){0,4}\n([^\n]{0,60}\n){0,8}") {
        let (mut out, mut report) = (Emitter::default(), Report::default());
        match case_studies::map_csv(text.as_bytes(), "cases.csv", &minter(), &mut out, &mut report) {
            Ok(()) => survives_finishing(out, report),
            Err(e) => prop_assert!(e.to_string().starts_with("cases.csv")),
        }
    }

    #[test]
    fn dcat_documents_never_panic(body in "[<>@:a-z0-9 .;,\"_\n#/\\[\\]{}-]{0,200}", raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let prefixed = format!("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n{body}");
        for format in [RdfFormat::Turtle, RdfFormat::RdfXml, RdfFormat::NTriples, RdfFormat::JsonLd { profile: Default::default() }] {
            for bytes in [prefixed.as_bytes(), body.as_bytes(), raw.as_slice()] {
                match dcat::read_page(bytes, format, Some("https://cat.example.org/"), "doc", &mut Report::default()) {
                    Ok(page) => survives_finishing(Emitter { triples: page.triples }, Report::default()),
                    Err(e) => prop_assert!(e.to_string().starts_with("doc")),
                }
            }
        }
    }
    /// A CSW envelope around generated elements: RDF/XML records, ISO 19139 fragments and
    /// stray markup, so the envelope reader, the namespace carrying and the ISO mapping are
    /// all reached.
    #[test]
    fn csw_responses_never_panic(
        parts in prop::collection::vec(prop::sample::select(vec![
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            "</rdf:RDF>",
            "<dcat:Dataset rdf:about=\"d/1\">", "</dcat:Dataset>", "<dct:title>T</dct:title>",
            "<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\">", "</gmd:MD_Metadata>",
            "<gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>",
            "</gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo>",
            "<gmd:title><gco:CharacterString>x</gco:CharacterString></gmd:title>",
            "<gmd:westBoundLongitude>1e999</gmd:westBoundLongitude>",
            "<gmd:URL>http://x/ a</gmd:URL>", "&amp;", "&bogus;", "<![CDATA[<]]>", "<a>", "</a>", "<b/>", "text",
        ]), 0..24),
        raw in prop::collection::vec(any::<u8>(), 0..200),
        fields in prop::collection::vec((0usize..8, "[ -~]{0,24}"), 0..12),
    ) {
        // A well-formed ISO record whose elements and values vary, so the mapping itself runs.
        const ISO: [&str; 8] = [
            "<gmd:title><gco:CharacterString>{}</gco:CharacterString></gmd:title>",
            "<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{}</gco:Date></gmd:date><gmd:dateType><gmd:CI_DateTypeCode codeListValue=\"revision\"/></gmd:dateType></gmd:CI_Date></gmd:date>",
            "<gmd:identifier><gmd:RS_Identifier><gmd:code><gco:CharacterString>{}</gco:CharacterString></gmd:code></gmd:RS_Identifier></gmd:identifier>",
            "<gmd:title><gmx:Anchor xlink:href=\"{}\">a</gmx:Anchor></gmd:title>",
            "<gmd:date>{}</gmd:date>",
            "<gmd:identifier><gmd:MD_Identifier><gmd:code>{}</gmd:code></gmd:MD_Identifier></gmd:identifier>",
            "<gmd:title/>",
            "<gmd:other>{}</gmd:other>",
        ];
        let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        let citation: String = fields.iter().map(|(i, t)| ISO[*i].replace("{}", &escape(t))).collect();
        let language = fields.first().map(|(_, t)| escape(t)).unwrap_or_default();
        let iso = format!(
            "<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\" xmlns:gco=\"http://www.isotc211.org/2005/gco\" \
             xmlns:gmx=\"http://www.isotc211.org/2005/gmx\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\
             <gmd:language><gmd:LanguageCode codeListValue=\"{language}\"/></gmd:language>\
             <gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>{citation}\
             </gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo></gmd:MD_Metadata>"
        );
        let body = format!(
            "<csw:GetRecordsResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\" xmlns:dcat=\"http://www.w3.org/ns/dcat#\" \
             xmlns:dct=\"http://purl.org/dc/terms/\" xmlns:gco=\"http://www.isotc211.org/2005/gco\"><csw:SearchResults nextRecord=\"3\">{}\
             </csw:SearchResults></csw:GetRecordsResponse>",
            parts.concat()
        );
        for bytes in [body.as_bytes(), iso.as_bytes(), raw.as_slice()] {
            let mut report = Report::default();
            match csw::read_response(bytes, Some("https://geo.example.org/csw"), "doc", &minter(), &mut report) {
                Ok(page) => survives_finishing(Emitter { triples: page.triples }, report),
                Err(e) => prop_assert!(e.to_string().starts_with("doc")),
            }
        }
    }
}
