"""Load and soak test of a running civicgraph: many concurrent clients for a fixed time, mixing
normal queries, pathological ones, search calls and writes, while one more client polls
/healthz and another samples the server's memory. A probe in a process of its own sends a
normal query every 20 ms: its latency is what a normal client elsewhere sees, without the
wait for the interpreter lock that the 64 client threads share. Before the load, the same
probe runs alone for 5 s: its unloaded latency, at the same cadence.

Usage: load.py BASE_URL TOKEN SERVER_PID CLIENTS SECONDS RSS_BOUND_MB

Passes when: every answer is a success or a refusal by design (408, 413, 429, 503), with no
dropped connection; no query runs on past the timeout (none takes over 15 s with the 5 s
timeout); the server's RSS stays under the bound. Also measured, and failing only with
LOAD_STRICT_TIMINGS=1 (tests do not assert timings on a shared machine): /healthz always
within 100 ms, and a normal query after the load about as fast as before it (within
2x + 20 ms). Prints the figures as a Markdown table.
"""
import http.client
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import timed_http  # noqa: E402

BASE, TOKEN, PID, CLIENTS, SECONDS, RSS_BOUND = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]))
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port
ALLOWED = {200, 204, 400, 408, 413, 429, 503}

NORMAL = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
    "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?t WHERE { ?d dct:title ?t } LIMIT 20",
    "PREFIX cg: <https://w3id.org/civicgraph/ns#> SELECT ?p (COUNT(?r) AS ?n) WHERE { ?r cg:usePattern ?p } GROUP BY ?p",
    "ASK { ?s a <https://w3id.org/civicgraph/ns#CaseStudy> }",
]
PATHOLOGICAL = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",              # cartesian product
    "SELECT ?x ?y WHERE { ?x (<http://ex/p>|!<http://ex/q>)* ?y }",                  # unbounded path
    "CONSTRUCT { ?a ?b ?c . ?d ?e ?f } WHERE { ?a ?b ?c . ?d ?e ?f }",               # huge CONSTRUCT
    "SELECT ?s WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), \"(a|b|c)*(d|e)+.*x$\", \"i\")) }",  # regex over every literal
    # string bomb: 27 doublings of a 16-character string (2 GiB unbounded)
    "SELECT (STRLEN(?v27) AS ?n) WHERE { BIND(\"0123456789abcdef\" AS ?v0) "
    + " ".join(f"BIND(CONCAT(?v{i - 1}, ?v{i - 1}) AS ?v{i})" for i in range(1, 28)) + " }",
    "SELECT * WHERE { " + "{" * 50000 + "}" * 50000 + " }",                       # nesting past any stack
]
# Search that tantivy's grammar takes exponential time on, and a page past any window.
HOSTILE_SEARCH = ["/api/search?q=" + "(" * 30 + "air" + ")" * 30, "/api/search?page=10000000000000"]
SEARCH = ["/api/search?q=air+quality", "/api/search?q=school&pattern=planning", "/api/search", "/api/patterns"]

lock = threading.Lock()
statuses = {}
latencies = {"normal": [], "pathological": [], "hostile search": [], "hang-up": [], "search": [], "write": []}
health = []
rss = []
failures = []
warnings = []
stop = time.time() + SECONDS


def call(method, path, body=None, headers=None, timeout=60):
    status, _, ms = timed_http.call(HOST, PORT, method, path, body, headers, timeout)
    return status, ms


def record(kind, status, ms, what):
    with lock:
        statuses[status] = statuses.get(status, 0) + 1
        latencies[kind].append(ms)
        if status not in ALLOWED:
            failures.append(f"{status} for {what}")


def client(seed):
    # LOAD_CLIENT_NICE lowers the load's client threads (on Linux, nice applies to the calling
    # thread), not the probe or /healthz: on a two-core machine the 64 Python clients compete
    # for the CPU with the server they load, which remote clients would not.
    os.nice(int(os.environ.get("LOAD_CLIENT_NICE", "0")))
    rng = random.Random(seed)
    n = 0
    while time.time() < stop:
        roll = rng.random()
        n += 1
        try:
            if roll < 0.45:
                q = rng.choice(NORMAL)
                status, ms = call("GET", "/sparql?query=" + urllib.parse.quote(q), headers={"Accept": "application/sparql-results+json"})
                record("normal", status, ms, q[:40])
            elif roll < 0.52:
                q = rng.choice(PATHOLOGICAL)
                accept = "application/n-triples" if q.startswith("CONSTRUCT") else "application/sparql-results+json"
                status, ms = call("POST", "/sparql", body=q, headers={"Content-Type": "application/sparql-query", "Accept": accept})
                record("pathological", status, ms, q[:40])
            elif roll < 0.54:
                path = rng.choice(HOSTILE_SEARCH)
                status, ms = call("GET", path)
                record("hostile search", status, ms, path[:40])
            elif roll < 0.55:
                # A client that sends a heavy query and hangs up after a second: its
                # evaluation must stop with it, not hold a slot until the timeout.
                start = time.perf_counter()
                conn = http.client.HTTPConnection(HOST, PORT, timeout=1)
                try:
                    conn.request("POST", "/sparql", body=PATHOLOGICAL[0], headers={"Content-Type": "application/sparql-query"})
                    conn.getresponse().read()
                except OSError:
                    pass
                finally:
                    conn.close()
                with lock:
                    latencies["hang-up"].append((time.perf_counter() - start) * 1000)
            elif roll < 0.9:
                path = rng.choice(SEARCH)
                status, ms = call("GET", path)
                record("search", status, ms, path)
            else:
                update = (f"INSERT DATA {{ GRAPH <http://example.org/load> {{ <http://example.org/load/{seed}/{n}> "
                          f"a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> \"load {seed} {n}\" }} }}")
                status, ms = call("POST", "/update", body=update, headers={
                    "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
                record("write", status, ms, "update")
        except Exception as error:  # a dropped connection is a failure too
            with lock:
                failures.append(f"{type(error).__name__}: {error}")


def healthz():
    while time.time() < stop:
        try:
            status, ms = call("GET", "/healthz", timeout=5)
            with lock:
                health.append(ms)
                if status != 200:
                    failures.append(f"/healthz answered {status}")
        except Exception as error:
            with lock:
                failures.append(f"/healthz: {error}")
        time.sleep(0.1)


def memory():
    while time.time() < stop + 1:
        with open(f"/proc/{PID}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]) // 1024)
        time.sleep(0.5)


def probe(out, until, path=None):
    """One more normal client, in a process of its own so that the load's 64 threads and the
    interpreter lock they share do not add to what it measures: a normal query (or `path`)
    every 20 ms until `until`."""
    times, rng = [], random.Random(0)
    while time.time() < until:
        target = path or "/sparql?query=" + urllib.parse.quote(rng.choice(NORMAL))
        status, ms = call("GET", target, headers={"Accept": "application/sparql-results+json"})
        times.append((status, ms))
        time.sleep(0.02)
    out.put(times)


def probed_alone(seconds, path=None):
    """The probe's latencies with nothing else running: the same process, the same cadence.
    A client that sleeps 20 ms between requests finds an idle machine's cores asleep, and
    waking them is part of what it measures (on the 2-core VM of the figures in
    BENCHMARKS.md, /healthz sent this way takes 2-3 ms, against under 1 ms back to back):
    its latency under load is compared with this, not with queries sent back to back."""
    out = multiprocessing.get_context("fork").Queue()
    alone = multiprocessing.get_context("fork").Process(target=probe, args=(out, time.time() + seconds, path))
    alone.start()
    times = out.get()
    alone.join()
    return [ms for _, ms in times]


def normal_latency():
    """The median latency of the normal queries, each sent 25 times as the clients send them."""
    times = [call("GET", "/sparql?query=" + urllib.parse.quote(q), headers={"Accept": "application/sparql-results+json"})[1]
             for _ in range(25) for q in NORMAL]
    return statistics.median(times)


before = normal_latency()
probe_alone = statistics.median(probed_alone(5))
health_alone = statistics.median(probed_alone(3, "/healthz"))
stop = time.time() + SECONDS
probed = multiprocessing.get_context("fork").Queue()
prober = multiprocessing.get_context("fork").Process(target=probe, args=(probed, stop))
prober.start()
threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
threads += [threading.Thread(target=healthz), threading.Thread(target=memory)]
for t in threads:
    t.start()
for t in threads:
    t.join()
probe_times = probed.get()
prober.join()
failures += [f"{status} for a probe query" for status, _ in probe_times if status not in ALLOWED]
probe_ms = [ms for _, ms in probe_times]
time.sleep(1)
after = normal_latency()

# Timing criteria are figures, not assertions, unless asked for (LOAD_STRICT_TIMINGS=1): the
# machine is shared, and tests do not assert timings.
strict = os.environ.get("LOAD_STRICT_TIMINGS") == "1"
timing = failures if strict else warnings
slow_health = [ms for ms in health if ms > 100]
if slow_health:
    timing.append(f"/healthz took over 100 ms {len(slow_health)} times (max {max(slow_health):.0f} ms)")
if rss and max(rss) > RSS_BOUND:
    failures.append(f"RSS reached {max(rss)} MB, over the bound of {RSS_BOUND} MB")
# The query timeout (5 s in run.sh) holds: no query runs on much past it.
slowest = max(latencies["normal"] + latencies["pathological"], default=0)
if slowest > 15_000:
    failures.append(f"a query took {slowest:.0f} ms, past the timeout")
if after > 2 * before + 20:
    timing.append(f"a normal query took {after:.1f} ms after the load, {before:.1f} ms before")


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


total = sum(statuses.values())
print(f"{CLIENTS} clients for {SECONDS:.0f} s: {total} requests ({total / SECONDS:.0f}/s); statuses {dict(sorted(statuses.items()))}")
print("| requests | count | p50 ms | p99 ms |\n|---|---:|---:|---:|")
for kind, values in latencies.items():
    print(f"| {kind} | {len(values)} | {p(values, 0.5):.1f} | {p(values, 0.99):.1f} |")
print(f"| normal, probe (own process, one every 20 ms) | {len(probe_ms)} | {p(probe_ms, 0.5):.1f} | {p(probe_ms, 0.99):.1f} |")
print(f"| /healthz | {len(health)} | {p(health, 0.5):.1f} | {p(health, 0.99):.1f} (max {max(health):.1f}) |")
print(f"peak RSS {max(rss)} MB (bound {RSS_BOUND} MB); normal query before {before:.1f} ms, after {after:.1f} ms")
normal_p50 = p(latencies["normal"], 0.5)
print(f"normal queries under load: p50 {normal_p50:.1f} ms = {normal_p50 / before:.2f}x their unloaded {before:.1f} ms")
probe_p50 = p(probe_ms, 0.5)
print(f"the probe's normal queries under load: p50 {probe_p50:.1f} ms = {probe_p50 / probe_alone:.2f}x the probe's "
      f"unloaded {probe_alone:.1f} ms (one every 20 ms; /healthz sent so takes {health_alone:.1f} ms), "
      f"{probe_p50 / before:.2f}x queries sent back to back ({before:.1f} ms)")
if normal_p50 > 2 * before + 20:
    timing.append(f"normal queries' p50 under load {normal_p50:.1f} ms is over twice their unloaded {before:.1f} ms")
for warning in warnings:
    print("WARN", warning)
for failure in failures[:20]:
    print("FAIL", failure)
print(f"{0 if failures else 1} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
