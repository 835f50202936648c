//! Running the `civicgraph` binary as a user does.

use std::path::Path;
use std::process::{Command, Output};

/// `civicgraph --data DATA ARGS...` with the binary at `bin` (a test's
/// `env!("CARGO_BIN_EXE_civicgraph")`), run from the repository's root with warnings-only
/// logs.
pub fn command(bin: &str, data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(bin);
    command
        .current_dir(crate::demo::repo(""))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("CIVICGRAPH_LOG", "warn");
    command
}

/// Its standard output, after checking it succeeded (else its standard error is shown).
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Seeded points at which to kill a run, as fractions of its duration: one slot per round,
/// spread evenly over `[0, spread)` and jittered within it, so that both early kills and
/// kills past the commit are certain to happen and every run of a test kills at the same
/// points.
pub fn kill_points(seed: u64, rounds: usize, spread: f64) -> Vec<f64> {
    let mut state = seed;
    (0..rounds)
        .map(|round| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (round as f64 + (state >> 33) as f64 / (1u64 << 31) as f64) * spread / rounds as f64
        })
        .collect()
}

/// Starts `command` with its output discarded, kills it with SIGKILL after `delay`, and
/// waits for it: a process that dies at an arbitrary point.
pub fn kill_after(mut command: Command, delay: std::time::Duration) {
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start civicgraph");
    // The wait is the point of the test: where in the run the kill lands.
    std::thread::sleep(delay);
    child.kill().expect("kill"); // SIGKILL on Unix
    child.wait().expect("wait");
}

/// Runs `civicgraph --data DATA ARGS...` ([`command`]) to its end.
pub fn run(bin: &str, data: &Path, args: &[&str]) -> Output {
    command(bin, data, args).output().expect("run civicgraph")
}
