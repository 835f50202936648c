//! The documents of one source kept between harvests, with the validators their server
//! gave (`ETag`, `Last-Modified`), so the next harvest asks with `If-None-Match` and
//! `If-Modified-Since` and a server with nothing new answers `304 Not Modified`: the page
//! is then read from here instead of downloaded again.
//!
//! Held in the data directory, `harvest-cache/{source}/`: `pages.json` indexes the pages
//! by URL; each body is a file named by the SHA-256 of its URL. Only pages that came with
//! a validator are kept (no other can be asked for conditionally), and a run that succeeds
//! drops the pages it no longer read. A damaged or missing cache is only a slower harvest:
//! every failure to read it means downloading the page again.

use crate::error::{IngestError, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What is kept of one page besides its body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CachedPage {
    /// The `ETag` the server gave.
    pub etag: Option<String>,
    /// The `Last-Modified` the server gave.
    pub last_modified: Option<String>,
    /// The `Content-Type` it was served with.
    pub content_type: Option<String>,
    /// The URL after redirects.
    pub url: String,
    /// The `Link: rel="next"` target it was served with.
    pub next: Option<String>,
}

/// The pages of one source.
#[derive(Debug)]
pub struct PageCache {
    dir: PathBuf,
    pages: Mutex<BTreeMap<String, CachedPage>>,
    /// The URLs read in this run, kept by [`PageCache::keep_only_used`].
    used: Mutex<HashSet<String>>,
}

const INDEX: &str = "pages.json";

impl PageCache {
    /// The cache in `dir`, created when first written; an unreadable index is an empty
    /// cache (the pages are downloaded again).
    pub fn open(dir: &Path) -> Self {
        let pages = std::fs::read(dir.join(INDEX))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            dir: dir.to_owned(),
            pages: Mutex::new(pages),
            used: Mutex::new(HashSet::new()),
        }
    }

    /// The validators kept for `url`, if its body is still there.
    pub fn validators(&self, url: &str) -> Option<CachedPage> {
        let page = self
            .pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(url)
            .cloned()?;
        self.body_file(url).exists().then_some(page)
    }

    /// The body kept for `url`, if it can be read.
    pub fn body(&self, url: &str) -> Option<Vec<u8>> {
        let body = std::fs::read(self.body_file(url)).ok()?;
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(url.to_owned());
        Some(body)
    }

    /// Keeps `body` for `url` when the server gave a validator; otherwise forgets `url`.
    pub fn store(&self, url: &str, page: CachedPage, body: &[u8]) -> Result<()> {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(url.to_owned());
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if page.etag.is_none() && page.last_modified.is_none() {
            if pages.remove(url).is_some() {
                let _ = std::fs::remove_file(self.body_file(url));
                self.save(&pages)?;
            }
            return Ok(());
        }
        write_atomically(&self.body_file(url), body)?;
        pages.insert(url.to_owned(), page);
        self.save(&pages)
    }

    /// Forgets `url`, whose kept body could not be read.
    pub fn forget(&self, url: &str) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.remove(url).is_some() {
            let _ = std::fs::remove_file(self.body_file(url));
            let _ = self.save(&pages);
        }
    }

    /// Drops every page this run did not read: a run that succeeded read all the pages the
    /// source has now.
    pub fn keep_only_used(&self) -> Result<()> {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        let gone: Vec<String> = pages.keys().filter(|url| !used.contains(*url)).cloned().collect();
        if gone.is_empty() {
            return Ok(());
        }
        for url in &gone {
            pages.remove(url);
            let _ = std::fs::remove_file(self.body_file(url));
        }
        self.save(&pages)
    }

    fn body_file(&self, url: &str) -> PathBuf {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(name)
    }

    fn save(&self, pages: &BTreeMap<String, CachedPage>) -> Result<()> {
        let json = serde_json::to_vec_pretty(pages).map_err(|e| IngestError::Io {
            document: self.dir.join(INDEX).display().to_string(),
            source: std::io::Error::other(e),
        })?;
        write_atomically(&self.dir.join(INDEX), &json)
    }
}

/// Writes through a sibling file and a rename, so a kill never leaves half a file (a
/// page, the tagger's kept embeddings, the refresh state).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| IngestError::Io {
        document: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let temporary = path.with_extension("part");
    std::fs::write(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(etag: Option<&str>) -> CachedPage {
        CachedPage {
            etag: etag.map(str::to_owned),
            last_modified: None,
            content_type: Some("text/turtle".to_owned()),
            url: "https://x.org/catalog".to_owned(),
            next: None,
        }
    }

    #[test]
    fn a_page_with_a_validator_is_kept_across_runs_and_dropped_once_unused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = PageCache::open(dir.path());
        cache
            .store("https://x.org/catalog", page(Some("\"v1\"")), b"<a> <b> <c> .")
            .unwrap();
        cache
            .store("https://x.org/untagged", page(None), b"no validator")
            .unwrap();
        cache.keep_only_used().unwrap();

        let next_run = PageCache::open(dir.path());
        assert_eq!(
            next_run
                .validators("https://x.org/catalog")
                .and_then(|p| p.etag)
                .as_deref(),
            Some("\"v1\"")
        );
        assert_eq!(
            next_run.body("https://x.org/catalog").as_deref(),
            Some(&b"<a> <b> <c> ."[..])
        );
        assert!(
            next_run.validators("https://x.org/untagged").is_none(),
            "nothing to ask with"
        );
        next_run.keep_only_used().unwrap();

        let third_run = PageCache::open(dir.path());
        third_run.keep_only_used().unwrap();
        assert!(
            PageCache::open(dir.path())
                .validators("https://x.org/catalog")
                .is_none()
        );
    }

    #[test]
    fn a_damaged_index_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(INDEX), "{not json").unwrap();
        assert!(
            PageCache::open(dir.path())
                .validators("https://x.org/catalog")
                .is_none()
        );
    }
}
