//! Human labels for the IRIs the API returns (patterns, themes, formats, licences,
//! catalogues, publishers): the vocabulary's, the EU authority tables', or the store's
//! `dct:title` / `foaf:name` / `skos:prefLabel` / `rdfs:label` (English first), looked up
//! once per request.

use civicgraph_graph::Graph;
use civicgraph_vocab::ext::{dct, foaf, skos};
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{NamedNodeRef, Term};
use std::collections::HashMap;

/// The ODI patterns: local name, notation, label, definition.
pub const PATTERNS: [(&str, &str, &str, &str); 3] = [
    (
        "access",
        "P1",
        "Access to services",
        "Open data increases access to services for citizens or organisations.",
    ),
    (
        "planning",
        "P2",
        "Planning and efficient delivery",
        "Open data helps plan service delivery and makes delivery chains more efficient.",
    ),
    (
        "policy",
        "P3",
        "Informing policy",
        "Open data informs policymaking.",
    ),
];

/// A value with its label.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Labelled {
    /// The value (an IRI, or text as the source wrote it).
    pub value: String,
    /// What to show.
    pub label: String,
}

/// One pattern of a record, as search hits and record pages show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PatternTag {
    /// `access`, `planning`, `policy` or `none`.
    pub pattern: String,
    /// "P1 Access to services", ...
    pub label: String,
    /// `curated` or `inferred`.
    pub method: String,
    /// In [0, 1].
    pub confidence: f64,
    /// The features that drove it, or the source that stated it.
    pub evidence: Vec<String>,
}

/// The stored patterns of `record`, labelled.
pub fn pattern_tags(
    graph: &Graph,
    labels: &mut Labels<'_>,
    record: &str,
) -> Result<Vec<PatternTag>, super::JsonError> {
    let node = oxigraph::model::NamedNode::new(record)
        .map_err(|e| super::JsonError(crate::error::ApiError::Internal(format!("{record}: {e}"))))?;
    Ok(civicgraph_ingest::tag::apply::stored_assignments(graph, &node)?
        .into_values()
        .map(|a| PatternTag {
            label: labels.label(&format!("{}{}", civicgraph_vocab::cgp::NAMESPACE, a.pattern)),
            pattern: a.pattern,
            method: match a.method {
                civicgraph_ingest::tag::Method::Curated => "curated".into(),
                civicgraph_ingest::tag::Method::Inferred => "inferred".into(),
            },
            confidence: a.confidence,
            evidence: a.evidence,
        })
        .collect())
}

/// Labels, cached for one request.
#[derive(Debug)]
pub struct Labels<'a> {
    graph: &'a Graph,
    cache: HashMap<String, String>,
}

impl<'a> Labels<'a> {
    /// Labels from `graph`.
    pub fn new(graph: &'a Graph) -> Self {
        Self {
            graph,
            cache: HashMap::new(),
        }
    }

    /// `value` with its label.
    pub fn labelled(&mut self, value: &str) -> Labelled {
        Labelled {
            value: value.to_owned(),
            label: self.label(value),
        }
    }

    /// The label of `value`; the value itself when nothing names it.
    pub fn label(&mut self, value: &str) -> String {
        if let Some(label) = self.cache.get(value) {
            return label.clone();
        }
        let label = self.lookup(value).unwrap_or_else(|| value.to_owned());
        self.cache.insert(value.to_owned(), label.clone());
        label
    }

    fn lookup(&self, value: &str) -> Option<String> {
        if let Some(local) = value.strip_prefix(civicgraph_vocab::cgp::NAMESPACE) {
            return PATTERNS
                .iter()
                .find(|(name, ..)| *name == local)
                .map(|(_, notation, label, _)| format!("{notation} {label}"))
                .or_else(|| (local == "none").then(|| "No pattern".to_owned()));
        }
        if let Some(label) = civicgraph_ingest::authority::label(value) {
            return Some(label.to_owned());
        }
        let node = NamedNodeRef::new(value).ok()?;
        for property in [dct::TITLE, foaf::NAME, skos::PREF_LABEL, rdfs::LABEL] {
            let mut fallback = None;
            for quad in self
                .graph
                .store()
                .quads_for_pattern(Some(node.into()), Some(property), None, None)
            {
                if let Ok(quad) = quad
                    && let Term::Literal(literal) = quad.object
                {
                    if matches!(literal.language(), None | Some("en")) {
                        return Some(literal.value().to_owned());
                    }
                    fallback.get_or_insert_with(|| literal.value().to_owned());
                }
            }
            if fallback.is_some() {
                return fallback;
            }
        }
        None
    }
}
