#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod error;
pub mod syntax;

pub use error::IngestError;
