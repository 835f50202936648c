#!/usr/bin/env python3
"""Cohen's kappa between the first labelling pass (labels-pool.tsv) and the independent
second pass over a fixed random 20 % of the pool (second-pass.tsv), per label, each label
taken as a yes/no decision per case; and the second pass scored against the first as
`civicgraph eval-tagger` scores the tagger against the labels (F1 per label, macro-F1), the
ceiling a tagger's macro-F1 is read against. Run from anywhere:
python3 datasets/tagger/agreement.py
"""
import pathlib

HERE = pathlib.Path(__file__).resolve().parent


def read(name):
    rows = {}
    for line in (HERE / name).read_text().splitlines()[1:]:
        case, patterns, _ = line.split("\t")
        rows[case] = set(patterns.replace(",", " ").split())
    return rows


def main():
    first, second = read("labels-pool.tsv"), read("second-pass.tsv")
    cases = sorted(second)
    print(f"{len(cases)} cases labelled twice")
    f1s = []
    for label in ["P1", "P2", "P3", "NONE"]:
        a = [label in first[c] for c in cases]
        b = [label in second[c] for c in cases]
        n = len(cases)
        observed = sum(x == y for x, y in zip(a, b)) / n
        pa, pb = sum(a) / n, sum(b) / n
        expected = pa * pb + (1 - pa) * (1 - pb)
        kappa = (observed - expected) / (1 - expected)
        tp = sum(x and y for x, y in zip(a, b))
        f1 = 2 * tp / (sum(a) + sum(b)) if sum(a) + sum(b) else 0.0
        f1s.append(f1)
        print(
            f"{label}: kappa {kappa:.3f} (agreement {observed:.3f}; first pass {sum(a)}, "
            f"second {sum(b)}); F1 of the second against the first {f1:.3f}"
        )
    print(f"macro-F1 of the second pass against the first: {sum(f1s) / len(f1s):.3f}")
    exact = sum(first[c] == second[c] for c in cases)
    print(f"same label set: {exact} of {len(cases)}")


if __name__ == "__main__":
    main()
