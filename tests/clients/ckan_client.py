"""ckanapi (from PyPI), the client CKAN's own tools and many portals' scripts use, against a
running civicgraph: it lists organizations and groups, searches with a filter and facets,
pages through every dataset, and shows one.

Usage: ckan_client.py BASE_URL
"""
import sys

import ckanapi

BASE = sys.argv[1]
failures = []
passed = []


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f" [{detail}]"))
    (passed if condition else failures).append(name)


ckan = ckanapi.RemoteCKAN(BASE, user_agent="civicgraph-tests")
status = ckan.action.status_show()
check("status_show answers", status["ckan_version"].startswith("2"), status)

organizations = ckan.action.organization_list(all_fields=True)
check("organization_list names the publishers", len(organizations) >= 3, organizations)
groups = ckan.action.group_list()
check("group_list names the themes as groups", "envi" in groups, groups)

first = organizations[0]
found = ckan.action.package_search(fq=f"organization:{first['name']}", rows=100,
                                   **{"facet.field": ["groups", "res_format"]})
check("a search filtered by organization finds its packages",
      found["count"] == first["package_count"] and all(p["organization"]["name"] == first["name"] for p in found["results"]),
      (found["count"], first))
check("facets come back by field", "groups" in found["search_facets"] and "res_format" in found["facets"],
      list(found.get("search_facets", {})))

total = ckan.action.package_search(rows=0)["count"]
seen, start = [], 0
while start < total:
    page = ckan.action.package_search(rows=50, start=start, sort="id asc")
    seen += [p["id"] for p in page["results"]]
    start += 50
check("paging in id order reaches every dataset once", len(seen) == total == len(set(seen)) and seen == sorted(seen),
      (len(seen), total))

package = ckan.action.package_show(id=seen[0])
check("package_show by id", package["id"] == seen[0], package.get("id"))
check("package_show by name", ckan.action.package_show(id=package["name"])["id"] == seen[0])
try:
    ckan.action.package_show(id="no-such-dataset-0000000000000000")
    check("a missing package is NotFound", False)
except ckanapi.NotFound:
    check("a missing package is NotFound", True)
try:
    ckan.action.package_search(fq="colour:blue")
    check("a filter on an unknown field is a ValidationError", False)
except ckanapi.ValidationError:
    check("a filter on an unknown field is a ValidationError", True)

print(f"{len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
