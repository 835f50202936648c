//! A read-only subset of the CKAN Action API (`/api/3/action/{action}`), mapped from the
//! graph, so that the tools intermediaries already run — CKAN's own harvesters, `ckanapi`,
//! national portals, another civicgraph's `ckan` source — can read this hub:
//! `package_search` (`q`, `fq`, `rows`, `start`, `sort`, `facet.field`, `facet.limit`),
//! `package_show`, `organization_list`, `group_list` and `status_show`.
//!
//! Answers have CKAN's envelope (`help`, `success`, `result`); errors its `error` object
//! with `__type` and `message`, and its statuses (400 unknown action, 404 not found, 409 a
//! parameter that does not validate or a search the index cannot parse). Datasets only: case studies and catalogues are not
//! packages. How a record becomes a package is [`package`]; how the parameters become a
//! search, [`search`].

pub mod package;
pub mod search;

use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The CKAN version whose Action API this subset follows.
pub const CKAN_API_VERSION: &str = "2.10";

/// A CKAN error: its status, `__type` and message.
#[derive(Debug)]
pub struct CkanError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

impl CkanError {
    /// A parameter that does not validate (CKAN's 409 "Validation Error").
    pub fn validation(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            kind: "Validation Error",
            message: message.into(),
        }
    }

    /// Nothing has this id or name.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "Not Found Error",
            message: message.into(),
        }
    }
}

/// The server's errors in CKAN's words, as CKAN's clients read them (`ckanapi` raises its
/// exception by `__type`): a search the index cannot parse is CKAN's 409 "Search Query
/// Error", any other request that does not validate its 409 "Validation Error"; refusals
/// of credentials are "Authorization Error", a busy or stopped server "Service
/// Unavailable", and only a failure of the server's own is an "Internal Error".
impl From<ApiError> for CkanError {
    fn from(error: ApiError) -> Self {
        let status = error.status();
        let (status, kind) = match (&error, status) {
            (ApiError::Graph(civicgraph_graph::GraphError::SearchSyntax { .. }), _) => {
                (StatusCode::CONFLICT, "Search Query Error")
            }
            (_, StatusCode::BAD_REQUEST) => (StatusCode::CONFLICT, "Validation Error"),
            (_, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => (status, "Authorization Error"),
            (_, StatusCode::NOT_FOUND) => (status, "Not Found Error"),
            (_, StatusCode::SERVICE_UNAVAILABLE) => (status, "Service Unavailable"),
            (_, StatusCode::INTERNAL_SERVER_ERROR | StatusCode::BAD_GATEWAY) => (status, "Internal Error"),
            _ => (status, "Bad Request"),
        };
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(%error, "CKAN API request failed");
            "internal server error; the server log has the details".to_owned()
        } else {
            error.to_string()
        };
        Self {
            status,
            kind,
            message,
        }
    }
}

impl From<crate::api::JsonError> for CkanError {
    fn from(error: crate::api::JsonError) -> Self {
        error.0.into()
    }
}

impl From<civicgraph_graph::GraphError> for CkanError {
    fn from(error: civicgraph_graph::GraphError) -> Self {
        ApiError::Graph(error).into()
    }
}

/// The `help` of an answer: where the action's documentation is.
fn help(origin: &str, action: &str) -> String {
    format!("{origin}/api/3/action/help_show?name={action}")
}

/// `GET` or `POST /api/3/action/{action}` (also `/api/action/{action}`): parameters in the
/// query string, or for a POST in a JSON body, as CKAN takes them.
pub async fn action(
    State(state): State<AppState>,
    Path(action): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let origin = crate::request_origin(&state.config, &headers);
    let answer = match parameters(raw.as_deref(), &body) {
        Ok(params) => run(&state, &action, params, &origin).await,
        Err(error) => Err(error),
    };
    match answer {
        Ok(result) => {
            Json(json!({"help": help(&origin, &action), "success": true, "result": result})).into_response()
        }
        Err(error) => (
            error.status,
            Json(json!({
                "help": help(&origin, &action),
                "success": false,
                "error": {"__type": error.kind, "message": error.message},
            })),
        )
            .into_response(),
    }
}

/// The parameters of a call: the query string's, then a JSON object body's (a POST).
fn parameters(raw: Option<&str>, body: &[u8]) -> Result<BTreeMap<String, Value>, CkanError> {
    let mut params = BTreeMap::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        params.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    if !body.iter().all(u8::is_ascii_whitespace) {
        let Value::Object(fields) = serde_json::from_slice::<Value>(body).map_err(|e| {
            CkanError::validation(format!(
                "the request body is not JSON: line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?
        else {
            return Err(CkanError::validation(
                "the request body must be a JSON object of parameters",
            ));
        };
        params.extend(fields);
    }
    Ok(params)
}

async fn run(
    state: &AppState,
    action: &str,
    params: BTreeMap<String, Value>,
    origin: &str,
) -> Result<Value, CkanError> {
    match action {
        "status_show" => Ok(json!({
            "ckan_version": CKAN_API_VERSION,
            "site_title": "civicgraph",
            "site_description": "Open data in public services: harvested catalogues and case studies, tagged with the ODI's patterns",
            "site_url": origin,
            "locale_default": "en",
            "extensions": ["civicgraph (read-only subset of the Action API)"],
        })),
        "package_search" => search::package_search(state, &params, origin).await,
        "package_show" => search::package_show(state, &params, origin).await,
        "organization_list" => search::organization_list(state, &params).await,
        "group_list" => search::group_list(state, &params).await,
        other => Err(CkanError {
            status: StatusCode::BAD_REQUEST,
            kind: "Bad Request",
            message: format!(
                "Bad request - Action name not known: {other} (this server answers package_search, package_show, organization_list, group_list and status_show)"
            ),
        }),
    }
}
