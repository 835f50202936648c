//! `/sparql`: the SPARQL 1.1 query endpoint (GET, POST form, POST `application/sparql-query`).

use crate::AppState;
use crate::error::ApiError;
use crate::negotiate::{content_media_type, negotiate};
use crate::rdf_response::{RDF_FORMATS, choose_format, content_type, serialize_triples};
use crate::result_cache::{CacheKey, CachedAnswer};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use civicgraph_graph::QueryOptions;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults};
use std::sync::Arc;

/// Formats for SELECT and ASK results, the server's preference first.
const RESULT_FORMATS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// The protocol's parameters, from the URL or a form body.
#[derive(Debug, Default)]
struct Request {
    query: Option<String>,
    default_graph_uris: Vec<NamedNode>,
    named_graph_uris: Vec<NamedNode>,
}

impl Request {
    fn read(&mut self, pairs: &[u8], query_allowed: bool) -> Result<(), ApiError> {
        for (key, value) in form_urlencoded::parse(pairs) {
            match key.as_ref() {
                "query" if query_allowed && self.query.is_some() => {
                    return Err(ApiError::BadRequest(
                        "the query parameter is given more than once".into(),
                    ));
                }
                "query" if query_allowed => self.query = Some(value.into_owned()),
                "default-graph-uri" => self.default_graph_uris.push(graph_iri(&key, &value)?),
                "named-graph-uri" => self.named_graph_uris.push(graph_iri(&key, &value)?),
                "update" | "using-graph-uri" | "using-named-graph-uri" => {
                    return Err(ApiError::BadRequest(
                        "updates are not accepted at /sparql; send them to /update".into(),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn graph_iri(key: &str, value: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(value)
        .map_err(|e| ApiError::BadRequest(format!("{key} {value:?} is not an absolute IRI: {e}")))
}

/// GET `/sparql?query=...`.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut request = Request::default();
    request.read(raw.unwrap_or_default().as_bytes(), true)?;
    if request.query.is_none() {
        // A GET with no query asks what the service is (SPARQL 1.1 Service Description).
        return crate::service_description::respond(&state, &headers);
    }
    evaluate(state, request, &headers).await
}

/// POST `/sparql`, with a form or a bare query.
pub async fn post(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut request = Request::default();
    let media = content_media_type(&headers);
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            request.read(raw.unwrap_or_default().as_bytes(), false)?;
            request.read(&body, true)?;
        }
        "application/sparql-query" => {
            request.read(raw.unwrap_or_default().as_bytes(), false)?;
            let text = String::from_utf8(body.to_vec())
                .map_err(|e| ApiError::BadRequest(format!("the query is not UTF-8: {e}")))?;
            request.query = Some(text);
        }
        "application/sparql-update" => {
            return Err(ApiError::BadRequest(
                "updates are not accepted at /sparql; send them to /update".into(),
            ));
        }
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "a query is sent as application/x-www-form-urlencoded or application/sparql-query, not {other:?}"
            )));
        }
    }
    evaluate(state, request, &headers).await
}

async fn evaluate(state: AppState, request: Request, headers: &HeaderMap) -> Result<Response, ApiError> {
    let Some(query) = request.query else {
        return Err(ApiError::BadRequest("no query parameter was given".into()));
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let max_rows = state.config.query.max_result_rows;
    let cache_key = state.cache.cacheable(&query).then(|| CacheKey {
        query: query.clone(),
        default_graphs: request
            .default_graph_uris
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        named_graphs: request
            .named_graph_uris
            .iter()
            .map(|g| g.as_str().to_owned())
            .collect(),
        accept: accept.clone(),
    });
    let sequence = state.graph.write_sequence()?;
    if let Some(key) = &cache_key
        && let Some(answer) = state.cache.get(sequence, key)
    {
        return respond(&answer, max_rows, "hit");
    }
    let token = CancellationToken::new();
    let options = QueryOptions {
        union_default_graph: state.config.query.union_default_graph,
        default_graph_uris: request.default_graph_uris,
        named_graph_uris: request.named_graph_uris,
        cancellation: Some(token.clone()),
        base_iri: Some(crate::request_base(headers, "/sparql")),
        remote_services: Some(state.federation.clone()),
    };
    let timeout = state.config.query_timeout();
    let graph = state.graph.clone();
    let work = tokio::task::spawn_blocking(move || -> Result<Serialized, ApiError> {
        let results = graph.query(&query, &options)?;
        serialize(results, accept.as_deref(), max_rows)
    });
    let Serialized {
        media_type,
        body,
        truncated,
    } = match tokio::time::timeout(timeout, work).await {
        Ok(joined) => joined.map_err(|e| ApiError::Internal(e.to_string()))??,
        Err(_) => {
            token.cancel();
            return Err(ApiError::Timeout(timeout.as_secs()));
        }
    };
    let answer = Arc::new(CachedAnswer {
        media_type,
        body,
        truncated,
    });
    if let Some(key) = cache_key {
        state.cache.put(sequence, key, answer.clone());
    }
    respond(&answer, max_rows, "miss")
}

/// The HTTP response for an answer; `cache` says whether it came from the result cache.
fn respond(answer: &CachedAnswer, max_rows: usize, cache: &'static str) -> Result<Response, ApiError> {
    let mut response = Body::from(answer.body.clone()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&answer.media_type).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
        .headers_mut()
        .insert("x-civicgraph-cache", HeaderValue::from_static(cache));
    if answer.truncated {
        // The name Virtuoso uses, so clients that know it see why results stop.
        response
            .headers_mut()
            .insert("x-sparql-maxrows", HeaderValue::from(max_rows));
    }
    Ok(response)
}

/// A serialized result, and whether the row limit cut it short.
struct Serialized {
    media_type: String,
    body: Vec<u8>,
    truncated: bool,
}

/// Serializes at most `max_rows` solutions or triples (0: no limit).
fn serialize(
    results: QueryResults<'static>,
    accept: Option<&str>,
    max_rows: usize,
) -> Result<Serialized, ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("serializing results: {e}"));
    let limit = if max_rows == 0 { usize::MAX } else { max_rows };
    let mut truncated = false;
    match results {
        QueryResults::Solutions(solutions) => {
            let format = result_format(accept)?;
            let mut serializer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(Vec::new(), solutions.variables().to_vec())
                .map_err(io)?;
            for (row, solution) in solutions.enumerate() {
                if row == limit {
                    truncated = true;
                    break;
                }
                serializer
                    .serialize(&solution.map_err(civicgraph_graph::GraphError::from)?)
                    .map_err(io)?;
            }
            Ok(Serialized {
                media_type: media_type_of(format),
                body: serializer.finish().map_err(io)?,
                truncated,
            })
        }
        QueryResults::Boolean(value) => {
            let format = result_format(accept)?;
            let body = QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(Vec::new(), value)
                .map_err(io)?;
            Ok(Serialized {
                media_type: media_type_of(format),
                body,
                truncated,
            })
        }
        QueryResults::Graph(triples) => {
            let format = choose_format(accept, RDF_FORMATS)?;
            let triples = triples.enumerate().map_while(|(row, triple)| {
                if row == limit {
                    truncated = true;
                    None
                } else {
                    Some(triple.map_err(civicgraph_graph::GraphError::from))
                }
            });
            let body = serialize_triples(format, triples, &[])?;
            Ok(Serialized {
                media_type: content_type(format),
                body,
                truncated,
            })
        }
    }
}

fn result_format(accept: Option<&str>) -> Result<QueryResultsFormat, ApiError> {
    negotiate(accept, RESULT_FORMATS).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "solutions are offered as {}",
            RESULT_FORMATS
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn media_type_of(format: QueryResultsFormat) -> String {
    format.media_type().to_owned()
}
