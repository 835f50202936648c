//! The tantivy full-text index: its schema, its analyzer, and the commit that records
//! which store write it mirrors.

use super::counts::CountCache;
use super::segment_table::{DATE_FIELD, SegmentTables};
use crate::error::{GraphError, Result};
use crate::records::Record;
use std::path::Path;
use std::sync::Mutex;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer,
};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The analyzer for English free text: lower-cased, accent-folded, stop words removed, stemmed.
const ANALYZER: &str = "civic_en";

/// Bumped whenever the schema changes, so an index written by an older build is rebuilt.
/// 9: a licence's own address indexed as the EU concept it stands for.
/// 10: a format indexed as one key however it was written (`text/csv` is `CSV`).
const SCHEMA_VERSION: &str = "10";

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) iri: Field,
    pub(crate) kind: Field,
    pub(crate) title: Field,
    pub(crate) description: Field,
    pub(crate) keywords: Field,
    pub(crate) publisher: Field,
    /// What a query's words match: the title three times, the keywords twice, the
    /// descriptions and publishers once (see `document`). Indexed only.
    pub(crate) text: Field,
    /// The publisher's name as one term, for facets and filters.
    pub(crate) publisher_name: Field,
    pub(crate) theme: Field,
    pub(crate) pattern: Field,
    pub(crate) catalogue: Field,
    pub(crate) region: Field,
    pub(crate) format: Field,
    pub(crate) licence: Field,
    pub(crate) beneficiary: Field,
    pub(crate) enabler: Field,
    pub(crate) actor: Field,
    pub(crate) channel: Field,
    pub(crate) benefit: Field,
    pub(crate) country: Field,
    /// `curated` or `inferred`: how its patterns were assigned.
    pub(crate) method: Field,
    /// Per ODI pattern, the confidence it is given with (see [`confidence_term`]), for the
    /// minimum-confidence filter.
    pub(crate) confidence: Field,
    /// The record's pattern assignments with their evidence, stored only (see
    /// [`crate::assignment::encode`]): a hit shows them without reading the store.
    pub(crate) assignments: Field,
    pub(crate) graph: Field,
    pub(crate) date: Field,
    /// The record's year, for the year facet and range filter.
    pub(crate) year: Field,
    /// The date in seconds, or `i64::MIN` when unknown, so that sorting by date always has
    /// a value and undated records come last.
    pub(crate) sort_date: Field,
    /// The record's key ([`super::names::record_key`]), for CKAN ids and `id asc`.
    pub(crate) key: Field,
    /// `dct:modified` (else the date) in seconds, `i64::MIN` when unknown.
    pub(crate) modified: Field,
    /// CKAN names: organizations, groups, tags and resource formats.
    pub(crate) organization: Field,
    pub(crate) group: Field,
    pub(crate) tag: Field,
    pub(crate) res_format: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        iri: builder.add_text_field("iri", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        title: builder.add_text_field("title", text.clone()),
        description: builder.add_text_field("description", text.clone()),
        keywords: builder.add_text_field("keywords", text.clone()),
        publisher: builder.add_text_field("publisher", text.clone()),
        text: builder.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            ),
        ),
        publisher_name: builder.add_text_field("publisher_name", STRING | STORED | FAST),
        theme: builder.add_text_field("theme", STRING | STORED | FAST),
        pattern: builder.add_text_field("pattern", STRING | STORED | FAST),
        catalogue: builder.add_text_field("catalogue", STRING | STORED | FAST),
        region: builder.add_text_field("region", STRING | STORED | FAST),
        format: builder.add_text_field("format", STRING | STORED | FAST),
        licence: builder.add_text_field("licence", STRING | STORED | FAST),
        beneficiary: builder.add_text_field("beneficiary", STRING | STORED | FAST),
        enabler: builder.add_text_field("enabler", STRING | STORED | FAST),
        actor: builder.add_text_field("actor", STRING | STORED | FAST),
        channel: builder.add_text_field("channel", STRING | STORED | FAST),
        benefit: builder.add_text_field("benefit", STRING | STORED | FAST),
        country: builder.add_text_field("country", STRING | STORED | FAST),
        method: builder.add_text_field("method", STRING | STORED | FAST),
        confidence: builder.add_u64_field("confidence", INDEXED),
        assignments: builder.add_text_field("assignments", STORED),
        graph: builder.add_text_field("graph", STRING | STORED),
        date: builder.add_date_field(
            "date",
            DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds),
        ),
        year: builder.add_u64_field("year", INDEXED | STORED | FAST),
        sort_date: builder.add_i64_field(DATE_FIELD, FAST),
        key: builder.add_u64_field("key", INDEXED | FAST),
        modified: builder.add_i64_field("modified", INDEXED | FAST),
        organization: builder.add_text_field("organization", STRING),
        group: builder.add_text_field("group", STRING),
        tag: builder.add_text_field("tag", STRING),
        res_format: builder.add_text_field("res_format", STRING),
    };
    (builder.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
        .filter(super::stem::CachedStemmer(rust_stemmers::Algorithm::English))
        .build()
}

/// The index and its single writer.
pub(crate) struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    pub(crate) fields: Fields,
    /// Totals and facet counts of recent searches on the current searcher.
    pub(crate) counts: CountCache,
    /// Per segment, every record's facet values and the records newest first.
    pub(crate) segment_tables: SegmentTables,
}

/// A replacement of the whole index, fed a record at a time ([`SearchIndex::begin_rebuild`]).
pub(crate) struct IndexRebuild<'i> {
    index: &'i SearchIndex,
    writer: std::sync::MutexGuard<'i, IndexWriter<TantivyDocument>>,
    added: usize,
    committed: bool,
}

impl IndexRebuild<'_> {
    /// Adds `record`'s document.
    pub(crate) fn add(&mut self, record: &Record) -> Result<()> {
        self.writer.add_document(self.index.document(record))?;
        self.added += 1;
        Ok(())
    }

    /// Makes the documents added the whole index, as mirroring store write `sequence`;
    /// returns how many there are.
    pub(crate) fn commit(mut self, sequence: u64) -> Result<usize> {
        self.index.commit(&mut self.writer, sequence)?;
        self.committed = true;
        Ok(self.added)
    }
}

impl Drop for IndexRebuild<'_> {
    fn drop(&mut self) {
        if !self.committed
            && let Err(error) = self.writer.rollback()
        {
            tracing::warn!("an abandoned index rebuild could not be rolled back: {error}");
        }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates it; an index of another schema version or one
    /// that cannot be read is wiped and created anew, since it can always be rebuilt.
    pub fn open(dir: Option<&Path>) -> Result<Self> {
        let (schema, fields) = schema();
        let mut index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => {
                let version_file = dir.join("civicgraph-schema-version");
                let current = std::fs::read_to_string(&version_file).ok();
                let opened = if current.as_deref() == Some(SCHEMA_VERSION) {
                    Index::open_in_dir(dir).ok()
                } else {
                    None
                };
                match opened {
                    Some(index) => index,
                    None => {
                        if dir.exists() {
                            tracing::warn!(path = %dir.display(), "search index missing or of another version; creating it anew");
                            std::fs::remove_dir_all(dir).map_err(|source| io_error(dir, source))?;
                        }
                        std::fs::create_dir_all(dir).map_err(|source| io_error(dir, source))?;
                        let index = Index::create_in_dir(dir, schema)?;
                        std::fs::write(&version_file, SCHEMA_VERSION)
                            .map_err(|source| io_error(dir, source))?;
                        index
                    }
                }
            }
        };
        index.tokenizers().register(ANALYZER, analyzer());
        // Segments are searched in parallel, one task per segment on up to one thread per
        // core: a search that counts tens of thousands of matches answers sooner when the
        // server is not busy (and costs the same work when it is).
        index.set_default_multithread_executor()?;
        // Two indexing threads with 64 MB each: a rebuild of a million records is bound by
        // reading them from the store, and this keeps the writer's memory small.
        let writer = index.writer_with_num_threads(2, 128 * 1024 * 1024)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            counts: CountCache::default(),
            segment_tables: SegmentTables::default(),
        })
    }

    /// The store write sequence that the last index commit mirrors, if any.
    pub fn committed_sequence(&self) -> Result<Option<u64>> {
        Ok(self.index.load_metas()?.payload.and_then(|p| p.parse().ok()))
    }

    /// Removes the documents of `removed` IRIs, adds `added`, and commits as `sequence`.
    pub fn update<'a>(
        &self,
        removed: impl IntoIterator<Item = &'a str>,
        added: impl IntoIterator<Item = Record>,
        sequence: u64,
    ) -> Result<()> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for iri in removed {
            writer.delete_term(Term::from_field_text(self.fields.iri, iri));
        }
        for record in added {
            writer.add_document(self.document(&record))?;
        }
        self.commit(&mut writer, sequence)
    }

    /// Starts replacing every document: searches see the index as it was until
    /// [`IndexRebuild::commit`]; dropped before it, nothing changes. Holds the writer, so
    /// no other write of the index interleaves.
    pub(crate) fn begin_rebuild(&self) -> Result<IndexRebuild<'_>> {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_all_documents()?;
        Ok(IndexRebuild {
            index: self,
            writer,
            added: 0,
            committed: false,
        })
    }

    /// Replaces every document with `records`, committing as `sequence`. The first error
    /// among them rolls everything back: the index stays as it was.
    pub fn rebuild(&self, records: impl IntoIterator<Item = Result<Record>>, sequence: u64) -> Result<usize> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_all_documents()?;
        let mut count = 0;
        for record in records {
            let added = record.and_then(|record| Ok(writer.add_document(self.document(&record))?));
            if let Err(error) = added {
                writer.rollback()?;
                return Err(error);
            }
            count += 1;
        }
        self.commit(&mut writer, sequence)?;
        Ok(count)
    }

    fn commit(&self, writer: &mut IndexWriter<TantivyDocument>, sequence: u64) -> Result<()> {
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&sequence.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// How many records the index holds.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn document(&self, record: &Record) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.iri, &record.iri);
        if let Some(kind) = record.kind {
            doc.add_text(f.kind, kind.as_str());
        }
        let publishers = record.agent_names();
        let formats = record.formats();
        let licences = record.all_licences();
        let methods = record.methods();
        // What a hit shows of the description and what a query's words match in it: its
        // words, not its markup (`href`, `nbsp`) or the parts of its web addresses.
        let descriptions: Vec<String> = record
            .descriptions
            .iter()
            .map(|d| crate::prose::prose(d).into_owned())
            .collect();
        // A record with no title is shown, and found, by what names it instead.
        let untitled;
        let titles = if record.titles.is_empty() {
            untitled = vec![record.display_title().to_owned()];
            &untitled
        } else {
            &record.titles
        };
        for (field, values) in [
            (f.title, titles),
            (f.description, &descriptions),
            (f.keywords, &record.keywords),
            (f.publisher, &publishers),
            (f.publisher_name, &publishers),
            (f.theme, &record.themes),
            (f.pattern, &record.patterns),
            (f.catalogue, &record.catalogues),
            (f.region, &record.regions),
            (f.format, &formats),
            (f.licence, &licences),
            (f.beneficiary, &record.beneficiaries),
            (f.enabler, &record.enablers),
            (f.actor, &record.actors),
            (f.channel, &record.channels),
            (f.benefit, &record.benefits),
            (f.country, &record.countries),
            (f.method, &methods),
            (f.graph, &record.graphs),
        ] {
            for value in values {
                doc.add_text(field, value);
            }
        }
        // The one field a query's words match holds each text field as often as the field
        // counts (BM25F-like): the title three times, the keywords twice, the descriptions
        // and publishers once. A search of two words is then a conjunction of two posting
        // lists; over four fields it was a conjunction of two four-way unions, which
        // tantivy scores match by match (3.4 ms for 34,000 matches at 1M). Copies are
        // separate values, and tantivy leaves a position between values, so no phrase
        // spans two copies.
        for (values, copies) in [
            (titles, 3),
            (&record.keywords, 2),
            (&descriptions, 1),
            (&publishers, 1),
        ] {
            for _ in 0..copies {
                for value in values {
                    doc.add_text(f.text, value);
                }
            }
        }
        if let Some(seconds) = record.date {
            doc.add_date(f.date, DateTime::from_timestamp_secs(seconds));
            if let Some(year) = crate::records::year_of(seconds) {
                doc.add_u64(f.year, year);
            }
        }
        doc.add_i64(f.sort_date, record.date.unwrap_or(i64::MIN));
        doc.add_u64(f.key, super::names::record_key(&record.iri));
        let modified = record
            .modified
            .as_deref()
            .and_then(crate::records::parse_date)
            .or(record.date);
        doc.add_i64(f.modified, modified.unwrap_or(i64::MIN));
        let mut names: Vec<(Field, String)> = Vec::new();
        names.extend(publishers.iter().map(|p| (f.organization, super::names::slug(p))));
        names.extend(
            record
                .themes
                .iter()
                .map(|t| (f.group, super::names::group_name(t))),
        );
        names.extend(record.keywords.iter().map(|k| (f.tag, k.trim().to_owned())));
        names.extend(
            formats
                .iter()
                .map(|x| (f.res_format, super::names::format_name(x))),
        );
        names.sort();
        names.dedup();
        for (field, name) in names {
            doc.add_text(field, &name);
        }
        for (pattern, confidence) in record.confidences() {
            if let Some(value) = confidence_term(&pattern, super::request::permille(confidence)) {
                doc.add_u64(f.confidence, value);
            }
        }
        if !record.assignments.is_empty() {
            doc.add_text(f.assignments, crate::assignment::encode(&record.assignments));
        }
        doc
    }
}

/// How a pattern's confidence is indexed: one number per pattern, `ordinal × 10,000 +
/// confidence in thousandths` (the ordinal of P1–P3 in `ODI_PATTERNS`), so that "P2 with at
/// least 0.8" is one range of one field, and "any pattern with at least 0.8" three. `None`
/// for an IRI that is not one of the three patterns.
pub(crate) fn confidence_term(pattern: &str, permille: u16) -> Option<u64> {
    let ordinal = civicgraph_vocab::ODI_PATTERNS
        .iter()
        .position(|p| p.as_str() == pattern)?;
    Some(ordinal as u64 * 10_000 + u64::from(permille.min(1000)))
}

fn io_error(path: &Path, source: std::io::Error) -> GraphError {
    GraphError::Io {
        source_name: path.display().to_string(),
        source,
    }
}
