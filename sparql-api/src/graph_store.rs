//! `/store`: the SPARQL 1.1 Graph Store HTTP Protocol, with `?default` and `?graph=IRI`.
//!
//! Reads are public; PUT, POST and DELETE need the write token and go through the graph's
//! one write path, so the search index follows them.

use crate::AppState;
use crate::auth::require_write;
use crate::error::ApiError;
use crate::negotiate::content_media_type;
use crate::rdf_response::{RDF_FORMATS, choose_format, content_type, serialize_triples_to};
use crate::streamed::{self, ChannelWriter};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use civicgraph_graph::{WriteBatch, quoted_start};
use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNodeRef, Triple};

fn unaddressed() -> ApiError {
    ApiError::BadRequest("address a graph with ?default or ?graph=IRI".into())
}

/// Which graph a request addresses, if any: none is the graph store itself.
fn addressed(raw: Option<&str>) -> Result<Option<GraphName>, ApiError> {
    let mut default = false;
    let mut named = None;
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "default" => default = true,
            "graph" => {
                let iri = NamedNode::new(value.as_ref()).map_err(|e| {
                    ApiError::BadRequest(format!(
                        "graph {} is not an absolute IRI: {e}",
                        quoted_start(&value)
                    ))
                })?;
                if named.replace(iri).is_some() {
                    return Err(ApiError::BadRequest(
                        "the graph parameter is given more than once".into(),
                    ));
                }
            }
            _ => {}
        }
    }
    match (default, named) {
        (true, None) => Ok(Some(GraphName::DefaultGraph)),
        (false, Some(iri)) => Ok(Some(iri.into())),
        (true, Some(_)) => Err(ApiError::BadRequest(
            "give either ?default or ?graph=IRI, not both".into(),
        )),
        (false, None) => Ok(None),
    }
}

fn exists(state: &AppState, graph: &GraphName) -> Result<bool, ApiError> {
    Ok(match graph {
        GraphName::DefaultGraph => true,
        GraphName::NamedNode(node) => state
            .graph
            .store()
            .contains_named_graph(NamedOrBlankNodeRef::from(node.as_ref()))
            .map_err(civicgraph_graph::GraphError::from)?,
        GraphName::BlankNode(_) => false,
    })
}

fn not_found(graph: &GraphName) -> ApiError {
    ApiError::NotFound(format!("there is no graph {graph}"))
}

/// The syntaxes of a whole-store dump: they keep graph names.
const DATASET_FORMATS: &[(&str, RdfFormat)] = &[
    ("application/n-quads", RdfFormat::NQuads),
    ("application/trig", RdfFormat::TriG),
];

/// GET and HEAD: the graph in the negotiated syntax; HEAD has the same headers, no body.
/// With no graph addressed, the whole dataset ([`dump`]).
///
/// The graph is streamed as it is serialized, in a query slot and under the query timeout,
/// as a query's answer is: a source's graph of a national catalogue holds tens of millions
/// of triples, whose serialization held in memory was stopped at the query memory budget.
/// So there is no `Content-Length`; a serialization stopped midway (its time limit, the
/// client gone) ends the body with an error, never as a shorter graph.
pub async fn read(
    method: Method,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(graph) = addressed(raw.as_deref())? else {
        return dump(method, state, &headers).await;
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose_format(accept, RDF_FORMATS)?;
    let found = {
        let (state, graph) = (state.clone(), graph.clone());
        state.work.clone().run(move |_| exists(&state, &graph)).await?
    };
    if !found {
        return Err(not_found(&graph));
    }
    let mut response = if method == Method::HEAD {
        streamed::head_body().into_response()
    } else {
        let (sender, receiver) = streamed::channel();
        let job = state.work.start().await?;
        let running = job.running();
        job.running().spawn(move || {
            let writer = ChannelWriter::new(sender).stopping_with(running.clone());
            let failed = writer.failing();
            let quads = state
                .graph
                .store()
                .quads_for_pattern(None, None, None, Some(graph.as_ref()))
                .map(|quad| {
                    if running.is_stopped() {
                        return Err(running.stopped_error());
                    }
                    Ok(Triple::from(quad.map_err(civicgraph_graph::GraphError::from)?))
                });
            let written = serialize_triples_to(format, quads, &[], writer).and_then(|mut writer| {
                std::io::Write::flush(&mut writer)
                    .map_err(|e| ApiError::Internal(format!("serializing: {e}")))
            });
            if let Err(error) = written {
                tracing::warn!("a graph's serialization ended early: {error}");
                failed.fail(std::io::Error::other(error.to_string()));
            }
        })?;
        streamed::job_body(receiver, job).into_response()
    };
    typed(&mut response, format)?;
    Ok(response)
}

/// Says what a streamed graph or dump is: its media type, chosen by `Accept`.
fn typed(response: &mut Response, format: RdfFormat) -> Result<(), ApiError> {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type(format)).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(())
}

/// `GET /store` with no graph: every quad of the store, as N-Quads or TriG, streamed from
/// one snapshot of the store (a write made meanwhile is wholly in it or not at all): the
/// online backup, which `civicgraph restore` reads back.
///
/// With a write token configured, only a client holding it may dump; the dump then runs on
/// a thread of its own at the lowest priority, outside the query slots and without the
/// query timeout, however long the store takes to read, until the client hangs up. With no
/// token, the data is as public as through `/sparql`, and a dump is a query like any other:
/// in a slot, under the query timeout. One dump runs at a time; another waits for it.
async fn dump(method: Method, state: AppState, headers: &HeaderMap) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose_format(accept, DATASET_FORMATS)?;
    let protected = state.write_token.is_some();
    if protected {
        require_write(headers, state.write_token.as_deref())?;
    }
    let mut response = if method == Method::HEAD {
        streamed::head_body().into_response()
    } else {
        let permit = if protected {
            state.dumps.clone().acquire_owned().await
        } else {
            tokio::time::timeout(state.work.timeout(), state.dumps.clone().acquire_owned())
                .await
                .map_err(|_| ApiError::Timeout(state.work.timeout().as_secs()))?
        }
        .map_err(|_| ApiError::Stopped(crate::error::Stop::ShuttingDown))?;
        let (sender, receiver) = streamed::channel();
        let graph = state.graph.clone();
        let write = move |writer: ChannelWriter| {
            let _permit = permit;
            let failed = writer.failing();
            if let Err(error) = graph.dump(format, writer) {
                tracing::warn!("a dump of the store ended early: {error}");
                failed.fail(std::io::Error::other(error.to_string()));
            }
        };
        if protected {
            std::thread::Builder::new()
                .name("civicgraph-dump".into())
                .spawn(move || {
                    crate::work::priority::lower(crate::work::priority::current_thread());
                    write(ChannelWriter::new(sender));
                })
                .map_err(|e| ApiError::Internal(format!("could not start the dump's thread: {e}")))?;
            streamed::body(receiver, ()).into_response()
        } else {
            let job = state.work.start().await?;
            let running = job.running();
            job.running()
                .spawn(move || write(ChannelWriter::new(sender).stopping_with(running)))?;
            streamed::job_body(receiver, job).into_response()
        }
    };
    typed(&mut response, format)?;
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(if format == RdfFormat::TriG {
            "attachment; filename=\"civicgraph.trig\""
        } else {
            "attachment; filename=\"civicgraph.nq\""
        }),
    );
    Ok(response)
}

/// A fresh name for a graph created by a POST to the store itself: the time and a count,
/// which no two requests of one server share (a clash with an existing graph is checked).
fn new_graph_id() -> String {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{nanos:x}-{count:x}")
}

/// PUT (replace), POST (add) and DELETE. A POST to the store itself (no `?graph` or
/// `?default`) creates a new graph and answers 201 with its IRI in `Location` (Graph Store
/// Protocol 5.5).
pub async fn write(
    method: Method,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_write(&headers, state.write_token.as_deref())?;
    let (graph, created) = match addressed(raw.as_deref())? {
        Some(graph) => (graph, false),
        None if method == Method::POST => {
            let mut graph = state.graph.layout().created_graph(&new_graph_id());
            while exists(&state, &graph.clone().into())? {
                graph = state.graph.layout().created_graph(&new_graph_id());
            }
            (graph.into(), true)
        }
        None => return Err(unaddressed()),
    };
    let parts = if method == Method::DELETE {
        None
    } else {
        let media = content_media_type(&headers);
        if media == "multipart/form-data" {
            Some(multipart_parts(&headers, &body)?)
        } else {
            Some(vec![(graph_format(&media)?, body.to_vec())])
        }
    };
    let location = graph.clone();
    crate::work::run_write("graph store write", move || -> Result<StatusCode, ApiError> {
        let existed = exists(&state, &graph)?;
        let named = match &graph {
            GraphName::NamedNode(node) => Some(node.clone()),
            _ => None,
        };
        let mut batch = WriteBatch::new();
        match parts {
            None => {
                if !existed {
                    return Err(not_found(&graph));
                }
                batch.also_replace(graph.clone());
            }
            Some(parts) => {
                if method == Method::PUT {
                    batch.also_replace(graph.clone());
                }
                for (i, (format, bytes)) in parts.iter().enumerate() {
                    batch.read_graph_into(
                        named.as_ref(),
                        *format,
                        bytes.as_slice(),
                        &format!("request body part {} for {graph}", i + 1),
                        // As in Fuseki: relative IRIs in the body resolve against the graph's IRI.
                        named.as_ref().map(NamedNode::as_str),
                    )?;
                }
            }
        }
        state.graph.commit(batch)?;
        Ok(if existed || method == Method::DELETE {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::CREATED
        })
    })
    .await
    .and_then(|status| {
        let mut response = status.into_response();
        if created && let GraphName::NamedNode(iri) = &location {
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(iri.as_str()).map_err(|e| ApiError::Internal(e.to_string()))?,
            );
        }
        Ok(response)
    })
}

/// The graph syntax a media type names.
fn graph_format(media: &str) -> Result<RdfFormat, ApiError> {
    // JSON-LD is a dataset syntax that also writes single graphs; a named graph in it is
    // refused when read (`WriteBatch::read_graph_into`).
    RdfFormat::from_media_type(media)
        .filter(|f| matches!(f, RdfFormat::JsonLd { .. }) || !f.supports_datasets())
        .ok_or_else(|| {
            ApiError::UnsupportedMediaType(format!(
                "a graph is sent as Turtle, N-Triples, RDF/XML or JSON-LD (or several, as multipart/form-data), not {media:?}"
            ))
        })
}

/// The RDF documents of a `multipart/form-data` body (Graph Store Protocol 5.5: a POST may
/// carry several documents), each with its own `Content-Type`.
fn multipart_parts(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(RdfFormat, Vec<u8>)>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ApiError::BadRequest("multipart/form-data without a boundary".into()))?;
    let text =
        std::str::from_utf8(body).map_err(|e| ApiError::BadRequest(format!("the body is not UTF-8: {e}")))?;
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in text.split(delimiter.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.strip_prefix("\r\n").unwrap_or(chunk);
        let (head, content) = chunk.split_once("\r\n\r\n").ok_or_else(|| {
            ApiError::BadRequest("a multipart part has no blank line after its headers".into())
        })?;
        let media = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim().eq_ignore_ascii_case("content-type").then(|| {
                    value
                        .split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                })
            })
            .unwrap_or_else(|| "text/turtle".to_owned());
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        parts.push((graph_format(&media)?, content.as_bytes().to_vec()));
    }
    if parts.is_empty() {
        return Err(ApiError::BadRequest("multipart/form-data with no parts".into()));
    }
    Ok(parts)
}
