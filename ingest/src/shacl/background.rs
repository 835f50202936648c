//! The background knowledge range checks (`sh:class`) read beside a source's own triples:
//! what the vocabularies DCAT-AP imports say of their classes, which controlled
//! vocabularies DCAT-AP names for a property's values, and the few namespaces whose own
//! vocabulary types every member (GeoNames features, IANA media types, Creative Commons
//! licences).
//!
//! DCAT-AP's shapes ask that the value of `dct:format` be a `dct:MediaTypeOrExtent`, of
//! `dct:language` a `dct:LinguisticSystem`, of `dcat:contactPoint` a `vcard:Kind`, and so
//! on. A catalogue states `<…/file-type/CSV>` or a contact point typed
//! `vcard:Organization`, as DCAT-AP itself tells it to, and types neither further: the
//! types are in the vocabularies, which the SEMIC release lists as imports
//! (`html/shacl/imports.ttl`, `mdr_imports.ttl`) and the reference validator loads as
//! background. Read without them, every dataset of a well-made catalogue broke six range
//! rules, and a national catalogue's harvest stored tens of millions of results that said
//! nothing about its quality.
//!
//! Background answers `sh:class` only. It adds no focus nodes: the validator reports on
//! what a source says, and an authority table's own descriptions (labels, schemes) are not
//! the source's to answer for. `civicgraph validate --raw` validates without it, as an
//! independent SHACL validator given only the shapes does.

use oxigraph::model::NamedNodeRef;

const DCT: &str = "http://purl.org/dc/terms/";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const FOAF: &str = "http://xmlns.com/foaf/0.1/";
const VCARD: &str = "http://www.w3.org/2006/vcard/ns#";
const SKOS_CONCEPT: &str = "http://www.w3.org/2004/02/skos/core#Concept";
const SCHEMA: &str = "http://schema.org/";

/// Class axioms of the vocabularies DCAT-AP 3.0.1 imports, as (class, superclass): DCAT 3,
/// DCMI Metadata Terms (2020-01-20), FOAF 0.99 and vCard 4 (the W3C ontology). FOAF's
/// equivalences are written both ways.
const SUBCLASSES: &[(&str, &str, &str, &str)] = &[
    (DCAT, "Catalog", DCAT, "Dataset"),
    (DCAT, "Dataset", DCAT, "Resource"),
    (DCAT, "DataService", DCAT, "Resource"),
    (DCAT, "DatasetSeries", DCAT, "Dataset"),
    (DCAT, "Role", "", SKOS_CONCEPT),
    (DCT, "LicenseDocument", DCT, "RightsStatement"),
    (DCT, "MediaType", DCT, "MediaTypeOrExtent"),
    (DCT, "FileFormat", DCT, "MediaType"),
    (DCT, "SizeOrDuration", DCT, "MediaTypeOrExtent"),
    (DCT, "Location", DCT, "LocationPeriodOrJurisdiction"),
    (DCT, "PeriodOfTime", DCT, "LocationPeriodOrJurisdiction"),
    (DCT, "Jurisdiction", DCT, "LocationPeriodOrJurisdiction"),
    (FOAF, "Person", FOAF, "Agent"),
    (FOAF, "Organization", FOAF, "Agent"),
    (FOAF, "Group", FOAF, "Agent"),
    (FOAF, "Agent", DCT, "Agent"),
    (DCT, "Agent", FOAF, "Agent"),
    (FOAF, "Image", FOAF, "Document"),
    (FOAF, "PersonalProfileDocument", FOAF, "Document"),
    (FOAF, "Document", SCHEMA, "CreativeWork"),
    (SCHEMA, "CreativeWork", FOAF, "Document"),
    (VCARD, "Individual", VCARD, "Kind"),
    (VCARD, "Organization", VCARD, "Kind"),
    (VCARD, "Group", VCARD, "Kind"),
    (VCARD, "Location", VCARD, "Kind"),
];

const AUTHORITY: &str = "http://publications.europa.eu/resource/authority/";

/// A code list: its concepts' namespace, in two parts, and the classes (namespace, local
/// name) its concepts are instances of beside `skos:Concept`.
type CodeList = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The controlled vocabularies DCAT-AP 3.0.1 names for a property's values (its section on
/// controlled vocabularies, and the HVD profile's categories), by the namespace of their
/// concepts, with the classes the property's range asks for. Every concept is also a
/// `skos:Concept`.
const CODE_LISTS: &[CodeList] = &[
    (AUTHORITY, "file-type/", &[(DCT, "MediaTypeOrExtent")]),
    (AUTHORITY, "licence/", &[(DCT, "LicenseDocument")]),
    (AUTHORITY, "language/", &[(DCT, "LinguisticSystem")]),
    (AUTHORITY, "frequency/", &[(DCT, "Frequency")]),
    (AUTHORITY, "access-right/", &[(DCT, "RightsStatement")]),
    (AUTHORITY, "country/", &[(DCT, "Location")]),
    (AUTHORITY, "place/", &[(DCT, "Location")]),
    (AUTHORITY, "continent/", &[(DCT, "Location")]),
    (AUTHORITY, "atu/", &[(DCT, "Location")]),
    (AUTHORITY, "corporate-body/", &[(FOAF, "Agent")]),
    (AUTHORITY, "data-theme/", &[]),
    (AUTHORITY, "dataset-type/", &[]),
    (AUTHORITY, "distribution-type/", &[]),
    (AUTHORITY, "planned-availability/", &[]),
    (AUTHORITY, "dataset-status/", &[]),
    (AUTHORITY, "distribution-status/", &[]),
    ("http://data.europa.eu/bna/", "", &[]),
    ("http://eurovoc.europa.eu/", "", &[]),
    ("http://purl.org/adms/publishertype/", "", &[]),
    ("http://purl.org/adms/status/", "", &[]),
    ("http://purl.org/adms/licencetype/", "", &[]),
];

/// Namespaces whose every member the vocabulary describing it types with a range class,
/// as (namespace, class namespace, class), though its members are not SKOS concepts.
const DESCRIBED: &[(&str, &str, &str)] = &[
    // GeoNames features, named by DCAT-AP for `dct:spatial`.
    ("http://sws.geonames.org/", DCT, "Location"),
    ("https://sws.geonames.org/", DCT, "Location"),
    // IANA media types, named by DCAT-AP for `dcat:mediaType`.
    ("http://www.iana.org/assignments/media-types/", DCT, "MediaType"),
    ("https://www.iana.org/assignments/media-types/", DCT, "MediaType"),
    // Creative Commons describes each licence and public-domain tool as a `cc:License`,
    // which its schema (CC REL) declares a subclass of `dct:LicenseDocument`. Not a code
    // list DCAT-AP names, but the licences catalogues name most (DCAT-AP-IT exports,
    // DCAT-AP-SE's own examples).
    ("http://creativecommons.org/licenses/", DCT, "LicenseDocument"),
    ("https://creativecommons.org/licenses/", DCT, "LicenseDocument"),
    ("http://creativecommons.org/publicdomain/", DCT, "LicenseDocument"),
    (
        "https://creativecommons.org/publicdomain/",
        DCT,
        "LicenseDocument",
    ),
];

/// The background knowledge of DCAT-AP's range checks. See the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Background;

impl Background {
    /// The vocabularies and code lists DCAT-AP imports and names.
    pub fn dcat_ap() -> &'static Self {
        &Background
    }

    /// The classes the vocabularies declare direct subclasses of the class `class`.
    pub fn subclasses<'s>(&self, class: &'s str) -> impl Iterator<Item = String> + 's {
        SUBCLASSES
            .iter()
            .filter(move |(_, _, ns, local)| class.strip_prefix(ns) == Some(local))
            .map(|(ns, local, _, _)| format!("{ns}{local}"))
    }

    /// Whether `value` is a concept of a code list whose concepts are instances of the
    /// class named `class`.
    pub fn types(&self, value: NamedNodeRef<'_>, class: &str) -> bool {
        let value = value.as_str();
        let member = |namespace: &str| value.strip_prefix(namespace).is_some_and(|rest| !rest.is_empty());
        if DESCRIBED
            .iter()
            .any(|(namespace, ns, local)| member(namespace) && class.strip_prefix(ns) == Some(local))
        {
            return true;
        }
        CODE_LISTS.iter().any(|(namespace, table, classes)| {
            value
                .strip_prefix(namespace)
                .and_then(|rest| rest.strip_prefix(table))
                .is_some_and(|code| !code.is_empty())
                && (class == SKOS_CONCEPT
                    || classes
                        .iter()
                        .any(|(ns, local)| class.strip_prefix(ns) == Some(local)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    fn iri(s: &str) -> NamedNode {
        NamedNode::new(s).unwrap()
    }

    #[test]
    fn authority_concepts_are_instances_of_their_ranges() {
        let csv = iri("http://publications.europa.eu/resource/authority/file-type/CSV");
        let b = Background::dcat_ap();
        assert!(b.types(csv.as_ref(), "http://purl.org/dc/terms/MediaTypeOrExtent"));
        assert!(b.types(csv.as_ref(), SKOS_CONCEPT));
        assert!(!b.types(csv.as_ref(), "http://purl.org/dc/terms/LicenseDocument"));
        let scheme = iri("http://publications.europa.eu/resource/authority/file-type/");
        assert!(
            !b.types(scheme.as_ref(), SKOS_CONCEPT),
            "the scheme is not its own concept"
        );
        let cc = iri("https://creativecommons.org/licenses/by/4.0/");
        assert!(b.types(cc.as_ref(), "http://purl.org/dc/terms/LicenseDocument"));
        assert!(!b.types(cc.as_ref(), SKOS_CONCEPT), "a licence is not a concept");
        let elsewhere = iri("http://example.org/file-type/CSV");
        assert!(!b.types(elsewhere.as_ref(), SKOS_CONCEPT));
    }

    #[test]
    fn vocabulary_classes_have_their_subclasses() {
        let subs: Vec<String> = Background::dcat_ap()
            .subclasses("http://www.w3.org/2006/vcard/ns#Kind")
            .collect();
        assert_eq!(subs.len(), 4, "{subs:?}");
        assert!(subs.contains(&"http://www.w3.org/2006/vcard/ns#Organization".to_owned()));
    }
}
