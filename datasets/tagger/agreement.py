#!/usr/bin/env python3
"""Cohen's kappa between the first labelling pass (labels-pool.tsv) and the independent
second pass over a fixed random 20 % of the pool (second-pass.tsv), per label, each label
taken as a yes/no decision per case. Run from anywhere: python3 datasets/tagger/agreement.py
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
    for label in ["P1", "P2", "P3", "NONE"]:
        a = [label in first[c] for c in cases]
        b = [label in second[c] for c in cases]
        n = len(cases)
        observed = sum(x == y for x, y in zip(a, b)) / n
        pa, pb = sum(a) / n, sum(b) / n
        expected = pa * pb + (1 - pa) * (1 - pb)
        kappa = (observed - expected) / (1 - expected)
        print(f"{label}: kappa {kappa:.3f} (agreement {observed:.3f}; first pass {sum(a)}, second {sum(b)})")
    exact = sum(first[c] == second[c] for c in cases)
    print(f"same label set: {exact} of {len(cases)}")


if __name__ == "__main__":
    main()
