//! A record as a CKAN package: the JSON `package_show` and `package_search` answer, built
//! from the record view the JSON API answers ([`crate::api::records::read`]). The names and
//! the id are [`civicgraph_graph::names`]'s, the ones the index filters by. Extras follow
//! ckanext-dcat's (`uri`, `theme`, `issued`, `modified`, `publisher_name`, …), so that a
//! harvester that reads DCAT from CKAN keeps the record's IRI and themes.

use crate::api::labels::Labelled;
use crate::api::records::RecordResponse;
use civicgraph_graph::names::{ckan_id, ckan_name, format_name, group_name, slug};
use serde_json::{Value, json};

/// A date as CKAN writes its metadata timestamps (`2019-05-03T00:00:00`); a year or a
/// month is its first day. `None` for text that is no date.
fn timestamp(date: &str) -> Option<String> {
    let date = date.trim();
    let (day, time) = date.split_once('T').unwrap_or((date, "00:00:00"));
    let day = match day.len() {
        4 => format!("{day}-01-01"),
        7 => format!("{day}-01"),
        10 => day.to_owned(),
        _ => return None,
    };
    day.bytes()
        .all(|b| b.is_ascii_digit() || b == b'-')
        .then(|| format!("{day}T{time}"))
}

/// An organization dict from a publisher.
pub fn organization(publisher: &Labelled) -> Value {
    let name = slug(&publisher.label);
    json!({
        "id": name,
        "name": name,
        "title": publisher.label,
        "display_name": publisher.label,
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
    })
}

/// A group dict from a theme.
pub fn group(theme: &Labelled) -> Value {
    let name = group_name(&theme.value);
    json!({"id": name, "name": name, "title": theme.label, "display_name": theme.label})
}

/// The package of `record`, whose page is at `{origin}/record/…`.
pub fn package(record: &RecordResponse, origin: &str) -> Value {
    let id = ckan_id(&record.iri);
    let organization_dict = record.publishers.first().map(organization);
    let licence = record.distributions.iter().flat_map(|d| &d.licences).next();
    let resources: Vec<Value> = record
        .distributions
        .iter()
        .enumerate()
        .map(|(position, d)| {
            let url = d.download_urls.first().or(d.access_urls.first()).cloned().unwrap_or_default();
            let format = d
                .formats
                .iter()
                .map(|f| format_name(&f.value))
                .find(|f| !f.contains('/'))
                .unwrap_or_default();
            let mimetype = d.formats.iter().map(|f| format_name(&f.value)).find(|f| f.contains('/'));
            json!({
                "id": ckan_id(&d.iri),
                "package_id": id,
                "position": position,
                "name": d.title.clone().unwrap_or_else(|| if format.is_empty() { "Distribution".to_owned() } else { format.clone() }),
                "url": url,
                "format": format,
                "mimetype": mimetype,
                "access_url": d.access_urls.first(),
                "download_url": d.download_urls.first(),
                "license": d.licences.first().map(|l| l.value.clone()),
                "uri": d.iri,
                "state": "active",
            })
        })
        .collect();
    let mut extras = vec![json!({"key": "uri", "value": record.iri})];
    let mut extra = |key: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            extras.push(json!({"key": key, "value": value}));
        }
    };
    extra("issued", record.issued.clone());
    extra("modified", record.modified.clone());
    extra(
        "publisher_name",
        record.publishers.first().map(|p| p.label.clone()),
    );
    extra(
        "publisher_uri",
        record
            .publishers
            .first()
            .filter(|p| p.value != p.label)
            .map(|p| p.value.clone()),
    );
    extra(
        "theme",
        (!record.themes.is_empty()).then(|| {
            serde_json::to_string(&record.themes.iter().map(|t| &t.value).collect::<Vec<_>>())
                .unwrap_or_default()
        }),
    );
    extra(
        "spatial_text",
        Some(
            record
                .places
                .iter()
                .map(|p| p.label.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    extra(
        "civicgraph_patterns",
        Some(
            record
                .patterns
                .iter()
                .filter(|p| p.pattern != "none")
                .map(|p| format!("{} ({}, {:.2})", p.pattern, p.method, p.confidence))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    extra(
        "civicgraph_page",
        Some(format!("{origin}{}", crate::record_page::page_path(&record.iri))),
    );
    let created = record.issued.as_deref().and_then(timestamp);
    let modified = record
        .modified
        .as_deref()
        .and_then(timestamp)
        .or_else(|| created.clone());
    json!({
        "id": id,
        "name": ckan_name(&record.iri, &record.title),
        "title": record.title,
        "notes": record.description,
        "url": record.pages.first(),
        "type": "dataset",
        "state": "active",
        "private": false,
        "metadata_created": created,
        "metadata_modified": modified,
        "owner_org": organization_dict.as_ref().map(|o| o["id"].clone()),
        "organization": organization_dict,
        "license_id": licence.map(|l| l.value.clone()),
        "license_title": licence.map(|l| l.label.clone()),
        "license_url": licence.map(|l| l.value.clone()).filter(|v| v.starts_with("http")),
        "tags": record.keywords.iter().map(|k| json!({"name": k, "display_name": k, "state": "active"})).collect::<Vec<_>>(),
        "num_tags": record.keywords.len(),
        "groups": record.themes.iter().map(group).collect::<Vec<_>>(),
        "resources": resources,
        "num_resources": record.distributions.len(),
        "extras": extras,
    })
}

#[cfg(test)]
mod tests {
    use super::timestamp;

    #[test]
    fn dates_become_ckan_timestamps() {
        assert_eq!(timestamp("2019").as_deref(), Some("2019-01-01T00:00:00"));
        assert_eq!(timestamp("2019-05").as_deref(), Some("2019-05-01T00:00:00"));
        assert_eq!(timestamp("2019-05-03").as_deref(), Some("2019-05-03T00:00:00"));
        assert_eq!(
            timestamp("2019-05-03T10:00:00Z").as_deref(),
            Some("2019-05-03T10:00:00Z")
        );
        assert_eq!(timestamp("last spring"), None);
    }
}
