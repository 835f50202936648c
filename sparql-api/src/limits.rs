//! Protection for a public endpoint: CORS for browser clients, and admission: how many
//! requests the whole server serves at once, and the answer given when it is saturated.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{Any, CorsLayer};

/// Browser SPARQL clients (YASGUI, Comunica) run on other origins: reads and writes are
/// allowed from any origin, since writes still need the token, which browsers only send
/// when the page's script adds it.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([header::ACCEPT, header::CONTENT_TYPE, header::AUTHORIZATION])
        .expose_headers([header::CONTENT_TYPE, header::RETRY_AFTER])
}

/// Admits a request if one of the server's `max_concurrent_requests` slots is free, else
/// answers 503 with Retry-After at once. One count for the whole server: a limit per route
/// would let a client fill every route's quota in turn.
///
/// The body is read first, outside the slots, within `limits.max_body_bytes` and the query
/// timeout (ten minutes with the write token; every handler reads its body whole anyway): a client that announces a body
/// and sends it a byte at a time, or never, holds its connection, not a slot. Seventy such
/// connections once took every slot, and every query was answered 503 for as long as
/// they stayed open.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request = match buffered(&state, request).await {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    let Ok(_permit) = state.requests.clone().try_acquire_owned() else {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy: every request slot is taken; retry shortly",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(request).await
}

/// How long a body sent with the write token may take to arrive: 16 MiB (the default body
/// limit) at about 0.2 Mbit/s.
const WRITER_BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(600);

/// `request` with its body read in full, or why it could not be.
async fn buffered(state: &AppState, request: Request) -> Result<Request, ApiError> {
    let limit = state.config.limits.max_body_bytes;
    let (parts, body) = request.into_parts();
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return Err(ApiError::BodyTooLarge(limit));
    }
    // A holder of the write token uploads data (up to the body limit, on links of any
    // speed): its body gets longer, as it is trusted to write anyway.
    let deadline = if crate::auth::require_write(&parts.headers, state.write_token.as_deref()).is_ok() {
        WRITER_BODY_DEADLINE.max(state.work.timeout())
    } else {
        state.work.timeout()
    };
    let read = http_body_util::BodyExt::collect(http_body_util::Limited::new(body, limit));
    let bytes = match tokio::time::timeout(deadline, read).await {
        Err(_) => return Err(ApiError::BodyTimeout(deadline.as_secs())),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            return Err(ApiError::BodyTooLarge(limit));
        }
        Ok(Err(error)) => {
            return Err(ApiError::BadRequest(format!(
                "the request body could not be read: {error}"
            )));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
