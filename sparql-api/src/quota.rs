//! Per-client quotas: a token bucket per client (the writer when it sends the write token,
//! else its address), through the `governor` crate. A client past its bucket gets 429 with
//! `Retry-After` at once, before any work, so one client cannot take every query slot from
//! the others. Off unless `[limits] client_requests_per_second` is set.
//!
//! The address is the connection's peer; behind a reverse proxy every request comes from
//! the proxy, so `trust_forwarded_for = true` takes the first address of `X-Forwarded-For`
//! instead (only behind a proxy that sets it: a client could write anything there).

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

/// How often (in checked requests) buckets that are full again are forgotten, so the table
/// does not grow with every address ever seen.
const PRUNE_EVERY: u64 = 4096;

/// The buckets, one per client.
#[derive(Debug)]
pub struct Quotas {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    trust_forwarded_for: bool,
    checked: AtomicU64,
}

impl Quotas {
    /// `per_second` requests a second per client, in bursts of up to `burst`; none if 0.
    pub fn new(per_second: u32, burst: u32, trust_forwarded_for: bool) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| {
            let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
            governor::RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self {
            limiter,
            trust_forwarded_for,
            checked: AtomicU64::new(0),
        }
    }

    /// Who sent `request`: `writer` when it carries the server's write token, else `addr:`
    /// and its address (an IPv6 one's /64, [`crate::connections::client_of`]), else `unknown` (no connection information: requests made
    /// in-process). Only a token the server checks names a client: keyed on any token
    /// offered, an anonymous client sending a new made-up token with each request had a
    /// fresh bucket each time, and no quota at all.
    fn client(&self, request: &Request, write_token: Option<&str>) -> String {
        let headers = request.headers();
        if crate::auth::require_write(headers, write_token).is_ok() {
            return "writer".to_owned();
        }
        if self.trust_forwarded_for
            && let Some(first) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
        {
            return format!("addr:{}", crate::connections::client_of(first));
        }
        request.extensions().get::<ConnectInfo<SocketAddr>>().map_or_else(
            || "unknown".to_owned(),
            |info| format!("addr:{}", crate::connections::client_of(info.0.ip())),
        )
    }
}

/// Answers 429 to a client past its quota; passes everyone else on.
pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let quotas = &state.quotas;
    let Some(limiter) = &quotas.limiter else {
        return next.run(request).await;
    };
    if quotas.checked.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
        limiter.retain_recent();
    }
    let client = quotas.client(&request, state.write_token.as_deref());
    match limiter.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests from this client; retry in {seconds} s"),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}
