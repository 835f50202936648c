"""Estimation uncertainty as confidence: each outer fold's training part is resampled (bootstrap of
cases, B times); both readers are retrained on each resample exactly as train.rs trains them, and the
spread of a tag's probability over the resamples says how much the tag rests on a few training cases.
Saves, per reader, the B out-of-fold probability matrices (bag_words, bag_chars: B x N x 3) and the
gate's (bag_gate_w: B x N x 1) into oof.npz. Train split only. Run after replica.py.
"""
import sys, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE)); sys.path.insert(0, str(HERE.parent))
import replica as R     # noqa: E402

BAGS = int(sys.argv[1]) if len(sys.argv) > 1 else 8

def main():
    t0 = time.time()
    B = R.build(); D = dict(np.load(HERE / "oof.npz"))
    Y, anyp, fold = B["Y"], B["anyp"], B["fold"]; N = len(Y)
    T4 = np.column_stack([Y, anyp])
    bw = np.zeros((BAGS, N, 4)); bc = np.zeros((BAGS, N, 3))
    rng = np.random.default_rng(1)
    for k in range(5):
        tr = np.where(fold != k)[0]; te = np.where(fold == k)[0]
        for b in range(BAGS):
            s = np.sort(rng.choice(tr, len(tr), replace=True))
            bw[b, te] = R.fit_predict(B, "w", s, te, T4, None, R.WORD_OPTS)[0]
            bc[b, te] = R.fit_predict(B, "c", s, te, Y, None, R.CHAR_OPTS)[0]
        print(f"fold {k} ({time.time()-t0:.0f}s)", flush=True)
    D.update(bag_words=bw[..., :3], bag_gate_w=bw[..., 3:], bag_chars=bc)
    np.savez(HERE / "oof.npz", **D)

if __name__ == "__main__":
    main()
