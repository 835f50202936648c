"""Is a variant a better *ranking* of the tags, or only a more conservative one? Compares each variant's tags at
>= 0.8 with the baseline cut to the same number of tags (its n most confident tags), paired over cases, and the
precision of the n most confident tags for a few n. Train split only (reads oof.npz through analyse.py)."""
import sys
import numpy as np
import analyse as AN

MAIN = ["baseline min(words, chars)", "mean(words, chars) (the decision score)",
        "min(words, chars, gate_w_l2=0.003)", "min(words, chars, nested_gate_w)", "min(words, chars, gate_c_l2=0.0001)",
        "min(words, chars, gate_w_l2=0.003, gate_c_l2=0.0001)", "min(words, chars, mean(gate_w_l2=0.003, gate_c_l2=0.0001))",
        "min(words, chars, gate_w_l2=0.01, gate_c_l2=0.0001)",
        "min(words, chars, gate_w_l2=0.003 * cond_w_l2=0.003)", "min(words, chars, cond_w_l2=0.003)",
        "min(words_l2=0.01, chars)", "min(words_l2=0.03, chars)",
        "min over readers of the bagged 0.25-quantile", "min over readers of the bagged 0.10-quantile",
        "min(words, chars, gate_w_l2=0.003, gate_c_l2=0.0001, bagged 0.25-quantiles)",
        "conf_platt_min", "conf_stacked"]
base = AN.tagconf(AN.base)
order = np.argsort(-base, kind="stable")
def top(conf, n):
    o = np.argsort(-conf, kind="stable")[:n]; return int(AN.RIGHT[o].sum())
print("| confidence | tags >= 0.8 | wrong | baseline's top n: wrong | fewer wrong (95 % paired bootstrap) | right among top 150 / 200 / 250 / 300 tags |")
print("|---|---:|---:|---:|---:|---|")
for name in MAIN:
    c = AN.tagconf(AN.V[name]); m = c >= 0.8; n = int(m.sum())
    mb = np.zeros(len(c), bool); mb[order[:n]] = True
    wv = np.bincount(AN.ti[m & ~AN.RIGHT], minlength=AN.N); wb = np.bincount(AN.ti[mb & ~AN.RIGHT], minlength=AN.N)
    d = wb - wv
    bs = [d[b].sum() for b in AN.BOOT]
    tops = " / ".join(str(top(c, k)) for k in (150, 200, 250, 300))
    print(f"| {name} | {n} | {int((m & ~AN.RIGHT).sum())} | {int((mb & ~AN.RIGHT).sum())} | {d.sum():+d} [{np.percentile(bs, 2.5):+.0f}, {np.percentile(bs, 97.5):+.0f}] | {tops} |")
print()
print("Baseline min(words, chars) at stricter cuts:")
for t in (0.8, 0.82, 0.84, 0.85, 0.86, 0.88, 0.9):
    k, n = AN.at(base, t); print(f"- >= {t}: {k}/{n} = {k / n:.3f}")
