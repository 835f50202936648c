"""Shared loading, tokenising, folds and scoring for the tagger experiments.
Only cases whose split is "train" are ever loaded: test cases are dropped right after split.tsv."""
import csv, hashlib, json, re, unicodedata
from collections import defaultdict
from pathlib import Path
import numpy as np
import snowballstemmer

ROOT = Path("/work/main")
TAG = ROOT / "datasets/tagger"
PATS = ["P1", "P2", "P3"]
LABELS = PATS + ["NONE"]

def fold_accents(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()

# stop words copied from ingest/src/enrich/tag/features.rs
_SW_SRC = (ROOT / "ingest/src/enrich/tag/features.rs").read_text()
def _stop_lists():
    out = {}
    for lang in ["En", "Es", "De", "It", "Fr"]:
        m = re.search(r"Self::%s => &\[(.*?)\]," % lang, _SW_SRC[_SW_SRC.index("fn stop_words"):], re.S)
        out[lang.lower()] = set(re.findall(r'"([^"]*)"', m.group(1)))
    return out
STOP = _stop_lists()
ALLSTOP = set().union(*STOP.values())
STEM = {"en": snowballstemmer.stemmer("english"), "es": snowballstemmer.stemmer("spanish"),
        "de": snowballstemmer.stemmer("german"), "it": snowballstemmer.stemmer("italian"),
        "fr": snowballstemmer.stemmer("french")}
WORD = re.compile(r"[a-z0-9]+")

def lang_of(words):
    best, bn = "en", 0
    for l in ["en", "es", "de", "it", "fr"]:
        n = sum(w in STOP[l] for w in words)
        if n > bn:
            best, bn = l, n
    return best

def tokens(text):
    words = WORD.findall(fold_accents(text))
    lang = lang_of(words)
    st = STEM[lang]
    return [st.stemWord(w) for w in words if w not in ALLSTOP and len(w) > 1], lang

def load():
    split = {r["case"]: r["split"] for r in csv.DictReader(open(TAG / "split.tsv"), delimiter="\t")}
    train = {c for c, s in split.items() if s == "train"}          # test cases dropped here
    labels = {}
    for r in csv.DictReader(open(TAG / "labels.tsv"), delimiter="\t"):
        if r["case"] in train:
            p = r["patterns"].strip()
            labels[r["case"]] = set() if p == "NONE" else set(re.split(r"[ ,]+", p))
    cases = {c["id"]: c for c in json.load(open(TAG / "cases.json"))["case_studies"] if c["id"] in train}
    pool = {}
    for line in open(TAG / "pool.jsonl"):
        d = json.loads(line)
        if d["case"] in train:
            pool[d["case"]] = d
    ids = sorted(train)
    recs = []
    for i in ids:
        c = cases[i]; p = pool.get(i, {})
        text = " ".join(x for x in [c.get("title", ""), c.get("summary", ""), c.get("description", "")] if x)
        recs.append(dict(id=i, title=c.get("title", ""), text=text,
                         actors=c.get("actors") or [], orgtype=p.get("organisation_type"),
                         industry=p.get("industry"), labels=labels[i]))
    return recs

def Y_of(recs):
    return np.array([[p in r["labels"] for p in PATS] for r in recs], dtype=int)

def folds_of(recs, k=5):
    """Stratified by label set, ordered by sha256 of the id (as ingest/src/tools/tag_eval.rs)."""
    groups = defaultdict(list)
    for i, r in enumerate(recs):
        groups[" ".join(sorted(r["labels"]))].append(i)
    fold = np.zeros(len(recs), dtype=int); nxt = 0
    for key in sorted(groups):
        for i in sorted(groups[key], key=lambda i: hashlib.sha256(recs[i]["id"].encode()).hexdigest()):
            fold[i] = nxt % k; nxt += 1
    return fold

def predict_sets(P, th):
    return P >= np.asarray(th)[None, :]

def score(P, Y, th):
    pred = predict_sets(P, th)
    pn = ~pred.any(1); yn = ~Y.astype(bool).any(1)
    f = {}
    for j, l in enumerate(PATS):
        tp = (pred[:, j] & (Y[:, j] == 1)).sum(); fp = (pred[:, j] & (Y[:, j] == 0)).sum(); fn = (~pred[:, j] & (Y[:, j] == 1)).sum()
        f[l] = 2 * tp / max(2 * tp + fp + fn, 1)
    tp = (pn & yn).sum(); fp = (pn & ~yn).sum(); fn = (~pn & yn).sum()
    f["NONE"] = 2 * tp / max(2 * tp + fp + fn, 1)
    f["macro"] = float(np.mean([f[l] for l in LABELS]))
    return f

def prec_at(P, Y, t=0.8):
    m = P >= t
    return (Y[m] == 1).mean() if m.sum() else float("nan"), int(m.sum())

GRID = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]
def best_grid(P, Y):
    """Per-pattern thresholds from GRID, coordinate ascent (2 sweeps) from 0.5."""
    th = [0.5, 0.5, 0.5]
    for _ in range(2):
        for j in range(3):
            best = max(GRID, key=lambda t: score(P, Y, th[:j] + [t] + th[j + 1:])["macro"])
            th[j] = best
    return th, score(P, Y, th)

def nested_threshold_score(P, Y, fold):
    """Thresholds picked on the other folds' out-of-fold scores, applied to each fold."""
    pred_th = np.zeros_like(P)
    for k in np.unique(fold):
        th, _ = best_grid(P[fold != k], Y[fold != k])
        pred_th[fold == k] = th
    pred = P >= pred_th
    # score with per-row thresholds: reuse score via a trick (threshold 0.5 on 0/1 matrix)
    return score(pred.astype(float), Y, [0.5, 0.5, 0.5])

def cv_probs(recs, fit_predict, k=5):
    """fit_predict(train_idx, test_idx) -> probs (len(test_idx), 3)."""
    fold = folds_of(recs, k)
    P = np.zeros((len(recs), 3))
    for f in range(k):
        tr = np.where(fold != f)[0]; te = np.where(fold == f)[0]
        P[te] = fit_predict(tr, te)
    return P, fold

def report(name, P, Y, fold, notes=""):
    s5 = score(P, Y, [0.5, 0.5, 0.5]); s3 = score(P, Y, [0.3, 0.5, 0.3])
    gth, sg = best_grid(P, Y); sn = nested_threshold_score(P, Y, fold)
    pr, n8 = prec_at(P, Y)
    row = dict(variant=name, macro_05=s5["macro"], macro_353=s3["macro"],
               P1=s3["P1"], P2=s3["P2"], P3=s3["P3"], NONE=s3["NONE"],
               macro_grid=sg["macro"], grid_th="/".join(map(str, gth)), macro_nested=sn["macro"],
               prec08=pr, n08=n8, notes=notes)
    print(f"{name:38s} m@.5={s5['macro']:.3f} m@.3/.5/.3={s3['macro']:.3f} "
          f"[P1 {s3['P1']:.3f} P2 {s3['P2']:.3f} P3 {s3['P3']:.3f} N {s3['NONE']:.3f}] "
          f"grid={sg['macro']:.3f}({row['grid_th']}) nested={sn['macro']:.3f} prec@.8={pr:.3f}/{n8}", flush=True)
    return row
