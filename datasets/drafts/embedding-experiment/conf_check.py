"""Confident tags: what the third reader's veto removes, and precision of the N most confident tags at equal N.
Reads the reader cache written by ensemble.py (training split only)."""
import numpy as np, json
import common_shim  # noqa
import common as C
recs = C.load(); Y = C.Y_of(recs); fold = C.folds_of(recs); n = len(recs)
S = np.load("/tmp/embexp/readers.npz")
def outer(nm): A = S[nm]; return A[fold, np.arange(n)]
TH = np.array([0.3, 0.5, 0.3])
W, CH, Ep, Eq = outer("W_A6"), outer("CH"), None, None
def sel(prefix, grid=(0.003, 0.01, 0.03, 0.1, 0.3, 1.0)):
    ch = json.load(open("/tmp/embexp/ensemble_rows.json"))[-1]["choices"][prefix]
    P = np.zeros((n, 3))
    for k in range(5):
        for j in range(3): P[fold == k, j] = outer(f"{prefix[:-2]}lr{ch[k][j]}")[fold == k, j]
    return P
for tag in ["E_passage_LR", "E_query_LR"]:
    E = sel(tag)
    base_P, base_Q = (W + CH) / 2, np.minimum(W, CH)
    P3, Q3 = (W + CH + E) / 3, np.minimum(np.minimum(W, CH), E)
    a0 = (base_P >= TH) & (base_Q >= .8); a1 = (P3 >= TH) & (Q3 >= .8)
    rem = a0 & ~a1
    print(f"{tag}: base conf>=.8 {a0.sum()} tags, prec {Y[a0].mean():.3f}; min3 keeps {a1.sum()} (prec {Y[a1].mean():.3f}), "
          f"vetoes {rem.sum()} of which {Y[rem].sum()} right ({Y[rem].mean():.3f}); new ones not in base: {(a1 & ~a0).sum()}")
    for N in [241, 300, 336]:
        def topN(P, Q):
            m = P >= TH; q = np.where(m, Q, -1).ravel(); idx = np.argsort(-q, kind="stable")[:N]
            return Y.ravel()[idx].mean()
        print(f"   top {N} tags by confidence: base min(W,CH) {topN(base_P, base_Q):.3f}   3-reader min3 {topN(P3, Q3):.3f}   3-reader mean {topN(P3, P3):.3f}")
