"""Session 49: the e5 reader read sentence by sentence (multiple-instance): one logistic regression per
pattern trained on every unit (embed_sentences.py: the title, each sentence), each unit carrying its case's
labels; a case's probability is its units' mean (AGG=mean) or their maximum (AGG=max). Otherwise loco.py as
it is (same splits, the same C chosen by inner folds, the same decision); training split only.
Run: AGG=mean OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 /tmp/e5venv/bin/python mil.py > mil_mean.log
"""
import os, shutil, sys
from pathlib import Path
import numpy as np
from sklearn.linear_model import LogisticRegression
HERE = Path(__file__).resolve().parent
AGG = os.environ["AGG"]; NAME = f"mil{AGG}"
# loco.py reads ../loco_emb_NAME.npy for its E reader and caches under that name: the whole text's
# vectors stand there (unused: the E reader is replaced below) so that its checks pass.
shutil.copy(HERE.parent / "loco_emb_query.npy", HERE.parent / f"loco_emb_{NAME}.npy")
sys.argv = [sys.argv[0], f"--emb={NAME}"]
sys.path.insert(0, str(HERE.parent))
import loco as L   # noqa: E402
U = np.load(HERE / "units.npy").astype(np.float64); OF = np.load(HERE / "units_of.npy")
def mil_fit_predict(tr, te, Cc):
    a = np.isin(OF, tr); b = np.isin(OF, te)
    mu = U[a].mean(0); sd = U[a].std(0) + 1e-8
    A = (U[a] - mu) / sd; Bt = (U[b] - mu) / sd; yb = L.Y[OF[a]]
    where = {c: k for k, c in enumerate(te)}; rows = np.array([where[c] for c in OF[b]])
    out = np.zeros((len(te), 3))
    for j in range(3):
        p = LogisticRegression(C=Cc[j], max_iter=5000).fit(A, yb[:, j]).predict_proba(Bt)[:, 1]
        if AGG == "mean":
            out[:, j] = np.bincount(rows, p, len(te)) / np.bincount(rows, minlength=len(te))
        else:
            m = np.zeros(len(te)); np.maximum.at(m, rows, p); out[:, j] = m
    return out
L.e5_fit_predict = mil_fit_predict
L.main()
