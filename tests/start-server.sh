# Sourced by the test scripts: starts `target/debug/civicgraph serve` on the demo data in a
# temporary directory on a port the system gives (port 0: a port picked at random could be
# one a client connection of an earlier test still holds), reads it from the `serving`
# file the server announces itself in, waits for /healthz, and stops it on exit.
# The binary is $civicgraph_bin (default target/debug/civicgraph).
# After sourcing: $port is the port. Before it: extra environment for the server in
# $server_env, global options (`--config FILE`) in $server_args, options of `serve`
# (`--no-demo`) in $serve_args, a data directory to serve in $server_data (default: a new
# one, which `serve` fills with the demo data), and a command to run on exit as well in
# $server_cleanup.
data=$(mktemp -d)
served_dir=${server_data:-$data/graph}
rm -f "$served_dir/serving"
env ${server_env:-} CIVICGRAPH_LOG=warn \
    ${civicgraph_bin:-target/debug/civicgraph} ${server_args:-} --data "$served_dir" serve ${serve_args:-} --bind "127.0.0.1:0" &
server=$!
# A test may have stopped the server itself (tests/hostile sends SIGTERM): under `set -e`,
# a failing kill or wait in this trap would turn a passing run into exit code 1.
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"; ${server_cleanup:-true}' EXIT
port=$(python3 - "$served_dir/serving" "$server" <<'PY'
import os, sys, time, urllib.request
announced, pid = sys.argv[1], int(sys.argv[2])
for _ in range(600):
    try:
        url = open(announced).read().strip()
        urllib.request.urlopen(f"{url}/healthz", timeout=1)
        print(url.rsplit(":", 1)[1])
        break
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("the server stopped before it served")
        time.sleep(0.2)
else:
    sys.exit("the server did not start")
PY
)
