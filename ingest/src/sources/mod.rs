//! The source kinds, one module each. Each owns its reading (a file, or its pages through
//! the harvest's [`Fetcher`], which keeps to the outbound policy, the size limits and the
//! politeness delay) and its mapping, a pure transform from the bytes of a document or
//! page to triples and a report. Storing is the harvest's ([`crate::harvest`]); the rules
//! common to all kinds are in [`crate::report::finish`].

pub mod case_studies;
pub mod ckan;
pub mod csw;
pub mod datajson;
pub mod dcat;
pub mod iso19139;

use crate::config::{HarvestSettings, SourceConfig};
use crate::error::{IngestError, Result};
use crate::fetch::{Fetcher, file_base_iri, read_file};
use std::path::Path;

/// A source's file: its bytes, its name for messages and reports, and the IRI its relative
/// IRIs resolve against (the source's `base`, else the file's own `file://` URL).
pub(crate) fn read_source_file(
    source: &SourceConfig,
    path: &Path,
    settings: &HarvestSettings,
) -> Result<(Vec<u8>, String, String)> {
    let bytes = read_file(path, settings.max_response_bytes)?;
    let base = match &source.base {
        Some(base) => base.clone(),
        None => file_base_iri(path)?,
    };
    Ok((bytes, path.display().to_string(), base))
}

/// One document from the source's `path` or `url`: what a `datajson` or `case-studies`
/// source reads.
pub(crate) async fn read_document(
    source: &SourceConfig,
    settings: &HarvestSettings,
    fetcher: &Fetcher,
    accept: &str,
) -> Result<(Vec<u8>, String)> {
    match (&source.path, &source.url) {
        (Some(path), _) => Ok((
            read_file(path, settings.max_response_bytes)?,
            path.display().to_string(),
        )),
        (None, Some(url)) => {
            let fetched = fetcher.get(url, accept).await?;
            Ok((fetched.bytes, fetched.url))
        }
        (None, None) => Err(IngestError::Config(format!(
            "source {}: give url or path",
            source.id
        ))),
    }
}
