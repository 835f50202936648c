//! Write access: the token check shared by every route that writes.
//!
//! The token is accepted as `Authorization: Bearer TOKEN` and as the password of HTTP Basic
//! under any user name, because SPARQLWrapper and rdflib speak Basic. It is compared in
//! constant time and never logged.
//!
//! Basic credentials are what a browser remembers and adds by itself, also to a form that
//! another site posts to this server. So a write whose credentials are Basic and whose
//! `Origin` is another site is refused: a page's script that really means to write sends
//! the token as a Bearer header, which no browser adds on its own.

use crate::error::ApiError;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq;

/// Checks that a request may write: 403 when writes are off (no token configured), 401
/// when it carries no credentials, 403 when they are wrong.
pub fn require_write(headers: &HeaderMap, token: Option<&str>) -> Result<(), ApiError> {
    let Some(token) = token else {
        return Err(ApiError::Forbidden(
            "writes are disabled: the server has no write token configured".into(),
        ));
    };
    let Some((offered, basic)) = offered_secret(headers) else {
        return Err(ApiError::Unauthorized(
            "this operation needs the write token".into(),
        ));
    };
    if basic && cross_site(headers) {
        return Err(ApiError::Forbidden(
            "a write from another site's page with browser-kept Basic credentials is refused; send the token as Authorization: Bearer".into(),
        ));
    }
    if bool::from(offered.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the write token is not valid".into()))
    }
}

/// Whether the request comes from a page of another origin than this server's: its
/// `Origin` names a host other than the `Host` it was sent to.
fn cross_site(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin == "null" || !origin_host.eq_ignore_ascii_case(host)
}

/// The secret a request offers, and whether it came as Basic: a Bearer token, or a Basic
/// password.
fn offered_secret(headers: &HeaderMap) -> Option<(String, bool)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credentials) = value.split_once(' ')?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        Some((credentials.to_owned(), false))
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(credentials).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        decoded
            .split_once(':')
            .map(|(_, password)| (password.to_owned(), true))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_and_basic_with_any_user_are_accepted() {
        assert!(require_write(&with("Bearer s3cret"), Some("s3cret")).is_ok());
        let basic = format!("Basic {}", STANDARD.encode("anyone:s3cret"));
        assert!(require_write(&with(&basic), Some("s3cret")).is_ok());
    }

    #[test]
    fn basic_credentials_from_another_site_are_refused() {
        let basic = format!("Basic {}", STANDARD.encode("anyone:s3cret"));
        let mut headers = with(&basic);
        headers.insert(header::HOST, HeaderValue::from_static("hub.example:7878"));
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        let error = require_write(&headers, Some("s3cret")).unwrap_err();
        assert_eq!(error.status().as_u16(), 403);
        assert!(error.to_string().contains("Bearer"), "{error}");
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://hub.example:7878"),
        );
        assert!(
            require_write(&headers, Some("s3cret")).is_ok(),
            "the server's own page"
        );
        let mut bearer = with("Bearer s3cret");
        bearer.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(
            require_write(&bearer, Some("s3cret")).is_ok(),
            "a script that sends the token itself"
        );
    }

    #[test]
    fn missing_wrong_and_disabled_are_told_apart() {
        let status = |r: Result<(), ApiError>| r.unwrap_err().status().as_u16();
        assert_eq!(status(require_write(&HeaderMap::new(), Some("s3cret"))), 401);
        assert_eq!(status(require_write(&with("Bearer nope"), Some("s3cret"))), 403);
        assert_eq!(status(require_write(&with("Bearer s3cret"), None)), 403);
        let basic = format!("Basic {}", STANDARD.encode("s3cret:wrong"));
        assert_eq!(status(require_write(&with(&basic), Some("s3cret"))), 403);
    }
}
