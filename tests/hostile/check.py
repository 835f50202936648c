"""The hostile requests of issue 16, sent to a running civicgraph serving the demo data.

Usage: check.py BASE_URL SERVER_PID

Each request must get an answer (a 4xx or 5xx with a message, or a correct 200), and
/healthz must answer within 100 ms right after it. Also: the string bomb's peak RSS stays
under 2 GB; a forged Host header never reaches another client's answer; eight clients that
hang up on heavy queries leave the slots free for the next ASK; SIGTERM stops the server
within the shutdown grace. Prints one line per check and exits 1 if any failed.
"""
import http.client
import os
import signal
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import timed_http  # noqa: E402

BASE, PID = sys.argv[1], int(sys.argv[2])
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
SEARCH_NS = "https://w3id.org/civicgraph/search#"
failures = []


def call(method, path, body=None, headers=None, timeout=60):
    return timed_http.call(HOST, PORT, method, path, body, headers, timeout)


def rss_mb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def check(name, ok, detail):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    if not ok:
        failures.append(name)


def healthz_after(name):
    status, _, ms = call("GET", "/healthz", timeout=5)
    check(f"{name}, then /healthz", status == 200 and ms <= 100, f"{status} in {ms:.1f} ms")


def query(text, accept="application/sparql-results+json", headers=None):
    return call("POST", "/sparql", body=text.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept, **(headers or {})})


def answered(name, status, body, ms, expect):
    message = body[:120].decode("utf-8", "replace").replace("\n", " ")
    check(name, status in expect, f"{status} in {ms:.0f} ms: {message}")
    healthz_after(name)


# 1. A page far past any result window.
answered("search page 10^13", *call("GET", "/api/search?page=10000000000000"), {400})
# 2. Nesting past any stack: parentheses and groups.
answered("100,000 nested parentheses", *query("SELECT * WHERE { FILTER(" + "(" * 100000 + "1" + ")" * 100000 + ") }"), {400})
answered("50,000 nested groups", *query("SELECT * WHERE { " + "{" * 50000 + "}" * 50000 + " }"), {400})
# 3. Nested search syntax, in the API and inside SPARQL.
nested = "(" * 30 + "air" + ")" * 30
answered("30 nested parentheses in q", *call("GET", "/api/search?q=" + urllib.parse.quote(nested)), {400})
answered("30 nested parentheses in cgs:matches", *query(
    f'PREFIX cgs: <{SEARCH_NS}> SELECT ?hit {{ SERVICE cgs: {{ ?hit cgs:matches "{nested}" }} }}'), {400})
# 4. A forged Host header must not reach anyone else's answer.
forged = "SELECT (<> AS ?b) {}"
query(forged, headers={"Host": "evil.example"})
status, body, ms = query(forged)
check("forged Host header", status == 200 and b"evil.example" not in body, f"{status}: {body[:160]!r}")
# 5. The string bomb: 27 doublings of 16 characters (2 GiB unbounded), RSS sampled meanwhile.
bomb = ("SELECT (STRLEN(?v27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?v0) "
        + " ".join(f"BIND(CONCAT(?v{i - 1}, ?v{i - 1}) AS ?v{i})" for i in range(1, 28)) + " }")
peak, done = [rss_mb()], threading.Event()


def sample():
    while not done.is_set():
        peak.append(rss_mb())
        time.sleep(0.05)


sampler = threading.Thread(target=sample)
sampler.start()
result = query(bomb)
done.set()
sampler.join()
answered("CONCAT doubled 27 times", *result, {400, 413, 503, 200})
check("CONCAT peak RSS under 2 GB", max(peak) < 2048, f"peak {max(peak)} MB")
# 6. Eight clients send a heavy query and hang up after one second.
product = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def hang_up():
    conn = http.client.HTTPConnection(HOST, PORT, timeout=1)
    try:
        conn.request("POST", "/sparql", body=product, headers={"Content-Type": "application/sparql-query"})
        conn.getresponse().read()
    except OSError:
        pass
    finally:
        conn.close()


clients = [threading.Thread(target=hang_up) for _ in range(8)]
for c in clients:
    c.start()
for c in clients:
    c.join()
status, body, ms = query("ASK {}")
check("ASK after eight clients hung up", status == 200 and ms < 5000, f"{status} in {ms:.0f} ms")
healthz_after("eight clients hung up")
# 7. SIGTERM stops the server within its shutdown grace (5 s), even with a heavy query running.


def busy_query():
    try:
        call("POST", "/sparql", body=product, headers={"Content-Type": "application/sparql-query"})
    except OSError:
        pass  # the server went away: what this check wants


busy = threading.Thread(target=busy_query, daemon=True)
busy.start()
time.sleep(0.5)
start = time.perf_counter()
os.kill(PID, signal.SIGTERM)
while os.path.exists(f"/proc/{PID}") and time.perf_counter() - start < 30:
    with open(f"/proc/{PID}/stat") as f:
        if f.read().split(") ")[-1].startswith("Z"):
            break
    time.sleep(0.05)
gone = time.perf_counter() - start
check("SIGTERM with a heavy query running", gone < 10, f"the server stopped in {gone:.1f} s")
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
