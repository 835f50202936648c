//! What the API returns for a labelled value (a pattern, theme, format, licence, catalogue
//! or publisher) and for a record's patterns. The labels themselves come from the one label
//! resolution, [`civicgraph_graph::Labels`].

use civicgraph_graph::{Assignment, Labels};

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

/// A record's patterns, labelled: the strongest assignment of each pattern, as the record
/// view and the search index keep them (by pattern, the strongest first).
pub fn pattern_tags(labels: &Labels<'_>, assignments: &[Assignment]) -> Vec<PatternTag> {
    civicgraph_graph::strongest(assignments)
        .map(|a| PatternTag {
            label: labels.of_value(&a.pattern_iri()),
            pattern: a.pattern.clone(),
            method: a.method.as_str().to_owned(),
            confidence: a.confidence,
            evidence: a.evidence.clone(),
        })
        .collect()
}

/// `value` with its label.
pub fn labelled(labels: &Labels<'_>, value: &str) -> Labelled {
    Labelled {
        value: value.to_owned(),
        label: labels.of_value(value),
    }
}
