#!/usr/bin/env python3
"""Writes datasets/demo/case-studies.ttl from case-studies.json.

The JSON is the source of truth (its fields are documented in datasets/demo/README.md);
the Turtle is what `civicgraph serve` loads into the demo-case-studies graph.

Run from the repository root: python3 datasets/demo/generate_case_studies.py
"""
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = "https://w3id.org/civicgraph/demo/"
SCHEMES = {
    "patterns": ("cg:usePattern", "cgp:"),
    "beneficiaries": ("cg:beneficiary", "cgb:"),
    "enablers": ("cg:enabler", "cge:"),
    "actors": ("cg:actor", "cga:"),
    "channels": ("cg:channel", "cgc:"),
    "benefits": ("cg:benefit", "cgben:"),
}

def esc(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')

def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]

def main():
    data = json.loads((HERE / "case-studies.json").read_text(encoding="utf-8"))
    out = ["""@prefix cg:     <https://w3id.org/civicgraph/ns#> .
@prefix cgp:    <https://w3id.org/civicgraph/pattern/> .
@prefix cgb:    <https://w3id.org/civicgraph/beneficiary/> .
@prefix cge:    <https://w3id.org/civicgraph/enabler/> .
@prefix cga:    <https://w3id.org/civicgraph/actor/> .
@prefix cgc:    <https://w3id.org/civicgraph/channel/> .
@prefix cgben:  <https://w3id.org/civicgraph/benefit/> .
@prefix dcat:   <http://www.w3.org/ns/dcat#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

# Demo case studies. Generated from case-studies.json by generate_case_studies.py.
"""]
    agents, places, datasets = {}, {}, {}
    for case in data["case_studies"]:
        iri = f"<{BASE}case-study/{case['id']}>"
        lines = [f"{iri} a cg:CaseStudy , schema:CreativeWork ;",
                 f'    dct:identifier "{esc(case["id"])}" ;',
                 f'    dct:title "{esc(case["title"])}"@en ;',
                 f'    schema:abstract "{esc(case["summary"])}"@en ;',
                 f'    dct:description "{esc(case["description"])}"@en ;',
                 f'    dct:date "{case["year"]}"^^xsd:gYear ;']
        place = f"<{BASE}place/{slug(case['place'])}>"
        places[place] = (case["place"], case["country"])
        lines.append(f"    dct:spatial {place} ;")
        for org in case["organisations"]:
            agent = f"<{BASE}agent/{slug(org)}>"
            agents[agent] = org
            lines.append(f"    dct:contributor {agent} ;")
        if case.get("themes"):
            lines.append("    dcat:theme " + " , ".join(
                f"<http://publications.europa.eu/resource/authority/data-theme/{t}>" for t in case["themes"]) + " ;")
        for key, (prop, prefix) in SCHEMES.items():
            if case.get(key):
                lines.append(f"    {prop} " + " , ".join(prefix + v for v in case[key]) + " ;")
        for ds in case["datasets"]:
            ds_iri = f"<{BASE}dataset/{slug(ds['landing_page'].split('://', 1)[1])}>"
            datasets[ds_iri] = ds
            lines.append(f"    cg:usesDataset {ds_iri} ;")
        lines.append(f'    cg:outcome "{esc(case["outcome"])}"@en ;')
        lines.append("    dct:source " + " , ".join(f"<{u}>" for u in case["sources"]) + " .")
        out.append("\n".join(lines) + "\n")
    cited_by = {}
    for case in data["case_studies"]:
        for ds in case["datasets"]:
            ds_iri = f"<{BASE}dataset/{slug(ds['landing_page'].split('://', 1)[1])}>"
            cited_by.setdefault(ds_iri, []).append(case["title"])
    for ds_iri, ds in datasets.items():
        publisher = f"<{BASE}agent/{slug(ds['publisher'])}>"
        agents[publisher] = ds["publisher"]
        # DCAT-AP requires a description; say truthfully what civicgraph knows of it.
        cases = "; ".join(cited_by[ds_iri])
        description = (f"A dataset published by {ds['publisher']} and used in the case study: {cases}. "
                       "civicgraph holds only its title, publisher and landing page; see the landing page for the data.")
        out.append(f"{ds_iri} a dcat:Dataset ;\n"
                   f'    dct:title "{esc(ds["title"])}"@en ;\n'
                   f'    dct:description "{esc(description)}"@en ;\n'
                   f"    dct:publisher {publisher} ;\n"
                   f"    dcat:landingPage <{ds['landing_page']}> .\n")
    for agent, name in agents.items():
        out.append(f'{agent} a foaf:Agent ;\n    foaf:name "{esc(name)}"@en .\n')
    for place, (name, country) in places.items():
        out.append(f'{place} a dct:Location ;\n    skos:prefLabel "{esc(name)}"@en ;\n    schema:addressCountry "{country}" .\n')
    (HERE / "case-studies.ttl").write_text("\n".join(out), encoding="utf-8")
    print(f"case-studies.ttl: {len(data['case_studies'])} case studies, {len(datasets)} datasets")

main()
