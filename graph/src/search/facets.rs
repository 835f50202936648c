//! Facet counts for a search: how many matching records have each value of each facet of
//! [`FACETS`].
//!
//! A tantivy collector that counts each match's values from its segment's
//! [`FacetTable`](super::segment_table::FacetTable) into one counter per value. The
//! segments' counts are added up by merging each facet's values in value order, and only
//! the values kept are named: a search matching tens of thousands of publishers hashes and
//! copies none of their names. It replaced tantivy's terms aggregations, which build a general bucket tree per
//! request and per facet, and then a read of every facet's column per match. Counts are
//! exact (no shard-size cut), and a record counts once per value however often it lists it.

use super::request::FACETS;
use super::segment_table::{FacetTable, SegmentTables};
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// Counts the values of every facet over the matching documents, keeping the `size` most
/// frequent of each (ties in value order).
#[derive(Clone, Copy)]
pub(crate) struct FacetCollector<'a> {
    pub tables: &'a SegmentTables,
    pub size: usize,
}

/// Counted values per facet, in the order of [`FACETS`]: `(value, count)`, most frequent
/// first.
pub(crate) type FacetCounts = Vec<Vec<(String, u64)>>;

pub(crate) struct FacetSegmentCollector {
    table: Arc<FacetTable>,
    /// Documents counted per slot of the table.
    counts: Vec<u32>,
}

/// One segment's counts per slot, with the table that names the slots.
pub(crate) struct SegmentCounts {
    table: Arc<FacetTable>,
    counts: Arc<Vec<u32>>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let table = self.tables.facets(segment)?;
        Ok(FacetSegmentCollector {
            counts: vec![0; table.num_slots()],
            table,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<SegmentCounts>) -> tantivy::Result<FacetCounts> {
        Ok(merge(&segments, self.size))
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.table.count(doc, &mut self.counts);
    }

    fn harvest(self) -> Self::Fruit {
        SegmentCounts {
            table: self.table,
            counts: Arc::new(self.counts),
        }
    }
}

/// The facet counts over every record of `searcher`, with no text and no filter: the sum
/// of each segment's kept counts, without visiting a record.
pub(crate) fn count_everything(
    tables: &SegmentTables,
    searcher: &Searcher,
    size: usize,
) -> tantivy::Result<FacetCounts> {
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for segment in searcher.segment_readers() {
        let table = tables.facets(segment)?;
        segments.push(SegmentCounts {
            counts: table.everything(segment),
            table,
        });
    }
    Ok(merge(&segments, size))
}

/// Adds up the segments' counts per facet and keeps each facet's `size` most frequent values.
fn merge(segments: &[SegmentCounts], size: usize) -> FacetCounts {
    (0..FACETS.len())
        .map(|facet| {
            // Each segment's counted values of the facet, in value order: the runs merge
            // by taking the least value at their heads and adding up its counts.
            let mut runs: Vec<_> = segments
                .iter()
                .map(|segment| segment.table.counted(facet, &segment.counts).peekable())
                .collect();
            let mut totals: Vec<(&str, u64)> = Vec::new();
            while let Some(least) = runs
                .iter_mut()
                .filter_map(|run| run.peek().map(|&(v, _)| v))
                .min()
            {
                let mut total = 0;
                for run in &mut runs {
                    if let Some(&(value, count)) = run.peek()
                        && value == least
                    {
                        total += u64::from(count);
                        run.next();
                    }
                }
                totals.push((least, total));
            }
            let order = |a: &(&str, u64), b: &(&str, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
            if totals.len() > size {
                totals.select_nth_unstable_by(size, order);
                totals.truncate(size);
            }
            totals.sort_unstable_by(order);
            totals
                .into_iter()
                .map(|(value, count)| (value.to_owned(), count))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{AllQuery, TermQuery};
    use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    fn facet(name: &str) -> usize {
        FACETS.iter().position(|f| *f == name).unwrap()
    }

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
        let tables = SegmentTables::default();
        let collector = |size| FacetCollector {
            tables: &tables,
            size,
        };
        let owned = |values: &[(&str, u64)]| -> Vec<(String, u64)> {
            values.iter().map(|(v, n)| ((*v).to_owned(), *n)).collect()
        };

        let counts = searcher.search(&AllQuery, &collector(10)).unwrap();
        assert_eq!(
            counts[facet("theme")],
            owned(&[("health", 3), ("environment", 2), ("transport", 1)]),
            "transport counts once for the record listing it twice"
        );
        assert_eq!(counts[facet("year")], owned(&[("2024", 3), ("2023", 1)]));
        assert!(counts[facet("pattern")].is_empty());
        assert_eq!(
            count_everything(&tables, &searcher, 10).unwrap(),
            counts,
            "the kept counts of every record are those of a search for everything"
        );

        // Only matching records count; the size keeps the most frequent, ties by value.
        let health = TermQuery::new(Term::from_field_text(theme, "health"), IndexRecordOption::Basic);
        let counts = searcher.search(&health, &collector(2)).unwrap();
        assert_eq!(
            counts[facet("theme")],
            owned(&[("health", 3), ("environment", 1)])
        );
        assert_eq!(counts[facet("year")], owned(&[("2024", 2), ("2023", 1)]));
    }
}
