#!/usr/bin/env python3
"""Compares civicgraph's verdicts with pySHACL's under each bundled validation profile.

For each profile civicgraph compiles in (DCAT-AP 3.0.1, on the SEMIC 3.0.1 and HVD
examples, DCAT-AP-SE's, W3C DCAT 3's and the demo catalogues; DCAT-AP.de 2.0 with and
without its conventions; DCAT-AP-NO 2.0; DCAT-AP 3.0.1 with the HVD shapes), pySHACL gets
the profile's files as published in SHARED_DATA and civicgraph gets `--profile NAME`; both
validate the examples; GeoDCAT-AP's examples are validated against its shapes given as a file
(`--profile FILE`), and so is `fixtures/constructs-data.ttl` against shapes using every
construct the validator implements. Each result is reduced to (focus node, path, constraint component,
severity), blank nodes and complex paths written `_:`; the sets of distinct findings must
be equal (pySHACL repeats a nested shape's result for every outer focus node that reaches
it, civicgraph reports it once).
Prints one line per file and "N passed, M failed" at the end; exits 1 on any difference.

Usage: compare.py CIVICGRAPH_BINARY SHARED_DATA_DIR
"""
import collections
import json
import subprocess
import sys
from pathlib import Path

import pyshacl
import pyshacl.errors
import rdflib
from rdflib.namespace import SH

binary, shared = sys.argv[1], Path(sys.argv[2])
de = shared / "dcat-ap-de" / "v2.0"
de_spec = [de / "shacl" / f for f in (
    "dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap-spec-german-messages.ttl",
    "dcat-ap-spec-german-additions.ttl", "dcat-ap-de-deprecated.ttl")]
semic = shared / "semic-dcat-ap" / "releases"
geodcat = shared / "geodcat-ap" / "v2.0.0"
fixtures = Path(__file__).resolve().parent / "fixtures"
repository = Path(__file__).resolve().parent.parent.parent
profiles = [
    ("dcat-ap-3", [semic / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl"],
     sorted((semic / "3.0.1" / "html" / "examples").glob("*.ttl"))
     + sorted((semic / "3.0.0-hvd" / "html" / "examples").glob("*.ttl"))
     + sorted((shared / "dcat-ap-se" / "exempel").glob("*.ttl"))
     + sorted((shared / "w3c-dcat3" / "examples").rglob("*.ttl"))
     + sorted((repository / "datasets" / "demo").glob("*.ttl"))),
    ("dcat-ap-de", de_spec, sorted((de / "examples" / "RDF-TURTLE").glob("*.ttl"))),
    ("dcat-ap-de-conventions", de_spec + [de / "shacl" / "dcat-ap-konventionen.ttl"],
     sorted((de / "examples" / "RDF-TURTLE").glob("*.ttl"))),
    ("dcat-ap-no", [shared / "dcat-ap-no" / "shacl" / "DCAT-AP-NO-shacl_shapes_2.00.ttl"],
     sorted((shared / "dcat-ap-no" / "examples").glob("*.ttl"))),
    ("dcat-ap-hvd", [semic / "3.0.1" / "shacl" / "dcat-ap-SHACL.ttl", semic / "3.0.0-hvd" / "shacl" / "hvd-SHACL.ttl"],
     sorted((semic / "3.0.0-hvd" / "html" / "examples").glob("*.ttl"))),
    (str(geodcat / "geodcat-ap.shacl.ttl"), [geodcat / "geodcat-ap.shacl.ttl"],
     sorted(p for p in geodcat.rglob("*.ttl") if "shacl" not in p.name)),
    # Every construct the validator implements, with data that breaks each.
    (str(fixtures / "constructs-shapes.ttl"), [fixtures / "constructs-shapes.ttl"],
     [fixtures / "constructs-data.ttl"]),
]


def term(node):
    if isinstance(node, rdflib.BNode):
        return "_:"
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    return str(node)


def shapes_graph(files):
    graph = rdflib.Graph()
    for f in files:
        graph.parse(f)
    # The DCAT-AP 3.0.1 shapes list a property shape of dcat:DataServiceShape (…/dc08f4dc…)
    # that they never define. pySHACL stops at it wherever a data service is validated;
    # civicgraph treats a shape without constraints as checking nothing. Dropping the
    # dangling reference gives pySHACL the same reading, so data services are compared too.
    for shape, _, ref in list(graph.triples((None, SH.property, None))):
        if (ref, None, None) not in graph:
            graph.remove((shape, SH.property, ref))
    return graph


def pyshacl_results(path, shapes):
    data = rdflib.Graph().parse(path)
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False)
    out = collections.Counter()
    # The report's own results; pySHACL also types the results nested under a failed
    # sh:node as sh:detail ValidationResults, which are not results of the report.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path_ = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        out[(term(focus), term(path_) if path_ is not None else None,
             str(component).rsplit("#", 1)[-1], str(severity).rsplit("#", 1)[-1])] += 1
    return out


def civicgraph_results(path, profile):
    run = subprocess.run([binary, "validate", "--raw", "--json", "--kind", "dcat", "--profile", profile, str(path)],
                         capture_output=True, text=True)
    if run.returncode not in (0, 1) or not run.stdout.strip():
        raise RuntimeError(f"civicgraph validate failed on {path}: {run.stderr}")
    report = json.loads(run.stdout)
    out = collections.Counter()
    for v in report["violations"]:
        focus = "_:" if v["focus"].startswith("_:") else v["focus"]
        path_ = v["path"]
        if path_ is not None and not path_.startswith("<"):
            path_ = "_:"  # an inverse, alternative or sequence path: a blank node in SHACL
        out[(focus, path_, v["component"].removeprefix("sh:"), v["severity"].capitalize())] += 1
    return out


passed = failed = skipped = 0
for profile, files, examples in profiles:
    if not all(f.exists() for f in files) or not examples:
        print(f"skip {profile}: its files are not in {shared}")
        continue
    shapes = shapes_graph(files)
    name = Path(profile).name
    for path in examples:
        try:
            rdflib.Graph().parse(path)
        except Exception as e:  # documentation snippets that do not parse standalone
            print(f"skip {name} {path.name}: does not parse ({type(e).__name__})")
            continue
        try:
            theirs = pyshacl_results(path, shapes)
        except pyshacl.errors.ReportableRuntimeError as e:
            skipped += 1
            print(f"skip {name} {path.name}: pySHACL refuses the shapes here: {str(e)[:160]}")
            continue
        ours = civicgraph_results(path, profile)
        # Distinct findings: pySHACL repeats a nested shape's result once for every outer
        # focus node whose value reaches it; civicgraph reports it once.
        theirs = collections.Counter(set(theirs))
        ours = collections.Counter(set(ours))
        if theirs == ours:
            passed += 1
            print(f"ok   {name} {path.name}: {sum(ours.values())} results agree")
        else:
            failed += 1
            print(f"FAIL {name} {path.name}")
            for key in sorted((theirs - ours).keys(), key=str):
                print(f"   only pySHACL:    {key} x{(theirs - ours)[key]}")
            for key in sorted((ours - theirs).keys(), key=str):
                print(f"   only civicgraph: {key} x{(ours - theirs)[key]}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
