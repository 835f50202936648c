"""Confusion of a variant's OOF scores (train split only) and sample P1->P2 errors."""
import sys, numpy as np, common as C
recs = C.load(); Y = C.Y_of(recs)
P = np.load(f"oof/{sys.argv[1]}.npy"); th = np.array([0.3, 0.5, 0.3])
pred = P >= th
print("labelled\\tagged  P1  P2  P3  NONE")
for j, l in enumerate(C.LABELS):
    rows = Y[:, j] == 1 if j < 3 else Y.sum(1) == 0
    cnt = [int(pred[rows, k].sum()) for k in range(3)] + [int((~pred[rows].any(1)).sum())]
    print(f"{l:6s} {rows.sum():4d}", cnt)
err = [i for i in range(len(recs)) if Y[i, 0] and not pred[i, 0] and pred[i, 1]]
print(len(err), "P1 labelled, missed P1, tagged P2")
for i in err[:int(sys.argv[2]) if len(sys.argv) > 2 else 12]:
    r = recs[i]; print("-", r["id"], sorted(r["labels"]), np.round(P[i], 2), r["orgtype"], "|", r["text"][:260].replace("\n", " "))
err = [i for i in range(len(recs)) if not Y[i, 0] and pred[i, 0]]
print(len(err), "P1 false positives; sample:")
for i in err[:10]:
    r = recs[i]; print("-", r["id"], sorted(r["labels"]) or ["NONE"], np.round(P[i], 2), r["orgtype"], "|", r["text"][:200].replace("\n", " "))
