//! What the API returns for a labelled value (a pattern, theme, format, licence, catalogue
//! or publisher) and for a record's patterns. The labels themselves come from the one label
//! resolution, [`civicgraph_graph::Labels`].

use civicgraph_graph::{Graph, Labels};

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
    labels: &Labels<'_>,
    record: &str,
) -> Result<Vec<PatternTag>, super::JsonError> {
    let node = oxigraph::model::NamedNode::new(record)
        .map_err(|e| super::JsonError(crate::error::ApiError::Internal(format!("{record}: {e}"))))?;
    Ok(
        civicgraph_ingest::enrich::tag::apply::stored_assignments(graph, &node)?
            .into_values()
            .map(|a| PatternTag {
                label: labels.of_value(&format!("{}{}", civicgraph_vocab::cgp::NAMESPACE, a.pattern)),
                pattern: a.pattern,
                method: match a.method {
                    civicgraph_ingest::enrich::tag::Method::Curated => "curated".into(),
                    civicgraph_ingest::enrich::tag::Method::Inferred => "inferred".into(),
                },
                confidence: a.confidence,
                evidence: a.evidence,
            })
            .collect(),
    )
}

/// `value` with its label.
pub fn labelled(labels: &Labels<'_>, value: &str) -> Labelled {
    Labelled {
        value: value.to_owned(),
        label: labels.of_value(value),
    }
}
