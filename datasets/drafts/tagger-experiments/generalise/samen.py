"""Is V2's (and V1's) higher >= 0.8 precision a better ranking or only fewer tags? Compare with V0's
confidence cut to the same number of tags (V0's n most confident assigned tags).
Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 python samen.py > samen.log"""
import numpy as np
import gen as G

for split in ["pooled", "loco-ips", "loco-org"]:
    rows0, A0, C0, _, _ = G.run("V0", split)
    ti, tj = np.where(A0); conf0 = C0[ti, tj]; right0 = G.Y[ti, tj] == 1
    order = np.argsort(-conf0, kind="stable")
    for v in ["V1", "V2", "V3"]:
        rows, A, C, _, _ = G.run(v, split)
        m = A & (C >= 0.8); n = int(m.sum()); k = int((m & (G.Y == 1)).sum())
        k0 = int(right0[order[:n]].sum())
        print(f"{split:8s} {v}: {k}/{n} right at >= 0.8; V0's top {n} tags: {k0}/{n} right", flush=True)
