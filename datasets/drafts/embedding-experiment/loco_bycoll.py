"""Inside the pooled 5-fold CV, base vs plus per collection (and for ips+org+aiw+demo, the collections of the
earlier ensemble.md measurement). Paired bootstrap over that collection's cases, 1000 draws. Uses loco.py's caches;
pass --prodlike for the production-like readers."""
import sys
sys.argv = ["loco.py"] + (["--prodlike"] if "--prodlike" in sys.argv else [])
import numpy as np
import loco as L

RD = L.readers()
rd = {k: RD[f"pooled/{k}"] for k in ("W", "NET", "CH", "E")}
rng = np.random.default_rng(7)
groups = [(c, L.COLL == c) for c in ["ips", "org", "fai", "dgf", "cfd"]] + \
         [("ips+org+aiw+demo", np.isin(L.COLL, ["ips", "org", "aiw", "demo"])), ("fai+dgf+cfd", np.isin(L.COLL, ["fai", "dgf", "cfd"]))]
for name, rows in groups:
    res = L.evaluate(rd, rows); n = int(rows.sum())
    BM = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(1000)]).astype(float)
    mb = lambda r: L.f1s(np.einsum("dn,nlk->dlk", BM, r["cnt"])).mean(1)
    d = mb(res["plus"]) - mb(res["base"])
    b, p = res["base"]["f1"].mean(), res["plus"]["f1"].mean()
    print(f"pooled CV, {name:18s} n={n:4d}  base {b:.3f}  plus {p:.3f}  E alone {res['E alone']['f1'].mean():.3f}  "
          f"delta {p - b:+.3f} [{np.percentile(d, 2.5):+.3f}, {np.percentile(d, 97.5):+.3f}]", flush=True)
