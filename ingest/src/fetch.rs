//! Reading a source's documents from the web or from disk, within limits.
//!
//! Every HTTP request has a timeout, a User-Agent, and retries with exponential backoff
//! for connection errors, `429` and `5xx` (honouring `Retry-After` up to a minute). Requests
//! to one source are spaced by the politeness delay. A body is read in chunks and refused
//! as soon as it passes the size limit, after gzip decompression, so neither a huge nor an
//! endless response nor a gzip bomb can exhaust memory. Files are held to the same limit.
//!
//! With a [`PageCache`], a page fetched before is asked for conditionally (`If-None-Match`,
//! `If-Modified-Since`) and a `304 Not Modified` is answered from the cache. What a source
//! cost is counted ([`Transfer`]) and recorded with its run.

use crate::config::HarvestSettings;
use crate::error::{IngestError, Result};
use crate::outbound::{Outbound, redact};
use crate::page_cache::{CachedPage, PageCache};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest a harvest waits before retrying, whatever a server's `Retry-After` asks.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How long to wait before retry number `attempt + 1`: what the server's `Retry-After` asked,
/// else 1 s doubling with each attempt (1, 2, 4, … 64 s); never more than [`MAX_BACKOFF`].
/// A pure function, so the schedule is tested without waiting for it.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    retry_after
        .unwrap_or_else(|| Duration::from_secs(1 << attempt.min(6)))
        .min(MAX_BACKOFF)
}

/// One fetched document.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body.
    pub bytes: Vec<u8>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The URL after redirects.
    pub url: String,
    /// The target of a `Link: <...>; rel="next"` header, if any.
    pub next: Option<String>,
    /// Whether the server answered `304 Not Modified` and the body came from the cache.
    pub not_modified: bool,
}

/// What reading one source cost: requests sent, body bytes received, and how many were
/// answered `304 Not Modified`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Transfer {
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Bytes of response bodies received (after decompression).
    pub bytes: u64,
    /// Requests answered `304 Not Modified`.
    pub not_modified: u64,
}

/// An HTTP client for one source.
#[derive(Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    outbound: Outbound,
    settings: HarvestSettings,
    last_request: tokio::sync::Mutex<Option<Instant>>,
    cache: Option<PageCache>,
    requests: AtomicU64,
    bytes: AtomicU64,
    not_modified: AtomicU64,
}

impl Fetcher {
    /// A client with the settings' timeout and User-Agent that sends requests only where
    /// `outbound` allows (every URL, redirect and resolved address is checked).
    pub fn new(settings: &HarvestSettings, outbound: Outbound) -> Result<Self> {
        let client = outbound
            .apply(reqwest::Client::builder())
            .user_agent(settings.user_agent.clone())
            .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(settings.timeout_secs.clamp(1, 30)))
            .build()
            .map_err(|e| IngestError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            outbound,
            settings: settings.clone(),
            last_request: tokio::sync::Mutex::new(None),
            cache: None,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        })
    }

    /// Asks for pages kept in `cache` conditionally, and keeps the pages fetched there.
    pub fn with_cache(mut self, cache: PageCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// What the requests so far cost.
    pub fn transfer(&self) -> Transfer {
        Transfer {
            requests: self.requests.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
        }
    }

    /// The run read its source whole: the cache keeps only the pages it read.
    pub fn finish_run(&self) -> Result<()> {
        self.cache.as_ref().map_or(Ok(()), PageCache::keep_only_used)
    }

    /// Whether the source's configuration names `url`'s host ([`Outbound::names`]).
    pub fn names_host(&self, url: &str) -> bool {
        self.outbound.names(url)
    }

    /// GETs `url` with `accept`, retrying as configured; a URL the outbound policy refuses
    /// is an error, never a request.
    pub async fn get(&self, url: &str, accept: &str) -> Result<Fetched> {
        self.outbound.check(url).map_err(|message| IngestError::Http {
            url: redact(url),
            message: format!("not fetched: {message}"),
        })?;
        let mut attempt = 0;
        loop {
            self.pause().await;
            let outcome = self.try_get(url, accept).await;
            match outcome {
                Ok(fetched) => return Ok(fetched),
                Err((error, retry_after, retryable)) => {
                    if !retryable || attempt >= self.settings.retries {
                        return Err(error);
                    }
                    let backoff = backoff(attempt, retry_after);
                    tracing::warn!(
                        url,
                        attempt = attempt + 1,
                        backoff_ms = backoff.as_millis() as u64,
                        "{error}; retrying"
                    );
                    tokio::time::sleep(backoff).await;
                    attempt += 1;
                }
            }
        }
    }

    /// Waits until the politeness delay since the last request has passed.
    async fn pause(&self) {
        let mut last = self.last_request.lock().await;
        if let Some(at) = *last {
            let delay = Duration::from_millis(self.settings.delay_ms);
            let since = at.elapsed();
            if since < delay {
                tokio::time::sleep(delay - since).await;
            }
        }
        *last = Some(Instant::now());
    }

    async fn try_get(
        &self,
        url: &str,
        accept: &str,
    ) -> std::result::Result<Fetched, (IngestError, Option<Duration>, bool)> {
        let http = |message: String| IngestError::Http {
            url: redact(url),
            message,
        };
        let cached = self.cache.as_ref().and_then(|cache| cache.validators(url));
        let mut request = self.client.get(url).header(reqwest::header::ACCEPT, accept);
        if let Some(cached) = &cached {
            if let Some(etag) = &cached.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &cached.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, date);
            }
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut response = request
            .send()
            .await
            .map_err(|e| (http(describe(&e)), None, !e.is_builder() && !e.is_redirect()))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED
            && let (Some(cache), Some(page)) = (&self.cache, cached)
        {
            self.not_modified.fetch_add(1, Ordering::Relaxed);
            return match cache.body(url) {
                Some(bytes) => Ok(Fetched {
                    bytes,
                    content_type: page.content_type,
                    url: page.url,
                    next: page.next,
                    not_modified: true,
                }),
                // Gone since the request was sent: ask again, unconditionally.
                None => {
                    cache.forget(url);
                    Err((
                        http("304 Not Modified, but the kept page is gone".into()),
                        Some(Duration::ZERO),
                        true,
                    ))
                }
            };
        }
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let retryable = status.as_u16() == 429 || status.is_server_error();
            return Err((http(format!("HTTP {status}")), retry_after, retryable));
        }
        let limit = self.settings.max_response_bytes;
        let too_large = || {
            let error = IngestError::TooLarge {
                document: redact(url),
                limit,
            };
            (error, None, false)
        };
        if response.content_length().is_some_and(|l| l > limit) {
            return Err(too_large());
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let next = header(reqwest::header::LINK).and_then(|l| next_link(&l));
        let final_url = redact(response.url().as_str());
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() as u64 + chunk.len() as u64 > limit {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                    self.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                Ok(None) => break,
                Err(e) => return Err((http(format!("reading the body: {}", describe(&e))), None, true)),
            }
        }
        let next = next.and_then(|n| {
            reqwest::Url::parse(&final_url)
                .ok()?
                .join(&n)
                .ok()
                .map(|u| u.to_string())
        });
        if let Some(cache) = &self.cache {
            let page = CachedPage {
                etag,
                last_modified,
                content_type: content_type.clone(),
                url: final_url.clone(),
                next: next.clone(),
            };
            // A page that cannot be kept is downloaded again next time; this run has it.
            if let Err(error) = cache.store(url, page, &bytes) {
                tracing::warn!("{error}");
            }
        }
        Ok(Fetched {
            bytes,
            content_type,
            url: final_url,
            next,
            not_modified: false,
        })
    }
}

/// The error and its causes, which reqwest keeps apart.
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().to_ascii_lowercase().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_owned())
    })
}

/// Reads a file, refusing one larger than `limit` bytes.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let document = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| IngestError::Io {
        document: document.clone(),
        source,
    })?;
    // Sized once: `take` hides the file's length, and a national catalogue read into a vector
    // that doubled as it went was copied, and its fresh pages zeroed, a dozen times over.
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(length.min(limit).saturating_add(1) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| IngestError::Io {
            document: document.clone(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(IngestError::TooLarge { document, limit });
    }
    Ok(bytes)
}

/// The base IRI for relative IRIs in a file's RDF: the file's own `file://` URL, as Jena's
/// `riot` gives it. Without a base, one relative `rdf:about` (common in exports, such as
/// DCAT-AP_IT's `rdf:about="c_c773"`) would make the whole file unreadable; with it, every
/// triple is kept and the IRIs say where they were resolved. A source that knows where the
/// file was published gives that instead (`base` in its config, `--base` on the CLI).
pub fn file_base_iri(path: &Path) -> Result<String> {
    let absolute = std::fs::canonicalize(path).map_err(|source| IngestError::Io {
        document: path.display().to_string(),
        source,
    })?;
    reqwest::Url::from_file_path(&absolute)
        .map(String::from)
        .map_err(|()| IngestError::Config(format!("{}: no file URL for this path", absolute.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_and_honour_retry_after_up_to_a_minute() {
        let waits: Vec<u64> = (0..8).map(|attempt| backoff(attempt, None).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(0, Some(Duration::from_secs(5))), Duration::from_secs(5));
        assert_eq!(backoff(3, Some(Duration::ZERO)), Duration::ZERO);
        assert_eq!(backoff(0, Some(Duration::from_secs(3600))), MAX_BACKOFF);
    }

    #[test]
    fn a_file_base_is_its_absolute_percent_encoded_url() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalogo comune.rdf");
        std::fs::write(&file, "").unwrap();
        let base = file_base_iri(&file).unwrap();
        assert!(base.starts_with("file:///"), "{base}");
        assert!(base.ends_with("/catalogo%20comune.rdf"), "{base}");
        oxiri::Iri::parse(base).unwrap();
        assert!(matches!(
            file_base_iri(&dir.path().join("missing.rdf")),
            Err(IngestError::Io { .. })
        ));
    }

    #[test]
    fn next_links_are_found_in_link_headers() {
        assert_eq!(
            next_link("<https://x.org/c?page=1>; rel=\"prev\", <https://x.org/c?page=3>; rel=\"next\"")
                .as_deref(),
            Some("https://x.org/c?page=3")
        );
        assert_eq!(next_link("<p2>; rel=next").as_deref(), Some("p2"));
        assert_eq!(next_link("<p2>; rel=\"last\""), None);
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.ttl");
        std::fs::write(&path, vec![b'#'; 2048]).unwrap();
        assert!(matches!(
            read_file(&path, 1024),
            Err(IngestError::TooLarge { .. })
        ));
        assert_eq!(read_file(&path, 4096).unwrap().len(), 2048);
    }
}
