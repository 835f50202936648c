# Sourced by the test scripts: starts `target/debug/civicgraph serve` on the demo data in a
# temporary directory on a random port, waits for /healthz, and stops it on exit.
# After sourcing: $port is the port; extra environment for the server goes in $server_env.
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
env ${server_env:-} CIVICGRAPH_LOG=warn \
    target/debug/civicgraph --data "$data/graph" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the server did not start")
PY
