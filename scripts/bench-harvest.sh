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
bash scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
if [ "$profile" = release ]; then
    cargo build -q --locked --release -p civicgraph-sparql-api --bin civicgraph
    bin=target/release/civicgraph
else
    cargo build -q --locked -p civicgraph-sparql-api --bin civicgraph
    bin=target/debug/civicgraph
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/catalog.ttl" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
eu = "http://publications.europa.eu/resource/authority/"
themes = ["ENVI", "TRAN", "HEAL", "EDUC", "ECON", "GOVE", "SOCI", "REGI"]
words = ["air quality", "school meals", "bus routes", "bin collections", "planning applications",
         "road works", "library loans", "housing waiting list", "food hygiene", "council spending"]
with open(path, "w") as f:
    f.write("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            "@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            "<https://bench.example.org/catalog> a dcat:Catalog ; dct:title \"Bench catalogue\"@en ;\n"
            "  dct:description \"Generated\"@en ; dct:publisher <https://bench.example.org/org/0> .\n")
    for o in range(50):
        f.write(f"<https://bench.example.org/org/{o}> a foaf:Agent ; foaf:name \"Council {o}\"@en .\n")
    for i in range(n):
        w = words[i % len(words)]
        f.write(
            f"<https://bench.example.org/catalog> dcat:dataset <https://bench.example.org/d/{i}> .\n"
            f"<https://bench.example.org/d/{i}> a dcat:Dataset ; dct:identifier \"bench-{i}\" ;\n"
            f"  dct:title \"{w.capitalize()} {i}\"@en ; dct:description \"Records of {w} for district {i % 97}, updated monthly.\"@en ;\n"
            f"  dcat:keyword \"{w}\"@en , \"district {i % 97}\"@en ; dcat:theme <{eu}data-theme/{themes[i % 8]}> ;\n"
            f"  dct:publisher <https://bench.example.org/org/{i % 50}> ; dct:issued \"2020-01-{1 + i % 28:02d}\"^^xsd:date ;\n"
            f"  dct:modified \"2024-06-{1 + i % 28:02d}\" ;\n"
            f"  dcat:contactPoint [ a vcard:Kind ; vcard:fn \"Data team {i % 50}\" ; vcard:hasEmail <mailto:data{i % 50}@bench.example.org> ] ;\n"
            f"  dcat:distribution <https://bench.example.org/d/{i}/csv> .\n"
            f"<https://bench.example.org/d/{i}/csv> a dcat:Distribution ; dcat:accessURL <https://bench.example.org/files/{i}.csv> ;\n"
            f"  dct:format <{eu}file-type/CSV> ; dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;\n"
            f"  dct:license <{eu}licence/CC_BY_4_0> .\n")
PY
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
