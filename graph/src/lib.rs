#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod assignment;
mod batch;
mod bulk_write;
mod dump;
mod error;
mod graph;
mod graph_counts;
mod labels;
mod layout;
pub mod prose;
mod query;
pub mod query_guard;
mod records;
mod search;
mod sequence;
mod statements;
mod stats;
mod syntax_message;
mod update;
pub mod xml_entities;

pub use assignment::{Assignment, Method, order_evidence, strongest};
pub use batch::WriteBatch;
pub use bulk_write::BulkWrite;
pub use error::{GraphError, quoted_start};
pub use graph::{BULK_MIN_QUADS, Graph, WriteReport};
pub use graph_counts::GraphCounts;
pub use labels::{LabelCache, Labels, local_name};
pub use layout::Layout;
pub use query::{DEFAULT_MAX_STRING_BYTES, QueryOptions, RemoteServices};
pub use query_guard::GuardedQuery;
pub use records::{
    Agent, AgentRole, Distribution, Parts, Record, RecordKind, RecordReader, TypedRecord, parse_date,
    typed_records,
};
pub use search::names;
pub use search::stem::StemCache;
pub use search::{
    FACETS, FacetCount, MAX_HARVEST_WINDOW, MAX_RESULT_WINDOW, MAX_SEARCH_NESTING, SearchFilter, SearchHit,
    SearchPage, SearchRequest, SearchSort, permille,
};
pub use statements::{Statements, as_subject, node_hash};
pub use stats::Stats;
pub use syntax_message::sparql_syntax;
pub use update::UpdateOptions;
