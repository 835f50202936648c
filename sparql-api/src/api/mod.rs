//! The JSON API under `/api`: search with facets, records with their links, the patterns,
//! the sources and their harvests, and the OpenAPI document that describes them, generated
//! from these types (`/api/openapi.json`). Field names are part of the contract: they
//! change only with a new path.

pub mod labels;
pub mod openapi;
pub mod patterns;
pub mod records;
pub mod search;
pub mod sources;

use crate::AppState;
use crate::error::ApiError;
use crate::work::Running;
use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The `/api` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search::get))
        .route("/api/records/{id}", get(records::get))
        .route("/api/patterns", get(patterns::get))
        .route("/api/sources", get(sources::sources))
        .route("/api/harvests", get(sources::harvests))
        .route("/api/openapi.json", get(openapi::get))
}

/// An API error: the status of [`ApiError::status`], as JSON `{"error": …, "status": …}`.
#[derive(Debug)]
pub struct JsonError(pub ApiError);

/// The body of an error answer.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong, naming the parameter or record.
    pub error: String,
    /// The HTTP status.
    pub status: u16,
}

impl From<ApiError> for JsonError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<civicgraph_graph::GraphError> for JsonError {
    fn from(error: civicgraph_graph::GraphError) -> Self {
        Self(ApiError::Graph(error))
    }
}

impl From<civicgraph_ingest::IngestError> for JsonError {
    fn from(error: civicgraph_ingest::IngestError) -> Self {
        match error {
            civicgraph_ingest::IngestError::Graph(error) => Self(ApiError::Graph(error)),
            other => Self(ApiError::Internal(other.to_string())),
        }
    }
}

impl From<oxigraph::store::StorageError> for JsonError {
    fn from(error: oxigraph::store::StorageError) -> Self {
        Self(ApiError::Graph(error.into()))
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let error = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self.0, "API request failed");
            "internal server error; the server log has the details".to_owned()
        } else {
            self.0.to_string()
        };
        (
            status,
            Json(ErrorBody {
                error,
                status: status.as_u16(),
            }),
        )
            .into_response()
    }
}

/// Runs blocking store work off the async threads, in a query slot under the timeout
/// ([`crate::work`]). Work that loops over records checks [`Running::is_stopped`].
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Running) -> Result<T, JsonError> + Send + 'static,
) -> Result<T, JsonError> {
    blocking_keyed(state, None, work).await
}

/// [`blocking`] for a request that names itself (`key`, a hash of what makes it the same
/// request), so that it takes the fast lane when it was fast last time.
pub(crate) async fn blocking_keyed<T: Send + 'static>(
    state: &AppState,
    key: Option<u64>,
    work: impl FnOnce(&Running) -> Result<T, JsonError> + Send + 'static,
) -> Result<T, JsonError> {
    state
        .work
        .run_keyed(key, move |running| work(running).map_err(|e| e.0))
        .await
        .map_err(JsonError)
}

/// The solutions of a SELECT over the whole graph, each as variable name → term, stopped
/// with the request's job (`running`): an aggregate over a national catalogue runs for
/// seconds, and must end at the timeout and free its slot as a SPARQL query does.
pub(crate) fn rows(
    graph: &civicgraph_graph::Graph,
    running: &Running,
    query: &str,
) -> Result<Vec<std::collections::BTreeMap<String, oxigraph::model::Term>>, JsonError> {
    let options = civicgraph_graph::QueryOptions {
        cancellation: Some(running.token().clone()),
        ..civicgraph_graph::QueryOptions::default()
    };
    let oxigraph::sparql::QueryResults::Solutions(solutions) = graph.query(query, &options)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|e| JsonError(ApiError::Internal(e.to_string())))?;
        out.push(
            solution
                .iter()
                .map(|(v, t)| (v.as_str().to_owned(), t.clone()))
                .collect(),
        );
    }
    Ok(out)
}
