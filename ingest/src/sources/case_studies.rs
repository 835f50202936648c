//! The `case-studies` source kind: accounts of open data used in public services, from JSON
//! or CSV, in civicgraph's own format or the EU JRC's (IPS-X, AI Watch).
//!
//! The format is documented in `datasets/README.md`. Each case is one JSON object (the file
//! is an array of them, or an object with a `case_studies` array) or one CSV row (with a
//! header row; list fields separated by `;` or `|`). Field names are matched with the
//! aliases the JRC files use, so their `cases.json`, `cases.csv`, `services.json` and the
//! per-source CSVs read without conversion:
//!
//! | field (aliases) | RDF |
//! |---|---|
//! | `iri` | the case's IRI, if absolute; else minted from `id` |
//! | `id` (`cid`, `profile_id`, `Use Case ID`) | `dct:identifier`, `cg:sourceRecordId` |
//! | `title` (`name`, `org_name`, `Use Case Name`) | `dct:title` |
//! | `summary` | `schema:abstract` |
//! | `description` | `dct:description` |
//! | `place` (`geocoverage`, `city`, `org_hq_country`), `country` (`geocoverage_codes`) | `dct:spatial` → `dct:Location` |
//! | `year` (`start_date`) | `dct:date` (`xsd:gYear`) |
//! | `organisations` (`organisation`, `organisation_name`, the same spelt with a z, `lead_organisation_name`, `lead_organisation.name`, `org_name`, `Agency`) | `dct:contributor` → `foaf:Agent` |
//! | `organisation_type` (`organization_type`, `lead_organisation_category`, `lead_organisation.category`, `org_type`) | `cg:actor`, by [`ORGANISATION_TYPES`]; another type stays a `schema:additionalProperty` |
//! | `themes` (EU data-theme codes `TRAN`, names "Transport", or IRIs) | `dcat:theme` |
//! | `keywords` (`tags`, `sector`, `sectors`), and the collections' own classifications: `type`, `primary_sector`, `secondary_sector`, `technology` (JRC), `industry_id` (Impact Map), `Use Case Topic Area` (US AI inventory) | `dcat:keyword`, one per value (`Unknown` left out) |
//! | `patterns`, `beneficiaries`, `enablers`, `actors`, `channels`, `benefits` | `cg:usePattern`, `cg:beneficiary`, `cg:enabler`, `cg:actor`, `cg:channel`, `cg:benefit` |
//! | `datasets` (IRIs, identifiers such as a portal's own dataset ids, or objects with `iri`, `landing_page` or `identifier`, `title`, `publisher`) | `cg:usesDataset` (a dataset named by identifier gets its `dct:identifier`, which the linker matches) |
//! | `outcome` | `cg:outcome` |
//! | `sources` (`url`, `org_url`) | `dct:source`, one per address (a field may hold several, split at whitespace) |
//! | any other field | `schema:additionalProperty` |
//!
//! The Open Data Impact Map's organisation profiles (`org_profiles.json`: an organisation
//! and what it does with open data) read as case studies too: the description is the
//! organisation's own (`org_description`), its greatest impact in its words, each kind of
//! use it ticked with its description ("Products and services: …", from `use_prod_srvc` and
//! `use_prod_srvc_desc`, and likewise advocacy, research, optimising its own work and other
//! uses) and the kinds of data it uses: the same text the labelled set was built from
//! (`datasets/tagger/build_pool.py`), so a profile harvested is tagged as it was learnt.
//!
//! US federal agencies' AI use-case inventories (OMB's consolidated CSV, or an agency's
//! own) read as case studies too: a row with a `Use Case Name`, an `Agency` and the
//! inventory's questions is described by its answers to what the use is for (the problem,
//! the expected benefits, the outputs; the summary or intended purpose of earlier years),
//! and its agency acts (a central government), as the labelled set reads them.
//!
//! Concept values are the local names of the civicgraph schemes (`access`, `planning`,
//! `policy`; patterns also as `P1`–`P3` or `1`–`3`) or their IRIs. An unknown value is left
//! out with a warning, never guessed.

use crate::emit::{Emitter, absolute_iri, collapse_whitespace, list_items, scalar_text, web_address};
use crate::error::{IngestError, Result};
use crate::mint::Minter;
use crate::report::Report;
use civicgraph_vocab::ext::{dcat, dct, foaf, schema, skos};
use civicgraph_vocab::{cg, cga, cgb, cgben, cgc, cge, cgp};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedNodeRef, NamedOrBlankNode};
use serde_json::{Map, Value};

use civicgraph_vocab::ext::schema::ADDRESS_COUNTRY;

/// The most columns a CSV may have: a wider file is refused rather than held in memory.
pub const MAX_COLUMNS: usize = 512;

/// How a field that is none of the title's aliases still names the title, by its end
/// (`use_case_title`, `project_name`), in this order.
const TITLE_SUFFIXES: &[&str] = &["_title", "_name"];

/// Field names and their aliases; the first is the documented name.
const FIELDS: &[&[&str]] = &[
    &["iri"],
    &["id", "cid", "profile_id", "use_case_id"],
    &["title", "name", "org_name", "use_case_name"],
    &["summary"],
    &["description"],
    &["place", "geocoverage", "city", "org_hq_country"],
    &["country", "geocoverage_codes"],
    &["year", "start_date"],
    &["language", "lang"],
    &[
        "organisations",
        "organisation",
        "organisation_name",
        "organizations",
        "organization",
        "organization_name",
        "lead_organisation_name",
        "lead_organisation",
        "lead_organisation:name",
        "org_name",
        "agency",
    ],
    &[
        "organisation_type",
        "organization_type",
        "lead_organisation_category",
        "org_type",
    ],
    &["themes"],
    &["patterns"],
    &["beneficiaries"],
    &["enablers"],
    &["actors"],
    &["channels"],
    &["benefits"],
    &["datasets"],
    &["outcome"],
    &["sources", "url", "org_url", "remote_url"],
];

/// Fields whose values are keywords of a case: civicgraph's own `keywords` and the
/// classifications the collections give every case (the JRC's kind of innovation, sector
/// and technology; the Impact Map's industry; the US AI inventory's topic area). They say
/// what a case is about in a few words, and a search or the tagger reads them as it reads a
/// dataset's keywords; kept as properties, they were invisible to both.
const KEYWORD_FIELDS: &[&str] = &[
    "keywords",
    "tags",
    "sector",
    "sectors",
    "type",
    "primary_sector",
    "secondary_sector",
    "technology",
    "industry_id",
    "use_case_topic_area",
];

/// Values a collection gives a classification it does not know: no keyword.
const UNKNOWN_VALUES: &[&str] = &["unknown", "n/a", "na", "none", "-"];

/// Organisation types as the case collections name them (the JRC's lead-organisation
/// categories, the Open Data Impact Map's organisation types), and who acts
/// (`cga:`) each says. A type not listed here is kept as a property, not guessed.
pub const ORGANISATION_TYPES: &[(&str, &str)] = &[
    ("For-profit", "industry"),
    ("Private sector", "industry"),
    ("Nonprofit", "civil-society"),
    ("Developer group", "civil-society"),
    ("Non-governmental", "civil-society"),
    ("Association", "civil-society"),
    ("Asssociation", "civil-society"),
    ("Charity", "civil-society"),
    ("Community", "civil-society"),
    ("Community led", "civil-society"),
    ("Society", "civil-society"),
    ("Central-Government", "public-sector"),
    ("Local Government", "public-sector"),
    ("Regional Government", "public-sector"),
    ("Governmental", "public-sector"),
    ("State Owned", "public-sector"),
    ("Govt-owned", "public-sector"),
    ("Academic-Research", "academia"),
    ("Academic", "academia"),
    ("Academic Institution", "academia"),
    ("Academic Institutions", "academia"),
    ("University", "academia"),
];

/// The Open Data Impact Map's kinds of use: each a flag, its description field and the words
/// that introduce it in the description.
const IMPACT_MAP_USES: &[(&str, &str)] = &[
    ("use_prod_srvc", "Products and services"),
    ("use_advocacy", "Advocacy"),
    ("use_research", "Research"),
    ("use_org_opt", "Optimising its own work"),
    ("use_other", "Other use"),
];

/// The Open Data Impact Map fields that go into a profile's description.
const IMPACT_MAP_TEXT: &[&str] = &[
    "org_description",
    "org_greatest_impact_detail",
    "data_use_type",
    "org_type_other",
];

/// Maps a JSON file of case studies.
pub fn map_json(
    bytes: &[u8],
    document: &str,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
) -> Result<()> {
    let json = super::ckan::parse_json(bytes, document)?;
    let cases = match &json {
        Value::Array(items) => items,
        Value::Object(map) => map
            .get("case_studies")
            .or_else(|| map.get("cases"))
            .and_then(Value::as_array)
            .ok_or_else(|| {
                IngestError::shape(
                    document,
                    "expected an array of case studies, or an object with \"case_studies\"",
                )
            })?,
        _ => return Err(IngestError::shape(document, "expected an array of case studies")),
    };
    for (index, case) in cases.iter().enumerate() {
        let position = format!("{document}: case {}", index + 1);
        match case.as_object() {
            Some(fields) => map_case(fields, minter, out, report, &position),
            None => report.reject(
                format!("case {}", index + 1),
                position,
                "a case study is not a JSON object",
            ),
        }
    }
    Ok(())
}

/// The field delimiter of a CSV file: the one of `,`, `;` and tab its header row uses most
/// outside quotes (a comma when none is used). European portals export with semicolons
/// (data.gouv.fr's reuses, most French and German CSVs), where a comma is the decimal mark.
fn delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in bytes {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(entry) = counts.iter_mut().find(|(d, _)| *d == byte) {
                    entry.1 += 1;
                }
            }
            _ => {}
        }
    }
    // The most used; on a tie the earlier in the list, so a plain file stays comma-separated.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, count)| *count)
        .filter(|(_, count)| *count > 0)
        .map_or(b',', |(d, _)| *d)
}

/// Maps a CSV file of case studies (header row first), separated by commas, semicolons or
/// tabs ([`delimiter`]).
pub fn map_csv(
    bytes: &[u8],
    document: &str,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
) -> Result<()> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = delimiter(bytes);
    // A list within a field is split at the separators the file's own delimiter leaves
    // free: `;` or `|` in a comma-separated file, `,` or `|` in a semicolon-separated one
    // (data.gouv.fr's `tags`: "mobilite,sncf,train").
    let separators: &[char] = if delimiter == b';' {
        &[',', '|']
    } else {
        &[';', '|']
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(document, &e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect::<Vec<_>>();
    if headers.len() > MAX_COLUMNS {
        return Err(IngestError::shape(
            document,
            format!(
                "{} columns; case-study CSVs may have at most {MAX_COLUMNS}",
                headers.len()
            ),
        ));
    }
    // A title column as the rows are read: an alias in any casing and spacing, or a
    // column whose name ends in "title" or "name" (`Use Case Name`).
    let titled = |header: &str| {
        let key = normalised_key(header);
        FIELDS[2].iter().any(|alias| normalised_key(alias) == key)
            || TITLE_SUFFIXES.iter().any(|suffix| key.ends_with(suffix))
    };
    if !headers.iter().any(|h| titled(h)) {
        return Err(IngestError::shape(
            document,
            "no \"title\" (or \"name\", or a column whose name ends in \"title\" or \"name\") in the header row",
        ));
    }
    for (index, row) in reader.records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or_default();
                report.reject(
                    format!("row {}", index + 1),
                    format!("{document}: line {line}"),
                    e.to_string(),
                );
                continue;
            }
        };
        let line = row.position().map(|p| p.line()).unwrap_or_default();
        let position = format!("{document}: line {line}");
        if row.len() != headers.len() {
            report.reject(
                format!("row {}", index + 1),
                position,
                format!("{} fields where the header has {}", row.len(), headers.len()),
            );
            continue;
        }
        let mut fields = Map::new();
        for (header, value) in headers.iter().zip(row.iter()) {
            if value.trim().is_empty() {
                continue;
            }
            let value = if is_list_field(header) {
                Value::Array(
                    value
                        .split(separators)
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| Value::String(v.to_owned()))
                        .collect(),
                )
            } else {
                Value::String(value.to_owned())
            };
            fields.insert(header.clone(), value);
        }
        map_case(&fields, minter, out, report, &position);
    }
    Ok(())
}

fn csv_error(document: &str, error: &csv::Error) -> IngestError {
    let position = error.position().map(|p| crate::error::Position {
        line: p.line(),
        column: 1,
    });
    IngestError::syntax(document, position, error.to_string())
}

fn is_list_field(header: &str) -> bool {
    [
        "organisations",
        "keywords",
        "tags",
        "themes",
        "patterns",
        "beneficiaries",
        "enablers",
        "actors",
        "channels",
        "benefits",
        "datasets",
        "sources",
        "geocoverage",
        "geocoverage_codes",
    ]
    .contains(&header)
}

/// The value of a field by its documented name or an alias, as written or in any other
/// casing and spacing of the same words (`Title`, `Org Name`, `orgName`).
fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let aliases = FIELDS.iter().find(|f| f[0] == name).copied().unwrap_or(&[]);
    aliases
        .iter()
        .find_map(|alias| fields.get(*alias))
        .or_else(|| {
            aliases.iter().find_map(|alias| {
                let alias = normalised_key(alias);
                fields
                    .iter()
                    .find(|(key, _)| normalised_key(key) == alias)
                    .map(|(_, value)| value)
            })
        })
        .or_else(|| {
            // `lead_organisation` is an object with a `name` and a `category` in the JRC JSON.
            let inner = match name {
                "organisations" => "name",
                "organisation_type" => "category",
                _ => return None,
            };
            fields.get("lead_organisation").and_then(|o| o.get(inner))
        })
        .filter(|v| !v.is_null())
}

fn texts(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| scalar_text(v).or_else(|| v.get("name").and_then(scalar_text)))
            .collect(),
        Some(Value::Object(o)) => o.get("name").and_then(scalar_text).into_iter().collect(),
        Some(v) => scalar_text(v).into_iter().collect(),
        None => Vec::new(),
    }
    .into_iter()
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .collect()
}

/// The language tag of a case's text: its `language` field when that is a language tag,
/// else the language its title, summary and description are written in
/// ([`crate::language::language_of`]), English when none stands out. A collection of French
/// reuses is French text, and a SPARQL query for `@fr` titles should find it.
fn case_language(given: Option<&str>, texts: &[Option<&String>]) -> String {
    // A well-formed tag as the literal itself checks it (BCP 47), whose language is a
    // two- or three-letter code: "English" is a well-formed tag but names no language.
    let is_tag = |tag: &str| {
        tag.split('-')
            .next()
            .is_some_and(|primary| (2..=3).contains(&primary.len()))
            && Literal::new_language_tagged_literal("", tag).is_ok()
    };
    if let Some(tag) = given.map(str::trim).filter(|t| is_tag(t)) {
        return tag.to_ascii_lowercase();
    }
    let text: Vec<&str> = texts.iter().flatten().map(|t| t.as_str()).collect();
    crate::language::language_of(&text.join(" ")).tag().to_owned()
}

fn map_case(
    fields: &Map<String, Value>,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
    position: &str,
) {
    let one = |name: &str| texts(field(fields, name)).into_iter().next();
    let Some(title) = one("title").or_else(|| named_like(fields, TITLE_SUFFIXES).into_iter().next()) else {
        report.reject(
            one("id").unwrap_or_else(|| position.to_owned()),
            position,
            "a case study needs a title (a field `title`, `name` or one whose name ends in `_title` or `_name`)",
        );
        return;
    };
    let id = one("id");
    let iri = one("iri")
        .and_then(|i| absolute_iri(&i))
        .unwrap_or_else(|| minter.record("case-study", id.as_deref().unwrap_or(&title)));
    let c: NamedOrBlankNode = iri.into();
    out.add(c.clone(), rdf::TYPE, cg::CASE_STUDY);
    out.add(c.clone(), rdf::TYPE, schema::CREATIVE_WORK);
    if let Some(id) = &id {
        out.text(&c, dct::IDENTIFIER, id);
        out.text(&c, cg::SOURCE_RECORD_ID, id);
    }
    let summary = one("summary");
    let inventory = is_ai_inventory(fields);
    let description = one("description")
        .or_else(|| impact_map_description(fields))
        .or_else(|| inventory.then(|| ai_inventory_description(fields)).flatten())
        .or_else(|| {
            Some(named_like(fields, &["_description", "_desc", "_summary"]).join(" "))
                .filter(|d| !d.is_empty())
        });
    let lang = case_language(
        one("language").as_deref(),
        &[Some(&title), summary.as_ref(), description.as_ref()],
    );
    out.lang_text(&c, dct::TITLE, &title, &lang);
    if let Some(summary) = &summary {
        out.lang_text(&c, schema::ABSTRACT, summary, &lang);
    }
    if let Some(description) = &description {
        out.lang_text(&c, dct::DESCRIPTION, description, &lang);
    }
    if let Some(kind) = organisation_type(fields, inventory) {
        match ORGANISATION_TYPES.iter().find(|(name, _)| *name == kind) {
            Some((_, actor)) => {
                let actor = concept(actor, cga::ALL)
                    .expect("every organisation type names an actor of the vocabulary");
                out.add(c.clone(), cg::ACTOR, actor);
            }
            None => out.additional_property(&c, "organisation_type", &kind),
        }
    }
    let countries = texts(field(fields, "country"));
    for (i, place) in texts(field(fields, "place")).into_iter().enumerate() {
        let node = minter.record("place", &place);
        let p: NamedOrBlankNode = node.clone().into();
        out.add(c.clone(), dct::SPATIAL, node);
        out.add(p.clone(), rdf::TYPE, dct::LOCATION);
        // A name is in no language: "Lyon" is not English.
        out.text(&p, skos::PREF_LABEL, &place);
        if let Some(country) = countries.get(i).or(countries.first().filter(|_| i == 0)) {
            out.text(&p, ADDRESS_COUNTRY, country);
        }
    }
    if let Some(year) = one("year") {
        let digits: String = year.chars().take(4).collect();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            out.typed(&c, dct::DATE, &digits, xsd::G_YEAR);
        } else {
            report
                .warnings
                .push(format!("{position}: year {year:?} is not a year; left out"));
        }
    }
    for organisation in texts(field(fields, "organisations")) {
        let agent = agent(&organisation, minter, out);
        out.add(c.clone(), dct::CONTRIBUTOR, agent);
    }
    // A case study's subject, in the EU's data themes, so that the theme facet applies to
    // case studies as it does to datasets.
    for value in texts(field(fields, "themes")) {
        match civicgraph_vocab::authority::themes().lookup(&value).or_else(|| {
            civicgraph_vocab::authority::themes()
                .label(value.trim())
                .map(|_| NamedNode::new_unchecked(value.trim()))
        }) {
            Some(theme) => out.add(c.clone(), dcat::THEME, theme),
            None => report.warnings.push(format!(
                "{position}: themes value {value:?} is not an EU data theme; left out"
            )),
        }
    }
    for keyword in keywords(fields) {
        out.lang_text(&c, dcat::KEYWORD, &keyword, &lang);
    }
    for (name, property, scheme) in [
        ("patterns", cg::USE_PATTERN, cgp::ALL),
        ("beneficiaries", cg::BENEFICIARY, cgb::ALL),
        ("enablers", cg::ENABLER, cge::ALL),
        ("actors", cg::ACTOR, cga::ALL),
        ("channels", cg::CHANNEL, cgc::ALL),
        ("benefits", cg::BENEFIT, cgben::ALL),
    ] {
        for value in texts(field(fields, name)) {
            match concept(&value, scheme) {
                Some(concept) => out.add(c.clone(), property, concept),
                None => report.warnings.push(format!(
                    "{position}: {name} value {value:?} is not in the vocabulary; left out"
                )),
            }
        }
    }
    for dataset in match field(fields, "datasets") {
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
        None => Vec::new(),
    } {
        map_dataset(&dataset, &c, &lang, minter, out, report, position);
    }
    if let Some(outcome) = one("outcome") {
        out.lang_text(&c, cg::OUTCOME, &outcome, &lang);
    }
    for source in texts(field(fields, "sources")) {
        // One field often holds several addresses, a line each (58 of the IPS Explorer's
        // cases): an address holds no whitespace, so each word that is one is a source.
        let mut linked = false;
        for word in source.split_whitespace() {
            linked |= out.link(&c, dct::SOURCE, word);
        }
        if !linked {
            report.warnings.push(format!(
                "{position}: source {source:?} is not an absolute http(s) IRI; left out"
            ));
        }
    }
    let known: Vec<&str> = FIELDS
        .iter()
        .flat_map(|f| f.iter().copied())
        .chain(IMPACT_MAP_TEXT.iter().copied())
        .collect();
    for (key, value) in fields {
        let impact_map_use = IMPACT_MAP_USES
            .iter()
            .any(|(flag, _)| key == flag || key.strip_suffix("_desc") == Some(flag));
        if known.contains(&key.as_str())
            || key == "lead_organisation"
            || impact_map_use
            || is_keyword_field(key)
        {
            continue;
        }
        for value in texts(Some(value)) {
            out.additional_property(&c, key, &value);
        }
    }
}

/// Where a field stands in [`KEYWORD_FIELDS`], if it is one.
fn keyword_field(key: &str) -> Option<usize> {
    let key = normalised_key(key);
    KEYWORD_FIELDS.iter().position(|name| *name == key)
}

fn is_keyword_field(key: &str) -> bool {
    keyword_field(key).is_some()
}

/// A case's keywords (see [`KEYWORD_FIELDS`]), in the order of that list, each once.
fn keywords(fields: &Map<String, Value>) -> Vec<String> {
    // Each field's name normalised once, the keyword fields in the list's order.
    let mut found: Vec<(usize, &Value)> = fields
        .iter()
        .filter_map(|(key, value)| keyword_field(key).map(|at| (at, value)))
        .collect();
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<String> = Vec::new();
    // Seen keywords in a set: a cell of a million keywords is not compared pair by pair.
    let mut seen = std::collections::HashSet::new();
    for text in found.into_iter().flat_map(|(_, value)| texts(Some(value))) {
        let text = collapse_whitespace(&text);
        if !UNKNOWN_VALUES.contains(&text.to_lowercase().as_str()) && seen.insert(text.clone()) {
            out.push(text);
        }
    }
    out
}

/// The texts of the fields whose names end with one of `suffixes` (the first suffix's
/// fields first): how a collection with field names of its own (`use_case_title`,
/// `project_description`) still gives a case its title and description.
fn named_like(fields: &Map<String, Value>, suffixes: &[&str]) -> Vec<String> {
    suffixes
        .iter()
        .flat_map(|suffix| {
            fields
                .iter()
                .filter(move |(key, _)| normalised_key(key).ends_with(suffix))
                .filter_map(|(_, value)| value.as_str().map(collapse_whitespace))
        })
        .filter(|text| !text.is_empty())
        .collect()
}

/// A field name as the field rules compare it: lower case, its words joined by `_`, so
/// that a spreadsheet's `Use Case Title` or an API's `useCaseTitle` reads as
/// `use_case_title`.
fn normalised_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut after_lower = false;
    for c in key.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && after_lower {
                out.push('_');
            }
            after_lower = c.is_lowercase() || c.is_numeric();
            out.extend(c.to_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            after_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// A field's text, collapsed, if it is not empty.
fn prose(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields
        .get(key)
        .and_then(scalar_text)
        .map(|t| collapse_whitespace(&t))
        .filter(|t| !t.is_empty())
}

/// Whether a flag field is set: JSON `true`, or `true`/`yes`/`1` as text (CSV).
fn flag(fields: &Map<String, Value>, key: &str) -> bool {
    match fields.get(key) {
        Some(Value::Bool(set)) => *set,
        Some(Value::String(text)) => {
            ["true", "yes", "1"].contains(&text.trim().to_ascii_lowercase().as_str())
        }
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    }
}

/// The description of an Open Data Impact Map organisation profile (see the module docs),
/// or `None` when the record has none of its fields.
fn impact_map_description(fields: &Map<String, Value>) -> Option<String> {
    let mut parts: Vec<String> = ["org_description", "org_greatest_impact_detail"]
        .iter()
        .filter_map(|key| prose(fields, key))
        .collect();
    for (key, label) in IMPACT_MAP_USES {
        if flag(fields, key) {
            parts.push(match prose(fields, &format!("{key}_desc")) {
                Some(description) => format!("{label}: {description}"),
                None => format!("{label}."),
            });
        }
    }
    let kinds = list_items(fields.get("data_use_type")).join(", ");
    if !kinds.is_empty() {
        parts.push(format!("Open data used: {kinds}."));
    }
    let description = parts.join(" ");
    (!description.is_empty()).then_some(description)
}

/// The questions of a US federal agency's AI use-case inventory whose answers say what a
/// use case is for, as the start of their field names (the wording has changed from year to
/// year: 2023's "Summary of Use Case", 2024's "What is the intended purpose and expected
/// benefits of the AI?", 2025's three questions), in the order a description reads them.
const AI_INVENTORY_QUESTIONS: &[&str] = &[
    "summary_of_use_case",
    "what_problem_is_the_ai_intended_to_solve",
    "what_is_the_intended_purpose",
    "what_are_the_expected_benefits",
    "describe_the_ai_system_s_output",
];

/// A use case of a US federal AI use-case inventory (OMB's yearly consolidated file, or an
/// agency's own): a use-case name, the agency, and at least one of the questions.
fn is_ai_inventory(fields: &Map<String, Value>) -> bool {
    let keys: Vec<String> = fields.keys().map(|k| normalised_key(k)).collect();
    keys.iter().any(|k| k == "use_case_name")
        && keys.iter().any(|k| k == "agency")
        && keys
            .iter()
            .any(|k| AI_INVENTORY_QUESTIONS.iter().any(|q| k.starts_with(q)))
}

/// An inventory use case's description (see [`is_ai_inventory`]): its answers to the questions that say what it is
/// for, each distinct text once (agencies often repeat one answer in another field).
fn ai_inventory_description(fields: &Map<String, Value>) -> Option<String> {
    // Each answer with the place of its question, each key normalised once.
    let mut answers: Vec<(usize, String)> = fields
        .iter()
        .filter_map(|(key, value)| {
            let key = normalised_key(key);
            let question = AI_INVENTORY_QUESTIONS.iter().position(|q| key.starts_with(q))?;
            let text = collapse_whitespace(&scalar_text(value)?);
            (!text.is_empty()).then_some((question, text))
        })
        .collect();
    answers.sort_by_key(|(question, _)| *question);
    let mut parts: Vec<String> = Vec::new();
    for (_, text) in answers {
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    let description = parts.join(" ");
    (!description.is_empty()).then_some(description)
}

/// The type of the organisation behind a case, as its source names it; the Open Data
/// Impact Map's `Other` is the type it spells out in `org_type_other`. A use case of a US
/// federal AI inventory (`inventory`) is its agency's own: a central government's.
fn organisation_type(fields: &Map<String, Value>, inventory: bool) -> Option<String> {
    let Some(kind) = texts(field(fields, "organisation_type")).into_iter().next() else {
        return inventory.then(|| "Central-Government".to_owned());
    };
    if kind == "Other"
        && let Some(other) = prose(fields, "org_type_other")
    {
        return Some(other);
    }
    Some(collapse_whitespace(&kind))
}

/// How a case names a dataset it used: any of these, as the source gives them.
#[derive(Default)]
struct DatasetNamed {
    iri: Option<NamedNode>,
    landing: Option<NamedNode>,
    identifier: Option<String>,
    title: Option<String>,
    publisher: Option<String>,
}

impl DatasetNamed {
    fn of(dataset: &Value) -> Self {
        match dataset {
            // A bare token is the dataset's identifier in the portal the cases come from
            // (data.gouv.fr's reuses export names each dataset by the portal's id, which is
            // the `dct:identifier` of that dataset in the portal's own DCAT).
            Value::String(s) => match absolute_iri(s) {
                Some(iri) => Self {
                    iri: Some(iri),
                    ..Self::default()
                },
                None => Self {
                    identifier: dataset_identifier(s),
                    ..Self::default()
                },
            },
            Value::Object(o) => {
                let get = |k: &str| o.get(k).and_then(scalar_text).filter(|s| !s.trim().is_empty());
                Self {
                    iri: get("iri").and_then(|i| absolute_iri(&i)),
                    landing: get("landing_page").and_then(|l| web_address(&l)),
                    identifier: get("identifier").and_then(|i| dataset_identifier(&i)),
                    title: get("title"),
                    publisher: get("publisher"),
                }
            }
            _ => Self::default(),
        }
    }
}

/// The dataset `case` used, as `dataset` names it; a title given is in the case's `lang`.
fn map_dataset(
    dataset: &Value,
    case: &NamedOrBlankNode,
    lang: &str,
    minter: &Minter,
    out: &mut Emitter,
    report: &mut Report,
    position: &str,
) {
    let named = DatasetNamed::of(dataset);
    let node = if let Some(iri) = named.iri {
        iri
    } else if let Some(landing) = &named.landing {
        // Named by its landing page, so the linker can match it to a harvested dataset.
        minter.record("dataset", landing.as_str())
    } else if let Some(identifier) = &named.identifier {
        // Named by its identifier: the linker matches it to the harvested dataset that
        // carries the same one.
        minter.record("dataset", &format!("id:{identifier}"))
    } else {
        // Named as the source gives it, so that the user can find it.
        let given: String = match dataset {
            Value::String(s) => s.clone(),
            Value::Object(o) => o
                .get("title")
                .and_then(scalar_text)
                .unwrap_or_else(|| "an object".to_owned()),
            other => other.to_string(),
        };
        let given: String = given.chars().take(80).collect();
        report.warnings.push(format!(
            "{position}: the dataset used {given:?} has neither an IRI, a landing page nor an identifier; left out"
        ));
        return;
    };
    let d: NamedOrBlankNode = node.clone().into();
    out.add(case.clone(), cg::USES_DATASET, node);
    if named.landing.is_some() || named.identifier.is_some() || named.title.is_some() {
        out.add(d.clone(), rdf::TYPE, dcat::DATASET);
    }
    if let Some(identifier) = &named.identifier {
        out.text(&d, dct::IDENTIFIER, identifier);
    }
    if let Some(landing) = named.landing {
        out.add(d.clone(), dcat::LANDING_PAGE, landing);
    }
    if let Some(title) = &named.title {
        out.lang_text(&d, dct::TITLE, title, lang);
    }
    if let Some(publisher) = &named.publisher {
        let agent = agent(publisher, minter, out);
        out.add(d, dct::PUBLISHER, agent);
    }
}

/// `text` as the identifier of a dataset: one token (no spaces), long and plain enough to
/// name one dataset (the linker's rule, [`crate::enrich::link::normalise::identifier`]).
/// A title given where an identifier or IRI belongs is not one.
fn dataset_identifier(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.chars().any(char::is_whitespace))
        .then(|| crate::enrich::link::normalise::identifier(text))
        .flatten()
        .map(|_| text.to_owned())
}

/// The `foaf:Agent` named `name`, one per name within the source. A name is in no
/// language ("Bus Malin" is not English), so it is a plain string.
fn agent(name: &str, minter: &Minter, out: &mut Emitter) -> NamedNode {
    let agent = minter.record("agent", name);
    let a: NamedOrBlankNode = agent.clone().into();
    out.add(a.clone(), rdf::TYPE, foaf::AGENT);
    out.text(&a, foaf::NAME, name);
    agent
}

/// The concept of `scheme` named by `value`: a local name, an IRI, or for patterns `P1`-`P3`.
fn concept(value: &str, scheme: &[NamedNodeRef<'static>]) -> Option<NamedNode> {
    let value = value.trim();
    let by_number = match value.to_ascii_lowercase().as_str() {
        "p1" | "1" => Some("access"),
        "p2" | "2" => Some("planning"),
        "p3" | "3" => Some("policy"),
        _ => None,
    };
    scheme
        .iter()
        .find(|c| {
            let local = c.as_str().rsplit('/').next().unwrap_or_default();
            c.as_str() == value
                || local.eq_ignore_ascii_case(value)
                || local.eq_ignore_ascii_case(&value.replace([' ', '_'], "-"))
                || (scheme == cgp::ALL && by_number == Some(local))
        })
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicgraph_graph::Layout;

    fn minter() -> Minter {
        Minter::new(&Layout::default(), "cases").unwrap()
    }

    #[test]
    fn the_documented_json_format_maps_every_field() {
        let json = br#"{"case_studies": [{"id": "bins", "title": "Bin day finder", "summary": "S", "description": "D",
            "place": "Leeds", "country": "GB", "year": 2019, "organisations": ["Leeds City Council"],
            "themes": ["ENVI", "Transport", "http://publications.europa.eu/resource/authority/data-theme/REGI", "Bins"],
            "patterns": ["access", "P2"], "beneficiaries": ["citizens"], "enablers": ["open-standards"],
            "actors": ["public-sector"], "channels": ["nope"], "outcome": "Fewer calls",
            "datasets": [{"title": "Bin collections", "landing_page": "https://data.leeds.gov.uk/bins"}, "https://x.org/d/1"],
            "sources": ["https://leeds.gov.uk/bins", "javascript:alert(1)",
                "https://leeds.gov.uk/news/1\nhttps://example.org/report.pdf"], "budget": "small"}]}"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "cases.json", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        assert!(has("<https://w3id.org/civicgraph/pattern/access>"));
        assert!(has("<https://w3id.org/civicgraph/pattern/planning>"));
        assert!(has(
            "<https://w3id.org/civicgraph/ns#usesDataset> <https://x.org/d/1>"
        ));
        assert!(has(
            "<http://www.w3.org/ns/dcat#landingPage> <https://data.leeds.gov.uk/bins>"
        ));
        assert!(has("\"2019\"^^<http://www.w3.org/2001/XMLSchema#gYear>"));
        assert!(has("\"budget\""), "unknown fields are kept");
        assert!(!has("javascript"), "{lines:#?}");
        for source in ["https://leeds.gov.uk/news/1", "https://example.org/report.pdf"] {
            assert!(
                has(&format!("<http://purl.org/dc/terms/source> <{source}>")),
                "one source field holding two addresses, a line each: {lines:#?}"
            );
        }
        for theme in ["ENVI", "TRAN", "REGI"] {
            assert!(
                has(&format!(
                    "<http://www.w3.org/ns/dcat#theme> <http://publications.europa.eu/resource/authority/data-theme/{theme}>"
                )),
                "{theme}: {lines:#?}"
            );
        }
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("\"Bins\" is not an EU data theme")),
            "{:#?}",
            report.warnings
        );
        assert_eq!(report.warnings.len(), 3, "{:#?}", report.warnings);
    }

    #[test]
    fn an_impact_map_profile_reads_its_uses_and_its_organisation_type() {
        let json = br#"[{"profile_id": "963", "org_name": "Transit Apps Ltd", "org_type": "For-profit",
            "org_description": "We build  apps.", "org_greatest_impact_detail": "Riders find buses.",
            "use_prod_srvc": true, "use_prod_srvc_desc": "A journey planner on the city's feed.",
            "use_advocacy": false, "use_advocacy_desc": "unused", "use_research": "True",
            "data_use_type": ["Transportation", "Geospatial/mapping"], "org_hq_country": "United Kingdom",
            "org_url": "https://transit.example.com", "industry_id": "Transportation and logistics"},
           {"profile_id": "7", "org_name": "Lab", "org_type": "Other", "org_type_other": "Academic Institution", "org_url": "www.lab.example.ac.uk",
            "org_description": "Studies cities."},
           {"profile_id": "8", "org_name": "Mystery", "org_type": "Other", "org_description": "Does things."}]"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "org_profiles.json", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        assert!(has("\"Transit Apps Ltd\"@en"), "{lines:#?}");
        assert!(
            has(
                "\"We build apps. Riders find buses. Products and services: A journey planner on the city's feed. \
                 Research. Open data used: Transportation, Geospatial/mapping.\"@en"
            ),
            "{lines:#?}"
        );
        assert!(!has("unused"), "an unticked use says nothing: {lines:#?}");
        assert!(has("<https://w3id.org/civicgraph/actor/industry>"), "{lines:#?}");
        assert!(has("<https://w3id.org/civicgraph/actor/academia>"), "{lines:#?}");
        assert!(
            has("<http://purl.org/dc/terms/source> <https://transit.example.com>"),
            "{lines:#?}"
        );
        assert!(
            has("<http://purl.org/dc/terms/source> <http://www.lab.example.ac.uk>"),
            "a web address without its scheme: {lines:#?}"
        );
        assert!(
            has("\"Transportation and logistics\""),
            "other fields are kept: {lines:#?}"
        );
        assert!(
            has("\"Other\""),
            "an unknown type is kept, not guessed: {lines:#?}"
        );
        assert_eq!(report.rejections.len(), 0, "{:#?}", report.rejections);
    }

    #[test]
    fn every_organisation_type_names_an_actor_of_the_vocabulary() {
        for (kind, actor) in ORGANISATION_TYPES {
            assert!(concept(actor, cga::ALL).is_some(), "{kind}: {actor}");
        }
    }

    #[test]
    fn field_names_in_other_casings_and_spacings() {
        for (key, normalised) in [
            ("Use Case Title", "use_case_title"),
            ("useCaseDescription", "use_case_description"),
            ("ORG-NAME", "org_name"),
            ("lead_organisation:name", "lead_organisation_name"),
            ("title", "title"),
        ] {
            assert_eq!(normalised_key(key), normalised, "{key}");
        }
        let json = br#"[{"ID": "u1", "Title": "Flood alerts by text message",
            "Description": "The council texts residents.", "Organisation Type": "Public sector"},
            {"useCaseName": "Bus times", "useCaseDescription": "An app on the feed."}]"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "cases.json", &minter(), &mut out, &mut report).unwrap();
        assert!(report.rejections.is_empty(), "{:?}", report.rejections);
        let text: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        for expected in [
            "\"Flood alerts by text message\"",
            "\"The council texts residents.\"",
            "\"Bus times\"",
            "\"An app on the feed.\"",
        ] {
            assert!(text.iter().any(|t| t.contains(expected)), "{expected}");
        }
    }

    #[test]
    fn a_us_federal_ai_inventory_row_is_its_agencys_case_study() {
        // Two rows as OMB's consolidated 2025 file gives them (a subset of its 35 columns;
        // the second answers its benefits with its problem again), and a 2024 row.
        let csv = "Agency,Use Case ID,Use Case Name,Bureau/Component,What problem is the AI intended to solve?,\
What are the expected benefits and positive outcomes from the AI for an agency's mission and/or the general public?,\
Describe the AI system's outputs.\n\
Department Of Agriculture,USDA-001,Repair Spend,Administrative,,\
\"The intended purpose of this model is to review financial documents.\",\
\"The output of the model is a recommendation of which financial transactions should be identified as \"\"repair\"\" expenses.\"\n\
Department Of Energy,DOE-9,Grid Forecast,,Forecasts load.,Forecasts load.,A forecast.\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(csv.as_bytes(), "inventory.csv", &minter(), &mut out, &mut report).unwrap();
        assert!(report.rejections.is_empty(), "{:?}", report.rejections);
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        for expected in [
            "<http://purl.org/dc/terms/title> \"Repair Spend\"@en",
            "<http://purl.org/dc/terms/identifier> \"USDA-001\"",
            "<http://purl.org/dc/terms/description> \"The intended purpose of this model is to review \
             financial documents. The output of the model is a recommendation of which financial \
             transactions should be identified as \\\"repair\\\" expenses.\"@en",
            "<http://purl.org/dc/terms/description> \"Forecasts load. A forecast.\"@en",
            "\"Department Of Agriculture\"",
            "/actor/public-sector>",
        ] {
            assert!(has(expected), "{expected} in {lines:#?}");
        }
        let json = br#"[{"Agency": "Department of Labor", "Use Case Name": "Claims triage",
            "What is the intended purpose and expected benefits of the AI?": "Routes claims to staff."}]"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "inventory-2024.json", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        assert!(
            lines.iter().any(|l| l.contains("\"Routes claims to staff.\"@en"))
                && lines.iter().any(|l| l.contains("/actor/public-sector>")),
            "{lines:#?}"
        );
        // A file that only has an `agency` column is not taken for an inventory.
        let plain = b"title,description,agency\nBins,Collection days.,Leeds City Council\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(plain, "cases.csv", &minter(), &mut out, &mut report).unwrap();
        assert!(!out.triples.iter().any(|t| t.to_string().contains("/actor/")));
    }

    #[test]
    fn a_collections_classifications_are_the_cases_keywords() {
        // An AI Watch service as the JRC publishes it (fields trimmed), and a row of the US
        // AI inventory with its topic area.
        let json = br#"[{"id": 90001, "name": "Mona", "description": "A chatbot.",
            "primary_sector": "General public services",
            "secondary_sector": "Executive and legislative organs.",
            "technology": "Natural language processing", "type": "Unknown",
            "status": "Unknown"}]"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "services.json", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let keywords: Vec<&String> = lines.iter().filter(|l| l.contains("#keyword>")).collect();
        assert_eq!(keywords.len(), 3, "{keywords:#?}");
        for expected in [
            "\"General public services\"@en",
            "\"Executive and legislative organs.\"@en",
            "\"Natural language processing\"@en",
        ] {
            assert!(keywords.iter().any(|l| l.contains(expected)), "{expected}");
        }
        // A classification is a keyword, not also a property; another field stays one.
        assert!(!lines.iter().any(|l| l.contains("\"technology\"")));
        assert!(lines.iter().any(|l| l.contains("\"status\"")));
        let csv = "Agency,Use Case Name,Use Case Topic Area,keywords\n\
Department Of Energy,Grid Forecast,Energy & the Environment,grid; load\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(csv.as_bytes(), "inventory.csv", &minter(), &mut out, &mut report).unwrap();
        let keywords: Vec<String> = out
            .triples
            .iter()
            .filter(|t| t.predicate == dcat::KEYWORD)
            .map(|t| t.object.to_string())
            .collect();
        assert_eq!(
            keywords,
            ["\"grid\"@en", "\"load\"@en", "\"Energy & the Environment\"@en"]
        );
    }

    #[test]
    fn a_use_case_sheet_spelt_the_american_way_gives_who_acts_and_the_sector() {
        let csv = "Use Case ID,Organization Name,Organization Type,Use Case Title,Use Case Description,Sector\n\
1,Acme Transit Apps,For-profit,Bus arrival app,Tells riders when the next bus comes.,Transportation\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(csv.as_bytes(), "use-cases.csv", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        for expected in [
            "<http://purl.org/dc/terms/title> \"Bus arrival app\"@en",
            "\"Tells riders when the next bus comes.\"@en",
            "\"Acme Transit Apps\"",
            "/actor/industry>",
            "#keyword> \"Transportation\"@en",
        ] {
            assert!(has(expected), "{expected} in {lines:#?}");
        }
    }

    #[test]
    fn a_portal_s_semicolon_separated_reuses_export_is_read_in_its_own_language() {
        // data.gouv.fr's reuses export, as the portal publishes it: semicolons between
        // fields, commas between tags, French text.
        let csv = "\"id\";\"title\";\"type\";\"description\";\"remote_url\";\"organization\";\"tags\";\"datasets\"\n\
\"5f1\";\"Horaires des bus, en temps réel\";\"application\";\"L'application affiche les prochains passages des bus de la ville; elle est gratuite et sans publicité.\";\"https://bus.example.fr/\";\"Bus Malin\";\"mobilite,transport,bus\";\"559395f1c751df0f51a453b9\"\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(csv.as_bytes(), "reuses.csv", &minter(), &mut out, &mut report).unwrap();
        assert!(report.rejections.is_empty(), "{:#?}", report.rejections);
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        for expected in [
            "<http://purl.org/dc/terms/title> \"Horaires des bus, en temps réel\"@fr",
            "gratuite et sans publicité.\"@fr",
            "#keyword> \"mobilite\"@fr",
            "#keyword> \"bus\"@fr",
            "#keyword> \"application\"@fr",
            "\"Bus Malin\"",
            "<http://purl.org/dc/terms/source> <https://bus.example.fr/>",
        ] {
            assert!(has(expected), "{expected} in {lines:#?}");
        }
        assert!(
            !lines
                .iter()
                .any(|l| l.contains("/case-study/5f1> ") && l.ends_with("@en")),
            "no text of the case is English: {lines:#?}"
        );
        // The portal names the datasets a reuse used by its own ids: each is a dataset with
        // that identifier, for the linker to match to the portal's own record of it.
        assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
        let used: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("/case-study/5f1> <https://w3id.org/civicgraph/ns#usesDataset>"))
            .collect();
        assert_eq!(used.len(), 1, "{lines:#?}");
        assert!(
            has("<http://purl.org/dc/terms/identifier> \"559395f1c751df0f51a453b9\""),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_dataset_used_is_named_by_iri_landing_page_or_identifier_and_nothing_else() {
        let case: NamedOrBlankNode = NamedNode::new("http://example.org/case/1").unwrap().into();
        let (mut out, mut report) = (Emitter::default(), Report::default());
        for given in [
            serde_json::json!("FR-559395f1"),
            serde_json::json!({"identifier": "ons-census-2021", "title": "Census 2021"}),
            serde_json::json!("Road traffic counts"),
            serde_json::json!("2019"),
        ] {
            map_dataset(&given, &case, "en", &minter(), &mut out, &mut report, "line 2");
        }
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let identifiers: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("/terms/identifier>"))
            .collect();
        assert_eq!(identifiers.len(), 2, "{lines:#?}");
        assert!(
            identifiers[0].ends_with("\"FR-559395f1\""),
            "as given: {identifiers:?}"
        );
        // A title where an identifier belongs, and a number too plain to name one dataset.
        assert_eq!(report.warnings.len(), 2, "{:#?}", report.warnings);
        assert!(
            report.warnings[0].contains("\"Road traffic counts\""),
            "{:#?}",
            report.warnings
        );
    }

    #[test]
    fn a_case_s_language_is_its_own_field_or_its_text_s() {
        let french = "Les données des communes pour les habitants".to_owned();
        assert_eq!(case_language(None, &[Some(&french)]), "fr");
        assert_eq!(
            case_language(Some("nl-BE"), &[Some(&french)]),
            "nl-be",
            "a field says it"
        );
        assert_eq!(
            case_language(Some("French!"), &[Some(&french)]),
            "fr",
            "not a tag: the text decides"
        );
        assert_eq!(case_language(None, &[Some(&"Bus 42".to_owned())]), "en");
        assert_eq!(delimiter(b"a,b;c,d\n"), b',');
        assert_eq!(
            delimiter(b"\"a;b\",c\n"),
            b',',
            "a quoted semicolon does not count"
        );
        assert_eq!(delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(delimiter(b"title\n"), b',');
    }

    #[test]
    fn a_collection_with_its_own_field_names_still_gives_title_and_description() {
        let json = br#"[{"use_case_id": "u1", "use_case_title": "Flood alerts by text message",
            "project_description": "The council texts residents.", "impact_summary": "Fewer losses."}]"#;
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(json, "cases.json", &minter(), &mut out, &mut report).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |s: &str| lines.iter().any(|l| l.contains(s));
        assert!(
            has("<http://purl.org/dc/terms/title> \"Flood alerts by text message\"@en"),
            "{lines:#?}"
        );
        assert!(
            has("<http://purl.org/dc/terms/description> \"The council texts residents. Fewer losses.\"@en"),
            "{lines:#?}"
        );
        let untitled = br#"[{"notes": "no title anywhere"}]"#;
        map_json(untitled, "cases.json", &minter(), &mut out, &mut report).unwrap();
        assert!(
            report.rejections.iter().any(|r| r.reason.contains("_title")),
            "{:#?}",
            report.rejections
        );
    }

    #[test]
    fn csv_rows_with_the_wrong_width_are_rejected_with_their_line() {
        let csv = b"id,title,patterns\n1,Bin day finder,access;policy\n2,Broken\n3,Road works,planning\n";
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(csv, "cases.csv", &minter(), &mut out, &mut report).unwrap();
        assert_eq!(report.rejections.len(), 1);
        assert_eq!(report.rejections[0].position, "cases.csv: line 3");
        let cases = out
            .triples
            .iter()
            .filter(|t| t.object == cg::CASE_STUDY.into())
            .count();
        assert_eq!(cases, 2);
    }

    #[test]
    fn a_csv_with_a_million_columns_is_refused() {
        let mut csv = "title".to_owned();
        for i in 0..1_000_000 {
            csv.push_str(&format!(",c{i}"));
        }
        let (mut out, mut report) = (Emitter::default(), Report::default());
        let error = map_csv(csv.as_bytes(), "wide.csv", &minter(), &mut out, &mut report).unwrap_err();
        assert!(error.to_string().contains("at most 512"), "{error}");
    }

    #[test]
    fn the_jrc_files_read_without_conversion() {
        let dir = format!(
            "{}/../../shared/data/public-service-innovation-cases",
            env!("CARGO_MANIFEST_DIR")
        );
        let Ok(json) = std::fs::read(format!("{dir}/ips-explorer/cases.json")) else {
            return;
        };
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_json(&json, "cases.json", &minter(), &mut out, &mut report).unwrap();
        let cases = out
            .triples
            .iter()
            .filter(|t| t.object == cg::CASE_STUDY.into())
            .count();
        assert_eq!(cases + report.rejections.len(), 853);
        let csv = std::fs::read(format!("{dir}/ips-explorer/cases.csv")).unwrap();
        let (mut out, mut report) = (Emitter::default(), Report::default());
        map_csv(&csv, "cases.csv", &minter(), &mut out, &mut report).unwrap();
        let from_csv = out
            .triples
            .iter()
            .filter(|t| t.object == cg::CASE_STUDY.into())
            .count();
        assert_eq!(from_csv + report.rejections.len(), 853);
    }
}
