#!/usr/bin/env bash
# Independent checks with pySHACL (from PyPI): civicgraph's DCAT-AP verdicts against
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
cargo build -q --locked -p civicgraph-sparql-api --bin civicgraph
"$venv/bin/python" tests/shacl/compare.py target/debug/civicgraph "$shared"

data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
CIVICGRAPH_LOG=warn target/debug/civicgraph --data "$data/graph" serve --bind "127.0.0.1:$port" &
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
"$venv/bin/python" tests/shacl/catalog.py "http://127.0.0.1:$port" "$shared"
