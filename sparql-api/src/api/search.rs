//! `GET /api/search`: full-text search with filters, facet counts, snippets, sorting and
//! paging.

use super::labels::{Labelled, PatternTag, labelled, pattern_tags};
use super::{JsonError, blocking_keyed};
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{RawQuery, State};
use civicgraph_graph::{FACETS, MAX_RESULT_WINDOW, SearchFilter, SearchRequest, SearchSort, quoted_start};
use std::collections::BTreeMap;

/// The largest page.
pub const MAX_PAGE_SIZE: usize = 100;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// The query parameters. Filters may repeat (`pattern=access&pattern=policy`: either).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct SearchParams {
    /// The query: words (all must match), `"phrases"`, `field:word` (title, description,
    /// keywords, publisher), `-word`, `OR`. English stemming and stop words; accents ignored.
    /// Empty: everything, newest first.
    q: Option<String>,
    /// `dataset`, `case-study` or `catalogue`.
    #[param(rename = "type")]
    kind: Option<Vec<String>>,
    /// `access` (P1), `planning` (P2), `policy` (P3), `none`, or the pattern's IRI.
    pattern: Option<Vec<String>>,
    /// A theme IRI (EU data themes).
    theme: Option<Vec<String>>,
    /// A publisher's name.
    publisher: Option<Vec<String>>,
    /// A catalogue IRI.
    catalogue: Option<Vec<String>>,
    /// A region's name.
    region: Option<Vec<String>>,
    /// A format: an IRI of the EU file-type table, or as the source wrote it.
    format: Option<Vec<String>>,
    /// A licence IRI, or as the source wrote it.
    licence: Option<Vec<String>>,
    /// A beneficiary group: its IRI or local name (`citizens`, `policymakers`).
    beneficiary: Option<Vec<String>>,
    /// An ODI enabler: its IRI or local name (`data-infrastructure`).
    enabler: Option<Vec<String>>,
    /// Who acts: an actor's IRI or local name (`public-sector`, `industry`).
    actor: Option<Vec<String>>,
    /// A channel: its IRI or local name (`open-data-portal`, `challenge`).
    channel: Option<Vec<String>>,
    /// A benefit of co-creation (Jalonen & Helo 2020): its IRI or local name
    /// (`tailored-services`, `legitimacy-accountability`).
    benefit: Option<Vec<String>>,
    /// A country code, as the source gives it (`GB`, or `GBR` from the EU country table).
    country: Option<Vec<String>>,
    /// How the patterns were assigned: `curated` (stated by the source) or `inferred`.
    method: Option<Vec<String>>,
    /// The least confidence, from 0 to 1, of the pattern assignment a record must have: of a
    /// pattern asked for with `pattern`, else of any of P1-P3. Curated patterns count 1;
    /// `0.8` keeps the tags the tagger is sure of.
    min_confidence: Option<f64>,
    /// First year, inclusive.
    year_from: Option<u64>,
    /// Last year, inclusive.
    year_to: Option<u64>,
    /// `relevance` (default) or `date` (newest first).
    sort: Option<String>,
    /// 1-based page number.
    page: Option<usize>,
    /// Hits per page, at most 100 (default 20).
    page_size: Option<usize>,
    /// Whether to count facets (default `true`).
    facets: Option<bool>,
    /// Values per facet, at most 50 (default 10).
    facet_size: Option<usize>,
}

/// One hit.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    /// The record's IRI; `/api/records/{url-encoded IRI}` has the rest.
    pub iri: String,
    /// The record's page on this server (`/record/{url-encoded IRI}`, rendered on the
    /// server, with schema.org markup): a stable URL to link to.
    pub page: String,
    /// `dataset`, `case-study` or `catalogue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Relevance (0 when sorted by date).
    pub score: f32,
    /// The description around the matched words; HTML-escaped text whose only markup is
    /// `<b>` around matches.
    pub snippet: String,
    /// Its patterns, with how each was assigned and why.
    pub patterns: Vec<PatternTag>,
    /// Publishers.
    pub publishers: Vec<String>,
    /// Catalogues listing it.
    pub catalogues: Vec<Labelled>,
    /// Themes.
    pub themes: Vec<Labelled>,
    /// Regions.
    pub regions: Vec<String>,
    /// Year of issue (or date), when known.
    pub year: Option<u64>,
}

/// A facet value.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FacetValue {
    /// The value, as the filter parameter takes it.
    pub value: String,
    /// What to show.
    pub label: String,
    /// Hits with it, under the current query and filters.
    pub count: u64,
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    /// The query as understood.
    pub q: String,
    /// The filters as understood, by parameter name.
    pub filters: BTreeMap<String, Vec<String>>,
    /// `relevance` or `date`.
    pub sort: String,
    /// Hits in all.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Hits per page.
    pub page_size: usize,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Facets by name (`type`, `pattern`, `method`, `theme`, `beneficiary`, `enabler`,
    /// `actor`, `channel`, `benefit`, `publisher`, `catalogue`, `region`, `country`, `format`,
    /// `licence`, `year`).
    pub facets: BTreeMap<String, Vec<FacetValue>>,
}

fn bad(message: String) -> JsonError {
    JsonError(ApiError::BadRequest(message))
}

/// The pattern IRI a `pattern` value names.
fn pattern_iri(value: &str) -> Result<String, JsonError> {
    parse_pattern(value).map_err(bad)
}

/// The pattern IRI a `pattern` parameter names: the IRI, its local name (`planning`), or
/// the ODI's notation (`P2`, `2`); also read by `/catalog`.
pub(crate) fn parse_pattern(value: &str) -> Result<String, String> {
    let ns = civicgraph_vocab::cgp::NAMESPACE;
    let local = match value.trim() {
        v if v.starts_with(ns) => v.trim_start_matches(ns).to_owned(),
        v => match v.to_ascii_lowercase().as_str() {
            "p1" | "1" => "access".to_owned(),
            "p2" | "2" => "planning".to_owned(),
            "p3" | "3" => "policy".to_owned(),
            other => other.to_owned(),
        },
    };
    if !["access", "planning", "policy", "none"].contains(&local.as_str()) {
        return Err(format!(
            "pattern: {} is not a pattern (access, planning, policy, none, or P1-P3)",
            quoted_start(value)
        ));
    }
    Ok(format!("{ns}{local}"))
}

/// A concept's IRI from an IRI or its local name in the scheme's namespace (`citizens`).
fn concept_iri(namespace: &str, value: &str) -> String {
    let value = value.trim();
    if value.contains(':') {
        value.to_owned()
    } else {
        format!("{namespace}{value}")
    }
}

/// The parameters a search takes, as the API's OpenAPI document gives them ([`SearchParams`]),
/// for an unknown one's error: a client used to `rows`, `limit` or `size` learns that pages
/// are `page` and `page_size`.
fn parameters() -> Vec<String> {
    <SearchParams as utoipa::IntoParams>::into_params(|| None)
        .into_iter()
        .map(|parameter| parameter.name)
        .collect()
}

/// A search request, the filters as given (by parameter), and the page number.
type Parsed = (SearchRequest, BTreeMap<String, Vec<String>>, usize);

/// Reads the query string into a search request.
fn parse(raw: Option<&str>) -> Result<Parsed, JsonError> {
    let mut request = SearchRequest {
        limit: DEFAULT_PAGE_SIZE,
        facets: true,
        facet_size: 10,
        ..SearchRequest::default()
    };
    let mut page = 1usize;
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let number = |key: &str, value: &str| -> Result<u64, JsonError> {
        value
            .trim()
            .parse::<u64>()
            .map_err(|_| bad(format!("{key}: {} is not a whole number", quoted_start(value))))
    };
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        let f: &mut SearchFilter = &mut request.filter;
        match key.as_ref() {
            "q" => request.text = value.clone(),
            "type" => {
                if !["dataset", "case-study", "catalogue"].contains(&value.as_str()) {
                    return Err(bad(format!(
                        "type: {} is not dataset, case-study or catalogue",
                        quoted_start(&value)
                    )));
                }
                f.kinds.push(value.clone());
            }
            "pattern" => f.patterns.push(pattern_iri(&value)?),
            "theme" => f.themes.push(value.clone()),
            "publisher" => f.publishers.push(value.clone()),
            "catalogue" => f.catalogues.push(value.clone()),
            "region" => f.regions.push(value.clone()),
            "format" => f.formats.push(value.clone()),
            "licence" | "license" => f.licences.push(value.clone()),
            "beneficiary" => f
                .beneficiaries
                .push(concept_iri(civicgraph_vocab::cgb::NAMESPACE, &value)),
            "enabler" => f
                .enablers
                .push(concept_iri(civicgraph_vocab::cge::NAMESPACE, &value)),
            "actor" => f
                .actors
                .push(concept_iri(civicgraph_vocab::cga::NAMESPACE, &value)),
            "channel" => f
                .channels
                .push(concept_iri(civicgraph_vocab::cgc::NAMESPACE, &value)),
            "benefit" => f
                .benefits
                .push(concept_iri(civicgraph_vocab::cgben::NAMESPACE, &value)),
            "country" => f.countries.push(value.trim().to_ascii_uppercase()),
            "method" => {
                let method = value.trim().to_ascii_lowercase();
                if !["curated", "inferred"].contains(&method.as_str()) {
                    return Err(bad(format!(
                        "method: {} is not curated or inferred",
                        quoted_start(&value)
                    )));
                }
                f.methods.push(method);
            }
            "min_confidence" => {
                let least = value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|c| (0.0..=1.0).contains(c))
                    .ok_or_else(|| {
                        bad(format!(
                            "min_confidence: {} is not a number from 0 to 1",
                            quoted_start(&value)
                        ))
                    })?;
                f.min_confidence = Some(civicgraph_graph::permille(least));
            }
            "year_from" => f.year_from = Some(number("year_from", &value)?),
            "year_to" => f.year_to = Some(number("year_to", &value)?),
            "sort" => {
                request.sort = match value.as_str() {
                    "relevance" | "" => SearchSort::Relevance,
                    "date" => SearchSort::Date,
                    other => {
                        return Err(bad(format!(
                            "sort: {} is not relevance or date",
                            quoted_start(other)
                        )));
                    }
                }
            }
            "page" => {
                page = number("page", &value)? as usize;
                if page == 0 {
                    return Err(bad("page: pages are numbered from 1".into()));
                }
            }
            "page_size" => {
                let size = number("page_size", &value)? as usize;
                if !(1..=MAX_PAGE_SIZE).contains(&size) {
                    return Err(bad(format!(
                        "page_size: {size} is not between 1 and {MAX_PAGE_SIZE}"
                    )));
                }
                request.limit = size;
            }
            "facets" => request.facets = !matches!(value.as_str(), "false" | "0" | "no"),
            "facet_size" => request.facet_size = (number("facet_size", &value)? as usize).clamp(1, 50),
            other => {
                return Err(bad(format!(
                    "unknown parameter {}; a search takes {}",
                    quoted_start(other),
                    parameters().join(", ")
                )));
            }
        }
        if !matches!(
            key.as_ref(),
            "q" | "sort" | "page" | "page_size" | "facets" | "facet_size"
        ) {
            filters.entry(key.into_owned()).or_default().push(value);
        }
    }
    if let (Some(from), Some(to)) = (request.filter.year_from, request.filter.year_to)
        && from > to
    {
        return Err(bad(format!("year_from {from} is after year_to {to}")));
    }
    request.offset = (page - 1).saturating_mul(request.limit);
    if request.offset.saturating_add(request.limit) > MAX_RESULT_WINDOW {
        return Err(bad(format!(
            "page: page {page} of {} hits passes hit {MAX_RESULT_WINDOW}, the deepest a search is paged; narrow the search instead",
            request.limit
        )));
    }
    Ok((request, filters, page))
}

/// Search.
#[utoipa::path(
    get,
    path = "/api/search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits with facet counts", body = SearchResponse),
        (status = 400, description = "A parameter is wrong; the message names it", body = super::ErrorBody),
    ),
    tag = "search"
)]
pub async fn get(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Json<SearchResponse>, JsonError> {
    let (request, filters, page) = parse(raw.as_deref())?;
    let origin = crate::request_origin(&state.config, &headers);
    let graph = state.graph.clone();
    let key = crate::work::request_key(("/api/search", raw.as_deref()));
    blocking_keyed(&state, Some(key), move |_| {
        let result = graph.search_page(&request).map_err(|e| match e {
            civicgraph_graph::GraphError::SearchSyntax { .. } => bad(format!("q: {e}")),
            other => JsonError::from(other),
        })?;
        let labels = graph.labels();
        let mut hits = Vec::with_capacity(result.hits.len());
        for hit in result.hits {
            hits.push(Hit {
                page: format!("{origin}{}", crate::record_page::page_path(&hit.iri)),
                patterns: pattern_tags(&labels, &hit.assignments),
                catalogues: hit.catalogues.iter().map(|c| labelled(&labels, c)).collect(),
                themes: hit.themes.iter().map(|t| labelled(&labels, t)).collect(),
                iri: hit.iri,
                kind: hit.kind,
                title: hit.title,
                score: hit.score,
                snippet: hit.snippet,
                publishers: hit.publishers,
                regions: hit.regions,
                year: hit.year,
            });
        }
        let mut facets = BTreeMap::new();
        for name in FACETS {
            let values = result.facets.get(name).cloned().unwrap_or_default();
            let labelled = values
                .into_iter()
                .map(|v| FacetValue {
                    label: match name {
                        "pattern" | "theme" | "catalogue" | "format" | "licence" | "beneficiary"
                        | "enabler" | "actor" | "channel" | "benefit" => labels.of_value(&v.value),
                        "country" => civicgraph_vocab::authority::country_name(&v.value)
                            .map_or_else(|| v.value.clone(), str::to_owned),
                        "method" if v.value == "curated" => "curated by the source".to_owned(),
                        "method" if v.value == "inferred" => "inferred by the tagger".to_owned(),
                        _ => v.value.clone(),
                    },
                    value: match name {
                        "pattern" => v
                            .value
                            .trim_start_matches(civicgraph_vocab::cgp::NAMESPACE)
                            .to_owned(),
                        _ => v.value,
                    },
                    count: v.count,
                })
                .collect();
            if request.facets {
                facets.insert(name.to_owned(), labelled);
            }
        }
        Ok(Json(SearchResponse {
            q: request.text.clone(),
            filters,
            sort: match request.sort {
                SearchSort::Relevance => "relevance".into(),
                SearchSort::Date => "date".into(),
                // Only the CKAN API asks for these.
                SearchSort::Key => "key".into(),
                SearchSort::Modified => "modified".into(),
            },
            total: result.total,
            page,
            page_size: request.limit,
            hits,
            facets,
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_and_checked() {
        let (request, filters, page) =
            parse(Some("q=air+quality&pattern=P2&pattern=policy&type=dataset&page=3&page_size=10&sort=date&year_from=2019")).unwrap();
        assert_eq!(request.text, "air quality");
        assert_eq!(
            request.filter.patterns,
            [
                "https://w3id.org/civicgraph/pattern/planning",
                "https://w3id.org/civicgraph/pattern/policy"
            ]
        );
        assert_eq!((request.offset, request.limit, page), (20, 10, 3));
        assert_eq!(request.sort, SearchSort::Date);
        assert_eq!(filters["pattern"], ["P2", "policy"]);
        let (request, _, _) = parse(Some(
            "beneficiary=citizens&enabler=https://w3id.org/civicgraph/enabler/open-standards&actor=industry&channel=challenge&country=gb&method=Curated",
        ))
        .unwrap();
        let f = &request.filter;
        assert_eq!(
            f.beneficiaries,
            ["https://w3id.org/civicgraph/beneficiary/citizens"]
        );
        assert_eq!(f.enablers, ["https://w3id.org/civicgraph/enabler/open-standards"]);
        assert_eq!(f.actors, ["https://w3id.org/civicgraph/actor/industry"]);
        assert_eq!(f.channels, ["https://w3id.org/civicgraph/channel/challenge"]);
        assert_eq!(
            (f.countries.as_slice(), f.methods.as_slice()),
            (&["GB".to_owned()][..], &["curated".to_owned()][..])
        );
        for (query, message) in [
            ("page_size=500", "page_size: 500 is not between 1 and 100"),
            ("pattern=P9", "pattern: \"P9\" is not a pattern"),
            ("method=guessed", "method: \"guessed\" is not curated or inferred"),
            (
                "colour=red",
                "unknown parameter \"colour\"; a search takes q, type,",
            ),
            (
                "year_from=2020&year_to=2010",
                "year_from 2020 is after year_to 2010",
            ),
            ("page=0", "page: pages are numbered from 1"),
            (
                "page=10000000000000",
                "page: page 10000000000000 of 20 hits passes hit 10000",
            ),
            ("page=501", "page: page 501 of 20 hits passes hit 10000"),
            ("type=cat", "type: \"cat\" is not"),
        ] {
            let error = parse(Some(query)).unwrap_err().0.to_string();
            assert!(error.starts_with(message), "{query}: {error}");
        }
        // Every parameter the error lists (the documented ones) is one the search reads.
        for parameter in parameters() {
            let value = match parameter.as_str() {
                "type" => "dataset",
                "pattern" => "P1",
                "method" => "curated",
                "min_confidence" => "0.5",
                "year_from" | "year_to" => "2020",
                "sort" => "date",
                "page" | "page_size" | "facet_size" => "1",
                _ => "x",
            };
            assert!(
                parse(Some(&format!("{parameter}={value}"))).is_ok(),
                "{parameter}"
            );
        }
    }
}
