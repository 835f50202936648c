import sys
sys.argv = [sys.argv[0]]
sys.path.insert(0, "/work/main/datasets/drafts/embedding-experiment")
import loco as L, numpy as np, json
out = {}
for f, (tr, te) in enumerate(L.SPLITS["pooled"]):
    out[f"pooled{f}/tr"] = tr; out[f"pooled{f}/te"] = te
for c in L.HELD:
    tr, te = L.SPLITS["loco-" + c][0]; out[f"loco-{c}/tr"] = tr; out[f"loco-{c}/te"] = te
out["Y"] = L.Y
np.savez("/tmp/s44/splits.npz", **out)
json.dump([r["id"] for r in L.recs], open("/tmp/s44/split_ids.json", "w"))
print({k: len(v) for k, v in out.items()})
