import sys
args = sys.argv[1:]; sys.argv = [sys.argv[0]]
sys.path.insert(0, "/work/main/datasets/drafts/embedding-experiment")
import loco as L, numpy as np
from sklearn.linear_model import LogisticRegression
RD = L.readers(); S = np.load("/tmp/s44/splits.npz")
def macro(c): return L.f1s(c.sum(0)).mean()
rng = np.random.default_rng(44)
for arg in args:      # split:statename, e.g. pooled0:pooled0_bitfit
    split, state = arg.split(":")
    V = np.load(f"/tmp/s44/ft/vec_{state}.npy").astype(np.float64)
    tr, te = S[f"{split}/tr"], S[f"{split}/te"]
    mu, sd = V[tr].mean(0), V[tr].std(0) + 1e-8
    A, B = (V[tr] - mu) / sd, (V[te] - mu) / sd
    out = {}
    for C in [0.003, 0.01, 0.03]:
        out[C] = np.column_stack([LogisticRegression(C=C, max_iter=5000).fit(A, L.Y[tr, j]).predict_proba(B)[:, 1] for j in range(3)])
    sp = "pooled" if split.startswith("pooled") else split
    W, NET, CH, E = (RD[f"{sp}/{k}"][te] for k in ("W", "NET", "CH", "E")); Yr = L.Y[te]
    nine = np.full_like(E, 9.0)
    base = L.per_case(L.decide((W + CH + 2 * E) / 4, NET), Yr)
    print(f"== {arg} (n={len(te)}); E alone {macro(L.per_case(L.decide(E, nine), Yr)):.3f}, W+CH+2E {macro(base):.3f}")
    for C, T in out.items():
        a = L.per_case(L.decide(T, nine), Yr); c = L.per_case(L.decide((W + CH + 2 * T) / 4, NET), Yr)
        d = []
        for _ in range(1000):
            i = rng.integers(0, len(c), len(c)); d.append(macro(c[i]) - macro(base[i]))
        print(f"  C {C}: LR on tuned vectors alone {macro(a):.3f}; W+CH+2T {macro(c):.3f} ({' '.join(f'{x:.3f}' for x in L.f1s(c.sum(0)))}) "
              f"{macro(c)-macro(base):+.3f} [{np.percentile(d,2.5):+.3f},{np.percentile(d,97.5):+.3f}]")
