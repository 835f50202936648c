import sys
args = sys.argv[1:]; sys.argv = [sys.argv[0]]
sys.path.insert(0, "/work/main/datasets/drafts/embedding-experiment")
import loco as L, numpy as np
from sklearn.linear_model import LogisticRegression
RD = L.readers(); S = np.load("/tmp/s44/splits.npz")
def macro(c): return L.f1s(c.sum(0)).mean()
rows_all = {}; 
for arg in args:
    split, state = arg.split(":")
    V = np.load(f"/tmp/s44/ft/vec_{state}.npy").astype(np.float64)
    tr, te = S[f"{split}/tr"], S[f"{split}/te"]
    mu, sd = V[tr].mean(0), V[tr].std(0) + 1e-8
    T = np.column_stack([LogisticRegression(C=0.01, max_iter=5000).fit((V[tr]-mu)/sd, L.Y[tr, j]).predict_proba((V[te]-mu)/sd)[:, 1] for j in range(3)])
    W, NET, CH, E = (RD[f"pooled/{k}"][te] for k in ("W", "NET", "CH", "E"))
    rows_all[split] = (te, W, NET, CH, E, T)
rng = np.random.default_rng(44)
def counts(f):
    return np.concatenate([L.per_case(L.decide(f(W, CH, E, T), NET), L.Y[te]) for te, W, NET, CH, E, T in rows_all.values()])
base = counts(lambda W, CH, E, T: (W + CH + 2 * E) / 4)
print(f"folds {list(rows_all)} pooled: W+CH+2E {macro(base):.3f}")
for name, f in [("W+CH+1T", lambda W, CH, E, T: (W + CH + T) / 3), ("W+CH+2T", lambda W, CH, E, T: (W + CH + 2 * T) / 4),
                ("W+CH+3T", lambda W, CH, E, T: (W + CH + 3 * T) / 5), ("W+CH+4T", lambda W, CH, E, T: (W + CH + 4 * T) / 6),
                ("W+CH+E+2T", lambda W, CH, E, T: (W + CH + E + 2 * T) / 5), ("W+CH+E+T", lambda W, CH, E, T: (W + CH + E + T) / 4)]:
    c = counts(f); d = []
    for _ in range(1000):
        i = rng.integers(0, len(c), len(c)); d.append(macro(c[i]) - macro(base[i]))
    print(f"  {name:10s} {macro(c):.3f} ({' '.join(f'{x:.3f}' for x in L.f1s(c.sum(0)))}) {macro(c)-macro(base):+.3f} [{np.percentile(d,2.5):+.3f},{np.percentile(d,97.5):+.3f}]")
