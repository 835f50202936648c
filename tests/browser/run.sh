#!/usr/bin/env bash
# Browser test of the web page: harvests the demo catalogues, the demo case studies, the real
# data.birmingham.gov.uk CKAN response (served by a local web server as a portal) and a
# file of hostile values, serves them, and drives headless Chromium through the page with
# Selenium. Screenshots go to target/browser-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/client-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check selenium
cargo build -q --locked --workspace --bin civicgraph

work=$(mktemp -d)
portal_pid=""
cleanup() {
    [ -n "$portal_pid" ] && kill "$portal_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# A CKAN portal: package_search answers with the recorded Birmingham response (from
# ../shared/data; without it, the portal has nothing to serve and its check is skipped).
recorded=../shared/data/ckan-api-responses/data-birmingham-gov-uk/package_search.json
mkdir -p "$work/portal/api/3/action"
if [ -f "$recorded" ]; then
    cp "$recorded" "$work/portal/api/3/action/package_search"
    export CKAN_PORTAL=recorded
else
    echo "shared data not found at ../shared/data; the CKAN portal is left out of the browser test"
    export CKAN_PORTAL=none
fi
# On a port the system gives (a port picked at random could be held by a client
# connection), read back from the line the server prints when it listens.
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/portal" > "$work/portal.log" 2>&1 &
portal_pid=$!
portal_port=""
for _ in $(seq 1 100); do
    portal_port=$(sed -n 's/^Serving HTTP on .* port \([0-9][0-9]*\) .*/\1/p' "$work/portal.log")
    [ -n "$portal_port" ] && break
    sleep 0.1
done
[ -n "$portal_port" ] || { echo "the portal did not start: $(cat "$work/portal.log")" >&2; exit 1; }

root=$(pwd)
cat > "$work/civicgraph.toml" <<TOML
[harvest]
delay_ms = 0

[[source]]
id = "westshire"
kind = "dcat"
path = "$root/datasets/demo/westshire.ttl"
title = "Westshire Data Hub"
region = "Westshire"

[[source]]
id = "northmoor"
kind = "dcat"
path = "$root/datasets/demo/northmoor.ttl"
region = "Northmoor"

[[source]]
id = "southvale"
kind = "dcat"
path = "$root/datasets/demo/southvale.ttl"
region = "Southvale"

[[source]]
id = "case-studies"
kind = "case-studies"
path = "$root/datasets/demo/case-studies.json"

$( [ "$CKAN_PORTAL" = recorded ] && printf '[[source]]\nid = "birmingham"\nkind = "ckan"\nurl = "http://127.0.0.1:%s"\ntitle = "Birmingham Data Factory (recorded)"\nregion = "Birmingham"\n' "$portal_port" )

[[source]]
id = "hostile"
kind = "case-studies"
path = "$root/tests/browser/hostile-case-studies.json"
TOML
CIVICGRAPH_LOG=warn target/debug/civicgraph --config "$work/civicgraph.toml" --data "$work/graph" harvest

server_args="--config $work/civicgraph.toml"
server_data="$work/graph"
serve_args="--no-demo"
server_cleanup=cleanup
source tests/start-server.sh
mkdir -p target/browser-screenshots
"$venv/bin/python" tests/browser/test_page.py "http://127.0.0.1:$port" target/browser-screenshots
