#!/usr/bin/env bash
# Independent checks with pySHACL (from PyPI): civicgraph's verdicts against
# pySHACL's on example catalogues, and every page of a running server's /catalog (the demo
# data) against the SEMIC DCAT-AP 3.0.1 shapes, which must give 0 violations.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${CIVICGRAPH_SHARED_DATA:-../shared/data}"
if [ ! -d "$shared/semic-dcat-ap" ]; then
    echo "shared data not found at $shared; skipping the pySHACL checks"
    exit 0
fi
venv=target/client-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check rdflib pyshacl
cargo build -q --locked --workspace --bin civicgraph
"$venv/bin/python" tests/shacl/compare.py target/debug/civicgraph "$shared"

source tests/start-server.sh
"$venv/bin/python" tests/shacl/catalog.py "http://127.0.0.1:$port" "$shared"
