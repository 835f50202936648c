"""Run named variants: python run.py NAME [NAME ...]; appends rows to results.tsv, caches OOF probs in oof/."""
import sys, csv, os
import numpy as np
import common as C
import features as F
import models as M

recs = F.prep(C.load())
Y = C.Y_of(recs)
os.makedirs("oof", exist_ok=True)

def per_pattern(block_kw, model, Xfn=None):
    def fp(tr, te):
        b = F.Blocks(**block_kw).fit([recs[i] for i in tr])
        Xtr = b.transform([recs[i] for i in tr]); Xte = b.transform([recs[i] for i in te])
        return np.column_stack([model(Xtr, Y[tr, j], Xte) for j in range(3)])
    return fp

W = dict(kinds=["words"])
WC = dict(kinds=["words", "cues"])
VARIANTS = {
    # 1 baseline
    "A1 words tfidf LR C=10":            (W, M.lr(10)),
    "A2 words tfidf LR C=3":             (W, M.lr(3)),
    "A3 words tfidf LR C=30":            (W, M.lr(30)),
    "A4 words binary LR C=1":            (dict(kinds=["words"], words_tfidf=False), M.lr(1)),
    "A5 words+cues LR C=10":             (WC, M.lr(10)),
    "A6 words+cues+actors LR C=10":      (dict(kinds=["words", "cues", "actors"]), M.lr(10)),
    # 2 char n-grams
    "B1 chars2-5 LR C=10":               (dict(kinds=["chars"]), M.lr(10)),
    "B2 chars3-5 LR C=10":               (dict(kinds=["chars"], char_range=(3, 5)), M.lr(10)),
    "B3 words+chars2-5 LR C=10":         (dict(kinds=["words", "chars"]), M.lr(10)),
    "B4 words+chars2-5+cues LR C=10":    (dict(kinds=["words", "chars", "cues"]), M.lr(10)),
    # 3 class weights / C
    "C1 words+cues LR C=10 bal":         (WC, M.lr(10, "balanced")),
    "C2 words+cues LR C=3 bal":          (WC, M.lr(3, "balanced")),
    "C3 words+chars+cues LR C=10 bal":   (dict(kinds=["words", "chars", "cues"]), M.lr(10, "balanced")),
    "C4 words+chars+cues LR C=30 bal":   (dict(kinds=["words", "chars", "cues"]), M.lr(30, "balanced")),
    # 4 other learners
    "D1 words+cues SVM C=0.5":           (WC, M.svm(0.5)),
    "D2 words+chars+cues SVM C=0.3":     (dict(kinds=["words", "chars", "cues"]), M.svm(0.3)),
    "D3 words+cues SGD mhuber":          (WC, M.sgd(1e-4)),
    "D4 words binary CNB a=0.3":         (dict(kinds=["words"], words_tfidf=False), M.cnb(0.3)),
    # 5 who acts
    "E1 words+cues+orgtype LR C=10":     (dict(kinds=["words", "cues", "orgtype"]), M.lr(10)),
    "E2 words+chars+cues+orgtype LR C=10 bal": (dict(kinds=["words", "chars", "cues", "orgtype"]), M.lr(10, "balanced")),
    "E3 words+cues+orgtype+industry LR C=10":  (dict(kinds=["words", "cues", "orgtype", "industry"]), M.lr(10)),
}

def run(name, fp=None, notes=""):
    if fp is None:
        bk, model = VARIANTS[name]
        fp = per_pattern(bk, model)
    P, fold = C.cv_probs(recs, fp)
    np.save("oof/" + name.split()[0] + ".npy", P)
    row = C.report(name, P, Y, fold, notes)
    new = not os.path.exists("results.tsv")
    with open("results.tsv", "a") as f:
        w = csv.DictWriter(f, fieldnames=list(row), delimiter="\t")
        if new: w.writeheader()
        w.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in row.items()})
    return P

if __name__ == "__main__":
    names = sys.argv[1:] or list(VARIANTS)
    for n in names:
        key = [k for k in VARIANTS if k.split()[0] == n or k == n]
        run(key[0])
