"""Ensembles of saved OOF scores + paired bootstrap of macro-F1 differences vs the baseline A6."""
import sys, csv, numpy as np, common as C
recs = C.load(); Y = C.Y_of(recs); fold = C.folds_of(recs)
TH = [0.3, 0.5, 0.3]
def ens(ms, w=None): return np.average([np.load(f"oof/{m}.npy") for m in ms], axis=0, weights=w)
combos = {
 "G1 ens avg(A6,B1)": ["A6", "B1"], "G2 ens avg(E1,B2)": ["E1", "B2"], "G3 ens avg(E1,B1,F3)": ["E1", "B1", "F3"],
 "G4 ens avg(E1,B1,D2)": ["E1", "B1", "D2"], "G5 ens avg(E1,B1,F2)": ["E1", "B1", "F2"], "G6 ens avg(F6,B1)": ["F6", "B1"],
 "G7 ens avg(E1,B1,C4)": ["E1", "B1", "C4"], "G8 ens avg(F4,B1)": ["F4", "B1"],
}
base = np.load("oof/A6.npy")
rng = np.random.default_rng(0); boots = [rng.integers(0, len(recs), len(recs)) for _ in range(500)]
def boot(P, Q):
    d = [C.score(P[b], Y[b], TH)["macro"] - C.score(Q[b], Y[b], TH)["macro"] for b in boots]
    return np.mean(d), np.percentile(d, 2.5), np.percentile(d, 97.5)
def perfold(P, Q):
    return [round(C.score(P[fold == k], Y[fold == k], TH)["macro"] - C.score(Q[fold == k], Y[fold == k], TH)["macro"], 3) for k in range(5)]
for name, ms in combos.items():
    P = ens(ms); np.save(f"oof/{name.split()[0]}.npy", P)
    row = C.report(name, P, Y, fold)
    with open("results.tsv", "a") as f:
        csv.DictWriter(f, fieldnames=list(row), delimiter="\t").writerow({a: (f"{v:.4f}" if isinstance(v, float) else v) for a, v in row.items()})
for n in sys.argv[1:] or ["E1", "B3", "C3", "E2", "F1", "F7", "G3"]:
    P = np.load(f"oof/{n}.npy"); m, lo, hi = boot(P, base)
    print(f"{n} - A6 at .3/.5/.3: {m:+.3f} [95% {lo:+.3f},{hi:+.3f}] per-fold {perfold(P, base)}")
