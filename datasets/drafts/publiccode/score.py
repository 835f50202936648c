"""Scores the tagger's tags of the cases against the labels.

    civicgraph tag --explain datasets/drafts/publiccode/publiccode-it.csv --json > tags.json
    python3 score.py tags.json labels.tsv

Prints F1 by label, macro-F1, the confusion matrix (a case counts once per pair of its labels
and tags) and how many inferred tags with confidence >= 0.8 are right.
"""
import csv, json, sys, urllib.parse
labels = {}
for p in sys.argv[2:]:
    labels.update({r['case']: set(r['patterns'].split()) for r in csv.DictReader(open(p), delimiter='\t')})
NAME = {'access': 'P1', 'planning': 'P2', 'policy': 'P3', 'none': 'NONE'}
tags = {}
for rec in json.load(open(sys.argv[1])):
    case = 'pcy:' + urllib.parse.unquote(rec['record'].rsplit('/case-study/', 1)[1])
    tags[case] = {NAME[a['pattern']] for a in rec['assignments']}
    tags[case + '#conf'] = [(NAME[a['pattern']], a['confidence'], a['method']) for a in rec['assignments']]
assert set(labels) <= set(tags), set(labels) - set(tags)
f1s = []
conf = {l: {m: 0 for m in NAME.values()} for l in NAME.values()}
for l in ['P1', 'P2', 'P3', 'NONE']:
    tp = sum(l in labels[c] and l in tags[c] for c in labels)
    fp = sum(l not in labels[c] and l in tags[c] for c in labels)
    fn = sum(l in labels[c] and l not in tags[c] for c in labels)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0
    f1s.append(f1)
    print(f"{l}: cases {tp+fn} TP {tp} FP {fp} FN {fn} F1 {f1:.3f}")
for c in labels:
    for a in labels[c]:
        for b in tags[c]:
            conf[a][b] += 1
print(f"macro-F1 {sum(f1s)/4:.3f} over {len(labels)} cases")
print("confusion (rows labelled, columns tagged):")
for a in conf: print(a, [conf[a][b] for b in conf])
hi = [(c, p) for c in labels for (p, cf, m) in tags[c + '#conf'] if cf >= 0.8 and m == 'inferred' and p != 'NONE']
print(f"inferred tags with confidence >= 0.8: {sum(p in labels[c] for c, p in hi)} of {len(hi)} right")
