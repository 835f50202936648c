//! `civicgraph tag --explain`: the patterns of one record, a file's records or plain text,
//! with every pattern's score and the evidence, computed by the same code that tags the
//! graph, so a case-study file explained here gets the tags a harvest of it gets.

use super::{Assignment, CaseStudyPatterns, Score, Tagger, is_case_study, use_patterns};
use crate::enrich::mapped_document::MappedDocument;
use crate::error::{IngestError, Result};
use civicgraph_graph::{Graph, Record, RecordReader};
use oxigraph::model::NamedNode;

/// The tags of one record and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    /// The record's IRI, or `text` for plain text.
    pub record: String,
    /// What names it ([`Record::display_title`]: a dataset a case study names only by a
    /// portal's id is named by that id); none for plain text.
    pub title: Option<String>,
    /// What it is tagged with.
    pub assignments: Vec<Assignment>,
    /// Every pattern's score, whether it passed or not.
    pub scores: Vec<Score>,
    /// Whether the scores decided: false for a dataset when its own text is not read for
    /// patterns (`dataset_text`), whose scores say only what the text would have scored.
    pub scores_decide: bool,
}

impl Explanation {
    fn new(tagger: &Tagger, record: String, input: &Record, assignments: Vec<Assignment>) -> Result<Self> {
        Ok(Self {
            record,
            title: (!input.iri.is_empty()).then(|| input.display_title().to_owned()),
            assignments,
            scores: tagger.scores(input)?,
            scores_decide: tagger.settings.dataset_text
                || input.kind != Some(civicgraph_graph::RecordKind::Dataset),
        })
    }

    /// Human-readable lines.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.record);
        if let Some(title) = &self.title {
            let _ = writeln!(out, "  title: {title}");
        }
        for a in &self.assignments {
            let method = match a.method {
                super::Method::Curated => "curated",
                super::Method::Inferred => "inferred",
            };
            let _ = writeln!(
                out,
                "  {} ({method}, confidence {:.3})",
                a.pattern.to_uppercase(),
                a.confidence
            );
            for evidence in &a.evidence {
                let _ = writeln!(out, "    {evidence}");
            }
        }
        let scores: Vec<String> = self
            .scores
            .iter()
            .map(|s| {
                let sentences = s
                    .sentences
                    .map(|p| format!(", sentences {p:.3}"))
                    .unwrap_or_default();
                format!(
                    "{} {:.3} (words {:.3}, characters {:.3}{sentences}; confidence {:.3})",
                    s.pattern, s.score, s.words, s.characters, s.confidence
                )
            })
            .collect();
        let label = if self.scores_decide {
            "scores"
        } else {
            "its text would score (not read for a dataset's patterns)"
        };
        let _ = writeln!(out, "  {label}: {}", scores.join(", "));
        if let Some(gate) = self.scores.first().map(|s| s.gate) {
            let _ = writeln!(out, "  any pattern (the gate): {gate:.3}");
        }
        out
    }
}

/// Explains plain text.
pub fn explain_text(tagger: &Tagger, text: &str) -> Result<Explanation> {
    let input = Record::from_text(text);
    Explanation::new(tagger, "text".into(), &input, tagger.infer(&input)?)
}

/// Explains every dataset and case study of a file, mapped as a harvest would map it.
pub fn explain_document(
    tagger: &Tagger,
    bytes: &[u8],
    name: &str,
    base: Option<&str>,
) -> Result<Vec<Explanation>> {
    explain_mapped(tagger, &MappedDocument::map(bytes, name, base)?)
}

/// Explains every dataset and case study of a document already mapped.
pub fn explain_mapped(tagger: &Tagger, document: &MappedDocument) -> Result<Vec<Explanation>> {
    let (store, records) = (document.store(), &document.records);
    let mut reader = document.reader();
    // As a harvest's tagging does: the document's case studies first, so that a dataset
    // they used takes the patterns they are given.
    let mut fresh = CaseStudyPatterns::new();
    for record in records {
        if is_case_study(store, record, &[])? {
            let assigned = tagger.assign(&mut reader, record, &[], &fresh)?;
            fresh.insert(record.clone(), use_patterns(&assigned));
        }
    }
    records
        .iter()
        .map(|record| explain_in(tagger, &mut reader, record, &[], &fresh))
        .collect()
}

/// Explains a record of the graph.
pub fn explain_record(tagger: &Tagger, graph: &Graph, iri: &str) -> Result<Explanation> {
    let record =
        NamedNode::new(iri).map_err(|e| IngestError::Config(format!("{iri:?} is not an IRI: {e}")))?;
    let layout = graph.layout();
    let derived = layout.derived_graphs();
    if !super::records_in_subject(graph.store(), &record, &derived)? {
        return Err(IngestError::Config(format!(
            "<{iri}> is not a dataset or case study in the store"
        )));
    }
    explain_in(
        tagger,
        &mut RecordReader::new(graph.labels(), layout),
        &record,
        &derived,
        &CaseStudyPatterns::new(),
    )
}

fn explain_in(
    tagger: &Tagger,
    reader: &mut RecordReader<'_>,
    record: &NamedNode,
    ignore: &[NamedNode],
    fresh: &CaseStudyPatterns,
) -> Result<Explanation> {
    let input = reader.read(record.as_ref())?.unwrap_or_default();
    let assignments = tagger.assign(reader, record, ignore, fresh)?;
    Explanation::new(tagger, record.as_str().to_owned(), &input, assignments)
}
