//! Full-text search over the records: the tantivy index and its schema (`index`), what a
//! search asks and answers (`request`), running one with its filters, snippets, sorting and
//! paging (`query`), what is kept per segment (`segment_table`: every record's facet values,
//! and the records newest first), counting facets from it (`facets`), keeping the counts
//! until the index changes (`counts`), search inside SPARQL (`service`), and stemming that
//! remembers its stems (`stem`), which the tagger shares.
//!
//! Dependencies point one way: `request` and `stem` depend on nothing here; `segment_table` on
//! `request`; `facets` on `segment_table`; `counts` on `request` and `facets`; `index` on
//! `counts` and `segment_table`; `query` and `service` on `index` and `request`.

mod counts;
mod facets;
pub(crate) mod index;
pub mod names;
mod query;
mod request;
mod segment_table;
pub(crate) mod service;
pub mod stem;

pub use request::{
    FACETS, FacetCount, MAX_HARVEST_WINDOW, MAX_RESULT_WINDOW, MAX_SEARCH_NESTING, SearchFilter, SearchHit,
    SearchPage, SearchRequest, SearchSort, permille,
};
