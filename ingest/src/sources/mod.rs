//! The source kinds: one module each, every one a pure transform from the bytes of a
//! document (or page) to triples and a report. Fetching, paging and storing are in
//! [`crate::harvest`]; the rules common to all kinds are in [`crate::report::finish`].

pub mod case_studies;
pub mod ckan;
pub mod datajson;
pub mod dcat;
