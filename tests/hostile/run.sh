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
# The last check stopped the server with SIGTERM while a heavy query ran: it must have
# exited 0, not aborted on its way out.
status=0
wait "$server" || status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL the server exited with status $status after SIGTERM (134: aborted)" >&2
    exit 1
fi
echo "ok   the server exited 0 after SIGTERM"
