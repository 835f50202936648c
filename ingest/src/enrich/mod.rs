//! Enrichment: pattern tagging ([`tag`]) and cross-catalogue linking ([`link`]), and what
//! runs after harvests (and by `civicgraph tag` / `link` on demand): re-linking the whole
//! graph and re-tagging it, or only what the harvested sources can have changed
//! ([`tag::TagScope`]). Both write only what changed.

pub mod link;
pub mod mapped_document;
pub mod tag;

use crate::enrich::link::{LinkSettings, LinkSummary, link_graph};
use crate::enrich::tag::{TagScope, TagSettings, TagSummary, tag_scope};
use crate::error::Result;
use civicgraph_graph::Graph;

/// What [`after_harvest`] did, and how long each step took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refreshed {
    /// The tagging.
    pub tags: TagSummary,
    /// The linking.
    pub links: LinkSummary,
    /// Milliseconds tagging (reading the records, scoring, writing the changed tags).
    pub tag_ms: u64,
    /// Milliseconds linking (reading the datasets, matching, writing the changed links).
    pub link_ms: u64,
}

/// Links, then tags, every record of `graph`. Linking comes first because tagging reads its
/// clusters: a dataset takes the patterns of the case studies that used any member of its
/// `cg:cluster`, and a cluster found in this refresh must count in this refresh.
///
/// Tagging reads the records of `scope` (linking reads every dataset).
pub fn after_harvest(
    graph: &Graph,
    tagging: &TagSettings,
    linking: &LinkSettings,
    scope: &TagScope,
) -> Result<Refreshed> {
    let started = std::time::Instant::now();
    let links = link_graph(graph, linking)?;
    let link_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        datasets = links.datasets,
        links = links.links,
        clusters = links.clusters,
        "re-linked after harvest"
    );
    let started = std::time::Instant::now();
    let tags = tag_scope(graph, tagging, scope, &mut |_| {})?;
    let tag_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        records = tags.records,
        added = tags.added,
        removed = tags.removed,
        "re-tagged after harvest"
    );
    Ok(Refreshed {
        tags,
        links,
        tag_ms,
        link_ms,
    })
}
