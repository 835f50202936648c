//! What a data directory's last refresh saw, kept beside the store in `refreshed.json`: the
//! store's write sequence once it was done, and a fingerprint of the model and settings that
//! made its tags and links.
//!
//! Within one process a pipeline knows whether anything was written since its last refresh
//! ([`civicgraph_graph::Graph::source_writes`]). A `civicgraph harvest` started by cron is a
//! new process each night: without this file its first (and only) run re-linked and re-tagged
//! a national catalogue every time, a quarter of an hour at a million records. With it, a
//! pipeline that finds the store exactly as the last refresh left it (the same write
//! sequence, the same model and settings) starts as if it had made that refresh itself: a run
//! whose sources came back the same refreshes nothing, and one that changed some refreshes
//! what they can have changed. Any other write (`civicgraph tag`, `restore`, a SPARQL update
//! by a server, a run killed half-way) moves the sequence, and the next run refreshes
//! everything, as before.

use crate::enrich::link::LinkSettings;
use crate::enrich::tag::TagSettings;
use crate::error::Result;
use civicgraph_graph::Graph;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The file, in the data directory.
const FILE: &str = "refreshed.json";

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct RefreshState {
    /// The store's write sequence when the refresh was done.
    sequence: u64,
    /// [`fingerprint`] of what made the tags and links.
    settings: String,
    /// Whether the linker's signature table in the data directory is this refresh's
    /// ([`crate::enrich::link::kept`]).
    link_rows: bool,
}

/// What tags and links depend on besides the store: the tagger's model and the tagging and
/// linking settings. `None` when the model cannot be read (tagging will say why).
pub(crate) fn fingerprint(tagging: &TagSettings, linking: &LinkSettings) -> Option<String> {
    let model = tagging.model_version().ok()?;
    let settings = serde_json::to_string(&(tagging, linking)).ok()?;
    let digest = Sha256::digest(format!("{model}\n{settings}").as_bytes());
    Some(crate::mint::hex(&digest))
}

fn path(graph: &Graph) -> Option<PathBuf> {
    graph.dir().map(|dir| dir.join(FILE))
}

/// How the last refresh left a store that nothing was written to since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastRefresh {
    /// Whether it kept the linker's signature table in the data directory.
    pub link_rows: bool,
}

/// How the last refresh made with `settings` left `graph`, when nothing was written since;
/// `None` for a missing, unreadable or other file, or a store written since.
pub(crate) fn unchanged_since_refresh(graph: &Graph, settings: &str) -> Option<LastRefresh> {
    let path = path(graph)?;
    let text = std::fs::read_to_string(&path).ok()?;
    let Ok(state) = serde_json::from_str::<RefreshState>(&text) else {
        tracing::warn!(path = %path.display(), "the last refresh's state is unreadable: every record will be refreshed");
        return None;
    };
    (state.settings == settings && graph.write_sequence().is_ok_and(|now| now == state.sequence)).then_some(
        LastRefresh {
            link_rows: state.link_rows,
        },
    )
}

/// Notes that `graph`, as it is now, is refreshed with `settings`, and whether the linker's
/// table in its data directory is this refresh's. Written whole or not at all (a temporary
/// file renamed over the last).
pub(crate) fn note_refreshed(graph: &Graph, settings: &str, link_rows: bool) -> Result<()> {
    let Some(path) = path(graph) else {
        return Ok(());
    };
    let state = RefreshState {
        sequence: graph.write_sequence()?,
        settings: settings.to_owned(),
        link_rows,
    };
    let text = serde_json::to_string(&state).expect("plain data");
    crate::page_cache::write_atomically(&path, text.as_bytes())
}
