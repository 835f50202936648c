"""Does adding fai: to training change the other collections' cross-validated figures?
(session 25; training split only.) The same 5 folds; the test side of each fold is its
non-fai cases in both runs, so the two runs score the same cases:

  pooled-without: each fold trained on its training cases outside fai:
  pooled-with:    the same, with the fold's fai: training cases added

Run: python3 fai_pooled.py
"""
import numpy as np
import gen as G

C, F = G.COLL, G.FOLD
G.SPLITS.update({
    "pooled-without": [(np.where((F != f) & (C != "fai"))[0], np.where((F == f) & (C != "fai"))[0]) for f in range(5)],
    "pooled-with": [(np.where(F != f)[0], np.where((F == f) & (C != "fai"))[0]) for f in range(5)],
})

if __name__ == "__main__":
    out = {}
    for split in ["pooled-without", "pooled-with"]:
        res = G.evaluate("V0", split)
        out[split] = res
        f = res["f1"]
        print(f"{split:15s} macro {res['macro']:.4f} [P1 {f[0]:.3f} P2 {f[1]:.3f} P3 {f[2]:.3f} N {f[3]:.3f}] "
              f">=.8 {G.fmt_prec(res['right'].sum(), res['tags'].sum())}", flush=True)
        for c, (m, x, k, n) in res["by_coll"].items():
            print(f"    {c}: macro {m:.4f} [P1 {x[0]:.3f} P2 {x[1]:.3f} P3 {x[2]:.3f} N {x[3]:.3f}] >=.8 {k}/{n}", flush=True)
    a, b = out["pooled-without"], out["pooled-with"]
    BM = G.boot_matrix(int(a["rows"].sum()))
    d = G.f1s_b(BM, b["cnt"]) - G.f1s_b(BM, a["cnt"])
    lo, hi = np.percentile(d, [2.5, 97.5])
    pa = (BM @ a["right"]) / np.maximum(BM @ a["tags"], 1); pb = (BM @ b["right"]) / np.maximum(BM @ b["tags"], 1)
    plo, phi = np.percentile(pb - pa, [2.5, 97.5])
    print(f"fai: in training: {b['macro'] - a['macro']:+.4f} macro-F1 [{lo:+.4f}, {hi:+.4f}]; "
          f">=.8 precision {b['right'].sum() / b['tags'].sum() - a['right'].sum() / a['tags'].sum():+.4f} [{plo:+.4f}, {phi:+.4f}]")
