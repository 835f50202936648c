//! Pattern assignments: the one type the tagger writes, the record view reads back and the
//! search index keeps beside each document, so that a page of hits shows its patterns, how
//! each was assigned and why, without a store read per hit.

use crate::error::{GraphError, Result};
use civicgraph_vocab::{cg, cgp};
use oxigraph::model::{NamedNodeRef, Term, TermRef};
use serde::{Deserialize, Serialize};

/// How an assignment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Stated by the source.
    Curated,
    /// Inferred by the model.
    Inferred,
}

impl Method {
    /// The method `cg:Curated` or `cg:Inferred` names.
    pub fn of(iri: NamedNodeRef<'_>) -> Option<Self> {
        if iri == cg::CURATED {
            Some(Method::Curated)
        } else if iri == cg::INFERRED {
            Some(Method::Inferred)
        } else {
            None
        }
    }

    /// Its class: `cg:Curated` or `cg:Inferred`.
    pub fn iri(self) -> NamedNodeRef<'static> {
        match self {
            Method::Curated => cg::CURATED,
            Method::Inferred => cg::INFERRED,
        }
    }

    /// The name the index and the APIs give it: `curated` or `inferred`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Curated => "curated",
            Method::Inferred => "inferred",
        }
    }
}

/// One pattern assigned to one record (`none` for NONE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// `access`, `planning`, `policy` or `none`.
    pub pattern: String,
    /// Curated or inferred.
    pub method: Method,
    /// 1 for curated; the model's probability for inferred; for NONE, the probability
    /// that no pattern applies.
    pub confidence: f64,
    /// What drove it, strongest first: the record's own words with the rule behind them, or
    /// the source or case study that stated it.
    pub evidence: Vec<String>,
}

impl Assignment {
    /// The pattern's IRI.
    pub fn pattern_iri(&self) -> String {
        format!("{}{}", cgp::NAMESPACE, self.pattern)
    }
}

/// Strongest first, then alphabetically: the one order of evidence lines, as the tagger
/// gives them and as they are read back from the store (which keeps no order).
pub fn order_evidence(lines: &mut [String]) {
    lines.sort_by(|a, b| {
        evidence_weight(b)
            .total_cmp(&evidence_weight(a))
            .then_with(|| a.cmp(b))
    });
}

/// The weight in an evidence line such as `"…" (planning rule: "inspections") (+1.21)`.
fn evidence_weight(line: &str) -> f64 {
    line.rsplit_once("(+")
        .and_then(|(_, w)| w.trim_end_matches(')').parse().ok())
        .unwrap_or(0.0)
}

/// The assignments one `cg:PatternAssignment` node states: one per ODI pattern it gives
/// (most give one), none when it names no method, since then nothing vouches for it.
/// One scan of the node's statements.
pub(crate) fn read(
    statements: &dyn crate::statements::Statements,
    node: TermRef<'_>,
) -> Result<Vec<Assignment>> {
    let Some(subject) = crate::statements::as_subject(node) else {
        return Ok(Vec::new());
    };
    let mut patterns = Vec::new();
    let mut method = None;
    let mut stated = None;
    let mut evidence = Vec::new();
    for quad in statements.about(subject, None)? {
        match (quad.predicate.as_ref(), quad.object) {
            (p, Term::NamedNode(pattern)) if p == cg::PATTERN => {
                if let Some(local) = pattern.as_str().strip_prefix(cgp::NAMESPACE)
                    && cgp::ALL.contains(&pattern.as_ref())
                    && !patterns.iter().any(|p| p == local)
                {
                    patterns.push(local.to_owned());
                }
            }
            (p, Term::NamedNode(m)) if p == cg::METHOD => match Method::of(m.as_ref()) {
                // A node that says both is curated: a source stated it.
                Some(Method::Curated) => method = Some(Method::Curated),
                Some(Method::Inferred) => method = method.or(Some(Method::Inferred)),
                None => {}
            },
            (p, Term::Literal(l)) if p == cg::CONFIDENCE && stated.is_none() => {
                stated = l.value().trim().parse::<f64>().ok().filter(|c| c.is_finite());
            }
            (p, Term::Literal(l)) if p == cg::EVIDENCE => evidence.push(l.value().to_owned()),
            _ => {}
        }
    }
    let Some(method) = method else {
        return Ok(Vec::new());
    };
    // A curated assignment that states no confidence counts 1, as the vocabulary defines;
    // an inferred one that states none counts 0.
    let confidence = stated
        .unwrap_or(if method == Method::Curated { 1.0 } else { 0.0 })
        .clamp(0.0, 1.0);
    order_evidence(&mut evidence);
    Ok(patterns
        .into_iter()
        .map(|pattern| Assignment {
            pattern,
            method,
            confidence,
            evidence: evidence.clone(),
        })
        .collect())
}

/// The order a record's assignments are kept in: by pattern, then the strongest first
/// (curated before inferred, then the higher confidence), so that the first of each
/// pattern is the one to show.
pub(crate) fn sort(assignments: &mut [Assignment]) {
    assignments.sort_by(|a, b| {
        a.pattern
            .cmp(&b.pattern)
            .then_with(|| (a.method != Method::Curated).cmp(&(b.method != Method::Curated)))
            .then_with(|| b.confidence.total_cmp(&a.confidence))
    });
}

/// The assignment to show of each pattern: the first, in the order [`sort`] keeps them in
/// (a record's and a hit's), is the strongest.
pub fn strongest(assignments: &[Assignment]) -> impl Iterator<Item = &Assignment> {
    assignments
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || assignments[i - 1].pattern != a.pattern)
        .map(|(_, a)| a)
}

/// The assignments as the index stores them beside a document.
pub(crate) fn encode(assignments: &[Assignment]) -> String {
    serde_json::to_string(assignments).expect("assignments are plain data")
}

/// The assignments the index stored for record `iri`.
pub(crate) fn decode(iri: &str, stored: &str) -> Result<Vec<Assignment>> {
    serde_json::from_str(stored).map_err(|e| GraphError::StoredAssignments {
        record: iri.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_ordered_strongest_first_then_alphabetically() {
        let mut lines = vec![
            "\"permits\" (access rule: \"apply\") (+0.40)".to_owned(),
            "stated by the source in <g>".to_owned(),
            "\"inspections\" (planning rule: \"inspections\") (+1.21)".to_owned(),
            "\"apply\" (access rule: \"apply\") (+0.40)".to_owned(),
        ];
        order_evidence(&mut lines);
        assert_eq!(
            lines,
            [
                "\"inspections\" (planning rule: \"inspections\") (+1.21)",
                "\"apply\" (access rule: \"apply\") (+0.40)",
                "\"permits\" (access rule: \"apply\") (+0.40)",
                "stated by the source in <g>",
            ]
        );
    }

    #[test]
    fn a_stored_page_of_assignments_reads_back_as_written() {
        let assignments = vec![Assignment {
            pattern: "planning".into(),
            method: Method::Inferred,
            confidence: 0.812,
            evidence: vec!["\"a \\\"quoted\\\"\ttab\" (+0.5)".into()],
        }];
        let stored = encode(&assignments);
        assert_eq!(decode("http://example.org/r", &stored).unwrap(), assignments);
        let error = decode("http://example.org/r", "[{").unwrap_err().to_string();
        assert!(error.contains("http://example.org/r"), "{error}");
    }

    #[test]
    fn the_strongest_assignment_of_each_pattern_comes_first_and_is_the_one_shown() {
        let a = |pattern: &str, method, confidence| Assignment {
            pattern: pattern.into(),
            method,
            confidence,
            evidence: Vec::new(),
        };
        let mut list = vec![
            a("policy", Method::Inferred, 0.9),
            a("access", Method::Inferred, 0.95),
            a("access", Method::Curated, 1.0),
            a("policy", Method::Inferred, 0.95),
        ];
        sort(&mut list);
        let shown: Vec<(&str, Method, f64)> = strongest(&list)
            .map(|x| (x.pattern.as_str(), x.method, x.confidence))
            .collect();
        assert_eq!(
            shown,
            [
                ("access", Method::Curated, 1.0),
                ("policy", Method::Inferred, 0.95)
            ]
        );
        let order: Vec<(&str, Method, f64)> = list
            .iter()
            .map(|x| (x.pattern.as_str(), x.method, x.confidence))
            .collect();
        assert_eq!(
            order,
            [
                ("access", Method::Curated, 1.0),
                ("access", Method::Inferred, 0.95),
                ("policy", Method::Inferred, 0.95),
                ("policy", Method::Inferred, 0.9),
            ]
        );
    }
}
