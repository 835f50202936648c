"""Do training-time changes to the production tagger generalise across collections?

Train split only: records come from replica.build() -> common.load(), which drops every case whose
split.tsv value is `test` before any text is read. No UseCaseData file is read.

Protocols
  pooled : 5-fold CV with common.folds_of, exactly as ../confidence/replica.py
  loco-ips: train on every training case outside ips: (org+aiw+demo), test on the training ips: cases
  loco-org: train on every training case outside org: (ips+aiw+demo), test on the training org: cases

Variants (the decision rule TagSettings::decide is production's unless stated)
  V0   production replica (unweighted)
  V1   per-collection label balancing for every binary classifier (3 patterns x 2 readers + 2 gates)
  V1p  (added after seeing V1) V1's weights, then each classifier's bias is moved by
       logit(unweighted positive share) - logit(weighted positive share) of its training rows, so the
       balanced classifiers keep the pooled prior (King & Zeng's prior correction); decision as production
  V2   V1's balancing for the two gate classifiers only (gate changes no decision -> same F1 as V0)
  V2d  V2 + decision change: a record whose (balanced) gate is < 0.5 gets no tag (NONE)
  V0d  control for V2d: the production (unbalanced) gate used the same way
  V3   each collection the same total weight, no label balancing
  V4a  backdoor adjustment: a one-hot of the collection is a feature of every classifier while training;
       at prediction it is replaced by the training collections' size shares (= the size-weighted mean
       collection offset folded into the bias), so no collection prior reaches a new record
  V4b  who x for-whom: word reader (and word gate) get binary features `who:A>B` = an actor cue A
       (cga: academia/civil-society/industry/public-sector) and a beneficiary or pattern cue B (cgb:*, cgp:*)
       in the same sentence

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 python gen.py > gen.log
"""
import re, sys, time, json
from pathlib import Path
import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent)); sys.path.insert(0, str(HERE.parent / "confidence"))
import common as C          # noqa: E402  (train split only)
import replica as R         # noqa: E402

PATS = ["P1", "P2", "P3"]; LABELS = PATS + ["NONE"]
TH = np.array([0.3, 0.5, 0.3]); NONE_BELOW = 0.35; MIN_EVIDENCE = 0.5
np.seterr(over="ignore")

# ---------------------------------------------------------------- data
# cases.json no longer carries `actors` (commit 292b09e): the case-study mapper says who acts from
# `organisation_type` by ORGANISATION_TYPES (ingest/src/sources/case_studies.rs), and training reads
# the cases through it. common.load() still reads `actors`, so they are put back here from that table.
_RS = (C.ROOT / "ingest/src/sources/case_studies.rs").read_text()
_TAB = _RS[_RS.index("pub const ORGANISATION_TYPES"):]
ORG_TYPES = dict(re.findall(r'\("([^"]+)", "([^"]+)"\)', _TAB[:_TAB.index("];")]))
_load = C.load
def _load_with_actors():
    recs = _load()
    for r in recs:
        a = ORG_TYPES.get(r["orgtype"] or "")
        r["actors"] = [a] if a else []
    return recs
C.load = _load_with_actors

t0 = time.time()
B = R.build()
recs = B["recs"]; N = len(recs)
Y = B["Y"]; ANY = B["anyp"]; FOLD = B["fold"]
COLL = np.array([r["id"].split(":")[0] for r in recs])
COLLS = sorted(set(COLL))
HAS_ACTOR = B["has_actor"]

# V4a: collection one-hot
XCOLL = sp.csr_matrix(np.array([[c == k for k in COLLS] for c in COLL], dtype=float))

# V4b: who x for-whom pairs, same-sentence co-occurrence of cue concepts
ACT = [(l, s) for l, s in R.CUES if l in ("academia", "civil-society", "industry", "public-sector")]
OTHER = [(l, s) for l, s in R.CUES if (l, s) not in ACT]
SENT = re.compile(r"(?<=[.!?;:])\s+|\n+")

def pair_features(rec):
    f = {}
    for text in rec["texts"]:
        lang = R.language(text)
        for sent in SENT.split(text):
            ws = R.words_in(sent, lang) + [""]
            hit = lambda seqs: any(R.count_seq(ws, s) for cl, s in seqs if cl == lang or cl == "en")
            acts = [a for a, seqs in ACT if hit(seqs)]
            if not acts:
                continue
            oth = [o for o, seqs in OTHER if hit(seqs)]
            for a in acts:
                for o in oth:
                    if o != a:
                        f[f"who:{a}>{o}"] = 1.0
    return f

PF = [pair_features(r) for r in recs]
XPAIR, PAIR_NAMES = R.to_matrix(PF)
print(f"features: words {B['Xw'].shape} chars {B['Xc'].shape} pairs {XPAIR.shape} "
      f"(cases with a pair: {int((XPAIR.sum(1).A1 > 0).sum())})  {time.time()-t0:.0f}s", flush=True)

# ---------------------------------------------------------------- training
def descend_w(X, T, Wt, l2, iterations, lr):
    """train.rs descend with sample weights: GD on the weighted mean log loss sum(w l)/sum(w) + l2/2 |w|^2.
    Wt has one column per target, each scaled to mean 1, so Wt = 1 is exactly production."""
    n = X.shape[0]
    Wt = Wt / Wt.mean(0, keepdims=True)
    W = np.zeros((X.shape[1], T.shape[1])); b = np.zeros(T.shape[1])
    XT = X.T.tocsr()
    for _ in range(iterations):
        E = (1.0 / (1.0 + np.exp(-(X @ W + b))) - T) * Wt
        b -= lr * E.sum(0) / n
        W -= lr * (XT @ E / n + l2 * W)
    return W, b

def weights(T, tr, scheme):
    """Per-case, per-target weights on the training cases tr (rows of T[tr])."""
    Tt = T[tr]; k = Tt.shape[1]; c = COLL[tr]
    Wt = np.ones((len(tr), k))
    if scheme == "none":
        return Wt
    if scheme in ("label", "label+prior"):   # V1: within each collection, positives and negatives each n_c / 2
        for col in np.unique(c):
            m = c == col; nc = m.sum()
            for j in range(k):
                pos = m & (Tt[:, j] == 1); neg = m & (Tt[:, j] == 0)
                if pos.sum() and neg.sum():            # a collection with one class only keeps weight 1
                    Wt[pos, j] = nc / (2 * pos.sum()); Wt[neg, j] = nc / (2 * neg.sum())
        return Wt
    if scheme == "coll":           # V3: every collection total weight n / K
        cols, cnt = np.unique(c, return_counts=True)
        share = dict(zip(cols, len(tr) / (len(cols) * cnt)))
        return np.repeat(np.array([share[x] for x in c])[:, None], k, 1)
    raise ValueError(scheme)

def fit_predict(kind, tr, te, T, scheme, extra):
    """One reader (all columns of T at once) trained on cases tr as train.rs does; probabilities and net
    logits of te. Word reader: a case with an actor is learnt a second time without its actor features
    (the copy keeps the case's weights)."""
    opts = R.WORD_OPTS if kind == "w" else R.CHAR_OPTS
    if kind == "w":
        X, Xna = B["Xw"], B["Xw_na"]
        if extra == "pairs":
            X = sp.hstack([X, XPAIR]).tocsr(); Xna = sp.hstack([Xna, XPAIR]).tocsr()
        trd = tr[HAS_ACTOR[tr]]
    else:
        X = Xna = B["Xc"]; trd = tr[:0]
    df = (X[tr] != 0).sum(0).A1
    keep = np.where(df >= 2)[0]                       # min_cases 2, counted on the distinct training cases
    rows = np.concatenate([tr, trd])
    Xtr = sp.vstack([X[tr], Xna[trd]]).tocsr()[:, keep]; Xte = X[te][:, keep]
    Wt = weights(T, tr, scheme); Wt = np.vstack([Wt, Wt[np.searchsorted(tr, trd)]])
    ncoll = 0
    if extra == "backdoor":
        present = [j for j, k in enumerate(COLLS) if (COLL[tr] == k).any()]
        Xtr = sp.hstack([Xtr, XCOLL[rows][:, present]]).tocsr()
        share = np.array([(COLL[tr] == COLLS[j]).mean() for j in present])
        Xte = sp.hstack([Xte, sp.csr_matrix(np.repeat(share[None, :], len(te), 0))]).tocsr()
        ncoll = len(present)
    W, b = descend_w(Xtr, T[rows], Wt, **opts)
    if scheme == "label+prior":   # V1p: move each bias from the weighted training prior back to the unweighted one
        logit = lambda p: np.log(p / (1 - p))
        Wn = Wt / Wt.mean(0, keepdims=True)
        b = b + logit(T[rows].mean(0)) - logit((Wn * T[rows]).mean(0))
    L = Xte @ W + b
    net = L - b
    if ncoll:   # the collection offset belongs to the bias (a Rust model would fold it in there)
        net = net - Xte[:, -ncoll:] @ W[-ncoll:]
    return 1 / (1 + np.exp(-L)), net

SPLITS = {"pooled": [(np.where(FOLD != f)[0], np.where(FOLD == f)[0]) for f in range(5)],
          "loco-ips": [(np.where(COLL != "ips")[0], np.where(COLL == "ips")[0])],
          "loco-org": [(np.where(COLL != "org")[0], np.where(COLL == "org")[0])]}

CACHE = {}
def reader(name, split, scheme, extra):
    key = (name, split, scheme, extra)
    if key not in CACHE:
        kind, T = {"words": ("w", Y), "chars": ("c", Y), "gate_w": ("w", ANY[:, None]), "gate_c": ("c", ANY[:, None])}[name]
        if extra == "pairs" and kind == "c":
            return reader(name, split, scheme, None)
        P = np.full((N, T.shape[1]), np.nan); NET = np.full((N, T.shape[1]), np.nan)
        for tr, te in SPLITS[split]:
            P[te], NET[te] = fit_predict(kind, tr, te, T, scheme, extra)
        CACHE[key] = (P, NET)
    return CACHE[key]

# variant -> (scheme of pattern readers, scheme of gates, extra features, gate veto in the decision)
VARIANTS = {
    "V0":  ("none", "none", None, False),
    "V1":  ("label", "label", None, False),
    "V1p": ("label+prior", "label+prior", None, False),
    "V2":  ("none", "label", None, False),
    "V2d": ("none", "label", None, True),
    "V0d": ("none", "none", None, True),
    "V3":  ("coll", "coll", None, False),
    "V4a": ("none", "none", "backdoor", False),
    "V4b": ("none", "none", "pairs", False),
}

def decide(S, NET, gate=None):
    """TagSettings::decide on the mean of the two readers (min-evidence on the word reader's net logit)."""
    ev = NET > MIN_EVIDENCE
    A = ev & (S >= TH)
    for i in np.where(~A.any(1))[0]:
        cand = np.where(ev[i])[0]
        if len(cand):
            j = cand[np.argmax(S[i, cand])]
            if S[i, j] >= NONE_BELOW:
                A[i, j] = True
    if gate is not None:
        A[gate < 0.5] = False
    return A

def run(variant, split):
    ps, gs, extra, veto = VARIANTS[variant]
    W, NET = reader("words", split, ps, extra)
    CH, _ = reader("chars", split, ps, extra)
    GW, _ = reader("gate_w", split, gs, extra)
    GC, _ = reader("gate_c", split, gs, extra)
    rows = ~np.isnan(W[:, 0])
    G = ((GW + GC) / 2)[:, 0]
    A = np.zeros((N, 3), bool)
    A[rows] = decide((W[rows] + CH[rows]) / 2, NET[rows], G[rows] if veto else None)
    CONF = np.minimum(np.minimum(W, CH), G[:, None])
    S = (W + CH) / 2
    OOF[f"{split}/{variant}/score"] = S; OOF[f"{split}/{variant}/gate"] = G
    return rows, A, CONF, S, G

# ---------------------------------------------------------------- scoring
def per_case_counts(A, rows):
    """(n, 4 labels, 3) TP/FP/FN per case, and per-case right/assigned counts of tags with confidence >= .8."""
    Yb = Y[rows].astype(bool); Ar = A[rows]
    pn = ~Ar.any(1); yn = ~Yb.any(1)
    P = np.column_stack([Ar, pn]); T = np.column_stack([Yb, yn])
    return np.stack([P & T, P & ~T, ~P & T], 2).astype(float)

def f1s(cnt):   # cnt (4, 3) summed
    return 2 * cnt[:, 0] / np.maximum(2 * cnt[:, 0] + cnt[:, 1] + cnt[:, 2], 1)

def hi_counts(A, CONF, rows, t=0.8):
    m = A[rows] & (CONF[rows] >= t)
    right = (m & (Y[rows] == 1)).sum(1).astype(float)
    return right, m.sum(1).astype(float)

RNG = np.random.default_rng(20240601)
def boot_matrix(n, draws=1000):
    return np.stack([np.bincount(RNG.integers(0, n, n), minlength=n) for _ in range(draws)]).astype(float)

def auc(s, y):
    """Threshold-free ranking quality (Mann-Whitney)."""
    from scipy.stats import rankdata
    y = y.astype(bool); npos = y.sum(); nneg = len(y) - npos
    if not npos or not nneg:
        return float("nan")
    return float((rankdata(s)[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))

OOF = {}
RESULTS = {}
def evaluate(variant, split):
    rows, A, CONF, S, G = run(variant, split)
    cnt = per_case_counts(A, rows)
    f = f1s(cnt.sum(0))
    r, a = hi_counts(A, CONF, rows)
    res = dict(rows=rows, cnt=cnt, f1=f, macro=float(f.mean()), right=r, tags=a,
               tp_fp_fn=cnt.sum(0).astype(int).tolist())
    res["auc"] = [auc(S[rows, j], Y[rows, j]) for j in range(3)] + [auc(-G[rows], ANY[rows] == 0)]
    # per collection inside the pooled CV
    res["by_coll"] = {}
    for c in ["ips", "org"]:
        m = COLL[rows] == c
        if m.any():
            fc = f1s(cnt[m].sum(0)); res["by_coll"][c] = (float(fc.mean()), fc.tolist(), int(r[m].sum()), int(a[m].sum()))
    RESULTS[(variant, split)] = res
    return res

def fmt_prec(k, n):
    return f"{int(k)}/{int(n)} = {k / n:.3f}" if n else "0/0"

def main():
    out = {}
    for split in SPLITS:
        BM = None
        for v in VARIANTS:
            t = time.time()
            res = evaluate(v, split)
            base = RESULTS[("V0", split)]
            if BM is None:
                BM = boot_matrix(int(res["rows"].sum()))
            # paired bootstrap over cases: macro-F1 difference and >= .8 precision difference vs V0
            mv = f1s_b(BM, res["cnt"]); m0 = f1s_b(BM, base["cnt"])
            d = mv - m0
            pv = (BM @ res["right"]) / np.maximum(BM @ res["tags"], 1); p0 = (BM @ base["right"]) / np.maximum(BM @ base["tags"], 1)
            dp = pv - p0
            res["dmacro"] = (res["macro"] - base["macro"], *np.percentile(d, [2.5, 97.5]))
            res["dprec"] = ((res["right"].sum() / max(res["tags"].sum(), 1)) - (base["right"].sum() / max(base["tags"].sum(), 1)),
                            *np.percentile(dp, [2.5, 97.5]))
            f = res["f1"]
            bc = " ".join(f"{c}: macro {m:.3f} [P1 {x[0]:.3f} P2 {x[1]:.3f} P3 {x[2]:.3f} N {x[3]:.3f}] hi {k}/{n}"
                          for c, (m, x, k, n) in res["by_coll"].items()) if split == "pooled" else ""
            print(f"{split:8s} {v:4s} macro {res['macro']:.4f} [P1 {f[0]:.3f} P2 {f[1]:.3f} P3 {f[2]:.3f} N {f[3]:.3f}] "
                  f">=.8 {fmt_prec(res['right'].sum(), res['tags'].sum())}  "
                  f"dmacro {res['dmacro'][0]:+.4f} [{res['dmacro'][1]:+.4f}, {res['dmacro'][2]:+.4f}]  "
                  f"dprec {res['dprec'][0]:+.4f} [{res['dprec'][1]:+.4f}, {res['dprec'][2]:+.4f}]  "
                  f"AUC P1/P2/P3/gate {'/'.join(f'{x:.3f}' for x in res['auc'])}  "
                  f"TP/FP/FN {res['tp_fp_fn']}  ({time.time()-t:.0f}s)", flush=True)
            if bc:
                print("              " + bc, flush=True)
            out[f"{split}/{v}"] = dict(macro=res["macro"], f1=dict(zip(LABELS, map(float, f))),
                                       hi_right=int(res["right"].sum()), hi_tags=int(res["tags"].sum()),
                                       dmacro=list(map(float, res["dmacro"])), dprec=list(map(float, res["dprec"])),
                                       tp_fp_fn=dict(zip(LABELS, res["tp_fp_fn"])), auc=dict(zip(LABELS, res["auc"])),
                                       by_coll={c: dict(macro=m, f1=dict(zip(LABELS, x)), hi_right=k, hi_tags=n)
                                                for c, (m, x, k, n) in res["by_coll"].items()})
    json.dump(out, open(HERE / "results.json", "w"), indent=1)
    np.savez_compressed(HERE / "oof_gen.npz", ids=np.array([r["id"] for r in recs]), **OOF)
    print(f"total {time.time()-t0:.0f}s")

def f1s_b(BM, cnt):
    """Macro-F1 for every bootstrap draw: BM (draws, n) case multiplicities, cnt (n, 4, 3)."""
    S = np.einsum("dn,nlk->dlk", BM, cnt)
    return (2 * S[:, :, 0] / np.maximum(2 * S[:, :, 0] + S[:, :, 1] + S[:, :, 2], 1)).mean(1)

if __name__ == "__main__":
    main()
