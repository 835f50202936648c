# Sourced by the benchmark scripts: installs the build's system packages and builds the
# `civicgraph` binary in the profile named by $profile (dev, the default, or release);
# sets $bin to its path.
bash scripts/install-deps.sh
if [ "${profile:-dev}" = release ]; then
    cargo build -q --locked --release --workspace --bin civicgraph
    bin=target/release/civicgraph
else
    cargo build -q --locked --workspace --bin civicgraph
    bin=target/debug/civicgraph
fi
