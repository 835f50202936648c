"""Robustness check on the harness's own Python copy of the two readers (G1: A6 words+cues+actors LR C=10
averaged with B1 chars2-5 LR C=10; sklearn liblinear, TF-IDF), with gate readers of the same recipes trained
on "any pattern". No min-evidence rule (the harness has none). Train split only. Writes oof_harness.npz."""
import sys, time
from pathlib import Path
import numpy as np
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import common as C, features as F, models as M   # noqa: E402

t0 = time.time()
recs = F.prep(C.load()); Y = C.Y_of(recs); anyp = (Y.sum(1) > 0).astype(int); fold = C.folds_of(recs); N = len(recs)
out = {k: np.zeros((N, 3)) for k in ["A6", "B1"]}
for g in ["gate_A6_C=10", "gate_A6_C=3", "gate_A6_C=1", "gate_B1_C=10", "gate_B1_C=3"]:
    out[g] = np.zeros((N, 1))
for k in range(5):
    tr = np.where(fold != k)[0]; te = np.where(fold == k)[0]
    for name, kinds in (("A6", ["words", "cues", "actors"]), ("B1", ["chars"])):
        b = F.Blocks(kinds=kinds).fit([recs[i] for i in tr])
        Xtr = b.transform([recs[i] for i in tr]); Xte = b.transform([recs[i] for i in te])
        out[name][te] = np.column_stack([M.lr(10)(Xtr, Y[tr, j], Xte) for j in range(3)])
        for Cc in ((10, 3, 1) if name == "A6" else (10, 3)):
            out[f"gate_{name}_C={Cc}"][te, 0] = M.lr(Cc)(Xtr, anyp[tr], Xte)
    print(f"fold {k} ({time.time() - t0:.0f}s)", flush=True)
np.savez(HERE / "oof_harness.npz", Y=Y, fold=fold, **out)
