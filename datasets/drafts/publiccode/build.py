#!/usr/bin/env python3
"""Writes publiccode-it.csv (civicgraph's case-study CSV format) from the copied rows-K.jsonl.

A kept row becomes a case `pcy:<owner>/<repo>`: its Italian shortDescription and
longDescription as the text (the short one left out where the long one holds it), the
copyright owner as the organisation, "Governmental" as its type where the file names the
body's code in Italy's index of public administrations (`it.riuso.codiceIPA`), the
publiccode categories as keywords. Left out: descriptions under the `it` key written in
English (more English than Italian stop words: 12), the same text twice (3) and forks of
software already held under another owner (3, listed in FORKS).

Run from this directory: python3 build.py
"""
import csv
import json
import re

IT = set("il lo la i gli le di da in con su per che è del della dei delle al alla un una e non sono come anche".split())
EN = set("the of and to is for with that a an are this by on be it".split())
FORKS = {"BranchTwist/branch-twist-ticketing", "taneron/GlobaLeaks", "msmannan00/Globaleaks-Canary"}

rows = [json.loads(line) for k in range(4) for line in open(f"rows-{k}.jsonl")]
seen, out = set(), []
for r in rows:
    if not r.get("kept") or r["repo"] in FORKS:
        continue
    long = (r.get("longDescription") or "").strip()
    short = (r.get("shortDescription") or "").strip()
    words = re.findall(r"[a-zàèéìòù']+", long.lower())
    if sum(w in EN for w in words) > sum(w in IT for w in words):
        continue
    key = " ".join(long.split())
    if key in seen:
        continue
    seen.add(key)
    text = f"{short} {long}" if short and short not in long else long
    out.append([
        r["repo"],
        r.get("localisedName") or r.get("name"),
        " ".join(text.split()),
        r.get("mainCopyrightOwner") or r.get("repoOwner") or "",
        "Governmental" if r.get("codiceIPA") else "",
        ";".join(r.get("categories") or []),
        r.get("url") or "",
    ])
with open("publiccode-it.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "description", "organisation", "organisation_type", "tags", "url"])
    w.writerows(out)
print(len(out), "cases")
