//! The one way sources become the graph. `civicgraph harvest`, the server's scheduler,
//! `serve`'s first start on the demo data and the tests all run a [`Pipeline`]:
//!
//! 1. once per process, before its first run: runs a previous process left `running` are
//!    closed as interrupted ([`Pipeline::recover`]);
//! 2. each source is harvested (read, mapped, validated, compared with the stored version,
//!    the difference written in one write), at most `parallel` at once;
//! 3. if anything tagging and linking read was written since this pipeline's last refresh
//!    (a source that changed, a SPARQL update; on a pipeline's first run, unless the data
//!    directory's `refreshed.json` says the store is as the last refresh left it with the
//!    same model and settings: [`crate::refresh_state`]), every
//!    dataset is linked, then the records tagged (linking first: a dataset takes the
//!    patterns of the case studies that used a copy of it, and a copy found in this run
//!    must count in it). A scheduled run whose sources all came back the same reads
//!    nothing back: at a million records a refresh reads every one of them twice. When
//!    only this run's harvests wrote since the last refresh, only what they can have
//!    changed is tagged ([`Scope::Sources`]); else every record. A graph holding no tags
//!    and no links yet reads each record once for all three of tagging, linking and the
//!    index (`enrich::first`), and when the run began on a store holding no record, not
//!    even once: each harvest kept its records as it read them from its own triples
//!    (`enrich::harvested`);
//! 4. an index deferred by the caller ([`Graph::defer_index`]) catches up in one pass;
//! 5. after a full refresh or a bulk-loaded harvest, the store is compacted, which merges the
//!    files the bulk loader left.
//!
//! A source that fails keeps its previous version and does not stop the others: neither a
//! failed run (recorded, with its reason) nor an error that kept a harvest from recording
//! one (the store refusing a write), which the report lists apart.
//!
//! `civicgraph tag` and `link` run one step alone (`tag_graph`, `link_graph`).

use crate::config::{HarvestSettings, SourceConfig};
use crate::enrich::harvested::{HarvestedRecords, Usable};
use crate::enrich::link::LinkSettings;
use crate::enrich::link::kept::KeptRows;
use crate::enrich::tag::TagSettings;
use crate::enrich::{Refreshed, Scope, after_harvest};
use crate::error::Result;
use crate::harvest::{HarvestOutcome, Progress, blocking, harvest_keeping, recover_interrupted};
use crate::provenance::RunStatus;
use crate::refresh_state;
use civicgraph_graph::Graph;
use std::sync::Arc;

/// Makes the progress callback of one source's harvest, when it starts. The callback's last
/// message is [`FINISHED`].
pub type ProgressFor = Arc<dyn Fn(&SourceConfig) -> Progress + Send + Sync>;

/// Progress nobody watches: a scheduled run, a test.
pub fn silent() -> ProgressFor {
    Arc::new(|_: &SourceConfig| -> Progress { Arc::new(|_: &str| {}) })
}

/// The message a source's progress callback gets when its harvest has ended, however it
/// ended: a progress bar can go.
pub const FINISHED: &str = "finished";

/// What a pipeline run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PipelineReport {
    /// One outcome per source that recorded a run, in the order given.
    pub outcomes: Vec<HarvestOutcome>,
    /// Sources whose harvest could not record a run: `source: reason`.
    pub errors: Vec<String>,
    /// The linking and tagging, when a source succeeded.
    pub refreshed: Option<Refreshed>,
    /// Records indexed when a deferred index caught up.
    pub indexed: usize,
    /// Milliseconds catching the index up.
    pub index_ms: u64,
    /// Milliseconds compacting the store, when it was compacted.
    pub compact_ms: Option<u64>,
}

impl PipelineReport {
    /// The sources that failed.
    pub fn failed(&self) -> impl Iterator<Item = &HarvestOutcome> {
        self.outcomes.iter().filter(|o| o.status != RunStatus::Succeeded)
    }
}

/// A graph and the settings every step of a run reads.
#[derive(Clone)]
pub struct Pipeline {
    graph: Arc<Graph>,
    harvest: HarvestSettings,
    tagging: TagSettings,
    linking: LinkSettings,
    /// [`Graph::source_writes`] when this pipeline's last refresh started: if it has not
    /// moved since, a refresh would find what the last one found.
    refreshed_at: Arc<std::sync::Mutex<Option<u64>>>,
    /// The linker's signature table from the last refresh, when the pipeline keeps it
    /// ([`Pipeline::keep_link_rows`]): a refresh after some sources changed reads only
    /// their datasets.
    kept: Option<Arc<std::sync::Mutex<KeptRows>>>,
    /// What the tags and links depend on besides the store, for a graph kept on disk: noted
    /// beside the store after each refresh ([`crate::refresh_state`]).
    fingerprint: Option<Arc<str>>,
    /// Whether the last refresh (by another process) left a signature table this pipeline
    /// can start from.
    rows_left: bool,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("harvest", &self.harvest)
            .field("tagging", &self.tagging)
            .field("linking", &self.linking)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline into `graph`.
    pub fn new(
        graph: Arc<Graph>,
        harvest: HarvestSettings,
        tagging: TagSettings,
        linking: LinkSettings,
    ) -> Self {
        let fingerprint: Option<Arc<str>> = graph
            .dir()
            .and_then(|_| refresh_state::fingerprint(&tagging, &linking))
            .map(Arc::from);
        // A store left as the last refresh (by another process, with the same model and
        // settings) left it counts as refreshed by this pipeline: the next cron harvest
        // refreshes only what its sources changed.
        let last = fingerprint
            .as_deref()
            .and_then(|fingerprint| refresh_state::unchanged_since_refresh(&graph, fingerprint));
        let refreshed_at = last.map(|_| graph.source_writes());
        Self {
            graph,
            harvest,
            tagging,
            linking,
            refreshed_at: Arc::new(std::sync::Mutex::new(refreshed_at)),
            kept: None,
            fingerprint,
            rows_left: last.is_some_and(|last| last.link_rows),
        }
    }

    /// This pipeline, keeping the linker's signature table between its refreshes (in the
    /// data directory, about 700 bytes a dataset), and starting from the one the last
    /// refresh left when nothing was written since: for one that runs again, the server's
    /// scheduler, or the next `civicgraph harvest`.
    pub fn keep_link_rows(mut self) -> Self {
        self.kept = Some(Arc::new(std::sync::Mutex::new(KeptRows::in_dir(
            self.graph.dir(),
            self.rows_left,
        ))));
        self
    }

    /// The graph it writes.
    pub fn graph(&self) -> &Arc<Graph> {
        &self.graph
    }

    /// Closes the runs a process that died left `running`, as failed; returns how many.
    /// Once per process, before its first [`Pipeline::run`]: later, a run still `running`
    /// is this process's own.
    pub async fn recover(&self) -> Result<usize> {
        let graph = self.graph.clone();
        blocking(move || recover_interrupted(&graph)).await
    }

    /// Harvests `sources`, then links, tags, catches the index up and compacts if what
    /// linking and tagging read changed since this pipeline last did (always the first
    /// time); `progress` reports each source's harvest.
    pub async fn run(&self, sources: Vec<SourceConfig>, progress: ProgressFor) -> Result<PipelineReport> {
        // A store holding no record yet: each harvest keeps its records for the first
        // refresh, which then reads none back.
        let harvested = {
            let graph = self.graph.clone();
            blocking(move || HarvestedRecords::for_run(&graph))
                .await?
                .map(Arc::new)
        };
        // A first harvest bulk-loads every source and then compacts once: the store's own
        // merging is held until then (and given back however the run ends).
        let _held = if harvested.is_some() {
            Some(HeldMerges::hold(self.graph.clone())?)
        } else {
            None
        };
        let (outcomes, errors) = self.harvest_all(sources, progress, harvested.clone()).await;
        let this = self.clone();
        let scope = self.scope(&outcomes);
        blocking(move || {
            let usable = match harvested {
                Some(harvested) => {
                    let rewritten = outcomes.iter().filter(|o| o.rewritten).count();
                    harvested.usable(&this.graph, rewritten)?
                }
                None => None,
            };
            this.finish(outcomes, errors, scope, usable.as_ref())
        })
        .await
    }

    /// What the refresh after `outcomes` must tag, if anything.
    fn scope(&self, outcomes: &[HarvestOutcome]) -> Option<Scope> {
        let writes = self.graph.source_writes();
        let Some(last) = *self.refreshed_at.lock().unwrap_or_else(|e| e.into_inner()) else {
            return Some(Scope::All);
        };
        if writes == last {
            return None;
        }
        // Each rewritten source is one write; any other (an update) may have touched anything.
        let rewritten: Vec<&HarvestOutcome> = outcomes.iter().filter(|o| o.rewritten).collect();
        if writes - last != rewritten.len() as u64 {
            return Some(Scope::All);
        }
        let layout = self.graph.layout();
        let mut graphs = Vec::new();
        for outcome in rewritten {
            match layout.source_graph(&outcome.source) {
                Ok(graph) => graphs.push(graph),
                Err(_) => return Some(Scope::All),
            }
        }
        Some(Scope::Sources {
            graphs,
            records: outcomes
                .iter()
                .flat_map(|o| o.deleted_records.iter().cloned())
                .collect(),
        })
    }

    /// Steps 3 to 5 after a change made outside a harvest (`serve` loading the demo data):
    /// link, tag, catch the index up, compact.
    pub fn refresh(&self) -> Result<PipelineReport> {
        self.finish(Vec::new(), Vec::new(), Some(Scope::All), None)
    }

    async fn harvest_all(
        &self,
        sources: Vec<SourceConfig>,
        progress: ProgressFor,
        harvested: Option<Arc<HarvestedRecords>>,
    ) -> (Vec<HarvestOutcome>, Vec<String>) {
        // `parallel` sources are read at once, and one more may be held in memory for its
        // write: the store takes one write at a time, and while a source is written the
        // next is read. Memory follows the largest sources, `parallel + 1` of them.
        let parallel = self.harvest.parallel.max(1);
        let reading = Arc::new(tokio::sync::Semaphore::new(parallel));
        let held = Arc::new(tokio::sync::Semaphore::new(parallel + 1));
        let mut tasks = Vec::new();
        for source in sources {
            let (graph, settings, reading, held, progress, harvested) = (
                self.graph.clone(),
                self.harvest.clone(),
                reading.clone(),
                held.clone(),
                progress.clone(),
                harvested.clone(),
            );
            let id = source.id.clone();
            tasks.push((
                id,
                tokio::spawn(async move {
                    let _held = held.acquire_owned().await;
                    let reading = reading.acquire_owned().await.ok();
                    let progress = progress(&source);
                    let outcome =
                        harvest_keeping(graph, source, settings, progress.clone(), harvested, reading).await;
                    progress(FINISHED);
                    outcome
                }),
            ));
        }
        let (mut outcomes, mut errors) = (Vec::new(), Vec::new());
        for (id, task) in tasks {
            match task.await {
                Ok(Ok(outcome)) => outcomes.push(outcome),
                Ok(Err(error)) => {
                    tracing::error!(source = %id, "harvest: {error}");
                    errors.push(format!("{id}: {error}"));
                }
                Err(panic) => {
                    tracing::error!(source = %id, "harvest task: {panic}");
                    errors.push(format!("{id}: the harvest task panicked: {panic}"));
                }
            }
        }
        (outcomes, errors)
    }

    fn finish(
        &self,
        outcomes: Vec<HarvestOutcome>,
        errors: Vec<String>,
        scope: Option<Scope>,
        harvested: Option<&Usable>,
    ) -> Result<PipelineReport> {
        // The bulk loader's files (a first harvest, a first tagging or linking after a full
        // refresh) are what compaction merges; a run that wrote differences leaves that to
        // the store's own background compaction (86 s at a million records for one title).
        let compact = scope == Some(Scope::All) || outcomes.iter().any(|o| o.timings.bulk);
        let refreshed = if let Some(scope) = scope {
            // Read before refreshing: a write made while it runs may come too late for it.
            let writes = self.graph.source_writes();
            let mut kept = self
                .kept
                .as_ref()
                .map(|kept| kept.lock().unwrap_or_else(|e| e.into_inner()));
            let refreshed = after_harvest(
                &self.graph,
                &self.tagging,
                &self.linking,
                &scope,
                kept.as_deref_mut(),
                harvested,
            )?;
            *self.refreshed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(writes);
            Some(refreshed)
        } else {
            None
        };
        let started = std::time::Instant::now();
        let indexed = self.graph.catch_up_index()?;
        let index_ms = started.elapsed().as_millis() as u64;
        if indexed > 0 {
            tracing::info!(records = indexed, index_ms, "search index caught up");
        }
        // A refresh that compacted the store (its merging held for a first harvest) left
        // it merged but for its own small writes, which the store's merging takes.
        let compacted = refreshed.as_ref().and_then(|r| r.compact_ms);
        let compact_ms = if compacted.is_some() {
            compacted
        } else if compact {
            let started = std::time::Instant::now();
            self.graph.compact()?;
            let took = started.elapsed().as_millis() as u64;
            tracing::info!(compact_ms = took, "store compacted");
            Some(took)
        } else {
            None
        };
        // The graphs a streamed write filled (a first tagging or linking) are counted now,
        // once, and the counts kept on disk: otherwise the first VoID request after the run
        // would count them, and on a national store outlast its time limit.
        if compact || refreshed.is_some() {
            let started = std::time::Instant::now();
            let counted = self.graph.graph_counts()?;
            tracing::info!(
                graphs = counted.len(),
                count_ms = started.elapsed().as_millis() as u64,
                "graph counts kept for VoID"
            );
        }
        if let Some(fingerprint) = &self.fingerprint
            && let Err(error) = refresh_state::note_refreshed(&self.graph, fingerprint, self.kept.is_some())
        {
            tracing::warn!("the next process will refresh every record: {error}");
        }
        Ok(PipelineReport {
            outcomes,
            errors,
            refreshed,
            indexed,
            index_ms,
            compact_ms,
        })
    }
}

/// The store's own merging held for a run; given back when dropped.
struct HeldMerges(Arc<Graph>);

impl HeldMerges {
    fn hold(graph: Arc<Graph>) -> Result<Self> {
        graph.hold_merges(true)?;
        Ok(Self(graph))
    }
}

impl Drop for HeldMerges {
    fn drop(&mut self) {
        if let Err(error) = self.0.hold_merges(false) {
            tracing::warn!("the store's merging could not be turned back on: {error}");
        }
    }
}
