//! Facet counts for a search: how many matching records have each value of each facet.
//!
//! A tantivy collector that counts term ordinals of the facets' columnar (fast) fields into
//! one array per facet and segment, and turns only the top ordinals back into strings. It
//! replaces tantivy's terms aggregations, which build a general bucket tree per request and
//! per facet: on the benchmark's searches they were most of `/api/search`'s time. Counts are
//! exact (no shard-size cut), and a record counts once per value however often it lists it.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A facet and the index field behind it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FacetField {
    /// The API's name for it.
    pub name: &'static str,
    /// The fast field counted.
    pub field: &'static str,
    /// Whether the field is a `u64` column (the year) rather than strings.
    pub numeric: bool,
}

/// Counts the values of `facets` over the matching documents, keeping the `size` most
/// frequent of each (ties in value order).
pub(crate) struct FacetCollector {
    pub facets: Vec<FacetField>,
    pub size: usize,
}

/// Counted values per facet, in the collector's facet order: `(value, count)`, most
/// frequent first.
pub(crate) type FacetCounts = Vec<Vec<(String, u64)>>;

/// One segment's column of one facet.
enum SegmentColumn {
    Text(StrColumn),
    Number(Column<u64>),
    /// The segment holds no value of the facet.
    Absent,
}

pub(crate) struct FacetSegmentCollector {
    columns: Vec<SegmentColumn>,
    /// Per facet: documents counted per term ordinal (strings) or per value (numbers).
    text_counts: Vec<Vec<u64>>,
    number_counts: Vec<HashMap<u64, u64>>,
    /// The ordinals of the current document, to count each once.
    seen: Vec<u64>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let fast = segment.fast_fields();
        let mut columns = Vec::with_capacity(self.facets.len());
        let mut text_counts = Vec::with_capacity(self.facets.len());
        for facet in &self.facets {
            let column = if facet.numeric {
                fast.column_opt::<u64>(facet.field)?
                    .map_or(SegmentColumn::Absent, SegmentColumn::Number)
            } else {
                fast.str(facet.field)?
                    .map_or(SegmentColumn::Absent, SegmentColumn::Text)
            };
            text_counts.push(match &column {
                SegmentColumn::Text(column) => vec![0; column.num_terms()],
                _ => Vec::new(),
            });
            columns.push(column);
        }
        Ok(FacetSegmentCollector {
            number_counts: vec![HashMap::new(); columns.len()],
            columns,
            text_counts,
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<HashMap<String, u64>>>) -> tantivy::Result<FacetCounts> {
        let mut merged: Vec<HashMap<String, u64>> = vec![HashMap::new(); self.facets.len()];
        for segment in segments {
            for (into, counts) in merged.iter_mut().zip(segment) {
                for (value, count) in counts {
                    *into.entry(value).or_default() += count;
                }
            }
        }
        Ok(merged
            .into_iter()
            .map(|counts| {
                let mut values: Vec<(String, u64)> = counts.into_iter().collect();
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                values.truncate(self.size);
                values
            })
            .collect())
    }
}

impl SegmentCollector for FacetSegmentCollector {
    /// Per facet, value to count. Only values a document had are present, at most the
    /// number of distinct values the segment holds.
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (i, column) in self.columns.iter().enumerate() {
            match column {
                SegmentColumn::Text(column) => {
                    distinct(&mut self.seen, column.term_ords(doc));
                    for &ord in &self.seen {
                        self.text_counts[i][ord as usize] += 1;
                    }
                }
                SegmentColumn::Number(column) => {
                    distinct(&mut self.seen, column.values_for_doc(doc));
                    for &value in &self.seen {
                        *self.number_counts[i].entry(value).or_default() += 1;
                    }
                }
                SegmentColumn::Absent => {}
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        for ((column, text_counts), number_counts) in
            self.columns.iter().zip(self.text_counts).zip(self.number_counts)
        {
            let mut counts = HashMap::new();
            match column {
                SegmentColumn::Text(column) => {
                    let ords: Vec<u64> = (0..text_counts.len() as u64)
                        .filter(|&ord| text_counts[ord as usize] > 0)
                        .collect();
                    let mut names = Vec::with_capacity(ords.len());
                    // One pass over the dictionary for all counted ordinals, in order. Should
                    // it fail part way (a corrupt segment), the values it did not give back
                    // are left out rather than the whole search failed.
                    let _ = column
                        .dictionary()
                        .sorted_ords_to_term_cb(ords.iter().copied(), |bytes| {
                            names.push(String::from_utf8_lossy(bytes).into_owned());
                            Ok(())
                        });
                    counts.extend(
                        names
                            .into_iter()
                            .zip(&ords)
                            .map(|(name, &ord)| (name, text_counts[ord as usize])),
                    );
                }
                SegmentColumn::Number(_) => {
                    counts.extend(number_counts.into_iter().map(|(v, n)| (v.to_string(), n)));
                }
                SegmentColumn::Absent => {}
            }
            out.push(counts);
        }
        out
    }
}

/// Fills `into` with `values` without repeats: a record counts once per value.
fn distinct(into: &mut Vec<u64>, values: impl Iterator<Item = u64>) {
    into.clear();
    into.extend(values);
    if into.len() > 1 {
        into.sort_unstable();
        into.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    #[test]
    fn counts_each_record_once_per_value_most_frequent_first_over_segments() {
        let mut schema = Schema::builder();
        let theme = schema.add_text_field("theme", STRING | FAST);
        let year = schema.add_u64_field("year", INDEXED | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let add = |writer: &mut tantivy::IndexWriter, themes: &[&str], y: Option<u64>| {
            let mut doc = TantivyDocument::new();
            for t in themes {
                doc.add_text(theme, t);
            }
            if let Some(y) = y {
                doc.add_u64(year, y);
            }
            writer.add_document(doc).unwrap();
        };
        add(&mut writer, &["transport", "transport", "health"], Some(2024));
        add(&mut writer, &["health"], Some(2023));
        writer.commit().unwrap();
        // A second segment, one record without a theme.
        add(&mut writer, &["environment"], Some(2024));
        add(&mut writer, &[], None);
        add(&mut writer, &["health", "environment"], Some(2024));
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let collector = |size| FacetCollector {
            facets: vec![
                FacetField {
                    name: "theme",
                    field: "theme",
                    numeric: false,
                },
                FacetField {
                    name: "year",
                    field: "year",
                    numeric: true,
                },
            ],
            size,
        };
        let owned = |values: &[(&str, u64)]| -> Vec<(String, u64)> {
            values.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
        };

        let counts = searcher.search(&AllQuery, &collector(10)).unwrap();
        assert_eq!(
            counts[0],
            owned(&[("health", 3), ("environment", 2), ("transport", 1)]),
            "transport counts once for the record listing it twice"
        );
        assert_eq!(counts[1], owned(&[("2024", 3), ("2023", 1)]));

        // Only matching records count; the size keeps the most frequent, ties by value.
        let health = TermQuery::new(Term::from_field_text(theme, "health"), IndexRecordOption::Basic);
        let counts = searcher.search(&health, &collector(2)).unwrap();
        assert_eq!(counts[0], owned(&[("health", 3), ("environment", 1)]));
        assert_eq!(counts[1], owned(&[("2024", 2), ("2023", 1)]));
    }
}
