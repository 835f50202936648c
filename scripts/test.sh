#!/usr/bin/env bash
# Runs every test: unit, integration, end-to-end (the real binary), doctests, and the
# SPARQLWrapper and rdflib clients against a running server, the web page in a browser, and
# a smoke run of the benchmark suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
cargo test --locked --workspace
# Real SPARQL clients (SPARQLWrapper, rdflib, from PyPI) against the real server.
bash tests/clients/run.sh
# DCAT-AP verdicts compared with an independent validator (pySHACL, from PyPI).
bash tests/shacl/run.sh
# The web page in headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI).
bash tests/browser/run.sh
# Load: 16 clients for 10 s of normal, pathological, search and write requests (short version).
bash tests/load/run.sh 16 10
# The hostile requests of issue 16 against the real binary, each followed by /healthz.
bash tests/hostile/run.sh
# The benchmark suite's smoke run: 10k generated datasets ingested end to end, the SPARQL
# mix, search and load against civicgraph and oxigraph; fails if their answers differ.
# No timing is asserted.
PROFILE=dev PEERS=oxigraph ROUNDS=2 SECONDS_=3 BENCH_CHECK=1 BENCH_DIR=target/bench/smoke bash bench/run.sh 10000
