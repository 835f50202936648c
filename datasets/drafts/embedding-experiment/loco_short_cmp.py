"""Short texts vs full text, production-like readers (--prodlike W/CH): paired bootstrap of
macro-F1(plus with e5 on a short text) - macro-F1(plus with e5 on the full text), per protocol.
Needs loco_wc_prodlike.npz, loco_e.npz (full text), loco_e_short200.npz, loco_e_sent1.npz (from loco.py runs).
Run: OMP_NUM_THREADS=1 nice -n 10 /tmp/e5venv/bin/python loco_short_cmp.py > loco_short_cmp.log
"""
import sys
sys.argv = ["loco.py", "--prodlike", "wc"]          # load records + prodlike W/CH settings; no embeddings needed
import numpy as np
import loco as L

WC = L.wc_readers()
E = {name: dict(np.load(L.HERE / f)) for name, f in
     [("full", "loco_e.npz"), ("short200", "loco_e_short200.npz"), ("sent1", "loco_e_sent1.npz")]}
N = L.N


def protocol_readers(split):
    if split != "loco-pooled":
        rd = {k: WC[f"{split}/{k}"] for k in ("W", "NET", "CH")}
        rd.update({n: E[n][f"{split}/E"] for n in E})
        return rd, ~np.isnan(rd["W"][:, 0])
    rd = {k: np.full((N, 3), np.nan) for k in ("W", "NET", "CH", *E)}
    for c in L.HELD:
        m = L.COLL == c
        for k in ("W", "NET", "CH"):
            rd[k][m] = WC[f"loco-{c}/{k}"][m]
        for n in E:
            rd[n][m] = E[n][f"loco-{c}/E"][m]
    return rd, ~np.isnan(rd["W"][:, 0])


rng = np.random.default_rng(20261206)
for split in ["pooled", *[f"loco-{c}" for c in L.HELD], "loco-pooled"]:
    rd, rows = protocol_readers(split)
    W, NET, CH = rd["W"][rows], rd["NET"][rows], rd["CH"][rows]
    Yr = L.Y[rows]; n = int(rows.sum())
    cnt = {"base": L.per_case(L.decide((W + CH) / 2, NET), Yr)}
    for e in E:
        cnt[e] = L.per_case(L.decide((W + CH + rd[e][rows]) / 3, NET), Yr)
    BM = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(1000)]).astype(float)
    mb = {k: L.f1s(np.einsum("dn,nlk->dlk", BM, c)).mean(1) for k, c in cnt.items()}
    pt = {k: L.f1s(c.sum(0)).mean() for k, c in cnt.items()}
    line = f"{split:12s} n={n:4d} base {pt['base']:.4f} plus: full {pt['full']:.4f} short200 {pt['short200']:.4f} sent1 {pt['sent1']:.4f}"
    for e in ("short200", "sent1"):
        d = mb[e] - mb["full"]; lo, hi = np.percentile(d, [2.5, 97.5])
        line += f" | {e}-full {pt[e] - pt['full']:+.4f} [{lo:+.4f}, {hi:+.4f}]"
    print(line, flush=True)
