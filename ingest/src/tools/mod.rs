//! Tools beside the harvest, outside the library's harvest API: they are behind the
//! `tools` feature, which the `civicgraph` binary turns on for `gen`, `train-tagger`,
//! `eval-tagger` and `eval-linker`. The generator of the benchmarks' catalogues
//! ([`generate`]), the planted copies ([`perturb`]) and the linker's evaluation on them
//! ([`link_eval`]) and on real snapshots ([`snapshots`]), and the tagger's training
//! ([`train`]) and evaluation, on labelled case studies ([`tag_eval`]) and on labelled
//! catalogue entries ([`dataset_eval`]).

pub mod dataset_eval;
pub mod generate;
pub mod link_eval;
pub mod perturb;
pub mod snapshots;
pub mod tag_eval;
pub mod train;
