#!/usr/bin/env python3
"""Overlap / change statistics between two snapshots of one open-data catalogue.

Usage:
    python3 compare.py OLD.json NEW.json [--json] [--examples N]

Supported input formats (auto-detected):
  * DCAT-US / Project Open Data ``data.json`` (top-level object with a
    ``dataset`` list; fields identifier, title, description, landingPage,
    publisher.name, contactPoint.hasEmail, keyword, modified,
    distribution[].downloadURL / accessURL).
  * CKAN API exports: ``package_search`` responses ({"result": {"results": [...]}}),
    ``current_package_list_with_resources`` responses ({"result": [...]}),
    or a bare JSON list of CKAN package dicts (id/name, title, notes, url,
    organization.title, maintainer_email/author_email, tags, metadata_modified,
    resources[].url).
DCAT RDF (Turtle / RDF-XML) is NOT supported by this script.

Only the Python standard library is used.
"""
import json
import re
import sys
from collections import Counter


def _s(x):
    return x if isinstance(x, str) else ("" if x is None else str(x))


def norm_text(t):
    return re.sub(r"\s+", " ", _s(t)).strip().lower()


def norm_url(u):
    u = _s(u).strip()
    if not u:
        return ""
    u = re.sub(r"^https?://", "", u, flags=re.I)
    return u.rstrip("/").lower()


def from_dcat(d):
    pub = d.get("publisher") or {}
    pub_name = pub.get("name") if isinstance(pub, dict) else _s(pub)
    cp = d.get("contactPoint") or {}
    email = _s(cp.get("hasEmail") if isinstance(cp, dict) else "").replace("mailto:", "").strip().lower()
    urls = set()
    for dist in d.get("distribution") or []:
        if isinstance(dist, dict):
            for k in ("downloadURL", "accessURL"):
                if dist.get(k):
                    urls.add(norm_url(dist[k]))
    kw = d.get("keyword") or []
    if isinstance(kw, str):
        kw = [kw]
    return {
        "id": _s(d.get("identifier")),
        "title": _s(d.get("title")),
        "description": _s(d.get("description")),
        "publisher": _s(pub_name),
        "landingPage": norm_url(d.get("landingPage")),
        "urls": urls,
        "email": email,
        "keywords": tuple(sorted(_s(k) for k in kw)),
        "modified": _s(d.get("modified")),
        "accessLevel": _s(d.get("accessLevel")),
    }


def from_ckan(p):
    org = p.get("organization") or {}
    urls = {norm_url(r.get("url")) for r in (p.get("resources") or []) if isinstance(r, dict) and r.get("url")}
    tags = [t.get("name") if isinstance(t, dict) else t for t in (p.get("tags") or [])]
    return {
        "id": _s(p.get("id") or p.get("name")),
        "title": _s(p.get("title")),
        "description": _s(p.get("notes")),
        "publisher": _s(org.get("title") or org.get("name") if isinstance(org, dict) else org),
        "landingPage": norm_url(p.get("url")),
        "urls": urls,
        "email": _s(p.get("maintainer_email") or p.get("author_email")).strip().lower(),
        "keywords": tuple(sorted(_s(t) for t in tags)),
        "modified": _s(p.get("metadata_modified")),
        "accessLevel": "private" if p.get("private") else "public",
    }


def load(path):
    with open(path, encoding="utf-8") as f:
        j = json.load(f)
    if isinstance(j, dict) and isinstance(j.get("dataset"), list):
        return "dcat-us data.json", [from_dcat(d) for d in j["dataset"] if isinstance(d, dict)]
    if isinstance(j, dict) and "result" in j:
        r = j["result"]
        if isinstance(r, dict) and isinstance(r.get("results"), list):
            return "ckan package_search", [from_ckan(p) for p in r["results"]]
        if isinstance(r, list):
            return "ckan package list", [from_ckan(p) for p in r if isinstance(p, dict)]
    if isinstance(j, list) and j and isinstance(j[0], dict) and ("resources" in j[0] or "notes" in j[0]):
        return "ckan package list", [from_ckan(p) for p in j]
    raise SystemExit("%s: unsupported format (need DCAT-US data.json or CKAN JSON)" % path)


def index(recs, key):
    out = {}
    for r in recs:
        k = r[key]
        if k:
            out.setdefault(k, []).append(r)
    return out


def compare(a_path, b_path, n_examples=5):
    fa, A = load(a_path)
    fb, B = load(b_path)
    res = {"old": {"file": a_path, "format": fa, "records": len(A)},
           "new": {"file": b_path, "format": fb, "records": len(B)}}
    for side, recs in (("old", A), ("new", B)):
        ids = Counter(r["id"] for r in recs)
        res[side].update({
            "distinct_identifiers": len(ids),
            "duplicate_identifiers": sum(1 for v in ids.values() if v > 1),
            "with_landingPage": sum(1 for r in recs if r["landingPage"]),
            "with_any_url": sum(1 for r in recs if r["urls"]),
            "distinct_publishers": len({r["publisher"] for r in recs}),
            "distinct_titles": len({norm_text(r["title"]) for r in recs}),
        })
    ia, ib = index(A, "id"), index(B, "id")
    shared = sorted(set(ia) & set(ib))
    res["identifier"] = {"shared": len(shared), "only_old": len(set(ia) - set(ib)),
                         "only_new": len(set(ib) - set(ia))}
    la, lb = index(A, "landingPage"), index(B, "landingPage")
    res["landingPage"] = {"distinct_shared": len(set(la) & set(lb)),
                          "old_records_matched": sum(len(la[k]) for k in set(la) & set(lb)),
                          "new_records_matched": sum(len(lb[k]) for k in set(la) & set(lb))}
    ua = Counter(u for r in A for u in r["urls"])
    ub = Counter(u for r in B for u in r["urls"])
    shared_urls = set(ua) & set(ub)
    res["download_or_access_url"] = {
        "distinct_urls_old": len(ua), "distinct_urls_new": len(ub), "distinct_shared": len(shared_urls),
        "old_records_with_shared_url": sum(1 for r in A if r["urls"] & shared_urls),
        "new_records_with_shared_url": sum(1 for r in B if r["urls"] & shared_urls),
        "urls_used_by_>1_record_old": sum(1 for v in ua.values() if v > 1),
        "urls_used_by_>1_record_new": sum(1 for v in ub.values() if v > 1),
    }
    ta, tb = index([dict(r, t=norm_text(r["title"])) for r in A], "t"), index([dict(r, t=norm_text(r["title"])) for r in B], "t")
    res["title_normalized"] = {"distinct_shared": len(set(ta) & set(tb))}
    # records only on one side that still match by title or url (identifier changed?)
    only_a = [r for k in set(ia) - set(ib) for r in ia[k]]
    only_b = [r for k in set(ib) - set(ia) for r in ib[k]]
    tb_only = index([dict(r, t=norm_text(r["title"])) for r in only_b], "t")
    ub_only = {u for r in only_b for u in r["urls"]}
    res["unmatched_by_id_but_matching"] = {
        "title": sum(1 for r in only_a if norm_text(r["title"]) in tb_only),
        "url": sum(1 for r in only_a if r["urls"] & ub_only),
    }
    fields = ["title", "description", "publisher", "keywords", "modified", "urls", "landingPage", "email", "accessLevel"]
    changed = Counter()
    pub_changes = Counter()
    examples = {f: [] for f in fields}
    unchanged = 0
    for k in shared:
        ra, rb = ia[k][0], ib[k][0]
        diff = False
        for f in fields:
            if ra[f] != rb[f]:
                changed[f] += 1
                diff = True
                if len(examples[f]) < n_examples:
                    va, vb = ra[f], rb[f]
                    if f == "urls":
                        va, vb = sorted(va), sorted(vb)
                    if f == "description":
                        va, vb = va[:120], vb[:120]
                    examples[f].append({"id": k, "old": va, "new": vb})
        if ra["publisher"] != rb["publisher"]:
            pub_changes[(ra["publisher"], rb["publisher"])] += 1
        unchanged += not diff
    res["shared_identifier_changes"] = {"records_identical_on_compared_fields": unchanged,
                                        "changed_field_counts": dict(changed)}
    res["publisher_name_changes"] = [{"old": o, "new": n, "records": c} for (o, n), c in pub_changes.most_common()]
    res["examples"] = {f: v for f, v in examples.items() if v}
    res["only_old_ids_sample"] = sorted(set(ia) - set(ib))[:20]
    res["only_new_ids_sample"] = sorted(set(ib) - set(ia))[:20]
    pa = Counter(r["publisher"] for r in A)
    pb = Counter(r["publisher"] for r in B)
    res["publisher_counts_delta"] = {p: [pa.get(p, 0), pb.get(p, 0)] for p in sorted(set(pa) | set(pb)) if pa.get(p, 0) != pb.get(p, 0)}
    return res


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__)
        sys.exit(2)
    n = 5
    for a in sys.argv[1:]:
        if a.startswith("--examples="):
            n = int(a.split("=", 1)[1])
    res = compare(args[0], args[1], n)
    if "--json" in sys.argv:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return
    for side in ("old", "new"):
        r = res[side]
        print("%-4s %s [%s]: %d records, %d distinct identifiers (%d duplicated), %d with landingPage, "
              "%d with >=1 download/access URL, %d publishers" % (
                  side, r["file"], r["format"], r["records"], r["distinct_identifiers"], r["duplicate_identifiers"],
                  r["with_landingPage"], r["with_any_url"], r["distinct_publishers"]))
    i = res["identifier"]
    print("identifier: shared %d, only old %d, only new %d" % (i["shared"], i["only_old"], i["only_new"]))
    l = res["landingPage"]
    print("landingPage: %d distinct shared (old recs %d / new recs %d)" % (l["distinct_shared"], l["old_records_matched"], l["new_records_matched"]))
    u = res["download_or_access_url"]
    print("download/access URL: %d shared of %d old / %d new distinct; records with a shared URL old %d / new %d; "
          "URLs reused by >1 record old %d / new %d" % (u["distinct_shared"], u["distinct_urls_old"], u["distinct_urls_new"],
                                                       u["old_records_with_shared_url"], u["new_records_with_shared_url"],
                                                       u["urls_used_by_>1_record_old"], u["urls_used_by_>1_record_new"]))
    print("normalized title: %d distinct shared" % res["title_normalized"]["distinct_shared"])
    m = res["unmatched_by_id_but_matching"]
    print("old-only identifiers that match a new-only record by title: %d, by URL: %d" % (m["title"], m["url"]))
    c = res["shared_identifier_changes"]
    print("shared identifiers unchanged on compared fields: %d; changed field counts: %s" % (
        c["records_identical_on_compared_fields"], json.dumps(c["changed_field_counts"])))
    print("publisher name changes (same identifier):")
    for p in res["publisher_name_changes"]:
        print("  %3d  %r -> %r" % (p["records"], p["old"], p["new"]))
    print("examples:")
    for f, ex in res["examples"].items():
        for e in ex:
            print("  [%s] %s: %r -> %r" % (f, e["id"], e["old"], e["new"]))
    print("only-old identifiers (first 20):", res["only_old_ids_sample"])
    print("only-new identifiers (first 20):", res["only_new_ids_sample"])


if __name__ == "__main__":
    main()
