"""Does an e5 reader help the word + character tagger on a collection it never saw?

Training split only: records come from ../tagger-experiments/confidence/replica.build() -> common.load(),
which drops every case whose split.tsv value is `test` before any text or label is read. The e5 vectors
(loco_embed.py) were computed for the training split only. No UseCaseData file is read.

Readers (one model per pattern, P1/P2/P3):
  W   replica word reader (words, phrases, cues, actors; actor-less copies; l2 .003, 1500 steps, lr .5)
      actors from organisation_type via ORGANISATION_TYPES, as ../tagger-experiments/generalise/gen.py
  CH  replica character reader (char_wb 2..5; l2 .0001, 600 steps, lr 15)
  E   sklearn LogisticRegression on standardised e5 vectors ("query: " + title + ". " + description);
      C per pattern from {0.003, 0.01, 0.03, 0.1} by lowest Brier score on inner out-of-fold scores of the
      training part only
Variants: base = mean(W, CH); plus = mean(W, CH, E). Decision = TagSettings::decide (thresholds .25/.5/.25,
none_below .35, min-evidence: the word reader's net logit > .5). Confidence: min of the readers' probabilities
for that pattern (base min(W, CH); plus min(W, CH, E)); no gate.
Protocols: pooled 5-fold CV (common.folds_of) and leave-one-collection-out for ips, org, fai, dgf, cfd
(aiw and demo always on the training side), plus the five LOCO predictions pooled.
Paired bootstrap over the test cases of each protocol, 1000 draws, numpy default_rng(20261206).

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 /tmp/e5venv/bin/python loco.py > loco.log
"""
import json, re, sys, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
TE = HERE.parent / "tagger-experiments"
sys.path.insert(0, str(TE)); sys.path.insert(0, str(TE / "confidence"))
import types  # noqa: E402
# common.py unchanged except one path: its stop words moved from ingest/src/enrich/tag/features.rs to
# ingest/src/language.rs (same `fn stop_words` / `Self::En => &[...]` layout); patched in memory.
_src = (TE / "common.py").read_text().replace('"ingest/src/enrich/tag/features.rs"', '"ingest/src/language.rs"')
assert '"ingest/src/language.rs"' in _src
C = types.ModuleType("common"); C.__file__ = str(TE / "common.py")
exec(compile(_src, str(TE / "common.py"), "exec"), C.__dict__)
sys.modules["common"] = C
from sklearn.linear_model import LogisticRegression   # noqa: E402
from sklearn.metrics import roc_auc_score   # noqa: E402

np.seterr(over="ignore")
PATS = ["P1", "P2", "P3"]; LABELS = PATS + ["NONE"]
TH = np.array([0.25, 0.5, 0.25]); NONE_BELOW = 0.35; MIN_EVIDENCE = 0.5
CGRID = [0.003, 0.01, 0.03, 0.1]

# actors from organisation_type (gen.py's fix: cases.json no longer carries `actors`)
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
import replica as R         # noqa: E402

t0 = time.time()
B = R.build()
recs = B["recs"]; N = len(recs); Y = B["Y"].astype(int); FOLD = B["fold"]
COLL = np.array([r["id"].split(":")[0] for r in recs])
ids = [r["id"] for r in recs]
EMB = None
# --emb=NAME: the e5 reader reads loco_emb_NAME.npy (short texts, loco_embed_short.py) instead of the full text
EMB_NAME = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--emb=")), "query")
if "wc" not in sys.argv[1:]:
    assert json.load(open(HERE / "loco_emb_ids.json")) == ids, "embedding ids differ from the records"
    EMB = np.load(HERE / f"loco_emb_{EMB_NAME}.npy").astype(np.float64)
    print(f"e5 vectors: loco_emb_{EMB_NAME}.npy", flush=True)
print(f"{N} training cases; by collection {dict(zip(*np.unique(COLL, return_counts=True)))}; "
      f"with an actor {int(B['has_actor'].sum())}; words {B['Xw'].shape} chars {B['Xc'].shape}  ({time.time()-t0:.0f}s)", flush=True)

HELD = ["ips", "org", "fai", "dgf", "cfd"]
SPLITS = {"pooled": [(np.where(FOLD != f)[0], np.where(FOLD == f)[0]) for f in range(5)]}
for c in HELD:
    SPLITS["loco-" + c] = [(np.where(COLL != c)[0], np.where(COLL == c)[0])]

def e5_fit_predict(tr, te, Cc):
    mu = EMB[tr].mean(0); sd = EMB[tr].std(0) + 1e-8
    A = (EMB[tr] - mu) / sd; Bt = (EMB[te] - mu) / sd
    return np.column_stack([LogisticRegression(C=Cc[j], max_iter=5000).fit(A, Y[tr, j]).predict_proba(Bt)[:, 1]
                            for j in range(3)])

def e5_choose_C(tr):
    """Per pattern, the C with the lowest Brier score on inner out-of-fold scores of tr (inner folds: the
    replica's fold ids restricted to tr, so 4 inner folds in pooled CV and 5 in LOCO)."""
    inner = FOLD[tr]
    brier = np.zeros((len(CGRID), 3))
    for g, Cc in enumerate(CGRID):
        P = np.zeros((len(tr), 3))
        for f in np.unique(inner):
            a = tr[inner != f]; b = np.where(inner == f)[0]
            P[b] = e5_fit_predict(a, tr[b], [Cc] * 3)
        brier[g] = ((P - Y[tr]) ** 2).mean(0)
    return [CGRID[i] for i in brier.argmin(0)]

WC_CACHE = HERE / "loco_wc.npz"; E_CACHE = HERE / "loco_e.npz"; RESULTS = HERE / "loco_results.json"

# --prodlike (sensitivity check, not the main comparison): two of production's differences from the
# replica put back: the word reader also learns each case once more from its non-word features only
# (cue:, actor:; train.rs `rules_only`), and the character reader's l2 is 0.00003 (TrainOptions::characters).
PRODLIKE = "--prodlike" in sys.argv
if PRODLIKE:
    WC_CACHE = HERE / "loco_wc_prodlike.npz"; RESULTS = HERE / "loco_results_prodlike.json"
    R.CHAR_OPTS = dict(R.CHAR_OPTS, l2=0.00003)
    import scipy.sparse as sp
    _wf = [R.word_features(r) for r in recs]
    _na = [{k: v for k, v in d.items() if not k.startswith("actor:")} for d in _wf]
    _ro = [{k: v for k, v in d.items() if not k.startswith(("word:", "phrase:"))} for d in _wf]
    _X, _ = R.to_matrix(_wf + _na + _ro)
    XW, XNA, XRO = _X[:N].tocsr(), _X[N:2 * N].tocsr(), _X[2 * N:].tocsr()
    HAS_RO = np.array([bool(d) for d in _ro])
    print(f"prodlike: char l2 {R.CHAR_OPTS['l2']}; cases with a rules-only copy {int(HAS_RO.sum())}", flush=True)
    _fit = R.fit_predict
    def _fit_prodlike(B_, kind, tr, te, T, filt, opts):
        if kind != "w":
            return _fit(B_, kind, tr, te, T, filt, opts)
        keep = np.where((XW[tr] != 0).sum(0).A1 >= 2)[0]
        trd = tr[B_["has_actor"][tr]]; trr = tr[HAS_RO[tr]]
        Xtr = sp.vstack([XW[tr], XNA[trd], XRO[trr]]).tocsr()[:, keep]
        W, b = R.descend(Xtr, np.vstack([T[tr], T[trd], T[trr]]), **opts)
        L = XW[te][:, keep] @ W + b
        return 1 / (1 + np.exp(-L)), L - b
    R.fit_predict = _fit_prodlike
if EMB_NAME != "query":
    E_CACHE = HERE / f"loco_e_{EMB_NAME}.npz"; RESULTS = RESULTS.with_name(RESULTS.stem + f"_{EMB_NAME}.json")
def wc_readers():
    """Word and character readers for every split (no embeddings needed); cached."""
    if WC_CACHE.exists():
        return dict(np.load(WC_CACHE))
    out = {}
    for split, parts in SPLITS.items():
        W = np.full((N, 3), np.nan); NET = W.copy(); CH = W.copy()
        for tr, te in parts:
            t = time.time()
            W[te], NET[te] = R.fit_predict(B, "w", tr, te, B["Y"], None, R.WORD_OPTS); tw = time.time() - t
            CH[te], _ = R.fit_predict(B, "c", tr, te, B["Y"], None, R.CHAR_OPTS); tc = time.time() - t - tw
            print(f"  {split:9s} train {len(tr)} test {len(te)}: W {tw:.0f}s CH {tc:.0f}s", flush=True)
        out.update({f"{split}/W": W, f"{split}/NET": NET, f"{split}/CH": CH})
    np.savez_compressed(WC_CACHE, **out)
    return out

def e_readers():
    if E_CACHE.exists():
        return dict(np.load(E_CACHE))
    out = {}; chosen = {}
    for split, parts in SPLITS.items():
        E = np.full((N, 3), np.nan)
        for tr, te in parts:
            t = time.time()
            Cc = e5_choose_C(tr); chosen.setdefault(split, []).append(Cc)
            E[te] = e5_fit_predict(tr, te, Cc)
            print(f"  {split:9s} E {time.time()-t:.0f}s (C per pattern {Cc})", flush=True)
        out[f"{split}/E"] = E
    out["chosen_C"] = np.array(json.dumps(chosen))
    np.savez_compressed(E_CACHE, **out)
    return out

def readers():
    return {**wc_readers(), **e_readers()}

def decide(S, NET):
    """TagSettings::decide: passing scores with evidence, else the best evidenced one if >= none_below."""
    ev = NET > MIN_EVIDENCE
    A = ev & (S >= TH)
    for i in np.where(~A.any(1))[0]:
        cand = np.where(ev[i])[0]
        if len(cand):
            j = cand[np.argmax(S[i, cand])]
            if S[i, j] >= NONE_BELOW:
                A[i, j] = True
    return A

def per_case(A, Yr):
    Yb = Yr.astype(bool); pn = ~A.any(1); yn = ~Yb.any(1)
    P = np.column_stack([A, pn]); T = np.column_stack([Yb, yn])
    return np.stack([P & T, P & ~T, ~P & T], 2).astype(float)      # (n, 4, 3) TP/FP/FN

def f1s(cnt):
    return 2 * cnt[..., 0] / np.maximum(2 * cnt[..., 0] + cnt[..., 1] + cnt[..., 2], 1)

def evaluate(R_, rows):
    W, NET, CH, E = (R_[k][rows] for k in ("W", "NET", "CH", "E"))
    Yr = Y[rows]; res = {}
    for name, S, CONF in [("base", (W + CH) / 2, np.minimum(W, CH)),
                          ("plus", (W + CH + E) / 3, np.minimum(np.minimum(W, CH), E)),
                          ("E alone", E, E), ("W alone", W, W), ("CH alone", CH, CH)]:
        A = decide(S, NET) if name != "E alone" else decide(S, np.full_like(S, 9.0))
        cnt = per_case(A, Yr)
        hi = A & (CONF >= 0.8)
        auc = [float(roc_auc_score(Yr[:, j], S[:, j])) if 0 < Yr[:, j].sum() < len(Yr) else float("nan") for j in range(3)]
        res[name] = dict(cnt=cnt, f1=f1s(cnt.sum(0)), right=(hi & (Yr == 1)).sum(1).astype(float),
                         tags=hi.sum(1).astype(float), ntags=int(A.sum()), auc=auc)
    return res

def main():
    RD = readers()
    print(f"readers ready ({time.time()-t0:.0f}s); chosen C per split/part/pattern: {RD['chosen_C']}", flush=True)
    protocols = {}
    for split in SPLITS:
        rd = {k: RD[f"{split}/{k}"] for k in ("W", "NET", "CH", "E")}
        rows = ~np.isnan(rd["W"][:, 0])
        protocols[split] = (rd, rows)
    # the five held-out collections' predictions together
    rd = {k: np.full((N, 3), np.nan) for k in ("W", "NET", "CH", "E")}
    for c in HELD:
        m = COLL == c
        for k in rd:
            rd[k][m] = RD[f"loco-{c}/{k}"][m]
    protocols["loco-pooled"] = (rd, ~np.isnan(rd["W"][:, 0]))
    # the same cases (ips+org+fai+dgf+cfd) in the pooled CV, for a like-for-like comparison
    rdp = protocols["pooled"][0]
    protocols["pooled (same cases)"] = (rdp, np.isin(COLL, HELD))

    rng = np.random.default_rng(20261206)
    out = {}
    for split, (rd, rows) in protocols.items():
        res = evaluate(rd, rows)
        n = int(rows.sum())
        BM = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(1000)]).astype(float)
        def macro_b(r):
            return f1s(np.einsum("dn,nlk->dlk", BM, r["cnt"])).mean(1)
        def prec_b(r):
            return (BM @ r["right"]) / np.maximum(BM @ r["tags"], 1)
        b, p = res["base"], res["plus"]
        dm = macro_b(p) - macro_b(b); dp = prec_b(p) - prec_b(b)
        prec = lambda r: r["right"].sum() / max(r["tags"].sum(), 1)
        row = dict(n=n)
        for name, r in res.items():
            row[name] = dict(macro=float(r["f1"].mean()), f1=dict(zip(LABELS, map(float, r["f1"]))),
                             hi_right=int(r["right"].sum()), hi_tags=int(r["tags"].sum()), tags=r["ntags"], auc=r["auc"])
        row["dmacro"] = [float(p["f1"].mean() - b["f1"].mean()), *map(float, np.percentile(dm, [2.5, 97.5]))]
        row["dprec"] = [float(prec(p) - prec(b)), *map(float, np.percentile(dp, [2.5, 97.5]))]
        row["dmacro_share_pos"] = float((dm > 0).mean())
        out[split] = row
        print(f"\n== {split} (n={n})", flush=True)
        for name in res:
            x = row[name]; f = x["f1"]
            print(f"  {name:9s} macro {x['macro']:.4f} [P1 {f['P1']:.3f} P2 {f['P2']:.3f} P3 {f['P3']:.3f} "
                  f"N {f['NONE']:.3f}] AUC {'/'.join(f'{a:.3f}' for a in x['auc'])} tags {x['tags']}  >=.8 {x['hi_right']}/{x['hi_tags']}"
                  + (f" = {x['hi_right']/x['hi_tags']:.3f}" if x["hi_tags"] else ""), flush=True)
        print(f"  plus-base macro {row['dmacro'][0]:+.4f} [{row['dmacro'][1]:+.4f}, {row['dmacro'][2]:+.4f}] "
              f"(share of draws > 0: {row['dmacro_share_pos']:.3f}); prec>=.8 {row['dprec'][0]:+.4f} "
              f"[{row['dprec'][1]:+.4f}, {row['dprec'][2]:+.4f}]", flush=True)
    out["chosen_C"] = json.loads(str(RD["chosen_C"]))
    json.dump(out, open(RESULTS, "w"), indent=1)
    print(f"\ntotal {time.time()-t0:.0f}s")

if __name__ == "__main__":
    if "wc" in sys.argv[1:]:
        wc_readers()
    else:
        main()
