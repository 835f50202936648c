"""Nested choices for the confidence, so that nothing is picked on the fold it is scored on.
For each outer fold, a 5-fold CV inside its training part (folds as common.folds_of) gives inner
out-of-fold scores; from them:
  - the gate's L2 is chosen by inner log loss of the gate target (any pattern), words and chars gates;
  - a Platt map of logit(min(words, chars)) and of logit(min(words, chars, gate)) to "the tag is right";
  - a stacked tag-correctness LR on [logit words, logit chars, logit gate_w, logit gate_c, pattern].
Outer scores come from oof.npz (readers trained on the whole outer training part). Adds nested_* and
conf_* arrays to oof.npz. Train split only. Run after replica.py.
"""
import sys, time
from pathlib import Path
import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE)); sys.path.insert(0, str(HERE.parent))
import common as C      # noqa: E402
import replica as R     # noqa: E402
import analyse as AN    # noqa: E402  (decision rule; loads oof.npz)

GW = [0.001, 0.003, 0.01, 0.03, 0.1]
GC = [0.0001, 0.0003, 0.001]

def logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6); return np.log(p / (1 - p))

def logloss(p, y):
    p = np.clip(p, 1e-9, 1 - 1e-9); return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

def main():
    t0 = time.time()
    B = R.build(); D = dict(np.load(HERE / "oof.npz"))
    recs, Y, anyp, fold = B["recs"], B["Y"], B["anyp"], B["fold"]
    N = len(recs)
    T4 = np.column_stack([Y, anyp])
    nested_gw = np.zeros((N, 1)); nested_gc = np.zeros((N, 1))
    conf = {k: np.zeros((N, 3)) for k in ["conf_platt_min", "conf_platt_min_gate", "conf_stacked"]}
    log = []
    for k in range(5):
        tr = np.where(fold != k)[0]; te = np.where(fold == k)[0]
        inner = C.folds_of([recs[i] for i in tr])
        I = {name: np.zeros((len(tr), 4 if name in ("w", "c") else 1)) for name in
             ["w", "c"] + [f"gw{l}" for l in GW if l != 0.003] + [f"gc{l}" for l in GC if l != 0.0001]}
        NETI = np.zeros((len(tr), 3))
        for f in range(5):
            itr, ite = tr[inner != f], tr[inner == f]; pos = np.where(inner == f)[0]
            P, NET = R.fit_predict(B, "w", itr, ite, T4, None, R.WORD_OPTS); I["w"][pos] = P; NETI[pos] = NET[:, :3]
            P, _ = R.fit_predict(B, "c", itr, ite, T4, None, R.CHAR_OPTS); I["c"][pos] = P
            for l in GW:
                if l != 0.003:
                    I[f"gw{l}"][pos] = R.fit_predict(B, "w", itr, ite, anyp[:, None], None, dict(R.WORD_OPTS, l2=l))[0]
            for l in GC:
                if l != 0.0001:
                    I[f"gc{l}"][pos] = R.fit_predict(B, "c", itr, ite, anyp[:, None], None, dict(R.CHAR_OPTS, l2=l))[0]
        print(f"fold {k}: inner scores ({time.time()-t0:.0f}s)", flush=True)
        gw = {0.003: I["w"][:, 3:4], **{l: I[f"gw{l}"] for l in GW if l != 0.003}}
        gc = {0.0001: I["c"][:, 3:4], **{l: I[f"gc{l}"] for l in GC if l != 0.0001}}
        y = anyp[tr]
        lw = {l: logloss(gw[l][:, 0], y) for l in GW}; lc = {l: logloss(gc[l][:, 0], y) for l in GC}
        bw = min(lw, key=lw.get); bc = min(lc, key=lc.get)
        log.append(f"fold {k}: gate_w inner log loss " + ", ".join(f"{l}: {v:.4f}" for l, v in lw.items()) + f" -> {bw}; "
                   "gate_c " + ", ".join(f"{l}: {v:.4f}" for l, v in lc.items()) + f" -> {bc}")
        nested_gw[te] = D[f"gate_w_l2={bw}"][te]; nested_gc[te] = D[f"gate_c_l2={bc}"][te]
        # tag-correctness maps fitted on the inner assigned tags
        Wi, Ci = I["w"][:, :3], I["c"][:, :3]
        Ai = AN.decide(Wi, Ci, NETI)
        ii, jj = np.where(Ai); right = (Y[tr][ii, jj] == 1).astype(int)
        gwi = np.broadcast_to(gw[0.003], Wi.shape); gci = np.broadcast_to(gc[0.0001], Wi.shape)
        Wo, Co = D["words"][te], D["chars"][te]
        gwo = np.broadcast_to(D["gate_w_l2=0.003"][te], Wo.shape); gco = np.broadcast_to(D["gate_c_l2=0.0001"][te], Wo.shape)
        pat = lambda j: np.eye(3)[j]
        def fit_apply(name, feats_in, feats_out, Cr=1.0):
            m = LogisticRegression(C=Cr, max_iter=2000).fit(feats_in, right)
            conf[name][te] = m.predict_proba(feats_out.reshape(-1, feats_out.shape[-1]))[:, 1].reshape(len(te), 3)
            return m
        mn_i = np.minimum(Wi, Ci)[ii, jj]; mn_o = np.minimum(Wo, Co)
        fit_apply("conf_platt_min", logit(mn_i)[:, None], logit(mn_o)[..., None], 1e6)
        mg_i = np.minimum(mn_i, gwi[ii, jj]); mg_o = np.minimum(mn_o, gwo)
        fit_apply("conf_platt_min_gate", logit(mg_i)[:, None], logit(mg_o)[..., None], 1e6)
        fin = np.column_stack([logit(Wi[ii, jj]), logit(Ci[ii, jj]), logit(gwi[ii, jj]), logit(gci[ii, jj]), pat(jj)])
        fout = np.stack([np.column_stack([logit(Wo[:, j]), logit(Co[:, j]), logit(gwo[:, j]), logit(gco[:, j]),
                                          np.tile(pat(j), (len(te), 1))]) for j in range(3)], 1)
        m = fit_apply("conf_stacked", fin, fout, 1.0)
        log.append(f"fold {k}: inner tags {len(ii)} ({right.sum()} right); stacked coef " + " ".join(f"{c:+.2f}" for c in m.coef_[0]))
    D.update(nested_gate_w=nested_gw, nested_gate_c=nested_gc, **conf)
    np.savez(HERE / "oof.npz", **D)
    (HERE / "nested.log").write_text("\n".join(log) + "\n")
    print("\n".join(log))

if __name__ == "__main__":
    main()
