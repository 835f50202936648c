#!/usr/bin/env bash
# Runs every test: unit, integration, end-to-end (the real binary) and doctests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cargo test --locked --workspace
