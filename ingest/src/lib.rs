#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod config;
pub mod dates;
pub mod document;
pub mod emit;
pub mod enrich;
mod error;
pub mod fetch;
pub mod harvest;
mod iris;
pub mod language;
pub mod literals;
pub mod mint;
pub mod outbound;
pub mod page_cache;
pub mod parallel;
pub mod pending;
pub mod pipeline;
pub mod provenance;
pub mod rdf_document;
mod rdf_repair;
pub mod records;
mod refresh_state;
pub mod report;
pub mod schedule;
pub mod shacl;
pub mod source_graph;
pub mod sources;
pub mod syntax;
#[cfg(feature = "tools")]
pub mod tools;

pub use config::{HarvestSettings, SourceConfig, SourceKind};
pub use error::{IngestError, Position, Result};
pub use harvest::{HarvestOutcome, harvest, recover_interrupted};
pub use pipeline::{Pipeline, PipelineReport, ProgressFor};
pub use report::{Report, SourceOutput};
