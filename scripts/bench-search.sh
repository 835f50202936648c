#!/usr/bin/env bash
# Search API benchmark: N generated datasets (scripts/gen-catalogue.py) loaded and tagged in a
# fresh data directory, served, and asked a fixed mix of /api/search requests with facets
# (text, text + pattern, text + theme + year, phrase, no text, date sort, deep page) by one
# client over keep-alive. Prints p50 and p95 per request kind and overall; the first pass
# warms the caches and is not counted.
# Usage: bash scripts/bench-search.sh [N] [profile: dev|release] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
profile=${2:-dev}
rounds=${3:-30}
source scripts/build-bin.sh
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
server=""
python3 scripts/gen-catalogue.py "$work/catalog.ttl" "$n"
start=$(date +%s)
CIVICGRAPH_LOG=warn "$bin" --data "$work/data" load "$work/catalog.ttl"
CIVICGRAPH_LOG=warn "$bin" --data "$work/data" tag
echo "loaded and tagged $n datasets in $(( $(date +%s) - start )) s"
port=$((20000 + RANDOM % 20000))
CIVICGRAPH_LOG=warn "$bin" --data "$work/data" serve --no-demo --bind "127.0.0.1:$port" &
server=$!
python3 - "$port" "$rounds" <<'PY'
import http.client, statistics, sys, time
port, rounds = int(sys.argv[1]), int(sys.argv[2])
for _ in range(300):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5); c.request("GET", "/healthz"); c.getresponse().read(); break
    except OSError:
        time.sleep(0.2)
mix = {
    "text": "/api/search?q=air+quality",
    "text+pattern": "/api/search?q=school+meals&pattern=planning",
    "text+theme+year": "/api/search?q=bus+routes&theme=http%3A%2F%2Fpublications.europa.eu%2Fresource%2Fauthority%2Fdata-theme%2FTRAN&year_from=2020",
    "phrase": "/api/search?q=%22district+42%22",
    "no text": "/api/search",
    "date sort": "/api/search?q=council+spending&sort=date",
    "deep page": "/api/search?q=library+loans&page=40&page_size=20",
}
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
times = {k: [] for k in mix}
for r in range(rounds + 1):
    for kind, path in mix.items():
        t = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse(); body = resp.read()
        assert resp.status == 200, (path, resp.status, body[:200])
        if r:
            times[kind].append((time.perf_counter() - t) * 1000)
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))]
print("| request | p50 ms | p95 ms |\n|---|---:|---:|")
for kind, v in times.items():
    print(f"| {kind} | {statistics.median(v):.1f} | {q(v, 0.95):.1f} |")
all_ = [x for v in times.values() for x in v]
print(f"| **all** | **{statistics.median(all_):.1f}** | **{q(all_, 0.95):.1f}** |")
PY
