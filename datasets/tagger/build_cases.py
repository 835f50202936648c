#!/usr/bin/env python3
"""Writes the tagger's labelled set: labels.tsv, cases.json and, once, split.tsv.

- labels.tsv: every labelled case (case id, patterns separated by spaces or NONE, a quote
  from the case as the rationale): the cases of pool.jsonl labelled by the written
  guidelines (labels-pool.tsv, see GUIDELINES.md) and the demo case studies (demo-labels.tsv).
- cases.json: their text in civicgraph's case-study format, so a case is read exactly as a
  harvest reads it, with the organisation type the source gives (the mapper says who acts
  from it).
- split.tsv: which cases are the held-out test split (20 %, stratified by label set). It is
  written once and never changed: a case already in it keeps its side, so the test split
  is never used to train, select features or tune thresholds.

Run from anywhere: python3 datasets/tagger/build_cases.py
"""
import hashlib
import json
import pathlib
from collections import defaultdict

HERE = pathlib.Path(__file__).resolve().parent
DEMO = HERE.parent / "demo/case-studies.json"
# The first 2,429 cases were split every fifth case of each label set (20 %); cases added
# since (the dgf: reuses), every fourth.
NEW_EVERY = 4



def read_labels(path):
    rows = {}
    for line in path.read_text().splitlines()[1:]:
        case, patterns, rationale = line.split("\t")
        rows[case] = (" ".join(patterns.replace(",", " ").split()), rationale)
    return rows


def main():
    pool = [json.loads(line) for line in (HERE / "pool.jsonl").read_text().splitlines()]
    labels = read_labels(HERE / "labels-pool.tsv")
    labels.update(read_labels(HERE / "demo-labels.tsv"))
    demo = {f"demo:{c['id']}": c for c in json.loads(DEMO.read_text())["case_studies"]}

    cases = []
    for c in pool:
        case = {k: c[k] for k in ("title", "description", "organisations", "place", "sources", "keywords")
                if c.get(k)}
        case["id"] = c["case"]
        if c.get("country"):
            case["country"] = c["country"]
        # The case-study mapper says who acts from the organisation type
        # (ORGANISATION_TYPES in ingest/src/sources/case_studies.rs), as it does for a raw
        # collection file a harvest reads.
        if c.get("organisation_type"):
            case["organisation_type"] = c["organisation_type"]
        cases.append(case)
    for case_id, c in demo.items():
        if case_id not in labels:
            continue  # a demo case study added after labelling (its patterns are curated)
        c = dict(c)
        # Only the text as labelled: the curated fields would give the answer away, and the
        # themes and benefits the demo file gained later were never part of the set.
        for key in ("patterns", "beneficiaries", "enablers", "actors", "channels", "datasets",
                    "themes", "benefits"):
            c.pop(key, None)
        c["id"] = case_id
        cases.append(c)
    ids = [c["id"] for c in cases]
    missing = [i for i in ids if i not in labels]
    assert not missing, f"unlabelled: {missing[:5]}"

    note = ("The text of the cases labelled in labels.tsv, for training and evaluating the "
            "pattern tagger. ips:/aiw: cases are from the EU JRC Innovative Public Services "
            "Explorer and AI Watch (EUPL-1.2); org: cases are Open Data Impact Map 2015 "
            "organisation profiles; fai: cases are US federal agencies' 2025 AI use-case inventory "
            "(public domain); dgf: cases are data.gouv.fr reuses in French (Licence Ouverte 2.0); "
            "cfd: cases are Code for Germany's project pages in German (CC BY 4.0); pcy: cases "
            "are Italian public bodies' software descriptions (publiccode.yml, each under its "
            "repository's open licence); demo: cases are civicgraph's demo case studies.")
    (HERE / "cases.json").write_text(
        json.dumps({"note": note, "case_studies": cases}, ensure_ascii=False, indent=1) + "\n")
    with open(HERE / "labels.tsv", "w") as out:
        out.write("case\tpatterns\trationale\n")
        for i in ids:
            out.write(f"{i}\t{labels[i][0]}\t{labels[i][1]}\n")

    split_path = HERE / "split.tsv"
    split = {}
    if split_path.exists():
        for line in split_path.read_text().splitlines()[1:]:
            case, side = line.split("\t")
            split[case] = side
    # New cases only: within each label set, the cases ordered by a hash of their id, every
    # fourth to the test split. A small label set rounds down (2 cases give none), so every
    # fifth would leave the whole test split under a fifth; every fourth keeps it above.
    strata = defaultdict(list)
    for i in ids:
        if i not in split:
            strata[labels[i][0]].append(i)
    for label_set, members in sorted(strata.items()):
        members.sort(key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        for n, i in enumerate(members):
            split[i] = "test" if n % NEW_EVERY == NEW_EVERY - 1 else "train"
    with open(split_path, "w") as out:
        out.write("case\tsplit\n")
        for i in ids:
            out.write(f"{i}\t{split[i]}\n")
    test = sum(1 for i in ids if split[i] == "test")
    print(f"{len(cases)} cases, {test} in the test split")


if __name__ == "__main__":
    main()
