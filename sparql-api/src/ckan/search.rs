//! The CKAN actions that read the index: `package_search` (its parameters turned into one
//! [`SearchRequest`]), `package_show` (an id or name to its record), `organization_list`
//! and `group_list` (the publisher and theme facets over every dataset).

use super::{CkanError, package};
use crate::AppState;
use crate::api::labels::{Labelled, labelled};
use civicgraph_graph::names::{format_name, group_name, key_of_ckan_name, record_key, slug};
use civicgraph_graph::{SearchFilter, SearchRequest, SearchSort, quoted_start};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The most packages one `package_search` answers (CKAN's own limit).
pub const MAX_ROWS: usize = 1000;
/// How deep `start` may page: harvesters page through a whole portal in `id asc` order.
pub const MAX_WINDOW: usize = civicgraph_graph::MAX_HARVEST_WINDOW;

/// A parameter's text: a string, or a number or boolean as JSON writes it.
fn text<'a>(params: &'a BTreeMap<String, Value>, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    match params.get(key)? {
        Value::String(s) => Some(s.as_str().into()),
        Value::Null => None,
        other => Some(other.to_string().into()),
    }
}

fn number(params: &BTreeMap<String, Value>, key: &str, default: usize) -> Result<usize, CkanError> {
    match text(params, key) {
        None => Ok(default),
        Some(value) => value.trim().parse::<usize>().map_err(|_| {
            CkanError::validation(format!("{key}: {} is not a whole number", quoted_start(&value)))
        }),
    }
}

/// One `fq` clause's value: `"quoted"`, `[from TO to]`, or a bare word.
fn unquote(value: &str) -> &str {
    value.trim().trim_matches('"')
}

/// Splits `fq` into `field:value` clauses: whitespace separates them except inside quotes
/// or brackets; `AND` and a leading `+` are Solr's and mean the same here.
fn clauses(fq: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut bracketed) = (false, false);
    for c in fq.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => bracketed = true,
            ']' | '}' if !quoted => bracketed = false,
            _ => {}
        }
        if c.is_whitespace() && !quoted && !bracketed {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .map(|c| c.trim_start_matches('+').to_owned())
        .filter(|c| c != "AND")
        .collect()
}

/// A CKAN date bound (`2024-01-01T00:00:00Z`, `NOW`, `*`) as seconds; `None` for `*`.
fn bound(value: &str) -> Result<Option<i64>, CkanError> {
    let value = value.trim();
    if value == "*" {
        return Ok(None);
    }
    if value.starts_with("NOW") {
        return Ok(Some(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or_default(),
        ));
    }
    civicgraph_graph::parse_date(value)
        .map(Some)
        .ok_or_else(|| CkanError::validation(format!("fq: {} is not a date", quoted_start(value))))
}

/// Reads `fq` into the filter.
fn filter_query(fq: &str, filter: &mut SearchFilter) -> Result<(), CkanError> {
    for clause in clauses(fq) {
        let Some((field, value)) = clause.split_once(':') else {
            return Err(CkanError::validation(format!(
                "fq: {clause:?} is not field:value"
            )));
        };
        let value = unquote(value);
        match field {
            "organization" | "owner_org" => filter.organizations.push(value.to_owned()),
            "groups" => filter.groups.push(value.to_owned()),
            "tags" => filter.tags.push(value.to_owned()),
            "res_format" => filter.res_formats.push(value.to_owned()),
            "license_id" => filter.licences.push(value.to_owned()),
            "id" | "name" => filter.keys.push(key_of_ckan_name(value).unwrap_or(u64::MAX)),
            // Everything here is a public, active dataset.
            "dataset_type" | "type" if value == "dataset" => {}
            "capacity" if value == "public" => {}
            "state" if value == "active" => {}
            "dataset_type" | "type" | "capacity" | "state" => filter.keys.push(u64::MAX),
            "metadata_modified" => {
                let range = value
                    .strip_prefix(['[', '{'])
                    .and_then(|v| v.strip_suffix([']', '}']))
                    .ok_or_else(|| {
                        CkanError::validation(format!(
                            "fq: metadata_modified takes a range [from TO to], not {}",
                            quoted_start(value)
                        ))
                    })?;
                let (from, to) = range.split_once(" TO ").ok_or_else(|| {
                    CkanError::validation(format!("fq: {range:?} is not a range [from TO to]"))
                })?;
                filter.modified_from = bound(from)?;
                filter.modified_to = bound(to)?;
            }
            other => {
                return Err(CkanError::validation(format!(
                    "fq: the field {} cannot be filtered here; use organization, groups, tags, res_format, license_id, id, name or metadata_modified",
                    quoted_start(other)
                )));
            }
        }
    }
    Ok(())
}

/// CKAN's `facet.field` names mapped onto the index's facets.
fn facet_of(ckan: &str) -> Option<&'static str> {
    match ckan {
        "organization" => Some("publisher"),
        "groups" => Some("theme"),
        "res_format" => Some("format"),
        "license_id" => Some("licence"),
        _ => None,
    }
}

/// The name a facet value has in CKAN.
fn ckan_value(facet: &str, value: &str) -> String {
    match facet {
        "organization" => slug(value),
        "groups" => group_name(value),
        "res_format" => format_name(value),
        _ => value.to_owned(),
    }
}

/// A facet value as CKAN shows it: a publisher is its own name, anything else its label.
fn display(ckan: &str, labels: &civicgraph_graph::Labels<'_>, value: &str) -> Labelled {
    if ckan == "organization" {
        Labelled {
            value: value.to_owned(),
            label: value.to_owned(),
        }
    } else {
        labelled(labels, value)
    }
}

/// `package_search`.
pub async fn package_search(
    state: &AppState,
    params: &BTreeMap<String, Value>,
    origin: &str,
) -> Result<Value, CkanError> {
    let rows = number(params, "rows", 10)?.min(MAX_ROWS);
    let start = number(params, "start", 0)?;
    if start.saturating_add(rows) > MAX_WINDOW {
        return Err(CkanError::validation(format!(
            "start: {start} passes the deepest page this server gives ({MAX_WINDOW} packages)"
        )));
    }
    let mut filter = SearchFilter {
        kinds: vec!["dataset".to_owned()],
        ..SearchFilter::default()
    };
    if let Some(fq) = text(params, "fq") {
        filter_query(&fq, &mut filter)?;
    }
    let q = text(params, "q").unwrap_or_default().trim().to_owned();
    let q = if q == "*:*" || q == "*" { String::new() } else { q };
    let sort_text = text(params, "sort")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let sort = match sort_text.as_str() {
        "" | "score desc, metadata_modified desc" | "score desc" | "relevance" => SearchSort::Relevance,
        "id asc" | "name asc" => SearchSort::Key,
        "metadata_modified desc" => SearchSort::Modified,
        other => {
            return Err(CkanError::validation(format!(
                "sort: {} is not offered; use \"score desc, metadata_modified desc\", \"metadata_modified desc\" or \"id asc\"",
                quoted_start(other)
            )));
        }
    };
    let facet_fields: Vec<String> = match params.get("facet.field") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(list)) => serde_json::from_str::<Vec<String>>(list).map_err(|_| {
            CkanError::validation(format!("facet.field: {list:?} is not a JSON list of field names"))
        })?,
        Some(other) => {
            return Err(CkanError::validation(format!(
                "facet.field: {other} is not a list"
            )));
        }
    };
    let facet_limit = number(params, "facet.limit", 50)?.clamp(1, 1000);
    let only_ids = text(params, "fl").map(|f| f.trim().to_owned());
    let request = SearchRequest {
        text: q,
        filter,
        sort,
        offset: start,
        limit: rows.max(1),
        facets: !facet_fields.is_empty(),
        facet_size: facet_limit,
    };
    let graph = state.graph.clone();
    let origin = origin.to_owned();
    let result = state
        .work
        .run(move |running| {
            let page = graph.search_page(&request).map_err(crate::error::ApiError::Graph)?;
            let mut results = Vec::with_capacity(page.hits.len());
            for hit in page.hits.iter().take(rows) {
                if running.is_stopped() {
                    break;
                }
                results.push(match only_ids.as_deref() {
                    Some("id") => json!({"id": civicgraph_graph::names::ckan_id(&hit.iri)}),
                    Some("name") => json!({"name": civicgraph_graph::names::ckan_name(&hit.iri, &hit.title)}),
                    _ => package::package(&crate::api::records::read(&graph, &hit.iri).map_err(|e| e.0)?, &origin),
                });
            }
            let labels = graph.labels();
            let mut facets = serde_json::Map::new();
            let mut search_facets = serde_json::Map::new();
            for ckan in &facet_fields {
                let values = facet_of(ckan)
                    .and_then(|ours| page.facets.get(ours))
                    .cloned()
                    .unwrap_or_default();
                let mut counts = serde_json::Map::new();
                let mut items = Vec::new();
                for value in values {
                    let name = ckan_value(ckan, &value.value);
                    let display = display(ckan, &labels, &value.value).label;
                    counts.insert(name.clone(), json!(value.count));
                    items.push(json!({"name": name, "display_name": display, "count": value.count}));
                }
                facets.insert(ckan.clone(), Value::Object(counts));
                search_facets.insert(ckan.clone(), json!({"title": ckan, "items": items}));
            }
            Ok(json!({
                "count": page.total,
                "sort": if sort_text.is_empty() { "score desc, metadata_modified desc".to_owned() } else { sort_text },
                "results": results,
                "facets": facets,
                "search_facets": search_facets,
            }))
        })
        .await?;
    Ok(result)
}

/// `package_show`: `id` is a package's id or name, or the record's IRI.
pub async fn package_show(
    state: &AppState,
    params: &BTreeMap<String, Value>,
    origin: &str,
) -> Result<Value, CkanError> {
    let id = text(params, "id")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| CkanError::validation("id: Missing value"))?;
    let key = key_of_ckan_name(&id).unwrap_or_else(|| record_key(&id));
    let request = SearchRequest {
        filter: SearchFilter {
            kinds: vec!["dataset".to_owned()],
            keys: vec![key],
            ..SearchFilter::default()
        },
        limit: 1,
        ..SearchRequest::default()
    };
    let graph = state.graph.clone();
    let origin = origin.to_owned();
    let found = state
        .work
        .run(move |_| {
            let page = graph
                .search_page(&request)
                .map_err(crate::error::ApiError::Graph)?;
            match page.hits.first() {
                Some(hit) => Ok(Some(package::package(
                    &crate::api::records::read(&graph, &hit.iri).map_err(|e| e.0)?,
                    &origin,
                ))),
                None => Ok(None),
            }
        })
        .await?;
    found.ok_or_else(|| CkanError::not_found(format!("Not found: no dataset has the id or name {id:?}")))
}

/// The values of one facet over every dataset, each with its count.
async fn every(state: &AppState, facet: &'static str) -> Result<Vec<(String, u64)>, CkanError> {
    let request = SearchRequest {
        filter: SearchFilter {
            kinds: vec!["dataset".to_owned()],
            ..SearchFilter::default()
        },
        limit: 1,
        facets: true,
        facet_size: 100_000,
        ..SearchRequest::default()
    };
    let graph = state.graph.clone();
    let page = state
        .work
        .run(move |_| graph.search_page(&request).map_err(crate::error::ApiError::Graph))
        .await?;
    Ok(page
        .facets
        .get(facet)
        .map(|values| values.iter().map(|v| (v.value.clone(), v.count)).collect())
        .unwrap_or_default())
}

/// The `limit` and `offset` of a list, and whether it wants whole dicts.
fn list_window(params: &BTreeMap<String, Value>) -> Result<(usize, usize, bool), CkanError> {
    let all_fields = text(params, "all_fields").is_some_and(|v| matches!(v.trim(), "true" | "True" | "1"));
    Ok((
        number(params, "limit", 1000)?.min(1000),
        number(params, "offset", 0)?,
        all_fields,
    ))
}

/// A CKAN list over one facet of every dataset (`organization_list`, `group_list`): the
/// facet's values under their CKAN names ([`ckan_value`]), merged where two values share a
/// name, as names or (`all_fields`) as `dict`s with their `package_count`.
async fn listing(
    state: &AppState,
    params: &BTreeMap<String, Value>,
    ckan: &str,
    dict: fn(&Labelled) -> Value,
) -> Result<Value, CkanError> {
    let (limit, offset, all_fields) = list_window(params)?;
    let facet = facet_of(ckan).expect("a list is over a mapped facet");
    let values = every(state, facet).await?;
    let labels = state.graph.labels();
    let mut listed: BTreeMap<String, (Labelled, u64)> = BTreeMap::new();
    for (value, count) in values {
        let entry = listed
            .entry(ckan_value(ckan, &value))
            .or_insert_with(|| (display(ckan, &labels, &value), 0));
        entry.1 += count;
    }
    Ok(Value::Array(
        listed
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(name, (value, count))| {
                if all_fields {
                    let mut dict = dict(&value);
                    dict["package_count"] = json!(count);
                    dict
                } else {
                    json!(name)
                }
            })
            .collect(),
    ))
}

/// `organization_list`: the publishers of datasets, by name.
pub async fn organization_list(
    state: &AppState,
    params: &BTreeMap<String, Value>,
) -> Result<Value, CkanError> {
    listing(state, params, "organization", package::organization).await
}

/// `group_list`: the themes of datasets, as groups.
pub async fn group_list(state: &AppState, params: &BTreeMap<String, Value>) -> Result<Value, CkanError> {
    listing(state, params, "groups", package::group).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fq_is_read_as_solr_clauses() {
        let mut filter = SearchFilter::default();
        filter_query(
            "organization:westshire-council +groups:envi AND res_format:\"CSV\" metadata_modified:[2024-01-01T00:00:00Z TO *]",
            &mut filter,
        )
        .unwrap();
        assert_eq!(filter.organizations, ["westshire-council"]);
        assert_eq!(filter.groups, ["envi"]);
        assert_eq!(filter.res_formats, ["CSV"]);
        assert!(filter.modified_from.is_some() && filter.modified_to.is_none());
        let error = filter_query("colour:blue", &mut SearchFilter::default()).unwrap_err();
        assert!(error.message.contains("colour"), "{}", error.message);
        assert!(filter_query("metadata_modified:yesterday", &mut SearchFilter::default()).is_err());
    }
}
