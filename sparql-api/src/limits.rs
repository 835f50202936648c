//! Protection for a public endpoint: CORS for browser clients, and admission: how many
//! requests the whole server serves at once, and the answer given when it is saturated.

use crate::AppState;
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
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
