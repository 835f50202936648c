#!/usr/bin/env bash
# Harvest benchmark: one generated DCAT-AP catalogue of N datasets (Turtle, about 20 triples
# per dataset: title, description, keywords, theme, publisher, contact point, dates and a
# distribution with licence, format and media type) harvested by `civicgraph harvest` into a
# fresh data directory, then harvested again unchanged (the change-detection path). Prints
# wall time, records/s, triples/s and peak RSS (GNU time), and the store and index size.
# Usage: bash scripts/bench-harvest.sh [N] [profile: dev|release]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
profile=${2:-dev}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
source scripts/build-bin.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen-catalogue.py "$work/catalog.ttl" "$n"
cat > "$work/civicgraph.toml" <<TOML
[[source]]
id = "bench"
kind = "dcat"
path = "$work/catalog.ttl"
TOML
size=$(du -h "$work/catalog.ttl" | cut -f1)
for run in first unchanged; do
    start=$(date +%s%N)
    CIVICGRAPH_LOG=info /usr/bin/time -f "peak RSS %M KB" "$bin" --config "$work/civicgraph.toml" --data "$work/data" harvest 2>"$work/err" || { cat "$work/err"; exit 1; }
    end=$(date +%s%N)
    grep -o 'bench: read.*' "$work/err" || true
    grep -o 'committed.*' "$work/err" | tail -1 || true
    grep 'peak RSS' "$work/err"
    triples=$(grep -o '| [0-9]* triples' "$work/err" | grep -o '[0-9]*')
    python3 -c "s=($end-$start)/1e9; print(f'$run harvest of $n datasets ($size Turtle, {$triples} triples): {s:.1f} s wall, {$n/s:.0f} records/s, {$triples/s:.0f} triples/s')"
done
du -sh "$work/data/store" "$work/data/index" | sed 's/^/on disk: /'
