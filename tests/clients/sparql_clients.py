#!/usr/bin/env python3
"""Drives a running civicgraph server with the SPARQL clients researchers use:
SPARQLWrapper and rdflib. Usage: sparql_clients.py ENDPOINT_BASE TOKEN

Exits non-zero, with the failing check named, if any client cannot query or update.
"""
import sys

from SPARQLWrapper import BASIC, JSON, POST, TURTLE, SPARQLWrapper
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

base, token = sys.argv[1].rstrip("/"), sys.argv[2]
query_endpoint, update_endpoint = f"{base}/sparql", f"{base}/update"
checks = 0


def check(condition, what):
    global checks
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    checks += 1


# SPARQLWrapper: SELECT as JSON, over the union default graph.
sw = SPARQLWrapper(query_endpoint)
sw.setQuery("PREFIX cg: <https://w3id.org/civicgraph/ns#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:CaseStudy }")
sw.setReturnFormat(JSON)
n = int(sw.query().convert()["results"]["bindings"][0]["n"]["value"])
check(n >= 30, f"SPARQLWrapper SELECT saw {n} case studies")

# SPARQLWrapper: CONSTRUCT as Turtle, parsed by rdflib.
sw.setQuery("CONSTRUCT { ?p ?q ?o } WHERE { ?p ?q ?o FILTER(?p = <https://w3id.org/civicgraph/pattern/access>) }")
sw.setReturnFormat(TURTLE)
g = Graph().parse(data=sw.query().convert(), format="turtle")
check(len(g) > 3, f"SPARQLWrapper CONSTRUCT returned {len(g)} triples")

# SPARQLWrapper: an update with HTTP Basic auth (any user, the token as password).
up = SPARQLWrapper(query_endpoint, updateEndpoint=update_endpoint)
up.setHTTPAuth(BASIC)
up.setCredentials("sparqlwrapper", token)
up.setMethod(POST)
up.setQuery("INSERT DATA { GRAPH <http://example.org/clients> { <http://example.org/a> <http://example.org/b> \"from SPARQLWrapper\" } }")
check(up.query().response.status in (200, 204), "SPARQLWrapper update")

# rdflib: a SPARQLUpdateStore with Basic auth reads and writes.
store = SPARQLUpdateStore(query_endpoint=query_endpoint, update_endpoint=update_endpoint, auth=("rdflib", token))
store.add((URIRef("http://example.org/c"), URIRef("http://example.org/b"), Literal("from rdflib")),
          context=Graph(identifier=URIRef("http://example.org/clients")))
rows = list(store.query("SELECT ?o WHERE { GRAPH <http://example.org/clients> { ?s <http://example.org/b> ?o } } ORDER BY ?o"))
values = [str(r[0]) for r in rows]
check(values == ["from SPARQLWrapper", "from rdflib"], f"rdflib read back {values}")

# A wrong token is refused.
bad = SPARQLUpdateStore(query_endpoint=query_endpoint, update_endpoint=update_endpoint, auth=("rdflib", "wrong"))
try:
    bad.update("CLEAR ALL")
    check(False, "an update with a wrong token was accepted")
except Exception as error:  # rdflib raises urllib's HTTPError
    check("403" in str(error), f"wrong token answered {error}")

print(f"{checks} passed, 0 failed")
