#!/usr/bin/env bash
# The hostile requests of issue 16 sent to the real server on the demo data, one after the
# other, each followed by /healthz (tests/hostile/check.py). CI runs it on the debug build;
# `PROFILE=release bash tests/hostile/run.sh` checks the release build, as SECURITY.md
# records.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile=${PROFILE:-dev}
if [ "$profile" = release ]; then
    cargo build -q --locked --release --workspace --bin civicgraph
    civicgraph_bin=target/release/civicgraph
else
    cargo build -q --locked --workspace --bin civicgraph
fi
source tests/start-server.sh
python3 tests/hostile/check.py "http://127.0.0.1:$port" "$server"
