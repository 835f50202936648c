#!/usr/bin/env bash
# The benchmark suite: bash bench/run.sh N
#
# Generates N datasets in regional catalogues (`civicgraph gen`), ingests them end to end
# (`civicgraph harvest`: parse, map, validate, store, index, tag, link), then measures the
# SPARQL mix (bench/queries), /api/search, 8 clients for 20 s (cold and with the result
# cache) and start-up, and runs the same files and queries through the peers: `oxigraph load`
# and `oxigraph serve` (PyPI `oxigraph`) and Virtuoso (Debian `virtuoso-opensource`).
# Results: $BENCH_DIR (default target/bench/N)/results.json and results.md.
#
# Environment:
#   PROFILE=release|dev    the civicgraph build (default release)
#   PEERS="oxigraph virtuoso"   which peers to run (default both; "" for none)
#   ROUNDS=20 CLIENTS=8 SECONDS_=20   latency rounds, throughput clients and seconds
#   BUDGET_MS=30000        time per query after which its rounds stop (at least three)
#   BENCH_CHECK=1          fail if civicgraph's answers differ from oxigraph's (no timing checks)
#   KEEP=1                 keep the stores and generated files afterwards
#   MIX=0                  ingest, search, start-up and memory only: no dump, no SPARQL mix or
#                          throughput, and of the peers only `oxigraph load` of the files
#   REUSE=1                start from the store, dump and figures a KEEP=1 run of the same N
#                          left in $BENCH_DIR: no generation, ingest or dump; the serving
#                          phases and the peers run again (results.md says the ingest is reused)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
profile=${PROFILE:-release}
peers=${PEERS-oxigraph virtuoso}
rounds=${ROUNDS:-20}
budget=${BUDGET_MS:-30000}
clients=${CLIENTS:-8}
seconds=${SECONDS_:-20}
out=${BENCH_DIR:-target/bench/$n}
mix=${MIX:-1}
[ "$mix" = 1 ] || peers=${peers//virtuoso/}  # Virtuoso is loaded from the dump
root=$(pwd)

source scripts/build-bin.sh
bin=$root/$bin
bash scripts/install-deps.sh bench
case " $peers " in *" virtuoso "*)
    if ! command -v virtuoso-t >/dev/null; then
        bash scripts/install-deps.sh virtuoso || { echo "virtuoso-opensource could not be installed: skipping it" >&2; peers=${peers//virtuoso/}; }
    fi ;;
esac

reuse=""
if [ -n "${REUSE:-}" ]; then
    if [ -d "$out/cg/store" ] && [ -f "$out/ingest-wall.json" ] && { [ "$mix" != 1 ] || [ -f "$out/all.nq" ]; }; then
        reuse=1
    else
        echo "REUSE=1: $out holds no kept ingest (and dump) of a KEEP=1 run; running everything" >&2
    fi
fi
[ -n "$reuse" ] || rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
venv=$root/target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
case " $peers " in *" oxigraph "*)
    "$venv/bin/pip" install -q 'oxigraph==0.5.13' ;;
esac
py="$venv/bin/python"
bench="$py $root/bench/bench.py"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -z "${KEEP:-}" ]; then rm -rf "$out/gen" "$out/cg" "$out/oxi-raw" "$out/oxi" "$out/virtuoso" "$out/all.nq"; fi
}
trap cleanup EXIT
ms() { date +%s%3N; }
rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

if [ -n "$reuse" ]; then
    echo "== reusing the generated files, ingest and dump in $out"
    echo "{\"reused\": true}" > "$out/reused.json"
else
rm -f "$out/reused.json"
echo "== generate $n datasets"
"$bin" gen --out "$out/gen" --datasets "$n" --json > "$out/gen.json"
"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
gen = json.load(open(f"{out}/gen.json"))
smallest = min(gen["regions"], key=lambda r: r["originals"] + r["copies"])
base = f"https://data.{smallest['id']}.example.gov/"
dataset = open(gen["ground_truth"]).readlines()[1].split("\t")[1] if gen["regions"][0]["copies"] or len(gen["regions"]) > 1 else base + "catalog"
params = {"DATASET": dataset, "CATALOGUE": base + "catalog", "AUTHORITY": base + "id/org/authority"}
json.dump(params, open(f"{out}/params.json", "w"), indent=1)
PY

echo "== civicgraph: ingest (harvest: parse, map, validate, store, index, tag, link)"
start=$(ms)
CIVICGRAPH_LOG=info /usr/bin/time -v -o "$out/ingest.time" \
    "$bin" --config "$out/gen/civicgraph.toml" --data "$out/cg" harvest --json > "$out/ingest.jsonl" 2> "$out/ingest.log"
echo "{\"wall_ms\": $(( $(ms) - start ))}" > "$out/ingest-wall.json"
du -sb "$out/cg/store" "$out/cg/index" > "$out/sizes.txt"
if [ "$mix" = 1 ]; then
    start=$(ms)
    "$bin" --data "$out/cg" dump --output "$out/all.nq"
    echo "{\"dump_ms\": $(( $(ms) - start )), \"quads\": $(wc -l < "$out/all.nq")}" > "$out/dump.json"
fi
fi  # reuse

serve_civicgraph() { # $1 = cache bytes; sets $server and $startup (ms to the first /healthz)
    # The peers have no long-query lane and no memory watchdog: neither limits civicgraph
    # here, so the figures compare evaluation, not admission policy.
    printf 'bind = "127.0.0.1:17878"\n[query]\ncache_bytes = %s\ntimeout_secs = 600\n[limits]\nlong_queries = 1024\nquery_memory_bytes = 0\n' "$1" > "$out/serve.toml"
    start=$(ms)
    CIVICGRAPH_LOG=warn "$bin" --config "$out/serve.toml" --data "$out/cg" serve --no-demo > "$out/serve.log" 2>&1 &
    server=$!
    pids+=("$server")
    $bench wait --url http://127.0.0.1:17878/healthz > /dev/null
    startup=$(( $(ms) - start ))
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

echo "== civicgraph: start-up, SPARQL mix, search, 8 clients (uncached)"
serve_civicgraph 0
echo "{\"startup_ms\": $startup}" > "$out/civicgraph-startup.json"
$bench links --endpoint http://127.0.0.1:17878/sparql --truth "$out/gen/duplicates.tsv" > "$out/links.json"
if [ "$mix" = 1 ]; then
    $bench latency --endpoint http://127.0.0.1:17878/sparql --params "$out/params.json" --rounds "$rounds" --budget-ms "$budget" > "$out/civicgraph-latency.json"
fi
$bench search --base http://127.0.0.1:17878 > "$out/civicgraph-search.json"
if [ "$mix" = 1 ]; then
    $bench throughput --endpoint http://127.0.0.1:17878/sparql --params "$out/params.json" --clients "$clients" --seconds "$seconds" > "$out/civicgraph-throughput-cold.json"
fi
echo "{\"serving_peak_rss_kb\": $(rss_kb "$server")}" > "$out/civicgraph-rss.json"
stop "$server"
if [ "$mix" = 1 ]; then
    echo "== civicgraph: 8 clients with the result cache"
    serve_civicgraph $((256 * 1024 * 1024))
    # The cache's steady state: each query of the mix answered once before the clock starts.
    $bench latency --endpoint http://127.0.0.1:17878/sparql --params "$out/params.json" --rounds 0 > /dev/null
    $bench throughput --endpoint http://127.0.0.1:17878/sparql --params "$out/params.json" --clients "$clients" --seconds "$seconds" > "$out/civicgraph-throughput-cached.json"
    stop "$server"
fi

case " $peers " in *" oxigraph "*)
    oxigraph=$venv/bin/oxigraph
    "$oxigraph" --version > "$out/oxigraph-version.txt" 2>&1 || true
    echo "== oxigraph load: the generated files"
    files=()
    for f in "$out"/gen/catalogues/*.ttl; do files+=(--file "$f"); done
    start=$(ms)
    /usr/bin/time -v -o "$out/oxigraph-load-raw.time" "$oxigraph" load --location "$out/oxi-raw" "${files[@]}" > /dev/null 2>&1
    echo "{\"wall_ms\": $(( $(ms) - start ))}" > "$out/oxigraph-load-raw.json"
    rm -rf "$out/oxi-raw"
    [ "$mix" = 1 ] || peers=""  # the rest needs the dump
    ;;
esac
case " $peers " in *" oxigraph "*)
    echo "== oxigraph load: civicgraph's dump; serve"
    start=$(ms)
    /usr/bin/time -v -o "$out/oxigraph-load.time" "$oxigraph" load --location "$out/oxi" --file "$out/all.nq" > /dev/null 2>&1
    echo "{\"wall_ms\": $(( $(ms) - start ))}" > "$out/oxigraph-load.json"
    start=$(ms)
    "$oxigraph" serve --location "$out/oxi" --bind 127.0.0.1:17879 --union-default-graph > /dev/null 2>&1 &
    server=$!
    pids+=("$server")
    $bench wait --url "http://127.0.0.1:17879/query?query=ASK%7B%7D" > /dev/null
    echo "{\"startup_ms\": $(( $(ms) - start ))}" > "$out/oxigraph-startup.json"
    $bench latency --endpoint http://127.0.0.1:17879/query --params "$out/params.json" --rounds "$rounds" --budget-ms "$budget" --skip 05-text-search-service > "$out/oxigraph-latency.json"
    $bench throughput --endpoint http://127.0.0.1:17879/query --params "$out/params.json" --clients "$clients" --seconds "$seconds" --skip 05-text-search-service > "$out/oxigraph-throughput.json"
    echo "{\"serving_peak_rss_kb\": $(rss_kb "$server")}" > "$out/oxigraph-rss.json"
    du -sb "$out/oxi" > "$out/oxigraph-size.txt"
    stop "$server"
    ;;
esac

case " $peers " in *" virtuoso "*)
    echo "== virtuoso: bulk load civicgraph's dump; serve"
    vdir=$out/virtuoso
    mkdir -p "$vdir"
    sed -e "s|@DIR@|$vdir|g" -e "s|@DATA@|$out|g" bench/virtuoso.ini > "$vdir/virtuoso.ini"
    virtuoso-t +foreground +configfile "$vdir/virtuoso.ini" > "$vdir/server.log" 2>&1 &
    server=$!
    pids+=("$server")
    for _ in $(seq 1 300); do isql-vt 11111 dba dba exec="status();" > /dev/null 2>&1 && break; sleep 1; done
    start=$(ms)
    isql-vt 11111 dba dba exec="ld_dir('$out', 'all.nq', 'http://civicgraph.bench/default'); rdf_loader_run(); checkpoint;" > "$vdir/load.log" 2>&1
    echo "{\"wall_ms\": $(( $(ms) - start ))}" > "$out/virtuoso-load.json"
    isql-vt 11111 dba dba exec="SELECT ll_state, ll_error FROM DB.DBA.LOAD_LIST;" >> "$vdir/load.log" 2>&1
    $bench latency --endpoint http://127.0.0.1:18890/sparql --params "$out/params.json" --rounds "$rounds" --budget-ms "$budget" --skip 05-text-search-service > "$out/virtuoso-latency.json"
    $bench throughput --endpoint http://127.0.0.1:18890/sparql --params "$out/params.json" --clients "$clients" --seconds "$seconds" --skip 05-text-search-service > "$out/virtuoso-throughput.json"
    echo "{\"serving_peak_rss_kb\": $(rss_kb "$server")}" > "$out/virtuoso-rss.json"
    du -sb "$vdir"/*.db > "$out/virtuoso-size.txt"
    virtuoso-t +version > "$out/virtuoso-version.txt" 2>&1 || true
    stop "$server"
    ;;
esac

"$py" bench/report.py "$out" "$n" "$profile"
