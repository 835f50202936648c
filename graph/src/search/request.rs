//! What a search asks and what it answers: the text and filters, the sort and page, the
//! hits and the facet counts. Plain types, shared by the query, the counts cache, the SPARQL
//! service and the API.

use std::collections::BTreeMap;

/// The facets a search can count, by their API names.
pub const FACETS: [&str; 16] = [
    "type",
    "pattern",
    "method",
    "theme",
    "beneficiary",
    "enabler",
    "actor",
    "channel",
    "benefit",
    "publisher",
    "catalogue",
    "region",
    "country",
    "format",
    "licence",
    "year",
];

/// Restricts a search; within one field any value may match, across fields all must.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchFilter {
    /// `dataset`, `case-study` or `catalogue`; empty means any.
    pub kinds: Vec<String>,
    /// Pattern IRIs.
    pub patterns: Vec<String>,
    /// Theme IRIs.
    pub themes: Vec<String>,
    /// Publisher names.
    pub publishers: Vec<String>,
    /// Catalogue IRIs.
    pub catalogues: Vec<String>,
    /// Region names.
    pub regions: Vec<String>,
    /// Formats, as indexed (IRIs of the EU file-type table, or as written).
    pub formats: Vec<String>,
    /// Licences, as indexed.
    pub licences: Vec<String>,
    /// Beneficiary group IRIs (`cg:beneficiary`).
    pub beneficiaries: Vec<String>,
    /// Enabler IRIs (`cg:enabler`).
    pub enablers: Vec<String>,
    /// Actor IRIs (`cg:actor`): who acts.
    pub actors: Vec<String>,
    /// Channel IRIs (`cg:channel`).
    pub channels: Vec<String>,
    /// Benefit IRIs (`cg:benefit`).
    pub benefits: Vec<String>,
    /// Country codes, as indexed (`GB`, or `GBR` from the EU country table).
    pub countries: Vec<String>,
    /// `curated` or `inferred`.
    pub methods: Vec<String>,
    /// The least confidence, in thousandths, of the pattern assignment a record must have:
    /// of one of `patterns` when they are given, else of any ODI pattern (curated ones count
    /// 1000). `None`: no minimum.
    pub min_confidence: Option<u16>,
    /// CKAN organization names ([`super::names::slug`] of a publisher's name).
    pub organizations: Vec<String>,
    /// CKAN group names ([`super::names::group_name`] of a theme).
    pub groups: Vec<String>,
    /// Keywords, exactly as written.
    pub tags: Vec<String>,
    /// CKAN resource formats ([`super::names::format_name`]).
    pub res_formats: Vec<String>,
    /// Record keys ([`super::names::record_key`]): these records only.
    pub keys: Vec<u64>,
    /// Named graphs (IRIs) the record is in: a source's graph, say.
    pub graphs: Vec<String>,
    /// Modified (`dct:modified`, else issued) at or after, in seconds.
    pub modified_from: Option<i64>,
    /// Modified at or before, in seconds.
    pub modified_to: Option<i64>,
    /// First year, inclusive.
    pub year_from: Option<u64>,
    /// Last year, inclusive.
    pub year_to: Option<u64>,
}

/// A confidence from 0 to 1 in thousandths, rounded down: a tag at 0.7999 does not pass a
/// minimum of 0.8.
pub fn permille(confidence: f64) -> u16 {
    (confidence.clamp(0.0, 1.0) * 1000.0 + 1e-9).floor() as u16
}

/// The order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first (for an empty query: newest first).
    #[default]
    Relevance,
    /// Newest first; undated records last.
    Date,
    /// By record key, ascending: CKAN's `id asc`, a stable order to page a whole catalogue by.
    Key,
    /// Last modified first (`dct:modified`, else issued); undated records last.
    Modified,
}

/// One search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    /// The query text; empty matches everything.
    pub text: String,
    /// The filters.
    pub filter: SearchFilter,
    /// The order.
    pub sort: SearchSort,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Whether to count facets.
    pub facets: bool,
    /// Values per facet.
    pub facet_size: usize,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    /// The record's IRI.
    pub iri: String,
    /// `dataset`, `case-study` or `catalogue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The record's title (its first, when it has several).
    pub title: String,
    /// The relevance score (0 when sorted by date).
    pub score: f32,
    /// An HTML excerpt of the description with matches in `<b>`; the text is escaped.
    pub snippet: String,
    /// The record's pattern IRIs.
    pub patterns: Vec<String>,
    /// Its pattern assignments, NONE included, by pattern and the strongest first: how
    /// each was assigned and why.
    pub assignments: Vec<crate::Assignment>,
    /// Its publishers' names.
    pub publishers: Vec<String>,
    /// The catalogues listing it.
    pub catalogues: Vec<String>,
    /// Its themes.
    pub themes: Vec<String>,
    /// Its regions.
    pub regions: Vec<String>,
    /// Its year, when dated.
    pub year: Option<u64>,
}

/// A facet value and how many hits have it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FacetCount {
    /// The value, as filters take it.
    pub value: String,
    /// Hits with it.
    pub count: u64,
}

/// The deepest nesting of parentheses a search query may have.
pub const MAX_SEARCH_NESTING: usize = 8;

/// The most words a search's text may hold, and the most values its filters may give in
/// all: each is a clause of tantivy's query, with its postings and scorer held at once and
/// no cancellation check among them (300,000 words, 2.3 MB of CKAN `q`, held 2.6 GB and ran
/// on after the answer). A pasted page of text is a few hundred words.
pub const MAX_SEARCH_CLAUSES: usize = 1024;

/// The deepest a public search may be paged: `offset + limit` at most this (as
/// Elasticsearch's `max_result_window`), in the API and in `cgs:limit`. The top-docs
/// collector reserves room for every hit up to the end of the page, so an unbounded page
/// number reserved terabytes. (The CLI and the library, which are trusted, may go deeper.)
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// How deep a harvester may page a whole catalogue in key order (CKAN's `package_search`,
/// `/catalog`): far deeper than the search window, for catalogues of two million records;
/// the collector's memory grows with it (about 16 bytes a hit: 32 MB at the bound).
pub const MAX_HARVEST_WINDOW: usize = 2_000_000;

/// A page of results.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchPage {
    /// All hits, not just this page.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHit>,
    /// Per facet, its values by count (empty unless asked for).
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}
