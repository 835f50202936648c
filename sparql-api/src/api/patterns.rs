//! `GET /api/patterns`: the three ODI patterns with their definitions, how many datasets and
//! case studies show each (curated and inferred), and their best examples.

use super::records::RecordRef;
use super::{JsonError, blocking, rows};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use civicgraph_vocab::PATTERNS;
use civicgraph_vocab::{cg, cgp};
use oxigraph::model::Term;
use std::collections::BTreeMap;

/// Counts of records showing a pattern.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct PatternCounts {
    /// Datasets, curated.
    pub datasets_curated: u64,
    /// Datasets, inferred.
    pub datasets_inferred: u64,
    /// Case studies, curated.
    pub case_studies_curated: u64,
    /// Case studies, inferred.
    pub case_studies_inferred: u64,
}

/// One pattern.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Pattern {
    /// `access`, `planning` or `policy`: the value of the search's `pattern` filter.
    pub id: String,
    /// The concept's IRI.
    pub iri: String,
    /// `P1`, `P2` or `P3`.
    pub notation: String,
    /// Its name.
    pub label: String,
    /// The ODI's definition.
    pub definition: String,
    /// Who benefits directly.
    pub beneficiaries: Vec<String>,
    /// Records showing it.
    pub counts: PatternCounts,
    /// The best case studies showing it: curated first, then by confidence.
    pub examples: Vec<RecordRef>,
}

/// The patterns.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PatternsResponse {
    /// P1, P2, P3.
    pub patterns: Vec<Pattern>,
}

const BENEFICIARIES: [&[&str]; 3] = [
    &["citizens", "organisations"],
    &["commissioners", "service managers", "frontline workers"],
    &[
        "elected representatives",
        "policymakers",
        "citizens who want to influence policy",
    ],
];

fn text(row: &BTreeMap<String, Term>, key: &str) -> String {
    match row.get(key) {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        _ => String::new(),
    }
}

/// The patterns.
#[utoipa::path(
    get,
    path = "/api/patterns",
    responses((status = 200, description = "The three ODI patterns with counts and examples", body = PatternsResponse)),
    tag = "patterns"
)]
pub async fn get(State(state): State<AppState>) -> Result<Json<PatternsResponse>, JsonError> {
    let graph = state.graph.clone();
    blocking(&state, move |running| {
        let tags = graph.layout().tags_graph();
        let counts = rows(
            &graph,
            running,
            &format!(
                "PREFIX cg: <{cg}> PREFIX dcat: <http://www.w3.org/ns/dcat#>
                 SELECT ?pattern ?type ?method (COUNT(DISTINCT ?r) AS ?n) WHERE {{
                   GRAPH <{tags}> {{ ?r cg:patternAssignment ?a . ?a cg:pattern ?pattern ; cg:method ?method }}
                   ?r a ?type . FILTER(?type = dcat:Dataset || ?type = cg:CaseStudy)
                 }} GROUP BY ?pattern ?type ?method",
                cg = cg::NAMESPACE,
                tags = tags.as_str()
            ),
        )?;
        let mut patterns = Vec::new();
        for (index, shown) in PATTERNS.iter().enumerate() {
            let iri = format!("{}{}", cgp::NAMESPACE, shown.name);
            let mut tally = PatternCounts::default();
            for row in counts.iter().filter(|r| text(r, "pattern") == iri) {
                let n: u64 = text(row, "n").parse().unwrap_or(0);
                let curated = text(row, "method") == cg::CURATED.as_str();
                let dataset = text(row, "type").ends_with("#Dataset");
                match (dataset, curated) {
                    (true, true) => tally.datasets_curated += n,
                    (true, false) => tally.datasets_inferred += n,
                    (false, true) => tally.case_studies_curated += n,
                    (false, false) => tally.case_studies_inferred += n,
                }
            }
            let examples = rows(
                &graph,
                running,
                &format!(
                    "PREFIX cg: <{cg}> PREFIX dct: <http://purl.org/dc/terms/>
                     SELECT ?r (SAMPLE(?t) AS ?title) (MAX(?curated) AS ?c) (MAX(?confidence) AS ?conf) WHERE {{
                       GRAPH <{tags}> {{ ?r cg:patternAssignment ?a . ?a cg:pattern <{iri}> ; cg:method ?m ; cg:confidence ?confidence }}
                       ?r a cg:CaseStudy ; dct:title ?t .
                       BIND(IF(?m = cg:Curated, 1, 0) AS ?curated)
                     }} GROUP BY ?r ORDER BY DESC(?c) DESC(?conf) ?r LIMIT 5",
                    cg = cg::NAMESPACE,
                    tags = tags.as_str()
                ),
            )?
            .iter()
            .map(|row| RecordRef {
                iri: text(row, "r"),
                title: text(row, "title"),
            })
            .collect();
            patterns.push(Pattern {
                id: shown.name.to_owned(),
                iri,
                notation: shown.notation.to_owned(),
                label: shown.label.to_owned(),
                definition: shown.definition.to_owned(),
                beneficiaries: BENEFICIARIES[index].iter().map(|b| (*b).to_owned()).collect(),
                counts: tally,
                examples,
            });
        }
        Ok(Json(PatternsResponse { patterns }))
    })
    .await
}
