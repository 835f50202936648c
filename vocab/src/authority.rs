//! Mapping the words catalogues write for formats, licences, languages, themes and
//! frequencies to the EU Publications Office authority tables that DCAT-AP asks for.
//!
//! The tables in `vocab/authority/*.tsv` are derived from the OP tables by
//! `scripts/gen-authority-tables.py`: one concept per row with every name a catalogue may
//! use for it (its code, English label, alternative labels; for file types also the names
//! of CKAN's own resource-format list). A few spellings that CKAN and
//! DCAT-US portals use and the tables lack (CKAN licence ids, ISO 639-1 language codes,
//! ISO 8601 repeat intervals) are added here.

use oxrdf::NamedNode;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One authority table: lower-cased name to concept IRI, and concept IRI to English label.
#[derive(Debug)]
pub struct Table {
    by_name: HashMap<String, String>,
    labels: HashMap<String, String>,
}

impl Table {
    fn parse(tsv: &str, extra: &[(&str, &str)]) -> Self {
        let mut by_name = HashMap::new();
        let mut by_code = HashMap::new();
        let mut labels = HashMap::new();
        for line in tsv.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(code), Some(iri), Some(label)) = (fields.next(), fields.next(), fields.next()) else {
                continue;
            };
            by_code.insert(code.to_owned(), iri.to_owned());
            labels.insert(iri.to_owned(), label.to_owned());
            by_name.insert(code.to_ascii_lowercase(), iri.to_owned());
            by_name.insert(label.to_lowercase(), iri.to_owned());
            for name in fields {
                by_name.entry(name.to_owned()).or_insert_with(|| iri.to_owned());
            }
        }
        for (alias, code) in extra {
            if let Some(iri) = by_code.get(*code) {
                by_name.insert((*alias).to_owned(), iri.clone());
            }
        }
        Self { by_name, labels }
    }

    /// The English label of a concept of this table.
    pub fn label(&self, iri: &str) -> Option<&str> {
        self.labels.get(iri).map(String::as_str)
    }

    /// The concept for `text` (any case; surrounding spaces, dots and a trailing version
    /// punctuation ignored), if the table has one.
    pub fn lookup(&self, text: &str) -> Option<NamedNode> {
        let key = text.trim().trim_start_matches('.').to_lowercase();
        if key.is_empty() || key.len() > 200 {
            return None;
        }
        self.by_name
            .get(&key)
            .or_else(|| self.by_name.get(&key.replace([' ', '-'], "_")))
            .map(|iri| NamedNode::new_unchecked(iri.clone()))
    }
}

macro_rules! table {
    ($name:ident, $file:literal, $extra:expr) => {
        #[doc = concat!("The `", $file, "` authority table.")]
        pub fn $name() -> &'static Table {
            static TABLE: OnceLock<Table> = OnceLock::new();
            TABLE.get_or_init(|| {
                Table::parse(
                    include_str!(concat!("../authority/", $file, ".tsv")),
                    $extra,
                )
            })
        }
    };
}

table!(
    file_types,
    "file-type",
    // Names the table (with CKAN's resource-format names, merged in by the script) lacks:
    // file extensions, RDF syntaxes and OGC services as catalogues write them, and media
    // types, as `dcat:mediaType`, CKAN's `mimetype` and data.json's `mediaType` give them,
    // so that one format is one concept however a catalogue wrote it ([`format_key`]).
    &[
        ("tif", "TIFF"),
        ("nc", "NETCDF"),
        ("json-ld", "JSON_LD"),
        ("jsonld", "JSON_LD"),
        ("rdf/xml", "RDF_XML"),
        ("turtle", "RDF_TURTLE"),
        ("ttl", "RDF_TURTLE"),
        ("n-triples", "RDF_N_TRIPLES"),
        ("wms", "WMS_SRVC"),
        ("wfs", "WFS_SRVC"),
        ("application/csv", "CSV"),
        ("application/xhtml+xml", "XHTML"),
        ("application/x-zip-compressed", "ZIP"),
        ("application/gzip", "GZIP"),
        ("application/x-7z-compressed", "7Z"),
        ("application/vnd.rar", "RAR"),
        ("text/xml", "XML"),
        ("application/yaml", "YAML"),
        ("application/sql", "SQL"),
        ("application/atom+xml", "ATOM"),
        ("application/vnd.geo+json", "GEOJSON"),
        ("application/gml+xml", "GML"),
        ("application/geopackage+sqlite3", "GPKG"),
        ("application/x-netcdf", "NETCDF"),
        ("application/rdf+xml", "RDF_XML"),
        ("text/turtle", "RDF_TURTLE"),
        ("application/n-triples", "RDF_N_TRIPLES"),
        ("application/n-quads", "RDF_N_QUADS"),
        ("application/trig", "RDF_TRIG"),
        ("text/n3", "N3"),
        ("application/ld+json", "JSON_LD"),
        ("application/sparql-query", "SPARQLQ"),
    ]
);

table!(
    licences,
    "licence",
    &[
        ("uk-ogl", "OGL_3_0"),
        ("ogl-uk-3.0", "OGL_3_0"),
        ("ogl", "OGL_3_0"),
        ("uk open government licence (ogl)", "OGL_3_0"),
        ("open government licence", "OGL_3_0"),
        ("cc-by", "CC_BY_4_0"),
        ("cc-by-4.0", "CC_BY_4_0"),
        ("cc by 4.0", "CC_BY_4_0"),
        ("cc-by-sa", "CC_BYSA_4_0"),
        ("cc-by-sa-4.0", "CC_BYSA_4_0"),
        ("cc-zero", "CC0"),
        ("cc0-1.0", "CC0"),
        ("cc0", "CC0"),
        ("odc-odbl", "ODC_BL"),
        ("odc-by", "ODC_BY"),
        ("odc-pddl", "ODC_PDDL"),
        ("https://creativecommons.org/licenses/by/4.0/", "CC_BY_4_0"),
        ("http://creativecommons.org/licenses/by/4.0/", "CC_BY_4_0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "CC0"),
        (
            "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "OGL_3_0"
        ),
        (
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "OGL_3_0"
        ),
        (
            "http://reference.data.gov.uk/id/open-government-licence",
            "OGL_3_0"
        ),
    ]
);

table!(
    languages,
    "language",
    &[
        ("bg", "BUL"),
        ("cs", "CES"),
        ("da", "DAN"),
        ("de", "DEU"),
        ("el", "ELL"),
        ("en", "ENG"),
        ("es", "SPA"),
        ("et", "EST"),
        ("fi", "FIN"),
        ("fr", "FRA"),
        ("ga", "GLE"),
        ("hr", "HRV"),
        ("hu", "HUN"),
        ("it", "ITA"),
        ("lt", "LIT"),
        ("lv", "LAV"),
        ("mt", "MLT"),
        ("nl", "NLD"),
        ("pl", "POL"),
        ("pt", "POR"),
        ("ro", "RON"),
        ("sk", "SLK"),
        ("sl", "SLV"),
        ("sv", "SWE"),
        ("no", "NOR"),
        ("nb", "NOB"),
        ("nn", "NNO"),
        ("is", "ISL"),
        ("cy", "CYM"),
        ("ca", "CAT"),
        ("eu", "EUS"),
        ("gl", "GLG"),
        ("lb", "LTZ"),
        ("en-us", "ENG"),
        ("en-gb", "ENG"),
    ]
);

table!(themes, "data-theme", &[]);

table!(
    frequencies,
    "frequency",
    &[
        ("r/p1d", "DAILY"),
        ("r/p1w", "WEEKLY"),
        ("r/p2w", "BIWEEKLY"),
        ("r/p1m", "MONTHLY"),
        ("r/p3m", "QUARTERLY"),
        ("r/p6m", "ANNUAL_2"),
        ("r/p1y", "ANNUAL"),
        ("r/p2y", "BIENNIAL"),
        ("r/p4y", "QUADRENNIAL"),
        ("r/pt1h", "HOURLY"),
        ("r/pt1s", "CONT"),
        ("irregular", "IRREG"),
        ("yearly", "ANNUAL"),
        ("annually", "ANNUAL"),
        ("as needed", "IRREG"),
        ("real time", "CONT"),
        ("realtime", "CONT"),
    ]
);

table!(access_rights, "access-right", &[]);

table!(publisher_types, "publisher-type", &[]);

/// The English label of a concept of any authority table (file type, licence, language,
/// theme, frequency, access right, publisher type), or of a licence's own web address that
/// stands for one of them ([`licence_of_address`]).
pub fn label(iri: &str) -> Option<&'static str> {
    [
        file_types(),
        licences(),
        languages(),
        themes(),
        frequencies(),
        access_rights(),
        publisher_types(),
    ]
    .into_iter()
    .find_map(|table| table.label(iri))
    .or_else(|| licences().label(licence_of_address(iri)?.as_str()))
    .or_else(|| unstated_licence(iri))
}

/// The short English name of a country by its ISO 3166-1 code, two letters or three, in
/// any case (`NL`, `nld`), as case-study collections give a place's country; the EU's own
/// `EL` (Greece) and `UK` too. A policy team reads "Netherlands", not "NL".
pub fn country_name(code: &str) -> Option<&'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names = HashMap::new();
        for line in include_str!("../authority/country.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
        {
            let mut fields = line.split('\t');
            if let (Some(two), Some(three), Some(name)) = (fields.next(), fields.next(), fields.next()) {
                names.insert(two.to_owned(), name);
                names.insert(three.to_owned(), name);
            }
        }
        for (eu, iso) in [("EL", "GR"), ("UK", "GB")] {
            if let Some(name) = names.get(iso).copied() {
                names.insert(eu.to_owned(), name);
            }
        }
        names
    });
    let code = code.trim();
    if !(2..=3).contains(&code.len()) {
        return None;
    }
    names.get(&code.to_ascii_uppercase()).copied()
}

/// DCAT-US's address for "the publisher did not state a licence", which data.json
/// catalogues write on every dataset (all 997 of one federal data centre's): named as what
/// it says, not listed as an address in the licence facet.
fn unstated_licence(iri: &str) -> Option<&'static str> {
    let rest = iri
        .strip_prefix("https://")
        .or_else(|| iri.strip_prefix("http://"))?;
    rest.trim_end_matches('/')
        .eq_ignore_ascii_case("project-open-data.cio.gov/unknown-license")
        .then_some("Licence not stated (DCAT-US unknown-license)")
}

/// A licence as the search index keys it: the EU concept its address stands for
/// ([`licence_of_address`]), else the value itself. Catalogues write one licence both ways,
/// so a facet that kept both would list "Open Government Licence v3.0" twice, each with
/// half its records.
pub fn licence_key(value: &str) -> String {
    licence_of_address(value).map_or_else(|| value.to_owned(), NamedNode::into_string)
}

/// The licence table's code for a concept of DCAT-AP_IT's licence vocabulary, whose codes
/// (lower-cased here) are a number, then the licence: `a21_ccby40` is CC BY 4.0,
/// `a23_ccby30it` its Italian port of 3.0, `a11_cco10` CC0 (spelt with an O).
fn italian_licence(code: &str) -> Option<String> {
    let (_, name) = code.split_once('_')?;
    Some(match name {
        "cco10" | "cc010" => "CC0".to_owned(),
        "pddl" => "ODC_PDDL".to_owned(),
        "odcby" => "ODC_BY".to_owned(),
        "odbl" => "ODC_BL".to_owned(),
        _ => {
            if let Some(version) = name.strip_prefix("iodl") {
                let [major, minor] = version.as_bytes() else {
                    return None;
                };
                return Some(format!("IODL_{}_{}", *major as char, *minor as char));
            }
            let rest = name.strip_prefix("ccby")?;
            let (kind, rest) = rest.split_at(rest.find(|c: char| c.is_ascii_digit())?);
            let (version, jurisdiction) =
                rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()));
            let [major, minor] = version.as_bytes() else {
                return None;
            };
            let mut code = format!(
                "CC_BY{}_{}_{}",
                kind.to_ascii_uppercase(),
                *major as char,
                *minor as char
            );
            if !jurisdiction.is_empty() {
                code = format!("{code}_{}", jurisdiction.to_ascii_uppercase());
            }
            code
        }
    })
}

/// The hosts whose licence addresses [`licence_of_address`] reads, `www.` left off.
const LICENCE_HOSTS: &[&str] = &[
    "creativecommons.org",
    "nationalarchives.gov.uk",
    "opendatacommons.org",
    "govdata.de",
    "data.norge.no",
    "dcat-ap.de",
    "opendefinition.org",
    "w3id.org",
];

/// The licence table's code of a Creative Commons licence by its kind as its address spells
/// it (`by-sa`) and its version (`4.0`).
fn creative_commons(kind: &str, version: &str) -> Option<String> {
    let kind = match kind {
        "by" => "BY",
        "by-sa" => "BYSA",
        "by-nc" => "BYNC",
        "by-nd" => "BYND",
        "by-nc-sa" => "BYNCSA",
        "by-nc-nd" | "by-nd-nc" => "BYNCND",
        _ => return None,
    };
    Some(format!("CC_{kind}_{}", version.replace('.', "_")))
}

/// The licence table's concept for a licence's own web address, which catalogues write as
/// often as the concept (`dct:license <https://creativecommons.org/licenses/by/4.0/>`,
/// data.gov.uk's Open Government Licence, GovData's Datenlizenz, Norway's NLOD): so that a
/// person is shown "Creative Commons Attribution 4.0 International", not the address.
/// The address is read, never fetched; its scheme, `www.` and a trailing `/`, `deed.*` or
/// `legalcode` do not matter.
pub fn licence_of_address(iri: &str) -> Option<NamedNode> {
    let rest = iri
        .strip_prefix("https://")
        .or_else(|| iri.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    // Every label lookup of an IRI the tables lack asks here (a publisher, a place): the
    // host is checked before anything is allocated.
    let host = rest.split('/').next().unwrap_or_default();
    if !LICENCE_HOSTS.iter().any(|known| known.eq_ignore_ascii_case(host)) {
        return None;
    }
    let rest = rest.to_ascii_lowercase();
    let path: Vec<&str> = rest
        .split('/')
        .filter(|s| !s.is_empty() && *s != "legalcode" && !s.starts_with("deed"))
        .collect();
    let code = match path.as_slice() {
        ["creativecommons.org", "publicdomain", "zero", "1.0"] => "CC0".to_owned(),
        ["creativecommons.org", "publicdomain", "mark", "1.0"] => "CC_PDM_1_0".to_owned(),
        [
            "creativecommons.org",
            "licenses",
            kind,
            version,
            jurisdiction @ ..,
        ] if jurisdiction.len() <= 1 => {
            let code = creative_commons(kind, version)?;
            match jurisdiction {
                [jurisdiction] => format!("{code}_{}", jurisdiction.to_ascii_uppercase()),
                _ => code,
            }
        }
        [
            "nationalarchives.gov.uk",
            "doc",
            "open-government-licence",
            "version",
            n,
        ] => format!("OGL_{n}_0"),
        ["opendatacommons.org", "licenses", "odbl", ..] => "ODC_BL".to_owned(),
        ["opendatacommons.org", "licenses", "by", ..] => "ODC_BY".to_owned(),
        ["opendatacommons.org", "licenses", "pddl", ..] => "ODC_PDDL".to_owned(),
        ["govdata.de", "dl-de", licence] => {
            // `by-2-0`, `zero-2-0`, `by-nc-1-0`: the kind, then the version's two numbers.
            let parts: Vec<&str> = licence.split('-').collect();
            let [kind @ .., major, minor] = parts.as_slice() else {
                return None;
            };
            format!("DLDE_{}_{major}_{minor}", kind.concat().to_ascii_uppercase())
        }
        ["data.norge.no", "nlod", _, version] => format!("NLOD_{}", version.replace('.', "_")),
        // DCAT-AP.de's licence vocabulary, which German catalogues use.
        ["dcat-ap.de", "def", "licenses", "cc-zero"] => "CC0".to_owned(),
        ["dcat-ap.de", "def", "licenses", "odbl"] => "ODC_BL".to_owned(),
        ["dcat-ap.de", "def", "licenses", "odcby"] => "ODC_BY".to_owned(),
        ["dcat-ap.de", "def", "licenses", "odcpddl"] => "ODC_PDDL".to_owned(),
        ["dcat-ap.de", "def", "licenses", name, version] => {
            let version = version.replace('.', "_");
            match *name {
                "dl-by-de" => format!("DLDE_BY_{version}"),
                "dl-zero-de" => format!("DLDE_ZERO_{version}"),
                "dl-by-nc-de" => format!("DLDE_BYNC_{version}"),
                _ => creative_commons(name.strip_prefix("cc-")?, &version)?,
            }
        }
        // The Open Definition's licence ids, as CKAN's licence register gives them.
        ["opendefinition.org", "licenses", name] => match *name {
            "cc-zero" => "CC0",
            "cc-by" => "CC_BY",
            "cc-by-sa" => "CC_BYSA",
            "odc-by" => "ODC_BY",
            "odc-odbl" => "ODC_BL",
            "odc-pddl" => "ODC_PDDL",
            _ => return None,
        }
        .to_owned(),
        // DCAT-AP_IT's licence vocabulary: `A21_CCBY40`, `A11_CCO10`, `A23_CCBY30IT`.
        ["w3id.org", "italia", "controlled-vocabulary", "licences", code] => italian_licence(code)?,
        _ => return None,
    };
    let iri = format!("http://publications.europa.eu/resource/authority/licence/{code}");
    licences().label(&iri).map(|_| NamedNode::new_unchecked(iri))
}

/// Where the EU file-type table's concepts live.
const EU_FILE_TYPES: &str = "http://publications.europa.eu/resource/authority/file-type/";

/// IANA's media-type addresses: DCAT-AP 2 and 3 write `https://`, older profiles and many
/// catalogues `http://`.
const IANA_MEDIA_TYPES: [&str; 2] = [
    "https://www.iana.org/assignments/media-types/",
    "http://www.iana.org/assignments/media-types/",
];

/// The code of an EU file-type concept (`…/file-type/CSV` → `CSV`).
pub fn file_type_code(iri: &str) -> Option<&str> {
    iri.strip_prefix(EU_FILE_TYPES).filter(|code| !code.is_empty())
}

/// The media type an IANA media-type address names (`…/media-types/text/csv` →
/// `text/csv`), over either scheme.
pub fn media_type_of_address(iri: &str) -> Option<&str> {
    IANA_MEDIA_TYPES
        .iter()
        .find_map(|prefix| iri.strip_prefix(prefix))
        .filter(|media| media.contains('/') && !media.ends_with('/'))
}

/// A format as the search index keys it: the EU file type a media type or a name stands
/// for (`text/csv`, its IANA address and `CSV` are all `…/file-type/CSV`), else one IANA
/// address for a media type over either scheme, else the value as written. A catalogue
/// gives one file its `dct:format` and its `dcat:mediaType`, so a facet that kept both
/// would list every CSV file twice, once as "CSV" and once as "text/csv".
pub fn format_key(value: &str) -> String {
    if file_type_code(value).is_some() {
        return value.to_owned();
    }
    let media = media_type_of_address(value);
    if let Some(concept) = file_types().lookup(media.unwrap_or(value)) {
        return concept.into_string();
    }
    match media.and_then(media_type) {
        Some(address) => address.into_string(),
        None => value.to_owned(),
    }
}

/// The IANA media-type IRI DCAT-AP uses for `dcat:mediaType`, if `text` looks like a media
/// type (`type/subtype`, parameters dropped).
pub fn media_type(text: &str) -> Option<NamedNode> {
    let media = text.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, sub) = media.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(kind) && token(sub)).then(|| {
        NamedNode::new_unchecked(format!(
            "https://www.iana.org/assignments/media-types/{kind}/{sub}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_licences_own_address_is_labelled_as_its_concept() {
        for (address, expected) in [
            (
                "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
                "Open Government Licence v3.0",
            ),
            (
                "https://creativecommons.org/licenses/by/4.0/",
                "Creative Commons Attribution 4.0 International",
            ),
            (
                "http://creativecommons.org/licenses/by-sa/3.0/legalcode",
                "Creative Commons Attribution–ShareAlike 3.0 Unported",
            ),
            (
                "https://creativecommons.org/licenses/by/3.0/nl/",
                "Creative Commons Attribution 3.0 Netherlands",
            ),
            (
                "https://creativecommons.org/publicdomain/zero/1.0/deed.de",
                "Creative Commons CC0 1.0 Universal",
            ),
            (
                "http://opendatacommons.org/licenses/odbl/1.0/",
                "Open Data Commons Open Database License v1.0",
            ),
            (
                "https://www.govdata.de/dl-de/by-2-0",
                "Data licence Germany – attribution – Version 2.0",
            ),
            (
                "http://data.norge.no/nlod/no/2.0",
                "Norwegian Licence for Open Government Data (NLOD) 2.0",
            ),
            (
                "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
                "Data licence Germany – attribution – Version 2.0",
            ),
            (
                "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
                "Data licence Germany – Zero – Version 2.0",
            ),
            (
                "http://dcat-ap.de/def/licenses/cc-zero",
                "Creative Commons CC0 1.0 Universal",
            ),
            (
                "http://www.opendefinition.org/licenses/cc-zero",
                "Creative Commons CC0 1.0 Universal",
            ),
            (
                "http://www.opendefinition.org/licenses/odc-odbl",
                "Open Data Commons Open Database License v1.0",
            ),
            (
                "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40",
                "Creative Commons Attribution 4.0 International",
            ),
            (
                "https://w3id.org/italia/controlled-vocabulary/licences/A11_CCO10",
                "Creative Commons CC0 1.0 Universal",
            ),
            (
                "https://w3id.org/italia/controlled-vocabulary/licences/A24_CCBY25",
                "Creative Commons Attribution 2.5 Generic",
            ),
            (
                "https://project-open-data.cio.gov/unknown-license/",
                "Licence not stated (DCAT-US unknown-license)",
            ),
        ] {
            assert_eq!(label(address), Some(expected), "{address}");
        }
        // Addresses that name no concept of the table are not guessed at.
        for address in [
            "https://creativecommons.org/licenses/by/9.0/",
            "https://creativecommons.org/licenses/by-xx/4.0/",
            "https://www.govdata.de/dl-de/by",
            "http://dcat-ap.de/def/licenses/officialWork",
            "https://w3id.org/italia/controlled-vocabulary/licences/A1_PublicDomain",
            "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY4",
            "https://example.org/licence",
            "creativecommons.org/licenses/by/4.0/",
        ] {
            assert_eq!(label(address), None, "{address}");
        }
    }

    #[test]
    fn catalogue_spellings_map_to_eu_concepts() {
        let eu = "http://publications.europa.eu/resource/authority/";
        assert_eq!(
            file_types().lookup("CSV").unwrap().as_str(),
            format!("{eu}file-type/CSV")
        );
        assert_eq!(
            file_types().lookup(" .xlsx ").unwrap().as_str(),
            format!("{eu}file-type/XLSX")
        );
        assert_eq!(
            file_types().lookup("Esri Shapefile").unwrap().as_str(),
            format!("{eu}file-type/SHP")
        );
        assert_eq!(
            licences().lookup("uk-ogl").unwrap().as_str(),
            format!("{eu}licence/OGL_3_0")
        );
        assert_eq!(
            licences().lookup("CC-BY-4.0").unwrap().as_str(),
            format!("{eu}licence/CC_BY_4_0")
        );
        assert_eq!(
            languages().lookup("en").unwrap().as_str(),
            format!("{eu}language/ENG")
        );
        assert_eq!(
            languages().lookup("Deutsch").unwrap().as_str(),
            format!("{eu}language/DEU")
        );
        assert_eq!(
            themes().lookup("Environment").unwrap().as_str(),
            format!("{eu}data-theme/ENVI")
        );
        assert_eq!(
            frequencies().lookup("R/P1M").unwrap().as_str(),
            format!("{eu}frequency/MONTHLY")
        );
        // CKAN's resource-format names, and extensions the tables lack.
        for (written, code) in [
            ("jpg", "JPEG"),
            ("Excel", "XLS"),
            ("tif", "TIFF"),
            ("nc ", "NETCDF"),
        ] {
            assert_eq!(
                file_types().lookup(written).unwrap().as_str(),
                format!("{eu}file-type/{code}"),
                "{written}"
            );
        }
        assert!(file_types().lookup("not a format").is_none());
        assert_eq!(label(&format!("{eu}data-theme/ENVI")), Some("Environment"));
        assert_eq!(
            label("http://purl.org/adms/publishertype/LocalAuthority"),
            Some("Local Authority")
        );
    }

    #[test]
    fn a_format_is_one_key_however_a_catalogue_wrote_it() {
        let csv = "http://publications.europa.eu/resource/authority/file-type/CSV";
        for written in [
            csv,
            "https://www.iana.org/assignments/media-types/text/csv",
            "http://www.iana.org/assignments/media-types/text/csv",
            "text/csv",
            "CSV",
        ] {
            assert_eq!(format_key(written), csv, "{written}");
        }
        assert_eq!(
            format_key(
                "https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            "http://publications.europa.eu/resource/authority/file-type/XLSX"
        );
        // A media type the table has no file type for is one address over either scheme.
        let odd = "https://www.iana.org/assignments/media-types/application/x-odd";
        assert_eq!(format_key(odd), odd);
        assert_eq!(
            format_key("http://www.iana.org/assignments/media-types/application/x-odd"),
            odd
        );
        assert_eq!(format_key("Esri REST"), "Esri REST");
        assert_eq!(file_type_code(csv), Some("CSV"));
        assert_eq!(media_type_of_address(odd), Some("application/x-odd"));
        assert_eq!(
            media_type_of_address("https://www.iana.org/assignments/media-types/"),
            None
        );
    }

    #[test]
    fn countries_are_named_by_their_codes() {
        assert_eq!(country_name("NL"), Some("Netherlands"));
        assert_eq!(country_name(" gbr "), Some("United Kingdom"));
        assert_eq!(country_name("UK"), Some("United Kingdom"));
        assert_eq!(country_name("EL"), Some("Greece"));
        assert_eq!(country_name("BO"), Some("Bolivia"));
        assert_eq!(country_name("Netherlands"), None);
        assert_eq!(country_name("XX"), None);
    }

    #[test]
    fn media_types_become_iana_iris() {
        assert_eq!(
            media_type("text/csv; charset=utf-8").unwrap().as_str(),
            "https://www.iana.org/assignments/media-types/text/csv"
        );
        assert!(media_type("CSV").is_none());
        assert!(media_type("text/<script>").is_none());
    }
}
