//! Harvest runs as data: one `cg:HarvestRun` (a `prov:Activity`) per run in
//! `{base}graph/harvest`, with its source, times, status, counts, rejections and the
//! DCAT-AP validation results (as `sh:ValidationResult`s) of its records.
//!
//! A run is written twice: as `running` when it starts, and whole when it ends, in the same
//! commit that swaps the source's graph, so the two never disagree. A run still `running`
//! when its process died is marked `failed` by [`interrupted_runs_batch`] at the next start.
//! Validation results are kept for the latest run of each source only; earlier runs keep
//! their counts.

use crate::records::Changes;
use crate::report::Report;
use civicgraph_graph::{Graph, Layout, WriteBatch};
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{prov, sh};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::QueryResults;

/// The most validation results stored per run: a national catalogue can break a range rule
/// on every record, and a million results would outweigh the catalogue itself. The report
/// and `civicgraph validate` still give all of them.
pub const MAX_STORED_RESULTS: usize = 10_000;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Still going (or its process died; see [`interrupted_runs_batch`]).
    Running,
    /// The source was read and swapped in.
    Succeeded,
    /// The source could not be read; its previous version is untouched.
    Failed,
}

impl RunStatus {
    /// The status as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// The current time as an `xsd:dateTime` literal.
pub fn now() -> Literal {
    Literal::new_typed_literal(oxsdatatypes::DateTime::now().to_string(), xsd::DATE_TIME)
}

/// The IRI of a new run of `source`, unique by its start time.
pub fn run_iri(layout: &Layout, source: &str, started: &Literal) -> NamedNode {
    let stamp: String = started
        .value()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    NamedNode::new_unchecked(format!("{}harvest/{source}/{stamp}", layout.base()))
}

/// The triples of a run that has just started.
pub fn started(run: &NamedNode, source: &str, location: &str, started: &Literal) -> Vec<Triple> {
    let s: NamedOrBlankNode = run.clone().into();
    vec![
        Triple::new(s.clone(), rdf::TYPE, cg::HARVEST_RUN),
        Triple::new(s.clone(), rdf::TYPE, prov::ACTIVITY),
        Triple::new(s.clone(), cg::SOURCE_ID, Literal::new_simple_literal(source)),
        Triple::new(s.clone(), prov::USED, Literal::new_simple_literal(location)),
        Triple::new(s.clone(), prov::STARTED_AT_TIME, started.clone()),
        Triple::new(
            s,
            cg::STATUS,
            Literal::new_simple_literal(RunStatus::Running.as_str()),
        ),
    ]
}

/// The record of a source written whole without a harvest (`civicgraph load`, the demo
/// data): a run of `source` that read `location` and succeeded at once, so the source has
/// a provenance like a harvested one (`/catalog` names it as the records' origin).
pub fn loaded(layout: &Layout, source: &str, location: &str) -> Vec<Quad> {
    let at = now();
    let run = run_iri(layout, source, &at);
    let mut triples = started(&run, source, location, &at);
    triples.retain(|t| t.predicate != cg::STATUS);
    triples.push(Triple::new(
        run.clone(),
        cg::STATUS,
        Literal::new_simple_literal(RunStatus::Succeeded.as_str()),
    ));
    triples.push(Triple::new(run, prov::ENDED_AT_TIME, at));
    let harvest = layout.harvest_graph();
    triples.into_iter().map(|t| t.in_graph(harvest.clone())).collect()
}

/// The triples that finish a run: status, end time, counts, rejections, validation results.
pub fn finished(
    run: &NamedNode,
    status: RunStatus,
    message: Option<&str>,
    changes: &Changes,
    report: &Report,
) -> Vec<Triple> {
    let s: NamedOrBlankNode = run.clone().into();
    let count = |n: usize| Literal::new_typed_literal(n.to_string(), xsd::INTEGER);
    let text = |s: &str| Literal::new_simple_literal(s);
    let mut out = vec![
        Triple::new(s.clone(), cg::STATUS, text(status.as_str())),
        Triple::new(s.clone(), prov::ENDED_AT_TIME, now()),
        Triple::new(s.clone(), cg::RECORDS_READ, count(report.records_read)),
        Triple::new(s.clone(), cg::RECORDS_ADDED, count(changes.added)),
        Triple::new(s.clone(), cg::RECORDS_CHANGED, count(changes.changed)),
        Triple::new(s.clone(), cg::RECORDS_UNCHANGED, count(changes.unchanged)),
        Triple::new(s.clone(), cg::RECORDS_DELETED, count(changes.deleted)),
        Triple::new(s.clone(), cg::RECORDS_REJECTED, count(report.rejections.len())),
    ];
    if report.transfer.requests > 0 {
        let transfer = report.transfer;
        out.push(Triple::new(
            s.clone(),
            cg::REQUESTS,
            count(transfer.requests as usize),
        ));
        out.push(Triple::new(
            s.clone(),
            cg::BYTES_FETCHED,
            count(transfer.bytes as usize),
        ));
        out.push(Triple::new(
            s.clone(),
            cg::NOT_MODIFIED,
            count(transfer.not_modified as usize),
        ));
    }
    if let Some(message) = message {
        out.push(Triple::new(s.clone(), cg::MESSAGE, text(message)));
    }
    for warning in report.warnings.iter().take(1000) {
        out.push(Triple::new(s.clone(), cg::MESSAGE, text(warning)));
    }
    for (i, rejection) in report.rejections.iter().enumerate() {
        let r: NamedOrBlankNode =
            NamedNode::new_unchecked(format!("{}/rejection/{}", run.as_str(), i + 1)).into();
        out.push(Triple::new(s.clone(), cg::REJECTION_PROPERTY, r.clone()));
        out.push(Triple::new(r.clone(), rdf::TYPE, cg::REJECTION));
        let record: Term = match rejection
            .record
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
        {
            Some(iri) => NamedNode::new(iri).map_or_else(|_| text(&rejection.record).into(), Term::from),
            None => text(&rejection.record).into(),
        };
        out.push(Triple::new(r.clone(), cg::RECORD, record));
        out.push(Triple::new(r.clone(), cg::REASON, text(&rejection.reason)));
        if !rejection.position.is_empty() {
            out.push(Triple::new(r, cg::POSITION, text(&rejection.position)));
        }
    }
    if report.violations.len() > MAX_STORED_RESULTS {
        out.push(Triple::new(
            s.clone(),
            cg::MESSAGE,
            text(&format!(
                "{} DCAT-AP validation results; the first {MAX_STORED_RESULTS} are stored with the run",
                report.violations.len()
            )),
        ));
    }
    for (i, violation) in report.violations.iter().take(MAX_STORED_RESULTS).enumerate() {
        let v: NamedOrBlankNode =
            NamedNode::new_unchecked(format!("{}/result/{}", run.as_str(), i + 1)).into();
        out.push(Triple::new(s.clone(), cg::VALIDATION_RESULT, v.clone()));
        out.push(Triple::new(v.clone(), rdf::TYPE, sh::VALIDATION_RESULT));
        let node = |nt: &str| -> Term {
            nt.strip_prefix('<')
                .and_then(|r| r.strip_suffix('>'))
                .and_then(|iri| NamedNode::new(iri).ok())
                .map_or_else(|| text(nt).into(), Term::from)
        };
        out.push(Triple::new(v.clone(), sh::FOCUS_NODE, node(&violation.focus)));
        if let Some(path) = &violation.path {
            out.push(Triple::new(v.clone(), sh::RESULT_PATH, node(path)));
        }
        if let Some(value) = &violation.value {
            out.push(Triple::new(v.clone(), sh::VALUE, text(value)));
        }
        out.push(Triple::new(
            v.clone(),
            sh::RESULT_MESSAGE,
            text(&violation.message),
        ));
        out.push(Triple::new(
            v.clone(),
            sh::RESULT_SEVERITY,
            NamedNode::new_unchecked(violation.severity.iri()),
        ));
        out.push(Triple::new(
            v,
            sh::SOURCE_CONSTRAINT_COMPONENT,
            NamedNode::new_unchecked(format!(
                "http://www.w3.org/ns/shacl#{}",
                violation.component.trim_start_matches("sh:")
            )),
        ));
    }
    out
}

/// The quads to remove when a run of `source` finishes: its `running` status, and the
/// validation results of the source's earlier runs.
pub fn superseded(graph: &Graph, run: &NamedNode, source: &str) -> crate::Result<Vec<Quad>> {
    let harvest = graph.layout().harvest_graph();
    let mut quads = vec![running_status(graph, run)];
    let query = format!(
        "SELECT ?run ?result ?p ?o WHERE {{ GRAPH <{harvest}> {{
            ?run <{sid}> {source} ; <{vr}> ?result . ?result ?p ?o . FILTER(?run != <{this}>) }} }}",
        source = Literal::new_simple_literal(source),
        harvest = harvest.as_str(),
        sid = cg::SOURCE_ID.as_str(),
        vr = cg::VALIDATION_RESULT.as_str(),
        this = run.as_str(),
    );
    if let QueryResults::Solutions(solutions) = graph.query(&query, &Default::default())? {
        for solution in solutions {
            let solution = solution.map_err(civicgraph_graph::GraphError::from)?;
            let (Some(Term::NamedNode(r)), Some(Term::NamedNode(result)), Some(Term::NamedNode(p)), Some(o)) = (
                solution.get("run"),
                solution.get("result"),
                solution.get("p"),
                solution.get("o"),
            ) else {
                continue;
            };
            quads.push(Quad::new(result.clone(), p.clone(), o.clone(), harvest.clone()));
            quads.push(Quad::new(
                r.clone(),
                cg::VALIDATION_RESULT,
                result.clone(),
                harvest.clone(),
            ));
        }
    }
    Ok(quads)
}

/// The quad that says `run` is still running.
pub fn running_status(graph: &Graph, run: &NamedNode) -> Quad {
    Quad::new(
        run.clone(),
        cg::STATUS,
        Literal::new_simple_literal(RunStatus::Running.as_str()),
        graph.layout().harvest_graph(),
    )
}

/// A batch marking every run still `running` as `failed`: their processes died. Call at
/// start, before any new run begins.
pub fn interrupted_runs_batch(graph: &Graph) -> crate::Result<(WriteBatch, usize)> {
    let harvest = graph.layout().harvest_graph();
    let query = format!(
        "SELECT ?run (COUNT(?other) AS ?ended) WHERE {{ GRAPH <{harvest}> {{ ?run <{status}> \"running\"
            OPTIONAL {{ ?run <{status}> ?other FILTER(?other != \"running\") }} }} }} GROUP BY ?run",
        harvest = harvest.as_str(),
        status = cg::STATUS.as_str()
    );
    let mut batch = WriteBatch::new();
    let mut runs = 0;
    if let QueryResults::Solutions(solutions) = graph.query(&query, &Default::default())? {
        for solution in solutions {
            let solution = solution.map_err(civicgraph_graph::GraphError::from)?;
            let Some(Term::NamedNode(run)) = solution.get("run") else {
                continue;
            };
            batch.remove([running_status(graph, run)]);
            // A run whose end is recorded was stopped after its commit, before the commit's
            // tidying removed `running`: it ended as recorded.
            if matches!(solution.get("ended"), Some(Term::Literal(n)) if n.value() != "0") {
                continue;
            }
            runs += 1;
            batch.insert([
                Quad::new(
                    run.clone(),
                    cg::STATUS,
                    Literal::new_simple_literal(RunStatus::Failed.as_str()),
                    harvest.clone(),
                ),
                Quad::new(
                    run.clone(),
                    cg::MESSAGE,
                    Literal::new_simple_literal("interrupted: the process stopped before the run ended; the source's previous version was kept"),
                    harvest.clone(),
                ),
                Quad::new(run.clone(), prov::ENDED_AT_TIME, now(), harvest.clone()),
            ]);
        }
    }
    Ok((batch, runs))
}

/// One run, as `civicgraph harvests` and `/api/harvests` list it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    /// The run's IRI.
    pub run: String,
    /// The source id.
    pub source: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Start time.
    pub started: String,
    /// End time, once ended.
    pub ended: Option<String>,
    /// Records read, added, changed, unchanged, deleted, rejected.
    pub counts: RunCounts,
    /// Validation results stored for the run (latest run of a source only).
    pub violations: u64,
    /// Why it failed, and warnings.
    pub messages: Vec<String>,
}

/// The counts of a run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunCounts {
    /// Records read.
    pub read: u64,
    /// Records added.
    pub added: u64,
    /// Records changed.
    pub changed: u64,
    /// Records unchanged.
    pub unchanged: u64,
    /// Records deleted.
    pub deleted: u64,
    /// Records rejected.
    pub rejected: u64,
}

/// Every run in the store, newest first (optionally of one source).
pub fn list_runs(graph: &Graph, source: Option<&str>) -> crate::Result<Vec<RunSummary>> {
    let harvest = graph.layout().harvest_graph();
    let filter = source
        // A literal written as SPARQL reads it: Rust's `{:?}` writes `\u{1b}`, which SPARQL
        // does not, so a client's odd source id failed the whole query.
        .map(|s| format!("FILTER(?source = {})", Literal::new_simple_literal(s)))
        .unwrap_or_default();
    let query = format!(
        "PREFIX cg: <{cg}> PREFIX prov: <{prov}>
         SELECT ?run ?source ?status ?started ?ended ?read ?added ?changed ?unchanged ?deleted ?rejected
                (COUNT(DISTINCT ?result) AS ?violations) (GROUP_CONCAT(DISTINCT ?message; SEPARATOR=\"\\n\") AS ?messages)
         WHERE {{ GRAPH <{harvest}> {{
           ?run a cg:HarvestRun ; cg:sourceId ?source ; cg:status ?status ; prov:startedAtTime ?started .
           FILTER(?status != \"running\" || NOT EXISTS {{ ?run cg:status ?ended_as FILTER(?ended_as != \"running\") }})
           OPTIONAL {{ ?run prov:endedAtTime ?ended }}
           OPTIONAL {{ ?run cg:recordsRead ?read ; cg:recordsAdded ?added ; cg:recordsChanged ?changed ;
                        cg:recordsUnchanged ?unchanged ; cg:recordsDeleted ?deleted ; cg:recordsRejected ?rejected }}
           OPTIONAL {{ ?run cg:validationResult ?result }}
           OPTIONAL {{ ?run cg:message ?message }}
           {filter} }} }}
         GROUP BY ?run ?source ?status ?started ?ended ?read ?added ?changed ?unchanged ?deleted ?rejected
         ORDER BY DESC(?started)",
        cg = cg::NAMESPACE,
        prov = prov::NAMESPACE,
        harvest = harvest.as_str(),
    );
    let mut runs = Vec::new();
    if let QueryResults::Solutions(solutions) = graph.query(&query, &Default::default())? {
        for solution in solutions {
            let solution = solution.map_err(civicgraph_graph::GraphError::from)?;
            let text = |name: &str| match solution.get(name) {
                Some(Term::Literal(l)) => Some(l.value().to_owned()),
                Some(Term::NamedNode(n)) => Some(n.as_str().to_owned()),
                _ => None,
            };
            let number = |name: &str| text(name).and_then(|v| v.parse().ok()).unwrap_or(0);
            runs.push(RunSummary {
                run: text("run").unwrap_or_default(),
                source: text("source").unwrap_or_default(),
                status: text("status").unwrap_or_default(),
                started: text("started").unwrap_or_default(),
                ended: text("ended"),
                counts: RunCounts {
                    read: number("read"),
                    added: number("added"),
                    changed: number("changed"),
                    unchanged: number("unchanged"),
                    deleted: number("deleted"),
                    rejected: number("rejected"),
                },
                violations: number("violations"),
                messages: text("messages")
                    .map(|m| {
                        m.split('\n')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    Ok(runs)
}

/// When the last successful run of `source` started, if there was one: an incremental
/// harvest asks for what changed since then.
pub fn last_success(graph: &Graph, source: &str) -> crate::Result<Option<String>> {
    Ok(list_runs(graph, Some(source))?
        .into_iter()
        .find(|r| r.status == RunStatus::Succeeded.as_str())
        .map(|r| r.started))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(graph: &Graph, source: &str, stamp: &str) -> NamedNode {
        let at = Literal::new_typed_literal(stamp, xsd::DATE_TIME);
        let run = run_iri(graph.layout(), source, &at);
        let harvest = graph.layout().harvest_graph();
        graph
            .commit(WriteBatch::add_to_graph(
                harvest.as_ref(),
                started(&run, source, "file:x", &at),
            ))
            .unwrap();
        run
    }

    #[test]
    fn a_run_stopped_before_its_tidying_ended_as_recorded_and_one_stopped_before_its_commit_failed() {
        let graph = Graph::in_memory(Layout::default()).unwrap();
        let harvest = graph.layout().harvest_graph();
        let done = start(&graph, "a", "2026-01-01T00:00:00Z");
        let ended = finished(
            &done,
            RunStatus::Succeeded,
            None,
            &Changes::default(),
            &Report::default(),
        );
        // The commit landed; the tidying that removes `running` did not.
        graph
            .commit(WriteBatch::add_to_graph(harvest.as_ref(), ended))
            .unwrap();
        let killed = start(&graph, "b", "2026-01-01T00:00:01Z");

        let status = |graph: &Graph| -> Vec<(String, String)> {
            list_runs(graph, None)
                .unwrap()
                .into_iter()
                .map(|r| (r.source, r.status))
                .collect()
        };
        assert_eq!(
            status(&graph),
            [("b".into(), "running".into()), ("a".into(), "succeeded".into())],
            "a run with its end recorded is listed once, as it ended"
        );

        let (batch, interrupted) = interrupted_runs_batch(&graph).unwrap();
        assert_eq!(interrupted, 1, "only the run without an end was interrupted");
        graph.commit(batch).unwrap();
        assert_eq!(
            status(&graph),
            [("b".into(), "failed".into()), ("a".into(), "succeeded".into())]
        );
        assert!(
            !graph.store().contains(&running_status(&graph, &done)).unwrap(),
            "the leftover `running` is gone"
        );
        assert!(!graph.store().contains(&running_status(&graph, &killed)).unwrap());
    }
}
