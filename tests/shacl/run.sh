#!/usr/bin/env bash
# civicgraph's DCAT-AP verdicts against pySHACL's (from PyPI) on the SEMIC example files.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${CIVICGRAPH_SHARED_DATA:-../shared/data}"
if [ ! -d "$shared/semic-dcat-ap" ]; then
    echo "shared data not found at $shared; skipping the pySHACL comparison"
    exit 0
fi
venv=target/client-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check rdflib pyshacl
cargo build -q --locked -p civicgraph-sparql-api --bin civicgraph
"$venv/bin/python" tests/shacl/compare.py target/debug/civicgraph "$shared"
