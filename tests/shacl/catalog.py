#!/usr/bin/env python3
"""Validates every page of a running civicgraph's /catalog with pySHACL against the SEMIC
DCAT-AP 3.0.1 shapes (the release's dcat-ap-SHACL.ttl; the one dangling property-shape
reference is dropped, as in compare.py). Each page must conform with 0 results.
Prints one line per page and "N passed, M failed"; exits 1 on any violation.

Usage: catalog.py BASE_URL SHARED_DATA_DIR
"""
import sys
import urllib.request
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH

base, shared = sys.argv[1], Path(sys.argv[2])
shapes = rdflib.Graph().parse(shared / "semic-dcat-ap" / "releases" / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl")
for shape, _, ref in list(shapes.triples((None, SH.property, None))):
    if (ref, None, None) not in shapes:
        shapes.remove((shape, SH.property, ref))
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")

url = f"{base}/catalog?page_size=50"
passed = failed = datasets = 0
while url:
    request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
    body = urllib.request.urlopen(request, timeout=60).read()
    page = rdflib.Graph().parse(data=body, format="turtle", publicID=url)
    datasets += len(set(page.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#Dataset"))))
    conforms, report, text = pyshacl.validate(page, shacl_graph=shapes, inference="none")
    results = len(list(report.subjects(rdflib.RDF.type, SH.ValidationResult)))
    if conforms and results == 0:
        passed += 1
        print(f"ok   {url}: {len(page)} triples conform")
    else:
        failed += 1
        print(f"FAIL {url}: {results} results\n{text[:3000]}")
    nexts = list(page.objects(None, HYDRA.next))
    url = str(nexts[0]) if nexts else None
print(f"/catalog: {datasets} datasets in {passed + failed} pages")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
