//! `/sparql`: the SPARQL 1.1 query endpoint (GET, POST form, POST `application/sparql-query`).

use crate::AppState;
use crate::error::ApiError;
use crate::negotiate::{content_media_type, negotiate};
use crate::rdf_response::{RDF_FORMATS, choose_format, content_type, serialize_triples_to};
use crate::result_cache::{CacheKey, CachedAnswer};
use crate::streamed::{self, ChannelWriter};
use crate::work::{Job, Running};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use civicgraph_graph::{GuardedQuery, QueryOptions, quoted_start};
use oxigraph::io::RdfFormat;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter, QueryTripleIter, Variable};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::oneshot;

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
        distinct_graphs(&mut self.default_graph_uris, "default-graph-uri")?;
        distinct_graphs(&mut self.named_graph_uris, "named-graph-uri")
    }
}

/// The most graphs a request's `default-graph-uri` or `named-graph-uri` may name. The
/// evaluator opens one store iterator per graph of the default graph at once, before
/// reading any, with no cancellation check: 300,000 of them (12.8 MB of form) grew the
/// server to 3.5 GB and ran on after its answer. A store holds a graph per source.
pub const MAX_DATASET_GRAPHS: usize = 1024;

/// Keeps each graph of `graphs` (named by parameter `key`) once, in order of their IRIs
/// (the order in which a dataset's graphs are named means nothing), at most
/// [`MAX_DATASET_GRAPHS`].
fn distinct_graphs(graphs: &mut Vec<NamedNode>, key: &str) -> Result<(), ApiError> {
    graphs.sort_unstable();
    graphs.dedup();
    if graphs.len() > MAX_DATASET_GRAPHS {
        return Err(ApiError::BadRequest(format!(
            "{key} names more than {MAX_DATASET_GRAPHS} graphs"
        )));
    }
    Ok(())
}

fn graph_iri(key: &str, value: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(value).map_err(|e| {
        ApiError::BadRequest(format!(
            "{key} {} is not an absolute IRI: {e}",
            quoted_start(value)
        ))
    })
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
                "a query is sent as application/x-www-form-urlencoded or application/sparql-query, not {}",
                quoted_start(other)
            )));
        }
    }
    evaluate(state, request, &headers).await
}

/// Queries longer than this are parsed on a blocking thread: parsing megabytes of VALUES
/// rows took seconds, on one of the runtime's few threads, and `/healthz` waited behind it.
const PARSE_INLINE_BYTES: usize = 64 * 1024;

/// Parses and guards `query` (see [`GuardedQuery::parse`]), a long one off the runtime.
async fn parse_off_runtime(query: &str, base: &str) -> Result<GuardedQuery, ApiError> {
    if query.len() <= PARSE_INLINE_BYTES {
        return Ok(GuardedQuery::parse(query, Some(base))?);
    }
    let (query, base) = (query.to_owned(), base.to_owned());
    tokio::task::spawn_blocking(move || GuardedQuery::parse(&query, Some(&base)))
        .await
        .map_err(|e| ApiError::Internal(format!("parsing the query: {e}")))?
        .map_err(ApiError::from)
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
    // The base IRI of relative IRIs comes from the request's Host: it is part of the
    // answer, so part of the cache key.
    let base = crate::request_base(&state.config, headers, "/sparql");
    let guarded = parse_off_runtime(&query, &base).await?;
    // What makes this request the same as another: its text, base and dataset (relative
    // IRIs resolve against the base, so one text can be cheap on one Host and dear on
    // another). The fast lane takes it if it was fast last time.
    let key = crate::work::request_key((
        &query,
        &base,
        &request.default_graph_uris,
        &request.named_graph_uris,
    ));
    let cache_key = (state.cache.enabled() && guarded.deterministic).then(|| CacheKey {
        query,
        base: base.clone(),
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
    // The store version keys the cache; a query that cannot be cached does not read it.
    let sequence = match &cache_key {
        Some(_) => state.graph.write_sequence()?,
        None => 0,
    };
    if let Some(key) = &cache_key
        && let Some(answer) = state.cache.get(sequence, key)
    {
        return respond(&answer, max_rows, "hit");
    }
    let job = state.work.start_keyed(Some(key)).await?;
    let running = job.running();
    let options = QueryOptions {
        union_default_graph: state.config.query.union_default_graph,
        default_graph_uris: request.default_graph_uris,
        named_graph_uris: request.named_graph_uris,
        cancellation: Some(running.token().clone()),
        base_iri: Some(base),
        remote_services: Some(state.federation.clone()),
        max_string_bytes: state.config.query.max_string_bytes,
    };
    let graph = state.graph.clone();
    if max_rows == 0 {
        let cache = cache_key.map(|key| (sequence, key));
        return stream(&state, guarded, options, accept, cache, job).await;
    }
    let evaluation = running.clone();
    let Serialized {
        media_type,
        body,
        truncated,
    } = running
        .evaluate(move || -> Result<Serialized, ApiError> {
            graph
                .query_guarded(&guarded, &options)
                .map_err(ApiError::from)
                .and_then(|results| serialize(results, accept.as_deref(), max_rows, &evaluation))
                .map_err(|e| evaluation.explain(e))
        })
        .await?;
    job.finish();
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

/// The syntax chosen for a result.
#[derive(Clone, Copy)]
enum Chosen {
    /// SELECT or ASK results.
    Results(QueryResultsFormat),
    /// CONSTRUCT or DESCRIBE triples.
    Graph(RdfFormat),
}

impl Chosen {
    fn media_type(self) -> String {
        match self {
            Self::Results(format) => media_type_of(format),
            Self::Graph(format) => content_type(format),
        }
    }
}

/// The syntax `accept` prefers for this kind of result; 406 when none fits.
fn choose(results: &QueryResults<'static>, accept: Option<&str>) -> Result<Chosen, ApiError> {
    Ok(match results {
        QueryResults::Solutions(_) | QueryResults::Boolean(_) => Chosen::Results(result_format(accept)?),
        QueryResults::Graph(_) => Chosen::Graph(choose_format(accept, RDF_FORMATS)?),
    })
}

/// Serializes at most `max_rows` solutions or triples (0: no limit) into `writer`; returns
/// the writer and whether the limit cut the result. Stops with an error as soon as `job` is
/// stopped: solutions that come from a join held in memory are produced without the store
/// reads where Oxigraph looks at its cancellation token.
fn write_results<W: Write>(
    results: QueryResults<'static>,
    chosen: Chosen,
    max_rows: usize,
    writer: W,
    job: &Running,
) -> Result<(W, bool), ApiError> {
    let io = |e: std::io::Error| ApiError::Internal(format!("serializing results: {e}"));
    let limit = if max_rows == 0 { usize::MAX } else { max_rows };
    let mut truncated = false;
    let writer = match (results, chosen) {
        (QueryResults::Solutions(solutions), Chosen::Results(format)) => {
            let mut serializer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(writer, solutions.variables().to_vec())
                .map_err(io)?;
            for (row, solution) in solutions.enumerate() {
                if row == limit {
                    truncated = true;
                    break;
                }
                if job.is_stopped() {
                    return Err(job.stopped_error());
                }
                serializer
                    .serialize(&solution.map_err(civicgraph_graph::GraphError::from)?)
                    .map_err(io)?;
            }
            serializer.finish().map_err(io)?
        }
        (QueryResults::Boolean(value), Chosen::Results(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(writer, value)
                .map_err(io)?
        }
        (QueryResults::Graph(triples), Chosen::Graph(format)) => {
            let triples = triples.enumerate().map_while(|(row, triple)| {
                if row == limit {
                    truncated = true;
                    None
                } else if job.is_stopped() {
                    Some(Err(civicgraph_graph::GraphError::QueryEvaluation(
                        QueryEvaluationError::Cancelled,
                    )))
                } else {
                    Some(triple.map_err(civicgraph_graph::GraphError::from))
                }
            });
            serialize_triples_to(format, triples, &[], writer)?
        }
        _ => return Err(ApiError::Internal("a result and its syntax do not match".into())),
    };
    Ok((writer, truncated))
}

/// Serializes a whole result in memory.
fn serialize(
    results: QueryResults<'static>,
    accept: Option<&str>,
    max_rows: usize,
    job: &Running,
) -> Result<Serialized, ApiError> {
    let chosen = choose(&results, accept)?;
    let (body, truncated) = write_results(results, chosen, max_rows, Vec::new(), job)?;
    Ok(Serialized {
        media_type: chosen.media_type(),
        body,
        truncated,
    })
}

/// Evaluates the first solution or triple before anything is sent, so that the errors a
/// query meets at once (a refused or failing `SERVICE`, a bad search block) are answered
/// with their status rather than by a body cut short.
fn first_evaluated(results: QueryResults<'static>) -> Result<QueryResults<'static>, ApiError> {
    let lift = |e: QueryEvaluationError| ApiError::from(civicgraph_graph::GraphError::from(e));
    Ok(match results {
        QueryResults::Solutions(mut solutions) => {
            let variables: Arc<[Variable]> = solutions.variables().into();
            let first = solutions.next().transpose().map_err(lift)?;
            QueryResults::Solutions(QuerySolutionIter::new(
                variables,
                first.map(Ok).into_iter().chain(solutions),
            ))
        }
        QueryResults::Graph(mut triples) => {
            let first = triples.next().transpose().map_err(lift)?;
            QueryResults::Graph(QueryTripleIter::new(first.map(Ok).into_iter().chain(triples)))
        }
        boolean => boolean,
    })
}

/// Answers with a streamed body: the first byte goes out as soon as the first solution is
/// serialized, and memory stays at one chunk whatever the size of the result. Used when no
/// row limit is configured: with a limit, whether it cut the result has to be known before
/// the headers are sent, so those answers are serialized first (at most the limit).
/// Errors before the first byte (syntax, dataset, 406) are ordinary error responses; an
/// error or the timeout later ends the body early.
/// A streamed answer that completes within the cache's size limit is cached as well.
async fn stream(
    state: &AppState,
    guarded: GuardedQuery,
    options: QueryOptions,
    accept: Option<String>,
    cache: Option<(u64, CacheKey)>,
    job: Job,
) -> Result<Response, ApiError> {
    let graph = state.graph.clone();
    let result_cache = state.cache.clone();
    let keep = result_cache.entry_limit();
    let running = job.running();
    let (head_sender, head) = oneshot::channel::<Result<String, ApiError>>();
    let (sender, receiver) = streamed::channel();
    job.running().spawn(move || {
        let prepared = graph
            .query_guarded(&guarded, &options)
            .map_err(ApiError::from)
            .and_then(first_evaluated)
            .and_then(|results| choose(&results, accept.as_deref()).map(|chosen| (results, chosen)));
        let (results, chosen) = match prepared {
            Ok(ready) => ready,
            Err(error) => {
                let _ = head_sender.send(Err(running.explain(error)));
                return;
            }
        };
        if head_sender.send(Ok(chosen.media_type())).is_err() {
            return;
        }
        let mut writer = ChannelWriter::new(sender).stopping_with(running.clone());
        if cache.is_some() {
            writer = writer.keeping_copy(keep);
        }
        let failed = writer.failing();
        match write_results(results, chosen, 0, writer, &running) {
            Ok((mut writer, _)) => {
                let whole = writer.flush().is_ok() && !running.is_stopped();
                if whole {
                    running.complete();
                }
                if whole && let (Some((sequence, key)), Some(body)) = (cache, writer.take_copy()) {
                    let answer = CachedAnswer {
                        media_type: chosen.media_type(),
                        body,
                        truncated: false,
                    };
                    result_cache.put(sequence, key, Arc::new(answer));
                }
            }
            Err(error) => {
                let error = running.explain(error);
                tracing::warn!("a streamed answer ended early: {error}");
                failed.fail(std::io::Error::other(error.to_string()));
            }
        }
    })?;
    let watched = job.running();
    let media_type = tokio::select! {
        head = head => head.map_err(|_| ApiError::Internal("the query task ended without an answer".into()))??,
        () = watched.until_stopped() => return Err(watched.stopped_error()),
    };
    // The job's guard goes with the body: a client that hangs up mid-answer drops it, which
    // cancels the evaluation. The timeout still holds while the body streams.
    let body = streamed::job_body(receiver, job);
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&media_type).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
        .headers_mut()
        .insert("x-civicgraph-cache", HeaderValue::from_static("miss"));
    Ok(response)
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
