//! What the tests that run the `civicgraph` binary share.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `civicgraph --data DATA ARGS...` from the repository's root, with warnings-only logs.
pub fn civicgraph(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civicgraph"))
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("CIVICGRAPH_LOG", "warn")
        .output()
        .expect("run civicgraph")
}
