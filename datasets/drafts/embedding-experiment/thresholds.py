"""Session 43: would other decision thresholds generalise better to a collection never seen?
Training split only, from loco.py's cached out-of-fold readers; score S = (W + CH + 2E) / 4 (as
built since session 42). Nested: for each held-out collection, thresholds are chosen on the
other collections' held-out scores only, then applied to it; compared with the production
thresholds (P1 .25, P2 .5, P3 .25, none_below .35) on the same cases.

Run: /tmp/exp-venv/bin/python thresholds.py > thresholds.log
"""
import sys, itertools
sys.argv = [sys.argv[0]]
import loco as L   # noqa: E402
import numpy as np  # noqa: E402

RD = L.readers()
W_E = 2.0

def scores(split, rows):
    W, NET, CH, E = (RD[f"{split}/{k}"][rows] for k in ("W", "NET", "CH", "E"))
    return (W + CH + W_E * E) / (2 + W_E), NET

def decide(S, NET, th, nb):
    """loco.decide (production's TagSettings::decide) at thresholds th and none_below nb."""
    L.TH, L.NONE_BELOW = th, nb
    return L.decide(S, NET)

PARTS = {c: np.where(L.COLL == c)[0] for c in L.HELD}
CACHE = {c: scores(f"loco-{c}", PARTS[c]) for c in L.HELD}
POOLED = scores("pooled", np.arange(L.N))

GRID = list(itertools.product([0.2, 0.25, 0.3, 0.35, 0.4, 0.45], [0.35, 0.4, 0.45, 0.5, 0.55, 0.6],
                              [0.2, 0.25, 0.3, 0.35, 0.4, 0.45], [0.3, 0.35, 0.4, 0.5]))
PROD = (0.25, 0.5, 0.25, 0.35)

def counts(colls, g):
    th = np.array(g[:3]); nb = g[3]
    return np.concatenate([L.per_case(decide(*CACHE[c], th, nb), L.Y[PARTS[c]]) for c in colls])

def macro(cnt):
    return L.f1s(cnt.sum(0)).mean()

nested = []; prod = []
for c in L.HELD:
    others = [o for o in L.HELD if o != c]
    best = max(GRID, key=lambda g: macro(counts(others, g)))
    a = counts([c], best); b = counts([c], PROD)
    nested.append(a); prod.append(b)
    print(f"{c}: chosen on the others {best}: {macro(a):.3f}  production {macro(b):.3f}")
a = np.concatenate(nested); b = np.concatenate(prod)
print(f"held out, pooled: nested-chosen {macro(a):.3f} production {macro(b):.3f}")
rng = np.random.default_rng(43); d = []
for _ in range(1000):
    i = rng.integers(0, len(a), len(a)); d.append(macro(a[i]) - macro(b[i]))
print(f"  paired bootstrap: {macro(a)-macro(b):+.3f} [{np.percentile(d,2.5):+.3f}, {np.percentile(d,97.5):+.3f}]")
best_all = max(GRID, key=lambda g: macro(counts(L.HELD, g)))
print("chosen on every collection held out:", best_all, f"{macro(counts(L.HELD, best_all)):.3f}")
S, NET = POOLED
for g in [PROD, best_all]:
    cnt = L.per_case(decide(S, NET, np.array(g[:3]), g[3]), L.Y)
    print(f"pooled CV with {g}: {macro(cnt):.3f}", " ".join(f"{x:.3f}" for x in L.f1s(cnt.sum(0))))
