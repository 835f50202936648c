#!/usr/bin/env python3
"""Writes pool.jsonl: every real case available for labelling, one JSON object a line.

Each line is {"case": id, "title": ..., "text": ...}, the text a labeller reads and the
tagger is given. Sources (copied from ../../../shared/data, see its SOURCES.md files):

- `ips:`  EU JRC Innovative Public Services Explorer (IPS-X) cases, EUPL-1.2;
- `aiw:`  EU JRC AI Watch T6 services that IPS-X does not already hold, EUPL-1.2;
- `org:`  Open Data Impact Map 2015 organisation profiles (organisations that use open
          data, most of them companies and non-profits). Its separate use-case file
          (`UseCaseData`) is the project's hidden tagging test and is never read here;
- `fai:`  US federal agencies' 2025 AI use-case inventory (public domain, 17 U.S.C. 105): a
          random sample of 387 use cases, copied verbatim with the inventory's own column
          names into sources/us-federal-ai-inventory-2025.csv (see sources/SOURCES.md), the
          file a harvest reads too;
- `dgf:`  data.gouv.fr's reuses (réutilisations), in French as their authors wrote them: a
          random sample of 925 from the portal's export of September 2022, copied with the
          export's own column names into sources/data-gouv-fr-reuses-2022.csv (separated by
          semicolons, as the portal exports it; see sources/SOURCES.md), the file a harvest
          reads too;
- `cfd:`  Code for Germany's project pages (okfde/codefor.de, content CC BY 4.0): apps, maps
          and tools the OK Labs, volunteer civic-tech groups, built on German cities' and
          states' open data, in German as written; the 131 with a description of at least
          25 words, copied into sources/codefor-de-projects.csv in civicgraph's case-study
          CSV format (see sources/SOURCES.md), the file a harvest reads too;
- `pcy:`  Italian public bodies' software descriptions (the `publiccode.yml` at the root of
          the software they publish for reuse, each under its repository's open licence):
          what the software does in a public service, in Italian as written; the 162 built by
          datasets/drafts/publiccode/build.py into sources/publiccode-it.csv in civicgraph's
          case-study CSV format (see sources/SOURCES.md), the file a harvest reads too.

Run from anywhere: python3 datasets/tagger/build_pool.py
"""
import csv
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared/data"
IPS = SHARED / "public-service-innovation-cases/ips-explorer/cases.json"
AIW = SHARED / "public-service-innovation-cases/ai-watch-t6/services.json"
ORGS = SHARED / "open-data-use-organisations/org_profiles.json"
FAI = HERE / "sources/us-federal-ai-inventory-2025.csv"
DGF = HERE / "sources/data-gouv-fr-reuses-2022.csv"
CFD = HERE / "sources/codefor-de-projects.csv"
PCY = HERE / "sources/publiccode-it.csv"

USES = [
    ("use_prod_srvc", "Products and services"),
    ("use_advocacy", "Advocacy"),
    ("use_research", "Research"),
    ("use_org_opt", "Optimising its own work"),
    ("use_other", "Other use"),
]


def clean(text):
    return " ".join((text or "").split())


# The classifications a collection gives every case, read as the case's keywords (the
# case-study mapper's KEYWORD_FIELDS, in its order); a value it does not know is none.
UNKNOWN = {"unknown", "n/a", "na", "none", "-"}


def keywords(*values):
    out = []
    for v in values:
        v = clean(v)
        if v and v.lower() not in UNKNOWN and v not in out:
            out.append(v)
    return out


def jrc_case(prefix, c):
    org = c.get("lead_organisation") or {}
    return {
        "case": f"{prefix}:{c['id']}",
        "title": clean(c["name"]),
        "description": clean(c.get("description")),
        "organisations": [org["name"]] if org.get("name") else [],
        "organisation_type": clean(org.get("category")),
        "place": c.get("geocoverage") or [],
        "country": c.get("geocoverage_codes") or [],
        "sources": [c["url"]] if (c.get("url") or "").startswith("http") else [],
        "keywords": keywords(*(c.get(k) for k in ("type", "primary_sector", "secondary_sector", "technology"))),
    }


def org_case(o):
    parts = [clean(o.get("org_description"))]
    if o.get("org_greatest_impact_detail"):
        parts.append(clean(o["org_greatest_impact_detail"]))
    for key, label in USES:
        if o.get(key):
            desc = clean(o.get(f"{key}_desc"))
            parts.append(f"{label}: {desc}" if desc else f"{label}.")
    kinds = ", ".join(o.get("data_use_type") or [])
    if kinds:
        parts.append(f"Open data used: {kinds}.")
    kind = o.get("org_type") or ""
    if kind == "Other" and o.get("org_type_other"):
        kind = clean(o["org_type_other"])
    return {
        "case": f"org:{o['profile_id']}",
        "title": clean(o["org_name"]),
        "description": " ".join(p for p in parts if p),
        "organisations": [clean(o["org_name"])],
        "organisation_type": clean(kind),
        "industry": clean(o.get("industry_id")),
        "keywords": keywords(o.get("industry_id")),
        "place": [o["org_hq_country"]] if o.get("org_hq_country") else [],
        "sources": [o["org_url"]] if (o.get("org_url") or "").startswith("http") else [],
    }


# The inventory's questions whose answers say what a use case is for, in the order its
# description reads them (the case-study mapper composes the same text).
FAI_QUESTIONS = [
    "What problem is the AI intended to solve?",
    "What are the expected benefits and positive outcomes from the AI for an agency's "
    "mission and/or the general public?",
    "Describe the AI system's outputs.",
]


def fai_case(r):
    # The inventory repeats a field in another at times: each distinct text once.
    parts = []
    for question in FAI_QUESTIONS:
        text = clean(r[question])
        if text and text not in parts:
            parts.append(text)
    return {
        "case": f"fai:{r['Use Case ID']}",
        "title": clean(r["Use Case Name"]),
        "description": " ".join(parts),
        "organisations": [clean(r["Agency"])],
        # Every use case of the inventory is a federal agency's own.
        "organisation_type": "Central-Government",
        "place": ["United States"],
        "country": ["US"],
        "keywords": keywords(r["Use Case Topic Area"]),
    }


def named(value):
    """A one-name list of `value`, or none when it is empty."""
    return [clean(value)] if clean(value) else []


def web(value):
    """A one-address list of `value`, or none when it is not a web address."""
    return [value] if value.startswith("http") else []


def dgf_case(r):
    # The export names who published a reuse (an organisation, or nobody for a user's own),
    # not what kind of organisation it is: who acts is left to the text.
    return {
        "case": f"dgf:{r['id']}",
        "title": clean(r["title"]),
        "description": clean(r["description"]),
        "organisations": named(r["organization"]),
        "sources": web(r["remote_url"]),
        # The mapper reads `tags` (comma-separated in a semicolon-separated file) and then
        # `type` as keywords, in that order.
        "keywords": keywords(*r["tags"].split(","), r["type"]),
    }


def cfd_case(r):
    # Every project is an OK Lab's: a volunteer developer group, as the file says.
    return {
        "case": f"cfd:{r['id']}",
        "title": clean(r["title"]),
        "description": clean(r["description"]),
        "organisations": named(r["organisation"]),
        "organisation_type": r["organisation_type"],
        "sources": web(r["url"]),
        "keywords": keywords(*r["tags"].split(";")),
    }


def pcy_case(r):
    # "Governmental" where the file names the body's code in Italy's index of public
    # administrations; otherwise the file does not say who publishes the software.
    case = {
        "case": f"pcy:{r['id']}",
        "title": clean(r["title"]),
        "description": clean(r["description"]),
        "organisations": named(r["organisation"]),
        "sources": web(r["url"]),
        "keywords": keywords(*r["tags"].split(";")),
    }
    if r["organisation_type"]:
        case["organisation_type"] = r["organisation_type"]
    return case


def main():
    ips = json.loads(IPS.read_text())
    names = {clean(c["name"]).lower() for c in ips}
    cases = [jrc_case("ips", c) for c in ips]
    cases += [jrc_case("aiw", c) for c in json.loads(AIW.read_text())
              if clean(c["name"]).lower() not in names]
    cases += [org_case(o) for o in json.loads(ORGS.read_text())]
    with open(FAI, newline="") as rows:
        cases += [fai_case(r) for r in csv.DictReader(rows)]
    with open(DGF, newline="") as rows:
        cases += [dgf_case(r) for r in csv.DictReader(rows, delimiter=";")]
    with open(CFD, newline="") as rows:
        cases += [cfd_case(r) for r in csv.DictReader(rows)]
    with open(PCY, newline="") as rows:
        cases += [pcy_case(r) for r in csv.DictReader(rows)]
    with open(HERE / "pool.jsonl", "w") as out:
        for c in cases:
            out.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
