//! Source configurations as tests write them: every field but the few a test cares about
//! left at its default.

use civicgraph_ingest::config::{HarvestSettings, SourceConfig, SourceKind};
use civicgraph_ingest::harvest::Progress;
use std::path::Path;

/// A source of `kind` read from the file at `path`.
pub fn file_source(id: &str, kind: SourceKind, path: &Path) -> SourceConfig {
    SourceConfig {
        path: Some(path.to_owned()),
        ..source(id, kind)
    }
}

/// A source of `kind` fetched from `url`.
pub fn url_source(id: &str, kind: SourceKind, url: &str) -> SourceConfig {
    SourceConfig {
        url: Some(url.to_owned()),
        ..source(id, kind)
    }
}

fn source(id: &str, kind: SourceKind) -> SourceConfig {
    SourceConfig {
        id: id.to_owned(),
        kind,
        url: None,
        path: None,
        title: None,
        region: None,
        schedule: None,
        strict: false,
        format: None,
        base: None,
        allow_hosts: Vec::new(),
        profile: None,
    }
}

/// Harvest settings for a local test server: no politeness delay, no retries.
pub fn quick_settings() -> HarvestSettings {
    HarvestSettings {
        delay_ms: 0,
        retries: 0,
        ..HarvestSettings::default()
    }
}

/// Progress that goes nowhere.
pub fn quiet() -> Progress {
    std::sync::Arc::new(|_: &str| {})
}

/// Harvests `source` into `graph` with no progress output, and checks the run succeeded
/// (else its message is shown).
pub async fn harvest_ok(
    graph: &std::sync::Arc<civicgraph_graph::Graph>,
    source: SourceConfig,
    settings: HarvestSettings,
) -> civicgraph_ingest::harvest::HarvestOutcome {
    let outcome = civicgraph_ingest::harvest(graph.clone(), source, settings, quiet())
        .await
        .expect("the source's configuration is valid");
    assert_eq!(
        outcome.status,
        civicgraph_ingest::provenance::RunStatus::Succeeded,
        "{:?}",
        outcome.message
    );
    outcome
}
