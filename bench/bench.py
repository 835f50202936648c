#!/usr/bin/env python3
"""The client side of the benchmark (bench/run.sh): the same SPARQL mix, search requests and
load against civicgraph, `oxigraph serve` and Virtuoso, over HTTP with keep-alive, from one
standard-library client so that the systems are measured the same way.

Commands (each prints one JSON object on stdout):
  latency    --endpoint URL --params FILE [--rounds R] [--skip NAME...]
             every query of bench/queries, one warm-up then R timed rounds: p50/p95 ms and the
             size of the answer (rows, triples or the boolean), so that the systems' answers
             can be compared.
  search     --base URL [--rounds R]          /api/search with all facets: p50/p95 ms.
  throughput --endpoint URL --params FILE [--clients C] [--seconds S] [--skip NAME...]
             C clients cycling through the mix for S seconds: queries/s, p50/p99 ms, errors.
  links      --endpoint URL --truth FILE      owl:sameAs pairs against the generator's
             ground truth: precision and recall.
  wait       --url URL [--timeout S]          seconds until URL answers 200.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse

QUERIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "queries")
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5"


def load_queries(params_path, skip=()):
    with open(params_path) as f:
        params = json.load(f)
    queries = []
    for name in sorted(os.listdir(QUERIES)):
        if not name.endswith(".rq") or name[:-3] in skip:
            continue
        with open(os.path.join(QUERIES, name)) as f:
            text = f.read()
        for key, value in params.items():
            text = text.replace("{{" + key + "}}", value)
        body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
        graph = any(w in body for w in ("CONSTRUCT", "DESCRIBE"))
        queries.append((name[:-3], text, graph))
    return queries


class Client:
    """One keep-alive connection to an endpoint."""

    def __init__(self, url, timeout=600):
        parsed = urllib.parse.urlsplit(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.path = parsed.path or "/"
        self.timeout = timeout
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.connection.close()
                    self.connection = None
                return response.status, data, response.getheader("Content-Type", "")
            except (http.client.HTTPException, ConnectionError, OSError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def sparql(self, text, graph):
        body = urllib.parse.urlencode({"query": text})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": GRAPH_ACCEPT if graph else SELECT_ACCEPT,
        }
        return self.request("POST", self.path, body, headers)


def answer_size(body, content_type, graph):
    """Rows of a SELECT, the boolean of an ASK, or the triples of a graph answer."""
    if graph:
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith((b"@", b"#")))
    document = json.loads(body)
    if "boolean" in document:
        return document["boolean"]
    return len(document["results"]["bindings"])


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


def latency(args):
    client = Client(args.endpoint)
    out = {}
    for name, text, graph in load_queries(args.params, args.skip):
        times, size, error = [], None, None
        for round_ in range(args.rounds + 1):
            started = time.perf_counter()
            try:
                status, body, content_type = client.sparql(text, graph)
            except Exception as e:  # a refused or dropped connection is a failed query
                error = str(e)
                break
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                error = f"HTTP {status}: {body[:300].decode(errors='replace')}"
                break
            size = answer_size(body, content_type, graph)
            if round_ > 0:
                times.append(elapsed)
            if sum(times) > args.budget_ms and len(times) >= 3:
                break  # slow queries get fewer rounds: at least three, then the budget decides
        out[name] = {
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "rounds": len(times),
            "size": size,
            "error": error,
        }
    json.dump(out, sys.stdout, indent=1)


SEARCHES = [
    ("text", "q=air+quality"),
    ("text + pattern", "q=air+quality&pattern=planning"),
    ("text + theme + years", "q=bus&theme=TRAN&year_from=2018&year_to=2022"),
    ("phrase", "q=%22bin+collection+days%22"),
    ("no text (all records)", ""),
    ("date sort", "q=housing&sort=date"),
    ("deep page", "q=school&page=20"),
]


def search(args):
    """Each search three ways: its first request on a server that has not seen it (`first`;
    the index's files may not be in the page cache yet); `rounds` requests that each count
    every match again on warm caches (`counted`: each asks for another number of facet
    values, so no kept counts apply); and `rounds` repeats of the same request (p50/p95;
    civicgraph keeps a search's counts until the index changes, so these only find the
    page of hits)."""
    client = Client(args.base)
    out, every, counted_all, firsts = {}, [], [], []

    def timed(path):
        started = time.perf_counter()
        status, body, _ = client.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}: {body[:300]!r}")
        return elapsed, body

    for name, query in SEARCHES:
        path = "/api/search?" + query
        first, body = timed(path)
        total = json.loads(body).get("total")
        sep = "&" if query else ""
        counted = [timed(f"{path}{sep}facet_size={11 + round_ % 39}")[0] for round_ in range(args.rounds)]
        times = [timed(path)[0] for _ in range(args.rounds)]
        out[name] = {
            "first_ms": first,
            "counted_p50_ms": percentile(counted, 50),
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "total": total,
        }
        every += times
        counted_all += counted
        firsts.append(first)
    out["all"] = {
        "first_p50_ms": percentile(firsts, 50),
        "counted_p50_ms": percentile(counted_all, 50),
        "p50_ms": percentile(every, 50),
        "p95_ms": percentile(every, 95),
    }
    json.dump(out, sys.stdout, indent=1)


def throughput(args):
    queries = load_queries(args.params, args.skip)
    deadline = time.perf_counter() + args.seconds
    lock = threading.Lock()
    latencies, errors, done = [], [], [0]

    def worker(offset):
        client = Client(args.endpoint)
        mine, i = [], offset
        while time.perf_counter() < deadline:
            name, text, graph = queries[i % len(queries)]
            i += 1
            started = time.perf_counter()
            try:
                status, body, _ = client.sparql(text, graph)
            except Exception as e:
                with lock:
                    errors.append(f"{name}: {e}")
                continue
            if status != 200:
                with lock:
                    errors.append(f"{name}: HTTP {status}")
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            done[0] += len(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c * 3,)) for c in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    json.dump(
        {
            "clients": args.clients,
            "seconds": round(wall, 1),
            "queries": done[0],
            "qps": round(done[0] / wall, 2),
            "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "errors": len(errors),
            "first_errors": errors[:5],
        },
        sys.stdout,
        indent=1,
    )


def links(args):
    client = Client(args.endpoint)
    query = "SELECT ?a ?b WHERE { ?a <http://www.w3.org/2002/07/owl#sameAs> ?b }"
    status, body, _ = client.sparql(query, False)
    if status != 200:
        raise SystemExit(f"links query: HTTP {status}")
    found = set()
    for row in json.loads(body)["results"]["bindings"]:
        a, b = row["a"]["value"], row["b"]["value"]
        if a != b:
            found.add(tuple(sorted((a, b))))
    truth = set()
    with open(args.truth) as f:
        next(f)
        for line in f:
            copy, original = line.rstrip("\n").split("\t")[:2]
            truth.add(tuple(sorted((copy, original))))
    right = len(found & truth)
    json.dump(
        {
            "planted": len(truth),
            "linked_pairs": len(found),
            "right": right,
            "precision": round(right / len(found), 4) if found else None,
            "recall": round(right / len(truth), 4) if truth else None,
        },
        sys.stdout,
        indent=1,
    )


def wait(args):
    started = time.perf_counter()
    parsed = urllib.parse.urlsplit(args.url)
    while time.perf_counter() - started < args.timeout:
        try:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
            connection.request("GET", parsed.path + (("?" + parsed.query) if parsed.query else ""))
            if connection.getresponse().status == 200:
                json.dump({"seconds": round(time.perf_counter() - started, 3)}, sys.stdout)
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{args.url} did not answer within {args.timeout} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("latency")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--params", required=True)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--budget-ms", type=float, default=30_000, help="time per query after which rounds stop (at least 3)")
    p.add_argument("--skip", nargs="*", default=[])
    p.set_defaults(run=latency)
    p = commands.add_parser("search")
    p.add_argument("--base", required=True)
    p.add_argument("--rounds", type=int, default=30)
    p.set_defaults(run=search)
    p = commands.add_parser("throughput")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--params", required=True)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--skip", nargs="*", default=[])
    p.set_defaults(run=throughput)
    p = commands.add_parser("links")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--truth", required=True)
    p.set_defaults(run=links)
    p = commands.add_parser("wait")
    p.add_argument("--url", required=True)
    p.add_argument("--timeout", type=float, default=600)
    p.set_defaults(run=wait)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
