"""Draws the cases to translate: 200 of the training split (never the test split),
stratified by label set, each label set's cases in the order of a hash of their id (as
split.tsv was drawn), and writes them as `en.json` in civicgraph's case-study format,
each description cut to its first sentences (up to about 70 words) so that a translation
is of the same text. The other languages' files are these cases translated.

    python3 datasets/tagger/translations/build_sample.py
"""
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TAGGER = HERE.parent
WANTED = 200
WORDS = 70

split = dict(l.rstrip("\n").split("\t") for l in (TAGGER / "split.tsv").read_text().splitlines()[1:])
labels = {}
for line in (TAGGER / "labels.tsv").read_text().splitlines()[1:]:
    case, patterns, _ = line.split("\t")
    labels[case] = " ".join(sorted(patterns.split()))
cases = {c["id"]: c for c in json.loads((TAGGER / "cases.json").read_text())["case_studies"]}

groups = defaultdict(list)
for case, label_set in labels.items():
    if split.get(case) == "train":
        groups[label_set].append(case)
order = lambda case: hashlib.sha256(("translate:" + case).encode()).hexdigest()
total = sum(len(g) for g in groups.values())
chosen = []
for label_set in sorted(groups):
    members = sorted(groups[label_set], key=order)
    take = max(1, round(WANTED * len(members) / total))
    chosen.extend(members[:take])
chosen.sort(key=order)


def cut(text):
    sentences = re.split(r"(?<=[.!?])\s+", " ".join((text or "").split()))
    out = []
    for sentence in sentences:
        if out and len(" ".join(out + [sentence]).split()) > WORDS:
            break
        out.append(sentence)
    words = " ".join(out).split()
    return " ".join(words[: WORDS + 30])


sample = []
for case in chosen:
    c = dict(cases[case])
    c["description"] = cut(c.get("description", ""))
    sample.append(c)
(HERE / "en.json").write_text(
    json.dumps(
        {
            "note": "200 training-split cases of datasets/tagger, descriptions cut to their first sentences (build_sample.py); the other files are these translated",
            "case_studies": sample,
        },
        ensure_ascii=False,
        indent=1,
    )
    + "\n"
)
print(len(sample), "cases;", sum(len((c["title"] + " " + c["description"]).split()) for c in sample), "words")
