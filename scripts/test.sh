#!/usr/bin/env bash
# Runs every test: unit, integration, end-to-end (the real binary), doctests, and the
# SPARQLWrapper and rdflib clients against a running server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
cargo test --locked --workspace
# Real SPARQL clients (SPARQLWrapper, rdflib, from PyPI) against the real server.
bash tests/clients/run.sh
# DCAT-AP verdicts compared with an independent validator (pySHACL, from PyPI).
bash tests/shacl/run.sh
