#!/usr/bin/env bash
# Starts civicgraph on the demo data with a write token, runs the SPARQLWrapper and rdflib
# checks and the ckanapi checks (the CKAN Action API subset) against it, and stops it.
# Installs the three clients from PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/client-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check sparqlwrapper rdflib ckanapi
cargo build -q --locked --workspace --bin civicgraph
token="client-test-$RANDOM$RANDOM"
server_env="CIVICGRAPH_UPDATE_TOKEN=$token"
source tests/start-server.sh
"$venv/bin/python" tests/clients/sparql_clients.py "http://127.0.0.1:$port" "$token"
"$venv/bin/python" tests/clients/ckan_client.py "http://127.0.0.1:$port"
