//! `GET /api/sources` and `GET /api/harvests`: what is harvested, how many records each
//! source holds, and how its runs went.

use super::{JsonError, blocking, rows};
use crate::AppState;
use axum::Json;
use axum::extract::{Query, State};
use civicgraph_ingest::provenance::{RunSummary, list_runs};
use oxigraph::model::Term;
use std::collections::BTreeMap;

/// One harvest run.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HarvestRun {
    /// The run's IRI.
    pub run: String,
    /// The source id.
    pub source: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Start time (`xsd:dateTime`).
    pub started: String,
    /// End time, once ended.
    pub ended: Option<String>,
    /// Records read.
    pub read: u64,
    /// Records new in this run.
    pub added: u64,
    /// Records changed.
    pub changed: u64,
    /// Records unchanged.
    pub unchanged: u64,
    /// Records gone from the source.
    pub deleted: u64,
    /// Records rejected.
    pub rejected: u64,
    /// DCAT-AP validation results stored for the run.
    pub violations: u64,
    /// Why it failed, and warnings.
    pub messages: Vec<String>,
}

impl From<RunSummary> for HarvestRun {
    fn from(run: RunSummary) -> Self {
        Self {
            run: run.run,
            source: run.source,
            status: run.status,
            started: run.started,
            ended: run.ended,
            read: run.counts.read,
            added: run.counts.added,
            changed: run.counts.changed,
            unchanged: run.counts.unchanged,
            deleted: run.counts.deleted,
            rejected: run.counts.rejected,
            violations: run.violations,
            messages: run.messages,
        }
    }
}

/// A source: configured, or present in the store (the demo data, `load`ed files).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Source {
    /// Its id.
    pub id: String,
    /// `dcat`, `ckan`, `datajson` or `case-studies`; none for data loaded directly.
    pub kind: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// The region it covers.
    pub region: Option<String>,
    /// Its URL or file (configured sources).
    pub location: Option<String>,
    /// How often the server harvests it.
    pub schedule: Option<String>,
    /// Its named graph.
    pub graph: String,
    /// Datasets it holds.
    pub datasets: u64,
    /// Case studies it holds.
    pub case_studies: u64,
    /// Its latest run, if it was ever harvested.
    pub last_run: Option<HarvestRun>,
}

/// The sources.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SourcesResponse {
    /// By id.
    pub sources: Vec<Source>,
}

/// The runs.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HarvestsResponse {
    /// Newest first.
    pub runs: Vec<HarvestRun>,
}

/// Parameters of `/api/harvests`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HarvestParams {
    /// Only this source's runs.
    source: Option<String>,
    /// At most this many runs (default 50, at most 1000).
    limit: Option<usize>,
}

/// The sources, with counts and their latest run.
#[utoipa::path(
    get,
    path = "/api/sources",
    responses((status = 200, description = "Every source", body = SourcesResponse)),
    tag = "sources"
)]
pub async fn sources(State(state): State<AppState>) -> Result<Json<SourcesResponse>, JsonError> {
    let (graph, config) = (state.graph.clone(), state.config.clone());
    blocking(&state, move |running| {
        let layout = graph.layout();
        let query = "PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX cg: <https://w3id.org/civicgraph/ns#>
            SELECT ?g ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?type }
              FILTER(?type = dcat:Dataset || ?type = cg:CaseStudy) } GROUP BY ?g ?type";
        let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for row in rows(&graph, running, query)? {
            let (Some(Term::NamedNode(g)), Some(Term::NamedNode(t)), Some(Term::Literal(n))) =
                (row.get("g"), row.get("type"), row.get("n"))
            else {
                continue;
            };
            let Some(id) = layout.source_id(g.as_str()) else {
                continue;
            };
            let entry = counts.entry(id.to_owned()).or_default();
            let n: u64 = n.value().parse().unwrap_or(0);
            if t.as_str().ends_with("#Dataset") {
                entry.0 += n;
            } else {
                entry.1 += n;
            }
        }
        let runs = list_runs(&graph, None)?;
        let mut ids: Vec<String> = config.sources.iter().map(|s| s.id.clone()).collect();
        ids.extend(
            counts
                .keys()
                .filter(|id| !config.sources.iter().any(|s| &s.id == *id))
                .cloned(),
        );
        let sources = ids
            .into_iter()
            .map(|id| {
                let configured = config.sources.iter().find(|s| s.id == id);
                let (datasets, case_studies) = counts.get(&id).copied().unwrap_or_default();
                Ok(Source {
                    kind: configured.map(|s| s.kind.as_str().to_owned()),
                    title: configured.and_then(|s| s.title.clone()),
                    region: configured.and_then(|s| s.region.clone()),
                    location: configured.map(|s| s.location()),
                    schedule: configured.and_then(|s| s.schedule.clone()),
                    graph: layout.source_graph(&id)?.as_str().to_owned(),
                    datasets,
                    case_studies,
                    last_run: runs
                        .iter()
                        .find(|r| r.source == id)
                        .cloned()
                        .map(HarvestRun::from),
                    id,
                })
            })
            .collect::<Result<Vec<_>, JsonError>>()?;
        Ok(Json(SourcesResponse { sources }))
    })
    .await
}

/// Harvest runs, newest first.
#[utoipa::path(
    get,
    path = "/api/harvests",
    params(HarvestParams),
    responses((status = 200, description = "Harvest runs, newest first", body = HarvestsResponse)),
    tag = "sources"
)]
pub async fn harvests(
    State(state): State<AppState>,
    Query(params): Query<HarvestParams>,
) -> Result<Json<HarvestsResponse>, JsonError> {
    let graph = state.graph.clone();
    blocking(&state, move |_| {
        let limit = params.limit.unwrap_or(50).clamp(1, 1000);
        let runs = list_runs(&graph, params.source.as_deref())?
            .into_iter()
            .take(limit)
            .map(HarvestRun::from)
            .collect();
        Ok(Json(HarvestsResponse { runs }))
    })
    .await
}
