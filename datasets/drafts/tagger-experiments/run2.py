"""Second round: ensembles, label powerset, hierarchical P1, extra P1/P2 cue phrases, title tokens, actor dropout."""
import sys, re
import numpy as np, scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
import common as C, features as F, models as M
import run as R   # reuses recs, Y, run()
recs, Y = R.recs, R.Y

# extra cue phrases aimed at P1 (who uses it: the public) vs P2 (who uses it: the body's staff)
EXTRA = {
 "p1_public_use": r"\b(citizens?|residents?|people|users?|patients?|parents|students|passengers|visitors|the public|jobseekers?|job seekers?|applicants?|taxpayers)\s+(can|could|may|are able to|will be able to)\b|\ballows? (citizens|residents|people|users|the public|anyone)\b|\bhelps? (citizens|residents|people|users|the public|parents|patients)\b|\bfor (citizens|residents|the public)\b",
 "p1_channel": r"\b(chat ?bot|virtual assistant|app|apps|mobile application|website|web portal|portal|online (service|form|application)|self-service|e-service|24/7|answers? (questions|queries)|personali[sz]ed)\b",
 "p1_actions": r"\b(find|search|book|apply|applying|look up|compare|navigate|plan (their|a|your) (journey|trip|route)|report|request)\b",
 "p2_staff": r"\b(staff|employees|officers|officials|civil servants|case ?workers?|case handlers?|inspectors?|clerks?|agents|doctors|nurses|police|back[- ]office|internal|workload|case processing|case handling)\b",
 "p2_ops": r"\b(automat\w*|classif\w*|predict\w*|forecast\w*|detect\w*|fraud|risk|prioriti[sz]\w*|allocat\w*|optimi[sz]\w*|monitor\w*|process(ing)? (of )?(applications|documents|cases))\b",
}
_RX = {k: re.compile(v) for k, v in EXTRA.items()}
for r in recs:
    r["extra"] = [len(_RX[k].findall(r["folded"])) for k in EXTRA]
    r["titlebag"] = ["t:" + w for w in C.tokens(r["title"])[0]]

def blocks_plus(bk, extra=False, title=False):
    b = F.Blocks(**bk)
    class B:
        def fit(self, rs):
            b.fit(rs)
            if title:
                from sklearn.feature_extraction.text import TfidfVectorizer
                self.tv = TfidfVectorizer(analyzer=lambda x: x, min_df=2, sublinear_tf=True).fit([r["titlebag"] for r in rs])
            return self
        def transform(self, rs):
            m = [b.transform(rs)]
            if extra: m.append(sp.csr_matrix(np.log1p(np.array([r["extra"] for r in rs], float))))
            if title: m.append(self.tv.transform([r["titlebag"] for r in rs]))
            return sp.hstack(m).tocsr()
    return B()

def per_pattern(bk, model, extra=False, title=False, dropout_actor=False):
    def fp(tr, te):
        rtr = [recs[i] for i in tr]; ytr = Y[tr]
        b = blocks_plus(bk, extra, title).fit(rtr)
        Xtr = b.transform(rtr)
        if dropout_actor:   # learn each case with an actor/orgtype twice: with and without it
            stripped = [dict(r, actors=[], orgtype=None) for r in rtr]
            Xtr = sp.vstack([Xtr, b.transform(stripped)]).tocsr(); ytr = np.vstack([ytr, ytr])
        Xte = b.transform([recs[i] for i in te])
        return np.column_stack([model(Xtr, ytr[:, j], Xte) for j in range(3)])
    return fp

def powerset(bk, Cc=10, cw=None):
    def fp(tr, te):
        b = F.Blocks(**bk).fit([recs[i] for i in tr])
        Xtr = b.transform([recs[i] for i in tr]); Xte = b.transform([recs[i] for i in te])
        keys = ["".join(map(str, y)) for y in Y[tr]]
        m = LogisticRegression(C=Cc, max_iter=5000, class_weight=cw).fit(Xtr, keys)
        Q = m.predict_proba(Xte)
        return np.column_stack([Q[:, [k[j] == "1" for k in m.classes_]].sum(1) for j in range(3)])
    return fp

def hier_p1(bk, Cc=10):
    """P1 = avg(direct P1, P(P1 or P2) * P(P1 | P1 or P2)); P2, P3 direct."""
    def fp(tr, te):
        b = F.Blocks(**bk).fit([recs[i] for i in tr])
        Xtr = b.transform([recs[i] for i in tr]); Xte = b.transform([recs[i] for i in te])
        lr = M.lr(Cc)
        P = np.column_stack([lr(Xtr, Y[tr, j], Xte) for j in range(3)])
        any12 = (Y[tr, 0] | Y[tr, 1])
        h = lr(Xtr, any12, Xte)
        sub = np.where(any12 == 1)[0]
        g = lr(Xtr[sub], Y[tr][sub, 0], Xte)
        P[:, 0] = 0.5 * P[:, 0] + 0.5 * h * g
        return P
    return fp

base = dict(kinds=["words", "cues", "actors"])
baseo = dict(kinds=["words", "cues", "orgtype"])
V = {
 "F1": ("F1 ens avg(A6,B3,E2)", None),
 "F2": ("F2 powerset multinomial LR words+cues+orgtype C=10", powerset(baseo, 10)),
 "F3": ("F3 hier P1 words+cues+orgtype C=10", hier_p1(baseo, 10)),
 "F4": ("F4 words+cues+orgtype+extraP1P2cues LR C=10", per_pattern(baseo, M.lr(10), extra=True)),
 "F5": ("F5 words+cues+orgtype+title LR C=10", per_pattern(baseo, M.lr(10), title=True)),
 "F6": ("F6 words+cues+orgtype+actors dropout-dup LR C=10", per_pattern(dict(kinds=["words", "cues", "orgtype", "actors"]), M.lr(10), dropout_actor=True)),
 "F7": ("F7 ens avg(E1,B1 chars)", None),
 "F8": ("F8 ens avg(E1,F2 powerset)", None),
}

def ens(names):
    Ps = [np.load(f"oof/{n}.npy") for n in names]
    P = np.mean(Ps, 0); fold = C.folds_of(recs)
    return P

if __name__ == "__main__":
    for k in sys.argv[1:]:
        name, fp = V[k]
        if fp is None:
            members = re.search(r"avg\((.*?)\)", name).group(1).split(",")
            members = [m.split()[0] for m in members]
            P = ens(members); fold = C.folds_of(recs)
            np.save(f"oof/{k}.npy", P)
            row = C.report(name, P, Y, fold)
            import csv
            with open("results.tsv", "a") as f:
                csv.DictWriter(f, fieldnames=list(row), delimiter="\t").writerow({a: (f"{v:.4f}" if isinstance(v, float) else v) for a, v in row.items()})
        else:
            R.run(name, fp)
