"""Confident tags at equal count: is plus's higher precision at >= .8 better ranking or just fewer tags?
For each protocol, the assigned tags of base ranked by min(W, CH) and of plus ranked by min(W, CH, E);
precision of the k most confident, k = plus's count at >= .8 and base's count at >= .8. Uses loco.py's caches."""
import sys
sys.argv = ["loco.py"]
import numpy as np
import loco as L

RD = L.readers()
def rows_of(split):
    if split == "loco-pooled":
        rd = {k: np.full((L.N, 3), np.nan) for k in ("W", "NET", "CH", "E")}
        for c in L.HELD:
            m = L.COLL == c
            for k in rd:
                rd[k][m] = RD[f"loco-{c}/{k}"][m]
        return rd
    return {k: RD[f"{split}/{k}"] for k in ("W", "NET", "CH", "E")}

for split in ["pooled", "loco-pooled"] + [f"loco-{c}" for c in L.HELD]:
    rd = rows_of(split); rows = ~np.isnan(rd["W"][:, 0])
    W, NET, CH, E = (rd[k][rows] for k in ("W", "NET", "CH", "E")); Y = L.Y[rows]
    out = {}
    for name, S, CONF in [("base", (W + CH) / 2, np.minimum(W, CH)), ("plus", (W + CH + E) / 3, np.minimum(np.minimum(W, CH), E))]:
        A = L.decide(S, NET)
        c = CONF[A]; r = (Y == 1)[A]
        o = np.argsort(-c, kind="stable")
        out[name] = (c[o], r[o])
    nb = int((out["base"][0] >= 0.8).sum()); npl = int((out["plus"][0] >= 0.8).sum())
    def top(name, k):
        return f"{int(out[name][1][:k].sum())}/{k}" if k else "-"
    print(f"{split:12s} >=.8: base {top('base', nb)}, plus {top('plus', npl)} | top-{npl}: base {top('base', npl)} plus {top('plus', npl)}"
          f" | top-{nb}: base {top('base', nb)} plus {top('plus', nb)}")
