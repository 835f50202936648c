//! Reads searchable records (datasets, case studies and catalogues) out of the store.
//!
//! The index is derived from the store, so this is the only place that decides what a
//! record's title, publisher, catalogue or region is. It uses direct pattern lookups, not
//! SPARQL, because it runs once per changed record on every write.

use crate::error::Result;
use civicgraph_vocab::cg;
use civicgraph_vocab::ext::{dcat, dct, foaf, schema, skos};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{GraphName, NamedNodeRef, NamedOrBlankNodeRef, Quad, Term, TermRef};
use oxigraph::store::Store;
use std::collections::HashMap;

/// The kinds of record the search index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A `dcat:Dataset`.
    Dataset,
    /// A `cg:CaseStudy`.
    CaseStudy,
    /// A `dcat:Catalog`.
    Catalogue,
}

impl RecordKind {
    /// Every kind, with the class that marks it.
    pub const ALL: [(RecordKind, NamedNodeRef<'static>); 3] = [
        (RecordKind::Dataset, dcat::DATASET),
        (RecordKind::CaseStudy, cg::CASE_STUDY),
        (RecordKind::Catalogue, dcat::CATALOG),
    ];

    /// The stable name used in the index and in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Dataset => "dataset",
            RecordKind::CaseStudy => "case-study",
            RecordKind::Catalogue => "catalogue",
        }
    }
}

/// Everything the index holds about one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub iri: String,
    pub kind: Option<RecordKind>,
    pub titles: Vec<String>,
    pub descriptions: Vec<String>,
    pub keywords: Vec<String>,
    pub publishers: Vec<String>,
    pub themes: Vec<String>,
    pub patterns: Vec<String>,
    pub catalogues: Vec<String>,
    pub regions: Vec<String>,
    /// Distribution formats and media types: IRIs of the EU file-type table, or as written.
    pub formats: Vec<String>,
    /// Licences of the record or its distributions: IRIs, or as written.
    pub licences: Vec<String>,
    pub graphs: Vec<String>,
    /// Seconds since the epoch of the record's issue (or else modification) date.
    pub date: Option<i64>,
}

/// Reads records one after another, remembering the names of the agents and places they
/// point to: a catalogue has a few hundred publishers and places for many thousands of
/// records, so a rebuild of the index looks each name up once, not once per record.
pub struct RecordReader<'a> {
    store: &'a Store,
    labels: HashMap<Term, Option<String>>,
    /// civicgraph's own graphs whose statements about a record count (tags, links).
    derived: [GraphName; 2],
}

impl std::fmt::Debug for RecordReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("labels", &self.labels.len())
            .finish_non_exhaustive()
    }
}

impl<'a> RecordReader<'a> {
    /// A reader of `store`, whose graphs are laid out as `layout` says.
    pub fn new(store: &'a Store, layout: &crate::Layout) -> Self {
        Self {
            store,
            labels: HashMap::new(),
            derived: [layout.tags_graph().into(), layout.links_graph().into()],
        }
    }

    /// Reads the record at `iri`, or `None` when it is not a dataset, case study or
    /// catalogue.
    pub fn read(&mut self, iri: NamedNodeRef<'_>) -> Result<Option<Record>> {
        let store = self.store;
        let mut record = Record {
            iri: iri.as_str().to_owned(),
            ..Record::default()
        };
        let mut issued = None;
        let mut modified = None;
        // What a record says comes from the graphs that type it (its sources) and from the
        // tags and links: another source cannot add titles, pages or types to a record it
        // does not hold.
        let quads: Vec<Quad> = store
            .quads_for_pattern(Some(iri.into()), None, None, None)
            .collect::<std::result::Result<_, _>>()?;
        let owners: Vec<GraphName> = quads
            .iter()
            .filter(|q| q.predicate.as_ref() == rdf::TYPE)
            .map(|q| q.graph_name.clone())
            .chain(self.derived.iter().cloned())
            .collect();
        for quad in quads.iter().filter(|q| owners.contains(&q.graph_name)) {
            let p = quad.predicate.as_ref();
            let o = quad.object.as_ref();
            if p == rdf::TYPE {
                for (kind, class) in RecordKind::ALL {
                    // The first matching kind wins, so a record typed both ways is indexed once.
                    if o == class.into() && record.kind.is_none() {
                        record.kind = Some(kind);
                        push_unique(&mut record.graphs, quad.graph_name.to_string());
                    }
                }
            } else if p == dct::TITLE || p == schema::NAME || p == rdfs::LABEL {
                push_literal(&mut record.titles, o);
            } else if p == dct::DESCRIPTION || p == schema::DESCRIPTION || p == schema::ABSTRACT {
                push_literal(&mut record.descriptions, o);
            } else if p == dcat::KEYWORD || p == schema::KEYWORDS {
                push_literal(&mut record.keywords, o);
            } else if p == dct::PUBLISHER || p == dct::CREATOR || p == dct::CONTRIBUTOR {
                if let Some(name) = self.label(o)? {
                    push_unique(&mut record.publishers, name);
                }
            } else if p == dcat::THEME {
                push_iri(&mut record.themes, o);
            } else if p == cg::USE_PATTERN {
                push_iri(&mut record.patterns, o);
            } else if p == dct::SPATIAL || p == schema::SPATIAL_COVERAGE {
                if let Some(name) = self.label(o)? {
                    push_unique(&mut record.regions, name);
                }
            } else if p == dct::ISSUED || p == schema::DATE_PUBLISHED || p == dct::DATE {
                issued = issued.or_else(|| literal_date(o));
            } else if p == dct::MODIFIED {
                modified = modified.or_else(|| literal_date(o));
            } else if p == dct::LICENSE {
                push_term(&mut record.licences, o);
            } else if p == dcat::DISTRIBUTION_PROPERTY {
                read_distribution(store, o, &mut record)?;
            }
        }
        if record.kind.is_none() {
            return Ok(None);
        }
        record.date = issued.or(modified);
        for quad in store.quads_for_pattern(None, Some(dcat::DATASET_PROPERTY), Some(iri.into()), None) {
            let catalogue = quad?.subject;
            if let NamedOrBlankNodeRef::NamedNode(node) = catalogue.as_ref() {
                push_unique(&mut record.catalogues, node.as_str().to_owned());
            }
            for spatial in store.quads_for_pattern(Some(catalogue.as_ref()), Some(dct::SPATIAL), None, None) {
                if let Some(name) = self.label(spatial?.object.as_ref())? {
                    push_unique(&mut record.regions, name);
                }
            }
        }
        Ok(Some(record))
    }

    /// [`label_of`], remembered.
    fn label(&mut self, term: TermRef<'_>) -> Result<Option<String>> {
        if let TermRef::Literal(literal) = term {
            return Ok(Some(literal.value().to_owned()));
        }
        let key = term.into_owned();
        if let Some(label) = self.labels.get(&key) {
            return Ok(label.clone());
        }
        let label = label_of(self.store, term)?;
        if self.labels.len() < 100_000 {
            self.labels.insert(key, label.clone());
        }
        Ok(label)
    }
}

/// The formats and licences of a distribution.
fn read_distribution(store: &Store, term: TermRef<'_>, record: &mut Record) -> Result<()> {
    let subject: NamedOrBlankNodeRef<'_> = match term {
        TermRef::NamedNode(node) => node.into(),
        TermRef::BlankNode(node) => node.into(),
        _ => return Ok(()),
    };
    for quad in store.quads_for_pattern(Some(subject), None, None, None) {
        let quad = quad?;
        let p = quad.predicate.as_ref();
        if p == dct::FORMAT || p == dcat::MEDIA_TYPE {
            push_term(&mut record.formats, quad.object.as_ref());
        } else if p == dct::LICENSE {
            push_term(&mut record.licences, quad.object.as_ref());
        }
    }
    Ok(())
}

/// An IRI as it is, a literal by its value.
fn push_term(values: &mut Vec<String>, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(node) => push_unique(values, node.as_str().to_owned()),
        TermRef::Literal(literal) => push_unique(values, literal.value().trim().to_owned()),
        _ => {}
    }
}

/// The human name of an agent, place or concept: a literal as is, else the first of its
/// name or label properties, else the IRI itself so that nothing is silently dropped.
fn label_of(store: &Store, term: TermRef<'_>) -> Result<Option<String>> {
    let subject: NamedOrBlankNodeRef<'_> = match term {
        TermRef::Literal(literal) => return Ok(Some(literal.value().to_owned())),
        TermRef::NamedNode(node) => node.into(),
        TermRef::BlankNode(node) => node.into(),
        #[allow(unreachable_patterns)]
        _ => return Ok(None),
    };
    for property in [
        foaf::NAME,
        skos::PREF_LABEL,
        rdfs::LABEL,
        dct::TITLE,
        schema::NAME,
    ] {
        let mut best: Option<String> = None;
        for quad in store.quads_for_pattern(Some(subject), Some(property), None, None) {
            if let Term::Literal(literal) = quad?.object {
                // Prefer English or untagged names; keep any other as a fallback.
                let english = matches!(literal.language(), None | Some("en"));
                if english {
                    return Ok(Some(literal.value().to_owned()));
                }
                best.get_or_insert_with(|| literal.value().to_owned());
            }
        }
        if best.is_some() {
            return Ok(best);
        }
    }
    Ok(match term {
        TermRef::NamedNode(node) => Some(node.as_str().to_owned()),
        _ => None,
    })
}

fn push_literal(values: &mut Vec<String>, term: TermRef<'_>) {
    if let TermRef::Literal(literal) = term {
        push_unique(values, literal.value().to_owned());
    }
}

fn push_iri(values: &mut Vec<String>, term: TermRef<'_>) {
    if let TermRef::NamedNode(node) = term {
        push_unique(values, node.as_str().to_owned());
    }
}

fn push_unique(values: &mut Vec<String>, value: String) {
    if !value.is_empty() && !values.contains(&value) {
        values.push(value);
    }
}

fn literal_date(term: TermRef<'_>) -> Option<i64> {
    match term {
        TermRef::Literal(literal) => parse_date(literal.value()),
        _ => None,
    }
}

/// Seconds since the epoch at the start of the day a date (`YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD`, or a date-time) names. Harvested dates are messy, so anything else is
/// `None` rather than an error.
pub fn parse_date(value: &str) -> Option<i64> {
    let value = value.trim();
    let date = value.split(['T', ' ']).next()?;
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: i64 = parts
        .next()
        .map_or(Some(1), |d| d.get(..2).unwrap_or(d).parse().ok())?;
    if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil, after Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// The calendar year of a time in seconds since the epoch (years 1000 to 9999).
pub fn year_of(seconds: i64) -> Option<u64> {
    let days = seconds.div_euclid(86_400);
    // Civil from days, after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (1000..=9999).contains(&year).then_some(year as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_shapes_catalogues_use() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-03-01"), Some(1_709_251_200));
        assert_eq!(parse_date("2024-03-01T10:00:00Z"), Some(1_709_251_200));
        assert_eq!(parse_date("2024"), Some(1_704_067_200));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("last tuesday"), None);
    }

    #[test]
    fn years_of_dates() {
        for (date, year) in [
            ("1970-01-01", 1970),
            ("2024-02-29", 2024),
            ("2024-12-31", 2024),
            ("2025-01-01", 2025),
            ("1999-03-01", 1999),
        ] {
            assert_eq!(year_of(parse_date(date).unwrap()), Some(year), "{date}");
        }
    }
}
