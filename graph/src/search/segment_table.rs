//! What searches keep per index segment: every document's facet values as one flat table
//! in memory, and the documents newest first.
//!
//! Counting facets from tantivy's columns costs one look-up per facet and match (sixteen
//! facets, each through an optional or multi-valued row index into bit-packed ordinals):
//! at a million records, 12 ms for a search's 34,000 matches and 180 ms for the web page's
//! opening view of all records. The table keeps, per document, the slots of its distinct
//! facet values in one array, so counting a match reads one short run of memory and bumps a
//! counter per value. A segment never changes once written, so its table is built once, by
//! the first counted search that meets the segment, and kept while searches still see it.
//! The counts over all of a segment's live documents (the opening view, with no text and no
//! filter) are kept in the table too, for the deletions they were counted at.
//!
//! The opening view's page of hits, the newest records of all, took 4 ms more than a text
//! search's at a million records: sorting by date visits every record's date. Each segment
//! keeps its documents newest first, so that page merges the segments' lists and reads
//! only as far as the page ends.

use super::request::FACETS;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Opstamp, Searcher, SegmentReader, TantivyError};

/// The index field behind a facet of [`FACETS`].
pub(crate) fn facet_field(facet: &str) -> &str {
    match facet {
        "type" => "kind",
        "publisher" => "publisher_name",
        other => other,
    }
}

/// The facet whose values are numbers (a `u64` column) rather than strings.
const NUMERIC_FACET: &str = "year";

/// The `i64` fast field that orders records by date, newest first (undated records hold
/// `i64::MIN`), which the index writes and searches sort by.
pub(crate) const DATE_FIELD: &str = "sort_date";

/// A segment's documents by date, newest first, ties in document order: `(date, document)`,
/// live or not.
type DateOrder = Arc<Vec<(Option<i64>, DocId)>>;

/// Counts per slot over a segment's live documents, with the deletions they were counted
/// at: the segment's delete opstamp and live count.
struct Everything {
    deletions: (Option<Opstamp>, u32),
    counts: Arc<Vec<u32>>,
}

/// What is kept of one segment, each part made on first use.
#[derive(Default)]
pub(crate) struct SegmentTable {
    facets: OnceLock<tantivy::Result<Arc<FacetTable>>>,
    newest_first: OnceLock<tantivy::Result<DateOrder>>,
}

impl SegmentTable {
    /// The facet values of `segment` (the reader this table is kept for).
    pub(crate) fn facets(&self, segment: &SegmentReader) -> tantivy::Result<Arc<FacetTable>> {
        self.facets
            .get_or_init(|| FacetTable::build(segment).map(Arc::new))
            .clone()
    }

    /// The documents of `segment` by [`DATE_FIELD`], newest first; a document without a
    /// value comes last, as in tantivy's sort by a fast field.
    fn newest_first(&self, segment: &SegmentReader) -> tantivy::Result<DateOrder> {
        self.newest_first
            .get_or_init(|| {
                let column = segment.fast_fields().column_opt::<i64>(DATE_FIELD)?;
                let mut order: Vec<(Option<i64>, DocId)> = (0..segment.max_doc())
                    .map(|doc| (column.as_ref().and_then(|c| c.first(doc)), doc))
                    .collect();
                order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                Ok(Arc::new(order))
            })
            .clone()
    }
}

/// One segment's facet values.
pub(crate) struct FacetTable {
    /// Per slot, the value as the API shows it.
    slot_value: Vec<String>,
    /// Per facet of [`FACETS`], its slots in the order of their values, so that counts of
    /// several segments add up by merging sorted runs, naming no value twice.
    facet_slots: Vec<Vec<u32>>,
    /// Document `d`'s slots are `slots[doc_starts[d]..doc_starts[d + 1]]`, each once.
    doc_starts: Vec<u64>,
    slots: Vec<u32>,
    /// The live documents per slot, for the deletions last counted at.
    everything: Mutex<Option<Everything>>,
}

/// One facet's column in a segment, while the table is built.
enum Source {
    Text {
        column: StrColumn,
        first_slot: u32,
    },
    Number {
        column: Column<u64>,
        facet: u8,
        slots: HashMap<u64, u32>,
    },
}

impl FacetTable {
    fn build(segment: &SegmentReader) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        // Per slot, the facet it belongs to, as an index into [`FACETS`].
        let mut slot_facet: Vec<u8> = Vec::new();
        let mut slot_value: Vec<String> = Vec::new();
        let mut sources = Vec::with_capacity(FACETS.len());
        for (index, &facet) in FACETS.iter().enumerate() {
            let facet_index = index as u8;
            let field = facet_field(facet);
            if facet == NUMERIC_FACET {
                if let Some(column) = fast.column_opt::<u64>(field)? {
                    sources.push(Source::Number {
                        column,
                        facet: facet_index,
                        slots: HashMap::new(),
                    });
                }
                continue;
            }
            let Some(column) = fast.str(field)? else {
                continue;
            };
            let first_slot = slot_number(slot_value.len())?;
            let terms = column.num_terms();
            column
                .dictionary()
                .sorted_ords_to_term_cb(0..terms as u64, |bytes| {
                    slot_value.push(String::from_utf8_lossy(bytes).into_owned());
                    Ok(())
                })?;
            if slot_value.len() != first_slot as usize + terms {
                return Err(TantivyError::InternalError(format!(
                    "the dictionary of facet field {field} in segment {} gave {} of its {terms} terms",
                    segment.segment_id().short_uuid_string(),
                    slot_value.len() - first_slot as usize,
                )));
            }
            slot_number(slot_value.len())?;
            slot_facet.resize(slot_value.len(), facet_index);
            sources.push(Source::Text { column, first_slot });
        }

        let max_doc = segment.max_doc();
        let mut doc_starts = Vec::with_capacity(max_doc as usize + 1);
        doc_starts.push(0);
        let mut slots = Vec::new();
        let mut mine: Vec<u32> = Vec::new();
        for doc in 0..max_doc {
            mine.clear();
            for source in &mut sources {
                match source {
                    Source::Text { column, first_slot } => {
                        mine.extend(column.term_ords(doc).map(|ord| *first_slot + ord as u32));
                    }
                    Source::Number {
                        column,
                        facet,
                        slots: by_value,
                    } => {
                        for value in column.values_for_doc(doc) {
                            let slot = match by_value.get(&value) {
                                Some(&slot) => slot,
                                None => {
                                    let slot = slot_number(slot_value.len())?;
                                    slot_value.push(value.to_string());
                                    slot_facet.push(*facet);
                                    by_value.insert(value, slot);
                                    slot
                                }
                            };
                            mine.push(slot);
                        }
                    }
                }
            }
            // A record counts once per value, however often it lists it.
            mine.sort_unstable();
            mine.dedup();
            slots.extend_from_slice(&mine);
            doc_starts.push(slots.len() as u64);
        }
        slots.shrink_to_fit();
        let mut facet_slots = vec![Vec::new(); FACETS.len()];
        for (slot, &facet) in slot_facet.iter().enumerate() {
            facet_slots[facet as usize].push(slot as u32);
        }
        // A text facet's slots are already in its dictionary's order (the stable sort finds
        // them sorted); the numeric facet's came in the order its values were met.
        for of_facet in &mut facet_slots {
            of_facet.sort_by(|a, b| slot_value[*a as usize].cmp(&slot_value[*b as usize]));
        }
        Ok(Self {
            slot_value,
            facet_slots,
            doc_starts,
            slots,
            everything: Mutex::new(None),
        })
    }

    /// How many counters a count over this segment needs.
    pub(crate) fn num_slots(&self) -> usize {
        self.slot_value.len()
    }

    /// Counts `doc`'s values into `counts` (one counter per slot).
    #[inline]
    pub(crate) fn count(&self, doc: DocId, counts: &mut [u32]) {
        let doc = doc as usize;
        let (from, to) = (self.doc_starts[doc] as usize, self.doc_starts[doc + 1] as usize);
        for &slot in &self.slots[from..to] {
            counts[slot as usize] += 1;
        }
    }

    /// The counts over every live document of `segment` (the reader this table was built
    /// from, or a later one of the same segment with more deletions).
    pub(crate) fn everything(&self, segment: &SegmentReader) -> Arc<Vec<u32>> {
        let deletions = (segment.delete_opstamp(), segment.num_docs());
        let mut kept = self.everything.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(everything) = kept.as_ref()
            && everything.deletions == deletions
        {
            return everything.counts.clone();
        }
        let mut counts = vec![0; self.num_slots()];
        for doc in segment.doc_ids_alive() {
            self.count(doc, &mut counts);
        }
        let counts = Arc::new(counts);
        *kept = Some(Everything {
            deletions,
            counts: counts.clone(),
        });
        counts
    }

    /// The values of facet `facet` (an index into [`FACETS`]) counted in `counts`, with
    /// their counts, in value order.
    pub(crate) fn counted<'a>(
        &'a self,
        facet: usize,
        counts: &'a [u32],
    ) -> impl Iterator<Item = (&'a str, u32)> + 'a {
        self.facet_slots[facet].iter().filter_map(move |&slot| {
            let count = counts[slot as usize];
            (count > 0).then(|| (self.slot_value[slot as usize].as_str(), count))
        })
    }

    /// Per facet of [`FACETS`], the values counted in `counts` with their counts.
    #[cfg(test)]
    fn values(&self, counts: &[u32]) -> Vec<HashMap<String, u64>> {
        (0..FACETS.len())
            .map(|facet| {
                self.counted(facet, counts)
                    .map(|(value, count)| (value.to_owned(), u64::from(count)))
                    .collect()
            })
            .collect()
    }
}

/// A slot number, which must fit in 32 bits.
fn slot_number(len: usize) -> tantivy::Result<u32> {
    u32::try_from(len).map_err(|_| {
        TantivyError::InternalError(format!("a segment has more than {} facet values", u32::MAX))
    })
}

#[derive(Default)]
struct Kept {
    /// The newest searcher generation seen, whose segments the tables are kept for.
    generation: u64,
    by_segment: HashMap<SegmentId, Arc<SegmentTable>>,
}

/// The tables of the segments being searched.
#[derive(Default)]
pub(crate) struct SegmentTables {
    kept: Mutex<Kept>,
}

impl SegmentTables {
    /// Forgets the tables of segments that `searcher`, when newer than any seen before, no
    /// longer holds (merged away or deleted); cheap for a generation already seen.
    pub(crate) fn prune(&self, searcher: &Searcher) {
        let generation = searcher.generation().generation_id();
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if generation <= kept.generation {
            return;
        }
        kept.generation = generation;
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        kept.by_segment.retain(|id, _| live.contains(id));
    }

    /// The table of `segment`, its parts made on first use. Segments searched in parallel
    /// make their parts in parallel; two searches meeting one new segment make each once.
    pub(crate) fn table(&self, segment: &SegmentReader) -> Arc<SegmentTable> {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.by_segment.entry(segment.segment_id()).or_default().clone()
    }

    /// The facet values of `segment`.
    pub(crate) fn facets(&self, segment: &SegmentReader) -> tantivy::Result<Arc<FacetTable>> {
        self.table(segment).facets(segment)
    }

    /// The documents of `segment` by [`DATE_FIELD`], newest first.
    pub(crate) fn date_order(&self, segment: &SegmentReader) -> tantivy::Result<DateOrder> {
        self.table(segment).newest_first(segment)
    }

    /// The live documents of `searcher` by [`DATE_FIELD`], newest first, from `offset` for
    /// `limit`: the order and ties of tantivy's descending sort by that fast field, reading
    /// each segment's kept order only as far as the page ends.
    pub(crate) fn newest_first(
        &self,
        searcher: &Searcher,
        offset: usize,
        limit: usize,
    ) -> tantivy::Result<Vec<DocAddress>> {
        struct Cursor<'a> {
            segment: &'a SegmentReader,
            ord: u32,
            order: DateOrder,
            at: usize,
        }
        impl Cursor<'_> {
            /// The next live document's date and address, from `at` on.
            fn head(&mut self) -> Option<(Option<i64>, DocAddress)> {
                while let Some(&(date, doc)) = self.order.get(self.at) {
                    if self
                        .segment
                        .alive_bitset()
                        .is_none_or(|alive| alive.is_alive(doc))
                    {
                        return Some((date, DocAddress::new(self.ord, doc)));
                    }
                    self.at += 1;
                }
                None
            }
        }
        let mut cursors = Vec::with_capacity(searcher.segment_readers().len());
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            cursors.push(Cursor {
                segment,
                ord: ord as u32,
                order: self.date_order(segment)?,
                at: 0,
            });
        }
        let mut page = Vec::with_capacity(limit);
        for taken in 0..offset + limit {
            // Few segments: the newest head is found by looking at each.
            let mut best: Option<(usize, Option<i64>, DocAddress)> = None;
            for (i, cursor) in cursors.iter_mut().enumerate() {
                if let Some((date, address)) = cursor.head()
                    && best.is_none_or(|(_, d, a)| date > d || (date == d && address < a))
                {
                    best = Some((i, date, address));
                }
            }
            let Some((i, _, address)) = best else { break };
            cursors[i].at += 1;
            if taken >= offset {
                page.push(address);
            }
        }
        Ok(page)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.kept.lock().unwrap().by_segment.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{FAST, INDEXED, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    fn facet(name: &str) -> usize {
        FACETS.iter().position(|f| *f == name).unwrap()
    }

    #[test]
    fn tables_follow_segments_and_their_deletions() {
        let mut schema = Schema::builder();
        let theme = schema.add_text_field("theme", STRING | FAST);
        let kind = schema.add_text_field("kind", STRING | FAST);
        let year = schema.add_u64_field("year", INDEXED | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let add = |writer: &mut tantivy::IndexWriter, themes: &[&str], y: u64| {
            let mut doc = TantivyDocument::new();
            doc.add_text(kind, "dataset");
            for t in themes {
                doc.add_text(theme, t);
            }
            doc.add_u64(year, y);
            writer.add_document(doc).unwrap();
        };
        add(&mut writer, &["transport", "transport", "health"], 2024);
        add(&mut writer, &["health"], 2023);
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let tables = SegmentTables::default();
        let searcher = reader.searcher();
        tables.prune(&searcher);
        let segment = &searcher.segment_readers()[0];
        let table = tables.facets(segment).unwrap();
        assert!(
            Arc::ptr_eq(&table, &tables.facets(segment).unwrap()),
            "built once"
        );

        let values = table.values(&table.everything(segment));
        assert_eq!(
            values[facet("theme")]["transport"],
            1,
            "a record counts once per value"
        );
        assert_eq!(values[facet("theme")]["health"], 2);
        assert_eq!(values[facet("type")]["dataset"], 2, "type is the kind field");
        assert_eq!(values[facet("year")]["2024"], 1);
        assert!(
            values[facet("pattern")].is_empty(),
            "a field the index lacks counts nothing"
        );

        // A deletion: the same segment, its everything-counts taken again.
        writer.delete_term(Term::from_field_text(theme, "transport"));
        writer.commit().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        tables.prune(&searcher);
        let segment = &searcher.segment_readers()[0];
        let same = tables.facets(segment).unwrap();
        assert!(Arc::ptr_eq(&table, &same), "deletions keep the segment's table");
        let values = same.values(&same.everything(segment));
        assert_eq!(values[facet("theme")].get("transport"), None);
        assert_eq!(values[facet("year")].get("2024"), None);
        assert_eq!(values[facet("theme")]["health"], 1);

        // A merge into one new segment: the old table is forgotten.
        add(&mut writer, &["environment"], 2022);
        writer.commit().unwrap();
        reader.reload().unwrap();
        let ids: Vec<SegmentId> = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        writer.merge(&ids).wait().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        tables.prune(&searcher);
        assert_eq!(tables.len(), 0);
        let merged = tables.facets(&searcher.segment_readers()[0]).unwrap();
        let values = merged.values(&merged.everything(&searcher.segment_readers()[0]));
        assert_eq!(values[facet("theme")]["environment"], 1);
        assert_eq!(values[facet("type")]["dataset"], 2);
    }

    #[test]
    fn newest_first_pages_are_tantivys_sort_by_date_over_live_documents() {
        use tantivy::collector::TopDocs;
        use tantivy::query::AllQuery;
        use tantivy::schema::{FAST, INDEXED};
        use tantivy::{Order, doc};

        let mut schema = Schema::builder();
        let key = schema.add_u64_field("key", INDEXED);
        let date = schema.add_i64_field(DATE_FIELD, FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        // Three segments with shared dates (ties), negative dates and undated records' MIN.
        for segment in 0..3u64 {
            for i in 0..40u64 {
                let n = segment * 40 + i;
                let d = match n % 5 {
                    0 => i64::MIN,
                    1 => -((n % 7) as i64),
                    _ => (n % 11) as i64 * 86_400,
                };
                writer.add_document(doc!(key => n, date => d)).unwrap();
            }
            writer.commit().unwrap();
        }
        for deleted in [3u64, 44, 45, 90, 117] {
            writer.delete_term(Term::from_field_u64(key, deleted));
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        assert_eq!(searcher.num_docs(), 115);
        let tables = SegmentTables::default();
        tables.prune(&searcher);
        for (offset, limit) in [(0, 20), (0, 1), (13, 7), (100, 20), (114, 5), (115, 3)] {
            let tantivy_order: Vec<DocAddress> = searcher
                .search(
                    &AllQuery,
                    &TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_fast_field::<i64>(DATE_FIELD, Order::Desc),
                )
                .unwrap()
                .into_iter()
                .map(|(_, address)| address)
                .collect();
            let kept = tables.newest_first(&searcher, offset, limit).unwrap();
            assert_eq!(kept, tantivy_order, "offset {offset}, limit {limit}");
        }
    }
}
