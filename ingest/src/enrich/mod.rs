//! Enrichment: pattern tagging ([`tag`]) and cross-catalogue linking ([`link`]), and what
//! runs after harvests (and by `civicgraph tag` / `link` on demand): re-linking the whole
//! graph and re-tagging it, or only what the harvested sources can have changed
//! ([`Scope`]). Both write only what changed.

mod first;
pub mod harvested;
pub mod link;
pub mod mapped_document;
pub mod tag;

use crate::enrich::link::kept::KeptRows;
use crate::enrich::link::{LinkSettings, LinkSummary, link_scope};
use crate::enrich::tag::{TagSettings, TagSummary, tag_scope};
use crate::error::Result;
use civicgraph_graph::Graph;
use oxigraph::model::NamedNode;

/// What a refresh reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    /// Everything; tags of records gone from every source are swept.
    #[default]
    All,
    /// What a harvest of some sources can have changed, when nothing else was written.
    /// Linking re-reads the datasets of `graphs` and of `records` and keeps the signature
    /// rows of the others from the last refresh; tagging reads:
    /// - the records of `graphs` (the sources rewritten) and those they state patterns for;
    /// - `records` (those the sources dropped: re-tagged if another source holds them, else
    ///   their tags removed);
    /// - every dataset whose tags a case study can give: the datasets case studies use, the
    ///   members of those datasets' clusters, and the datasets holding a pattern taken from
    ///   a case study (the case study may be gone).
    ///
    /// A record's tags depend on its own statements and, for a dataset, on the case studies
    /// that use it or a copy of it, so nothing outside this set can change.
    Sources {
        /// The source graphs written.
        graphs: Vec<NamedNode>,
        /// Records the sources no longer hold.
        records: Vec<NamedNode>,
    },
}

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
    /// Records a first refresh took as their harvest read them, not from the store
    /// ([`harvested`]).
    pub from_harvests: usize,
    /// Whether a first refresh found its records in what the harvests rolled
    /// ([`harvested::Roll`]) rather than scanning the store for them.
    pub rolled: bool,
    /// Milliseconds compacting the store, when the refresh compacted it: a store whose
    /// merging was held ([`Graph::hold_merges`]) is compacted once its bulk loads end,
    /// before the refresh reads from it.
    pub compact_ms: Option<u64>,
}

/// Links, then tags, every record of `graph`. Linking comes first because tagging reads its
/// clusters: a dataset takes the patterns of the case studies that used any member of its
/// `cg:cluster`, and a cluster found in this refresh must count in this refresh. A graph
/// holding no tags and no links yet is refreshed by [`first`], which reads each record
/// once for all three (and rebuilds the index as it goes).
///
/// Tagging reads the records of `scope`; linking reads the datasets of `scope` and takes
/// the others' rows from `kept` when it holds the last refresh's (every dataset else), and
/// leaves this refresh's rows there.
pub fn after_harvest(
    graph: &Graph,
    tagging: &TagSettings,
    linking: &LinkSettings,
    scope: &Scope,
    mut kept: Option<&mut KeptRows>,
    harvested: Option<&harvested::Usable>,
) -> Result<Refreshed> {
    if *scope == Scope::All
        && let Some(refreshed) =
            first::first_refresh(graph, tagging, linking, kept.as_deref_mut(), harvested)?
    {
        return Ok(refreshed);
    }
    let compact_ms = graph.compact_if_held()?;
    let started = std::time::Instant::now();
    let links = link_scope(graph, linking, scope, kept)?;
    let link_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        datasets = links.datasets,
        read = links.read,
        link_ms,
        links = links.links,
        clusters = links.clusters,
        "re-linked after harvest"
    );
    let started = std::time::Instant::now();
    let tags = tag_scope(graph, tagging, scope, &mut |_| {})?;
    let tag_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        records = tags.records,
        tag_ms,
        added = tags.added,
        removed = tags.removed,
        "re-tagged after harvest"
    );
    Ok(Refreshed {
        tags,
        links,
        tag_ms,
        link_ms,
        from_harvests: 0,
        rolled: false,
        compact_ms,
    })
}
