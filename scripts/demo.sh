#!/usr/bin/env bash
# Builds civicgraph and serves the bundled demo data on http://127.0.0.1:7878/.
# Extra arguments go to `civicgraph serve` (for example --bind 0.0.0.0:7878).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec cargo run --locked -p civicgraph-sparql-api --bin civicgraph -- serve "$@"
