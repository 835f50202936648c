"""Session 43: does a second sentence reader, on Google's USE-multilingual v3 vectors
(use_embed.py; loco.py --emb=use cached its out-of-fold readers in loco_e_use.npz), add to the
readers as built (S = (W + CH + 2 E) / 4)? Training split only; the decision as loco.py's
(production's thresholds). S = (W + CH + a E + b U) / (2 + a + b).

Run: /tmp/exp-venv/bin/python use_combine.py > use_combine.log
"""
import sys
sys.argv = [sys.argv[0]]
import loco as L   # noqa: E402
import numpy as np  # noqa: E402

RD = L.readers()
U = dict(np.load(L.HERE / "loco_e_use.npz"))
rng = np.random.default_rng(43)

def counts(parts, a, b):
    out = []
    for split, rows in parts:
        W, NET, CH, E = (RD[f"{split}/{k}"][rows] for k in ("W", "NET", "CH", "E"))
        Uu = U[f"{split}/E"][rows]
        S = (W + CH + a * E + b * Uu) / (2 + a + b)
        out.append(L.per_case(L.decide(S, NET), L.Y[rows]))
    return np.concatenate(out)

def macro(c):
    return L.f1s(c.sum(0)).mean()

pooled = [("pooled", np.arange(L.N))]
loco = [(f"loco-{c}", np.where(L.COLL == c)[0]) for c in L.HELD]
VARIANTS = [(2, 0), (0, 2), (1, 1), (2, 1), (2, 2), (1.5, 1.5), (3, 1), (2, 0.5)]
for name, parts in [("pooled CV", pooled), ("each collection held out", loco)] + \
        [(f"held out {c}", [(f"loco-{c}", np.where(L.COLL == c)[0])]) for c in L.HELD]:
    print(f"== {name}")
    base = counts(parts, 2, 0)
    for a, b in VARIANTS:
        c = counts(parts, a, b)
        d = []
        for _ in range(1000):
            i = rng.integers(0, len(c), len(c)); d.append(macro(c[i]) - macro(base[i]))
        f = L.f1s(c.sum(0))
        print(f"  E x{a} U x{b}: macro {f.mean():.3f} ({' '.join(f'{x:.3f}' for x in f)})  vs E x2: "
              f"{f.mean() - macro(base):+.3f} [{np.percentile(d, 2.5):+.3f}, {np.percentile(d, 97.5):+.3f}]")
