#!/usr/bin/env python3
"""Writes a generated DCAT-AP catalogue of N datasets as Turtle, for the benchmarks: about 20
triples per dataset (title, description, keywords, theme, publisher, contact point, dates,
and a distribution with licence, format and media type), ten topics over 97 districts and
50 publishers. Usage: gen-catalogue.py PATH N
"""
import sys
path, n = sys.argv[1], int(sys.argv[2])
eu = "http://publications.europa.eu/resource/authority/"
themes = ["ENVI", "TRAN", "HEAL", "EDUC", "ECON", "GOVE", "SOCI", "REGI"]
words = ["air quality", "school meals", "bus routes", "bin collections", "planning applications",
         "road works", "library loans", "housing waiting list", "food hygiene", "council spending"]
with open(path, "w") as f:
    f.write("@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            "@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            "<https://bench.example.org/catalog> a dcat:Catalog ; dct:title \"Bench catalogue\"@en ;\n"
            "  dct:description \"Generated\"@en ; dct:publisher <https://bench.example.org/org/0> .\n")
    for o in range(50):
        f.write(f"<https://bench.example.org/org/{o}> a foaf:Agent ; foaf:name \"Council {o}\"@en .\n")
    for i in range(n):
        w = words[i % len(words)]
        f.write(
            f"<https://bench.example.org/catalog> dcat:dataset <https://bench.example.org/d/{i}> .\n"
            f"<https://bench.example.org/d/{i}> a dcat:Dataset ; dct:identifier \"bench-{i}\" ;\n"
            f"  dct:title \"{w.capitalize()} {i}\"@en ; dct:description \"Records of {w} for district {i % 97}, updated monthly.\"@en ;\n"
            f"  dcat:keyword \"{w}\"@en , \"district {i % 97}\"@en ; dcat:theme <{eu}data-theme/{themes[i % 8]}> ;\n"
            f"  dct:publisher <https://bench.example.org/org/{i % 50}> ; dct:issued \"2020-01-{1 + i % 28:02d}\"^^xsd:date ;\n"
            f"  dct:modified \"2024-06-{1 + i % 28:02d}\" ;\n"
            f"  dcat:contactPoint [ a vcard:Kind ; vcard:fn \"Data team {i % 50}\" ; vcard:hasEmail <mailto:data{i % 50}@bench.example.org> ] ;\n"
            f"  dcat:distribution <https://bench.example.org/d/{i}/csv> .\n"
            f"<https://bench.example.org/d/{i}/csv> a dcat:Distribution ; dcat:accessURL <https://bench.example.org/files/{i}.csv> ;\n"
            f"  dct:format <{eu}file-type/CSV> ; dcat:mediaType <https://www.iana.org/assignments/media-types/text/csv> ;\n"
            f"  dct:license <{eu}licence/CC_BY_4_0> .\n")
