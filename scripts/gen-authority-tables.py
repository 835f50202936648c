#!/usr/bin/env python3
"""Writes vocab/authority/*.tsv from the EU Publications Office authority tables in
shared/data/eu-vocabularies (file types, licences, languages, data themes, frequencies), and the names CKAN portals
write for file types from CKAN's own resource-format list (shared/data/ckan-api-responses).

Each row: code, IRI, English label, then the lower-cased names a catalogue may write for it
(the code, the English label, alternative labels, and for languages labels in every
language the table has).
Run from the repository root with rdflib installed:
    python3 scripts/gen-authority-tables.py ../shared/data/eu-vocabularies
"""
import json
import sys
from pathlib import Path
import rdflib
from rdflib.namespace import SKOS, DC, DCTERMS

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/eu-vocabularies")
out = Path(__file__).resolve().parent.parent / "vocab" / "authority"
AUTH = "http://publications.europa.eu/resource/authority/"
TABLES = {
    "file-type": ["from-fdk-reference-data/filetypes-sparql-result.ttl"],
    "licence": ["from-fdk-reference-data/licences-sparql-result.ttl"],
    "language": ["from-ckanext-dcatapit/languages-filtered.rdf", "from-fdk-reference-data/language-sparql-result.ttl"],
    "data-theme": ["from-fdk-reference-data/data-theme-sparql-result.ttl"],
    "frequency": ["from-fdk-reference-data/frequencies-sparql-result.ttl"],
    "access-right": ["from-fdk-reference-data/access-right-sparql-result.ttl"],
    "publisher-type": ["from-fdk-reference-data/main-adms-publisher-type.ttl"],
}
PREFIXES = {"publisher-type": "http://purl.org/adms/publishertype/"}
ATOLD = rdflib.URIRef("http://publications.europa.eu/ontology/authority/legacy-code")
OP_CODE = rdflib.URIRef("http://publications.europa.eu/ontology/euvoc#xlNotation")

CKAN_FORMATS = src.parent / "ckan-api-responses/ckan-core-config/resource_formats.json"


def add_ckan_format_names(rows):
    """CKAN's own list of resource formats (`ckan/config/resource_formats.json`: name,
    description, media type, aliases) gives the names CKAN portals write for a format:
    `jpg` for JPEG, `Excel` and `application/x-msexcel` for XLS. Each entry whose name or
    media type the EU table already knows lends all its names to that concept."""
    by_name = {}
    for code, (_, _, names) in rows.items():
        for n in names:
            by_name.setdefault(n, code)
    for entry in json.loads(CKAN_FORMATS.read_text()):
        if entry[0] == "_comment":
            continue
        name, description, media, aliases = entry
        code = by_name.get(name.lower()) or (media and by_name.get(media.lower()))
        if not code:
            continue
        iri, label, names = rows[code]
        # An alias that is a media type of another kind (MP3's `video/mpeg`) is not this format.
        kind = media.split("/")[0] if media and "/" in media else None
        aliases = [a for a in aliases or [] if "/" not in a or "://" in a or kind is None or a.split("/")[0] == kind]
        extra = {name, description, *aliases} | ({media} if kind else set())
        rows[code] = (iri, label, sorted(set(names) | {n.strip().lower() for n in extra if n.strip()}))


for table, files in TABLES.items():
    g = rdflib.Graph()
    for f in files:
        g.parse(src / f)
    prefix = PREFIXES.get(table, AUTH + table + "/")
    rows = {}
    for s in set(g.subjects()):
        s = str(s)
        if not s.startswith(prefix) or s == prefix:
            continue
        code = s[len(prefix):]
        names = {code.lower()}
        node = rdflib.URIRef(s)
        for p in (SKOS.prefLabel, SKOS.altLabel):
            for o in g.objects(node, p):
                if table == "language" or getattr(o, "language", None) in (None, "en"):
                    names.add(str(o).strip().lower())
        for o in g.objects(node, DC.identifier):
            names.add(str(o).strip().lower())
        for o in g.objects(node, SKOS.notation):
            names.add(str(o).strip().lower())
        for p, o in g.predicate_objects(node):
            if str(p).endswith("legacy-code") or str(p).endswith("op-code"):
                names.add(str(o).strip().lower())
        names.discard("")
        english = [str(o) for o in g.objects(node, SKOS.prefLabel) if getattr(o, "language", None) == "en"]
        label = sorted(english)[0] if english else code
        clean = lambda n: n.replace("\t", " ").replace("\n", " ")
        rows[code] = (s, clean(label), sorted(clean(n) for n in names))
    if table == "file-type":
        add_ckan_format_names(rows)
    with open(out / f"{table}.tsv", "w", encoding="utf-8") as fh:
        fh.write(f"# EU Publications Office authority table '{table}', derived by scripts/gen-authority-tables.py\n")
        for code in sorted(rows):
            iri, label, names = rows[code]
            fh.write("\t".join([code, iri, label] + names) + "\n")
    print(table, len(rows))

# Country names by their ISO 3166-1 codes, which case-study collections give as a place's
# country ("NL", "GBR"): from Debian's iso-codes (`/usr/share/iso-codes/json`), the short
# name a person uses ("Bolivia", not "Bolivia, Plurinational State of").
ISO_3166 = Path("/usr/share/iso-codes/json/iso_3166-1.json")
if ISO_3166.is_file():
    countries = json.loads(ISO_3166.read_text())["3166-1"]
    with open(out / "country.tsv", "w", encoding="utf-8") as fh:
        fh.write("# ISO 3166-1 countries (alpha-2, alpha-3, short English name), derived by scripts/gen-authority-tables.py from Debian's iso-codes\n")
        for c in sorted(countries, key=lambda c: c["alpha_2"]):
            fh.write("\t".join([c["alpha_2"], c["alpha_3"], c.get("common_name", c["name"])]) + "\n")
    print("country", len(countries))

