//! Protection for a public endpoint: CORS for browser clients, and admission: how many
//! requests the whole server serves at once, and the answer given when it is saturated.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
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
/// they stayed open. What a body without the write token holds counts against
/// `limits.max_buffered_body_bytes` from its first byte until its answer is made.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (request, _held) = match buffered(&state, request).await {
        Ok(buffered) => buffered,
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

/// The body budget counts in KiB, so that a budget of gigabytes fits a semaphore's permits.
const BODY_PERMIT_BYTES: usize = 1024;

/// The permits of a budget of `bytes` (see [`AppState::bodies`]).
pub fn body_permits(bytes: usize) -> usize {
    bytes.div_ceil(BODY_PERMIT_BYTES).min(Semaphore::MAX_PERMITS)
}

/// `request` with its body read in full, and the budget its bytes hold (none for the
/// writer's), or why it could not be read.
async fn buffered(
    state: &AppState,
    request: Request,
) -> Result<(Request, Option<OwnedSemaphorePermit>), ApiError> {
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
    // speed): its body gets longer, as it is trusted to write anyway, and is not counted.
    let writer = crate::auth::require_write(&parts.headers, state.write_token.as_deref()).is_ok();
    let deadline = if writer {
        WRITER_BODY_DEADLINE.max(state.work.timeout())
    } else {
        state.work.timeout()
    };
    let budget = (!writer).then(|| state.bodies.clone());
    let read = read_body(body, limit, budget, state.config.limits.max_buffered_body_bytes);
    let (bytes, held) = match tokio::time::timeout(deadline, read).await {
        Err(_) => return Err(ApiError::BodyTimeout(deadline.as_secs())),
        Ok(result) => result?,
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), held))
}

/// Reads `body` whole, at most `limit` bytes, taking from `budget` (when given) a permit a
/// KiB as the bytes arrive: a body that would pass the budget is refused at once, and its
/// bytes dropped.
async fn read_body(
    body: Body,
    limit: usize,
    budget: Option<Arc<Semaphore>>,
    budget_bytes: usize,
) -> Result<(Vec<u8>, Option<OwnedSemaphorePermit>), ApiError> {
    let mut body = http_body_util::Limited::new(body, limit);
    let mut bytes = Vec::new();
    let mut held: Option<OwnedSemaphorePermit> = None;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) if error.is::<http_body_util::LengthLimitError>() => {
                return Err(ApiError::BodyTooLarge(limit));
            }
            Err(error) => {
                return Err(ApiError::BadRequest(format!(
                    "the request body could not be read: {error}"
                )));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        bytes.extend_from_slice(&data);
        if let Some(budget) = &budget {
            let wanted = body_permits(bytes.len()) - held.as_ref().map_or(0, |p| p.num_permits());
            if wanted > 0 {
                let Ok(more) = budget
                    .clone()
                    .try_acquire_many_owned(u32::try_from(wanted).unwrap_or(u32::MAX))
                else {
                    return Err(ApiError::BodiesBusy(budget_bytes));
                };
                match &mut held {
                    Some(permit) => permit.merge(more),
                    None => held = Some(more),
                }
            }
        }
    }
    Ok((bytes, held))
}
