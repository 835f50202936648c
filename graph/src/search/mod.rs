//! Full-text search over the records: the tantivy index and its schema (`index`), what a
//! search asks and answers (`request`), running one with its filters, snippets, sorting and
//! paging (`query`), counting facets (`facets`) and keeping the counts until the index
//! changes (`counts`), and search inside SPARQL (`service`).
//!
//! Dependencies point one way: `request` depends on nothing here; `counts` on `request` and
//! `facets`; `index` on `counts`; `query` and `service` on `index` and `request`.

mod counts;
mod facets;
pub(crate) mod index;
pub mod names;
mod query;
mod request;
pub(crate) mod service;

pub use request::{
    FACETS, FacetCount, MAX_HARVEST_WINDOW, MAX_RESULT_WINDOW, MAX_SEARCH_NESTING, SearchFilter, SearchHit,
    SearchPage, SearchRequest, SearchSort, permille,
};
