//! The tantivy full-text index: its schema, its analyzer, and the commit that records
//! which store write it mirrors.

use crate::error::{GraphError, Result};
use crate::records::Record;
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer,
};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The analyzer for English free text: lower-cased, accent-folded, stop words removed, stemmed.
const ANALYZER: &str = "civic_en";
/// Bumped whenever the schema changes, so an index written by an older build is rebuilt.
const SCHEMA_VERSION: &str = "1";

/// Restricts a search to some record kinds and patterns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// `dataset`, `case-study` or `catalogue`; empty means any.
    pub kinds: Vec<String>,
    /// Pattern IRIs; empty means any.
    pub patterns: Vec<String>,
}

/// One search result; its JSON form (`type` for the kind) is what the CLI prints.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// The record's IRI.
    pub iri: String,
    /// `dataset`, `case-study` or `catalogue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The record's title (its first, when it has several).
    pub title: String,
    /// The relevance score.
    pub score: f32,
    /// An HTML excerpt of the description with matches in `<b>`; the text is escaped.
    pub snippet: String,
    /// The record's pattern IRIs.
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    iri: Field,
    kind: Field,
    title: Field,
    description: Field,
    keywords: Field,
    publisher: Field,
    theme: Field,
    pattern: Field,
    catalogue: Field,
    region: Field,
    graph: Field,
    date: Field,
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
        publisher: builder.add_text_field("publisher", text),
        theme: builder.add_text_field("theme", STRING | STORED),
        pattern: builder.add_text_field("pattern", STRING | STORED),
        catalogue: builder.add_text_field("catalogue", STRING | STORED),
        region: builder.add_text_field("region", STRING | STORED),
        graph: builder.add_text_field("graph", STRING | STORED),
        date: builder.add_date_field(
            "date",
            DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds),
        ),
    };
    (builder.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::new(Language::English).expect("tantivy ships English stop words"))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The index and its single writer.
pub(crate) struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    fields: Fields,
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
        let index = match dir {
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
        let writer = index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
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

    /// Replaces every document with `records`, committing as `sequence`.
    pub fn rebuild(&self, records: impl IntoIterator<Item = Record>, sequence: u64) -> Result<usize> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_all_documents()?;
        let mut count = 0;
        for record in records {
            writer.add_document(self.document(&record))?;
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

    /// Full-text search over titles, descriptions, keywords and publishers. The query
    /// language is tantivy's: words (all must match), `"phrases"`, `field:word`, `OR`, `-not`.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>> {
        self.search_filtered(text, &SearchFilter::default(), limit)
    }

    /// [`SearchIndex::search`], keeping only hits of the given kinds and patterns (any of
    /// each, when given).
    pub fn search_filtered(&self, text: &str, filter: &SearchFilter, limit: usize) -> Result<Vec<SearchHit>> {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.description, f.keywords, f.publisher]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 3.0);
        parser.set_field_boost(f.keywords, 2.0);
        let text_query = parser.parse_query(text).map_err(|e| GraphError::SearchSyntax {
            query: text.to_owned(),
            message: e.to_string(),
        })?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        for (field, values) in [(f.kind, &filter.kinds), (f.pattern, &filter.patterns)] {
            if values.is_empty() {
                continue;
            }
            let any: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|v| {
                    let term = Term::from_field_text(field, v);
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*query, f.description)?;
        snippets.set_max_num_chars(200);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let first = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let all = |field: Field| {
                doc.get_all(field)
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect::<Vec<_>>()
            };
            hits.push(SearchHit {
                iri: first(f.iri),
                kind: first(f.kind),
                title: first(f.title),
                score,
                snippet: snippets.snippet_from_doc(&doc).to_html(),
                patterns: all(f.pattern),
            });
        }
        Ok(hits)
    }

    fn document(&self, record: &Record) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.iri, &record.iri);
        if let Some(kind) = record.kind {
            doc.add_text(f.kind, kind.as_str());
        }
        for (field, values) in [
            (f.title, &record.titles),
            (f.description, &record.descriptions),
            (f.keywords, &record.keywords),
            (f.publisher, &record.publishers),
            (f.theme, &record.themes),
            (f.pattern, &record.patterns),
            (f.catalogue, &record.catalogues),
            (f.region, &record.regions),
            (f.graph, &record.graphs),
        ] {
            for value in values {
                doc.add_text(field, value);
            }
        }
        if let Some(seconds) = record.date {
            doc.add_date(f.date, DateTime::from_timestamp_secs(seconds));
        }
        doc
    }
}

fn io_error(path: &Path, source: std::io::Error) -> GraphError {
    GraphError::Io {
        source_name: path.display().to_string(),
        source,
    }
}
