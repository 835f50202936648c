"""Confidence variants on the harness copy (oof_harness.npz): decision = production rule without min-evidence."""
import numpy as np
from pathlib import Path
HERE = Path(__file__).resolve().parent
D = dict(np.load(HERE / "oof_harness.npz")); Y = D["Y"]; FOLD = D["fold"]; N = len(Y)
TH = np.array([0.3, 0.5, 0.3])
W, CH = D["A6"], D["B1"]; S = (W + CH) / 2
A = S >= TH
for i in np.where(~A.any(1))[0]:
    j = np.argmax(S[i])
    if S[i, j] >= 0.35: A[i, j] = True
def f1(A):
    f = []
    for j in range(3):
        tp = (A[:, j] & (Y[:, j] == 1)).sum(); fp = (A[:, j] & (Y[:, j] == 0)).sum(); fn = (~A[:, j] & (Y[:, j] == 1)).sum(); f.append(2 * tp / (2 * tp + fp + fn))
    pn = ~A.any(1); yn = Y.sum(1) == 0; tp = (pn & yn).sum(); fp = (pn & ~yn).sum(); fn = (~pn & yn).sum(); f.append(2 * tp / (2 * tp + fp + fn))
    return f
f = f1(A); print(f"decision: macro-F1 {np.mean(f):.4f} (P1 {f[0]:.3f} P2 {f[1]:.3f} P3 {f[2]:.3f} NONE {f[3]:.3f})")
ti, tj = np.where(A); R = Y[ti, tj] == 1
base = np.minimum(W, CH)[ti, tj]; order = np.argsort(-base, kind="stable")
print("| confidence | right/tags at >= 0.8 | wrong | baseline's top n: wrong | per fold at >= 0.8 |\n|---|---:|---:|---:|---|")
V = {"baseline min(A6, B1)": np.minimum(W, CH)}
for g in [k for k in D if k.startswith("gate_")]:
    V[f"min(A6, B1, {g})"] = np.minimum(np.minimum(W, CH), D[g])
V["min(A6, B1, mean(gate_A6_C=10, gate_B1_C=10))"] = np.minimum(np.minimum(W, CH), (D["gate_A6_C=10"] + D["gate_B1_C=10"]) / 2)
V["min(A6, B1, gate_A6_C=10, gate_B1_C=10)"] = np.minimum.reduce([W, CH, np.broadcast_to(D["gate_A6_C=10"], W.shape), np.broadcast_to(D["gate_B1_C=10"], W.shape)])
for name, M in V.items():
    c = np.broadcast_to(M, W.shape)[ti, tj]; m = c >= 0.8; n = int(m.sum())
    wb = int((~R[order[:n]]).sum())
    folds = " ".join(f"{int(R[m & (FOLD[ti] == k)].sum())}/{int((m & (FOLD[ti] == k)).sum())}" for k in range(5))
    print(f"| {name} | {int(R[m].sum())}/{n} = {R[m].mean():.3f} | {int((~R[m]).sum())} | {wb} | {folds} |")
