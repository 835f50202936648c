"""Where does V3's leave-ips-out gain come from? V0 and V3 with aiw: or demo: dropped from the training side.
Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 python ablate.py > ablate.log"""
import numpy as np
import gen as G

ips = np.where(G.COLL == "ips")[0]; org = np.where(G.COLL == "org")[0]
G.SPLITS.update({
    "loco-ips-no-aiw": [(np.where(~np.isin(G.COLL, ["ips", "aiw"]))[0], ips)],
    "loco-ips-no-demo": [(np.where(~np.isin(G.COLL, ["ips", "demo"]))[0], ips)],
    "loco-ips-org-only": [(org, ips)],
    "loco-org-no-aiw": [(np.where(~np.isin(G.COLL, ["org", "aiw"]))[0], org)],
    "loco-org-ips-only": [(ips, org)],
})
for split in ["loco-ips-no-aiw", "loco-ips-no-demo", "loco-ips-org-only", "loco-org-no-aiw", "loco-org-ips-only"]:
    for v in ["V0", "V3"]:
        r = G.evaluate(v, split)
        f = r["f1"]
        print(f"{split:18s} {v} macro {r['macro']:.4f} [P1 {f[0]:.3f} P2 {f[1]:.3f} P3 {f[2]:.3f} N {f[3]:.3f}] "
              f">=.8 {int(r['right'].sum())}/{int(r['tags'].sum())}  AUC {'/'.join(f'{x:.3f}' for x in r['auc'])}", flush=True)
