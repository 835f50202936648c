//! What runs after harvests (and by `civicgraph tag` / `link` on demand): re-tagging and
//! re-linking the whole graph. Both write only what changed, so a harvest that changed
//! nothing costs a read of the graph and no write.

use crate::error::Result;
use crate::link::{LinkSettings, LinkSummary, link_graph};
use crate::tag::{TagSettings, TagSummary, tag_graph};
use civicgraph_graph::Graph;

/// Tags, then links, every record of `graph`.
pub fn after_harvest(
    graph: &Graph,
    tagging: &TagSettings,
    linking: &LinkSettings,
) -> Result<(TagSummary, LinkSummary)> {
    let tags = tag_graph(graph, tagging, &mut |_| {})?;
    tracing::info!(
        records = tags.records,
        added = tags.added,
        removed = tags.removed,
        "re-tagged after harvest"
    );
    let links = link_graph(graph, linking)?;
    tracing::info!(
        datasets = links.datasets,
        links = links.links,
        clusters = links.clusters,
        "re-linked after harvest"
    );
    Ok((tags, links))
}
