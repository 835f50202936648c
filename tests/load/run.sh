#!/usr/bin/env bash
# Load and soak test (tests/load/load.py) against civicgraph serving the demo data with a
# write token, a 5 s query timeout and a 10,000-row cap. CI runs the short version
# (16 clients, 10 s); the figures in BENCHMARKS.md are from `bash tests/load/run.sh 64 60`.
# Usage: bash tests/load/run.sh [clients] [seconds] [RSS bound, MB]
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-16}
seconds=${2:-10}
bound=${3:-1500}
cargo build -q --locked --workspace --bin civicgraph
config=$(mktemp)
cat > "$config" <<TOML
[query]
timeout_secs = 5
max_result_rows = 10000

[limits]
max_concurrent_queries = ${LOAD_QUERY_SLOTS:-0}
TOML
token="load-$RANDOM$RANDOM"
server_env="CIVICGRAPH_UPDATE_TOKEN=$token"
server_args="--config $config"
server_cleanup="rm -f $config"
source tests/start-server.sh
python3 tests/load/load.py "http://127.0.0.1:$port" "$token" "$server" "$clients" "$seconds" "$bound"
