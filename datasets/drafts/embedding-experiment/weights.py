"""Session 42: does weighing the sentence reader (E) more than the word (W) and character (CH)
readers help? Training split only, from loco.py's cached out-of-fold readers (loco_wc.npz,
loco_e.npz: pooled 5-fold CV and each collection held out). S = (W + CH + w*E) / (2 + w), the
decision as loco.py's (production's thresholds); w = 1 is the reader as built.

Run: /tmp/exp-venv/bin/python weights.py > weights.log
"""
import sys
sys.argv = [sys.argv[0]]
import loco as L   # noqa: E402  (loco.py's set-up: records of the training split, labels, folds)
import numpy as np  # noqa: E402

RD = L.readers()
rng = np.random.default_rng(20261206)

def macro(rows, split, w, conf_min=True):
    W, NET, CH, E = (RD[f"{split}/{k}"][rows] for k in ("W", "NET", "CH", "E"))
    S = (W + CH + w * E) / (2 + w)
    A = L.decide(S, NET)
    cnt = L.per_case(A, L.Y[rows])
    return cnt

def report(name, parts):
    print(f"== {name}")
    base = None
    for w in [0.5, 1.0, 1.5, 2.0, 3.0]:
        cnt = np.concatenate([macro(rows, split, w) for split, rows in parts])
        f = L.f1s(cnt.sum(0))
        if w == 1.0:
            base = cnt
        print(f"  w={w}: macro {f.mean():.3f}  " + " ".join(f"{l} {x:.3f}" for l, x in zip(L.LABELS, f)))
    return base

pooled = [("pooled", np.arange(L.N))]
loco = [(f"loco-{c}", np.where(L.COLL == c)[0]) for c in L.HELD]
report("pooled 5-fold CV", pooled)
report("each collection held out, pooled", loco)
for c in L.HELD:
    report(f"held out: {c}", [(f"loco-{c}", np.where(L.COLL == c)[0])])

def boot(parts, w, draws=1000):
    """Paired bootstrap of macro-F1(w) - macro-F1(1) over the protocol's cases."""
    a = np.concatenate([macro(rows, split, w) for split, rows in parts])
    b = np.concatenate([macro(rows, split, 1.0) for split, rows in parts])
    n = len(a); d = []
    for _ in range(draws):
        i = rng.integers(0, n, n)
        d.append(L.f1s(a[i].sum(0)).mean() - L.f1s(b[i].sum(0)).mean())
    d = np.array(d)
    return L.f1s(a.sum(0)).mean() - L.f1s(b.sum(0)).mean(), np.percentile(d, 2.5), np.percentile(d, 97.5)

print("== paired bootstrap against w=1 (1,000 draws)")
for w in [1.5, 2.0, 3.0]:
    for name, parts in [("pooled CV", pooled), ("held out, pooled", loco)] + [(f"held out {c}", [(f"loco-{c}", np.where(L.COLL == c)[0])]) for c in L.HELD]:
        d, lo, hi = boot(parts, w)
        print(f"  w={w} {name}: {d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
