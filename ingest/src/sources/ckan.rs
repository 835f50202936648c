//! The `ckan` source kind: CKAN Action API `package_search` responses to DCAT-AP.
//!
//! The mapping follows ckanext-dcat's `euro_dcat_ap` profile, so data harvested here reads
//! the same as data a CKAN portal exports itself:
//!
//! | CKAN | DCAT-AP |
//! |---|---|
//! | package (`extras.uri`, else `{portal}/dataset/{id}`) | `dcat:Dataset` |
//! | `title`, `notes`, `version`, `url` | `dct:title`, `dct:description`, `owl:versionInfo`, `dcat:landingPage` |
//! | `metadata_created`, `metadata_modified` | `dct:issued`, `dct:modified` |
//! | `tags[].name` | `dcat:keyword` |
//! | `groups[]` | `dcat:theme` (`{portal}/group/{name}`, a `skos:Concept`) |
//! | `organization` (or `extras.publisher_*`) | `dct:publisher` → `foaf:Organization` |
//! | `extras.contact_*`, else maintainer, else author | `dcat:contactPoint` → `vcard:Kind` |
//! | `extras.identifier`/`guid`, else `id` | `dct:identifier`; `id` also `cg:sourceRecordId` |
//! | `extras.spatial` (GeoJSON), `spatial_uri` | `dct:spatial` → `dct:Location` with `locn:geometry` |
//! | `extras.temporal_start`/`temporal_end` | `dct:temporal` → `dct:PeriodOfTime` |
//! | `extras.frequency`, `language`, `theme`, `access_rights`, `conforms_to`, `alternate_identifier`, `documentation`, `version_notes` | the DCAT-AP properties of those names |
//! | other extras | `schema:additionalProperty` → `schema:PropertyValue` (kept, not dropped) |
//! | `resources[]` (`uri`, else `{portal}/dataset/{id}/resource/{rid}`) | `dcat:Distribution` |
//! | `url`, `download_url`, `format`, `mimetype`, `size`, `name`, `description`, `created`, `last_modified` | `dcat:accessURL`, `dcat:downloadURL`, `dct:format`, `dcat:mediaType`, `dcat:byteSize`, `dct:title`, `dct:description`, `dct:issued`, `dct:modified` |
//! | `license_url`/`license_id` | `dct:license` on every distribution (EU licence table where it maps) |

use crate::config::{HarvestSettings, SourceConfig};
use crate::emit::{Emitter, absolute_iri, scalar_text, string_list};
use crate::error::{IngestError, Result};
use crate::fetch::Fetcher;
use crate::harvest::Progress;
use crate::records::remove_records;
use crate::report::Report;
use civicgraph_vocab::authority;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{adms, dcat, dct, foaf, skos, vcard};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{NamedNode, NamedNodeRef, NamedOrBlankNode};
use oxigraph::model::{Term, Triple};
use serde_json::Value;
use std::collections::HashSet;

const LOCN_GEOMETRY: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/ns/locn#geometry");
const GEO_JSON: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("https://www.iana.org/assignments/media-types/application/vnd.geo+json");
const VERSION_INFO: NamedNodeRef<'static> =
    NamedNodeRef::new_unchecked("http://www.w3.org/2002/07/owl#versionInfo");

/// One page of `package_search`.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// `result.count`: how many packages match in all.
    pub count: u64,
    /// `result.results`.
    pub packages: Vec<Value>,
}

/// Reads a `package_search` response, a `package_show` response listing packages, or a
/// bare list of packages. A response with `"success": false` is an error carrying CKAN's
/// own message.
pub fn parse_search(bytes: &[u8], document: &str) -> Result<SearchPage> {
    let json = parse_json(bytes, document)?;
    if json.get("success") == Some(&Value::Bool(false)) {
        let message = json
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(IngestError::shape(
            document,
            format!("CKAN answered success=false: {message}"),
        ));
    }
    // A bare list of packages: a saved `package_show` of several, or a hand-made export.
    if let Value::Array(packages) = &json
        && packages.iter().any(looks_like_package)
    {
        return Ok(SearchPage {
            count: packages.len() as u64,
            packages: packages.clone(),
        });
    }
    let result = json
        .get("result")
        .ok_or_else(|| IngestError::shape(document, "not a CKAN Action API response: no \"result\""))?;
    // DKAN and old CKAN answer package_show with a bare list of packages.
    if let Some(packages) = result.as_array() {
        if !packages.is_empty() && !packages.iter().any(looks_like_package) {
            return Err(IngestError::shape(
                document,
                format!(
                    "the \"result\" list holds no CKAN packages (its first item is {}): \
                     a license, organization or name list, not datasets",
                    first_item(&packages[0])
                ),
            ));
        }
        return Ok(SearchPage {
            count: packages.len() as u64,
            packages: packages.clone(),
        });
    }
    let count = result
        .get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| IngestError::shape(document, "package_search result has no \"count\""))?;
    let packages = result
        .get("results")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| IngestError::shape(document, "package_search result has no \"results\" array"))?;
    Ok(SearchPage { count, packages })
}

/// Which CKAN document a JSON value is: the one reading of CKAN's answer and export shapes,
/// shared by a harvest of a saved export ([`read_export`]) and by a document whose kind is
/// guessed (`DocumentKind::guess`), so the two cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A `package_search` answer (`result.results`), or a `package_show` answer whose
    /// `result` is a list of packages (DKAN and old CKAN), possibly empty.
    Search,
    /// A `package_show` answer: one package in `result`.
    Shown,
    /// A bare list of packages (a saved `package_show` of several, or a hand-made export).
    List,
    /// One bare package dict.
    Package,
}

/// The CKAN shape of `json`, or `None` when it is none of them. CKAN's `license_list`,
/// `organization_list` and `package_list` also answer lists in `result`: those are not
/// package lists.
pub fn shape(json: &Value) -> Option<Shape> {
    let result = json.get("result");
    if json.pointer("/result/results").is_some()
        || result
            .and_then(Value::as_array)
            .is_some_and(|list| list.is_empty() || list.iter().any(looks_like_package))
    {
        return Some(Shape::Search);
    }
    if result.is_some_and(looks_like_package) {
        return Some(Shape::Shown);
    }
    match json {
        Value::Array(items) if items.iter().any(looks_like_package) => Some(Shape::List),
        value if looks_like_package(value) => Some(Shape::Package),
        _ => None,
    }
}

/// Whether a JSON value is a CKAN package dict: it has a `name` (or an `id`) and at least
/// one field only packages carry, and is not an organization or group (whose dicts share
/// `name`, `title` and `extras`). License, organization and name lists are not packages.
pub fn looks_like_package(value: &Value) -> bool {
    let Some(fields) = value.as_object() else {
        return false;
    };
    let named = ["name", "id"]
        .iter()
        .any(|k| fields.get(*k).is_some_and(Value::is_string));
    let group = fields.get("is_organization") == Some(&Value::Bool(true))
        || fields
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t == "organization" || t == "group");
    named
        && !group
        && [
            "resources",
            "notes",
            "tags",
            "extras",
            "metadata_modified",
            "num_resources",
            "owner_org",
        ]
        .iter()
        .any(|k| fields.contains_key(*k))
}

/// A short picture of a JSON value for an error: a string itself, else its kind and keys.
fn first_item(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string {:?}", s.chars().take(60).collect::<String>()),
        Value::Object(fields) => format!(
            "an object with {}",
            fields
                .keys()
                .take(6)
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!(
            "a JSON {}",
            match other {
                Value::Array(_) => "array",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "null",
            }
        ),
    }
}

/// Parses JSON with a depth limit, naming the line and column of a syntax error.
pub fn parse_json(bytes: &[u8], document: &str) -> Result<Value> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // serde_json refuses nesting deeper than 128 on its own, so hostile depth is an error.
    serde_json::from_slice(bytes).map_err(|e| {
        IngestError::syntax(
            document,
            (e.line() > 0).then_some(crate::error::Position {
                line: e.line() as u64,
                column: e.column() as u64,
            }),
            e.to_string(),
        )
    })
}

/// The CKAN id of a package, if it has one; a package dict that was never stored (as in
/// ckanext-scheming examples) has only its `name`, which is unique in a portal too.
pub fn package_id(package: &Value) -> Option<&str> {
    ["id", "name"].into_iter().find_map(|key| {
        package
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    })
}

/// The IRI a package maps to: `extras.uri` if it is an absolute IRI, else
/// `{portal}/dataset/{id}`.
pub fn dataset_iri(package: &Value, portal: &str) -> Option<NamedNode> {
    extra(package, "uri").and_then(|u| absolute_iri(&u)).or_else(|| {
        absolute_iri(&format!(
            "{}/dataset/{}",
            portal.trim_end_matches('/'),
            package_id(package)?
        ))
    })
}

/// The value of a CKAN extra (`extras` is a list of `{key, value}`; ckanext-scheming puts
/// some at the top level instead, which is read too).
fn extra(package: &Value, key: &str) -> Option<String> {
    package
        .get("extras")
        .and_then(Value::as_array)
        .and_then(|extras| {
            extras
                .iter()
                .find(|e| e.get("key").and_then(Value::as_str) == Some(key))
                .and_then(|e| e.get("value"))
                .and_then(scalar_text)
        })
        .or_else(|| package.get(key).and_then(scalar_text))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Extras this mapping turns into DCAT-AP properties; all others are kept as
/// `schema:additionalProperty`.
const MAPPED_EXTRAS: &[&str] = &[
    "uri",
    "identifier",
    "guid",
    "spatial",
    "spatial_uri",
    "spatial_text",
    "temporal_start",
    "temporal_end",
    "frequency",
    "language",
    "theme",
    "access_rights",
    "conforms_to",
    "alternate_identifier",
    "documentation",
    "version_notes",
    "contact_uri",
    "contact_name",
    "contact_email",
    "publisher_uri",
    "publisher_name",
    "publisher_email",
    "publisher_url",
    "publisher_type",
    "issued",
    "modified",
];

/// Maps one package to triples. Fails (and the package is rejected) only when it has no
/// id, or neither an id nor a usable `uri`.
pub fn map_package(
    package: &Value,
    portal: &str,
    out: &mut Emitter,
) -> std::result::Result<NamedNode, String> {
    let portal = portal.trim_end_matches('/');
    if !package.is_object() {
        return Err("a package is not a JSON object".to_owned());
    }
    let id = package_id(package).ok_or("the package has no \"id\" (nor \"name\")")?;
    let iri = dataset_iri(package, portal).ok_or_else(|| format!("package {id}: no usable IRI"))?;
    let d: NamedOrBlankNode = iri.clone().into();
    let get = |key: &str| {
        package
            .get(key)
            .and_then(scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    out.add(d.clone(), rdf::TYPE, dcat::DATASET);
    out.text(&d, cg::SOURCE_RECORD_ID, id);
    if let Some(title) = get("title").or_else(|| get("name")) {
        out.text(&d, dct::TITLE, &title);
    }
    if let Some(notes) = get("notes") {
        out.text(&d, dct::DESCRIPTION, &notes);
    }
    if let Some(version) = get("version") {
        out.text(&d, VERSION_INFO, &version);
    }
    let identifier = extra(package, "identifier")
        .or_else(|| extra(package, "guid"))
        .unwrap_or_else(|| id.to_owned());
    out.text(&d, dct::IDENTIFIER, &identifier);
    match get("url") {
        Some(url) if absolute_iri(&url).is_some() => {
            out.link_typed(&d, dcat::LANDING_PAGE, &url, foaf::DOCUMENT);
        }
        _ => {
            if let Some(name) = get("name") {
                out.link_typed(
                    &d,
                    dcat::LANDING_PAGE,
                    &format!("{portal}/dataset/{name}"),
                    foaf::DOCUMENT,
                );
            }
        }
    }
    out.text(
        &d,
        dct::ISSUED,
        &extra(package, "issued")
            .or_else(|| get("metadata_created"))
            .unwrap_or_default(),
    );
    out.text(
        &d,
        dct::MODIFIED,
        &extra(package, "modified")
            .or_else(|| get("metadata_modified"))
            .unwrap_or_default(),
    );
    for tag in package
        .get("tags")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let name = tag
            .get("display_name")
            .or_else(|| tag.get("name"))
            .and_then(scalar_text)
            .or_else(|| scalar_text(tag));
        if let Some(name) = name {
            out.text(&d, dcat::KEYWORD, &name);
        }
    }
    for group in package
        .get("groups")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(name) = group.get("name").and_then(Value::as_str) else {
            continue;
        };
        if let Some(theme) = absolute_iri(&format!("{portal}/group/{}", crate::mint::encode(name))) {
            let t: NamedOrBlankNode = theme.clone().into();
            out.add(d.clone(), dcat::THEME, theme);
            out.add(t.clone(), rdf::TYPE, skos::CONCEPT);
            let label = group
                .get("title")
                .or_else(|| group.get("display_name"))
                .and_then(scalar_text)
                .unwrap_or_else(|| name.to_owned());
            out.text(&t, skos::PREF_LABEL, &label);
        }
    }
    for theme in string_list(extra(package, "theme").map(Value::String).as_ref(), true) {
        if !out.link(&d, dcat::THEME, &theme)
            && let Some(iri) = authority::themes().lookup(&theme)
        {
            out.add(d.clone(), dcat::THEME, iri);
        }
    }
    map_publisher(package, portal, &d, out);
    map_contact(package, &d, out);
    map_extras(package, &d, out);
    // The EU licence table where any of the three fields maps, else the licence's own URL.
    let field = |key: &str| package.get(key).and_then(Value::as_str);
    let licence = ["license_url", "license_id", "license_title"]
        .into_iter()
        .find_map(|key| field(key).and_then(|l| authority::licences().lookup(l)))
        .or_else(|| field("license_url").and_then(absolute_iri));
    for (index, resource) in package
        .get("resources")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        map_resource(resource, portal, id, index, &d, licence.as_ref(), out);
    }
    Ok(iri)
}

fn map_publisher(package: &Value, portal: &str, d: &NamedOrBlankNode, out: &mut Emitter) {
    let org = package.get("organization").filter(|o| o.is_object());
    let iri = extra(package, "publisher_uri")
        .and_then(|u| absolute_iri(&u))
        .or_else(|| {
            let id = org?
                .get("name")
                .or_else(|| org?.get("id"))
                .and_then(Value::as_str)?;
            absolute_iri(&format!("{portal}/organization/{}", crate::mint::encode(id)))
        });
    let Some(iri) = iri else {
        return;
    };
    let p: NamedOrBlankNode = iri.clone().into();
    out.add(d.clone(), dct::PUBLISHER, iri);
    out.add(p.clone(), rdf::TYPE, foaf::AGENT);
    out.add(p.clone(), rdf::TYPE, foaf::ORGANIZATION);
    let name = extra(package, "publisher_name")
        .or_else(|| org.and_then(|o| o.get("title")).and_then(scalar_text))
        .or_else(|| org.and_then(|o| o.get("name")).and_then(scalar_text));
    if let Some(name) = name {
        out.text(&p, foaf::NAME, &name);
    }
    if let Some(url) = extra(package, "publisher_url") {
        out.link_typed(&p, foaf::HOMEPAGE, &url, foaf::DOCUMENT);
    }
    if let Some(kind) = extra(package, "publisher_type") {
        out.link(&p, dct::TYPE, &kind);
    }
}

fn map_contact(package: &Value, d: &NamedOrBlankNode, out: &mut Emitter) {
    let get = |key: &str| {
        extra(package, key)
            .or_else(|| package.get(key).and_then(scalar_text))
            .filter(|s| !s.trim().is_empty())
    };
    let (name, email) = if get("contact_name").is_some() || get("contact_email").is_some() {
        (get("contact_name"), get("contact_email"))
    } else if get("maintainer").is_some() || get("maintainer_email").is_some() {
        (get("maintainer"), get("maintainer_email"))
    } else {
        (get("author"), get("author_email"))
    };
    let uri = get("contact_uri").and_then(|u| absolute_iri(&u));
    if name.is_none() && email.is_none() && uri.is_none() {
        return;
    }
    let c: NamedOrBlankNode = match uri {
        Some(u) => u.into(),
        None => out.blank().into(),
    };
    out.add(d.clone(), dcat::CONTACT_POINT, c.clone());
    out.add(c.clone(), rdf::TYPE, vcard::KIND);
    if let Some(name) = name {
        out.text(&c, vcard::FN, &name);
    }
    if let Some(email) = email {
        out.email(&c, vcard::HAS_EMAIL, &email);
    }
}

fn map_extras(package: &Value, d: &NamedOrBlankNode, out: &mut Emitter) {
    if let Some(uri) = extra(package, "spatial_uri") {
        out.link(d, dct::SPATIAL, &uri);
    }
    if let Some(geometry) = extra(package, "spatial") {
        let place: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dct::SPATIAL, place.clone());
        out.add(place.clone(), rdf::TYPE, dct::LOCATION);
        out.typed(&place, LOCN_GEOMETRY, &geometry, GEO_JSON);
        if let Some(text) = extra(package, "spatial_text") {
            out.text(&place, skos::PREF_LABEL, &text);
        }
    }
    let (start, end) = (extra(package, "temporal_start"), extra(package, "temporal_end"));
    if start.is_some() || end.is_some() {
        let period: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), dct::TEMPORAL, period.clone());
        out.add(period.clone(), rdf::TYPE, dct::PERIOD_OF_TIME);
        out.text(&period, dcat::START_DATE, &start.unwrap_or_default());
        out.text(&period, dcat::END_DATE, &end.unwrap_or_default());
    }
    if let Some(frequency) = extra(package, "frequency")
        && !out.link(d, dct::ACCRUAL_PERIODICITY, &frequency)
    {
        match authority::frequencies().lookup(&frequency) {
            Some(iri) => out.add(d.clone(), dct::ACCRUAL_PERIODICITY, iri),
            None => out.text(d, dct::ACCRUAL_PERIODICITY, &frequency),
        }
    }
    for language in string_list(extra(package, "language").map(Value::String).as_ref(), true) {
        let language = language.trim_matches(['[', ']', '"']).to_owned();
        if !out.link(d, dct::LANGUAGE, &language) {
            match authority::languages().lookup(&language) {
                Some(iri) => out.add(d.clone(), dct::LANGUAGE, iri),
                None => out.text(d, dct::LANGUAGE, &language),
            }
        }
    }
    if let Some(rights) = extra(package, "access_rights") {
        out.link_or_text(d, dct::ACCESS_RIGHTS, &rights);
    }
    for standard in string_list(extra(package, "conforms_to").map(Value::String).as_ref(), true) {
        out.link_or_text(d, dct::CONFORMS_TO, &standard);
    }
    for identifier in string_list(
        extra(package, "alternate_identifier").map(Value::String).as_ref(),
        true,
    ) {
        let node: NamedOrBlankNode = out.blank().into();
        out.add(d.clone(), adms::IDENTIFIER, node.clone());
        out.add(node.clone(), rdf::TYPE, adms::IDENTIFIER_CLASS);
        out.text(&node, skos::NOTATION, &identifier);
    }
    for page in string_list(extra(package, "documentation").map(Value::String).as_ref(), true) {
        out.link_typed(d, foaf::PAGE, &page, foaf::DOCUMENT);
    }
    if let Some(notes) = extra(package, "version_notes") {
        out.text(d, adms::VERSION_NOTES, &notes);
    }
    for e in package
        .get("extras")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let (Some(key), Some(value)) = (
            e.get("key").and_then(Value::as_str),
            e.get("value").and_then(scalar_text),
        ) else {
            continue;
        };
        if MAPPED_EXTRAS.contains(&key) || value.trim().is_empty() {
            continue;
        }
        out.additional_property(d, key, &value);
    }
}

fn map_resource(
    resource: &Value,
    portal: &str,
    package_id: &str,
    index: usize,
    d: &NamedOrBlankNode,
    licence: Option<&NamedNode>,
    out: &mut Emitter,
) {
    let get = |key: &str| {
        resource
            .get(key)
            .and_then(scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    let iri = get("uri").and_then(|u| absolute_iri(&u)).or_else(|| {
        let rid = get("id").unwrap_or_else(|| index.to_string());
        absolute_iri(&format!(
            "{portal}/dataset/{}/resource/{}",
            crate::mint::encode(package_id),
            crate::mint::encode(&rid)
        ))
    });
    let Some(iri) = iri else {
        return;
    };
    let r: NamedOrBlankNode = iri.clone().into();
    out.add(d.clone(), dcat::DISTRIBUTION_PROPERTY, iri);
    out.add(r.clone(), rdf::TYPE, dcat::DISTRIBUTION);
    if let Some(name) = get("name") {
        out.text(&r, dct::TITLE, &name);
    }
    if let Some(description) = get("description") {
        out.text(&r, dct::DESCRIPTION, &description);
    }
    let url = get("url").unwrap_or_default();
    let linked = out.link(&r, dcat::ACCESS_URL, &url);
    if let Some(download) = get("download_url") {
        out.link(&r, dcat::DOWNLOAD_URL, &download);
    } else if linked && get("url_type").as_deref() == Some("upload") {
        out.link(&r, dcat::DOWNLOAD_URL, &url);
    }
    if let Some(format) = get("format") {
        match authority::file_types().lookup(&format) {
            Some(iri) => out.add_typed(&r, dct::FORMAT, iri, dct::MEDIA_TYPE_OR_EXTENT),
            None => out.text(&r, dct::FORMAT, &format),
        }
    }
    if let Some(media) = get("mimetype").and_then(|m| authority::media_type(&m)) {
        out.add_typed(&r, dcat::MEDIA_TYPE, media, dct::MEDIA_TYPE);
    }
    if let Some(size) = get("size").filter(|s| s.bytes().all(|b| b.is_ascii_digit())) {
        out.typed(&r, dcat::BYTE_SIZE, &size, xsd::NON_NEGATIVE_INTEGER);
    }
    if let Some(created) = get("created") {
        out.text(&r, dct::ISSUED, &created);
    }
    if let Some(modified) = get("last_modified") {
        out.text(&r, dct::MODIFIED, &modified);
    }
    if let Some(licence) = licence {
        out.add_typed(&r, dct::LICENSE, licence.clone(), dct::LICENSE_DOCUMENT);
    }
}

/// The catalogue node of a CKAN portal, listing the given datasets.
pub fn catalogue(portal: &str, title: &str, datasets: &[NamedNode], out: &mut Emitter) {
    let Some(iri) = absolute_iri(portal.trim_end_matches('/')) else {
        return;
    };
    let c: NamedOrBlankNode = iri.clone().into();
    out.add(c.clone(), rdf::TYPE, dcat::CATALOG);
    out.text(&c, dct::TITLE, title);
    out.text(
        &c,
        dct::DESCRIPTION,
        &format!("Datasets harvested from the CKAN portal at {portal}"),
    );
    out.link_typed(&c, foaf::HOMEPAGE, portal, foaf::DOCUMENT);
    for d in datasets {
        out.add(c.clone(), dcat::DATASET_PROPERTY, d.clone());
    }
}

/// Reads a CKAN portal: everything on the first run, and afterwards only the packages
/// modified since the last successful run, plus the list of ids to find deletions.
pub(crate) async fn read(
    source: &SourceConfig,
    settings: &HarvestSettings,
    fetcher: &Fetcher,
    previous: &[Triple],
    since: Option<String>,
    report: &mut Report,
    progress: &Progress,
) -> Result<(Vec<Triple>, Report)> {
    if let Some(path) = &source.path {
        return read_export(source, path, settings, report);
    }
    let portal = source
        .url
        .clone()
        .ok_or_else(|| IngestError::Config(format!("source {}: a ckan source needs a url", source.id)))?;
    let portal = portal.trim_end_matches('/').to_owned();
    let api = format!("{portal}/api/3/action/package_search");
    // Old records by CKAN id.
    let mut old_by_id: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for t in previous {
        if t.predicate == cg::SOURCE_RECORD_ID
            && let Term::Literal(id) = &t.object
        {
            old_by_id.insert(id.value().to_owned(), t.subject.to_string());
        }
    }
    let incremental = since.is_some() && !old_by_id.is_empty();
    let rows = settings.ckan_rows.clamp(1, 1000);
    let filter = match (&since, incremental) {
        (Some(since), true) => format!(
            "&fq={}",
            urlencode(&format!("metadata_modified:[{} TO *]", since))
        ),
        _ => String::new(),
    };
    let mut out = Emitter::default();
    let mut mapped: Vec<NamedNode> = Vec::new();
    let mut fetched_ids: HashSet<String> = HashSet::new();
    let mut start = 0u64;
    for page in 1.. {
        if page > settings.max_pages {
            return Err(IngestError::Http {
                url: api,
                message: format!("more than {} pages", settings.max_pages),
            });
        }
        let url = format!(
            "{api}?rows={rows}&start={start}&sort={}{filter}",
            urlencode("id asc")
        );
        let fetched = fetcher.get(&url, "application/json").await?;
        let search = parse_search(&fetched.bytes, &url)?;
        report.documents.push(url.clone());
        for (i, package) in search.packages.iter().enumerate() {
            match map_package(package, &portal, &mut out) {
                Ok(iri) => {
                    if let Some(id) = package_id(package) {
                        fetched_ids.insert(id.to_owned());
                    }
                    mapped.push(iri);
                }
                Err(reason) => report.reject(
                    package_label(package),
                    format!("{url}: result {}", start as usize + i),
                    reason,
                ),
            }
        }
        start += search.packages.len() as u64;
        progress(&format!("page {page}: {start}/{} packages", search.count));
        if search.packages.is_empty() || start >= search.count {
            break;
        }
    }
    close_catalogue(source, &portal, &mapped, &mut out, report);
    if !incremental {
        return Ok((out.triples, std::mem::take(report)));
    }
    // Incremental: which packages still exist?
    let mut current: HashSet<String> = HashSet::new();
    let mut start = 0u64;
    for page in 1.. {
        if page > settings.max_pages {
            break;
        }
        let url = format!("{api}?rows=1000&start={start}&fl=id&sort={}", urlencode("id asc"));
        let fetched = fetcher.get(&url, "application/json").await?;
        let search = parse_search(&fetched.bytes, &url)?;
        for package in &search.packages {
            if let Some(id) = package_id(package) {
                current.insert(id.to_owned());
            }
        }
        start += search.packages.len() as u64;
        if search.packages.is_empty() || start >= search.count {
            break;
        }
    }
    let gone: HashSet<String> = old_by_id
        .iter()
        .filter(|(id, _)| !current.contains(*id) || fetched_ids.contains(*id))
        .map(|(_, subject)| subject.clone())
        .collect();
    let mut triples = remove_records(previous.to_vec(), &gone);
    // The catalogue lists what was kept plus what was fetched.
    triples.extend(out.triples);
    Ok((triples, std::mem::take(report)))
}

/// Counts the packages mapped and lists them in the portal's catalogue, titled as the
/// source says (else by the portal's URL).
fn close_catalogue(
    source: &SourceConfig,
    portal: &str,
    mapped: &[NamedNode],
    out: &mut Emitter,
    report: &mut Report,
) {
    report.records_read = mapped.len();
    catalogue(portal, source.title.as_deref().unwrap_or(portal), mapped, out);
}

/// A package's name for a rejection: its `name`, else its `title`.
fn package_label(package: &Value) -> String {
    package
        .get("name")
        .or_else(|| package.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("a package")
        .to_owned()
}

/// A CKAN export saved to a file, read whole on every run (a file cannot be asked what
/// changed since): a `package_search` or `package_show` response, a list of packages, or a
/// ckanapi dump with a package per line (`ckanapi dump datasets`, `.jsonl`). Packages
/// without an `extras.uri` are named under the source's `base`, the portal the export came
/// from (which the configuration requires), as a harvest of its API names them.
fn read_export(
    source: &SourceConfig,
    path: &std::path::Path,
    settings: &HarvestSettings,
    report: &mut Report,
) -> Result<(Vec<Triple>, Report)> {
    let (bytes, name, base) = super::read_source_file(source, path, settings)?;
    report.documents.push(name.clone());
    let portal = base.trim_end_matches('/').to_owned();
    let mut out = Emitter::default();
    let mut mapped = Vec::new();
    for (place, package) in export_packages(&bytes, &name, report)? {
        match map_package(&package, &portal, &mut out) {
            Ok(iri) => mapped.push(iri),
            Err(reason) => report.reject(package_label(&package), place, reason),
        }
    }
    close_catalogue(source, &portal, &mapped, &mut out, report);
    Ok((out.triples, std::mem::take(report)))
}

/// The packages of an export file, each with where it stands in the file. A line of a dump
/// that is not JSON, or not a package, is rejected with its line and the rest are read.
fn export_packages(bytes: &[u8], name: &str, report: &mut Report) -> Result<Vec<(String, Value)>> {
    let lower = name.to_ascii_lowercase();
    if [".jsonl", ".ndjson", ".jl"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut packages = Vec::new();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let place = format!("{name}: line {}", i + 1);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Value>(line) {
                Ok(package) if looks_like_package(&package) => packages.push((place, package)),
                Ok(other) => report.reject(
                    format!("line {}", i + 1),
                    place,
                    format!("not a CKAN package: {}", first_item(&other)),
                ),
                Err(e) => report.reject(
                    format!("line {}", i + 1),
                    place,
                    format!("not JSON at column {}: {e}", e.column()),
                ),
            }
        }
        if packages.is_empty() && report.rejections.is_empty() {
            return Err(IngestError::shape(
                name,
                "an empty ckanapi dump: no package in it",
            ));
        }
        return Ok(packages);
    }
    let json = parse_json(bytes, name)?;
    let listed = |packages: Vec<Value>| {
        packages
            .into_iter()
            .enumerate()
            .map(|(i, package)| (format!("{name}: result {i}"), package))
            .collect()
    };
    // An error answer is read by `parse_search`, which says what CKAN said.
    if json.get("success") == Some(&Value::Bool(false)) {
        return Ok(listed(parse_search(bytes, name)?.packages));
    }
    match (shape(&json), &json) {
        (Some(Shape::Search | Shape::List), _) => Ok(listed(parse_search(bytes, name)?.packages)),
        (Some(Shape::Shown), _) => Ok(vec![(format!("{name}: result"), json["result"].clone())]),
        (Some(Shape::Package), _) => Ok(vec![(name.to_owned(), json.clone())]),
        (None, other) => Err(IngestError::shape(
            name,
            format!(
                "not a CKAN export (a package_search or package_show response, a list of \
                 packages, or a ckanapi dump with a package per line, .jsonl): {}",
                first_item(other)
            ),
        )),
    }
}

fn urlencode(text: &str) -> String {
    crate::mint::encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(path: &str) -> Option<Vec<u8>> {
        std::fs::read(format!("{}/../../shared/data/{path}", env!("CARGO_MANIFEST_DIR"))).ok()
    }

    #[test]
    fn birmingham_packages_map_to_dcat_ap() {
        let Some(bytes) = shared("ckan-api-responses/data-birmingham-gov-uk/package_search.json") else {
            return;
        };
        let page = parse_search(&bytes, "package_search.json").unwrap();
        assert_eq!(page.count, 38);
        assert_eq!(page.packages.len(), 10);
        let mut out = Emitter::default();
        let iri = map_package(&page.packages[0], "https://data.birmingham.gov.uk", &mut out).unwrap();
        assert_eq!(
            iri.as_str(),
            "https://data.birmingham.gov.uk/dataset/cf552d08-cee9-43bf-8c0f-3196a9311799"
        );
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
        assert!(
            has("<http://www.w3.org/ns/dcat#keyword> \"purchase card\""),
            "{lines:#?}"
        );
        assert!(has(
            "<https://data.birmingham.gov.uk/organization/birmingham-city-council>"
        ));
        assert!(has(
            "<http://publications.europa.eu/resource/authority/licence/OGL_3_0>"
        ));
        assert!(has(
            "<http://publications.europa.eu/resource/authority/file-type/XLS>"
        ));
        assert!(has("<mailto:ian.martin@birmingham.gov.uk>"));
        assert!(has("<https://data.birmingham.gov.uk/group/council-business>"));
        let distributions = out
            .triples
            .iter()
            .filter(|t| t.predicate == dcat::DISTRIBUTION_PROPERTY)
            .count();
        assert_eq!(
            distributions,
            page.packages[0]["resources"].as_array().unwrap().len()
        );
    }

    #[test]
    fn a_package_without_an_id_is_rejected_with_a_reason() {
        let mut out = Emitter::default();
        let error = map_package(&serde_json::json!({"title": "x"}), "https://p.org", &mut out).unwrap_err();
        assert!(error.contains("no \"id\""), "{error}");
        let named = map_package(&serde_json::json!({"name": "bins"}), "https://p.org", &mut out).unwrap();
        assert_eq!(named.as_str(), "https://p.org/dataset/bins");
        assert!(map_package(&serde_json::json!([1]), "https://p.org", &mut out).is_err());
    }

    #[test]
    fn failures_and_non_ckan_responses_are_named() {
        let error = parse_search(
            br#"{"success": false, "error": {"message": "Access denied"}}"#,
            "p1",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("Access denied") && error.starts_with("p1"),
            "{error}"
        );
        let error = parse_search(b"{\n  \"result\": ", "p2").unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(parse_search(b"[]", "p3").is_err());
    }

    #[test]
    fn unknown_extras_are_kept() {
        let package = serde_json::json!({"id": "x1", "title": "T",
            "extras": [{"key": "bureau_code", "value": "015:11"}, {"key": "frequency", "value": "monthly"}]});
        let mut out = Emitter::default();
        map_package(&package, "https://p.org", &mut out).unwrap();
        let lines: Vec<String> = out.triples.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.contains("\"bureau_code\"")), "{lines:#?}");
        assert!(
            lines.iter().any(|l| l.contains("frequency/MONTHLY")),
            "{lines:#?}"
        );
    }
}
