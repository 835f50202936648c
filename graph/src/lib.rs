#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod batch;
mod dump;
mod error;
mod facets;
mod graph;
mod index;
mod layout;
mod query;
mod records;
mod search;
mod search_counts;
mod search_service;
mod stats;
mod update;

pub use batch::WriteBatch;
pub use error::GraphError;
pub use graph::{BULK_MIN_QUADS, Graph, WriteReport};
pub use layout::Layout;
pub use query::{QueryOptions, RemoteServices};
pub use search::{FACETS, FacetCount, SearchFilter, SearchHit, SearchPage, SearchRequest, SearchSort};
pub use stats::Stats;
pub use update::UpdateOptions;
