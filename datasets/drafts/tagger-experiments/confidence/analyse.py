"""Confidence definitions on the out-of-fold scores of replica.py (train split only).
The decision (which patterns are assigned) is always the production rule on the mean of the
word and character readers; only the reported confidence changes.
Run: nice -n 19 python analyse.py > analyse.out
"""
import sys
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import common as C   # noqa: E402  (train split only)

D = dict(np.load(HERE / "oof.npz"))
recs = C.load()
assert [r["id"] for r in recs] == list(D["ids"]), "record order"
Y = D["Y"].astype(int); FOLD = D["fold"]; N = len(recs)
TH = np.array([0.3, 0.5, 0.3]); NONE_BELOW = 0.35; MIN_EVIDENCE = 0.5
PATS = ["P1", "P2", "P3"]
COLL = np.array([r["id"].split(":")[0] for r in recs])

def decide(W, Cc, NET, min_evidence=True):
    """TagSettings::decide on the mean of the two readers."""
    S = (W + Cc) / 2
    ev = NET > MIN_EVIDENCE if min_evidence else np.ones_like(S, bool)
    A = ev & (S >= TH)
    for i in np.where(~A.any(1))[0]:
        cand = np.where(ev[i])[0]
        if len(cand):
            j = cand[np.argmax(S[i, cand])]
            if S[i, j] >= NONE_BELOW:
                A[i, j] = True
    return A

def f1(A, rows=None):
    rows = np.ones(N, bool) if rows is None else rows
    A, Yr = A[rows], Y[rows]
    out = {}
    for j, l in enumerate(PATS):
        tp = (A[:, j] & (Yr[:, j] == 1)).sum(); fp = (A[:, j] & (Yr[:, j] == 0)).sum(); fn = (~A[:, j] & (Yr[:, j] == 1)).sum()
        out[l] = (int(Yr[:, j].sum()), 2 * tp / max(2 * tp + fp + fn, 1))
    pn = ~A.any(1); yn = Yr.sum(1) == 0
    tp = (pn & yn).sum(); fp = (pn & ~yn).sum(); fn = (~pn & yn).sum()
    out["NONE"] = (int(yn.sum()), 2 * tp / max(2 * tp + fp + fn, 1))
    out["macro"] = float(np.mean([out[l][1] for l in PATS + ["NONE"]]))
    return out

W, CH, NET = D["words"], D["chars"], D["words#net"]
A = decide(W, CH, NET)
A_noev = decide(W, CH, NET, min_evidence=False)
ti, tj = np.where(A)                       # the assigned tags
RIGHT = Y[ti, tj] == 1
rng = np.random.default_rng(0)
BOOT = [rng.integers(0, N, N) for _ in range(2000)]

def tagconf(M):
    return M[ti, tj]

def at(conf, t):
    m = conf >= t
    return int(RIGHT[m].sum()), int(m.sum())

def stats(conf):
    r = {}
    for t in (0.7, 0.8, 0.9):
        k, n = at(conf, t); r[t] = (k, n)
    m = conf >= 0.8
    r["folds"] = [(int(RIGHT[m & (FOLD[ti] == f)].sum()), int((m & (FOLD[ti] == f)).sum())) for f in range(5)]
    # case bootstrap: resample cases, keep each resampled case's tags
    count = np.bincount(ti[m], minlength=N); good = np.bincount(ti[m], weights=RIGHT[m], minlength=N)
    ps = []
    for b in BOOT:
        nb = count[b].sum(); ps.append(good[b].sum() / nb if nb else np.nan)
    ps = np.array(ps)
    r["ci"] = (np.nanpercentile(ps, 2.5), np.nanpercentile(ps, 97.5)); r["p95"] = float(np.mean(ps >= 0.95))
    return r

def fmt(k, n):
    return f"{k}/{n} = {k / n:.3f}" if n else "0/0"

BASE_SORTED = None
def same_n(n):
    """Right tags among the baseline's n most confident tags (the baseline cut to the same number of tags)."""
    o = np.argsort(-tagconf(np.minimum(W, CH)), kind="stable")[:n]
    return int(RIGHT[o].sum())

def auc(conf):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(RIGHT, conf)

def line(name, conf):
    s = stats(conf)
    kb = same_n(s[0.8][1])
    folds = " ".join(f"{k}/{n}" for k, n in s["folds"])
    fp = " ".join(f"{k / n:.3f}" if n else "-" for k, n in s["folds"])
    return (f"| {name} | {fmt(*s[0.8])} | {s[0.8][1]-s[0.8][0]} | {fmt(kb, s[0.8][1])} | [{s['ci'][0]:.3f}, {s['ci'][1]:.3f}] | {s['p95']:.2f} | {fmt(*s[0.7])} | {fmt(*s[0.9])} | {folds} ({fp}) | {auc(conf):.3f} |")

HEAD = ("| confidence | right/tags at >= 0.8 | wrong | baseline cut to the same n | 95 % CI (case bootstrap) | share of bootstraps >= 0.95 | at >= 0.7 | at >= 0.9 | per fold at >= 0.8 (right/tags) | AUC right vs wrong, all 947 tags |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")

def rep(P):   # a per-pattern reader as an (N, 3) matrix; a gate (N, 1) broadcasts
    return np.broadcast_to(P, (N, 3))

base = np.minimum(W, CH)
V = {}
V["baseline min(words, chars)"] = base
V["words alone"] = W
V["chars alone"] = CH
V["mean(words, chars) (the decision score)"] = (W + CH) / 2
gates_w = sorted(k for k in D if k.startswith("gate_w_") and "#" not in k)
gates_c = sorted(k for k in D if k.startswith("gate_c_") and "#" not in k)
for g in gates_w + gates_c:
    V[f"min(words, chars, {g})"] = np.minimum(base, rep(D[g]))
for gw in gates_w:
    for gc in gates_c:
        V[f"min(words, chars, {gw}, {gc})"] = np.minimum(base, np.minimum(rep(D[gw]), rep(D[gc])))
        V[f"min(words, chars, mean({gw}, {gc}))"] = np.minimum(base, rep((D[gw] + D[gc]) / 2))
conds = sorted(k for k in D if k.startswith("cond_") and "#" not in k)
for c in conds:
    V[f"min(words, chars, {c})"] = np.minimum(base, D[c])
    for g in ["gate_w_l2=0.003", "gate_w_l2=0.01"]:
        if g in D:
            V[f"min(words, chars, {g} * {c})"] = np.minimum(base, rep(D[g]) * D[c])
            V[f"min(words, chars, {g}, {c})"] = np.minimum(base, np.minimum(rep(D[g]), D[c]))
for k in sorted(k for k in D if k.startswith("words_l2=") and "#" not in k):
    V[f"min({k}, chars)"] = np.minimum(D[k], CH)
for k in sorted(k for k in D if k.startswith("nested_") and "#" not in k):
    V[f"min(words, chars, {k})"] = np.minimum(base, rep(D[k]))
if "bag_words" in D:
    for q in (0.5, 0.25, 0.1):
        lw = np.quantile(D["bag_words"], q, axis=0); lc = np.quantile(D["bag_chars"], q, axis=0)
        V[f"min over readers of the bagged {q:.2f}-quantile"] = np.minimum(lw, lc)
        V[f"min(words, chars, bagged {q:.2f}-quantile of each)"] = np.minimum(base, np.minimum(lw, lc))
    lg = np.quantile(D["bag_gate_w"], 0.25, axis=0)
    V["min(words, chars, gate_w_l2=0.003, gate_c_l2=0.0001, bagged 0.25-quantiles)"] = np.minimum.reduce(
        [base, rep(D["gate_w_l2=0.003"]), rep(D["gate_c_l2=0.0001"]),
         np.quantile(D["bag_words"], 0.25, axis=0), np.quantile(D["bag_chars"], 0.25, axis=0)])
for k in sorted(k for k in D if k.startswith("conf_") and "#" not in k):
    V[k] = D[k]                               # complete confidences computed elsewhere (nested.py)

if __name__ == "__main__":
    out = []
    out.append("## Decision (unchanged by any confidence)\n")
    for label, AA in (("with min-evidence (production)", A), ("without min-evidence", A_noev)):
        s = f1(AA)
        out.append(f"- {label}: macro-F1 {s['macro']:.4f}; " + ", ".join(f"{l} {s[l][1]:.3f}" for l in PATS + ["NONE"]))
    out.append(f"- assigned tags: {len(ti)} ({int(RIGHT.sum())} right)\n")
    out.append("## Per collection (baseline decision)\n")
    out.append("| collection | cases | P1 (n) F1 | P2 (n) F1 | P3 (n) F1 | NONE (n) F1 | macro-F1 | tags >= 0.8 right |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for c in ["ips", "org", "aiw", "demo", None]:
        rows = COLL == c if c else np.ones(N, bool)
        s = f1(A, rows)
        m = (base[ti, tj] >= 0.8) & rows[ti]
        out.append(f"| {c or 'all'} | {rows.sum()} | " + " | ".join(f"({s[l][0]}) {s[l][1]:.3f}" for l in PATS + ["NONE"])
                   + f" | {s['macro']:.3f} | {fmt(int(RIGHT[m].sum()), int(m.sum()))} |")
    out.append("\nF1 of a label with no case in a collection is 0 by the formula (no TP possible), which lowers that collection's macro.\n")
    out.append("## Confidence variants (assigned tags only)\n")
    out.append(HEAD)
    for name, M in V.items():
        out.append(line(name, tagconf(M)))
    print("\n".join(out))

def calibration(name):
    c = tagconf(V[name]); rows = []
    for lo in np.arange(0.0, 1.0, 0.1):
        m = (c >= lo) & (c < lo + 0.1 if lo < 0.85 else c <= 1.0)
        if m.sum():
            rows.append(f"| {lo:.1f}-{lo + 0.1:.1f} | {m.sum()} | {RIGHT[m].sum()} | {RIGHT[m].mean():.3f} |")
    return "| confidence | tags | right | share right |\n|---|---:|---:|---:|\n" + "\n".join(rows)

def wrong_tags(name, t=0.8):
    c = tagconf(V[name]); m = (c >= t) & ~RIGHT; rows = []
    for i, j, v in sorted(zip(ti[m], tj[m], c[m]), key=lambda x: recs[x[0]]["id"]):
        r = recs[i]; lab = " ".join(sorted(r["labels"])) or "NONE"
        txt = r["text"][:200].replace("|", "/").replace("\n", " ")
        rows.append(f"| {r['id']} | P{j + 1} | {lab} | {v:.3f} | {W[i, j]:.2f} / {CH[i, j]:.2f} / {D['gate_w_l2=0.003'][i, 0]:.2f} / {D['gate_c_l2=0.0001'][i, 0]:.2f} | {txt} |")
    return ("| case | tag | label | confidence | words / chars / gate_w / gate_c | first 200 characters |\n|---|---|---|---:|---|---|\n"
            + "\n".join(rows))

def dropped(name, t=0.8):
    """Tags the baseline puts at >= t that the variant puts below t, and the reverse (a min can only drop)."""
    b = tagconf(base) >= t; v = tagconf(V[name]) >= t
    d = b & ~v
    return int(d.sum()), int(RIGHT[d].sum()), int((~b & v).sum())

if __name__ == "__main__" and len(sys.argv) > 1:
    for name in sys.argv[1:]:
        print(f"\n### {name}\n")
        n, r, up = dropped(name)
        print(f"drops {n} of the baseline's tags at >= 0.8 below 0.8 ({r} right, {n - r} wrong); raises {up}\n")
        print(calibration(name)); print()
        print(wrong_tags(name))
