//! Harvesting one configured source into its named graph: read it whole (each source kind
//! reads and pages itself, [`crate::sources`]), map it, validate it, compare it with the
//! version in the store, and write the difference atomically together with the record of
//! the run (a first harvest is written whole, through the bulk loader).
//!
//! A failure anywhere before the swap leaves the previous version in place and records the
//! run as `failed` with the reason. The previous version is only read, never changed, until
//! the single commit that replaces it.

use crate::config::{HarvestSettings, SourceConfig, SourceKind};
use crate::document::{self, DocumentKind};
use crate::enrich::harvested::HarvestedRecords;
use crate::error::{IngestError, Result};
use crate::fetch::Fetcher;
use crate::mint::Minter;
use crate::outbound::Outbound;
use crate::page_cache::PageCache;
use crate::provenance::{self, RunStatus};
use crate::records::{Changes, Partition};
use crate::report::{FinishOptions, Report, SourceOutput, finish};
use crate::sources::{ckan, dcat};
use civicgraph_graph::{Graph, WriteBatch};
use civicgraph_vocab::ext::{dcat as dcat_terms, dct, skos};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::HashSet;
use std::sync::Arc;

/// Receives progress messages ("page 3: 300 records").
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// The outcome of one harvest run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HarvestOutcome {
    /// The source id.
    pub source: String,
    /// The run's IRI in the harvest graph.
    pub run: String,
    /// How it ended.
    pub status: RunStatus,
    /// Why it failed.
    pub message: Option<String>,
    /// Added, changed, unchanged and deleted records.
    pub changes: Changes,
    /// Read, kept, rejected, warnings and violations.
    pub report: Report,
    /// Triples now in the source's graph.
    pub triples: usize,
    /// Whether the run wrote the source's graph: false when it came back the same (or the
    /// run failed).
    pub rewritten: bool,
    /// The records the previous version held and this one lacks: their tags must go.
    #[serde(skip)]
    pub deleted_records: Vec<NamedNode>,
    /// For a failed run, whether a version harvested before stays in the graph (false when
    /// the source was never harvested, so that nothing is said to be kept).
    pub kept_previous: bool,
    /// Where the time went.
    pub timings: StageTimings,
}

/// Milliseconds spent in each stage of one harvest run.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct StageTimings {
    /// Fetching or reading, parsing and mapping the source.
    pub read_ms: u64,
    /// Validating against DCAT-AP and comparing with the stored version.
    pub validate_ms: u64,
    /// Writing the store (finding what the write touches, then the commit).
    pub store_ms: u64,
    /// Updating the search index (0 while the index is deferred).
    pub index_ms: u64,
    /// Reading its records from its own triples for the first refresh
    /// ([`crate::enrich::harvested`]; 0 when they are read from the store).
    pub records_ms: u64,
    /// Whether the store write went through the bulk loader.
    pub bulk: bool,
}

/// Marks runs left `running` by a process that died as `failed`. Call once at start.
pub fn recover_interrupted(graph: &Graph) -> Result<usize> {
    let (batch, count) = provenance::interrupted_runs_batch(graph)?;
    if !batch.is_empty() {
        graph.commit(batch)?;
        tracing::warn!(
            runs = count,
            "marked harvest runs interrupted by a stopped process as failed"
        );
    }
    Ok(count)
}

/// Harvests `source` into `graph`. Never leaves the source half-replaced: on any error the
/// run is recorded as failed and the previous version stays.
pub async fn harvest(
    graph: Arc<Graph>,
    source: SourceConfig,
    settings: HarvestSettings,
    progress: Progress,
) -> Result<HarvestOutcome> {
    harvest_keeping(graph, source, settings, progress, None, None).await
}

/// [`harvest`], keeping the source's records in `harvested` when this is its first
/// version, for the pipeline's first refresh. `reading` is held while the source is
/// read, mapped and validated and given back before its write: the store takes one
/// write at a time, and a pipeline's next source is read meanwhile instead of waiting.
pub(crate) async fn harvest_keeping(
    graph: Arc<Graph>,
    source: SourceConfig,
    settings: HarvestSettings,
    progress: Progress,
    harvested: Option<Arc<HarvestedRecords>>,
    reading: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<HarvestOutcome> {
    source.check()?;
    let layout = graph.layout().clone();
    let started = provenance::now();
    let run = provenance::run_iri(&layout, &source.id, &started);
    let harvest_graph = layout.harvest_graph();
    let start_triples = provenance::started(&run, &source.id, &source.location(), &started);
    {
        let graph = graph.clone();
        let batch = WriteBatch::add_to_graph(harvest_graph.as_ref(), start_triples);
        blocking(move || graph.commit(batch).map_err(IngestError::from)).await?;
    }
    tracing::info!(source = %source.id, run = %run.as_str(), "harvest started");
    let result = read_and_swap(
        graph.clone(),
        &source,
        &settings,
        &run,
        progress,
        harvested,
        reading,
    )
    .await;
    match result {
        Ok(outcome) => {
            tracing::info!(
                source = %source.id,
                read = outcome.report.records_read,
                added = outcome.changes.added,
                changed = outcome.changes.changed,
                unchanged = outcome.changes.unchanged,
                deleted = outcome.changes.deleted,
                rejected = outcome.report.rejections.len(),
                violations = outcome.report.violation_count(),
                validation_results = outcome.report.result_count(),
                "harvest succeeded"
            );
            Ok(outcome)
        }
        Err(error) => {
            let message = error.to_string();
            tracing::error!(source = %source.id, "harvest failed: {message}");
            let report = Report::default();
            // What follows only records the failure: an error in it is logged, never
            // returned, so the user is told why the harvest failed, not why its record did.
            let kept_previous = {
                let graph = graph.clone();
                let source_id = source.id.clone();
                let check = blocking(move || {
                    let source_graph = graph.layout().source_graph(&source_id)?;
                    match graph
                        .store()
                        .quads_for_pattern(None, None, None, Some(source_graph.as_ref().into()))
                        .next()
                    {
                        Some(quad) => quad.map(|_| true).map_err(IngestError::from),
                        None => Ok(false),
                    }
                })
                .await;
                check.unwrap_or_else(|e| {
                    // Unknown: saying "never harvested" could be false, so say nothing was lost.
                    tracing::warn!(source = %source.id, "could not tell whether a previous harvest is kept: {e}");
                    true
                })
            };
            let finished = provenance::finished(
                &run,
                RunStatus::Failed,
                Some(&message),
                &Changes::default(),
                &report,
            );
            let graph2 = graph.clone();
            let run2 = run.clone();
            if let Err(e) = blocking(move || {
                let mut batch = WriteBatch::add_to_graph(graph2.layout().harvest_graph().as_ref(), finished);
                batch.remove([provenance::running_status(&graph2, &run2)]);
                graph2.commit(batch).map_err(IngestError::from)
            })
            .await
            {
                tracing::error!(source = %source.id, run = %run.as_str(), "could not record the failed run: {e}");
            }
            Ok(HarvestOutcome {
                source: source.id.clone(),
                run: run.as_str().to_owned(),
                status: RunStatus::Failed,
                message: Some(message),
                changes: Changes::default(),
                report,
                triples: 0,
                rewritten: false,
                deleted_records: Vec::new(),
                kept_previous,
                timings: StageTimings::default(),
            })
        }
    }
}

/// Runs store work on a blocking thread, so an async harvest or pipeline does not hold up
/// the runtime while it reads or writes.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| IngestError::Config(format!("a blocking task panicked: {e}")))?
}

async fn read_and_swap(
    graph: Arc<Graph>,
    source: &SourceConfig,
    settings: &HarvestSettings,
    run: &NamedNode,
    progress: Progress,
    harvested: Option<Arc<HarvestedRecords>>,
    reading: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<HarvestOutcome> {
    let layout = graph.layout().clone();
    let target = layout.source_graph(&source.id)?;
    let minter = Minter::new(&layout, &source.id)?;
    let previous = {
        let graph = graph.clone();
        let target = target.clone();
        blocking(move || graph_triples(&graph, &target)).await?
    };
    let read_started = std::time::Instant::now();
    let (raw, mut report) = read_source(&graph, source, settings, &minter, &previous, &progress).await?;
    let mut timings = StageTimings {
        read_ms: read_started.elapsed().as_millis() as u64,
        ..StageTimings::default()
    };
    progress(&format!("validating {} triples", raw.len()));
    let validate_started = std::time::Instant::now();
    let shapes = source
        .profile
        .as_deref()
        .map(crate::shacl::Shapes::profile)
        .transpose()?;
    if let Some(shapes) = &shapes {
        // What the profile's files say that no SHACL validator reads (misspelt terms).
        report.warnings.extend(shapes.warnings.iter().cloned());
    }
    let options = FinishOptions {
        shapes,
        strict: source.strict,
        skip_validation: source.kind == SourceKind::CaseStudies,
        read_counted: source.kind == SourceKind::Ckan,
    };
    let source2 = source.clone();
    let minter2 = minter.clone();
    let previous_was_empty = previous.is_empty();
    let (mut output, changes, difference, deleted_records) = blocking(move || {
        let mut raw = raw;
        describe_catalogues(&mut raw, &source2, &minter2);
        let output: SourceOutput = finish(raw, &minter2, report, options);
        let before = Partition::of(&previous);
        let changes = Changes::between(&before, &output.partition);
        let deleted_records = crate::records::deleted_records(&before, &output.partition);
        // What the store must lose and gain: written as such, a change of one record is a
        // change of its triples, not a rewrite of the source (at a million quads that took
        // minutes and held both versions in memory). A first harvest is written whole,
        // through the bulk loader.
        let difference = (!previous.is_empty()).then(|| {
            let stored: HashSet<&Triple> = previous.iter().collect();
            let harvested: HashSet<&Triple> = output.triples.iter().collect();
            let gone: Vec<Triple> = previous
                .iter()
                .filter(|t| !harvested.contains(t))
                .cloned()
                .collect();
            let new: Vec<Triple> = output
                .triples
                .iter()
                .filter(|t| !stored.contains(t))
                .cloned()
                .collect();
            (gone, new)
        });
        Ok((output, changes, difference, deleted_records))
    })
    .await?;
    timings.validate_ms = validate_started.elapsed().as_millis() as u64;
    // A first version's records, read from its own triples while they are at hand, spare
    // the first refresh reading them back from the store.
    let kept = match harvested.clone() {
        Some(harvested) if !previous_was_empty => {
            // Its records are the store's to read: the run's roll of records is not whole.
            harvested.note_unkept();
            None
        }
        Some(harvested) => {
            progress("reading its records");
            let started = std::time::Instant::now();
            let (graph, target, triples, reader) =
                (graph.clone(), target.clone(), output.triples, harvested.clone());
            let (triples, kept) = blocking(move || {
                let kept = reader.read(&graph, &target, &triples);
                Ok((triples, kept))
            })
            .await?;
            output.triples = triples;
            timings.records_ms = started.elapsed().as_millis() as u64;
            match kept {
                Ok(kept) => Some(kept),
                Err(error) => {
                    tracing::warn!(source = %source.id, "its records will be read from the store: {error}");
                    harvested.note_unkept();
                    None
                }
            }
        }
        None => None,
    };
    drop(reading);
    progress(&format!("storing {} triples", output.triples.len()));
    let finished = provenance::finished(run, RunStatus::Succeeded, None, &changes, &output.report);
    let triples = output.triples.len();
    let graph2 = graph.clone();
    let run2 = run.clone();
    let id = source.id.clone();
    let SourceOutput {
        triples: stored,
        mut report,
        partition: _,
        counts,
    } = output;
    // The run's record holds the counts and the results stored; the outcome need not hold more.
    report.keep_first_results(provenance::MAX_STORED_RESULTS);
    // Nothing changed at all: the stored version need not be rewritten.
    let identical = match &difference {
        Some((gone, new)) => gone.is_empty() && new.is_empty(),
        None => triples == 0,
    };
    let written = blocking(move || {
        let harvest_graph = graph2.layout().harvest_graph();
        let mut batch = match difference {
            Some((gone, new)) => {
                let mut batch = WriteBatch::new();
                batch.remove(gone.into_iter().map(|t| t.in_graph(target.clone())));
                batch.insert(new.into_iter().map(|t| t.in_graph(target.clone())));
                batch
            }
            None => match counts {
                Some(counts) => WriteBatch::replace_graph_counted(&target, stored, counts),
                None => WriteBatch::replace_graph(&target, stored),
            },
        };
        // The `running` status and earlier runs' results go just after the new version is
        // visible, so that a first harvest (into an empty graph) is bulk-loaded; a reader in
        // between sees the run both running and succeeded, which `list_runs` reads as
        // succeeded.
        batch.tidy(provenance::superseded(&graph2, &run2, &id)?);
        batch.insert(finished.into_iter().map(|t| t.in_graph(harvest_graph.clone())));
        graph2.commit(batch).map_err(IngestError::from)
    })
    .await?;
    if let (Some(harvested), Some(kept)) = (harvested, kept) {
        harvested.add(kept, written.sequence);
    }
    timings.store_ms = written.prepare_ms + written.store_ms;
    timings.index_ms = written.index_ms;
    timings.bulk = written.bulk;
    Ok(HarvestOutcome {
        source: source.id.clone(),
        run: run.as_str().to_owned(),
        status: RunStatus::Succeeded,
        message: None,
        changes,
        report,
        triples,
        rewritten: !identical,
        deleted_records,
        kept_previous: false,
        timings,
    })
}

/// The triples now in `graph_name`.
fn graph_triples(graph: &Graph, graph_name: &NamedNode) -> Result<Vec<Triple>> {
    let mut out = Vec::new();
    for quad in graph
        .store()
        .quads_for_pattern(None, None, None, Some(graph_name.as_ref().into()))
    {
        let quad = quad.map_err(civicgraph_graph::GraphError::from)?;
        out.push(Triple::from(quad));
    }
    Ok(out)
}

/// Reads the whole source into (unfinished) triples and a report.
async fn read_source(
    graph: &Graph,
    source: &SourceConfig,
    settings: &HarvestSettings,
    minter: &Minter,
    previous: &[Triple],
    progress: &Progress,
) -> Result<(Vec<Triple>, Report)> {
    let mut report = Report::default();
    let outbound = Outbound::new(
        source.url.as_deref(),
        &source.allow_hosts,
        &settings.private_hosts,
    );
    let mut fetcher = Fetcher::new(settings, outbound)?;
    // Documents are asked for conditionally; a CKAN portal is asked what changed instead.
    if source.kind != SourceKind::Ckan
        && let Some(dir) = graph.dir()
    {
        fetcher = fetcher.with_cache(PageCache::open(&dir.join("harvest-cache").join(&source.id)));
    }
    let (triples, mut report) = match source.kind {
        SourceKind::Dcat => {
            let triples = dcat::read(source, settings, &fetcher, minter, &mut report, progress).await?;
            (triples, report)
        }
        SourceKind::Csw => {
            let triples =
                crate::sources::csw::read(source, settings, &fetcher, minter, &mut report, progress).await?;
            (triples, report)
        }
        SourceKind::Ckan => {
            let since = provenance::last_success(graph, &source.id)?;
            ckan::read(source, settings, &fetcher, previous, since, &mut report, progress).await?
        }
        SourceKind::Datajson | SourceKind::CaseStudies => {
            let accept = if source.kind == SourceKind::Datajson {
                "application/json"
            } else {
                "application/json, text/csv;q=0.9"
            };
            let (bytes, name) = crate::sources::read_document(source, settings, &fetcher, accept).await?;
            report.documents.push(name.clone());
            let triples = if source.kind == SourceKind::Datajson {
                // The catalogue, which DCAT-US leaves untitled, takes the source's title.
                let mut out = crate::emit::Emitter::default();
                let title = source.title.as_deref();
                crate::sources::datajson::map_catalogue(&bytes, &name, title, minter, &mut out, &mut report)?;
                out.triples
            } else {
                let kind = if name.to_ascii_lowercase().ends_with(".csv") {
                    DocumentKind::CaseStudiesCsv
                } else {
                    DocumentKind::CaseStudiesJson
                };
                document::map(kind, &bytes, &name, None, None, None, "", minter, &mut report)?
            };
            (triples, report)
        }
    };
    report.transfer = fetcher.transfer();
    fetcher.finish_run()?;
    Ok((triples, report))
}

/// Gives every catalogue of the source its region, and a source without a catalogue one.
fn describe_catalogues(triples: &mut Vec<Triple>, source: &SourceConfig, minter: &Minter) {
    let mut catalogues: Vec<NamedOrBlankNode> = triples
        .iter()
        .filter(|t| t.predicate == rdf::TYPE && t.object == dcat_terms::CATALOG.into())
        .map(|t| t.subject.clone())
        .collect();
    catalogues.sort_by_key(ToString::to_string);
    catalogues.dedup();
    if catalogues.is_empty() && source.kind != SourceKind::CaseStudies {
        let catalogue: NamedOrBlankNode = minter.record("catalogue", &source.id).into();
        let datasets: Vec<NamedOrBlankNode> = triples
            .iter()
            .filter(|t| t.predicate == rdf::TYPE && t.object == dcat_terms::DATASET.into())
            .map(|t| t.subject.clone())
            .collect();
        triples.push(Triple::new(catalogue.clone(), rdf::TYPE, dcat_terms::CATALOG));
        triples.push(Triple::new(
            catalogue.clone(),
            dct::TITLE,
            Literal::new_simple_literal(source.title.clone().unwrap_or_else(|| source.id.clone())),
        ));
        for d in datasets {
            let object: Term = match d {
                NamedOrBlankNode::NamedNode(n) => n.into(),
                NamedOrBlankNode::BlankNode(b) => b.into(),
            };
            triples.push(Triple::new(
                catalogue.clone(),
                dcat_terms::DATASET_PROPERTY,
                object,
            ));
        }
        catalogues.push(catalogue);
    }
    if let Some(region) = source.region.as_deref().filter(|r| !r.trim().is_empty()) {
        let place = minter.record("place", region);
        triples.push(Triple::new(place.clone(), rdf::TYPE, dct::LOCATION));
        triples.push(Triple::new(
            place.clone(),
            skos::PREF_LABEL,
            Literal::new_simple_literal(region),
        ));
        for catalogue in catalogues {
            triples.push(Triple::new(catalogue, dct::SPATIAL, place.clone()));
        }
    }
}
