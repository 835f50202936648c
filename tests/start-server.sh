# Sourced by the test scripts: starts `target/debug/civicgraph serve` on the demo data in a
# temporary directory on a random port, waits for /healthz, and stops it on exit.
# The binary is $civicgraph_bin (default target/debug/civicgraph).
# After sourcing: $port is the port. Before it: extra environment for the server in
# $server_env, global options (`--config FILE`) in $server_args, options of `serve`
# (`--no-demo`) in $serve_args, a data directory to serve in $server_data (default: a new
# one, which `serve` fills with the demo data), and a command to run on exit as well in
# $server_cleanup.
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
env ${server_env:-} CIVICGRAPH_LOG=warn \
    ${civicgraph_bin:-target/debug/civicgraph} ${server_args:-} --data "${server_data:-$data/graph}" serve ${serve_args:-} --bind "127.0.0.1:$port" &
server=$!
# A test may have stopped the server itself (tests/hostile sends SIGTERM): under `set -e`,
# a failing kill or wait in this trap would turn a passing run into exit code 1.
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"; ${server_cleanup:-true}' EXIT
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
