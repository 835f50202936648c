//! The one mapping from errors to HTTP statuses.
//!
//! Client mistakes (bad syntax, unsupported media types) get their message back; internal
//! failures are logged in full and answered with a generic message so that nothing about
//! the server's insides leaks.

use crate::federation::FederationError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use civicgraph_graph::GraphError;
use oxigraph::sparql::QueryEvaluationError;

/// An error answered over HTTP.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed: missing or duplicate parameters, bad syntax.
    #[error("{0}")]
    BadRequest(String),
    /// The addressed resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// No acceptable representation exists for the Accept header.
    #[error("{0}")]
    NotAcceptable(String),
    /// The request body's media type is not one this endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request needs credentials and carried none (the answer names the schemes).
    #[error("{0}")]
    Unauthorized(String),
    /// The credentials are wrong, or the operation is switched off.
    #[error("{0}")]
    Forbidden(String),
    /// The request body is larger than `limits.max_body_bytes` (the limit in bytes).
    #[error("the request body is larger than the server's limit of {0} bytes")]
    BodyTooLarge(usize),
    /// Anonymous request bodies being read or held already fill the server's budget for
    /// them (`limits.max_buffered_body_bytes`, in bytes).
    #[error(
        "the server is busy: request bodies already fill its budget of {0} bytes for them; retry shortly"
    )]
    BodiesBusy(usize),
    /// The request body did not arrive in full within the time given (in seconds).
    #[error("the request body did not arrive in full within {0} s")]
    BodyTimeout(u64),
    /// The query ran past its time limit.
    #[error("the query did not finish within {0} s and was cancelled")]
    Timeout(u64),
    /// The request's work was stopped before it finished, for the reason given.
    #[error("{0}")]
    Stopped(Stop),
    /// The graph failed.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A background task failed.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BodyTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::Timeout(_) | ApiError::Stopped(_) | ApiError::BodiesBusy(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Graph(
                GraphError::QuerySyntax(_)
                | GraphError::SearchSyntax { .. }
                | GraphError::Refused(_)
                | GraphError::UsingTwice
                | GraphError::TooDeep { .. }
                | GraphError::TooLong { .. }
                | GraphError::InvalidIri { .. }
                | GraphError::Syntax { .. }
                | GraphError::NotOneGraph { .. }
                | GraphError::UpdateEvaluation(
                    oxigraph::sparql::UpdateEvaluationError::GraphAlreadyExists(_)
                    | oxigraph::sparql::UpdateEvaluationError::GraphDoesNotExist(_),
                ),
            ) => StatusCode::BAD_REQUEST,
            ApiError::Graph(GraphError::QueryEvaluation(error)) if is_client_error(error) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Graph(GraphError::QueryEvaluation(QueryEvaluationError::Service(inner)))
                if matches!(
                    inner.downcast_ref::<FederationError>(),
                    Some(FederationError::Remote { .. })
                ) =>
            {
                StatusCode::BAD_GATEWAY
            }
            ApiError::Graph(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Why a request's work was stopped before it finished (see [`crate::work`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stop {
    /// It ran past the query timeout.
    Timeout = 1,
    /// It ran long while the long-query lane was full.
    LongLaneBusy = 2,
    /// Evaluation passed the server's memory budget.
    Memory = 3,
    /// The client closed the connection.
    ClientGone = 4,
    /// The server is shutting down.
    ShuttingDown = 5,
}

impl Stop {
    pub(crate) fn from_u8(value: u8) -> Option<Self> {
        Some(match value {
            1 => Self::Timeout,
            2 => Self::LongLaneBusy,
            3 => Self::Memory,
            4 => Self::ClientGone,
            5 => Self::ShuttingDown,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Timeout => "the request did not finish within the time limit and was cancelled",
            Self::LongLaneBusy => {
                "the query ran long while the server's slots for long queries were all taken, so it was stopped; retry later"
            }
            Self::Memory => "the query needed more memory than the server allows for queries, so it was stopped",
            Self::ClientGone => "the client closed the connection",
            Self::ShuttingDown => "the server is shutting down",
        })
    }
}

/// Evaluation errors that are the query's fault: a malformed search block, a `SERVICE`
/// the server does not offer, or a function it does not define.
fn is_client_error(error: &QueryEvaluationError) -> bool {
    match error {
        QueryEvaluationError::Service(inner) => {
            matches!(
                inner.downcast_ref::<GraphError>(),
                Some(
                    GraphError::SearchSyntax { .. }
                        | GraphError::TooDeep { .. }
                        | GraphError::TooLong { .. }
                        | GraphError::Refused(_)
                )
            ) || matches!(
                inner.downcast_ref::<FederationError>(),
                Some(FederationError::NotAllowed(_))
            )
        }
        QueryEvaluationError::UnboundService
        | QueryEvaluationError::InvalidServiceName(_)
        | QueryEvaluationError::UnsupportedService(_)
        // A function or aggregate the query names that SPARQL and this server do not define.
        | QueryEvaluationError::UnsupportedCustomFunction(_)
        | QueryEvaluationError::UnsupportedCustomFunctionArity { .. } => true,
        _ => false,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "request failed");
            "internal server error; the server log has the details".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"civicgraph\", Bearer realm=\"civicgraph\""),
            );
        }
        response
    }
}
