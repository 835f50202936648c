"""Does a new kind of source help on collections the model never saw? (session 25)

The fai: cases (US federal agencies' AI use cases, 312 on the training split) are a kind
of text none of the other collections has: a public body describing its own use. Measured
here on the training split only (gen.py's loading drops every test case), with gen.py's
production replica (V0):

  loco-X-without: train on every training case outside X and fai:, test on X's cases
  loco-X-with:    the same, with fai:'s training cases added
  loco-fai:       train on everything but fai:, test on fai: (a new kind of source, as the
                  hidden test is one)
  pooled:         5-fold cross-validation over every training case

Run: python3 fai.py  (about 10 minutes on this machine)
"""
import numpy as np
import gen as G

C = G.COLL
def idx(mask):
    return np.where(mask)[0]

G.SPLITS.update({
    "loco-ips-without": [(idx((C != "ips") & (C != "fai")), idx(C == "ips"))],
    "loco-ips-with": [(idx(C != "ips"), idx(C == "ips"))],
    "loco-org-without": [(idx((C != "org") & (C != "fai")), idx(C == "org"))],
    "loco-org-with": [(idx(C != "org"), idx(C == "org"))],
    "loco-fai": [(idx(C != "fai"), idx(C == "fai"))],
})

def line(split):
    res = G.evaluate("V0", split)
    f = res["f1"]
    return (f"{split:18s} macro {res['macro']:.4f} [P1 {f[0]:.3f} P2 {f[1]:.3f} P3 {f[2]:.3f} "
            f"N {f[3]:.3f}] >=.8 {G.fmt_prec(res['right'].sum(), res['tags'].sum())} "
            f"TP/FP/FN {res['tp_fp_fn']}"), res

if __name__ == "__main__":
    print("training cases by collection:", {c: int((C == c).sum()) for c in sorted(set(C))}, flush=True)
    out = {}
    for split in ["loco-ips-without", "loco-ips-with", "loco-org-without", "loco-org-with",
                  "loco-fai", "pooled"]:
        text, res = line(split)
        print(text, flush=True)
        out[split] = res
    for x in ["ips", "org"]:
        a, b = out[f"loco-{x}-without"], out[f"loco-{x}-with"]
        BM = G.boot_matrix(int(a["rows"].sum()))
        d = G.f1s_b(BM, b["cnt"]) - G.f1s_b(BM, a["cnt"])  # the same test cases in both runs
        lo, hi = np.percentile(d, [2.5, 97.5])
        print(f"{x} held out: fai: adds {b['macro'] - a['macro']:+.4f} macro-F1 "
              f"(paired bootstrap 95 % [{lo:+.4f}, {hi:+.4f}])", flush=True)
    res = out["pooled"]
    m = G.COLL[res["rows"]] == "fai"
    fc = G.f1s(res["cnt"][m].sum(0))
    print(f"pooled, fai: cases only: macro {fc.mean():.4f} [P1 {fc[0]:.3f} P2 {fc[1]:.3f} "
          f"P3 {fc[2]:.3f} N {fc[3]:.3f}]", flush=True)
