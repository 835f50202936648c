#!/usr/bin/env bash
# Load benchmark: times `civicgraph load` of N generated datasets (3 quads each) into a
# fresh data directory, then a second load that replaces them, and prints the commit's
# stage timings (prepare = batch + transaction build, store = RocksDB commit, index =
# tantivy update). Usage: bash scripts/bench-load.sh [N] [profile: dev|release]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-60000}
profile=${2:-dev}
source scripts/build-bin.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/source.nt" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    for i in range(n):
        f.write(f'<http://ex/d{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .\n')
        f.write(f'<http://ex/d{i}> <http://purl.org/dc/terms/title> "Dataset {i} about air quality and schools" .\n')
        f.write(f'<http://ex/d{i}> <http://purl.org/dc/terms/description> "Generated record {i} for the load benchmark." .\n')
PY
for run in first replace; do
    start=$(date +%s%N)
    CIVICGRAPH_LOG=info "$bin" --data "$work/data" load "$work/source.nt" 2>&1 | grep -o 'committed.*'
    end=$(date +%s%N)
    python3 -c "import sys; s=($end-$start)/1e9; print(f'$run load of $n datasets ({3*$n} quads): {s:.2f} s wall, {3*$n/s:.0f} quads/s')"
done
du -sh "$work/data/store" "$work/data/index" | sed 's/^/on disk: /'
