//! Full-text search inside SPARQL: `SERVICE <https://w3id.org/civicgraph/search#> { ... }`
//! is answered from the tantivy index, so it composes with the rest of a query.
//!
//! ```sparql
//! SERVICE cgs: { ?hit cgs:matches "air quality" ; cgs:score ?score ; cgs:snippet ?snippet ;
//!                     cgs:limit 20 ; cgs:pattern cgp:planning ; cgs:type dcat:Dataset }
//! ```

use super::index::SearchIndex;
use super::request::SearchFilter;
use crate::error::GraphError;
use civicgraph_vocab::cgs;
use civicgraph_vocab::ext::dcat;
use oxigraph::model::{Literal, NamedNode, Term, Variable};
use oxigraph::sparql::{QueryEvaluationError, QuerySolutionIter, ServiceHandler};
use oxiri::Iri;
use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNodePattern, TermPattern};
use std::sync::Arc;

/// Hits returned when the query gives no `cgs:limit`.
const DEFAULT_LIMIT: usize = 100;
/// The most hits one call may ask for.
const MAX_LIMIT: usize = super::request::MAX_RESULT_WINDOW;

/// The handler registered for the `cgs:` service IRI.
pub(crate) struct SearchService {
    index: Arc<SearchIndex>,
}

impl SearchService {
    pub(crate) fn new(index: Arc<SearchIndex>) -> Self {
        Self { index }
    }
}

/// What a `SERVICE cgs:` block asks for.
#[derive(Debug, Default)]
struct Request {
    hit: Option<Variable>,
    text: Option<String>,
    score: Option<Variable>,
    snippet: Option<Variable>,
    limit: Option<usize>,
    filter: SearchFilter,
}

fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::SearchSyntax {
        query: "SERVICE <https://w3id.org/civicgraph/search#>".to_owned(),
        message: message.into(),
    }
}

fn parse(pattern: &GraphPattern) -> Result<Request, GraphError> {
    let GraphPattern::Bgp { patterns } = pattern else {
        return Err(invalid(
            "the search service takes only triple patterns about one hit",
        ));
    };
    let mut request = Request::default();
    let mut subject: Option<&TermPattern> = None;
    for triple in patterns {
        if subject.is_some_and(|s| s != &triple.subject) {
            return Err(invalid("every triple pattern must be about the same hit"));
        }
        subject = Some(&triple.subject);
        let NamedNodePattern::NamedNode(predicate) = &triple.predicate else {
            return Err(invalid("predicates must be cgs: terms, not variables"));
        };
        let local = predicate
            .as_str()
            .strip_prefix(cgs::NAMESPACE)
            .unwrap_or_default();
        match (local, &triple.object) {
            ("matches", TermPattern::Literal(text)) => request.text = Some(text.value().to_owned()),
            ("score", TermPattern::Variable(v)) => request.score = Some(v.clone()),
            ("snippet", TermPattern::Variable(v)) => request.snippet = Some(v.clone()),
            ("limit", TermPattern::Literal(n)) => {
                let n: usize = n
                    .value()
                    .parse()
                    .map_err(|_| invalid("cgs:limit takes a whole number"))?;
                request.limit = Some(n.min(MAX_LIMIT));
            }
            ("pattern", TermPattern::NamedNode(p)) => request.filter.patterns.push(p.as_str().to_owned()),
            ("theme", TermPattern::NamedNode(t)) => request.filter.themes.push(t.as_str().to_owned()),
            ("beneficiary", TermPattern::NamedNode(b)) => {
                request.filter.beneficiaries.push(b.as_str().to_owned());
            }
            ("enabler", TermPattern::NamedNode(e)) => request.filter.enablers.push(e.as_str().to_owned()),
            ("actor", TermPattern::NamedNode(a)) => request.filter.actors.push(a.as_str().to_owned()),
            ("channel", TermPattern::NamedNode(c)) => request.filter.channels.push(c.as_str().to_owned()),
            ("benefit", TermPattern::NamedNode(b)) => request.filter.benefits.push(b.as_str().to_owned()),
            ("country", TermPattern::Literal(c)) => {
                request
                    .filter
                    .countries
                    .push(c.value().trim().to_ascii_uppercase());
            }
            ("method", TermPattern::NamedNode(m)) => request.filter.methods.push(method_of(m)?),
            ("minConfidence", TermPattern::Literal(c)) => {
                let least = c
                    .value()
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|c| (0.0..=1.0).contains(c))
                    .ok_or_else(|| {
                        invalid(format!(
                            "cgs:minConfidence takes a number from 0 to 1, not {:?}",
                            c.value()
                        ))
                    })?;
                request.filter.min_confidence = Some(super::request::permille(least));
            }
            ("type", TermPattern::NamedNode(t)) => request.filter.kinds.push(kind_of_class(t)?),
            ("type", TermPattern::Literal(t)) => request.filter.kinds.push(t.value().to_owned()),
            (_, object) => {
                return Err(invalid(format!(
                    "unsupported search pattern {predicate} {object}; use cgs:matches \"text\", cgs:score ?s, cgs:snippet ?s, cgs:limit n, cgs:type <class>, cgs:pattern, cgs:theme, cgs:beneficiary, cgs:enabler, cgs:actor, cgs:channel or cgs:benefit <iri>, cgs:country \"GB\", cgs:method cg:Curated or cg:Inferred, cgs:minConfidence 0.8"
                )));
            }
        }
    }
    match subject {
        Some(TermPattern::Variable(v)) => request.hit = Some(v.clone()),
        Some(TermPattern::BlankNode(_)) => {}
        _ => return Err(invalid("the hit must be a variable")),
    }
    if request.text.is_none() {
        return Err(invalid("cgs:matches \"text\" is required"));
    }
    Ok(request)
}

fn method_of(method: &NamedNode) -> Result<String, GraphError> {
    crate::assignment::Method::of(method.as_ref())
        .map(|m| m.as_str().to_owned())
        .ok_or_else(|| {
            invalid(format!(
                "cgs:method <{}> is neither cg:Curated nor cg:Inferred",
                method.as_str()
            ))
        })
}

fn kind_of_class(class: &NamedNode) -> Result<String, GraphError> {
    Ok(match class.as_str() {
        c if c == dcat::DATASET.as_str() => "dataset",
        c if c == civicgraph_vocab::cg::CASE_STUDY.as_str() => "case-study",
        c if c == dcat::CATALOG.as_str() => "catalogue",
        other => return Err(invalid(format!("cgs:type <{other}> is not an indexed type"))),
    }
    .to_owned())
}

impl ServiceHandler for SearchService {
    type Error = GraphError;

    fn handle(
        &self,
        pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, GraphError> {
        let request = parse(pattern)?;
        let text = request.text.as_deref().unwrap_or_default();
        let hits =
            self.index
                .search_filtered(text, &request.filter, request.limit.unwrap_or(DEFAULT_LIMIT))?;
        let columns: Vec<&Option<Variable>> = vec![&request.hit, &request.score, &request.snippet];
        let variables: Arc<[Variable]> = columns.iter().filter_map(|v| (*v).clone()).collect();
        let rows: Vec<Result<Vec<Option<Term>>, QueryEvaluationError>> = hits
            .into_iter()
            .map(|hit| {
                let mut row = Vec::with_capacity(variables.len());
                if request.hit.is_some() {
                    row.push(NamedNode::new(hit.iri).ok().map(Term::from));
                }
                if request.score.is_some() {
                    row.push(Some(Literal::from(f64::from(hit.score)).into()));
                }
                if request.snippet.is_some() {
                    row.push(Some(Literal::from(hit.snippet).into()));
                }
                Ok(row)
            })
            .collect();
        Ok(QuerySolutionIter::from_tuples(variables, rows))
    }
}
