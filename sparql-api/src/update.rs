//! `/update`: the SPARQL 1.1 Update protocol (POST form, POST `application/sparql-update`).
//! Needs the write token; GET is refused by the router (405), as the protocol requires.

use crate::AppState;
use crate::auth::require_write;
use crate::error::ApiError;
use crate::negotiate::content_media_type;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use civicgraph_graph::{UpdateOptions, quoted_start};
use oxigraph::model::NamedNode;

/// POST `/update`.
pub async fn post(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    require_write(&headers, state.write_token.as_deref())?;
    let media = content_media_type(&headers);
    let mut options = UpdateOptions::default();
    let mut update = None;
    let raw = raw.unwrap_or_default();
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            read_dataset(raw.as_bytes(), &mut options, None)?;
            read_dataset(&body, &mut options, Some(&mut update))?;
        }
        "application/sparql-update" => {
            read_dataset(raw.as_bytes(), &mut options, None)?;
            update = Some(
                String::from_utf8(body.to_vec())
                    .map_err(|e| ApiError::BadRequest(format!("the update is not UTF-8: {e}")))?,
            );
        }
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "an update is sent as application/x-www-form-urlencoded or application/sparql-update, not {}",
                quoted_start(other)
            )));
        }
    }
    let update = update.ok_or_else(|| ApiError::BadRequest("no update parameter was given".into()))?;
    options.base_iri = Some(crate::request_base(&state.config, &headers, "/update"));
    let graph = state.graph.clone();
    crate::work::run_write("update", move || Ok(graph.update(&update, &options)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reads `using-graph-uri` and `using-named-graph-uri`, and `update` where a slot for it is
/// given (the form body, not the URL).
fn read_dataset(
    pairs: &[u8],
    options: &mut UpdateOptions,
    mut update: Option<&mut Option<String>>,
) -> Result<(), ApiError> {
    let iri = |key: &str, value: &str| {
        NamedNode::new(value).map_err(|e| {
            ApiError::BadRequest(format!(
                "{key} {} is not an absolute IRI: {e}",
                quoted_start(value)
            ))
        })
    };
    for (key, value) in form_urlencoded::parse(pairs) {
        match key.as_ref() {
            "update" => {
                if let Some(slot) = update.as_deref_mut()
                    && slot.replace(value.into_owned()).is_some()
                {
                    return Err(ApiError::BadRequest(
                        "the update parameter is given more than once".into(),
                    ));
                }
            }
            "using-graph-uri" => options.using_graph_uris.push(iri(&key, &value)?),
            "using-named-graph-uri" => options.using_named_graph_uris.push(iri(&key, &value)?),
            "query" => {
                return Err(ApiError::BadRequest(
                    "queries are sent to /sparql, not /update".into(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}
