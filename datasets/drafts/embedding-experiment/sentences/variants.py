"""Session 49: a case's vector from its units' vectors (embed_sentences.py), as ../loco_emb_NAME.npy for
`loco.py --emb=NAME`:
  sentmean  the mean of the title's and each sentence's vector
  sentmax   their elementwise maximum
  concat    the whole text's vector beside sentmean (768 dimensions)
Run: /tmp/e5venv/bin/python variants.py
"""
from pathlib import Path
import numpy as np
HERE = Path(__file__).resolve().parent
U = np.load(HERE / "units.npy"); OF = np.load(HERE / "units_of.npy"); Q = np.load(HERE.parent / "loco_emb_query.npy")
n = len(Q); assert OF.max() == n - 1
mean = np.zeros_like(Q); mx = np.full_like(Q, -np.inf)
np.add.at(mean, OF, U); mean /= np.bincount(OF, minlength=n)[:, None]
np.maximum.at(mx, OF, U)
for name, X in [("sentmean", mean), ("sentmax", mx), ("concat", np.hstack([Q, mean]))]:
    np.save(HERE.parent / f"loco_emb_{name}.npy", X.astype(np.float32)); print(name, X.shape)
