//! Protection for a public endpoint: CORS for browser clients, and the answer given when
//! the server is saturated.

use axum::BoxError;
use axum::http::{HeaderValue, Method, StatusCode, header};
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

/// 503 with Retry-After when every request slot is taken.
pub async fn overloaded(error: BoxError) -> Response {
    if error.is::<tower::load_shed::error::Overloaded>() {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is busy: every request slot is taken; retry shortly",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    } else {
        tracing::error!(%error, "request failed in a middleware");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response()
    }
}
