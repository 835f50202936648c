"""A Python replica of the production two-reader tagger (ingest/src/enrich/tag, ingest/src/tools/train.rs),
trained by the same batch gradient descent, plus the extra readers the confidence variants need.
Train split only: records come from common.load(), which drops the test split on reading split.tsv.

Writes oof.npz: out-of-fold probabilities and word-reader net logits for every reader, 5 folds as in common.py.
Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 19 python replica.py
"""
import re, sys, time
from collections import Counter
from pathlib import Path
import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import common as C          # noqa: E402  (loads the train split only)
import features as HF       # noqa: E402  (cue terms parsed from the vocabulary .ttl files)

LANGS = ["en", "es", "de", "it", "fr"]          # Lang::ALL order
ALNUM = re.compile(r"[^\W_]+")

def fold(s):
    return C.fold_accents(s)

def language(text):
    """features.rs Featurizer::language: most stop words; ties go to English, else to the last language."""
    words = ALNUM.findall(fold(text))
    counts = [sum(w in C.STOP[l] for w in words) for l in LANGS]
    best = max(range(5), key=lambda i: (counts[i], i == 0, i))
    return "en" if counts[best] == 0 else LANGS[best]

def words_in(text, lang):
    st = C.STEM[lang]
    return [st.stemWord(w) for w in ALNUM.findall(fold(text))
            if len(w) >= 2 and not w.isdigit() and w not in C.ALLSTOP]

# cue terms: concept -> [(lang, stemmed words)], "none" left out as production does
CUES = []
for concept, terms in sorted(HF.CUES.items()):
    local = concept.split(":")[-1]
    if local == "none":
        continue
    seqs = [(l if l in LANGS else "en", words_in(t, l if l in LANGS else "en")) for l, t in terms]
    seqs = [(l, s) for l, s in seqs if s]
    if seqs:
        CUES.append((local, seqs))

def count_seq(words, needle):
    n = len(needle)
    if n == 0 or n > len(words):
        return 0
    return sum(1 for i in range(len(words) - n + 1) if words[i:i + n] == needle)

def word_features(rec):
    """features.rs Featurizer::features for a labelled case: words, phrases, cues, actors."""
    f = {}
    by_lang = {}
    for text in rec["texts"]:
        lang = language(text)
        ws = words_in(text, lang)
        for w in ws:
            f["word:" + w] = 1.0
        for a, b in zip(ws, ws[1:]):
            f["phrase:%s %s" % (a, b)] = 1.0
        by_lang.setdefault(lang, []).extend(ws + [""])
    for local, seqs in CUES:
        hits = sum(count_seq(words, s) for cl, s in seqs for tl, words in by_lang.items() if tl == cl or cl == "en")
        if hits:
            f["cue:" + local] = min(np.log2(1.0 + hits), 3.0)
    for a in rec["actors"]:
        f["actor:" + a] = 1.0
    return f

def char_features(rec):
    """features.rs character_grams: char_wb 2..5 of folded words, weight 1+ln(count), unit length."""
    cnt = Counter()
    for text in rec["texts"]:
        for w in fold(text).split():
            p = " " + w + " "
            for n in range(2, 6):
                for i in range(len(p) - n + 1):
                    cnt[p[i:i + n]] += 1
    if not cnt:
        return {}
    wts = {g: 1.0 + np.log(c) for g, c in cnt.items()}
    norm = np.sqrt(sum(v * v for v in wts.values()))
    return {g: v / norm for g, v in wts.items()}

def to_matrix(dicts):
    vocab = {}
    rows, cols, vals = [], [], []
    for i, d in enumerate(dicts):
        for k, v in d.items():
            j = vocab.setdefault(k, len(vocab))
            rows.append(i); cols.append(j); vals.append(v)
    X = sp.csr_matrix((vals, (rows, cols)), shape=(len(dicts), len(vocab)))
    names = [None] * len(vocab)
    for k, j in vocab.items():
        names[j] = k
    return X, names

def descend(X, Yt, l2, iterations, lr):
    """train.rs descend: batch GD on mean log loss + l2/2 |w|^2 (bias not penalised), all targets at once."""
    n = X.shape[0]
    W = np.zeros((X.shape[1], Yt.shape[1])); b = np.zeros(Yt.shape[1])
    XT = X.T.tocsr()
    for _ in range(iterations):
        E = 1.0 / (1.0 + np.exp(-(X @ W + b))) - Yt
        b -= lr * E.sum(0) / n
        W -= lr * (XT @ E / n + l2 * W)
    return W, b

WORD_OPTS = dict(l2=0.003, iterations=1500, lr=0.5)       # TrainOptions::default
CHAR_OPTS = dict(l2=0.0001, iterations=600, lr=15.0)      # TrainOptions::characters

def build():
    """Records (train split only) with their texts, labels, folds and the two feature matrices."""
    import json
    recs = C.load()
    train = {r["id"] for r in recs}      # only the train cases are kept, as common.load does
    cases = {c["id"]: c for c in json.load(open(C.TAG / "cases.json"))["case_studies"] if c["id"] in train}
    for r in recs:   # texts as Record::texts(): title, then descriptions (summary, description)
        c = cases[r["id"]]
        r["texts"] = [x.strip() for x in [c.get("title", ""), c.get("summary", ""), c.get("description", "")] if x and x.strip()]
    del cases
    B = dict(recs=recs, Y=C.Y_of(recs).astype(float), fold=C.folds_of(recs))
    B["anyp"] = (B["Y"].sum(1) > 0).astype(float)
    n = len(recs)
    wf = [word_features(r) for r in recs]
    wf_noact = [{k: v for k, v in d.items() if not k.startswith("actor:")} for d in wf]
    Xw_all, _ = to_matrix(wf + wf_noact)
    B["Xw"], B["Xw_na"] = Xw_all[:n].tocsr(), Xw_all[n:].tocsr()
    B["has_actor"] = np.array([bool(r["actors"]) for r in recs])
    B["Xc"], _ = to_matrix([char_features(r) for r in recs])
    return B

def fit_predict(B, kind, tr, te, T, filt, opts):
    """Trains one reader (all columns of T at once) on cases tr as train.rs does; P and net logits of te."""
    Xw, Xw_na, Xc, anyp, has_actor = B["Xw"], B["Xw_na"], B["Xc"], B["anyp"], B["has_actor"]
    if kind == "w":
        df = (Xw[np.unique(tr)] != 0).sum(0).A1   # min_cases counted on the distinct cases, not the doubled rows
        keep = np.where(df >= 2)[0]
        trd = tr[has_actor[tr]]                # a case with actors is learnt again without them
        Xtr = sp.vstack([Xw[tr], Xw_na[trd]]).tocsr()[:, keep]
        Ttr = np.vstack([T[tr], T[trd]])
        rows_any = np.concatenate([anyp[tr], anyp[trd]]) > 0
        Xte = Xw[te][:, keep]
    else:
        df = (Xc[np.unique(tr)] != 0).sum(0).A1
        keep = np.where(df >= 2)[0]
        Xtr = Xc[tr][:, keep]; Ttr = T[tr]; rows_any = anyp[tr] > 0
        Xte = Xc[te][:, keep]
    if filt == "any":
        Xtr = Xtr[rows_any]; Ttr = Ttr[rows_any]
    W, b = descend(Xtr, Ttr, **opts)
    L = Xte @ W + b
    return 1 / (1 + np.exp(-L)), L - b

def main():
    t0 = time.time()
    B = build()
    recs, Y, anyp, fold_of = B["recs"], B["Y"], B["anyp"], B["fold"]
    n = len(recs)
    print(f"features: words {B['Xw'].shape}, chars {B['Xc'].shape}  ({time.time()-t0:.0f}s)", flush=True)

    # the readers: (name, feature kind, target matrix, row filter, options)
    T3 = Y
    gate = anyp[:, None]
    cond = Y                                   # trained on rows with any pattern only
    readers = [
        ("words", "w", T3, None, WORD_OPTS),
        ("chars", "c", T3, None, CHAR_OPTS),
    ]
    for l2 in [0.001, 0.003, 0.01, 0.03, 0.1]:
        readers.append((f"gate_w_l2={l2}", "w", gate, None, dict(WORD_OPTS, l2=l2)))
    for l2 in [0.0001, 0.0003, 0.001]:
        readers.append((f"gate_c_l2={l2}", "c", gate, None, dict(CHAR_OPTS, l2=l2)))
    for l2 in [0.003, 0.01]:
        readers.append((f"cond_w_l2={l2}", "w", cond, "any", dict(WORD_OPTS, l2=l2)))
    readers.append(("cond_c_l2=0.0001", "c", cond, "any", CHAR_OPTS))
    for l2 in [0.01, 0.03]:
        readers.append((f"words_l2={l2}", "w", T3, None, dict(WORD_OPTS, l2=l2)))
    only = sys.argv[1:]
    if only:
        readers = [x for x in readers if x[0] in only]

    out = {}
    for name, kind, T, filt, opts in readers:
        P = np.zeros((n, T.shape[1])); NET = np.zeros((n, T.shape[1]))
        for k in range(5):
            tr = np.where(fold_of != k)[0]; te = np.where(fold_of == k)[0]
            P[te], NET[te] = fit_predict(B, kind, tr, te, T, filt, opts)
        out[name] = P; out[name + "#net"] = NET
        print(f"{name:22s} done ({time.time()-t0:.0f}s)", flush=True)
    path = HERE / "oof.npz"
    if path.exists():
        old = dict(np.load(path)); old.update(out); out = old
    np.savez(path, ids=np.array([r["id"] for r in recs]), Y=Y, fold=fold_of, **{k: v for k, v in out.items() if k not in ("ids", "Y", "fold")})

if __name__ == "__main__":
    main()
