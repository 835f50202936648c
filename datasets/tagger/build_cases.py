#!/usr/bin/env python3
"""Writes cases.json: the text of every case in labels.tsv, in civicgraph's case-study format.

The labelled set must not depend on files outside the repository, so the cases are copied
from their sources: the EU JRC's IPS-X collection (`ips:` ids, EUPL-1.2, from
../../../shared/data/public-service-innovation-cases/ips-explorer/cases.json) and the demo
case studies (`demo:` ids). Patterns are left out: the labels live in labels.tsv.
Run from anywhere: python3 datasets/tagger/build_cases.py
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
IPS = HERE.parents[2] / "shared/data/public-service-innovation-cases/ips-explorer/cases.json"
DEMO = HERE.parent / "demo/case-studies.json"


def main():
    ids = [line.split("\t")[0] for line in (HERE / "labels.tsv").read_text().splitlines()[1:]]
    ips = {f"ips:{c['id']}": c for c in json.loads(IPS.read_text())}
    demo = {f"demo:{c['id']}": c for c in json.loads(DEMO.read_text())["case_studies"]}
    cases = []
    for case_id in ids:
        if case_id in ips:
            c = ips[case_id]
            org = c.get("lead_organisation") or {}
            cases.append({
                "id": case_id,
                "title": c["name"],
                "description": " ".join((c.get("description") or "").split()),
                "place": c.get("geocoverage") or [],
                "country": c.get("geocoverage_codes") or [],
                "organisations": [org["name"]] if org.get("name") else [],
                "sources": [c["url"]] if (c.get("url") or "").startswith("http") else [],
            })
        else:
            c = dict(demo[case_id])
            for key in ("patterns", "beneficiaries", "enablers", "actors", "channels", "datasets"):
                c.pop(key, None)
            c["id"] = case_id
            cases.append(c)
    note = ("The text of the cases labelled in labels.tsv, for training and evaluating the "
            "pattern tagger. ips: cases are from the EU JRC Innovative Public Services "
            "Explorer (EUPL-1.2); demo: cases are civicgraph's demo case studies.")
    out = {"note": note, "case_studies": cases}
    (HERE / "cases.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
