import sys
args = sys.argv[1:]; sys.argv = [sys.argv[0]]
sys.path.insert(0, "/work/main/datasets/drafts/embedding-experiment")
import loco as L, numpy as np
RD = L.readers()
rng = np.random.default_rng(44)
def macro(c): return L.f1s(c.sum(0)).mean()
for arg in args:            # e.g. pooled0 or loco-org or pooled0:suffix
    name, _, suf = arg.partition(":")
    P = np.load(f"/tmp/s44/ft/ft_{name}{suf}.npy")
    split = "pooled" if name.startswith("pooled") else name
    rows = np.where(~np.isnan(P[:, 0]))[0]
    W, NET, CH, E = (RD[f"{split}/{k}"][rows] for k in ("W", "NET", "CH", "E"))
    FT = P[rows]; Yr = L.Y[rows]
    nine = np.full_like(E, 9.0)
    V = {"E alone": (E, nine), "FT alone": (FT, nine), "W+CH+2E": ((W + CH + 2 * E) / 4, NET),
         "W+CH+2FT": ((W + CH + 2 * FT) / 4, NET), "W+CH+E+FT": ((W + CH + E + FT) / 4, NET),
         "W+CH+E+2FT": ((W + CH + E + 2 * FT) / 5, NET)}
    C = {k: L.per_case(L.decide(s, n), Yr) for k, (s, n) in V.items()}
    print(f"== {arg} (n={len(rows)})")
    for k, c in C.items():
        base = C["E alone"] if "alone" in k else C["W+CH+2E"]
        d = []
        for _ in range(1000):
            i = rng.integers(0, len(c), len(c)); d.append(macro(c[i]) - macro(base[i]))
        f = L.f1s(c.sum(0))
        print(f"  {k:11s} macro {f.mean():.3f} ({' '.join(f'{x:.3f}' for x in f)})  vs base {f.mean()-macro(base):+.3f} "
              f"[{np.percentile(d,2.5):+.3f},{np.percentile(d,97.5):+.3f}]")
