#!/usr/bin/env bash
# Starts civicgraph on the demo data with a write token, runs the SPARQLWrapper and rdflib
# checks against it, and stops it. Installs the two clients from PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/client-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check sparqlwrapper rdflib
cargo build -q --locked -p civicgraph-sparql-api --bin civicgraph
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
token="client-test-$RANDOM$RANDOM"
CIVICGRAPH_UPDATE_TOKEN="$token" CIVICGRAPH_LOG=warn \
    target/debug/civicgraph --data "$data/graph" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the server did not start")
PY
"$venv/bin/python" tests/clients/sparql_clients.py "http://127.0.0.1:$port" "$token"
